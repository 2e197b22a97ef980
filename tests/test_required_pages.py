"""missing_required_page: 指南 and its contents, 目录, 年报 deadlines, one real site search."""

from __future__ import annotations

import datetime as dt
import ipaddress
import threading
from collections.abc import Iterator
from dataclasses import replace
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from pathlib import Path
from urllib.parse import parse_qs, urlsplit

import pytest
from sqlmodel import Session

from checks.required_pages import (
    RequiredPagesCheck,
    SearchForm,
    guide_facts,
    report_year,
    report_years,
    run_search,
    search_form,
)
from crawler.netguard import REFUSED_TEXT, FetchGuard
from extract.parse import build_parsed_page
from govpatrol.core.db import init_db, make_engine
from govpatrol.core.models import (
    Document,
    LinkOutcome,
    LinkSource,
    LinkTarget,
    ListPage,
    Scan,
    Site,
)
from govpatrol.core.types import ParsedPage, ScanContext, SiteContext
from tests import loopback as lb
from tests.conftest import AS_OF
from tests.test_interaction import PortalScan, scan_sample_portal

GUIDE = (
    "<h1>某市民政局政府信息公开指南</h1><p>受理机构：办公室</p><p>通讯地址：某市人民路1号</p>"
    "<p>办公时间：工作日9:00-17:00</p><p>联系电话：0000-12345678</p><p>传真：0000-12345679</p>"
    "<p>网上申请：<a href='/ysqgk/'>依申请公开平台</a></p>"
)


def parsed(body: str, url: str, *, home: bool = False, encoding: str = "utf-8") -> ParsedPage:
    html = (f"<html><head><meta charset='{encoding}'><title>某市民政局</title></head>"
            f"<body>{body}</body></html>")  # fmt: skip
    return build_parsed_page(url, url, 200, {"content-type": f"text/html; charset={encoding}"},
                             html.encode(encoding), is_home=home)  # fmt: skip


def test_guide_contents() -> None:
    facts = guide_facts(" ".join(GUIDE.replace("<", " <").split()))
    assert facts == {"address": True, "hours": True, "phone": True, "fax": True, "online": True}
    bare = guide_facts("一、主动公开。二、依申请公开：请向本机关提出申请。电话：0000-12345678")
    assert bare == {"address": False, "hours": False, "phone": True, "fax": False, "online": False}
    assert guide_facts("邮箱 bgs@mzj.invalid，地址：人民路1号")["online"]
    # labels spaced out to line up
    spaced = guide_facts("地　　址：人民路1号　传　真：0795-4521235　办 公 时 间：工作日")
    assert spaced == {"address": True, "hours": True, "phone": False, "fax": True, "online": False}


@pytest.mark.parametrize(
    ("text", "year"),
    [
        ("某市民政局2025年政府信息公开工作年度报告", 2025),
        ("某市人民政府二〇二四年政府信息公开工作年度报告", 2024),
        ("政府信息公开工作年度报告（2023年）", 2023),
        ("2022年年度报告", 2022),
        ("2025年度政府信息公开年报", 2025),
        ("某县人民政府2025年度政府信息公开工作报告", 2025),
        ("某市2025年国民经济和社会发展统计公报", None),
        ("关于报送2025年度工作总结和年度报告的通知要求各单位按时完成", None),
        ("政府信息公开年报", None),
    ],
)
def test_report_years(text: str, year: int | None) -> None:
    assert report_year(text) == year


# -- the search form ----------------------------------------------------------------------------


def test_search_form_of_the_home_page() -> None:
    base = "http://127.0.0.1:9"
    home = parsed(
        "<form action='/login' method='post'><input name='user'><input type='password' name='pw'>"
        "<button>登录</button></form>"
        "<form class='search' action='/s/search.do' method='get'><input type='hidden' name='siteid' value='7'>"
        "<input type='text' name='searchword' placeholder='请输入关键字'><button>搜索</button></form>",
        base + "/",
        home=True,
    )
    form = search_form(home)
    assert form == SearchForm(base + "/s/search.do", "get", "searchword", {"siteid": "7"}, "utf-8")
    gbk = parsed(
        "<form name='sform' action='http://so.example.invalid/s' method='POST' accept-charset='gbk'>"
        "<input name='q'><input type='image' alt='检索' src='/i.gif'></form>",
        base + "/",
        home=True,
    )
    assert search_form(gbk) == SearchForm("http://so.example.invalid/s", "post", "q", {}, "gbk")
    script_only = parsed(
        "<input id='searchBox' placeholder='搜索'><a onclick='go()'>搜</a>", base + "/"
    )
    assert search_form(script_only) == SearchForm(None)
    assert search_form(parsed("<p>没有搜索</p>", base + "/")) is None


