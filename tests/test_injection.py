"""Dark links (hidden_link) and injected code (injected_code): each technique fires, each
legitimate way of hiding stays quiet, real government pages stay quiet, and the site hook compares
a template's pages and catches a server that cloaks by User-Agent and Referer — all on 127.0.0.1."""

from __future__ import annotations

import datetime as dt
import json
from pathlib import Path

import pytest
from sqlmodel import Session

from checks.injection import InjectionCheck, cloaking_sample
from checks.injection_compare import is_rare, similarity
from crawler.cloaking_probe import BAIDUSPIDER_UA, probe_page
from crawler.netguard import FetchGuard
from extract.foreign import own_domains, registrable
from extract.hidden_links import hidden_links, script_markup
from extract.injected import injected_code
from extract.parse import build_parsed_page, parse_html
from govpatrol.core.db import get_engine
from govpatrol.core.models import Page, Site
from govpatrol.core.types import FindingData, ScanContext, SiteContext
from scan.page_checks import page_shape
from scan.pipeline import create_scan
from tests.loopback import Request, page, serve, servers

AS_OF = dt.date(2026, 11, 22)
SITE = "http://www.example.gov.cn/"
OWN = own_domains(SITE)
REAL_PAGES = Path("/work/shared/real-pages")


def _doc(body: str, head: str = "") -> str:
    return (
        f'<html><head><meta charset="utf-8"><title>示例</title>{head}</head><body>'
        f'<nav><a href="/">首页</a><a href="/xwzx/">新闻</a></nav><main id="main">{body}'
        "<p>正文内容</p></main></body></html>"
    )


def _hidden(html: str) -> list[tuple[str, str]]:
    tree = parse_html(html)
    return [(link.host, link.technique) for link in hidden_links(tree, SITE, OWN)]


def _findings(html: str, url: str = SITE + "xwzx/1.html") -> list[FindingData]:
    parsed = build_parsed_page(url, url, 200, {"content-type": "text/html"}, html.encode())
    ctx = ScanContext(scan_id=1, site_id=1, site_url=SITE, site_name="示例", as_of=AS_OF)
    return [f for f in InjectionCheck().on_page(parsed, ctx) if isinstance(f, FindingData)]


# -- techniques ---------------------------------------------------------------------------------

FIRING = [
    (
        '<div style="position:absolute;left:-9999px"><a href="http://a.com/">x</a></div>',
        "offscreen",
    ),
    ('<div style="position:absolute;top:-5000px"><a href="http://a.com/">x</a></div>', "offscreen"),
    ('<p style="text-indent:-9999px"><a href="http://a.com/">x</a></p>', "text_indent"),
    (
        '<div style="height:0;width:0px;overflow:hidden"><a href="http://a.com/">x</a></div>',
        "zero_size",
    ),
    ('<span style="font-size:0"><a href="http://a.com/">x</a></span>', "font_size_zero"),
    ('<marquee height="0"><a href="http://a.com/">x</a></marquee>', "marquee"),
    ('<marquee scrollamount="0"><a href="http://a.com/">x</a></marquee>', "marquee"),
    (
        '<div style="background:#fff"><a style="color:#ffffff" href="http://a.com/">x</a></div>',
        "same_colour",
    ),
]


@pytest.mark.parametrize(("body", "technique"), FIRING)
def test_each_css_technique_is_read_from_inline_style(body: str, technique: str) -> None:
    assert _hidden(_doc(body)) == [("a.com", technique)]
    found = _findings(_doc(body))
    assert [f.check for f in found] == ["hidden_link"]
    assert found[0].detail["technique"] == technique
    assert found[0].detail["needs_review"] is True


def test_embedded_style_rules_are_matched_by_real_selectors() -> None:
    head = (
        "<style>/* footer */ .ft > div.k a { color: white } .ft { background-color: #FFF }"
        " #bl .in { position: absolute; left: -3000px } @media print { .x { display:none } }"
        "</style>"
    )
    body = (
        '<div class="ft"><div class="k"><a href="http://b.com/">x</a></div></div>'
        '<div id="bl"><p class="in"><a href="http://c.com/">y</a></p></div>'
        '<div class="k"><a href="http://d.com/">visible</a></div>'
    )
    assert _hidden(_doc(body, head)) == [("b.com", "same_colour"), ("c.com", "offscreen")]
    detail = _findings(_doc(body, head))[1].detail
    assert detail["selector"] == "#bl .in" and "left: -3000px" not in detail["snippet"]


