"""Crash consistency: scans, batch writes and report writes killed with SIGKILL at their
worst moments. Afterwards the store passes SQLite's integrity check, no killed scan is ever
shown as complete (the reaper closes what a dead process left ``running``), the next scan of
the site completes, and last week's report file is whole.

The scans run as the dispatcher runs them (``python -m govpatrol.cli.main run-scan ID``, each
spawning its crawl process), all four at once against slow sites on 127.0.0.1.
"""

from __future__ import annotations

import os
import signal
import sqlite3
import subprocess
import sys
import textwrap
from collections.abc import Callable, Iterator
from concurrent.futures import ThreadPoolExecutor
from dataclasses import dataclass
from pathlib import Path

import psutil
import pytest
from sqlalchemy import func
from sqlmodel import Session, select

import scan.pipeline as pipeline
from govpatrol.core.db import get_engine
from govpatrol.core.models import (
    Finding,
    LinkSource,
    LinkTarget,
    Page,
    Scan,
    ScanStatus,
    Site,
    utcnow,
)
from scan.pipeline import create_scan, reap_stale_scans, run_scan
from tests import loopback as lb
from tests.conftest import AS_OF
from tests.faultlog import FaultLog, fault_log_fixture  # noqa: F401  (fixture)
from tests.polling import wait_for as poll

PAGES = 300
PAGE_DELAY_S = 0.2  # a slow server: the crawl takes long enough to be killed mid-way
EXTERNAL_LINKS = 100
EXTERNAL_DELAY_S = 3.0
WAIT_S = 120.0  # bound on every wait for a condition


def _html(title: str, links: list[str]) -> str:
    items = "".join(f'<li><a href="{href}">{href}</a></li>' for href in links)
    return f"<html><head><title>{title}</title></head><body><ul>{items}</ul></body></html>"


def slow_site(external: lb.LoopbackServer | None = None) -> lb.LoopbackServer:
    """PAGES pages, each linking the next five; the home page also links ``external``'s
    files, whose answers take EXTERNAL_DELAY_S each (verification is what is slow there)."""
    routes: dict[str, lb.Route] = {}
    for i in range(PAGES):
        links = [f"/p/{j}.html" for j in range(i + 1, min(i + 6, PAGES))]
        routes[f"/p/{i}.html"] = lb.delayed(lb.page(_html(f"页面{i}", links)), PAGE_DELAY_S)
    home = [f"/p/{i}.html" for i in range(5)]
    if external is not None:
        home += [f"{external.base_url}files/{i}.pdf" for i in range(EXTERNAL_LINKS)]
    routes["/"] = lb.page(_html("慢站", home))
    return lb.serve(routes)


def wait_for(predicate: Callable[[], object], what: str, timeout_s: float = WAIT_S) -> object:
    return poll(predicate, what, timeout_s, every_s=0.2)


# -- the killed scans --------------------------------------------------------------------------


@dataclass
class Killed:
    """A scan killed in the middle, and what was seen right before and after."""

    scan_id: int
    site_id: int
    how: str
    when: str
    pages_before: int = 0
    crawl_pid: int | None = None
    orphan_exited: bool | None = None
    left: ScanStatus | None = None  # the status the dead processes left behind
    integrity: str | None = None  # PRAGMA integrity_check right after the kill


@dataclass
class Store:
    db_url: str
    db_path: Path
    folder: Path
    killed: dict[str, Killed]

    def session(self) -> Session:
        return Session(get_engine(self.db_url), expire_on_commit=False)

    def scan(self, scan_id: int) -> Scan:
        with self.session() as session:
            scan = session.get(Scan, scan_id)
            assert scan is not None
            return scan

    def count_targets(self, scan_id: int, state: str) -> int:
        pending = LinkTarget.outcome == "pending"
        with self.session() as session:
            return session.exec(
                select(func.count())
                .select_from(LinkTarget)
                .where(LinkTarget.scan_id == scan_id, pending if state == "pending" else ~pending)
            ).one()

    def count(self, model: type, scan_id: int) -> int:
        with self.session() as session:
            return session.exec(
                select(func.count()).select_from(model).where(model.scan_id == scan_id)
            ).one()


