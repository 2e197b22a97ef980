"""A scan cluster for real: two ``govpatrol worker`` processes (Celery on the machine's Redis,
store on the machine's PostgreSQL) scan ten sample portals served on ten ports, and every
result equals the single-machine run (LocalDispatcher, SQLite) of the same portals. A worker
killed mid-scan leaves a closed scan and a re-queued one that completes, never a stuck one.

Needs PostgreSQL and Redis on 127.0.0.1 (``.ci/run`` starts them); each test run gets its
own database and its own Redis key prefix, both removed afterwards.
"""

from __future__ import annotations

import datetime as dt
import os
import signal
import subprocess
import sys
import time
import uuid
from collections.abc import Iterator
from contextlib import ExitStack, suppress
from pathlib import Path

import psutil
import pytest
from sqlmodel import Session, col, select

from govpatrol.core.db import get_engine
from govpatrol.core.models import Finding, LinkTarget, Page, Scan, ScanStatus, Site
from sampleportal.server import PortalServer
from scheduler.celery_dispatch import CeleryDispatcher
from scheduler.cluster import WORKER_LOST
from scheduler.dispatch import LocalDispatcher
from scheduler.scan_queue import ACTIVE_STATUSES, start_scan
from tests.conftest import generate_portal_without_waits
from tests.pg import fresh_database
from tests.polling import wait_for

pytestmark = [pytest.mark.postgres, pytest.mark.redis]

AS_OF = dt.date(2026, 11, 22)
PG_ADMIN = "postgresql+psycopg://postgres@127.0.0.1:5432/postgres"
REDIS = "redis://127.0.0.1:6379/0"
PORTALS = 10
# The crawl admits the home page's first links only (their order is the page's), so both
# runs see the same pages whatever the timing; every other stage runs in full.
OPTIONS = {"browser": False, "thresholds": {"max_pages": 8, "link_timeout_s": 2.0}}
STALE_AFTER_S = 12.0  # above two missed 5-second heartbeats, short enough for a test


# -- services ----------------------------------------------------------------------------


@pytest.fixture(scope="module")
def redis_queue() -> Iterator[str]:
    """A queue (and Redis key prefix) of this test run only; its keys are deleted after."""
    import redis

    client = redis.Redis.from_url(REDIS, socket_connect_timeout=2)
    try:
        client.ping()
    except redis.RedisError as exc:
        pytest.skip(f"Redis is not running on 127.0.0.1:6379 ({exc}); .ci/run starts it")
    queue = f"govpatrol-test-{uuid.uuid4().hex[:10]}"
    try:
        yield queue
    finally:
        keys = list(client.scan_iter(match=f"{queue}*", count=1000))
        if keys:
            client.delete(*keys)
        client.close()


@pytest.fixture(scope="module")
def pg_url() -> Iterator[str]:
    yield from fresh_database()


@pytest.fixture
def pg_url_fresh() -> Iterator[str]:
    yield from fresh_database()


@pytest.fixture(scope="module")
def portal_dir(tmp_path_factory: pytest.TempPathFactory) -> Path:
    """The sample portal without the routes that only make a scan wait (a 30-second page,
    429s with Retry-After): what they test is tested elsewhere, here they would only add
    idle seconds to twenty scans."""
    return generate_portal_without_waits(tmp_path_factory.mktemp("cluster-portal"))


@pytest.fixture(scope="module")
def ports() -> list[int]:
    """Ten free ports, one per portal: each mode serves the portals on the same addresses
    (URLs, and so fingerprints, are the same) from fresh servers (no memory of earlier
    visitors: one route rate-limits each client's first request)."""
    from bench.common import free_port

    chosen: set[int] = set()
    while len(chosen) < PORTALS:
        chosen.add(free_port())
    return sorted(chosen)


class Portals:
    """The ten portals, served fresh for as long as the context is open."""

    def __init__(self, portal_dir: Path, ports: list[int]) -> None:
        self.portal_dir, self.ports = portal_dir, ports
        self.stack = ExitStack()

    def __enter__(self) -> list[str]:
        servers = [
            self.stack.enter_context(PortalServer(self.portal_dir, port=p)) for p in self.ports
        ]
        return [server.base_url for server in servers]

    def __exit__(self, *exc: object) -> None:
        self.stack.close()


