"""A scan cluster for real: two ``govpatrol worker`` processes (Celery on the machine's Redis,
store on the machine's PostgreSQL) scan four sample portals served on four ports, and every
result equals the single-machine run (LocalDispatcher, SQLite) of the same portals. What a
killed worker leaves is tested in tests/test_celery_worker_lost.py (a file of its own, so
that the two run on two test processes at once).

Needs PostgreSQL and Redis on 127.0.0.1 (``.ci/run`` starts them); each test run gets its
own database and its own Redis key prefix, both removed afterwards.
"""

from __future__ import annotations

from collections.abc import Iterator
from pathlib import Path

import pytest
from sqlalchemy.engine import Engine
from sqlmodel import Session, select

from govpatrol.core.db import get_engine
from govpatrol.core.models import Scan, ScanStatus
from scheduler.celery_dispatch import CeleryDispatcher
from scheduler.dispatch import LocalDispatcher
from scheduler.lease import workers_seen
from tests.cluster import (  # noqa: F401  (fixtures)
    REDIS,
    OneMachine,
    Portals,
    portal_dir_fixture,
    ports_fixture,
    queue_sites,
    redis_queue_fixture,
    results,
    wait_ended,
    workers_fixture,
)
from tests.pg import fresh_database
from tests.polling import wait_for

# pyproject's 300 s per test is too short here: twenty scans (ten per mode, when there
# were ten portals) took seven minutes at load 23-28. The waits inside end on progress, not
# on a clock (tests.cluster.wait_ended).
pytestmark = [pytest.mark.postgres, pytest.mark.redis, pytest.mark.timeout(900)]

# Four are enough for both workers to take part: each takes one scan at a time (concurrency
# 1, prefetch 1) and both are seen in the store before the first is sent. Each portal is
# two scans (cluster and reference), some 5 CPU-seconds each.
PORTALS = 4


def _workers_up(engine: Engine) -> list:
    with Session(engine) as session:
        return workers_seen(session)


@pytest.fixture(scope="module")
def pg_url() -> Iterator[str]:
    yield from fresh_database()


def test_two_workers_scan_four_portals_as_one_machine_does(
    portal_dir: Path,
    ports: list[int],
    pg_url: str,
    redis_queue: str,
    workers,
    tmp_path: Path,
) -> None:
    engine = get_engine(pg_url)
    # the default stale-after (120 s): no worker dies here, and on a loaded machine a scan
    # process can take longer than a short one to send its first heartbeat
    cluster = workers(pg_url)
    # both workers up (each writes its row on start) before any scan is sent, so that one
    # that starts late on a loaded machine cannot find the work all done
    wait_for(lambda: len(_workers_up(engine)) == 2, "both workers to start", 300)
    dispatcher = CeleryDispatcher(REDIS, queue=redis_queue)
    one_machine = OneMachine(tmp_path)
    with Portals(portal_dir, ports) as urls:
        # The reference runs meanwhile, on the same servers, so the two modes' scans overlap
        # instead of following each other; the crawl admits the same pages whatever the
        # timing (OPTIONS), and the servers remember no visitor (Portals).
        one_machine.start(urls)
        with Session(engine) as session:
            scan_ids = queue_sites(session, urls)
        for scan_id in scan_ids:
            dispatcher.submit(scan_id)
        dispatcher.submit(scan_ids[0])  # a duplicate message must not run the scan twice
        try:
            scans = wait_ended(engine, scan_ids, on_failure=cluster.logs)
        finally:  # the reference's scans end before their servers stop, whatever happened
            single_machine = one_machine.results()
    dispatcher.shutdown()
    assert [s.status for s in scans] == [ScanStatus.done] * PORTALS, [s.error for s in scans]
    # both workers took part: each scan records the worker that ran it
    runners = {s.stats["worker"].rsplit(":", 1)[1] for s in scans}
    assert runners == {str(p.pid) for p in cluster.procs}
    with Session(engine) as session:
        for url, scan_id in zip(urls, scan_ids, strict=True):
            got = results(session, scan_id)
            assert got["pages"] and got["findings"], url
            assert got == single_machine[url], url
        # one scan per site, each run once (a second run would have failed on its own rows)
        assert len(session.exec(select(Scan)).all()) == PORTALS


def test_the_broker_setting_selects_the_cluster_dispatcher(
    monkeypatch: pytest.MonkeyPatch, redis_queue: str
) -> None:
    from scheduler import dispatch

    monkeypatch.setenv("GOVPATROL_BROKER_URL", REDIS)
    monkeypatch.setenv("GOVPATROL_QUEUE", redis_queue)
    previous = dispatch.set_dispatcher(None)
    try:
        chosen = dispatch.get_dispatcher()
        assert isinstance(chosen, CeleryDispatcher)
        assert chosen.app.conf.task_default_queue == redis_queue
        assert chosen.app.conf.broker_transport_options["global_keyprefix"] == f"{redis_queue}:"
        chosen.shutdown()
        monkeypatch.delenv("GOVPATROL_BROKER_URL")
        dispatch.set_dispatcher(None)
        local = dispatch.get_dispatcher("sqlite:///:memory:")
        assert isinstance(local, LocalDispatcher)
        local.shutdown()
    finally:
        dispatch.set_dispatcher(previous)


def test_a_worker_without_a_broker_says_what_is_missing(monkeypatch: pytest.MonkeyPatch) -> None:
    import typer
    from typer.testing import CliRunner

    from govpatrol.cli.worker import register

    monkeypatch.delenv("GOVPATROL_BROKER_URL", raising=False)
    cli = typer.Typer()
    register(cli)
    result = CliRunner().invoke(cli, [])
    assert result.exit_code == 2
    assert "GOVPATROL_BROKER_URL" in result.output
