"""suspicious_outbound_link: what external targets serve now (外链变异) and hidden link farms (暗链)."""

from __future__ import annotations

import threading
from collections.abc import Iterator
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from pathlib import Path

import pytest
from sqlmodel import Session, select

import checks.outbound as outbound
from checks.outbound import OutboundCheck, classify, hidden_external_links, hiding_of, style_rules
from extract.parse import build_parsed_page
from govpatrol.core.db import init_db, make_engine
from govpatrol.core.models import Finding, LinkOutcome, LinkSource, LinkTarget, Scan, Site
from govpatrol.core.settings import Thresholds
from govpatrol.core.types import ParsedPage, ScanContext, SiteContext
from scoring.scorer import score_scan
from tests.conftest import AS_OF
from tests.spies import count_calls
from tests.test_interaction import PortalScan, scan_sample_portal

SITE = "http://127.0.0.1:9"


# -- what a page is -----------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("title", "text", "reason"),
    [
        ("澳门新葡京-百家乐", "欢迎光临", "gambling"),
        ("欢迎", "真人视讯、体育投注、老虎机，注册送彩金", "gambling"),
        ("This domain is for sale", "Contact the owner.", "parked"),
        ("", "该域名已过期，域名停放服务由某某提供", "parked"),
        ("成人视频在线", "", "porn"),
        ("某市公安局", "严厉打击网络赌博、跨境赌博犯罪，依法查处六合彩、百家乐等违法活动。", None),
        ("某省民政厅", "开展扫黄打非专项行动，远离色情低俗信息。", None),
        ("某市福利彩票发行中心", "福利彩票公益金用于老年人福利、残疾人康复和儿童福利。", None),
        ("某市体育局", "全民健身活动火热开展，足球联赛本周开赛。", None),
        ("政策问答", "问：域名转让需要哪些材料？" + "答：请参阅相关规定。" * 800, None),
    ],
)
def test_classify(title: str, text: str, reason: str | None) -> None:
    verdict = classify(title, text)
    assert (verdict.reason if verdict else None) == reason


def test_hiding_styles() -> None:
    assert hiding_of("position:absolute; left:-9999px; top:-9999px") == "offscreen"
    assert hiding_of("TEXT-INDENT: -10000px") == "offscreen"
    assert hiding_of("font-size:0;line-height:0") == "zero_size"
    assert hiding_of("height:0;overflow:hidden") == "zero_size"
    assert hiding_of("overflow: hidden; width: 0px") == "zero_size"
    assert hiding_of("display:none") == "hidden"
    assert hiding_of("visibility: hidden") == "hidden"
    assert hiding_of("height:0.5em;overflow:hidden;margin-left:-40px;font-size:0.9em") is None
    css = (
        b"<style>/* x */ .a, div.b{display:none} #c{position:absolute;left:-999px}"
        b" .d .e{display:none} .g{color:red} @media print{.f{display:none}}</style>"
    )
    rules = style_rules(build_parsed_page(SITE + "/", SITE + "/", 200, {}, css).tree)
    assert set(rules) == {".a", ".b", "#c", ".f"}  # descendant selectors are not followed
    assert hiding_of(rules["#c"]) == "offscreen" and hiding_of(rules[".a"]) == "hidden"


def page(body: str, url: str = SITE + "/news/1.html") -> ParsedPage:
    html = f"<html><head><meta charset='utf-8'><title>新闻</title></head><body>{body}</body></html>"
    return build_parsed_page(url, url, 200, {"content-type": "text/html"}, html.encode())


def test_hidden_link_farms_and_their_look_alikes() -> None:
    farm = (
        "<div style='position:absolute;left:-9999px'><a href='http://casino.invalid/'>澳门赌场</a>"
        "<a href='http://casino.invalid/2'>注册送彩金</a><a href='http://news.invalid/'>新闻</a></div>"
        "<style>#dl{display:none}</style><p id='dl'><a href='http://x.invalid/'>百家乐网址</a></p>"
        "<div style='font-size:0'><a href='http://fp.invalid/'>代开发票</a></div>"
        "<div style='top:-10000px;position:absolute'>"
        + "".join(f"<a href='http://seo{n}.invalid/'>优惠{n}</a>" for n in range(5))
        + "</div>"
    )
    links, kinds = hidden_external_links(page(farm), SITE + "/")
    assert [link["url"] for link in links] == [
        "http://casino.invalid/", "http://casino.invalid/2", "http://x.invalid/", "http://fp.invalid/",
        *[f"http://seo{n}.invalid/" for n in range(5)],
    ]  # fmt: skip
    assert kinds == ["offscreen", "hidden", "zero_size"]
    look_alikes = (
        # a hover menu with font-size:0 for inline-block layout, parked by display:none
        "<style>.Qdiv{position:absolute;font-size:0;margin-left:-40px;display:none}</style>"
        "<ul class='Qdiv'><li><a href='http://www.zwfw.gov.invalid/'>在线申报</a></li></ul>"
        "<ul class='menu'><li style='display:none'><a href='/zwgk/'>政务公开</a></li></ul>"  # internal
        "<div class='yqlj' style='display:none'>"
        + "".join(f"<a href='http://site{n}.invalid/'>某省网站{n}</a>" for n in range(8))
        + "</div>"
        "<h1 style='text-indent:-9999px'><a href='http://www.gov.invalid/'>中国政府网</a></h1>"
        "<div style='position:absolute;left:-9999px'><a href='/zwgk/'>政务公开</a>"
        "<a href='http://a.gov.cn/'>甲</a><a href='http://b.gov.cn/'>乙</a></div>"
        "<a href='http://casino.invalid/'>公开的链接</a>"
    )
    assert hidden_external_links(page(look_alikes), SITE + "/") == ([], [])