# -- what a scan found, comparable across stores -----------------------------------------


def results(session: Session, scan_id: int) -> dict[str, object]:
    """Everything a scan concluded, without ids, timings and store-specific values."""
    scan = session.get(Scan, scan_id)
    pages = session.exec(
        select(Page.url, Page.status, Page.kind, Page.content_hash).where(Page.scan_id == scan_id)
    ).all()
    findings = session.exec(
        select(
            Finding.check,
            Finding.severity,
            Finding.page,
            Finding.target,
            Finding.message,
            Finding.fingerprint,
        ).where(Finding.scan_id == scan_id)
    ).all()
    targets = session.exec(
        select(LinkTarget.url, LinkTarget.kind, LinkTarget.outcome, LinkTarget.status).where(
            LinkTarget.scan_id == scan_id
        )
    ).all()
    return {
        "status": scan.status,
        "pages": sorted(map(tuple, pages)),
        "findings": sorted(map(tuple, findings), key=repr),
        "targets": sorted(map(tuple, targets), key=repr),
        "score": (scan.score or {}).get("points"),
        "verdict": (scan.score or {}).get("verdict"),
    }


def queue_sites(session: Session, urls: list[str]) -> list[int]:
    scan_ids = []
    for i, url in enumerate(urls):
        site = Site(name=f"示例门户{i}", url=url)
        session.add(site)
        session.commit()
        scan_ids.append(start_scan(session, site, trigger="test", as_of=AS_OF, options=OPTIONS).id)
    return scan_ids


def wait_ended(engine, scan_ids: list[int], timeout_s: float) -> list[Scan]:
    deadline = time.monotonic() + timeout_s
    with Session(engine, expire_on_commit=False) as session:
        while time.monotonic() < deadline:
            session.expire_all()
            scans = [session.get(Scan, i) for i in scan_ids]
            if all(s.status not in ACTIVE_STATUSES for s in scans):
                return scans
            time.sleep(0.2)
    raise AssertionError(f"scans {scan_ids} still queued or running after {timeout_s}s")


# -- the two modes -------------------------------------------------------------------------


@pytest.fixture(scope="module")
def single_machine(
    portal_dir: Path, ports: list[int], tmp_path_factory: pytest.TempPathFactory
) -> dict[str, dict]:
    """The reference: the ten portals scanned by the single-machine dispatcher on SQLite."""
    db_url = f"sqlite:///{tmp_path_factory.mktemp('single') / 'govpatrol.db'}"
    engine = get_engine(db_url)
    dispatcher = LocalDispatcher(pool_size=2, db_url=db_url)
    with Portals(portal_dir, ports) as urls:
        with Session(engine) as session:
            scan_ids = queue_sites(session, urls)
        try:
            for scan_id in scan_ids:
                dispatcher.submit(scan_id)
            wait_ended(engine, scan_ids, timeout_s=180)
        finally:
            dispatcher.shutdown(wait=True)
    with Session(engine) as session:
        return {url: results(session, i) for url, i in zip(urls, scan_ids, strict=True)}


