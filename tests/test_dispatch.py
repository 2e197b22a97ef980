"""Starting and dispatching scans: a site's scans never overlap, the pool is bounded, and a
scan whose process dies or never starts is closed, not left blocking the site."""

from __future__ import annotations

import datetime as dt
import threading
import time
from collections.abc import Iterator
from pathlib import Path

import pytest
from sqlmodel import Session, select

from govpatrol.core.db import get_engine
from govpatrol.core.models import Scan, ScanStatus, Site, utcnow
from sampleportal.server import PortalServer
from scheduler.dispatch import LocalDispatcher, recover_queued
from scheduler.scan_queue import CLAIM_TIMEOUT, ScanAlreadyActive, claim, settle, start_scan

AS_OF = dt.date(2026, 11, 22)
FAST = {"browser": False, "thresholds": {"max_pages": 8, "link_timeout_s": 2.0}}


@pytest.fixture
def session(db_url: str) -> Iterator[Session]:
    with Session(get_engine(db_url), expire_on_commit=False) as session:
        yield session


def add_site(session: Session, url: str, name: str = "测试", **config) -> Site:
    site = Site(name=name, url=url, config=config)
    session.add(site)
    session.commit()
    session.refresh(site)
    return site


def wait_finished(session: Session, scan_ids: list[int], timeout_s: float = 120) -> list[Scan]:
    deadline = time.monotonic() + timeout_s
    while time.monotonic() < deadline:
        session.expire_all()
        scans = [session.get(Scan, i) for i in scan_ids]
        if all(s.status not in (ScanStatus.queued, ScanStatus.running) for s in scans):
            return scans
        time.sleep(0.1)
    raise AssertionError(f"scans {scan_ids} did not finish in {timeout_s}s")


def test_a_second_scan_of_a_busy_site_is_refused(session: Session) -> None:
    site = add_site(session, "http://127.0.0.1:9/", scan_options={"browser": False})
    first = start_scan(session, site, as_of=AS_OF)
    assert first.status == ScanStatus.queued and first.options == {"browser": False}
    with pytest.raises(ScanAlreadyActive) as refused:
        start_scan(session, site)
    assert refused.value.scan_id == first.id
    first.status = ScanStatus.running  # still refused while it runs
    session.add(first)
    session.commit()
    with pytest.raises(ScanAlreadyActive):
        start_scan(session, site, trigger="schedule")
    first.status = ScanStatus.done
    session.add(first)
    session.commit()
    second = start_scan(session, site, trigger="schedule")
    assert second.id != first.id and second.trigger == "schedule"
    # Another site is never blocked by this one.
    other = add_site(session, "http://127.0.0.1:8/", name="另一个")
    assert start_scan(session, other).site_id == other.id


def test_racing_starts_of_one_site_create_one_scan(session: Session, db_url: str) -> None:
    site = add_site(session, "http://127.0.0.1:9/")
    engine = get_engine(db_url)
    barrier = threading.Barrier(8)
    outcomes: list[str] = []

    def start() -> None:
        with Session(engine) as own:
            barrier.wait()
            try:
                start_scan(own, own.get(Site, site.id))
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


def test_a_scan_is_claimed_once(session: Session) -> None:
    site = add_site(session, "http://127.0.0.1:9/")
    scan = start_scan(session, site)
    assert claim(session, scan.id) is True
    assert claim(session, scan.id) is False


def test_settle_closes_what_a_dead_process_left(session: Session) -> None:
    site = add_site(session, "http://127.0.0.1:9/")
    never_started = start_scan(session, site)
    settled = settle(session, never_started.id, 1, "Traceback …\nImportError: no module x\n")
    assert settled.status == ScanStatus.failed and "ImportError" in settled.error
    died = start_scan(session, site)
    died.status = ScanStatus.running
    session.add(died)
    session.commit()
    settled = settle(session, died.id, -9, "")
    assert settled.status == ScanStatus.partial and settled.finished_at is not None
    # A scan that ended by itself keeps its own outcome.
    assert settle(session, never_started.id, 0, "").status == ScanStatus.failed


@pytest.fixture
def tiny_site(tmp_path: Path) -> Iterator[PortalServer]:
    """Two pages on 127.0.0.1: real scans of it are as short as a scan can be."""
    site = tmp_path / "site"
    site.mkdir()
    (site / "index.html").write_text(
        '<html><head><meta charset="utf-8"><title>示例局</title></head><body>'
        '<ul><li><a href="a.html">通知公告</a> 2026-11-20</li></ul></body></html>',
        encoding="utf-8",
    )
    (site / "a.html").write_text(
        '<html><head><meta charset="utf-8"><title>通知</title></head><body>'
        '<p>2026-11-20</p><a href="index.html">首页</a></body></html>',
        encoding="utf-8",
    )
    with PortalServer(tmp_path) as server:
        yield server


def test_recovered_scans_run_one_at_a_time(
    session: Session, db_url: str, tiny_site: PortalServer
) -> None:
    """Scans left queued by a process that died are run at start-up, one at a time in a pool
    of one (real scan processes); a scan claimed long ago that never ran is failed."""
    a = add_site(session, tiny_site.base_url, name="甲", scan_options=FAST)
    b = add_site(session, tiny_site.base_url + "index.html", name="乙", scan_options=FAST)
    c = add_site(session, tiny_site.base_url + "a.html", name="丙")
    first = start_scan(session, a, as_of=AS_OF)
    second = start_scan(session, b, as_of=AS_OF)
    stuck = start_scan(session, c, as_of=AS_OF)
    stuck.started_at = utcnow() - CLAIM_TIMEOUT - dt.timedelta(minutes=1)
    session.add(stuck)
    session.commit()
    dispatcher = LocalDispatcher(pool_size=1, db_url=db_url)
    try:
        assert recover_queued(session, dispatcher) == [first.id, second.id]
        assert dispatcher.submit(first.id).result(timeout=120) is None  # already taken
        first, second = wait_finished(session, [first.id, second.id])
    finally:
        dispatcher.shutdown(wait=True)
    assert first.status == ScanStatus.done and second.status == ScanStatus.done
    assert second.started_at >= first.finished_at
    assert first.stats["pages"] >= 2 and first.score is not None
    stuck = session.get(Scan, stuck.id)
    assert stuck.status == ScanStatus.failed and stuck.finished_at is not None
    assert start_scan(session, c).status == ScanStatus.queued  # the site is free again
