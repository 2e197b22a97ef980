"""extract.lists and extract.cms against real government pages (shared/real-pages) and
hand-made pages for the forms the real ones lack."""

from __future__ import annotations

import datetime as dt
import http.server
import json
import re
import threading
from collections.abc import Iterator
from pathlib import Path
from typing import ClassVar

import httpx
import pytest

import extract.linkblocks as linkblocks
import extract.lists as lists
import extract.placeholders as placeholders
from extract.cms import (
    column_key,
    expand_numbered,
    hanweb_pagination,
    hanweb_records,
    pager_first_page,
    pager_links,
    trs_pagination,
)
from extract.homepage import page_dated_items, page_link_items
from extract.lists import extract_list
from extract.parse import build_parsed_page
from extract.placeholders import PLACEHOLDER_MARKER_EMPTY, is_placeholder_page
from govpatrol.core.types import ParsedPage
from tests.spies import count_calls

REAL = Path(__file__).resolve().parents[2] / "shared" / "real-pages"
INDEX = json.loads((REAL / "index.json").read_text(encoding="utf-8")) if REAL.exists() else []
pytestmark = pytest.mark.skipif(not REAL.exists(), reason="shared/real-pages is not beside main")

# The day each capture was made ("around 2017-10", "captured 2026-09-22" …): a scan judges
# year-less dates against its own day, so the test does too.
CAPTURED = {
    "2017": dt.date(2017, 10, 31),
    "2020": dt.date(2020, 12, 31),
    "2026": dt.date(2026, 9, 22),
}

# Where the annotation's item count is an artefact of the annotator's regex, the markup
# decides (each is also checked against the annotation's own subset below).
COUNT_CORRECTIONS = {
    # 20 <li> rows; the annotation left out row 1, an off-site link (zgdaoyou.com).
    "list-trs-ul-cnta-lyrc-2017.html": 20,
    # 11 boxes of dated rows; the annotation counted the 8 whose rows read
    # <a href="./col/YYYYMM/t…">title<span class="time">…</span></a> on one line (79), so
    # it left out 供给侧改革 (date before the link), 文明旅游 (line break inside the span),
    # 厕所革命 (links to other channels), the PDF row and the off-site row.
    "home-trs-cnta-zdgz-2017.html": 108,
}


def _entries(*kinds: str) -> list[dict]:
    return [e for e in INDEX if e["kind"] in kinds]


# Pages saved without their address get a plausible one (a column folder's index page).
URL_FALLBACKS = {"list-trs-table-ordos-xxgknb-2020.html": "http://egb.site.invalid/xxgk/xxgknb/"}


def _url_of(entry: dict) -> str:
    known = (entry.get("source_url_if_known") or "").split(" ")[0]
    if known.startswith("http"):
        return known
    return URL_FALLBACKS.get(entry["file"], f"http://site.invalid/pages/{entry['file']}")


def _as_of(entry: dict) -> dt.date:
    found = re.search(r"(\d{4})\.html$", entry["file"])
    year = found.group(1) if found else "2026"
    return CAPTURED.get(year, dt.date(int(year), 12, 31))


def _real_page(entry: dict) -> ParsedPage:
    url = _url_of(entry)
    body = (REAL / entry["file"]).read_bytes()
    headers = {"content-type": "text/html"}
    return build_parsed_page(url, url, 200, headers, body, is_home=entry["kind"] == "home")


def _page(html: str, url: str = "http://site.invalid/xwzx/tzgg/index.html", **kw) -> ParsedPage:
    headers = {"content-type": "text/html; charset=utf-8"}
    return build_parsed_page(url, url, 200, headers, html.encode("utf-8"), **kw)


# ---------------------------------------------------------------------------------------
# Real pages: every list and home file, against its annotation


@pytest.mark.parametrize("entry", _entries("list"), ids=lambda e: e["file"])
def test_real_list_pages(entry: dict) -> None:
    found = extract_list(_real_page(entry), as_of=_as_of(entry))
    assert found is not None
    expected_items = COUNT_CORRECTIONS.get(entry["file"], entry["items"])
    assert len(found.items) == expected_items
    assert found.dated_count == expected_items  # every row of these lists shows a date
    assert found.newest_date == dt.date.fromisoformat(entry["newest_date"])
    assert found.column_name == entry["column_name"]
    assert found.placeholder is None
    for item in found.items:
        assert item.url.startswith("http")
        assert item.title and not re.fullmatch(r"[\d\-./\[\] ]+", item.title)
        assert item.date is not None and item.date <= _as_of(entry)


