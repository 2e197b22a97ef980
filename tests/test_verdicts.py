"""One official result per site, and a lifecycle that says what was seen.

The sample portal is served on 127.0.0.1 and scanned for real, into one SQLite file, in the
order a user meets the trouble: a full scan; a column marked 确无更新; ``--only links,freshness``;
a scan whose process is killed mid-crawl (closed as partial by the reaper); a scan whose crawl
process dies at start. Through all of that the site's verdict, ``sites list``, the dashboard's
site list, the organisation overview, ranking and trend stay on the full scan, and each
incomplete scan's own report says what it is. Then one page is deleted and one broken link
mended, and the next full scan is compared with the full scan: 已整改 only for the mended
link, 未抓取 for the deleted page's findings, 确无更新 for the marked column.

The tests of one module share the scans and run in file order: those before ``rescan`` see
the store before the next full scan.
"""

from __future__ import annotations

import datetime as dt
import json
import os
import re
import signal
import subprocess
import sys
from collections.abc import Iterator
from concurrent.futures import ThreadPoolExecutor
from dataclasses import dataclass
from pathlib import Path
from urllib.parse import unquote, urlsplit

import httpx
import lxml.html
import psutil
import pytest
from sqlmodel import Session, select
from typer.testing import CliRunner

import scan.pipeline as pipeline
from checks.table import check_names
from dashboard.app import create_app
from dashboard.server import BackgroundServer
from govpatrol.core.auth import create_user, issue_api_token
from govpatrol.core.db import get_engine
from govpatrol.core.models import Finding, Org, Page, Scan, ScanStatus, Site
from reports import i18n
from reports.export import export_json, ledger_rows
from reports.fmt import show_points
from reports.org_overview import render_org_overview
from reports.site_report import render_site_report
from sampleportal.server import PortalServer, Routes
from scan.pipeline import create_scan, reap_stale_scans, run_scan
from scoring.scans import official_scan, previous_scan
from scoring.states import set_triage
from tests.conftest import generate_portal_without_waits
from tests.findings_schema import assert_valid_export
from tests.polling import wait_for

AS_OF = dt.date(2026, 11, 22)
OPTIONS = {"browser": False, "thresholds": {"link_timeout_s": 2.0}}
ONLY = ["links", "freshness"]
WAIT_S = 120.0
ROBOTS_HANG_S = 60.0  # the crawl that dies at start waits on robots.txt this long at most


@dataclass
class History:
    portal: PortalServer
    db_url: str
    folder: Path
    site_id: int
    org_id: int
    full: int
    marked: str  # fingerprint of the stale column marked 确无更新 after the full scan
    only: int
    killed: int
    dead: int

    def session(self) -> Session:
        return Session(get_engine(self.db_url), expire_on_commit=False)

    def scan(self, scan_id: int) -> Scan:
        with self.session() as session:
            return session.get(Scan, scan_id)

    def findings(self, scan_id: int) -> list[Finding]:
        with self.session() as session:
            return list(session.exec(select(Finding).where(Finding.scan_id == scan_id)))

    def pages(self, scan_id: int) -> list[Page]:
        with self.session() as session:
            return list(session.exec(select(Page).where(Page.scan_id == scan_id)))


def _new_scan(db_url: str, site_id: int, options: dict) -> int:
    with Session(get_engine(db_url), expire_on_commit=False) as session:
        site = session.get(Site, site_id)
        return create_scan(session, site, trigger="test", as_of=AS_OF, options=options).id


def _scan(db_url: str, site_id: int, options: dict) -> Scan:
    done = run_scan(_new_scan(db_url, site_id, options), db_url=db_url)
    assert done.status == ScanStatus.done, done.error
    return done