def test_display_none_counts_only_with_link_farm_words() -> None:
    menu = '<div style="display:none"><a href="http://partner.org/">合作单位</a></div>'
    farm = '<div style="display:none"><a href="http://x1.com/">百家乐在线</a></div>'
    assert _hidden(_doc(menu)) == [("partner.org", "display_none")]  # extracted, judged later
    assert _findings(_doc(menu)) == []
    found = _findings(_doc(farm))
    assert len(found) == 1 and found[0].detail["target_verdict"] == "gambling"


@pytest.mark.parametrize(
    "script",
    [
        "document.write('<a href=\"http://w1.com/\">x</a>');",
        "document.write(unescape('%3Ca%20href%3D%22http%3A//w1.com/%22%3Ex%3C/a%3E'));",
        "document.getElementById('f').innerHTML = atob('PGEgaHJlZj0iaHR0cDovL3cxLmNvbS8iPng8L2E+');",
        "document.write('\\x3ca href=\"http://w1.com/\"\\x3ex\\x3c/a\\x3e');",
        "document.write(String.fromCharCode(60,97,32,104,114,101,102,61,34,104,116,116,112,58,47,47,"
        "119,49,46,99,111,109,47,34,62,120,60,47,97,62));",
        'document.write(\'<div style="display:none">\');document.write(\'<a href="http://w1.com/">'
        "x</a>');document.write('</div>');",
    ],
)
def test_links_written_by_script_are_read_after_decoding(script: str) -> None:
    found = _findings(_doc(f"<script>{script}</script>"))
    assert [(f.check, f.detail["target_host"]) for f in found] == [("hidden_link", "w1.com")]


def test_script_markup_joins_pieces_and_says_when_it_decoded() -> None:
    assert script_markup("document.write('<a'+' href=x>')") == ("<a href=x>", False)
    assert script_markup("document.write(unescape('%3Cb%3E'))") == ("<b>", True)


NEGATIVES = {
    "skip link": '<a href="#main" style="position:absolute;left:-9999px">跳到主要内容</a>',
    "own drop-down menu": '<ul><li><a href="/a/">栏目</a><ul style="position:absolute;left:-9999em">'
    '<li><a href="http://www.example.gov.cn/a/b/">子栏目</a></li></ul></li></ul>',
    "own subdomain off-screen": '<div style="position:absolute;left:-9999px">'
    '<a href="http://m.example.gov.cn/">手机版</a></div>',
    "无障碍 toolbar": '<div id="wza" style="display:none;height:0;overflow:hidden">'
    '<a href="/wza/">无障碍</a><a href="http://wza.cniil.com/">说明</a></div>',
    "noscript fallback": '<noscript><div style="position:absolute;left:-9999px">'
    '<a href="http://other.com/">x</a></div></noscript>',
    "相关链接 of government sites": '<div class="xglj"><span>相关链接</span><ul style="display:none;'
    'height:0;overflow:hidden"><li><a href="https://www.gov.cn/">中国政府网</a></li>'
    '<li><a href="http://www.hebei.gov.cn/">河北省人民政府</a></li></ul></div>',
    "tab of ordinary links": '<div class="tab"><div class="con" style="display:none">'
    '<a href="http://www.xinhuanet.com/">新华网</a></div></div>',
    "logo image replacement": '<h1 style="text-indent:-9999px"><a href="/">示例市人民政府</a></h1>',
    "statistics written by script": "<script>document.write('<a href=\"https://www.cnzz.com/stat/"
    "website.php?web_id=1\">站长统计</a>');</script>",
    "white text on a dark box": '<div style="background:#003366"><a style="color:#fff" '
    'href="http://partner.com/">x</a></div>',
    "accordion of ordinary links": '<div class="yqlj" style="height:0;overflow:hidden">'
    '<a href="http://www.people.com.cn/">人民网</a></div>',
    "carousel slide": '<div class="slide" style="opacity:0"><a href="https://www.xuexi.cn/">'
    "学习强国</a></div>",
    "hover menu of partners parked off-screen": '<ul class="menu"><li><a href="/">友情链接</a>'
    '<ul style="position:absolute;left:-9999px"><li><a href="http://www.people.com.cn/">人民网'
    "</a></li></ul></li></ul>",
    # on a white page: a table layout's bgcolor is the background, and <font> the text colour
    "white text in a table cell coloured by bgcolor": '<div style="background:#fff">'
    '<table bgcolor="#003366"><tr><td><a style="color:#fff" href="http://partner.com/">x</a>'
    "</td></tr></table></div>",
    "a link whose text is coloured inside it": '<div style="background:#fff"><a style="color:#fff"'
    ' href="http://partner.com/"><font color="#333333">x</font></a></div>',
    "white text over a banner picture": '<div style="background:#fff url(/b.jpg) no-repeat">'
    '<a style="color:#fff" href="http://partner.com/">x</a></div>',
    "hanweb datastore": '<script type="text/xml"><datastore><recordset><record><![CDATA['
    '<a href="http://other.com/">x</a>]]></record></recordset></datastore></script>',
}