class Workers:
    """``govpatrol worker`` processes, each in its own process group (so killing one kills
    its scan processes too, as a machine going down would)."""

    def __init__(self, db_url: str, queue: str, log_dir: Path) -> None:
        self.env = {
            **os.environ,
            "GOVPATROL_DATABASE_URL": db_url,
            "GOVPATROL_BROKER_URL": REDIS,
            "GOVPATROL_QUEUE": queue,
        }
        self.log_dir = log_dir
        self.procs: list[subprocess.Popen] = []

    def start(self, count: int) -> Workers:
        for n in range(count):
            cmd = [
                sys.executable,
                "-m",
                "govpatrol.cli.worker",
                "--concurrency",
                "1",
                "--name",
                f"w{n}-{uuid.uuid4().hex[:6]}@test",
                "--loglevel",
                "WARNING",
                "--stale-after",
                str(STALE_AFTER_S),
            ]
            with open(self.log_dir / f"worker{len(self.procs)}.log", "wb") as log:
                self.procs.append(
                    subprocess.Popen(
                        cmd, env=self.env, stdout=log, stderr=log, start_new_session=True
                    )
                )
        return self

    def kill(self, proc: subprocess.Popen) -> None:
        with suppress(ProcessLookupError):
            os.killpg(proc.pid, signal.SIGKILL)
        proc.wait(timeout=10)

    def stop(self) -> None:
        for proc in self.procs:
            if proc.poll() is None:
                with suppress(ProcessLookupError):
                    os.killpg(proc.pid, signal.SIGTERM)
        for proc in self.procs:
            try:
                proc.wait(timeout=20)
            except subprocess.TimeoutExpired:
                self.kill(proc)

    def logs(self) -> str:
        return "\n".join(p.read_text("utf-8", "replace")[-2000:] for p in self.log_dir.glob("*"))


@pytest.fixture
def workers(tmp_path: Path, redis_queue: str) -> Iterator:
    started: list[Workers] = []

    def make(db_url: str, count: int = 2) -> Workers:
        logs = tmp_path / f"workers{len(started)}"
        logs.mkdir()
        group = Workers(db_url, redis_queue, logs).start(count)
        started.append(group)
        return group

    yield make
    for group in started:
        group.stop()


# -- tests -------------------------------------------------------------------------------------


def test_two_workers_scan_ten_portals_as_one_machine_does(
    single_machine: dict[str, dict],
    portal_dir: Path,
    ports: list[int],
    pg_url: str,
    redis_queue: str,
    workers,
) -> None:
    engine = get_engine(pg_url)
    cluster = workers(pg_url)
    dispatcher = CeleryDispatcher(REDIS, queue=redis_queue)
    with Portals(portal_dir, ports) as urls:
        with Session(engine) as session:
            scan_ids = queue_sites(session, urls)
        for scan_id in scan_ids:
            dispatcher.submit(scan_id)
        dispatcher.submit(scan_ids[0])  # a duplicate message must not run the scan twice
        try:
            scans = wait_ended(engine, scan_ids, timeout_s=240)
        except AssertionError:
            raise AssertionError(cluster.logs()) from None
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


def test_a_worker_killed_mid_scan_is_detected_and_its_scan_requeued(
    single_machine: dict[str, dict],
    portal_dir: Path,
    ports: list[int],
    pg_url_fresh: str,
    redis_queue: str,
    workers,
) -> None:
    engine = get_engine(pg_url_fresh)
    cluster = workers(pg_url_fresh)
    dispatcher = CeleryDispatcher(REDIS, queue=redis_queue)
    with Portals(portal_dir, ports[:1]) as urls:
        with Session(engine) as session:
            (first,) = queue_sites(session, urls)
        dispatcher.submit(first)

        def running_scan() -> Scan | None:
            with Session(engine) as session:
                scan = session.get(Scan, first)
                return scan if scan.status == ScanStatus.running and scan.pid else None

        scan = wait_for(running_scan, "the scan to start on a worker", 60)
        runner = psutil.Process(scan.pid).ppid()
        (victim,) = [p for p in cluster.procs if p.pid == runner]
        cluster.kill(victim)  # the worker and its scan processes, at once

        def scan_process_gone() -> bool:
            # SIGKILL is delivered at once, but the kernel finishes the exit on its own time
            try:
                return psutil.Process(scan.pid).status() == psutil.STATUS_ZOMBIE
            except psutil.NoSuchProcess:
                return True

        wait_for(scan_process_gone, "the killed worker's scan process to end", 10)

        def retried() -> list[Scan]:
            with Session(engine) as session:
                return list(session.exec(select(Scan).where(col(Scan.id) != first)))

        (retry,) = wait_for(retried, "the lost scan to be re-queued", STALE_AFTER_S + 30)
        (retry,) = wait_ended(engine, [retry.id], timeout_s=120)
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