def _killed_mid_crawl(db_url: str, site_id: int, folder: Path) -> int:
    """A full scan run as the dispatcher runs it, its whole process group killed with
    SIGKILL once it has stored some pages, then closed by the reaper."""
    scan_id = _new_scan(db_url, site_id, {**OPTIONS, "thresholds": {"concurrency": 1}})
    env = {**os.environ, "GOVPATROL_DATABASE_URL": db_url}
    with (folder / "killed.log").open("wb") as log:
        proc = subprocess.Popen(
            [sys.executable, "-m", "govpatrol.cli.main", "run-scan", str(scan_id)],
            env=env,
            stdout=log,
            stderr=subprocess.STDOUT,
            start_new_session=True,
        )
    try:
        engine = get_engine(db_url)

        def some_pages() -> bool:
            with Session(engine) as session:
                return len(session.exec(select(Page.id).where(Page.scan_id == scan_id)).all()) >= 5

        wait_for(some_pages, "the killed scan stored some pages", WAIT_S, every_s=0.05)
    finally:
        os.killpg(proc.pid, signal.SIGKILL)
        proc.wait(timeout=WAIT_S)

    def reaped() -> bool:
        with Session(engine) as session:
            reap_stale_scans(session)
            return session.get(Scan, scan_id).status != ScanStatus.running

    with pytest.MonkeyPatch.context() as patch:
        patch.setattr(pipeline, "HEARTBEAT_S", 0.2)  # a dead pid is reaped after 3 beats
        wait_for(reaped, f"scan {scan_id} reaped", WAIT_S)
    return scan_id


def _crawl_process() -> psutil.Process | None:
    for child in psutil.Process().children(recursive=True):
        try:
            if "scan.crawl" in child.cmdline():
                return child
        except psutil.NoSuchProcess:
            continue
    return None


def _dead_at_start(portal: PortalServer, db_url: str, site_id: int) -> Scan:
    """A full scan whose crawl process is killed while it waits for robots.txt, before it
    stored a single page."""
    routes = portal.routes
    hanging = {"path": "/robots.txt", "kind": "slow", "delay_s": ROBOTS_HANG_S}
    portal.routes = Routes({**routes.meta, "routes": [hanging, *routes.meta.get("routes", [])]})
    asked = len(portal.requests_for("/robots.txt"))
    try:
        with ThreadPoolExecutor(1) as pool:
            running = pool.submit(run_scan, _new_scan(db_url, site_id, OPTIONS), db_url=db_url)
            crawl = wait_for(
                lambda: len(portal.requests_for("/robots.txt")) > asked and _crawl_process(),
                "the crawl process waiting for robots.txt",
                WAIT_S,
            )
            for process in [*crawl.children(recursive=True), crawl]:
                process.kill()
            return running.result(timeout=WAIT_S)
    finally:
        portal.routes = routes


@pytest.fixture(scope="module")
def portal(tmp_path_factory: pytest.TempPathFactory) -> Iterator[PortalServer]:
    """A private copy of the sample portal (the rescan edits it), without the routes whose
    only effect is to make every scan wait out timeouts."""
    root = generate_portal_without_waits(tmp_path_factory.mktemp("verdict-portal"))
    with PortalServer(root) as server:
        yield server


@pytest.fixture(scope="module")
def history(portal: PortalServer, tmp_path_factory: pytest.TempPathFactory) -> History:
    folder = tmp_path_factory.mktemp("verdicts")
    db_url = f"sqlite:///{folder / 'govpatrol.db'}"
    with Session(get_engine(db_url), expire_on_commit=False) as session:
        org = Org(name="示例市人民政府")
        session.add(org)
        session.commit()
        site = Site(name="示例市民政局", url=portal.base_url, org_id=org.id)
        session.add(site)
        session.commit()
    full = _scan(db_url, site.id, OPTIONS)
    with Session(get_engine(db_url)) as session:
        stale = session.exec(
            select(Finding)
            .where(Finding.scan_id == full.id, Finding.check == "stale_column")
            .order_by(Finding.page)
        ).first()
        marked = stale.fingerprint
        set_triage(session, site.id, marked, "unchanged", note="本年度确无人事变动")
    only = _scan(db_url, site.id, {**OPTIONS, "checks": ONLY})
    killed = _killed_mid_crawl(db_url, site.id, folder)
    dead = _dead_at_start(portal, db_url, site.id)
    return History(
        portal,
        db_url,
        folder,
        site.id,
        org.id,
        full.id,
        marked,
        only.id,
        killed,
        dead.id,
    )


def _doc(html: str) -> lxml.html.HtmlElement:
    return lxml.html.fromstring(html)


def _banner(html: str) -> str | None:
    found = _doc(html).xpath('//*[@id="incomplete"]')
    return found[0].text_content() if found else None