@pytest.fixture
def search_site() -> Iterator[tuple[str, list[dict]]]:
    """/s answers from a tiny index; /gbk expects GBK queries; /broken is 500; /js is empty."""
    seen: list[dict] = []
    index = {"/doc/1.html": "某市养老服务补贴管理办法", "/doc/2.html": "关于做好冬季救助工作的通知"}

    class Handler(BaseHTTPRequestHandler):
        def _answer(self, path: str, query: str) -> None:
            charset = "gbk" if path == "/gbk" else "utf-8"
            params = parse_qs(query, encoding=charset)
            q = params.get("q", [""])[0]
            seen.append({"path": path, "q": q, "method": self.command})
            if path == "/broken":
                status, body = 500, "<html><body>error</body></html>"
            elif path == "/js":
                status, body = (
                    200,
                    "<html><body><div id='app'></div><script src='s.js'></script></body></html>",
                )
            else:
                hits = [(u, t) for u, t in index.items() if q and q in t]
                items = "".join(
                    f"<li><a href='{u}'>{t.replace(q[:4], '<em>' + q[:4] + '</em>')}</a></li>"
                    for u, t in hits
                )
                body = (f"<html><body><p>搜索“{q}”</p><ul>{items}</ul>"
                        f"{'' if hits else '<p>抱歉，没有找到相关结果</p>'}</body></html>")  # fmt: skip
                status = 200
            data = body.encode(charset)
            self.send_response(status)
            self.send_header("Content-Type", f"text/html; charset={charset}")
            self.send_header("Content-Length", str(len(data)))
            self.end_headers()
            self.wfile.write(data)

        def do_GET(self) -> None:
            parts = urlsplit(self.path)
            self._answer(parts.path, parts.query)

        def do_POST(self) -> None:
            length = int(self.headers.get("Content-Length") or 0)
            self._answer(urlsplit(self.path).path, self.rfile.read(length).decode("ascii"))

        def log_message(self, *args: object) -> None:
            return

    server = ThreadingHTTPServer(("127.0.0.1", 0), Handler)
    threading.Thread(
        target=server.serve_forever, kwargs={"poll_interval": 0.02}, daemon=True
    ).start()
    try:
        yield f"http://127.0.0.1:{server.server_address[1]}", seen
    finally:
        server.shutdown()
        server.server_close()


def test_one_search_request_per_judgement(search_site) -> None:
    base, seen = search_site
    doc = base + "/doc/1.html"
    form = SearchForm(base + "/s", "get", "q", {"site": "1"})
    assert run_search(form, "某市养老服务补贴管理办法", doc, 5.0).result == "found"  # highlighted
    assert run_search(form, "某市困难群众救助办法", doc, 5.0).result == "no_result"
    # the query is echoed as text on the results page: an echo is not a result
    assert (
        run_search(replace(form, method="post"), "某市养老服务补贴管理办法", doc, 5.0).result
        == "found"
    )
    gbk = SearchForm(base + "/gbk", "get", "q", {}, "gbk")
    assert (
        run_search(gbk, "关于做好冬季救助工作的通知", base + "/doc/2.html", 5.0).result == "found"
    )
    broken = run_search(replace(form, action=base + "/broken"), "某市", doc, 5.0)
    assert (broken.result, broken.status) == ("http_error", 500)
    assert run_search(replace(form, action=base + "/js"), "某市", doc, 5.0).result == "inconclusive"
    assert run_search(SearchForm(None), "某市", doc, 5.0).result == "inconclusive"
    assert (
        run_search(replace(form, action="http://so.invalid/s"), "某市", doc, 5.0).result == "error"
    )
    assert [s["q"] for s in seen] == ["某市养老服务补贴管理办法", "某市困难群众救助办法",
                                      "某市养老服务补贴管理办法", "关于做好冬季救助工作的通知",
                                      "某市", "某市"]  # fmt: skip
    assert seen[2]["method"] == "POST"