@pytest.mark.parametrize("name", sorted(NEGATIVES))
def test_legitimate_hidden_things_are_not_findings(name: str) -> None:
    assert _findings(_doc(NEGATIVES[name])) == [], name


def test_one_finding_per_page_and_foreign_host() -> None:
    body = (
        '<div style="position:absolute;left:-9999px"><a href="http://a.com/1">x</a>'
        '<a href="http://a.com/2">y</a><a href="http://b.com/">z</a></div>'
    )
    found = _findings(_doc(body))
    assert sorted((f.detail["target_host"], f.detail["count"]) for f in found) == [
        ("a.com", 2),
        ("b.com", 1),
    ]


# -- injected code on one page ------------------------------------------------------------------


def test_hidden_frames_and_search_redirects_fire_anywhere() -> None:
    body = (
        '<iframe src="http://f1.com/" width="0" height="0"></iframe>'
        '<div style="display:none"><iframe src="http://f2.com/"></iframe></div>'
        "<script>var r=document.referrer;if(r.indexOf('baidu')>0||r.indexOf('sogou')>0)"
        "{window.location.href='http://r1.com/';}</script>"
        "<script>document.write('<iframe src=\"http://f3.com/\" width=1 height=1></iframe>')</script>"
    )
    found = _findings(_doc(body))
    got = sorted((f.detail["technique"], f.detail["target_host"]) for f in found)
    assert got == [
        ("hidden_iframe", "f1.com"),
        ("hidden_iframe", "f2.com"),
        ("hidden_iframe", "f3.com"),
        ("search_redirect", "r1.com"),
    ]


def test_template_furniture_is_not_injected_code() -> None:
    head = (
        '<script src="https://hm.baidu.com/hm.js?abc"></script>'
        '<script src="http://s95.cnzz.com/z_stat.php?id=1"></script>'
        '<script src="http://js.users.51.la/1.js"></script>'
        '<script src="http://bdimg.share.baidu.com/static/api/js/share.js"></script>'
        '<script src="http://v3.jiathis.com/code/jia.js"></script>'
        '<script src="https://dcs.conac.cn/js/33/000/0000/1.js"></script>'
        '<script src="https://www.zj.gov.cn/common/wza.js"></script>'
        "<script>if(/Mobile/.test(navigator.userAgent))location.href='http://m.example.gov.cn/';"
        "</script>"
    )
    tree = parse_html(
        _doc('<iframe src="http://map.com/" width="500" height="300"></iframe>', head)
    )
    assert injected_code(tree, SITE, OWN) == []


# -- real pages ---------------------------------------------------------------------------------


@pytest.mark.skipif(not REAL_PAGES.is_dir(), reason="shared real pages not present")
def test_no_real_government_page_has_a_dark_link_or_injected_code() -> None:
    entries = json.loads((REAL_PAGES / "index.json").read_text("utf-8"))
    assert len(entries) >= 30
    for entry in entries:
        notes = str(entry.get("notes") or "")
        assert "暗链" not in notes and "挂马" not in notes  # none is annotated as having one
        known = str(entry.get("source_url_if_known") or "").split(" ")[0]
        url = known if known.startswith("http") else "http://www.example.gov.cn/page.html"
        body = (REAL_PAGES / entry["file"]).read_bytes()
        parsed = build_parsed_page(url, url, 200, {"content-type": "text/html"}, body)
        ctx = ScanContext(scan_id=1, site_id=1, site_url=url, site_name="x", as_of=AS_OF)
        found = [f for f in InjectionCheck().on_page(parsed, ctx) if isinstance(f, FindingData)]
        assert found == [], entry["file"]