def _ids_of(check: str) -> set[str]:
    from checks.table import all_checks

    return {finding_id for c in all_checks([check]) for finding_id in c.findings}


# -- before the next full scan ----------------------------------------------------------------


def test_each_scan_is_stored_as_what_it_is(history: History) -> None:
    full, only = history.scan(history.full), history.scan(history.only)
    killed, dead = history.scan(history.killed), history.scan(history.dead)
    assert full.complete and sorted(full.checks) == check_names()
    assert only.status == ScanStatus.done and not only.complete
    assert sorted(only.checks) == sorted(ONLY)
    assert killed.status == ScanStatus.partial and not killed.complete
    assert 5 <= len(history.pages(history.killed)) < len(history.pages(history.full))
    # the crawl that died at start judged nothing: failed, with no score, never 合格 100
    assert dead.status == ScanStatus.failed and not dead.complete
    assert history.pages(history.dead) == [] and dead.score is None
    assert pipeline.NO_PAGES in dead.error
    with history.session() as session:
        assert official_scan(session, history.site_id).id == history.full


def test_an_only_rescan_reuses_no_result_of_a_check_it_did_not_run(history: History) -> None:
    reused = [p for p in history.pages(history.only) if p.reused_from_scan == history.full]
    assert len(reused) > 300  # the portal did not change: nearly every page answered 304
    allowed = _ids_of("links") | _ids_of("freshness")
    checks = {f.check for f in history.findings(history.only)}
    assert checks and checks <= allowed, checks - allowed
    full_checks = {f.check for f in history.findings(history.full)}
    assert {"accessibility", "personal_data_exposed", "suspicious_outbound_link"} <= full_checks


def test_sites_list_shows_the_official_result_and_the_latest_scan(
    history: History, monkeypatch: pytest.MonkeyPatch
) -> None:
    from govpatrol.cli import main as cli
    from govpatrol.cli.main import app

    monkeypatch.setenv("GOVPATROL_DATABASE_URL", history.db_url)
    full = history.scan(history.full)
    listed = CliRunner().invoke(app, ["sites", "list", "--json"])
    assert listed.exit_code == 0, listed.output
    (row,) = json.loads(listed.stdout)
    assert row["official"] == {
        "scan_id": history.full,
        "verdict": full.score["verdict"],
        "points": full.score["points"],
        "as_of": AS_OF.isoformat(),
    }
    assert row["latest_scan"] == {"id": history.dead, "status": "failed", "complete": False}
    monkeypatch.setattr(cli.console, "width", 240)  # the table unwrapped, whatever the terminal
    table = CliRunner().invoke(app, ["sites", "list"])
    assert table.exit_code == 0, table.output
    assert f"#{history.full} {AS_OF.isoformat()}" in table.stdout
    assert f"#{history.dead} failed（不完整）" in table.stdout


def test_the_dashboard_lists_the_official_result(history: History) -> None:
    with history.session() as session:
        admin = create_user(session, "verdict_admin", "correct-horse-9", "admin")
        token = issue_api_token(session, admin)
    full = history.scan(history.full)
    app = create_app(history.db_url, secret_key="k" * 48, dispatch=lambda scan_id: None)
    with BackgroundServer(app) as server:
        headers = {"Authorization": f"Bearer {token}"}
        with httpx.Client(base_url=server.url, headers=headers, timeout=30) as client:
            (row,) = client.get("/api/sites").json()
            scans = client.get(f"/api/sites/{history.site_id}").json()["scans"]
    assert row["reported_scan_id"] == row["official_scan_id"] == history.full
    assert (row["verdict"], row["points"]) == (full.score["verdict"], full.score["points"])
    assert row["last_scan"]["id"] == history.dead
    complete = {s["id"]: s["complete"] for s in scans}
    assert complete == {
        history.full: True,
        history.only: False,
        history.killed: False,
        history.dead: False,
    }


