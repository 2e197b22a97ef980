"""The store and the cluster's claims on the machine's PostgreSQL: the migrations build the
schema on an empty database (also with two workers starting at once), a site gets one scan
however many requests race, a scan is claimed by one worker, and the watchdog closes scans
whose worker went silent and queues exactly one retry of each.

Each test run works in a database of its own, ``govpatrol_test_<random>``, dropped after.
"""

from __future__ import annotations

import datetime as dt
import subprocess
import sys
import threading
import time
from collections.abc import Iterator

import pytest
from sqlalchemy import inspect
from sqlmodel import Session, SQLModel, col, select

from govpatrol.core.db import get_engine, init_db
from govpatrol.core.models import Scan, ScanStatus, Site, utcnow
from scheduler.cluster import (
    NEVER_STARTED,
    WORKER_LOST,
    Claim,
    _wait_fenced,
    fenced,
    reap_lost_scans,
    take,
)
from scheduler.scan_queue import ScanAlreadyActive, start_scan
from tests.pg import fresh_database

pytestmark = pytest.mark.postgres

AS_OF = dt.date(2026, 11, 22)
LONG_AGO = dt.timedelta(hours=1)


@pytest.fixture
def pg_url() -> Iterator[str]:
    yield from fresh_database()


@pytest.fixture
def session(pg_url: str) -> Iterator[Session]:
    with Session(get_engine(pg_url), expire_on_commit=False) as session:
        yield session


def add_site(session: Session, n: int = 0) -> Site:
    site = Site(name=f"测试站{n}", url=f"http://127.0.0.1:{9000 + n}/")
    session.add(site)
    session.commit()
    session.refresh(site)
    return site


@pytest.fixture
def empty_pg_url() -> Iterator[str]:
    yield from fresh_database(upgraded=False)


def test_two_workers_starting_on_an_empty_database_build_the_schema_once(
    empty_pg_url: str,
) -> None:
    pg_url = empty_pg_url
    code = "import sys; from scheduler.cluster import prepare_store; prepare_store(sys.argv[1])"
    starts = [
        subprocess.Popen([sys.executable, "-c", code, pg_url], stderr=subprocess.PIPE)
        for _ in range(2)
    ]
    errors = [proc.communicate(timeout=120)[1].decode() for proc in starts]
    assert [proc.returncode for proc in starts] == [0, 0], errors
    engine = get_engine(pg_url)
    assert set(inspect(engine).get_table_names()) >= set(SQLModel.metadata.tables)
    init_db(engine)  # at head: a no-op, not an error