def test_page_hook_does_per_element_work_only_where_a_style_hides(
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    """What keeps the hook cheap on every crawled page (bench/checks.py times it): a regex on
    the source skips a page that hides nothing, and on a page that does, only elements with a
    style are matched against the hiding patterns and only links in hidden blocks resolved."""
    calls = count_calls(monkeypatch, outbound, "style_rules", "hiding_of", "absolutize")
    check = OutboundCheck()
    ctx = ScanContext(scan_id=1, site_id=1, site_url=SITE + "/", site_name="x", as_of=AS_OF)
    text = "<p>正文内容。</p>" * 800
    assert list(check.on_page(page(text), ctx)) == []
    assert calls == {}  # the pre-filter: no style read, no element visited
    menu = page("<div style='display:none'><a href='/a'>菜单</a></div>" + text)
    assert list(check.on_page(menu, ctx)) == []  # an internal link parked in a menu
    # one hidden block, one link in it: nothing done for the 800 paragraphs
    assert calls == {"style_rules": 1, "hiding_of": 1, "absolutize": 1}


# -- the site hook: external pages served on 127.0.0.1 ------------------------------------------------

PAGES = {
    "/casino": ("澳门新葡京娱乐城", "百家乐 真人视讯"),
    "/police": ("某市公安局", "严厉打击网络赌博犯罪"),
    "/sold": ("This domain is for sale", "buy this domain"),
}


@pytest.fixture
def external() -> Iterator[str]:
    """Plays the external web under the name ``localhost``; /moved redirects to 127.0.0.1."""

    class Handler(BaseHTTPRequestHandler):
        def do_GET(self) -> None:
            port = self.server.server_address[1]
            if self.path == "/moved":
                self.send_response(301)
                self.send_header("Location", f"http://127.0.0.1:{port}/casino")
                self.send_header("Content-Length", "0")
                self.end_headers()
                return
            title, text = PAGES.get(self.path, ("404", "not found"))
            data = f"<html><head><title>{title}</title></head><body><p>{text}</p></body></html>".encode()
            self.send_response(200 if self.path in PAGES else 404)
            self.send_header("Content-Type", "text/html; charset=utf-8")
            self.send_header("Content-Length", str(len(data)))
            self.end_headers()
            self.wfile.write(data)

        def log_message(self, *args: object) -> None:
            return

    server = ThreadingHTTPServer(("127.0.0.1", 0), Handler)
    threading.Thread(
        target=server.serve_forever, kwargs={"poll_interval": 0.02}, daemon=True
    ).start()
    try:
        yield f"http://localhost:{server.server_address[1]}"
    finally:
        server.shutdown()
        server.server_close()


def test_site_hook_fetches_each_external_target_once(external: str, tmp_path: Path) -> None:
    engine = make_engine(f"sqlite:///{tmp_path / 'store.db'}")
    init_db(engine)
    targets = {  # url → (outcome, pages linking it)
        external + "/casino": (LinkOutcome.ok, ["/yqlj.html", "/a.html"]),
        external + "/moved": (LinkOutcome.ok, ["/yqlj.html"]),
        external + "/police": (LinkOutcome.ok, ["/yqlj.html"]),
        external + "/sold": (LinkOutcome.broken, ["/yqlj.html"]),  # broken: link check's business
    }
    with Session(engine, expire_on_commit=False) as session:
        site = Site(name="某市民政局", url=SITE + "/")
        session.add(site)
        session.commit()
        scan = Scan(site_id=site.id, as_of=AS_OF)
        session.add(scan)
        session.commit()
        for url, (outcome, pages) in targets.items():
            session.add(
                LinkTarget(
                    scan_id=scan.id, url=url, kind="external", internal=False, outcome=outcome
                )
            )
            for path in pages:
                session.add(
                    LinkSource(
                        scan_id=scan.id, page_url=SITE + path, target_url=url, text="友情链接"
                    )
                )
        session.commit()
        ctx = SiteContext(scan_id=scan.id, site_id=site.id, site_url=site.url, site_name=site.name,
                          as_of=AS_OF, session=session)  # fmt: skip
        found = list(OutboundCheck().on_site(ctx))
        session.commit()
        stats = session.get(Scan, scan.id).stats["outbound"]
    got = {
        (f.page.removeprefix(SITE), f.target.removeprefix(external), f.detail["reason"])
        for f in found
    }
    assert got == {("/yqlj.html", "/casino", "gambling"), ("/a.html", "/casino", "gambling"),
                   ("/yqlj.html", "/moved", "gambling")}  # fmt: skip
    moved = next(f for f in found if f.target.endswith("/moved"))
    assert moved.detail["redirected_host"] and moved.detail["final_url"].startswith(
        "http://127.0.0.1:"
    )
    assert stats == {"external_targets": 3, "checked": 3, "flagged": 2}


# -- the sample portal ------------------------------------------------------------------------------------


@pytest.fixture(scope="module")
def portal_scan(tmp_path_factory: pytest.TempPathFactory) -> PortalScan:
    return scan_sample_portal(tmp_path_factory.getbasetemp())


def test_sample_portal_precision_and_recall(portal_scan: PortalScan) -> None:
    check = "suspicious_outbound_link"
    assert portal_scan.produced(check) == portal_scan.expected(check)
    reasons = {(p, t): f for f in portal_scan.findings if f.check == check
               for p, t in [(portal_scan.spelled(f.page), portal_scan.spelled(f.target))]}  # fmt: skip
    for expected in portal_scan.truth.expected(check):
        detail = reasons[(expected.page, expected.target)].detail
        assert {k: detail[k] for k in expected.detail} == expected.detail


def test_sample_portal_legit_links_are_silent(portal_scan: PortalScan) -> None:
    flagged = {t for _, t in portal_scan.produced("suspicious_outbound_link") if t}
    assert "http://localhost:__PORT__/ext/gaj" not in flagged  # police crackdown news
    assert "http://localhost:__PORT__/ext/ok" not in flagged  # an ordinary province site
    broken = {
        portal_scan.spelled(f.target) for f in portal_scan.findings if f.check == "broken_link"
    }
    assert not flagged & broken  # a hijacked domain answers fine: never called broken


def test_a_hidden_gambling_link_is_one_finding_with_two_reasons(
    external: str, tmp_path: Path
) -> None:
    """A link farm whose link now serves a casino is one problem: the page's 暗链 finding
    takes the casino as its second reason, and the scorer deducts it once. The same casino
    linked openly from another page is still that page's own finding."""
    engine = make_engine(f"sqlite:///{tmp_path / 'store.db'}")
    init_db(engine)
    casino = external + "/casino"
    farm_page = page(
        f"<div style='position:absolute;left:-9999px'><a href='{casino}'>澳门新葡京</a></div>"
    )
    with Session(engine, expire_on_commit=False) as session:
        site = Site(name="某市民政局", url=SITE + "/")
        session.add(site)
        session.commit()
        scan = Scan(site_id=site.id, as_of=AS_OF)
        session.add(scan)
        session.commit()
        ctx = SiteContext(scan_id=scan.id, site_id=site.id, site_url=site.url, site_name=site.name,
                          as_of=AS_OF, session=session)  # fmt: skip
        (hidden,) = OutboundCheck().on_page(farm_page, ctx)  # the crawl's page hook
        session.add(
            Finding(scan_id=scan.id, check=hidden.check, severity="high", page=hidden.page,
                    message=hidden.message, detail=hidden.detail,
                    fingerprint=hidden.fingerprint(site.url), stage="page")
        )  # fmt: skip
        session.add(LinkTarget(scan_id=scan.id, url=casino, kind="external", internal=False,
                               outcome=LinkOutcome.ok))  # fmt: skip
        for url, text in ((farm_page.url, "澳门新葡京"), (SITE + "/yqlj.html", "友情链接")):
            session.add(LinkSource(scan_id=scan.id, page_url=url, target_url=casino, text=text))
        session.commit()
        found = list(OutboundCheck().on_site(ctx))
        session.commit()
        stored = session.exec(select(Finding).where(Finding.scan_id == scan.id)).all()
    # Only the openly linked page gets a finding of its own.
    assert [(f.page, f.target) for f in found] == [(SITE + "/yqlj.html", casino)]
    (farm,) = stored
    assert farm.detail["reasons"] == ["hidden_links", "gambling"]
    assert [h["url"] for h in farm.detail["hijacked"]] == [casino]
    assert "博彩" in farm.message
    score = score_scan([*stored, *found], [], thresholds=Thresholds(), is_portal=False, as_of=AS_OF)
    (security,) = [i for i in score.indicators if i.id == "security"]
    assert security.count == 2  # the farm page once, the friend-link page once
