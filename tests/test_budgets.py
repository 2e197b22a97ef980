"""Budgets for everything a site controls (issue #18 parts 4 and 5).

The markup tests parse hostile pages directly; the scan tests serve each hostile case from a
real server on 127.0.0.1 and run a real scan into a SQLite file, then read back what was cut
(``scan.stats["cut"]``) and how the cut targets are recorded. Memory and time figures are the
benchmark's (bench/hostile.py); these tests assert the mechanisms: counts and bounds.
"""

from __future__ import annotations

from collections import Counter
from dataclasses import dataclass
from typing import Any

import pytest
from sqlmodel import Session, select

from crawler.page_sink import LISTED_OVER_BUDGET
from extract.parse import MAX_NESTING, extract_links, parse_html
from govpatrol.core.budgets import LinkCap
from govpatrol.core.db import get_engine
from govpatrol.core.models import LinkOutcome, LinkSource, LinkTarget, Scan, ScanStatus, Site
from reports.site_report import render_site_report
from scan.pipeline import create_scan, run_scan
from tests import loopback as lb
from tests.conftest import AS_OF
from tests.faultlog import FaultLog, fault_log_fixture  # noqa: F401  (fixture)

DEEP_LINK = "http://h.example/deep/hidden.html"


def deep_page(depth: int, element: str = "div") -> str:
    """A link ``depth`` elements down, then one after the nesting."""
    return (
        "<html><head><title>深</title></head><body>"
        + f"<{element}>" * depth
        + f"<a href='{DEEP_LINK}'>藏在深处</a><img src='/deep.png' alt='图'>"
        + "<iframe src='/deep-frame.html'></iframe><script src='/deep.js'></script>"
        + f"</{element}>" * depth
        + "<a href='/after.html'>之后</a></body></html>"
    )


@pytest.mark.parametrize("depth", [1_000, 5_000])
def test_a_link_nested_deep_is_found_with_its_attributes(depth: int) -> None:
    page = deep_page(depth)
    links = {
        (link.url, link.tag): link
        for link in extract_links(parse_html(page), page, "http://h.example/")
    }
    assert (DEEP_LINK, "a") in links
    assert links[(DEEP_LINK, "a")].text == "藏在深处"
    assert {"http://h.example/deep.png", "http://h.example/deep-frame.html"} <= {
        u for u, _ in links
    }
    assert ("http://h.example/deep.js", "script") in links
    assert ("http://h.example/after.html", "a") in links


def test_nested_links_stay_links_and_the_tree_stays_shallow() -> None:
    """A bomb of 5,000 unclosed <div><a> pairs: every link kept, the tree no deeper than
    the flattening bound plus the one slot for a deep link element."""
    count = 5_000
    page = "<html><body>" + "".join(f"<div><a href='/x{i}.html'>{i}" for i in range(count))
    tree = parse_html(page)
    links = extract_links(tree, page, "http://h.example/")
    assert len({link.url for link in links}) == count
    deepest = max(sum(1 for _ in element.iterancestors()) for element in tree.iter("a"))
    assert deepest <= MAX_NESTING + 3  # html, body and the deep slot


# -- scans of hostile sites -----------------------------------------------------------------


def html(title: str, body: str) -> str:
    return f"<html><head><title>{title}</title></head><body>{body}</body></html>"


def spam_links(count: int, start: int = 0) -> str:
    """Links to distinct dead hosts (.invalid: judged without a request)."""
    return "".join(f'<a href="http://spam-{i}.invalid/">博彩{i}</a>' for i in range(start, count))


@dataclass
class BudgetScan:
    """One finished scan of one hostile site, read back from the store."""

    scan: Scan
    server: lb.LoopbackServer
    targets: dict[str, LinkTarget]  # by URL
    sources: Counter[str]  # link rows by page URL

    @property
    def cut(self) -> dict[str, dict[str, Any]]:
        return self.scan.stats.get("cut") or {}

    def url(self, path: str) -> str:
        return f"http://{self.server.host}{path}"

    def budget_unverified(self, reason: str) -> list[LinkTarget]:
        return [
            t
            for t in self.targets.values()
            if t.outcome == LinkOutcome.unverified and (t.detail or {}).get("budget") == reason
        ]


def report(db_url: str, scan: Scan, lang: str) -> str:
    with Session(get_engine(db_url)) as session:
        return render_site_report(session, scan.site_id, scan.id, lang=lang)