@pytest.mark.parametrize("entry", _entries("home"), ids=lambda e: e["file"])
def test_real_home_pages(entry: dict) -> None:
    page = _real_page(entry)
    items = page_dated_items(page, as_of=_as_of(entry))
    assert len(items) == COUNT_CORRECTIONS.get(entry["file"], entry["items"])
    assert max(item.date for item in items) == dt.date.fromisoformat(entry["newest_date"])
    assert extract_list(page, as_of=_as_of(entry)) is None  # a home page is not a list
    assert page_link_items(page) >= len(items)


@pytest.mark.parametrize("entry", _entries("document", "soft404"), ids=lambda e: e["file"])
def test_real_documents_are_not_lists(entry: dict) -> None:
    page = _real_page(entry)
    assert extract_list(page, as_of=_as_of(entry)) is None
    assert is_placeholder_page(page) is None


def _entry(file: str) -> dict:
    return next(e for e in INDEX if e["file"] == file)


def test_corrected_counts_contain_the_annotated_subsets() -> None:
    lyrc = _entry("list-trs-ul-cnta-lyrc-2017.html")
    items = extract_list(_real_page(lyrc), as_of=_as_of(lyrc)).items
    assert sum(1 for i in items if "cnta.gov.cn" in i.url) == lyrc["items"]
    home = _entry("home-trs-cnta-zdgz-2017.html")
    annotated = re.compile(
        r"/zdgz/(qyly|scjg|lyssc|lytz|lyxf|tzcx|sctg|lyrc)/\d{6}/t\d{8}_\d+\.shtml$"
    )
    items = page_dated_items(_real_page(home), as_of=_as_of(home))
    assert sum(1 for i in items if annotated.search(i.url)) == home["items"]


def test_year_less_dates_take_the_year_of_their_urls() -> None:
    entry = _entry("list-trs-table-zhangshu-zhxx-2017.html")
    found = extract_list(_real_page(entry), as_of=_as_of(entry))
    assert [i.date_text for i in found.items[:2]] == ["10-19", "10-19"]
    assert all(i.date == i.url_date for i in found.items)  # t2017MMDD agrees here
    # not sorted: 09-22 comes after 09-25 rows; the newest is the max, not the first row
    assert [i.date for i in found.items].index(dt.date(2017, 9, 22)) == 20
    # the header's scrolling box (05-17, 08-08 … of 2015–2017) is not the list
    assert all(i.date >= dt.date(2017, 9, 1) for i in found.items)


def test_year_less_home_rows_spanning_two_years() -> None:
    entry = _entry("home-trs-cnta-zdgz-2017.html")
    dates = {
        i.url.rsplit("/", 1)[-1]: i.date
        for i in page_dated_items(_real_page(entry), as_of=_as_of(entry))
    }
    assert dates["t20161025_787404.shtml"] == dt.date(2016, 10, 25)
    assert dates["t20161209_808862.shtml"] == dt.date(2016, 12, 9)
    assert dates["t20170227_815856.shtml"] == dt.date(2017, 2, 27)
    # the off-site row shows 11.09 and has no URL year: not after the scan day
    assert dates[""] == dt.date(2016, 11, 9)


def test_visible_date_wins_over_url_date() -> None:
    yichun = _entry("list-trs-table-yichun-zwyw-2017.html")
    first = extract_list(_real_page(yichun), as_of=_as_of(yichun)).items[0]
    assert (first.date, first.url_date) == (dt.date(2017, 10, 14), dt.date(2017, 10, 15))
    ordos = _entry("list-trs-table-ordos-xxgknb-2020.html")
    rows = {
        i.url.rsplit("/", 1)[-1]: i
        for i in extract_list(_real_page(ordos), as_of=_as_of(ordos)).items
    }
    assert rows["t20180205_2082017.html"].date == dt.date(2017, 1, 7)


