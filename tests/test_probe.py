"""Availability probes against real servers on 127.0.0.1, and the site_unreachable check over
a week of stored probes (unit-level and through a real scan)."""

from __future__ import annotations

import datetime as dt
import json
import socket
import time
from collections.abc import Iterator
from pathlib import Path

import pytest
from sqlmodel import Session, select

from checks.availability import AvailabilityCheck, window_bounds
from crawler.netguard import FETCH_ALLOW_ENV
from govpatrol.core.clock import office_zone
from govpatrol.core.db import get_engine
from govpatrol.core.models import Finding, Probe, Scan, Site
from govpatrol.core.settings import Thresholds
from govpatrol.core.types import SiteContext
from sampleportal.server import PortalServer
from scan.pipeline import create_scan, run_scan
from scheduler import jobs
from scheduler.probe import probe_site, record_probe
from tests import loopback as lb

AS_OF = dt.date(2026, 11, 22)


@pytest.fixture
def server(tmp_path: Path) -> Iterator[PortalServer]:
    """A home page, a 503, a 404 and a page that answers only after 5 s."""
    (tmp_path / "site").mkdir()
    (tmp_path / "site" / "index.html").write_text(
        "<html><head><title>首页</title></head><body>ok</body></html>", encoding="utf-8"
    )
    routes = {
        "routes": [
            {"path": "/down.html", "kind": "status", "status": 503, "body": "maintenance"},
            {"path": "/slow.html", "kind": "slow", "delay_s": 5},
        ]
    }
    (tmp_path / "routes.json").write_text(json.dumps(routes), encoding="utf-8")
    with PortalServer(tmp_path) as portal:
        yield portal


def site_at(url: str, site_id: int = 1) -> Site:
    return Site(id=site_id, name="测试", url=url)


def test_probe_of_a_working_home_page_is_ok(server: PortalServer) -> None:
    probe = probe_site(site_at(server.base_url))
    assert probe.ok is True
    assert probe.status == 200
    assert probe.error is None
    assert probe.elapsed_ms is not None and probe.elapsed_ms > 0
    assert probe.site_id == 1 and probe.at.tzinfo is not None


def test_5xx_is_a_failure_but_404_is_an_answer(server: PortalServer) -> None:
    down = probe_site(site_at(server.base_url + "down.html"))
    assert (down.ok, down.status) == (False, 503)
    assert down.error is not None and down.error.startswith("http_5xx")
    # The rule counts timeouts, connection and DNS errors and 5xx; a 404 is the server answering.
    missing = probe_site(site_at(server.base_url + "missing.html"))
    assert (missing.ok, missing.status) == (True, 404)


def test_timeout_is_a_failure_and_bounded(server: PortalServer) -> None:
    started = time.monotonic()
    probe = probe_site(site_at(server.base_url + "slow.html"), timeout_s=0.3)
    assert time.monotonic() - started < 3
    assert probe.ok is False and probe.status is None
    assert probe.error is not None and probe.error.startswith("timeout")


def test_site_threshold_sets_the_timeout(server: PortalServer) -> None:
    site = site_at(server.base_url + "slow.html")
    site.config = {"thresholds": {"probe_timeout_s": 0.3}}
    started = time.monotonic()
    assert probe_site(site).error.startswith("timeout")
    assert time.monotonic() - started < 3


def test_connection_refused_is_a_failure() -> None:
    with socket.socket() as sock:  # a port that was free a moment ago and has no listener
        sock.bind(("127.0.0.1", 0))
        port = sock.getsockname()[1]
    probe = probe_site(site_at(f"http://127.0.0.1:{port}/"), timeout_s=2)
    assert probe.ok is False
    assert probe.error is not None and probe.error.startswith("connection")


def test_dns_failure_on_a_reserved_name() -> None:
    probe = probe_site(site_at("http://portal.invalid/"), timeout_s=2)
    assert probe.ok is False and probe.status is None
    assert probe.error is not None and probe.error.startswith("dns")


