"""``govpatrol db upgrade`` is the one way a shared store's schema changes, under a lock; the
long-running processes refuse a store that is behind instead of migrating it."""

from __future__ import annotations

import json
import os
import subprocess
import sys
from collections.abc import Iterator
from pathlib import Path

import pytest
from sqlalchemy import inspect
from sqlmodel import SQLModel

from govpatrol.core import schema
from govpatrol.core.db import make_engine
from tests.pg import fresh_database

GOVPATROL = [sys.executable, "-m", "govpatrol.cli"]


def run(
    args: list[str], db_url: str, *, timeout: float = 120, **env: str
) -> subprocess.CompletedProcess:
    environment = {**os.environ, "GOVPATROL_DATABASE_URL": db_url, **env}
    return subprocess.run(
        GOVPATROL + args, env=environment, capture_output=True, text=True, timeout=timeout
    )


def run_at_once(
    commands: list[list[str]], db_url: str, *, timeout: float = 180, **env: str
) -> list[subprocess.CompletedProcess]:
    """The commands in processes of their own, all started before any is waited for: each
    interpreter's start-up (about 2 CPU-seconds of imports) overlaps the others'."""
    environment = {**os.environ, "GOVPATROL_DATABASE_URL": db_url, **env}
    started = [
        subprocess.Popen(
            GOVPATROL + args,
            env=environment,
            stdout=subprocess.PIPE,
            stderr=subprocess.PIPE,
            text=True,
        )
        for args in commands
    ]
    finished = []
    for args, proc in zip(commands, started, strict=True):
        out, err = proc.communicate(timeout=timeout)
        finished.append(subprocess.CompletedProcess(args, proc.returncode, out, err))
    return finished


def upgrade_concurrently(db_url: str, processes: int = 3) -> list[tuple[int, str]]:
    upgrades = run_at_once([["db", "upgrade"]] * processes, db_url)
    return [(done.returncode, done.stdout + done.stderr) for done in upgrades]


def revision(db_url: str) -> str | None:
    engine = make_engine(db_url)
    try:
        return schema.current(engine)
    finally:
        engine.dispose()


def tables(db_url: str) -> set[str]:
    engine = make_engine(db_url)
    try:
        return set(inspect(engine).get_table_names())
    finally:
        engine.dispose()


def at_head(db_url: str) -> None:
    """A store at head, made in this process: set-up for the tests of what refuses a store,
    which need no interpreter of their own for it (``db upgrade`` itself is run as the real
    command by the tests above)."""
    engine = make_engine(db_url)
    try:
        assert schema.upgrade(engine)[1] == schema.head()
    finally:
        engine.dispose()


def downgrade(db_url: str, to: str) -> None:
    """A store left behind by an older release: the real downgrade migration."""
    from alembic import command

    engine = make_engine(db_url)
    cfg = schema.alembic_config(db_url)
    try:
        with engine.begin() as connection:
            cfg.attributes["connection"] = connection
            command.downgrade(cfg, to)
    finally:
        engine.dispose()


def previous_revision() -> str:
    from alembic.script import ScriptDirectory

    script = ScriptDirectory.from_config(schema.alembic_config())
    down = script.get_revision(schema.head()).down_revision
    assert isinstance(down, str)
    return down


@pytest.fixture
def empty_pg_url() -> Iterator[str]:
    yield from fresh_database(upgraded=False)


def test_concurrent_upgrades_of_a_new_sqlite_store_end_at_head(tmp_path: Path) -> None:
    db_url = f"sqlite:///{tmp_path / 'store' / 'govpatrol.db'}"
    outcomes = upgrade_concurrently(db_url)
    assert [code for code, _ in outcomes] == [0, 0, 0], outcomes
    assert revision(db_url) == schema.head()
    assert tables(db_url) >= set(SQLModel.metadata.tables)
    # exactly one of them did the work; the others found it done
    upgraded = [text for _, text in outcomes if "升级到" in text]
    assert len(upgraded) == 1, outcomes


@pytest.mark.postgres
def test_concurrent_upgrades_of_an_empty_postgres_database_end_at_head(
    empty_pg_url: str,
) -> None:
    outcomes = upgrade_concurrently(empty_pg_url)
    assert [code for code, _ in outcomes] == [0, 0, 0], outcomes
    assert revision(empty_pg_url) == schema.head()
    assert tables(empty_pg_url) >= set(SQLModel.metadata.tables)
    assert len([text for _, text in outcomes if "升级到" in text]) == 1, outcomes


def test_the_head_the_code_names_is_the_migration_scripts_head() -> None:
    from alembic.script import ScriptDirectory

    scripts = ScriptDirectory.from_config(schema.alembic_config())
    assert scripts.get_heads() == [schema.HEAD], "set schema.HEAD to the new migration"