def test_dates_inside_links_stay_out_of_titles() -> None:
    entry = _entry("list-trs-ul-cnta-sctg-2017.html")
    first = extract_list(_real_page(entry), as_of=_as_of(entry)).items[0]
    assert first.title == "区域品牌化 浙江绍兴美丽乡村成“旅游胜地”"
    assert first.date_text == "2017-10-14"


def test_hanweb_records_are_read_from_the_datastore_script() -> None:
    entry = _entry("list-hanweb-sdnyj-tzgg-2026.html")
    html = (REAL / entry["file"]).read_text(encoding="utf-8")
    assert len(hanweb_records(html)) == 45
    found = extract_list(_real_page(entry), as_of=_as_of(entry))
    last = found.items[-1]
    assert (last.date, last.url_date) == (dt.date(2025, 12, 23), dt.date(2025, 12, 23))
    # a title naming "2025-2029" is not a date; the row's date is its own span
    row = next(i for i in found.items if "2025-2029" in i.title)
    assert row.date == dt.date(2025, 12, 24)
    proxy = hanweb_pagination(html, _url_of(entry))
    assert len(proxy) == 4  # 224 records, 45 embedded, groups of 45
    assert "startrecord=46&endrecord=90&perpage=15" in proxy[0]
    assert "columnid=59960" in proxy[0] and "unitid=745545" in proxy[0]
    assert "startrecord=181&endrecord=224" in proxy[-1]


def test_pagers_of_real_pages() -> None:
    expectations = {
        "list-trs-table-zhangshu-zhxx-2017.html": ("index_1.html", "index_20.html", 20),
        "list-trs-ul-cnta-sctg-2017.html": ("index_1.shtml", "index_10.shtml", 10),
        "list-trs-table-ordos-xxgknb-2020.html": ("index_1.html", "index_1.html", 1),
        "list-phpcms-wanzai-wzyw-2017.html": ("wanzaiyaowen-1.html", "wanzaiyaowen-30.html", 30),
        "list-powereasy-jxjaxzf-zwyw-2017.html": ("Index_2.aspx", "Index_101.aspx", 100),
        "list-turbocms-jxfc-xw-2017.html": ("index_958_1.html", "index_958_100.html", 100),
    }
    for file, (first, last, count) in expectations.items():
        entry = _entry(file)
        pages = extract_list(_real_page(entry), as_of=_as_of(entry)).pagination
        assert (pages[0].endswith(first), pages[-1].endswith(last), len(pages)) == (
            True,
            True,
            count,
        ), file


def test_enorth_rows_count_once_and_phone_numbers_are_no_dates() -> None:
    entry = _entry("list-enorth-gaxww-rdxw-2017.html")
    found = extract_list(_real_page(entry), as_of=_as_of(entry))
    assert len({i.url for i in found.items}) == len(found.items) == 12  # 查阅全文 links
    assert found.breadcrumb == ["中国江西网首页", "中国高安网", "热点新闻"]


# ---------------------------------------------------------------------------------------
# A real HTTP round trip: bytes as a server sends them, decoded by the crawler's parser


class _Handler(http.server.BaseHTTPRequestHandler):
    routes: ClassVar[dict[str, tuple[bytes, str]]] = {}

    def do_GET(self) -> None:
        body, content_type = self.routes.get(self.path, (b"", ""))
        self.send_response(200 if body else 404)
        self.send_header("Content-Type", content_type or "text/plain")
        self.send_header("Content-Length", str(len(body)))
        self.end_headers()
        self.wfile.write(body)

    def log_message(self, *args: object) -> None:
        return


@pytest.fixture
def server() -> Iterator[str]:
    httpd = http.server.ThreadingHTTPServer(("127.0.0.1", 0), _Handler)
    thread = threading.Thread(
        target=httpd.serve_forever, kwargs={"poll_interval": 0.05}, daemon=True
    )
    thread.start()
    try:
        yield f"http://127.0.0.1:{httpd.server_address[1]}"
    finally:
        httpd.shutdown()
        httpd.server_close()