def test_a_redirect_into_a_refused_address_is_an_answer_not_a_fetch(
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    """Declared public, the site on 127.0.0.1 may not send the probe to 127.0.0.2; in its
    own loopback zone (the sample portal's case) it may."""
    inside = lb.serve({"/": lb.page("<title>内网</title>")}, address="127.0.0.2")
    with lb.servers(inside):
        routes = {"/": lb.redirect(f"http://127.0.0.2:{inside.port}/")}
        with lb.servers(lb.serve(routes)) as (site,):
            monkeypatch.setenv(FETCH_ALLOW_ENV, "127.0.0.1/32")
            refused = probe_site(site_at(site.base_url), timeout_s=5)
            assert inside.hits == []
            monkeypatch.delenv(FETCH_ALLOW_ENV)
            followed = probe_site(site_at(site.base_url), timeout_s=5)
    assert refused.ok and refused.error and refused.error.startswith("ssrf_refused")
    assert followed.ok and followed.status == 200 and followed.error is None
    assert len(inside.hits) == 1 and site.requested("/") == 2


def test_probes_accumulate_in_the_store(server: PortalServer, db_url: str) -> None:
    engine = get_engine(db_url)
    with Session(engine, expire_on_commit=False) as session:
        site = Site(name="测试", url=server.base_url)
        session.add(site)
        session.commit()
        session.refresh(site)
        record_probe(session, site)
    jobs.configure(db_url)
    try:
        jobs.run_probe(site.id)  # the scheduler's job function
        jobs.run_probe(site.id)
    finally:
        jobs.configure(None)
    with Session(engine) as session:
        rows = session.exec(select(Probe).where(Probe.site_id == site.id)).all()
    assert len(rows) == 3 and all(r.ok for r in rows)


# -- the site_unreachable check ------------------------------------------------------------------


def add_probes(
    session: Session, site_id: int, *, days: int, per_day: int, failures: int, end: dt.date = AS_OF
) -> None:
    """``per_day`` probes on each of ``days`` Beijing days ending ``end``; the first
    ``failures`` of them failed."""
    made = 0
    for d in range(days):
        day = end - dt.timedelta(days=d)
        for i in range(per_day):
            at = dt.datetime.combine(day, dt.time(0, 30), office_zone()) + dt.timedelta(
                minutes=60 * i * 24 // per_day
            )
            ok = made >= failures
            session.add(
                Probe(site_id=site_id, at=at.astimezone(dt.UTC), ok=ok, status=200 if ok else 503)
            )
            made += 1
    session.commit()


def run_check(session: Session, site: Site, scan: Scan) -> list:
    ctx = SiteContext(
        scan_id=scan.id,
        site_id=site.id,
        site_url=site.url,
        site_name=site.name,
        as_of=AS_OF,
        thresholds=Thresholds(),
        session=session,
        scan=scan,
        site=site,
    )
    found = list(AvailabilityCheck().on_site(ctx))
    session.commit()
    return found


@pytest.fixture
def store(db_url: str) -> Iterator[tuple[Session, Site, Scan]]:
    with Session(get_engine(db_url), expire_on_commit=False) as session:
        site = Site(name="测试", url="http://127.0.0.1:9/")
        session.add(site)
        session.commit()
        session.refresh(site)
        scan = create_scan(session, site, as_of=AS_OF)
        yield session, site, scan


def test_failures_at_five_percent_make_the_finding(store: tuple[Session, Site, Scan]) -> None:
    session, site, scan = store
    add_probes(session, site.id, days=7, per_day=20, failures=7)  # 7 / 140 = 5 %
    found = run_check(session, site, scan)
    assert len(found) == 1
    finding = found[0]
    assert finding.check == "site_unreachable" and finding.page == site.url
    assert finding.detail["probes"] == 140 and finding.detail["failures"] == 7
    assert "5.0%" in finding.message
    stats = session.get(Scan, scan.id).stats["availability"]
    assert stats["insufficient"] is False and stats["ratio"] == 0.05


def test_failures_below_five_percent_pass(store: tuple[Session, Site, Scan]) -> None:
    session, site, scan = store
    add_probes(session, site.id, days=7, per_day=24, failures=8)  # 8 / 168 = 4.8 %
    assert run_check(session, site, scan) == []
    assert session.get(Scan, scan.id).stats["availability"]["failures"] == 8


def test_too_few_probes_are_reported_not_judged(store: tuple[Session, Site, Scan]) -> None:
    session, site, scan = store
    add_probes(session, site.id, days=7, per_day=10, failures=70)  # every probe failed
    assert run_check(session, site, scan) == []
    stats = session.get(Scan, scan.id).stats["availability"]
    assert stats["insufficient"] is True
    assert (stats["probes"], stats["required"]) == (70, 140)
    assert "少于规则要求的 140 次" in stats["note"]


def test_only_the_window_counts(store: tuple[Session, Site, Scan]) -> None:
    session, site, scan = store
    add_probes(session, site.id, days=7, per_day=20, failures=0)
    # A bad week before the window must not count.
    add_probes(session, site.id, days=7, per_day=20, failures=140, end=AS_OF - dt.timedelta(days=7))
    assert run_check(session, site, scan) == []
    start, end = window_bounds(AS_OF, 7)
    assert start == dt.datetime(2026, 11, 15, 16, 0, tzinfo=dt.UTC)  # 16 Nov 00:00 Beijing
    assert end == dt.datetime(2026, 11, 22, 16, 0, tzinfo=dt.UTC)


def test_a_scan_vetoes_an_unreachable_site(portal, db_url: str) -> None:
    """End to end: a week of probes with 10 % failures, a real scan of the sample portal, and
    the stored score carries the site_unreachable veto with the finding behind it."""
    engine = get_engine(db_url)
    with Session(engine, expire_on_commit=False) as session:
        site = Site(name="示例", url=portal.base_url)
        session.add(site)
        session.commit()
        session.refresh(site)
        add_probes(session, site.id, days=7, per_day=24, failures=17)
        options = {"browser": False, "thresholds": {"max_pages": 10, "link_timeout_s": 2.0}}
        scan = create_scan(session, site, trigger="test", as_of=AS_OF, options=options)
    done = run_scan(scan.id, db_url=db_url)
    assert done.status in ("done", "partial")
    assert "site_unreachable" in done.score["vetoes"]
    with Session(engine) as session:
        found = session.exec(
            select(Finding).where(Finding.scan_id == scan.id, Finding.check == "site_unreachable")
        ).all()
    assert len(found) == 1 and found[0].severity == "high"
    assert done.stats["availability"]["failures"] == 17