def test_opening_a_store_at_head_does_not_load_alembic(tmp_path: Path) -> None:
    db_url = f"sqlite:///{tmp_path / 'govpatrol.db'}"
    at_head(db_url)
    code = (
        "import sys; from govpatrol.core.db import get_engine; "
        f"get_engine({db_url!r}); print('alembic' in sys.modules)"
    )
    opened = subprocess.run(
        [sys.executable, "-c", code], capture_output=True, text=True, timeout=120
    )
    assert opened.returncode == 0, opened.stderr
    assert opened.stdout.strip() == "False"


def test_upgrade_at_head_is_a_no_op_and_current_shows_the_revision(tmp_path: Path) -> None:
    db_url = f"sqlite:///{tmp_path / 'govpatrol.db'}"
    first = run(["db", "upgrade"], db_url)
    assert first.returncode == 0, first.stderr
    store = tmp_path / "govpatrol.db"
    before = store.stat().st_mtime_ns, store.read_bytes()
    again = run(["db", "upgrade"], db_url)
    assert again.returncode == 0, again.stderr
    assert "无需升级" in again.stdout
    assert (store.stat().st_mtime_ns, store.read_bytes()) == before
    shown, plain = run_at_once([["db", "current", "--json"], ["db", "current"]], db_url)
    assert shown.returncode == 0, shown.stderr
    assert json.loads(shown.stdout) == {
        "current": schema.head(),
        "head": schema.head(),
        "at_head": True,
    }
    assert schema.head() in plain.stdout and "at head" in plain.stdout


def test_current_of_a_store_not_made_yet_says_so_without_making_it(tmp_path: Path) -> None:
    store = tmp_path / "govpatrol.db"
    shown = run(["db", "current", "--json"], f"sqlite:///{store}")
    assert shown.returncode == 0, shown.stderr
    assert json.loads(shown.stdout)["current"] is None
    assert not store.exists()


def test_upgrade_brings_a_behind_store_to_head_keeping_its_rows(tmp_path: Path) -> None:
    db_url = f"sqlite:///{tmp_path / 'govpatrol.db'}"
    assert run(["orgs", "add", "某市人民政府"], db_url).returncode == 0
    downgrade(db_url, previous_revision())
    assert run(["db", "current", "--json"], db_url).stdout.count('"at_head": false') == 1
    done = run(["db", "upgrade"], db_url)
    assert done.returncode == 0, done.stderr
    assert f"升级到 {schema.head()}" in done.stdout
    assert revision(db_url) == schema.head()
    listed = run(["orgs", "list"], db_url)
    assert "某市人民政府" in listed.stdout, listed


@pytest.mark.parametrize(
    "command",
    [["serve", "--port", "9"], ["scheduler"], ["worker"]],
    ids=["web", "scheduler", "worker"],
)
def test_long_running_processes_refuse_a_behind_store(tmp_path: Path, command: list[str]) -> None:
    db_url = f"sqlite:///{tmp_path / 'govpatrol.db'}"
    at_head(db_url)
    old = previous_revision()
    downgrade(db_url, old)
    refused = run(command, db_url, timeout=60, GOVPATROL_BROKER_URL="redis://127.0.0.1:1/0")
    assert refused.returncode == 2, (refused.stdout, refused.stderr)
    assert "govpatrol db upgrade" in refused.stderr
    assert revision(db_url) == old  # refused, not migrated


@pytest.mark.postgres
def test_a_worker_refuses_an_empty_postgres_database_and_leaves_it_empty(
    empty_pg_url: str,
) -> None:
    refused = run(
        ["worker"], empty_pg_url, timeout=60, GOVPATROL_BROKER_URL="redis://127.0.0.1:1/0"
    )
    assert refused.returncode == 2, (refused.stdout, refused.stderr)
    assert "govpatrol db upgrade" in refused.stderr
    assert tables(empty_pg_url) == set()


@pytest.mark.postgres
def test_engine_of_a_behind_postgres_store_says_what_to_run(empty_pg_url: str) -> None:
    from govpatrol.core.db import get_engine

    with pytest.raises(schema.SchemaNotCurrent, match="govpatrol db upgrade"):
        get_engine(empty_pg_url)
    assert tables(empty_pg_url) == set()


def test_a_store_newer_than_the_code_is_refused_not_touched(tmp_path: Path) -> None:
    db_url = f"sqlite:///{tmp_path / 'govpatrol.db'}"
    at_head(db_url)
    engine = make_engine(db_url)
    with engine.begin() as connection:  # as a later release's migration would leave it
        connection.exec_driver_sql("UPDATE alembic_version SET version_num = '9999_later'")
    engine.dispose()
    refusals = {}
    commands = [["db", "upgrade"], ["serve", "--port", "9"], ["orgs", "list"]]
    for command, refused in zip(commands, run_at_once(commands, db_url), strict=True):
        assert refused.returncode == 2, (command, refused.stderr)
        assert "9999_later" in refused.stderr and "Traceback" not in refused.stderr, command
        refusals[command[0]] = refused.stderr
    assert revision(db_url) == "9999_later"
    assert "比本程序" in refusals["db"]