# -- the site hook: templates and cloaking ------------------------------------------------------


def _article(n: int, extra: str = "") -> str:
    return (
        '<html><head><title>文章</title><script src="https://hm.baidu.com/hm.js?x"></script>'
        f'</head><body><div class="head"><a href="/">首页</a></div><div class="article"><h1>第{n}篇'
        f'</h1><div class="body"><p>正文{n}</p><p>内容</p></div></div>{extra}'
        '<div class="foot">示例市人民政府</div></body></html>'
    )


HOME = (
    '<html><head><title>示例市人民政府</title></head><body><div class="head">首页</div>'
    '<ul class="list"><li><a href="/a/1.html">第1篇</a></li></ul>'
    "<p>示例市人民政府门户网站，发布政务信息、政策文件和办事服务。</p></body></html>"
)
CASINO_HOME = (
    "<html><head><title>澳门新葡京娱乐城</title></head><body><h1>百家乐 真人娱乐</h1>"
    '<a href="http://www.xpj-casino.com/">立即注册送彩金</a></body></html>'
)


def _cloaking_home(request: Request) -> None:
    """Serves search engines and their visitors a casino; everyone else the real page."""
    agent = request.headers.get("user-agent", "")
    referer = request.headers.get("referer", "")
    if "Baiduspider" in agent:
        request.html(CASINO_HOME)
    elif "baidu.com" in referer:
        request.respond(302, b"", [("Location", "http://www.xpj-casino.com/")])
    else:
        request.html(HOME)


def _judge(db_url: str, site_url: str, pages: dict[str, str]) -> list[FindingData]:
    check = InjectionCheck()
    with Session(get_engine(db_url), expire_on_commit=False) as session:
        site = Site(name="示例市人民政府", url=site_url)
        session.add(site)
        session.commit()
        scan = create_scan(session, site, as_of=AS_OF, options={"browser": False})
        ctx = SiteContext(scan_id=scan.id, site_id=site.id, site_url=site.url,
                          site_name=site.name, as_of=AS_OF, browser=False, session=session,
                          scan=scan, site=site, address_zone="loopback")  # fmt: skip
        for path, html in pages.items():
            url = site_url.rstrip("/") + path
            parsed = build_parsed_page(url, url, 200, {"content-type": "text/html"}, html.encode())
            page_shape(parsed)
            session.add(Page(scan_id=scan.id, url=url, status=200, depth=0 if path == "/" else 1,
                             kind="home" if path == "/" else "article",
                             template_key=parsed.template_key))  # fmt: skip
            session.add_all(r for r in check.on_page(parsed, ctx) if not isinstance(r, FindingData))
        session.commit()
        found = [f for f in check.on_site(ctx) if isinstance(f, FindingData)]
        session.commit()
        return found


def test_a_foreign_script_on_one_page_of_a_template_is_injected(db_url: str) -> None:
    pages = {f"/a/{n}.html": _article(n) for n in range(1, 7)}
    pages["/a/3.html"] = _article(3, '<script src="http://cdn.evil-js.com/x.js"></script>')
    everywhere = '<script src="http://widget.partner.com/w.js"></script>'
    pages.update({f"/b/{n}.html": _article(n, everywhere) for n in range(1, 6)})
    routes = {"/": page(HOME)} | {path: page(html) for path, html in pages.items()}
    with servers(serve(routes)) as (server,):
        found = _judge(db_url, server.base_url, {"/": HOME, **pages})
    injected = [(f.page.rsplit("/", 2)[-2:], f.detail["technique"]) for f in found]
    assert injected == [(["a", "3.html"], "foreign_script")]
    assert found[0].detail["template_pages"] == 11 and found[0].detail["pages_with_it"] == 1


