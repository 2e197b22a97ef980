"""The broken-link check's site hook and recheck, on a real SQLite store and a real server.

The store is filled the way the crawler fills it (Page, LinkTarget pending, LinkSource);
the hook must reuse the crawl's answer for pages it fetched (the server's request log
proves they are not requested again), verify the rest, and write one finding per
(page, target) with exactly the planted set.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Iterator
from pathlib import Path

import pytest
from sqlmodel import Session, select
from test_verify import MisbehavingServer, _serve

from checks import link_findings, link_table
from checks.link_findings import link_message
from checks.link_options import LinkOptions
from checks.link_recheck import recheck_scan
from checks.links import LinkCheck, verify_config
from govpatrol.core.db import init_db, make_engine
from govpatrol.core.findings import SPECS
from govpatrol.core.models import Finding, LinkOutcome, LinkSource, LinkTarget, Page, Scan, Site
from govpatrol.core.settings import Thresholds
from govpatrol.core.site_settings import options_of
from govpatrol.core.types import FindingData, SiteContext
from govpatrol.core.writer import BatchWriter

FAST = {"backoff_s": 0.02, "retries": 1}
SITE_CONFIG = {"link_verify": FAST, "thresholds": {"link_timeout_s": 1.5}}
THRESHOLDS = Thresholds(link_timeout_s=1.5)


@pytest.fixture
def server() -> Iterator[MisbehavingServer]:
    yield from _serve()


@pytest.fixture(scope="module")
def shared_server() -> Iterator[MisbehavingServer]:
    yield from _serve()


def new_engine(path: Path):
    engine = make_engine(f"sqlite:///{path / 'store.db'}")
    init_db(engine)
    return engine


# (target path or URL, kind, internal, detail) of every LinkTarget the "crawl" recorded
TARGETS = [
    ("/ok.html", "page", True, {}),
    ("/gone404.html", "page", True, {}),
    ("/soft-crawled.html", "page", True, {}),
    ("/challenge.html", "page", True, {}),
    ("/slow.html", "page", True, {}),
    ("/loop/a", "page", True, {}),
    ("/fragments.html", "page", True, {}),
    ("/toc.html", "page", True, {}),
    ("/gone410.html", "page", True, {}),
    ("/error.doc", "attachment", True, {}),
    ("/empty.pdf", "attachment", True, {}),
    ("/fixable.pdf", "attachment", True, {}),
    ("/pixel-error.png", "image", True, {}),
    ("/head405.pdf", "attachment", True, {}),
    ("/admin/secret.html", "page", True, {"robots_disallowed": True}),
    ("http://127.0.0.2:{port}/x.html", "external", False, {}),
    ("/status999.html", "external", False, {}),
]
# Pages the crawl fetched: (path, status, kind, error)
CRAWLED = [
    ("/", 200, "home", None),
    ("/a.html", 200, "other", None),
    ("/ok.html", 200, "other", None),
    ("/gone404.html", 404, "error", "HTTP 404"),
    ("/soft-crawled.html", 200, "soft404", "标题提示错误页：页面不存在"),
    ("/challenge.html", 403, "challenge", "反爬虫验证页：安全验证"),
    ("/slow.html", None, "failed", "timeout: 请求超时"),
    # Scrapy gives up on a loop as "too many redirects": verified again to see the loop
    ("/loop/a", None, "failed", "too_many_redirects: 重定向次数过多（可能是重定向循环）"),
    ("/fragments.html", 200, "other", None),
    ("/toc.html", 200, "other", None),  # its anchors are stored: see ANCHORS
]
ANCHORS = {"/toc.html": ["sec1", "目录"]}
# (page, target, tag, text, fragment) of every LinkSource
SOURCES = [
    ("/", "/gone404.html", "a", "旧通知", None),
    ("/", "/error.doc", "a", "附件下载", None),
    ("/", "/ok.html", "a", "要闻", None),
    ("/a.html", "/gone404.html", "a", "旧通知", None),
    ("/a.html", "/gone404.html", "a", "旧通知（重复）", None),  # same page twice: one finding
    ("/a.html", "/soft-crawled.html", "a", "软404", None),
    ("/a.html", "/challenge.html", "a", "受保护页面", None),
    ("/a.html", "/slow.html", "a", "慢页面", None),
    ("/a.html", "/loop/a", "a", "循环", None),
    ("/a.html", "/gone410.html", "a", "已删除", None),
    ("/a.html", "/empty.pdf", "a", "空附件", None),
    ("/a.html", "/fixable.pdf", "a", "待修复附件", None),
    ("/a.html", "/pixel-error.png", "img", "", None),
    ("/a.html", "/head405.pdf", "a", "附件", None),
    ("/a.html", "/admin/secret.html", "a", "后台", None),
    ("/a.html", "http://127.0.0.2:{port}/x.html", "a", "外部网站", None),
    ("/a.html", "/status999.html", "a", "外部平台", None),
    ("/a.html", "/fragments.html", "a", "第一部分", "part1"),
    ("/a.html", "/fragments.html", "a", "不存在的部分", "nowhere"),
    ("/", "/fragments.html", "a", "第二部分", "part2"),
    ("/a.html", "/toc.html", "a", "第一节", "sec1"),
    ("/a.html", "/toc.html", "a", "目录", "%E7%9B%AE%E5%BD%95"),
    ("/", "/toc.html", "a", "第九节", "sec9"),
]
EXPECTED_BROKEN = {
    ("/", "/gone404.html", "high"),
    ("/a.html", "/gone404.html", "medium"),
    ("/", "/error.doc", "high"),
    ("/a.html", "/soft-crawled.html", "medium"),
    ("/a.html", "/slow.html", "medium"),
    ("/a.html", "/loop/a", "medium"),
    ("/a.html", "/gone410.html", "medium"),
    ("/a.html", "/empty.pdf", "medium"),
    ("/a.html", "/fixable.pdf", "medium"),
    ("/a.html", "/pixel-error.png", "medium"),
    ("/a.html", "http://127.0.0.2:{port}/x.html", "medium"),
}
EXPECTED_OUTCOMES = {
    "/ok.html": (LinkOutcome.ok, "ok"),
    "/gone404.html": (LinkOutcome.broken, "http"),
    "/soft-crawled.html": (LinkOutcome.broken, "soft_404"),
    "/challenge.html": (LinkOutcome.unverified, "challenge"),
    "/slow.html": (LinkOutcome.broken, "timeout"),
    "/loop/a": (LinkOutcome.broken, "redirect_loop"),
    "/fragments.html": (LinkOutcome.ok, "ok"),
    "/toc.html": (LinkOutcome.ok, "ok"),
    "/gone410.html": (LinkOutcome.broken, "http"),
    "/error.doc": (LinkOutcome.broken, "attachment_is_html"),
    "/empty.pdf": (LinkOutcome.broken, "empty_attachment"),
    "/fixable.pdf": (LinkOutcome.broken, "http"),
    "/pixel-error.png": (LinkOutcome.broken, "soft_404"),
    "/head405.pdf": (LinkOutcome.ok, "ok"),
    "/admin/secret.html": (LinkOutcome.unverified, "robots"),
    "http://127.0.0.2:{port}/x.html": (LinkOutcome.broken, "connection_refused"),
    "/status999.html": (LinkOutcome.unverified, "challenge"),
}


def absolute(server: MisbehavingServer, path: str) -> str:
    return path.format(port=server.port) if "://" in path else server.url(path)


def relative(server: MisbehavingServer, url: str) -> str:
    return url.replace(server.base, "") or "/"


def fill_store(engine, server: MisbehavingServer) -> tuple[int, int]:
    """Site, scan and what a crawl of it recorded; returns (site id, scan id)."""
    with Session(engine) as session:
        site = Site(name="示例市民政局", url=server.url("/"), config=SITE_CONFIG)
        session.add(site)
        session.commit()
        scan = Scan(site_id=site.id, as_of=dt.date(2026, 11, 22))
        session.add(scan)
        session.commit()
        for path, status, kind, error in CRAWLED:
            url = server.url(path)
            session.add(
                Page(
                    scan_id=scan.id,
                    url=url,
                    final_url=url,
                    status=status,
                    kind=kind,
                    error=error,
                    anchors=ANCHORS.get(path),
                )
            )
        for path, kind, internal, detail in TARGETS:
            session.add(
                LinkTarget(
                    scan_id=scan.id,
                    url=absolute(server, path),
                    kind=kind,
                    internal=internal,
                    detail=detail,
                )
            )
        for page, target, tag, text, fragment in SOURCES:
            session.add(
                LinkSource(
                    scan_id=scan.id,
                    page_url=server.url(page),
                    target_url=absolute(server, target),
                    fragment=fragment,
                    text=text or None,
                    tag=tag,
                    attr="src" if tag == "img" else "href",
                    on_home=page == "/",
                )
            )
        session.commit()
        return site.id, scan.id


def run_site_hook(engine, site_id: int, scan_id: int) -> list[FindingData]:
    """What the pipeline does: run the hook, persist what it yields, commit."""
    writer = BatchWriter(engine, scan_id, "")
    with Session(engine, expire_on_commit=False) as session:
        site = session.get(Site, site_id)
        scan = session.get(Scan, scan_id)
        ctx = SiteContext(
            scan_id=scan_id,
            site_id=site_id,
            site_url=site.url,
            site_name=site.name,
            as_of=scan.as_of,
            thresholds=THRESHOLDS,
            site_config=site.config,
            session=session,
            scan=scan,
            site=site,
        )
        writer.site_url = site.url
        found = []
        for record in LinkCheck().on_site(ctx):
            found.append(record)
            writer.add(record)
        session.commit()
        writer.flush()
    return found


def check_once(engine, server: MisbehavingServer) -> dict:
    # tiny chunks so every keyset page boundary and batch commit is exercised
    with pytest.MonkeyPatch.context() as patch:
        patch.setattr(link_table, "CHUNK", 2)
        patch.setattr(link_table, "COMMIT_EVERY", 3)
        patch.setattr(link_findings, "CHUNK", 2)
        site_id, scan_id = fill_store(engine, server)
        findings = run_site_hook(engine, site_id, scan_id)
    return {"site_id": site_id, "scan_id": scan_id, "findings": findings, "engine": engine}


@pytest.fixture(scope="module")
def checked(shared_server, tmp_path_factory):
    """The site hook run once on a filled store; the tests below only read the result."""
    engine = new_engine(tmp_path_factory.mktemp("links"))
    yield check_once(engine, shared_server)
    engine.dispose()


@pytest.fixture
def fresh(server, tmp_path):
    """A store of its own, for tests that change it (recheck)."""
    engine = new_engine(tmp_path)
    yield check_once(engine, server)
    engine.dispose()


def test_every_target_gets_its_outcome(shared_server, checked) -> None:
    with Session(checked["engine"]) as session:
        rows = session.exec(select(LinkTarget).where(LinkTarget.scan_id == checked["scan_id"]))
        got = {relative(shared_server, t.url): (t.outcome, t.detail.get("kind")) for t in rows}
    expected = {
        (path.format(port=shared_server.port) if "://" in path else path): value
        for path, value in EXPECTED_OUTCOMES.items()
    }
    assert got == expected


def test_findings_are_exactly_the_planted_broken_links(shared_server, checked) -> None:
    found = {
        (relative(shared_server, f.page), relative(shared_server, f.target), f.severity)
        for f in checked["findings"]
        if f.check == "broken_link"
    }
    expected = {
        (page, target.format(port=shared_server.port) if "://" in target else target, severity)
        for page, target, severity in EXPECTED_BROKEN
    }
    assert found == expected  # precision and recall 1.0
    pairs = [(f.page, f.target) for f in checked["findings"] if f.check == "broken_link"]
    assert len(pairs) == len(set(pairs))  # a target once per page


def test_fragment_findings(shared_server, checked) -> None:
    frags = sorted(
        (relative(shared_server, f.page), f.target, f.severity)
        for f in checked["findings"]
        if f.check == "broken_fragment"
    )
    assert frags == [
        ("/", shared_server.url("/toc.html"), None),  # from the crawl's anchor list
        ("/a.html", shared_server.url("/fragments.html"), None),  # fetched once
    ]
    assert shared_server.count("/toc.html") == 0  # its anchors came from the store
    nowhere = next(f for f in checked["findings"] if f.detail.get("fragment") == "nowhere")
    assert nowhere.detail["text"] == "不存在的部分"
    assert nowhere.key == ("nowhere",)  # each missing fragment is its own finding
    assert SPECS["broken_fragment"].severity == "low"


def test_crawled_pages_are_not_fetched_again(shared_server, checked) -> None:
    for path in (
        "/ok.html",
        "/gone404.html",
        "/soft-crawled.html",
        "/challenge.html",
        "/slow.html",
    ):
        assert shared_server.count(path) == 0, path
    assert shared_server.count("/fragments.html") == 1  # once, for its anchors
    assert shared_server.count("/admin/secret.html") == 0  # robots.txt
    assert shared_server.count("/empty.pdf", "GET") == 1


def test_finding_evidence_and_messages(shared_server, checked) -> None:
    by_target = {
        (relative(shared_server, f.page), relative(shared_server, f.target)): f
        for f in checked["findings"]
        if f.check == "broken_link"
    }
    home_404 = by_target[("/", "/gone404.html")]
    assert home_404.message == "页面链接返回 404"
    assert home_404.detail["on_home"] is True
    assert home_404.detail["status"] == 404
    assert home_404.detail["text"] == "旧通知"
    assert home_404.detail["kind"] == "page"
    assert home_404.detail["tag"] == "a" and home_404.detail["attr"] == "href"
    assert home_404.detail["checked_at"]
    assert home_404.detail["error"] is None  # the status says it all
    refused_url = f"http://127.0.0.2:{shared_server.port}/x.html"
    assert by_target[("/a.html", refused_url)].detail["error"] == "connection_refused"
    assert by_target[("/", "/error.doc")].detail["error"] == "attachment_is_html"
    assert by_target[("/", "/error.doc")].detail["status"] == 200
    assert by_target[("/a.html", "/slow.html")].detail["error"] == "timeout"
    refused = by_target[("/a.html", f"http://127.0.0.2:{shared_server.port}/x.html")]
    assert refused.message == "外部链接无法连接（连接被拒绝）"
    assert refused.detail["kind"] == "external"
    assert by_target[("/a.html", "/fixable.pdf")].message == "附件链接返回 404"
    assert by_target[("/", "/error.doc")].message == "附件链接返回错误网页而非文件"
    assert by_target[("/a.html", "/pixel-error.png")].detail["tag"] == "img"


def test_findings_are_stored_with_stable_fingerprints(shared_server, checked) -> None:
    with Session(checked["engine"]) as session:
        stored = session.exec(select(Finding).where(Finding.scan_id == checked["scan_id"])).all()
        scan = session.get(Scan, checked["scan_id"])
    assert len(stored) == len(checked["findings"])
    assert len({f.fingerprint for f in stored}) == len(stored)
    assert scan.stats["links"]["broken"] == 10
    assert scan.stats["links"]["from_crawl"] == 7


def test_recheck_confirms_a_fix_and_deletes_its_findings(server, fresh) -> None:
    server.fixed = True
    before = server.count("/gone404.html")
    with Session(fresh["engine"]) as session:
        summary = recheck_scan(session, fresh["scan_id"])
    assert summary["fixed"] == 1
    assert summary["still_broken"] == 9
    assert summary["newly_broken"] == 0
    assert summary["rechecked"] == 13  # every broken and unverified target, by request
    assert server.count("/gone404.html") == before + 1  # crawled pages too, this time
    assert server.count("/admin/secret.html") == 0  # robots.txt still holds
    with Session(fresh["engine"]) as session:
        fixable = session.exec(
            select(LinkTarget).where(LinkTarget.url == server.url("/fixable.pdf"))
        ).one()
        targets = set(
            session.exec(
                select(Finding.target).where(
                    Finding.scan_id == fresh["scan_id"], Finding.check == "broken_link"
                )
            ).all()
        )
    assert fixable.outcome == LinkOutcome.ok
    assert server.url("/fixable.pdf") not in targets
    assert server.url("/gone404.html") in targets


def test_recheck_finds_a_fixed_fragment(server, fresh) -> None:
    server.fixed = True  # /fragments.html now has id="nowhere"
    with Session(fresh["engine"]) as session:
        summary = recheck_scan(session, fresh["scan_id"])
    assert summary["fragments_fixed"] == 1
    with Session(fresh["engine"]) as session:
        left = session.exec(select(Finding).where(Finding.check == "broken_fragment")).all()
    # /toc.html is not served at all: a page that does not load confirms nothing
    assert [(f.target, f.detail["fragment"]) for f in left] == [(server.url("/toc.html"), "sec9")]


def test_verify_config_from_site_settings() -> None:
    scan = Scan(site_id=1, stats={"not_found_profile": {"status": 200, "title": "x", "text": "y"}})
    config = verify_config(
        options_of(Thresholds(link_timeout_s=7), LinkOptions), scan, {"link_verify": {"retries": 0}}
    )
    assert config.timeout_s == 7 and config.retries == 0
    assert config.profile is not None and config.profile.title == "x"
    with pytest.raises(ValueError, match="unknown link_verify"):
        verify_config(None, None, {"link_verify": {"retires": 1}})


def test_messages() -> None:
    assert link_message("attachment", True, "http", 404) == "附件链接返回 404"
    assert (
        link_message("page", False, "connection_refused", None) == "外部链接无法连接（连接被拒绝）"
    )
    assert link_message("image", True, "timeout", None) == "图片链接无法访问（请求超时）"