def test_pages_fetched_over_http(server: str) -> None:
    gb = "<html><head><meta charset=gb2312><title>公告</title></head><body>"
    gb += "<div class=position>当前位置：<a href=/>首页</a> &gt; <a href=/gg/>公告栏</a></div><ul>"
    gb += "".join(
        f"<li><a href=/gg/{i}.html>公告第{i}号</a><span>2023年12月{i + 1}日</span></li>"
        for i in range(5)
    )
    gb += "</ul></body></html>"
    _Handler.routes = {
        "/gg/": (gb.encode("gb18030"), "text/html; charset=gb2312"),
        "/rd/": (
            (REAL / "list-enorth-gaxww-rdxw-2017.html").read_bytes(),
            "text/html; charset=gb2312",
        ),
    }
    with httpx.Client(timeout=5) as client:
        pages = {}
        for path in _Handler.routes:
            response = client.get(server + path)
            assert response.status_code == 200
            headers = dict(response.headers)
            pages[path] = build_parsed_page(
                str(response.url), str(response.url), 200, headers, response.content
            )
    gg = extract_list(pages["/gg/"], as_of=dt.date(2024, 1, 1))
    assert (gg.column_name, len(gg.items), gg.newest_date) == ("公告栏", 5, dt.date(2023, 12, 5))
    assert gg.items[0].url == server + "/gg/0.html"
    # declared gb2312, stored as UTF-8: still read right (the crawler's decoder picks)
    rd = extract_list(pages["/rd/"], as_of=dt.date(2017, 10, 31))
    assert (rd.column_name, len(rd.items)) == ("热点新闻", 12)


# ---------------------------------------------------------------------------------------
# Hand-made pages: forms the real ones lack

NAV = (
    '<div class="nav"><ul>'
    + "".join(f'<li><a href="/c{i}/">栏目{i}</a></li>' for i in range(8))
    + "</ul></div>"
)
FOOT = '<div class="footer"><a href="/about.html">关于我们</a> 主办：某某市人民政府 电话：0795-5210210</div>'
CRUMB = '<div class="location">当前位置：<a href="/">首页</a> &gt; <a href="/xwzx/">新闻中心</a> &gt; <a href="./">通知公告</a></div>'


def _column_page(main: str, side: str = "", crumb: str = CRUMB) -> str:
    return (
        "<html><head><title>通知公告_某某市人民政府</title></head><body>"
        f'{NAV}{crumb}<div class="main"><div class="l">{side}</div><div class="r">{main}</div></div>'
        f"{FOOT}</body></html>"
    )


def _rows(template: str, values: list) -> str:
    return "".join(template.format(i=i, v=v) for i, v in enumerate(values))


def test_chinese_dates_list() -> None:
    rows = _rows('<li><a href="./{i}.html">关于第{i}项工作的通知</a><span>{v}</span></li>',
                 ["2023年12月28日", "2023年12月1日", "2023年11月5日", "2023年9月30日"])  # fmt: skip
    found = extract_list(_page(_column_page(f"<ul>{rows}</ul>")), as_of=dt.date(2024, 1, 10))
    assert [str(i.date) for i in found.items] == [
        "2023-12-28",
        "2023-12-01",
        "2023-11-05",
        "2023-09-30",
    ]
    assert found.column_name == "通知公告"
    assert found.breadcrumb == ["首页", "新闻中心", "通知公告"]


def test_year_less_list_crossing_new_year() -> None:
    rows = _rows('<li><a href="/a/{i}.html">动态第{i}条</a><span>[{v}]</span></li>',
                 ["01-05", "01-02", "12-30", "12-28", "12-01"])  # fmt: skip
    found = extract_list(_page(_column_page(f"<ul>{rows}</ul>")), as_of=dt.date(2024, 1, 10))
    assert [str(i.date) for i in found.items] == [
        "2024-01-05", "2024-01-02", "2023-12-30", "2023-12-28", "2023-12-01",
    ]  # fmt: skip
    assert found.newest_date == dt.date(2024, 1, 5)


