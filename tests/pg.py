"""A throw-away PostgreSQL database for the tests that need the real server."""

from __future__ import annotations

import uuid
from collections.abc import Iterator

import pytest


def fresh_database(*, upgraded: bool = True) -> Iterator[str]:
    """A new PostgreSQL database for the caller, dropped (connections and all) after. It is
    at the schema's head unless ``upgraded`` is false: a shared store is never upgraded
    implicitly (``govpatrol db upgrade`` does it), so the test does it as a deployment would."""
    import psycopg

    name = f"govpatrol_test_{uuid.uuid4().hex[:12]}"
    try:
        admin = psycopg.connect(
            "host=127.0.0.1 port=5432 user=postgres dbname=postgres",
            autocommit=True,
            connect_timeout=3,
        )
    except psycopg.OperationalError as exc:
        pytest.skip(f"PostgreSQL is not running on 127.0.0.1:5432 ({exc}); .ci/run starts it")
    with admin:
        admin.execute(f'CREATE DATABASE "{name}"')
        url = f"postgresql+psycopg://postgres@127.0.0.1:5432/{name}"
        try:
            if upgraded:
                from govpatrol.core.db import make_engine
                from govpatrol.core.schema import upgrade

                engine = make_engine(url)
                upgrade(engine)
                engine.dispose()
            yield url
        finally:
            from govpatrol.core.db import _engines

            for url in [u for u in _engines if u.endswith(f"/{name}")]:
                _engines.pop(url).dispose()
            admin.execute(f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)')
