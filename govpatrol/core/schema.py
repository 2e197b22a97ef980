"""The store's schema version: ``upgrade`` (the one way it changes), ``current``, ``head`` and
``require_head`` for the processes that must not change it.

Two processes upgrading at once would race in CREATE TABLE / ALTER TABLE, so an upgrade runs
under a lock that every process of a deployment shares: a PostgreSQL advisory lock (held on
its own connection for the whole upgrade), or for SQLite an exclusive ``flock`` on a file next
to the database. Whoever gets the lock second finds the schema at head and does nothing.
"""

from __future__ import annotations

import fcntl
from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path
from typing import TYPE_CHECKING

from sqlalchemy import create_engine, inspect, text
from sqlalchemy.engine import URL, Engine, make_url
from sqlalchemy.pool import NullPool

if TYPE_CHECKING:
    from alembic.config import Config

MIGRATIONS_DIR = Path(__file__).with_name("migrations")
# The newest migration this code ships. Knowing it without reading the migration scripts lets
# a process open a store at head without importing Alembic, a quarter of a CPU-second of every
# command's start-up; tests/test_db_upgrade.py holds it to the scripts' own head.
HEAD = "0006_heal"
# Alembic's own table (its default name, in the connection's default schema): one row, the
# store's revision.
VERSION_TABLE = "alembic_version"
# Any constant works; it only has to be the same in every process of a deployment.
UPGRADE_LOCK_KEY = 0x67_70_61_74  # "gpat"
UPGRADE_COMMAND = "govpatrol db upgrade"


class SchemaNotCurrent(RuntimeError):
    """The store is not at the schema this code needs; only ``govpatrol db upgrade`` changes it
    (or, for a store newer than the code, installing the newer govpatrol)."""

    def __init__(self, url: str, current: str | None, head: str, *, newer: bool = False) -> None:
        self.current, self.head, self.newer = current, head, newer
        where = make_url(url).render_as_string(hide_password=True)
        if newer:
            message = (
                f"数据库 {where} 的结构版本 {current} 比本程序（{head}）新：请安装与之相同的新版本 govpatrol "
                f"(the database schema {current} is newer than this code's {head}: upgrade govpatrol)"
            )
        else:
            found = f"版本 {current}" if current else "未初始化"
            message = (
                f"数据库 {where} 的结构{found}，本程序需要版本 {head}：请先运行 {UPGRADE_COMMAND} "
                f"(the database schema is {current or 'empty'}, this code needs {head}: "
                f"run {UPGRADE_COMMAND})"
            )
        super().__init__(message)


def alembic_config(url: str | None = None) -> Config:
    from alembic.config import Config

    cfg = Config()
    cfg.set_main_option("script_location", str(MIGRATIONS_DIR))
    if url is not None:
        cfg.set_main_option("sqlalchemy.url", url.replace("%", "%%"))
    return cfg


def head() -> str:
    """The newest migration this code ships."""
    return HEAD


def current(engine: Engine) -> str | None:
    """The store's revision; None for a store no migration has run on (a new one). Read as
    Alembic reads it, from its version table, without loading Alembic."""
    with engine.connect() as connection:
        if not inspect(connection).has_table(VERSION_TABLE):
            return None
        revisions = connection.execute(text(f"SELECT version_num FROM {VERSION_TABLE}")).all()
    if len(revisions) > 1:  # only branched migrations leave several; this code has none
        found = ", ".join(sorted(row[0] for row in revisions))
        raise RuntimeError(f"数据库有多个结构版本 {found} (the store has several heads: {found})")
    return revisions[0][0] if revisions else None


def known(revision: str) -> bool:
    """``revision`` is one of this code's migrations (not one of a newer release)."""
    from alembic.script import ScriptDirectory
    from alembic.util import CommandError

    try:
        return ScriptDirectory.from_config(alembic_config()).get_revision(revision) is not None
    except CommandError:
        return False


def require_head(engine: Engine) -> None:
    """Refuse a store that is not at head: raise SchemaNotCurrent naming what to do."""
    found, wanted = current(engine), head()
    if found != wanted:
        url = engine.url.render_as_string(hide_password=False)
        raise SchemaNotCurrent(url, found, wanted, newer=found is not None and not known(found))


def _sqlite_file(engine_url: URL) -> Path | None:
    """The file of a SQLite store; None for another database or an in-memory one."""
    if engine_url.get_backend_name() != "sqlite" or engine_url.database in (None, "", ":memory:"):
        return None
    return Path(engine_url.database)


@contextmanager
def _sqlite_lock(url: str) -> Iterator[None]:
    path = _sqlite_file(make_url(url))
    if path is None:  # in memory: private to this process, nobody to race
        yield
        return
    with open(path.with_name(path.name + ".upgrade-lock"), "a+b") as handle:
        fcntl.flock(handle, fcntl.LOCK_EX)  # blocks until the other upgrade ends
        try:
            yield
        finally:
            fcntl.flock(handle, fcntl.LOCK_UN)


@contextmanager
def _postgres_lock(url: str) -> Iterator[None]:
    # Its own connection, so the lock is held across the upgrade's transaction and released
    # when the session ends even if this process dies in the middle.
    guard = create_engine(url, poolclass=NullPool)
    try:
        with guard.connect() as connection:
            connection.execute(text("SELECT pg_advisory_lock(:k)"), {"k": UPGRADE_LOCK_KEY})
            try:
                yield
            finally:
                connection.execute(text("SELECT pg_advisory_unlock(:k)"), {"k": UPGRADE_LOCK_KEY})
                connection.commit()
    finally:
        guard.dispose()


@contextmanager
def upgrade_lock(url: str) -> Iterator[None]:
    """Held by one upgrading process of a deployment at a time."""
    backend = make_url(url).get_backend_name()
    if backend == "sqlite":
        with _sqlite_lock(url):
            yield
    elif backend == "postgresql":
        with _postgres_lock(url):
            yield
    else:
        raise ValueError(f"不支持的数据库 {backend} (supported: sqlite, postgresql)")


def upgrade(engine: Engine) -> tuple[str | None, str]:
    """Bring the store to head under the upgrade lock; a no-op on a store at head.
    Returns the revisions before and after."""
    wanted = head()
    url = engine.url.render_as_string(hide_password=False)
    database = _sqlite_file(engine.url)
    if database is not None:  # a new store in a new folder: SQLite makes the file, not the folder
        database.parent.mkdir(parents=True, exist_ok=True)
    before = current(engine)
    if before == wanted:  # the common case: no lock, no write
        return before, wanted
    if before is not None and not known(before):
        raise SchemaNotCurrent(url, before, wanted, newer=True)
    with upgrade_lock(url):
        before = current(engine)  # someone may have upgraded while this process waited
        if before != wanted:
            from alembic import command

            cfg = alembic_config(url)
            with engine.begin() as connection:
                cfg.attributes["connection"] = connection
                command.upgrade(cfg, "head")
    return before, current(engine) or wanted