@pytest.mark.parametrize(
    "block",
    [
        # div rows, date in <em> after the link
        '<div class="news">' + _rows('<div><a href="/a/{i}.html">新闻第{i}条消息</a><em>[2023-0{v}-10]</em></div>', [1, 2, 3, 4, 5]) + "</div>",
        # p rows, date as plain text
        '<div class="con">' + _rows('<p><a href="/a/{i}.html">公示第{i}条</a>　2023-0{v}-10</p>', [1, 2, 3, 4, 5]) + "</div>",
        # a flat run separated by <br>
        '<div class="con">' + _rows('<a href="/a/{i}.html">公告第{i}条</a> (2023-0{v}-10)<br>', [1, 2, 3, 4, 5]) + "</div>",
        # dt/dd rows
        '<dl class="list">' + _rows('<dt><a href="/a/{i}.html">文件第{i}号</a></dt><dd>发布时间：2023-0{v}-10</dd>', [1, 2, 3, 4, 5]) + "</dl>",
        # a table with a header row
        '<table><tr><th>标题</th><th>日期</th></tr>' + _rows('<tr><td><a href="/a/{i}.html">表格行{i}</a></td><td>2023-0{v}-10</td></tr>', [1, 2, 3, 4, 5]) + "</table>",
        # rows with a column link before the title link
        '<ul class="list">' + _rows('<li><a href="/col/{i}/">[通知]</a><a href="/a/{i}.html">关于第{i}项工作的通知</a><span>2023-0{v}-10</span></li>', [1, 2, 3, 4, 5]) + "</ul>",
    ],
    ids=["div-rows", "p-rows", "flat-br", "dl-dt-dd", "table", "two-links"],
)  # fmt: skip
def test_row_shapes(block: str) -> None:
    found = extract_list(_page(_column_page(block)), as_of=dt.date(2024, 1, 10))
    assert found is not None
    assert len(found.items) == found.dated_count == 5
    assert found.newest_date == dt.date(2023, 5, 10)
    assert [i.url.rsplit("/", 1)[-1] for i in found.items] == [f"{i}.html" for i in range(5)]
    assert not any(i.title.startswith("[") for i in found.items)


@pytest.mark.parametrize(
    ("main", "side", "expected"),
    [
        ('<ul class="list"><li>暂无信息</li></ul>', "", "暂无信息"),
        ('<div class="list"></div>', "", PLACEHOLDER_MARKER_EMPTY),
        ('<div class="content"><p>本栏目正在建设中，敬请期待！</p></div>', "", "本栏目正在建设中，敬请期待！"),
        ('<div class="list">暂无数据</div>',
         '<div class="hot"><h3>热点排行</h3><ul>' + _rows('<li><a href="/h/{i}.html">热点{i}</a><span>2023-12-0{v}</span></li>', [1, 2, 3, 4, 5, 6]) + "</ul></div>",
         "暂无数据"),
        ('<div class="list">暂无数据</div>',
         '<div class="box"><h3>最新动态</h3><ul>' + _rows('<li><a href="/h/{i}.html">侧栏{i}</a><span>2023-12-0{v}</span></li>', [1, 2, 3, 4, 5, 6]) + "</ul></div>",
         "暂无数据"),
    ],
    ids=["zanwu", "empty-container", "under-construction", "zanwu+hot-box", "zanwu+other-box"],
)  # fmt: skip
def test_empty_columns(main: str, side: str, expected: str) -> None:
    found = extract_list(_page(_column_page(main, side), "http://site.invalid/zwgk/abc/"))
    assert found is not None
    assert (found.items, found.placeholder, found.column_name) == ([], expected, "通知公告")


def test_rows_with_several_dates_use_the_publication_date() -> None:
    # 信息公开 table: 文号, 成文日期, 发布日期, and a validity date after the scan day
    rows = _rows(
        '<tr><td><a href="/a/{i}.html">规范性文件{i}</a></td><td>赣府发〔2023〕{i}号</td>'
        "<td>2023-0{v}-01</td><td>2023-0{v}-15</td><td>有效期至2024-12-31</td></tr>",
        [1, 2, 3],
    )
    found = extract_list(_page(_column_page(f"<table>{rows}</table>")), as_of=dt.date(2024, 1, 10))
    assert [str(i.date) for i in found.items] == ["2023-01-15", "2023-02-15", "2023-03-15"]