def _new_scan(db_url: str, server: lb.LoopbackServer, name: str, options: dict) -> tuple[int, int]:
    with Session(get_engine(db_url), expire_on_commit=False) as session:
        site = Site(name=name, url=server.base_url)
        session.add(site)
        session.commit()
        scan = create_scan(session, site, trigger="test", as_of=AS_OF, options=options)
        return scan.id, site.id


def _start(db_url: str, scan_id: int, log: Path) -> subprocess.Popen:
    """The scan as the dispatcher starts it, in its own process group (so a "power cut" can
    kill the scan and its crawl process together)."""
    env = {**os.environ, "GOVPATROL_DATABASE_URL": db_url}
    with open(log, "wb") as out:
        return subprocess.Popen(
            [sys.executable, "-m", "govpatrol.cli.main", "run-scan", str(scan_id)],
            env=env,
            stdout=out,
            stderr=subprocess.STDOUT,
            start_new_session=True,
        )


def _crawl_child(proc: subprocess.Popen) -> psutil.Process | None:
    try:
        children = psutil.Process(proc.pid).children()
    except psutil.NoSuchProcess:
        return None
    return next((c for c in children if "scan.crawl" in " ".join(c.cmdline())), None)


def _crawled(store: Store, scan_id: int, at_least: int) -> bool:
    return store.count(Page, scan_id) >= at_least


def _kill_crawl_process(store: Store, proc: subprocess.Popen, killed: Killed) -> None:
    child = wait_for(lambda: _crawled(store, killed.scan_id, 5) and _crawl_child(proc), "crawl")
    killed.pages_before = store.count(Page, killed.scan_id)
    killed.crawl_pid = child.pid
    child.send_signal(signal.SIGKILL)
    proc.wait(timeout=WAIT_S)  # the scan process itself lives on and records what happened


def _kill_scan_process(store: Store, proc: subprocess.Popen, killed: Killed) -> None:
    child = wait_for(lambda: _crawled(store, killed.scan_id, 5) and _crawl_child(proc), "crawl")
    killed.pages_before = store.count(Page, killed.scan_id)
    killed.crawl_pid = child.pid
    proc.send_signal(signal.SIGKILL)
    proc.wait(timeout=WAIT_S)
    # The orphaned crawl notices its parent is gone and stops by itself.
    killed.orphan_exited = bool(wait_for(lambda: _gone(child), "the orphaned crawl exits"))


def _gone(process: psutil.Process) -> bool:
    """Exited (a zombie waiting for a reaper that may never come counts as exited)."""
    try:
        return not process.is_running() or process.status() == psutil.STATUS_ZOMBIE
    except psutil.NoSuchProcess:
        return True


def _cut_power_during_crawl(store: Store, proc: subprocess.Popen, killed: Killed) -> None:
    wait_for(lambda: _crawled(store, killed.scan_id, 5), "crawl")
    killed.pages_before = store.count(Page, killed.scan_id)
    os.killpg(proc.pid, signal.SIGKILL)
    proc.wait(timeout=WAIT_S)


def _cut_power_during_verification(
    external: lb.LoopbackServer,
) -> Callable[[Store, subprocess.Popen, Killed], None]:
    def kill(store: Store, proc: subprocess.Popen, killed: Killed) -> None:
        def verifying() -> bool:
            return store.scan(killed.scan_id).stage == "links" and len(external.hits) >= 8

        wait_for(verifying, "link verification")
        killed.pages_before = store.count(Page, killed.scan_id)
        os.killpg(proc.pid, signal.SIGKILL)
        proc.wait(timeout=WAIT_S)

    return kill


def _kill_and_look(kill: Callable, store: Store, proc: subprocess.Popen, killed: Killed) -> None:
    """Run one kill plan, then note what the dead processes left behind."""
    kill(store, proc, killed)
    killed.left = store.scan(killed.scan_id).status
    killed.integrity = _integrity(store.db_path)