def test_a_search_action_the_guard_refuses_is_inconclusive_and_not_sent(search_site) -> None:
    """A public site's search form posting to an internal address (127.0.0.2 here, the
    site on 127.0.0.1 being declared public) decides nothing and asks nobody."""
    base, seen = search_site
    inside = lb.serve({}, fallback=lb.page("<title>内网搜索</title>"), address="127.0.0.2")
    with lb.servers(inside):
        form = SearchForm(f"http://127.0.0.2:{inside.port}/s", "get", "q", {})
        guard = FetchGuard(base, allow=[ipaddress.ip_network("127.0.0.1/32")])
        outcome = run_search(form, "某市", base + "/doc/1.html", 5.0, guard)
    assert (outcome.result, outcome.error) == ("inconclusive", REFUSED_TEXT)
    assert inside.hits == [] and seen == []


# -- the site hook on a real store -------------------------------------------------------------------


def run_hook(tmp_path: Path, base: str, *, links: list[tuple[str, str, LinkOutcome]],
             pages: list[ParsedPage], as_of: dt.date = AS_OF, government: bool = False,
             docs: tuple[str, ...] = ()) -> list:  # fmt: skip
    engine = make_engine(f"sqlite:///{tmp_path / 'store.db'}")
    init_db(engine)
    with Session(engine, expire_on_commit=False) as session:
        site = Site(name="某市民政局", url=base + "/")
        session.add(site)
        session.commit()
        scan = Scan(site_id=site.id, as_of=as_of)
        session.add(scan)
        session.commit()
        ctx = ScanContext(scan_id=scan.id, site_id=site.id, site_url=site.url, site_name=site.name,
                          as_of=as_of, is_government=government)  # fmt: skip
        check = RequiredPagesCheck()
        for page in pages:
            session.add_all(check.on_page(page, ctx))
        for text, target, outcome in links:
            session.add(
                LinkSource(scan_id=scan.id, page_url=base + "/", target_url=target, text=text)
            )
            session.add(LinkTarget(scan_id=scan.id, url=target, outcome=outcome))
        for path in docs:
            session.add(
                Document(scan_id=scan.id, url=base + path, title="某市养老服务补贴管理办法")
            )
        session.commit()
        found = list(check.on_site(SiteContext(**vars(ctx), session=session)))
        session.commit()
        return found


def reasons(found: list) -> set[tuple[str, str]]:
    return {(f.detail["item"], f.detail["reason"]) for f in found}


OK = LinkOutcome.ok


def test_a_complete_site(search_site, tmp_path: Path) -> None:
    base, seen = search_site
    home = parsed(
        f"<form action='{base}/s'><input name='q'><button>搜索</button></form>",
        base + "/",
        home=True,
    )
    links = [
        ("政府信息公开目录", base + "/ml/", OK),
        ("2025年政府信息公开工作年度报告", base + "/nb/1.html", OK),
    ]
    found = run_hook(tmp_path, base, links=links, docs=("/doc/1.html",),
                     pages=[home, parsed(GUIDE, base + "/zn/")])  # fmt: skip
    assert found == [] and len(seen) == 1


def test_missing_items_and_a_broken_link_is_no_evidence(search_site, tmp_path: Path) -> None:
    base, _ = search_site
    home = parsed(
        f"<form action='{base}/s'><input name='q'><button>搜索</button></form>",
        base + "/",
        home=True,
    )
    links = [("旧版政府信息公开目录", base + "/old/", LinkOutcome.broken)]
    found = run_hook(tmp_path, base, links=links, pages=[home], docs=("/doc/9.html",))
    assert reasons(found) == {
        ("guide", "missing"),
        ("catalog", "missing"),
        ("annual_report", "missing"),
    }
    # the document's own title is found by the search (its URL differs: the title matched)