def test_a_list_wins_over_an_empty_side_box() -> None:
    rows = _rows(
        '<li><a href="/a/{i}.html">动态第{i}条</a><span>2023-12-1{v}</span></li>', [1, 2, 3]
    )
    side = '<div class="box"><h3>图片新闻</h3><p>暂无信息</p></div>'
    found = extract_list(_page(_column_page(f"<ul>{rows}</ul>", side)))
    assert (len(found.items), found.placeholder) == (3, None)


def test_a_list_filled_by_script_is_not_empty() -> None:
    html = _column_page(
        '<ul id="newsList" class="list"></ul><script>$("#newsList").load("/api");</script>'
    )
    assert extract_list(_page(html)) is None


def test_pages_that_are_not_lists() -> None:
    nav_only = _column_page(
        "<ul>" + _rows('<li><a href="/sub{i}/">子栏目{i}</a></li>', range(6)) + "</ul>"
    )
    assert extract_list(_page(nav_only)) is None
    body = "各乡镇人民政府，各有关单位：根据工作安排，现将有关事项通知如下。" * 20
    related = (
        '<div class="related"><h3>相关文章</h3><ul>'
        + _rows('<li><a href="/a/{i}.html">相关{i}</a><span>2023-01-0{v}</span></li>', [1, 2, 3, 4])
        + "</ul></div>"
    )
    article = _column_page(
        f"<h1>关于某事的通知</h1><div class='content'><p>{body}</p></div>{related}"
    )
    assert extract_list(_page(article, "http://site.invalid/tzgg/202301/t20230105_1.html")) is None
    assert extract_list(_page(article, "http://site.invalid/tzgg/detail.jsp?id=5")) is None
    portal = (
        "<html><body>"
        + NAV
        + "".join(
            f'<div class="box"><h3>板块{b}</h3><ul>'
            + _rows(
                f'<li><a href="/b{b}/{{i}}.html">板块{b}新闻{{i}}</a><span>2023-12-1{{v}}</span></li>',
                range(7),
            )
            + "</ul></div>"
            for b in range(4)
        )
        + FOOT
        + "</body></html>"
    )
    assert extract_list(_page(portal)) is None
    assert len(page_dated_items(_page(portal))) == 28
    rows = _rows(
        '<li><a href="/a/{i}.html">动态第{i}条</a><span>2023-12-1{v}</span></li>', [1, 2, 3]
    )
    assert extract_list(_page(_column_page(f"<ul>{rows}</ul>"), is_home=True)) is None


def test_placeholder_articles() -> None:
    page = _page(
        _column_page("<div class='content'><p>该栏目正在建设中</p></div>"),
        "http://site.invalid/zwgk/202401/t20240102_9.html",
    )
    assert extract_list(page) is None  # an article, not a column
    assert is_placeholder_page(page) == "该栏目正在建设中"
    normal = _page(
        _column_page("<div class='content'><p>" + "正文内容。" * 100 + "正在建设中的项目</p></div>")
    )
    assert is_placeholder_page(normal) is None
    promo = _page(
        _column_page(
            "<div class='content'><p>" + "正文内容。" * 100 + "</p><p>更多精彩敬请期待</p></div>"
        ),
        "http://site.invalid/xwzx/123.html",
    )
    assert extract_list(promo) is None and is_placeholder_page(promo) is None


def test_column_name_without_breadcrumb() -> None:
    rows = _rows('<li><a href="/a/{i}.html">第{i}条</a><span>2023-12-1{v}</span></li>', [1, 2, 3])
    html = f"<html><head><title>工作动态 - 某某县人民政府</title></head><body><ul>{rows}</ul></body></html>"
    assert extract_list(_page(html)).column_name == "工作动态"
    boxed = f'<html><head><title>某某县人民政府</title></head><body><div class="hd"><h3>人事信息</h3></div><div><ul>{rows}</ul></div></body></html>'
    assert extract_list(_page(boxed)).column_name == "人事信息"


def test_undated_list_of_articles() -> None:
    rows = _rows(
        '<li><a href="/xw/2023{v:02d}/t2023{v:02d}10_{i}.html">讲话第{i}篇</a></li>',
        [1, 2, 3, 4, 5, 6],
    )
    found = extract_list(_page(_column_page(f"<ul>{rows}</ul>")))
    assert (len(found.items), found.dated_count, found.newest_date) == (6, 0, None)
    assert found.newest_url_date == dt.date(2023, 6, 10)


