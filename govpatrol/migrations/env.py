"""Alembic environment: runs on the connection govpatrol.db.init_db hands over."""

from alembic import context
from sqlmodel import SQLModel

from govpatrol import models  # noqa: F401

target_metadata = SQLModel.metadata
config = context.config


def run_migrations_online() -> None:
    connection = config.attributes.get("connection")
    if connection is None:
        from govpatrol.db import make_engine

        with make_engine(config.get_main_option("sqlalchemy.url")).begin() as conn:
            _run(conn)
    else:
        _run(connection)


def include_object(obj, name, type_, reflected, compare_to) -> bool:
    # APScheduler keeps its job store in the same database and manages that table itself.
    return not (type_ == "table" and name == "apscheduler_jobs")


def _run(connection) -> None:
    context.configure(
        connection=connection,
        target_metadata=target_metadata,
        include_object=include_object,
        render_as_batch=connection.dialect.name == "sqlite",
    )
    with context.begin_transaction():
        context.run_migrations()


run_migrations_online()
