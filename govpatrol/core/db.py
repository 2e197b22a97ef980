"""Engines and sessions for the store: SQLite (WAL) by default, PostgreSQL when configured."""

from __future__ import annotations

from collections.abc import Iterator
from contextlib import contextmanager

from sqlalchemy import event
from sqlalchemy.engine import Engine
from sqlmodel import Session, create_engine

from govpatrol.core import (
    models,  # noqa: F401  (registers the tables on SQLModel.metadata)
    schema,
)
from govpatrol.core.extras import require
from govpatrol.core.settings import database_url

MIGRATIONS_DIR = schema.MIGRATIONS_DIR


def _sqlite_pragmas(dbapi_connection, _record) -> None:
    cursor = dbapi_connection.cursor()
    # WAL lets the dashboard read while a scan writes; NORMAL sync is safe with WAL.
    cursor.execute("PRAGMA journal_mode=WAL")
    cursor.execute("PRAGMA synchronous=NORMAL")
    cursor.execute("PRAGMA foreign_keys=ON")
    cursor.execute("PRAGMA busy_timeout=30000")
    cursor.close()


def make_engine(url: str | None = None) -> Engine:
    url = url or database_url()
    if url.startswith("sqlite"):
        engine = create_engine(url, connect_args={"check_same_thread": False, "timeout": 30})
        event.listen(engine, "connect", _sqlite_pragmas)
        return engine
    if url.startswith("postgresql"):
        require("psycopg", "PostgreSQL 数据库")  # the driver comes with the [cluster] extra
    return create_engine(url, pool_pre_ping=True)


def include_object(obj, name, type_, reflected, compare_to) -> bool:
    """Alembic's filter: APScheduler keeps its job table in the same database and owns it."""
    return not (type_ == "table" and name == "apscheduler_jobs")


def init_db(engine: Engine) -> None:
    """Bring the schema to the newest migration under the upgrade lock (creates every table
    on a new store; a no-op at head)."""
    schema.upgrade(engine)


def prepares_own_store(url: str) -> bool:
    """A SQLite store belongs to the single machine that uses it: the commands that make it
    (``scan``, ``demo``, ``inspect``, tests) create and upgrade it themselves. A PostgreSQL
    store is shared by a cluster and changes only through ``govpatrol db upgrade``."""
    return url.startswith("sqlite")


_engines: dict[str, Engine] = {}


def get_engine(url: str | None = None) -> Engine:
    """One engine per URL per process. A SQLite store is brought to head on first use (under
    the upgrade lock); any other store must already be at head, or SchemaNotCurrent says to
    run ``govpatrol db upgrade``."""
    url = url or database_url()
    if url not in _engines:
        engine = make_engine(url)
        try:
            if prepares_own_store(url):
                schema.upgrade(engine)
            else:
                schema.require_head(engine)
        except BaseException:
            engine.dispose()
            raise
        _engines[url] = engine
    return _engines[url]


@contextmanager
def session_scope(url: str | None = None) -> Iterator[Session]:
    with Session(get_engine(url), expire_on_commit=False) as session:
        yield session