@pytest.fixture(scope="module")
def store(tmp_path_factory: pytest.TempPathFactory) -> Iterator[Store]:
    folder = tmp_path_factory.mktemp("crash")
    db_path = folder / "govpatrol.db"
    db_url = f"sqlite:///{db_path}"
    get_engine(db_url)  # the schema, before four processes open the store at once
    external = lb.serve({}, fallback=lb.delayed(lb.raw(200, b"%PDF-1.4", []), EXTERNAL_DELAY_S))
    sites = {name: slow_site() for name in ("crawl", "scan", "power")}
    sites["links"] = slow_site(external)
    crawl_options = {"browser": False, "thresholds": {"concurrency": 2}}
    plans = {
        "crawl": ("kill -9 of the crawl process", "mid-crawl", _kill_crawl_process),
        "scan": ("kill -9 of the scan process (its crawl orphaned)", "mid-crawl", _kill_scan_process),
        "power": ("kill -9 of every process of the scan (power cut)", "mid-crawl", _cut_power_during_crawl),
        "links": (
            "kill -9 of every process of the scan (power cut)",
            "during link verification",
            _cut_power_during_verification(external),
        ),
    }  # fmt: skip
    with lb.servers(external, *sites.values()):
        killed: dict[str, Killed] = {}
        procs: dict[str, subprocess.Popen] = {}
        for name, (how, when, _) in plans.items():
            options = crawl_options
            if name == "links":
                options = {"browser": False, "thresholds": {"max_pages": 6, "link_timeout_s": 10}}
            scan_id, site_id = _new_scan(db_url, sites[name], f"崩溃测试-{name}", options)
            killed[name] = Killed(scan_id, site_id, how, when)
            procs[name] = _start(db_url, scan_id, folder / f"{name}.log")
        try:
            with ThreadPoolExecutor(len(plans)) as pool:
                futures = [
                    pool.submit(
                        _kill_and_look,
                        plan[2],
                        Store(db_url, db_path, folder, killed),
                        procs[n],
                        killed[n],
                    )
                    for n, plan in plans.items()
                ]
                for future in futures:
                    future.result()
        finally:
            for proc in procs.values():
                if proc.poll() is None:
                    os.killpg(proc.pid, signal.SIGKILL)
                    proc.wait(timeout=WAIT_S)
        yield Store(db_url, db_path, folder, killed)


def _integrity(db_path: Path) -> str:
    with sqlite3.connect(db_path) as db:
        return db.execute("PRAGMA integrity_check").fetchone()[0]


def _reap(store: Store, scan_id: int, monkeypatch: pytest.MonkeyPatch) -> Scan:
    """The reaper as the scheduler and CLI run it at start-up. The heartbeat interval is
    shortened so a dead process's scan is reaped in a second, not fifteen."""
    monkeypatch.setattr(pipeline, "HEARTBEAT_S", 0.2)

    def reaped() -> Scan | None:
        with store.session() as session:
            reap_stale_scans(session)
        scan = store.scan(scan_id)
        return scan if scan.status != ScanStatus.running else None

    return wait_for(reaped, f"scan {scan_id} reaped")


def test_a_killed_crawl_process_leaves_a_partial_scan(store: Store, fault_log: FaultLog) -> None:
    killed = store.killed["crawl"]
    scan = store.scan(killed.scan_id)
    kept = store.count(Page, killed.scan_id)
    fault_log(
        f"{killed.how}, {killed.when} ({killed.pages_before} pages stored)",
        f"the scan process recorded it: scan {killed.left} — {scan.error}; {kept} pages kept; "
        f"integrity_check {killed.integrity}",
    )
    assert killed.left == scan.status == ScanStatus.partial
    assert killed.integrity == "ok"
    assert "-9" in (scan.error or "")
    assert kept >= killed.pages_before >= 5
    assert _integrity(store.db_path) == "ok"