def test_the_dashboard_pages_mark_scans_that_are_not_the_verdict(history: History) -> None:
    """The site's scan history and a scan's own page say which scans are not the verdict."""
    with history.session() as session:
        create_user(session, "verdict_viewer", "correct-horse-9", "admin")
    app = create_app(history.db_url, secret_key="k" * 48, dispatch=lambda scan_id: None)
    with BackgroundServer(app) as server, httpx.Client(base_url=server.url, timeout=30) as client:
        form = client.get("/login").text
        token = re.search(r'name="csrf_token" value="([^"]+)"', form).group(1)
        signed = client.post(
            "/login",
            data={"username": "verdict_viewer", "password": "correct-horse-9", "csrf_token": token},
        )
        assert signed.status_code == 303
        site_page = _doc(client.get(f"/sites/{history.site_id}").text)
        pages = {scan: client.get(f"/scans/{scan}").text for scan in (history.full, history.only)}
    marked = {
        int(row.get("data-scan-id"))
        for row in site_page.xpath('//table[@id="history"]//tr[@data-scan-id]')
        if row.xpath('.//*[contains(@class, "not-official")]')
    }
    # the dead-at-start scan failed: it has no verdict to mark, only its status
    assert marked == {history.only, history.killed}
    assert not _doc(pages[history.full]).xpath('//*[@id="scan-scope"]')
    (scope,) = _doc(pages[history.only]).xpath('//*[@id="scan-scope"]')
    assert "仅部分检查" in scope.text_content() and "链接" in scope.text_content()


def test_overview_ranking_and_trend_count_only_the_full_scan(history: History) -> None:
    full, only = history.scan(history.full), history.scan(history.only)
    assert full.score["points"] != only.score["points"]  # the --only scan would score apart
    with history.session() as session:
        overview = _doc(render_org_overview(session, history.org_id))
        report = render_site_report(session, history.site_id)
    (row,) = overview.cssselect("tr.site")
    assert row.get("data-rank") == "1"
    assert row.cssselect("td.num")[1].text_content() == show_points(full.score["points"])
    # nothing was compared with a partial scan: no previous complete scan, no change
    counted = [f for f in history.findings(history.full) if f.fingerprint != history.marked]
    assert (row.get("data-new"), row.get("data-fixed")) == (str(len(counted)), "0")
    assert _banner(report) is None
    assert f"#{history.full}" in _doc(report).cssselect("header")[0].text_content()
    assert len(_doc(report).get_element_by_id("trend").cssselect("circle")) == 1


def test_the_only_scan_report_warns_and_fixes_nothing_it_did_not_check(history: History) -> None:
    with history.session() as session:
        html = render_site_report(session, history.site_id, history.only)
        data = assert_valid_export(export_json(session, history.only))
    assert _banner(html) == i18n.t("only_checks_scan", checks="栏目更新、链接")
    assert data["scan"]["complete"] is False and data["scan"]["checks"] == ["freshness", "links"]
    assert data["score"]["official"] is False
    assert data["fixed"] == []  # the portal did not change: nothing was seen mended
    lifecycles = {f["fingerprint"]: f["lifecycle"] for f in data["not_seen"]}
    others = {
        f.fingerprint
        for f in history.findings(history.full)
        if f.check not in _ids_of("links") | _ids_of("freshness")
    }
    assert others and {lifecycles[fp] for fp in others} == {"not_rechecked"}
    assert set(lifecycles) == others | {history.marked}
    # 确无更新 keeps its own state: the freshness check ran and no longer reports the column
    assert lifecycles[history.marked] == "unchanged"
    changes = _doc(html).get_element_by_id("changes")
    assert "已整改" in changes.text_content()  # the column exists …
    not_seen = _doc(html).get_element_by_id("not-seen").cssselect("tr.t")
    assert len(not_seen) == len(others) + 1
    assert {tr.get("data-state") for tr in not_seen} == {"not_rechecked", "unchanged"}


def test_incomplete_scans_reports_say_so_and_never_pass_on_nothing(history: History) -> None:
    with history.session() as session:
        killed = render_site_report(session, history.site_id, history.killed)
        dead = render_site_report(session, history.site_id, history.dead)
        dead_export = assert_valid_export(export_json(session, history.dead))
        killed_export = assert_valid_export(export_json(session, history.killed))
    assert _banner(killed) == i18n.t("partial_scan", status="未完整完成", checks="无")
    assert _banner(dead) == i18n.t("partial_scan", status="失败", checks="无")
    assert not _doc(dead).xpath('//*[@id="verdict"]')  # no 合格 100 for a crawl of nothing
    for data in (dead_export, killed_export):
        assert data["scan"]["complete"] is False and data["scan"]["checks"] == []
        assert data["score"]["official"] is False
        assert data["fixed"] == []
        assert {f["lifecycle"] for f in data["not_seen"]} <= {"not_rechecked"}
    with history.session() as session:
        english = render_site_report(session, history.site_id, history.only, lang="en")
    assert _banner(english) == i18n.t("only_checks_scan", "en", checks="column freshness, links")