def test_racing_starts_of_one_site_create_one_scan(session: Session, pg_url: str) -> None:
    site = add_site(session)
    engine = get_engine(pg_url)
    barrier = threading.Barrier(8)
    outcomes: list[str] = []

    def start() -> None:
        with Session(engine) as own:
            barrier.wait()
            try:
                start_scan(own, own.get(Site, site.id), as_of=AS_OF)
                outcomes.append("started")
            except ScanAlreadyActive:
                outcomes.append("refused")

    threads = [threading.Thread(target=start) for _ in range(8)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join(timeout=60)
    assert sorted(outcomes) == ["refused"] * 7 + ["started"]
    assert len(session.exec(select(Scan).where(Scan.site_id == site.id)).all()) == 1


def test_a_scan_is_taken_by_one_worker(session: Session, pg_url: str) -> None:
    scan = start_scan(session, add_site(session), as_of=AS_OF)
    engine = get_engine(pg_url)
    barrier = threading.Barrier(6)
    outcomes: list[Claim] = []

    def claim_it() -> None:
        with Session(engine) as own:
            barrier.wait()
            outcomes.append(take(own, scan.id))

    threads = [threading.Thread(target=claim_it) for _ in range(6)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join(timeout=60)
    assert sorted(outcomes) == [Claim.busy] * 5 + [Claim.taken]
    scan.status, scan.finished_at = ScanStatus.done, utcnow()
    session.add(scan)
    session.commit()
    assert take(session, scan.id) is Claim.closed  # a late, redelivered message
    assert take(session, scan.id + 1000) is Claim.missing


def age(session: Session, scan: Scan, *, status: ScanStatus, beat: dt.timedelta | None) -> Scan:
    """Make ``scan`` look like it was left by a worker: taken long ago, last heartbeat ``beat`` ago."""
    scan.status = status
    scan.started_at = utcnow() - LONG_AGO
    scan.heartbeat_at = None if beat is None else utcnow() - beat
    session.add(scan)
    session.commit()
    return scan


def test_the_watchdog_closes_silent_scans_and_requeues_them_once(
    session: Session, pg_url: str
) -> None:
    silent = age(
        session,
        start_scan(session, add_site(session, 1), as_of=AS_OF, options={"browser": False}),
        status=ScanStatus.running,
        beat=dt.timedelta(minutes=5),
    )
    alive = age(
        session,
        start_scan(session, add_site(session, 2), as_of=AS_OF),
        status=ScanStatus.running,
        beat=dt.timedelta(seconds=2),
    )
    never_started = age(
        session,
        start_scan(session, add_site(session, 3), as_of=AS_OF),
        status=ScanStatus.queued,
        beat=None,
    )
    last_try = start_scan(session, add_site(session, 4), as_of=AS_OF, options={"attempt": 3})
    age(session, last_try, status=ScanStatus.running, beat=dt.timedelta(minutes=5))
    queued = start_scan(session, add_site(session, 5), as_of=AS_OF)  # waiting its turn

    engine = get_engine(pg_url)
    requeued: list[int] = []
    barrier = threading.Barrier(3)
    closed: list[list[tuple[int, int | None]]] = []

    def watchdog() -> None:  # three workers' watchdogs in the same round
        with Session(engine) as own:
            barrier.wait()
            closed.append(reap_lost_scans(own, requeued.append, stale_after=120, attempts=3))

    threads = [threading.Thread(target=watchdog) for _ in range(3)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join(timeout=60)

    pairs = dict(pair for found in closed for pair in found)
    assert set(pairs) == {silent.id, never_started.id, last_try.id}
    assert pairs[last_try.id] is None  # third attempt lost: closed, not retried
    assert sorted(requeued) == sorted([pairs[silent.id], pairs[never_started.id]])
    session.expire_all()
    assert session.get(Scan, silent.id).status == ScanStatus.partial
    assert session.get(Scan, silent.id).error == WORKER_LOST
    assert session.get(Scan, never_started.id).status == ScanStatus.failed
    assert session.get(Scan, never_started.id).error == NEVER_STARTED
    assert session.get(Scan, alive.id).status == ScanStatus.running
    assert session.get(Scan, queued.id).status == ScanStatus.queued
    retry = session.get(Scan, pairs[silent.id])
    assert retry.status == ScanStatus.queued and retry.site_id == silent.site_id
    assert retry.options == {"browser": False, "attempt": 2, "retry_of": silent.id}
    assert retry.as_of == AS_OF
    # no site has two active scans, and none is left running without a heartbeat
    active = session.exec(
        select(Scan.site_id).where(col(Scan.status).in_([ScanStatus.queued, ScanStatus.running]))
    ).all()
    assert len(active) == len(set(active))


def test_a_worker_whose_scan_was_closed_stops_its_scan_process(
    session: Session, pg_url: str
) -> None:
    scan = age(
        session,
        start_scan(session, add_site(session), as_of=AS_OF),
        status=ScanStatus.running,
        beat=dt.timedelta(seconds=0),
    )
    assert not fenced(scan)
    child = subprocess.Popen([sys.executable, "-c", "import time; time.sleep(60)"])
    try:
        scan.status, scan.error = ScanStatus.partial, WORKER_LOST  # another watchdog's verdict
        session.add(scan)
        session.commit()
        started = time.monotonic()
        returncode, over_time = _wait_fenced(
            get_engine(pg_url), scan.id, child, poll_s=0.2, limit_s=600
        )
        assert returncode != 0 and not over_time and time.monotonic() - started < 10
    finally:
        if child.poll() is None:
            child.kill()
            child.wait()