@pytest.mark.parametrize("name", ["scan", "power", "links"])
def test_a_dead_scan_process_is_reaped_as_partial(
    store: Store, fault_log: FaultLog, monkeypatch: pytest.MonkeyPatch, name: str
) -> None:
    killed = store.killed[name]
    scan = _reap(store, killed.scan_id, monkeypatch)
    targets = {
        state: store.count_targets(killed.scan_id, state) for state in ("pending", "checked")
    }
    orphan = "; the orphaned crawl process stopped by itself" if killed.orphan_exited else ""
    fault_log(
        f"{killed.how}, {killed.when} ({killed.pages_before} pages stored)",
        f"left '{killed.left}', integrity_check {killed.integrity}; reaper → {scan.status} "
        f"({scan.error}); {store.count(Page, killed.scan_id)} pages kept, link targets "
        f"{targets['checked']} checked / {targets['pending']} pending{orphan}",
    )
    assert killed.left == ScanStatus.running  # nobody was left to close it
    assert killed.integrity == _integrity(store.db_path) == "ok"
    assert scan.status == ScanStatus.partial and scan.finished_at is not None
    assert store.count(Page, killed.scan_id) >= killed.pages_before >= (5 if name != "links" else 1)
    if name == "scan":
        assert killed.orphan_exited
    if name == "links":
        assert targets["pending"] > 0  # really killed half way through verification


def test_no_killed_scan_is_ever_shown_as_complete(store: Store, monkeypatch) -> None:
    for killed in store.killed.values():
        if store.scan(killed.scan_id).status == ScanStatus.running:
            _reap(store, killed.scan_id, monkeypatch)
    with store.session() as session:
        statuses = {s.id: s.status for s in session.exec(select(Scan))}
    for killed in store.killed.values():
        assert statuses[killed.scan_id] in (ScanStatus.partial, ScanStatus.failed)


def test_the_next_scan_of_a_crashed_site_completes(
    store: Store, fault_log: FaultLog, monkeypatch: pytest.MonkeyPatch
) -> None:
    killed = store.killed["power"]
    if store.scan(killed.scan_id).status == ScanStatus.running:
        _reap(store, killed.scan_id, monkeypatch)
    before = store.count(Page, killed.scan_id)
    with store.session() as session:
        site = session.get(Site, killed.site_id)
        options = {"browser": False, "thresholds": {"max_pages": 8}}
        scan = create_scan(session, site, trigger="test", as_of=AS_OF, options=options)
    done = run_scan(scan.id, db_url=store.db_url)
    fault_log(
        "the next scan of the site whose scan lost power mid-crawl",
        f"scan {done.status}: {done.stats['pages']} pages; the killed scan's "
        f"{before} pages untouched",
    )
    assert done.status == ScanStatus.done, done.error
    assert done.stats["pages"] >= 8
    assert store.count(Page, killed.scan_id) == before


# -- a batch write killed mid-transaction -------------------------------------------------------

BATCH_CHILD = textwrap.dedent(
    """
    import sys
    from sqlalchemy import event
    from govpatrol.core.db import make_engine
    from govpatrol.core.models import LinkSource
    from govpatrol.core.writer import BatchWriter

    db_url, scan_id, first, second = sys.argv[1], int(sys.argv[2]), int(sys.argv[3]), int(sys.argv[4])
    engine = make_engine(db_url)
    writer = BatchWriter(engine, scan_id, "http://127.0.0.1/", batch_size=10**9, max_wait_s=1e9)

    def rows(start, count):
        return (
            LinkSource(scan_id=scan_id, page_url="http://127.0.0.1/", target_url=f"http://127.0.0.1/{i}")
            for i in range(start, start + count)
        )

    writer.add_all(rows(0, first))
    writer.flush()
    print("committed", flush=True)

    @event.listens_for(engine, "before_cursor_execute")
    def announce(conn, cursor, statement, parameters, context, executemany):
        if executemany:
            print("inserting", flush=True)

    writer.add_all(rows(first, second))
    writer.flush()
    print("done", flush=True)
    """
)


