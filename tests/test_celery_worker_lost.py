"""A scan cluster whose worker dies: a worker killed mid-scan (with its scan processes, as a
machine going down) leaves a closed scan and a re-queued one that the other worker
completes with the single-machine run's result, never a stuck scan.

Needs PostgreSQL and Redis on 127.0.0.1 (``.ci/run`` starts them); see tests/cluster.py.
"""

from __future__ import annotations

from collections.abc import Iterator
from pathlib import Path

import psutil
import pytest
from sqlmodel import Session, col, select

from govpatrol.core.db import get_engine
from govpatrol.core.models import Scan, ScanStatus
from scan.pipeline import HEARTBEAT_S
from scheduler.celery_dispatch import CeleryDispatcher
from scheduler.cluster import WORKER_LOST
from scheduler.scan_queue import ACTIVE_STATUSES
from tests.cluster import (  # noqa: F401  (fixtures)
    REDIS,
    Portals,
    portal_dir_fixture,
    ports_fixture,
    queue_sites,
    redis_queue_fixture,
    results,
    single_machine_fixture,
    wait_ended,
    workers_fixture,
)
from tests.pg import fresh_database
from tests.polling import wait_for

# pyproject's 300 s per test is too short here: two scans, the workers' start and a silence
# of STALE_AFTER_S took four minutes at load 20-28. The waits inside end on progress or
# events, not on a clock (tests.cluster.wait_ended).
pytestmark = [pytest.mark.postgres, pytest.mark.redis, pytest.mark.timeout(900)]

PORTALS = 1
# Above several missed 5-second heartbeats, and above what a claimed scan's process takes to
# send its first one on a loaded machine (importing the pipeline alone took 11 s at load 20):
# a shorter silence would close the retry as lost before it starts.
STALE_AFTER_S = 40.0


@pytest.fixture
def pg_url() -> Iterator[str]:
    yield from fresh_database()


def test_a_worker_killed_mid_scan_is_detected_and_its_scan_requeued(
    single_machine: dict[str, dict],
    portal_dir: Path,
    ports: list[int],
    pg_url: str,
    redis_queue: str,
    workers,
) -> None:
    engine = get_engine(pg_url)
    cluster = workers(pg_url, stale_after_s=STALE_AFTER_S)
    dispatcher = CeleryDispatcher(REDIS, queue=redis_queue)
    with Portals(portal_dir, ports) as urls:
        with Session(engine) as session:
            (first,) = queue_sites(session, urls)
        dispatcher.submit(first)

        def running_scan() -> Scan | None:
            with Session(engine) as session:
                scan = session.get(Scan, first)
                return scan if scan.status == ScanStatus.running and scan.pid else None

        # the workers' start-up and the scan process's imports: seconds, minutes when loaded
        scan = wait_for(running_scan, "the scan to start on a worker", 300)
        runner = psutil.Process(scan.pid).ppid()
        (victim,) = [p for p in cluster.procs if p.pid == runner]
        cluster.kill(victim)  # the worker and its scan processes, at once

        def scan_process_gone() -> bool:
            # SIGKILL is delivered at once, but the kernel finishes the exit on its own time
            try:
                return psutil.Process(scan.pid).status() == psutil.STATUS_ZOMBIE
            except psutil.NoSuchProcess:
                return True

        wait_for(scan_process_gone, "the killed worker's scan process to end", 60)

        def retried() -> list[Scan]:
            with Session(engine) as session:
                return list(session.exec(select(Scan).where(col(Scan.id) != first)))

        # the silence, then the survivor's next watchdog round (every heartbeat period), then
        # its queries on a loaded machine
        bound_s = STALE_AFTER_S + HEARTBEAT_S + 60
        (retry,) = wait_for(retried, "the lost scan to be re-queued", bound_s)
        (retry,) = wait_ended(engine, [retry.id], on_failure=cluster.logs)
    dispatcher.shutdown()
    with Session(engine) as session:
        lost = session.get(Scan, first)
        assert lost.status == ScanStatus.partial and lost.error == WORKER_LOST
        assert lost.finished_at is not None
        assert retry.status == ScanStatus.done
        assert retry.options["retry_of"] == first and retry.options["attempt"] == 2
        assert results(session, retry.id) == single_machine[urls[0]]
        # nothing is left running anywhere
        active = session.exec(select(Scan).where(col(Scan.status).in_(ACTIVE_STATUSES))).all()
        assert active == []
    survivor = next(p for p in cluster.procs if p is not victim)
    assert survivor.poll() is None
