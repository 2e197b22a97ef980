"""What the scan-cluster tests share: the machine's Redis and PostgreSQL, sample portals
served on fixed ports, the single-machine reference run, and ``govpatrol worker`` processes.

A test module imports the fixtures it uses (``from tests.cluster import workers_fixture``)
and sets ``PORTALS``, the number of portals it serves. Each module gets its own Redis queue
and key prefix, and its own reference run of its own portals.
"""

from __future__ import annotations

import os
import signal
import subprocess
import sys
import uuid
from collections.abc import Callable, Iterator
from contextlib import ExitStack, suppress
from pathlib import Path

import pytest
from sqlalchemy.engine import Engine
from sqlmodel import Session, select

from govpatrol.core.db import get_engine
from govpatrol.core.models import Finding, LinkTarget, Page, Scan, Site
from sampleportal.server import PortalServer
from scheduler.dispatch import LocalDispatcher
from scheduler.scan_queue import ACTIVE_STATUSES, start_scan
from tests.conftest import AS_OF, generate_portal_without_waits
from tests.polling import wait_while_progressing

REDIS = "redis://127.0.0.1:6379/0"
# The crawl admits the home page's first links only (their order is the page's), so both
# runs see the same pages whatever the timing; every other stage runs in full.
OPTIONS = {"browser": False, "thresholds": {"max_pages": 8, "link_timeout_s": 2.0}}


# -- services ----------------------------------------------------------------------------


@pytest.fixture(scope="module", name="redis_queue")
def redis_queue_fixture() -> Iterator[str]:
    """A queue (and Redis key prefix) of this test module only; its keys are deleted after."""
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


@pytest.fixture(scope="module", name="portal_dir")
def portal_dir_fixture(tmp_path_factory: pytest.TempPathFactory) -> Path:
    """The sample portal without the routes that only make a scan wait (a 30-second page,
    429s with Retry-After): what they test is tested elsewhere, here they would only add
    idle seconds to every scan."""
    return generate_portal_without_waits(tmp_path_factory.mktemp("cluster-portal"))


@pytest.fixture(scope="module", name="ports")
def ports_fixture(request: pytest.FixtureRequest) -> list[int]:
    """A free port per portal (the module's ``PORTALS``): both modes see the portals at the
    same addresses (URLs, and so fingerprints, are the same)."""
    from bench.common import free_port

    chosen: set[int] = set()
    while len(chosen) < request.module.PORTALS:
        chosen.add(free_port())
    return sorted(chosen)


class Portals:
    """The portals, served for as long as the context is open. The servers keep no memory
    of their visitors (the routes that did, rate limits, are not in this portal), so both
    modes may scan them at the same time."""

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


def wait_ended(engine: Engine, scan_ids: list[int], on_failure: Callable[[], str] = str) -> list:
    """The scans, once none is queued or running. The wait lasts as long as they show signs
    of life (a status change, a claim, a heartbeat every 5 s while one runs): how long ten
    scans take is the machine's load (one of them took 50 s at load 20), how long a stuck
    one stays silent is not. ``on_failure`` adds what explains a stuck wait (worker logs)."""
    with Session(engine, expire_on_commit=False) as session:

        def scans() -> list[Scan]:
            session.expire_all()
            return [session.get(Scan, i) for i in scan_ids]

        def ended() -> list[Scan] | None:
            current = scans()
            return current if all(s.status not in ACTIVE_STATUSES for s in current) else None

        def signs_of_life() -> list[tuple]:
            return [(s.status, s.started_at, s.heartbeat_at) for s in scans()]

        try:
            return wait_while_progressing(ended, signs_of_life, f"scans {scan_ids} to end")
        except AssertionError as exc:
            raise AssertionError(f"{exc}\n{on_failure()}") from None


# -- the two modes -------------------------------------------------------------------------


class OneMachine:
    """The reference: portals scanned by the single-machine dispatcher (LocalDispatcher, two
    at a time) into a SQLite store of its own."""

    def __init__(self, db_dir: Path) -> None:
        db_url = f"sqlite:///{db_dir / 'govpatrol.db'}"
        self.engine = get_engine(db_url)
        self.dispatcher = LocalDispatcher(pool_size=2, db_url=db_url)
        self.scans: dict[str, int] = {}  # scan id by portal URL

    def start(self, urls: list[str]) -> None:
        with Session(self.engine) as session:
            self.scans = dict(zip(urls, queue_sites(session, urls), strict=True))
        for scan_id in self.scans.values():
            self.dispatcher.submit(scan_id)

    def results(self) -> dict[str, dict]:
        """What each scan concluded, by portal URL, once all of them ended."""
        try:
            wait_ended(self.engine, list(self.scans.values()))
        finally:
            self.dispatcher.shutdown(wait=True)
        with Session(self.engine) as session:
            return {url: results(session, i) for url, i in self.scans.items()}


@pytest.fixture(scope="module", name="single_machine")
def single_machine_fixture(
    portal_dir: Path, ports: list[int], tmp_path_factory: pytest.TempPathFactory
) -> dict[str, dict]:
    """The reference, run before the test: what each portal's scan concluded, by URL."""
    one_machine = OneMachine(tmp_path_factory.mktemp("single"))
    with Portals(portal_dir, ports) as urls:
        one_machine.start(urls)
        return one_machine.results()


class Workers:
    """``govpatrol worker`` processes, each in its own process group (so killing one kills
    its scan processes too, as a machine going down would)."""

    def __init__(
        self, db_url: str, queue: str, log_dir: Path, stale_after_s: float | None = None
    ) -> None:
        self.env = {
            **os.environ,
            "GOVPATROL_DATABASE_URL": db_url,
            "GOVPATROL_BROKER_URL": REDIS,
            "GOVPATROL_QUEUE": queue,
        }
        self.log_dir = log_dir
        self.stale_after_s = stale_after_s
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
            ]
            if self.stale_after_s is not None:
                cmd += ["--stale-after", str(self.stale_after_s)]
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


@pytest.fixture(name="workers")
def workers_fixture(tmp_path: Path, redis_queue: str) -> Iterator[Callable[..., Workers]]:
    """``workers(db_url, count=2, stale_after_s=None)`` starts worker processes on this
    module's queue; all are stopped after the test."""
    started: list[Workers] = []

    def make(db_url: str, count: int = 2, stale_after_s: float | None = None) -> Workers:
        logs = tmp_path / f"workers{len(started)}"
        logs.mkdir()
        group = Workers(db_url, redis_queue, logs, stale_after_s).start(count)
        started.append(group)
        return group

    yield make
    for group in started:
        group.stop()