def test_an_incomplete_guide_and_the_2019_catalogue_name(search_site, tmp_path: Path) -> None:
    base, _ = search_site
    home = parsed(
        f"<form action='{base}/s'><input name='q'><button>搜索</button></form>",
        base + "/",
        home=True,
    )
    guide = parsed("<h1>政府信息公开指南</h1><p>联系电话：0000-12345678</p>", base + "/zn/")
    links = [("法定主动公开内容", base + "/fd/", OK), ("2025年年度报告", base + "/nb/", OK)]
    found = run_hook(tmp_path, base, links=links, pages=[home, guide], docs=("/doc/x.html",))
    by_item = {f.detail["item"]: f for f in found}
    assert set(by_item) == {"guide"}
    assert by_item["guide"].detail["missing"] == ["address", "hours", "fax", "online"]
    assert by_item["guide"].page == base + "/zn/"


@pytest.mark.parametrize(
    ("as_of", "government", "expected"),
    [
        (dt.date(2026, 1, 31), False, set()),  # deadline day: not yet late
        (dt.date(2026, 2, 1), False, {("annual_report", "previous_year_missing")}),
        (dt.date(2026, 3, 31), True, set()),  # a government has until 31 March
        (dt.date(2026, 4, 1), True, {("annual_report", "previous_year_missing")}),
    ],
)
def test_annual_report_deadlines(tmp_path: Path, as_of, government, expected) -> None:
    base = "http://127.0.0.1:9"
    links = [("政府信息公开目录", base + "/ml/", OK), ("政府信息公开指南", base + "/zn.pdf", OK),
             ("2024年政府信息公开工作年度报告", base + "/nb/2024.html", OK)]  # fmt: skip
    found = run_hook(tmp_path, base, links=links, pages=[], as_of=as_of, government=government)
    assert reasons(found) == expected  # the guide is a file: found, not judged
    if expected:
        assert found[0].detail["year"] == 2025 and found[0].detail["newest_year"] == 2024


def test_no_search_on_the_home_page(tmp_path: Path) -> None:
    base = "http://127.0.0.1:9"
    links = [("政府信息公开目录", base + "/ml/", OK), ("政府信息公开指南", base + "/zn.pdf", OK),
             ("2025年政府信息公开工作年度报告", base + "/nb/", OK)]  # fmt: skip
    found = run_hook(
        tmp_path, base, links=links, pages=[parsed("<p>首页</p>", base + "/", home=True)]
    )
    assert reasons(found) == {("search", "no_search")}


# -- the sample portal -----------------------------------------------------------------------------------


@pytest.fixture(scope="module")
def portal_scan(tmp_path_factory: pytest.TempPathFactory) -> PortalScan:
    return scan_sample_portal(tmp_path_factory.getbasetemp())


def test_sample_portal_precision_and_recall(portal_scan: PortalScan) -> None:
    check = "missing_required_page"
    assert portal_scan.produced(check) == portal_scan.expected(check) == {("/", None)}
    [finding] = [f for f in portal_scan.findings if f.check == check]
    [expected] = portal_scan.truth.expected(check)
    assert {k: finding.detail[k] for k in expected.detail} == expected.detail
    assert finding.detail["query"]  # a real document title was searched for


def test_annual_reports_listed_in_a_column_are_read(tmp_path: Path) -> None:
    """A 年报 column's rows name the reports; the check's own bookkeeping rows (column keys
    starting "__") are left out — and only they: in SQL LIKE "_" matches any character."""
    engine = make_engine(f"sqlite:///{tmp_path / 'store.db'}")
    init_db(engine)
    with Session(engine) as session:
        site = Site(name="某市民政局", url="http://127.0.0.1/")
        session.add(site)
        session.commit()
        scan = Scan(site_id=site.id, as_of=AS_OF)
        session.add(scan)
        session.commit()
        column = "http://127.0.0.1/xxgk/ndbg/"
        items = [{"title": "某市民政局2025年政府信息公开工作年度报告", "url": column + "t1.html"}]
        bookkeeping = [{"title": "2019年政府信息公开工作年度报告", "url": column + "old.html"}]
        session.add_all([
            ListPage(scan_id=scan.id, url=column, column_key=column, name="政府信息公开年报",
                     items=items, item_count=1),
            ListPage(scan_id=scan.id, url=column, column_key="__placeholder__",
                     name="政府信息公开年报", items=bookkeeping, item_count=1),
        ])  # fmt: skip
        session.commit()
        assert report_years(session, scan.id) == {2025: column + "t1.html"}