# -- the next full scan -----------------------------------------------------------------------


@dataclass
class Rescan:
    scan: Scan
    deleted_page: str
    deleted_fingerprints: set[str]
    mended: str  # fingerprint of the broken link whose target now exists


@pytest.fixture(scope="module")
def rescan(history: History) -> Rescan:
    """One article with findings deleted, one missing attachment put in place, then a full
    scan."""
    portal, base = history.portal, history.portal.base_url
    full = history.findings(history.full)
    # a missing image or attachment (not a page: putting a page in place would add one to
    # the crawl, and its own findings)
    broken = next(
        f
        for f in sorted(
            full, key=lambda f: ((f.detail or {}).get("kind") != "image", f.fingerprint)
        )
        if f.check == "broken_link"
        and (f.detail or {}).get("status") == 404
        and (f.detail or {}).get("kind") in ("image", "attachment")
        and f.target.startswith(base)
    )
    target = portal.site_dir / unquote(urlsplit(broken.target).path).lstrip("/")
    target.parent.mkdir(parents=True, exist_ok=True)
    target.write_bytes(b"%PDF-1.4\n% mended\n")
    article = next(
        f.page
        for f in sorted(full, key=lambda f: f.page)
        if f.check == "accessibility" and "/t20" in f.page and f.page != broken.page
    )
    (portal.site_dir / article[len(base) :]).unlink()
    done = _scan(history.db_url, history.site_id, OPTIONS)
    gone = {f.fingerprint for f in full if f.page == article}
    return Rescan(done, article, gone, broken.fingerprint)


def test_the_next_full_scan_is_compared_with_the_full_scan(
    history: History, rescan: Rescan
) -> None:
    assert rescan.scan.complete
    with history.session() as session:
        assert previous_scan(session, rescan.scan).id == history.full
        data = assert_valid_export(export_json(session, rescan.scan.id))
        _, ledger, _ = ledger_rows(session, rescan.scan.id)
    assert data["scan"]["complete"] is True and data["score"]["official"] is True
    assert data["scan"]["checks"] == check_names()
    new = [f for f in data["findings"] if f["lifecycle"] == "new"]
    # only what the deletion caused is new: links to the deleted page
    assert new and all(f["target"] == rescan.deleted_page for f in new), new
    assert [f["fingerprint"] for f in data["fixed"]] == [rescan.mended]
    not_seen = {f["fingerprint"]: f["lifecycle"] for f in data["not_seen"]}
    assert not_seen == {
        **dict.fromkeys(rescan.deleted_fingerprints, "not_crawled"),
        history.marked: "unchanged",
    }
    by_fingerprint = {row[-1]: row for row in ledger}
    assert by_fingerprint[rescan.mended][8] == "已整改"
    assert {by_fingerprint[fp][8] for fp in rescan.deleted_fingerprints} == {"未抓取"}
    assert by_fingerprint[history.marked][8] == "确无更新"


def test_trend_and_overview_after_the_next_full_scan(history: History, rescan: Rescan) -> None:
    full = history.scan(history.full)
    with history.session() as session:
        report = _doc(render_site_report(session, history.site_id))
        overview = _doc(render_org_overview(session, history.org_id))
    assert f"#{rescan.scan.id}" in report.cssselect("header")[0].text_content()
    assert len(report.get_element_by_id("trend").cssselect("circle")) == 2  # full, next full
    (row,) = overview.cssselect("tr.site")
    delta = round(rescan.scan.score["points"] - full.score["points"], 2)
    change = row.cssselect("td.num")[-1].text_content()
    assert (f"+{delta:g}" if delta > 0 else f"{delta:g}") in change
    assert row.get("data-fixed") == "1"