def test_later_pages_name_their_first_page() -> None:
    rows = _rows('<li><a href="/a/{i}.html">第{i}条</a><span>2023-12-1{v}</span></li>', [1, 2, 3])
    pager = '<div class="page"><a href="list.html">首页</a><a href="list.html">上一页</a><a href="list_3.html">下一页</a><a href="list_9.html">尾页</a></div>'
    page = _page(_column_page(f"<ul>{rows}</ul>{pager}"), "http://site.invalid/tzgg/list_2.html")
    found = extract_list(page)
    assert found.first_page == "http://site.invalid/tzgg/list.html"
    assert column_key(found.first_page) == "http://site.invalid/tzgg/list.html"
    assert found.pagination[-1] == "http://site.invalid/tzgg/list_9.html"
    assert "http://site.invalid/tzgg/list_5.html" in found.pagination  # gaps filled
    # a lone 首页 link in the folder is the home page, not a pager
    lone = _page(
        _column_page(f"<ul>{rows}</ul>", crumb='<a href="index.html">首页</a>'),
        "http://site.invalid/list.html",
    )
    assert pager_first_page(lone.tree, lone.url) is None


# ---------------------------------------------------------------------------------------
# cms: pagers and column keys


@pytest.mark.parametrize(
    ("url", "key"),
    [
        ("http://A.invalid/zwgk/zhxx/index.html", "http://a.invalid/zwgk/zhxx/"),
        ("http://a.invalid/zwgk/zhxx/index_1.html", "http://a.invalid/zwgk/zhxx/"),
        ("http://a.invalid/zwgk/zhxx/index_2.htm", "http://a.invalid/zwgk/zhxx/"),
        ("http://a.invalid/zwgk/zhxx/", "http://a.invalid/zwgk/zhxx/"),
        ("http://a.invalid/Category_133/Index_2.aspx", "http://a.invalid/Category_133/"),
        ("http://a.invalid/n3/n13/index_958_3.html", "http://a.invalid/n3/n13/"),
        ("http://a.invalid/x/list.jsp?page=2&cat=5", "http://a.invalid/x/list.jsp?cat=5"),
        ("http://a.invalid/x/list.jsp?cat=5&pageIndex=3", "http://a.invalid/x/list.jsp?cat=5"),
        ("http://a.invalid/x/tzgg_2.html", "http://a.invalid/x/tzgg.html"),
        ("http://a.invalid/news-list-wzyw-2.html", "http://a.invalid/news-list-wzyw.html"),
        ("http://a.invalid/list-12-2.html", "http://a.invalid/list-12.html"),
        ("http://a.invalid/list-12-1.html", "http://a.invalid/list-12.html"),
        ("http://a.invalid/col_12.html", "http://a.invalid/col_12.html"),  # an id, not a page
        ("http://a.invalid/list_12.html", "http://a.invalid/list_12.html"),
        ("http://a.invalid/x/#top", "http://a.invalid/x/"),
    ],
)
def test_column_key(url: str, key: str) -> None:
    assert column_key(url) == key


def test_trs_pagination_forms() -> None:
    base = "http://a.invalid/zwgk/tzgg/"
    call = '<script>createPageHTML(5, 0, "index", "html");</script>'
    assert trs_pagination(call, base) == [f"{base}index_{i}.html" for i in range(1, 5)]
    newer = "<script>createPageHTML('page_div',4, 2,'index','shtml',60);</script>"
    assert trs_pagination(newer, base + "index_2.shtml") == [
        f"{base}index.shtml", f"{base}index_1.shtml", f"{base}index_3.shtml",
    ]  # fmt: skip
    inline = 'var currentPage = 0;//从0开始\nvar countPage = 300\ndocument.write("<a href=\\"index.html\\">")'
    assert len(trs_pagination(inline, base, max_pages=50)) == 50
    assert trs_pagination("function createPageHTML(_nPageCount, _nCurrIndex) {}", base) == []


