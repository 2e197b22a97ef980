"""``govpatrol db upgrade|current``: the one way the store's schema changes, and what it is.

The long-running processes of a deployment (``serve``, ``scheduler``, ``worker``) never
change the schema: ``require_current_schema`` makes them exit with the command to run when
the store is behind, so an upgrade happens once, by a person, under the upgrade lock.
``register(app)`` adds the commands to the main CLI.
"""

from __future__ import annotations

import json
from pathlib import Path

import typer
from rich.console import Console
from rich.markup import escape
from sqlalchemy.exc import SQLAlchemyError

from govpatrol.cli.outcome import EXIT_NOT_STARTED

console = Console()
err_console = Console(stderr=True)

db_app = typer.Typer(help="数据库结构 (database schema)", no_args_is_help=True)


def _fail(message: str) -> typer.Exit:
    err_console.print(f"[bold red]错误[/]: {escape(message)}", highlight=False, soft_wrap=True)
    return typer.Exit(EXIT_NOT_STARTED)


def _engine(url: str | None):
    # make_engine, not get_engine: get_engine would upgrade a SQLite store before we look.
    from govpatrol.core.db import make_engine
    from govpatrol.core.settings import database_url

    return make_engine(url or database_url())


def require_current_schema(url: str | None = None) -> None:
    """Exit (code 2) unless the store is at the schema this code needs."""
    from govpatrol.core.schema import SchemaNotCurrent, require_head

    engine = _engine(url)
    try:
        require_head(engine)
    except SchemaNotCurrent as exc:
        raise _fail(str(exc)) from None
    except SQLAlchemyError as exc:
        raise _fail(f"无法连接数据库 (cannot reach the database): {exc}") from None
    finally:
        engine.dispose()


@db_app.command("upgrade")
def upgrade() -> None:
    """把数据库结构升级到最新版本（加锁；已是最新则不做任何事）。Upgrade the schema to head."""
    from govpatrol.core.schema import SchemaNotCurrent
    from govpatrol.core.schema import upgrade as upgrade_schema

    engine = _engine(None)
    try:
        before, after = upgrade_schema(engine)
    except SchemaNotCurrent as exc:  # a store newer than this code: nothing to do here
        raise _fail(str(exc)) from None
    except SQLAlchemyError as exc:
        raise _fail(f"升级失败，数据库未改变 (upgrade failed, nothing changed): {exc}") from None
    finally:
        engine.dispose()
    if before == after:
        console.print(
            f"数据库结构已是最新版本 {after}，无需升级 (already at head)", highlight=False
        )
    else:
        console.print(
            f"数据库结构已从 {before or '空库'} 升级到 {after} (upgraded)", highlight=False
        )


@db_app.command("current")
def current(
    as_json: bool = typer.Option(False, "--json", help="以 JSON 输出 (machine-readable)"),
) -> None:
    """显示数据库结构版本及本程序需要的版本。Show the store's revision and the code's head."""
    from govpatrol.core.schema import current as current_revision
    from govpatrol.core.schema import head

    engine = _engine(None)
    try:
        # a SQLite file that is not there yet is an empty store: looking must not create it
        database = engine.url.database
        missing = engine.url.get_backend_name() == "sqlite" and database not in (
            None,
            "",
            ":memory:",
        )
        found = None if missing and not Path(database).exists() else current_revision(engine)
    except SQLAlchemyError as exc:
        raise _fail(f"无法连接数据库 (cannot reach the database): {exc}") from None
    finally:
        engine.dispose()
    wanted = head()
    if as_json:
        typer.echo(json.dumps({"current": found, "head": wanted, "at_head": found == wanted}))
        return
    state = "最新 (at head)" if found == wanted else f"需运行 govpatrol db upgrade 升级到 {wanted}"
    console.print(f"{found or '未初始化 (empty)'} · {state}", highlight=False)


def register(app: typer.Typer) -> None:
    """Add ``db upgrade`` and ``db current`` to the main CLI."""
    app.add_typer(db_app, name="db")