def test_a_server_cloaking_by_user_agent_and_referer_is_caught(db_url: str) -> None:
    pages = {f"/a/{n}.html": _article(n) for n in range(1, 3)}
    routes = {"/": _cloaking_home} | {path: page(html) for path, html in pages.items()}
    with servers(serve(routes)) as (server,):
        found = _judge(db_url, server.base_url, {"/": HOME, **pages})
    cloaked = sorted((f.detail["visitor"], tuple(f.detail["differences"])) for f in found)
    assert cloaked == [
        ("baiduspider", ("foreign_links", "content")),
        ("search_referer", ("foreign_redirect",)),
    ]
    assert all(f.page.rstrip("/") == server.base_url.rstrip("/") for f in found)
    assert {f.detail["target_host"] for f in found} == {"www.xpj-casino.com"}


def test_an_honest_server_is_not_cloaking(db_url: str) -> None:
    pages = {f"/a/{n}.html": _article(n) for n in range(1, 3)}
    routes = {"/": page(HOME)} | {path: page(html) for path, html in pages.items()}
    with servers(serve(routes)) as (server,):
        assert _judge(db_url, server.base_url, {"/": HOME, **pages}) == []


def test_probes_stay_on_the_site_and_send_each_visitor_once() -> None:
    seen: list[tuple[str, str]] = []

    def record(request: Request) -> None:
        seen.append((request.headers.get("user-agent", ""), request.headers.get("referer", "")))
        request.respond(302, b"", [("Location", "http://www.xpj-casino.com/")])

    with servers(serve({"/": record})) as (server,):
        guard = FetchGuard(server.base_url, zones="loopback")
        answers = probe_page(server.base_url, guard, timeout_s=5.0, max_bytes=10_000)
    assert [a.redirected_to for a in answers] == ["http://www.xpj-casino.com/"] * 3
    assert len(seen) == 3 and seen[1][0] == BAIDUSPIDER_UA and "baidu.com/s?wd=" in seen[2][1]


def test_the_cloaking_sample_is_bounded() -> None:
    from checks.injection import _PageRow

    pages = [
        _PageRow(f"http://h/t{t}/{n}.html", f"t{t}", False) for t in range(9) for n in range(3)
    ]
    sample = cloaking_sample([_PageRow("http://h/", "home", True), *pages], "http://h/")
    assert len(sample) == 5 and sample[0] == "http://h/"


def test_small_helpers() -> None:
    assert (
        registrable("www.bj.gov.cn") == "bj.gov.cn"
        and registrable("a.b.example.com") == "example.com"
    )
    assert is_rare(1, 6) and not is_rare(5, 6) and not is_rare(1, 1)
    assert (
        similarity("同样的文字内容", "同样的文字内容") == 1.0
        and similarity("甲乙丙丁", "戊己庚辛") == 0
    )


# -- scoring: needs review until a person acknowledges it ---------------------------------------


@pytest.mark.parametrize("finding_id", ["hidden_link", "injected_code"])
def test_the_veto_fires_only_once_a_person_acknowledges_the_finding(finding_id: str) -> None:
    from govpatrol.core.settings import Thresholds
    from scoring.scorer import score_scan

    finding = {"check": finding_id, "severity": "high", "page": SITE, "target": None,
               "detail": {"needs_review": True}, "fingerprint": "f" * 32}  # fmt: skip

    def scored(triage: dict[str, str]) -> tuple[str, list[str], float]:
        result = score_scan([finding], [], thresholds=Thresholds(), is_portal=False,
                            as_of=AS_OF, triage=triage)  # fmt: skip
        return result.verdict, result.vetoes, result.points

    assert scored({}) == ("合格", [], 100.0)
    assert scored({"f" * 32: "acknowledged"})[:2] == ("不合格", ["hacked"])
    assert scored({"f" * 32: "false_positive"}) == ("合格", [], 100.0)


def test_links_to_the_sites_extra_hosts_are_its_own() -> None:
    body = '<div style="position:absolute;left:-9999px"><a href="http://www.bjzwfw.com/">办事</a></div>'
    url = SITE + "xwzx/1.html"
    parsed = build_parsed_page(url, url, 200, {"content-type": "text/html"}, _doc(body).encode())
    ctx = ScanContext(scan_id=1, site_id=1, site_url=SITE, site_name="示例", as_of=AS_OF,
                      extra_hosts=("zwfw.bjzwfw.com",))  # fmt: skip
    assert [f for f in InjectionCheck().on_page(parsed, ctx) if isinstance(f, FindingData)] == []
    assert len(_findings(_doc(body))) == 1  # without the extra host it is someone else's