def budget_scan(db_url: str, routes: dict[str, lb.Route], **thresholds: Any) -> BudgetScan:
    """A real scan (crawl process, link verification, every check but the browser's) of a
    site served on 127.0.0.1, with the given threshold overrides."""
    with lb.serve(routes) as server:
        engine = get_engine(db_url)
        with Session(engine, expire_on_commit=False) as session:
            site = Site(name="预算测试站", url=server.base_url)
            session.add(site)
            session.commit()
            options = {"browser": False, "thresholds": {"link_timeout_s": 5.0, **thresholds}}
            scan = create_scan(session, site, trigger="test", as_of=AS_OF, options=options)
        done = run_scan(scan.id, db_url=db_url)
        with Session(engine) as session:
            targets = {
                t.url: t
                for t in session.exec(select(LinkTarget).where(LinkTarget.scan_id == done.id))
            }
            sources = Counter(
                s.page_url
                for s in session.exec(select(LinkSource).where(LinkSource.scan_id == done.id))
            )
        return BudgetScan(done, server, targets, sources)


@pytest.mark.parametrize("bound", ["rules", "bytes"])
def test_robots_txt_is_read_within_its_budget(db_url: str, fault_log: FaultLog, bound: str) -> None:
    rules = 3_000
    robots = (
        "User-agent: *\nDisallow: /early/\n"
        + "".join(f"Disallow: /junk-{i:06d}/\n" for i in range(rules))
        + "Disallow: /late/\n"
    )
    limits = {"robots_max_rules": 100} if bound == "rules" else {"robots_max_bytes": 4096}
    home = html("首页", "<a href='/early/a.html'>早</a><a href='/late/b.html'>晚</a>")
    result = budget_scan(
        db_url,
        {
            "/": lb.page(home),
            "/robots.txt": lb.raw(200, robots.encode(), [("Content-Type", "text/plain")]),
            "/early/a.html": lb.page(html("早", "x")),
            "/late/b.html": lb.page(html("晚", "y")),
        },
        **limits,
    )
    cut = result.cut.get("robots_txt")
    fault_log(
        f"robots.txt of {rules + 2:,} rules ({len(robots) / 1024:.0f} KiB), budget "
        + ("100 rules" if bound == "rules" else "4 KiB"),
        f"scan {result.scan.status}; parser got {cut and cut['rules_read']} rules, "
        f"{cut and cut['bytes_read']:,} bytes; {cut and cut['count']:,} rules recorded as cut; "
        "a rule inside the budget obeyed, the one after it not",
    )
    assert result.scan.status == ScanStatus.done, result.scan.error
    assert cut is not None
    if bound == "rules":
        assert cut["rules_read"] == 100 and cut["count"] == rules + 2 - 100
    else:  # the download itself stopped past the budget: the file's size is not known
        assert cut["bytes_read"] <= 4096 and cut["rules_read"] < 200
        assert cut["bytes_total"] is None and not cut["unread"]
    # the parser never saw the last rule: /late/ is crawled, /early/ (within budget) is not
    assert result.server.requested("/early/a.html") == 0
    assert result.server.requested("/late/b.html") >= 1
    early = result.targets[result.url("/early/a.html")]
    assert early.outcome == LinkOutcome.unverified and "robots" in (early.error or "")


def test_a_robots_txt_larger_than_any_page_is_reported_unread(
    db_url: str, fault_log: FaultLog
) -> None:
    """Declared larger than the 20 MiB download limit, it is refused before a byte is read
    (inflating it could be a bomb): it cannot be obeyed, and the scan says so."""
    robots = "User-agent: *\nDisallow: /early/\n" + "Disallow: /junk/\n" * 1_300_000
    home = html("首页", "<a href='/early/a.html'>早</a>")
    result = budget_scan(
        db_url,
        {
            "/": lb.page(home),
            "/robots.txt": lb.raw(200, robots.encode(), [("Content-Type", "text/plain")]),
            "/early/a.html": lb.page(html("早", "x")),
        },
    )
    cut = result.cut.get("robots_txt")
    zh = report(db_url, result.scan, "zh")
    fault_log(
        f"robots.txt of {len(robots) / 2**20:.0f} MiB (over the 20 MiB download limit)",
        f"scan {result.scan.status}; recorded as cut unread ({cut}); the report says "
        "robots.txt could not be read",
    )
    assert result.scan.status == ScanStatus.done, result.scan.error
    assert cut is not None and cut["unread"] and cut["bytes_read"] == 0
    assert "robots.txt 超过下载上限，未能读取，其规则均未遵循" in zh