def test_expand_numbered_and_pager_links() -> None:
    urls = [f"http://a.invalid/c/Index_{n}.aspx" for n in (2, 3, 7, 120)]
    expanded = expand_numbered(urls, max_pages=10)
    assert expanded[0].endswith("Index_2.aspx") and expanded[-1].endswith("Index_11.aspx")
    page = _page(
        '<html><body><div class="pager"><a href="?page=2">下一页</a><a href="?page=40">尾页</a>'
        '<a href="/other/?page=3">3</a></div><select onchange="go(this)"><option value="http://x.invalid/">友情链接</option></select></body></html>',
        "http://site.invalid/list/?cat=7",
    )
    links = pager_links(page.tree, page.url, max_pages=100)
    assert links[0] == "http://site.invalid/list/?page=2" and len(links) == 39


# ---------------------------------------------------------------------------------------
# What keeps extraction cheap: it runs on every page of 20,000-page sites


def test_extraction_gathers_links_once_and_works_on_the_list_alone(
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    """bench/checks.py times extraction on these pages; what keeps it cheap: a home page
    is turned away before a link is read; on any other page every link's row and block
    come from one gathering pass; whether an element lies in navigation or a side box is
    memoised per element, so class and id are read about once per element, not once per
    link below it; and only the chosen list's rows get their URL resolved and a year,
    while a page that is no list stops before its breadcrumb and pager are read."""
    calls = count_calls(
        monkeypatch, lists, "_absolute", "assign_years", "find_breadcrumb", "_pagination"
    )
    block_calls = count_calls(monkeypatch, linkblocks, "_collect_blocks", "class_tokens")
    # class and id words are read by linkblocks (chrome, box headings) and placeholders
    placeholder_calls = count_calls(monkeypatch, placeholders, "class_tokens")
    links = resolved = 0
    for entry in INDEX:
        page = _real_page(entry)
        name, kind = entry["file"], entry["kind"]
        for counter in (calls, block_calls, placeholder_calls):
            counter.clear()
        found = extract_list(page, as_of=_as_of(entry))
        assert (found is not None) == (kind == "list"), name
        if kind == "home":
            assert calls == block_calls == placeholder_calls == {}, name
            continue
        # a Hanweb page's records come as a script's markup: a second, small pass over them
        assert block_calls["_collect_blocks"] == (2 if "<datastore" in page.text else 1), name
        class_reads = block_calls["class_tokens"] + placeholder_calls["class_tokens"]
        assert class_reads <= sum(1 for _ in page.tree.iter()), name
        if found is None:
            assert calls["_absolute"] == calls["find_breadcrumb"] == calls["_pagination"] == 0, name
            continue
        assert calls["_absolute"] == len(found.items) and calls["assign_years"] == 1, name
        assert calls["find_breadcrumb"] == calls["_pagination"] == 1, name
        links += sum(1 for _ in page.tree.iter("a"))
        resolved += calls["_absolute"]
    assert resolved * 3 < links  # 252 of 1,061 when written: not the menus and sidebars


@pytest.mark.parametrize(
    "rows",
    [
        "<table><tr><td><a href='202610/t20261002_1.html'>关于做好相关工作的通知</a></td>"
        "<td>2026-10-02</td></tr></table>",
        "<ul><li><a href='202610/t20261002_1.html'>关于做好相关工作的通知</a>"
        "<span>2026-10-02</span></li></ul>",
        "<dl><dt><a href='202610/t20261002_1.html'>关于做好相关工作的通知</a></dt>"
        "<dd>2026-10-02</dd></dl>",
    ],
)
def test_a_column_of_one_item_is_a_list_of_one(rows: str) -> None:
    """The lone link of a one-item column is a row of its list, not its whole box (which
    also holds the column's heading)."""
    html = (
        "<html><head><title>通知公告</title></head><body>"
        "<div class='location'>当前位置：<a href='/'>首页</a> &gt; <a href='./'>通知公告</a></div>"
        f"<div class='content'><div class='title'><h2>通知公告</h2></div>{rows}</div></body></html>"
    )
    found = extract_list(_page(html), as_of=dt.date(2026, 11, 20))
    assert found is not None
    assert [(i.title, i.date) for i in found.items] == [
        ("关于做好相关工作的通知", dt.date(2026, 10, 2))
    ]