def test_a_batch_write_killed_mid_transaction_is_all_or_nothing(
    store: Store, fault_log: FaultLog
) -> None:
    first, second = 1_000, 40_000
    with store.session() as session:
        site = Site(name="批量写入", url="http://127.0.0.1:9/batch/")
        session.add(site)
        session.commit()
        scan = Scan(site_id=site.id, status=ScanStatus.running, started_at=utcnow())
        session.add(scan)
        session.commit()
        scan_id = scan.id
    child = subprocess.Popen(
        [sys.executable, "-c", BATCH_CHILD, store.db_url, str(scan_id), str(first), str(second)],
        stdout=subprocess.PIPE,
        text=True,
    )
    assert child.stdout is not None
    lines = [child.stdout.readline().strip(), child.stdout.readline().strip()]
    child.send_signal(signal.SIGKILL)
    child.wait(timeout=WAIT_S)
    rows = store.count(LinkSource, scan_id)
    integrity = _integrity(store.db_path)
    fault_log(
        f"kill -9 while a batch of {second:,} rows is being inserted (after a committed batch "
        f"of {first:,})",
        f"integrity_check {integrity}; {rows:,} rows stored: "
        + ("the interrupted batch left nothing" if rows == first else "the batch had committed"),
    )
    assert lines == ["committed", "inserting"]
    assert integrity == "ok"
    assert rows in (first, first + second)


# -- a report file killed mid-write ------------------------------------------------------------

REPORT_CHILD = textwrap.dedent(
    """
    import builtins, sys
    import govpatrol.core.atomic as atomic
    from govpatrol.cli.main import app

    class Stalling:
        '''Writes half the report, says so, then hangs until killed.'''
        def __init__(self, handle):
            self.handle = handle
        def __enter__(self):
            return self
        def __exit__(self, *exc):
            return self.handle.__exit__(*exc)
        def write(self, text):
            self.handle.write(text[: len(text) // 2])
            self.handle.flush()
            print("half written", flush=True)
            sys.stdin.read()

    atomic.open = lambda *a, **k: Stalling(builtins.open(*a, **k))
    app(sys.argv[1:])
    """
)


def _finished_scan(store: Store) -> tuple[int, int]:
    with store.session() as session:
        site = Site(name="周报站", url="http://127.0.0.1:9/report/")
        session.add(site)
        session.commit()
        scan = Scan(
            site_id=site.id,
            status=ScanStatus.done,
            as_of=AS_OF,
            started_at=utcnow(),
            finished_at=utcnow(),
        )
        session.add(scan)
        session.commit()
        session.add(
            Finding(
                scan_id=scan.id,
                check="broken_link",
                page=site.url,
                target=site.url + "gone.pdf",
                message="附件链接返回 404",
                detail={"status": 404},
                fingerprint="f" * 32,
            )
        )
        session.commit()
        return site.id, scan.id


def test_a_report_killed_mid_write_leaves_last_weeks_report_whole(
    store: Store, fault_log: FaultLog
) -> None:
    from typer.testing import CliRunner

    from govpatrol.cli.main import app

    site_id, _ = _finished_scan(store)
    target = store.folder / "reports" / f"site-{site_id}.html"
    env = {"GOVPATROL_DATABASE_URL": store.db_url}
    written = CliRunner().invoke(app, ["report", str(site_id), "--out", str(target)], env=env)
    assert written.exit_code == 0, written.output
    last_week = target.read_bytes()
    child = subprocess.Popen(
        [
            sys.executable,
            "-c",
            REPORT_CHILD,
            "report",
            str(site_id),
            "--lang",
            "en",
            "--out",
            str(target),
        ],
        env={**os.environ, **env},
        stdin=subprocess.PIPE,
        stdout=subprocess.PIPE,
        text=True,
    )
    assert child.stdout is not None
    said = child.stdout.readline().strip()
    child.send_signal(signal.SIGKILL)
    child.wait(timeout=WAIT_S)
    left = sorted(p.name for p in target.parent.iterdir())
    fault_log(
        "kill -9 half way through rewriting a site's weekly report (govpatrol report --out)",
        f"the report file is last week's, byte for byte ({len(last_week):,} bytes); "
        f"the half-written copy stays in a hidden temporary file ({len(left) - 1} left)",
    )
    assert said == "half written"
    assert target.read_bytes() == last_week
    assert b"</html>" in last_week
    assert all(name == target.name or name.startswith(f".{target.name}.") for name in left)