@pytest.mark.parametrize(
    ("markup", "budget", "kept", "cut"),
    [
        # more "<" than the budget, but only two link tags: nothing is cut
        ("<p><b>x</b></p><a href=1>a</a><IMG src=2>", 2, None, 0),
        # exactly the budget's links
        ("<a href=1>a</a><img src=2>", 2, None, 0),
        # one past the budget, case-blind: the markup ends before it
        (
            "<a href=1>a</a><img src=2><Script src=3></script><AUDIO src=4><i>",
            2,
            "<a href=1>a</a><img src=2>",
            2,
        ),
        ("<a href=1>", 0, "", 1),
    ],
)
def test_a_link_cap_cuts_before_the_first_tag_past_its_budget(
    markup: str, budget: int, kept: str | None, cut: int
) -> None:
    cap = LinkCap(budget)
    assert cap.apply(markup) == (markup if kept is None else kept)
    assert cap.cut == cut


def test_links_taken_from_one_page_are_bounded(db_url: str, fault_log: FaultLog) -> None:
    links, limit = 5_000, 300
    result = budget_scan(
        db_url,
        {
            "/": lb.page(html("首页", "<a href='/farm.html'>农场</a>")),
            "/farm.html": lb.page(html("链接农场", spam_links(links))),
        },
        max_links_per_page=limit,
    )
    farm = result.url("/farm.html")
    cut = result.cut.get("page_links")
    fault_log(
        f"one page of {links:,} links, budget {limit} links per page",
        f"scan {result.scan.status}; {result.sources[farm]:,} links taken from the page; "
        f"cut recorded: {cut and cut['count']:,} links on {cut and cut['pages']} page",
    )
    assert result.scan.status == ScanStatus.done, result.scan.error
    assert result.sources[farm] == limit
    assert "http://spam-299.invalid/" in result.targets
    assert "http://spam-300.invalid/" not in result.targets
    assert cut == {"count": links - limit, "pages": 1, "limit": limit, "examples": [farm]}


def test_distinct_link_targets_per_scan_are_bounded(db_url: str, fault_log: FaultLog) -> None:
    links, limit = 1_500, 100
    result = budget_scan(
        db_url,
        {
            "/": lb.page(html("首页", "<a href='/farm.html'>农场</a>")),
            "/farm.html": lb.page(html("链接农场", spam_links(links))),
        },
        max_link_targets=limit,
    )
    cut = result.cut.get("link_targets")
    over = result.budget_unverified("link_targets")
    verified = [t for t in result.targets.values() if t.outcome != LinkOutcome.unverified]
    fault_log(
        f"{links:,} distinct link targets, budget {limit} per scan",
        f"scan {result.scan.status}; {len(verified)} verified; {len(over)} listed as unverified "
        f"({over[0].error if over else '—'}); {cut and cut['count']:,} links cut in all",
    )
    assert result.scan.status == ScanStatus.done, result.scan.error
    assert len(verified) == limit  # the home page's one link and the farm's first 99
    assert len(over) == LISTED_OVER_BUDGET
    assert all("上限" in (t.error or "") for t in over)
    # targets further over are only counted: neither a target nor a link row
    assert len(result.targets) == limit + LISTED_OVER_BUDGET
    assert cut is not None and cut["count"] == links + 1 - limit
    assert cut["listed"] == LISTED_OVER_BUDGET and cut["limit"] == limit


def test_link_verification_stops_at_its_time_budget(db_url: str, fault_log: FaultLog) -> None:
    slow = 12
    files = "".join(f"<a href='/slow/{i}.pdf'>附件{i}</a>" for i in range(slow))
    pdf = lb.raw(200, b"%PDF-1.4 ok", [("Content-Type", "application/pdf")])
    routes = {
        "/": lb.page(html("首页", files + "<a href='/fast.pdf'>快</a>")),
        "/fast.pdf": pdf,
        **{f"/slow/{i}.pdf": lb.delayed(pdf, lb.MAX_ROUTE_S) for i in range(slow)},
    }
    result = budget_scan(db_url, routes, link_verify_budget_s=2.0, link_timeout_s=60.0)
    cut = result.cut.get("link_verify_time")
    over = result.budget_unverified("link_verify_time")
    fault_log(
        f"{slow} attachments whose server never answers (60 s link timeout), link verification "
        "budget 2 s",
        f"scan {result.scan.status}; {len(over)} targets unverified ({over[0].error if over else '—'}); "
        f"the fast one {result.targets[result.url('/fast.pdf')].outcome.value}",
    )
    assert result.scan.status == ScanStatus.done, result.scan.error
    assert result.targets[result.url("/fast.pdf")].outcome == LinkOutcome.ok
    assert {t.url for t in over} == {result.url(f"/slow/{i}.pdf") for i in range(slow)}
    assert all("链接核查时间预算（2 秒）已用完" in (t.error or "") for t in over)
    assert cut == {"count": slow, "budget_s": 2.0}
    assert result.scan.stats["links"]["cut"] == slow


def test_the_whole_scan_budget_ends_the_scan_as_partial(db_url: str, fault_log: FaultLog) -> None:
    pages = 40
    listing = "".join(f"<a href='/p{i}.html'>页{i}</a>" for i in range(pages))
    page = lb.page(html("慢页面", "<a href='http://spam-x.invalid/'>外链</a>"))
    routes = {
        "/": lb.page(html("首页", listing)),
        **{f"/p{i}.html": lb.delayed(page, 1.5) for i in range(pages)},
    }
    result = budget_scan(db_url, routes, scan_budget_s=4.0, concurrency=2)
    scan = result.scan
    cut = result.cut.get("scan_time")
    over = result.budget_unverified("scan_time")
    fault_log(
        f"{pages} pages answering after 1.5 s each, whole-scan budget 4 s",
        f"scan {scan.status}: {scan.error}; {len(over)} link targets unverified "
        f"({over[0].error if over else '—'}); cut {cut}",
    )
    assert scan.status == ScanStatus.partial
    assert "扫描总时间预算（4 秒）已用完" in (scan.error or "")
    assert cut is not None and "links" in cut["skipped_checks"]
    assert over and all("扫描总时间预算" in (t.error or "") for t in over)
    assert not [t for t in result.targets.values() if t.outcome == LinkOutcome.pending]
    assert scan.stats["pages"] < pages + 1
    zh, en = (report(db_url, scan, lang) for lang in ("zh", "en"))
    assert "扫描总时间预算（4 秒）用完，扫描提前结束；未运行的检查：availability, links" in zh
    assert "The whole-scan time budget (4 s) ran out and the scan ended early" in en
    assert "checks not run: availability, links" in en


def test_the_site_report_says_what_was_cut(db_url: str) -> None:
    result = budget_scan(
        db_url,
        {
            "/": lb.page(html("首页", "<a href='/farm.html'>农场</a>")),
            "/farm.html": lb.page(html("链接农场", spam_links(250))),
        },
        max_links_per_page=100,
        max_link_targets=50,
    )
    zh, en = (report(db_url, result.scan, lang) for lang in ("zh", "en"))
    assert "本次巡检受预算限制" in zh
    assert "1 个页面的链接超过每页上限（100 个）：150 个链接未提取、未核查" in zh
    assert "链接目标超过每次扫描上限（50 个）：51 处链接未核查，其中 51 个目标列入" in zh
    assert "1 page(s) carried more links than the per-page limit (100): 150 links" in en
    assert "Link targets exceeded the per-scan limit (50): 51 links were not verified" in en


def test_links_nested_deep_in_a_real_page_are_crawled(db_url: str, fault_log: FaultLog) -> None:
    def nested(depth: int) -> str:
        return "<div>" * depth + f"<a href='/deep-{depth}.html'>深{depth}</a>" + "</div>" * depth

    routes = {
        "/": lb.page(html("首页", nested(1_000) + nested(5_000))),
        "/deep-1000.html": lb.page(html("一千层", "x")),
        "/deep-5000.html": lb.page(html("五千层", "y")),
    }
    result = budget_scan(db_url, routes)
    fault_log(
        "links nested 1,000 and 5,000 elements deep (a browser shows both)",
        f"scan {result.scan.status}; both found and crawled: "
        f"{result.server.requested('/deep-1000.html')} and "
        f"{result.server.requested('/deep-5000.html')} requests",
    )
    assert result.scan.status == ScanStatus.done, result.scan.error
    for depth in (1_000, 5_000):
        assert result.url(f"/deep-{depth}.html") in result.targets
        assert result.server.requested(f"/deep-{depth}.html") >= 1
