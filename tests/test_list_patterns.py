"""Column list markup seen on real portals, in hand-made fixtures: a column's rows split into
sibling groups, inactive client-side template branches that say 暂无数据 beside real rows,
section and channel pages (新闻中心, 政务公开) that are no column, and what the real
corpus's channel page makes of all three."""

from __future__ import annotations

import datetime as dt
import json
from pathlib import Path

import pytest

from extract.homepage import page_dated_items
from extract.linkblocks import page_of
from extract.lists import extract_list
from extract.parse import build_parsed_page
from extract.placeholders import is_placeholder_page, placeholder_text
from govpatrol.core.types import ParsedPage

AS_OF = dt.date(2025, 3, 31)
NAV = (
    '<div class="nav"><ul>'
    + "".join(f'<li><a href="/c{i}/">栏目{i}</a></li>' for i in range(8))
    + "</ul></div>"
)
FOOT = '<div class="footer">主办：某某县人民政府　电话：0000-1234567</div>'


def _page(main: str, *, name: str = "工作动态", parent: str = "新闻中心") -> ParsedPage:
    crumb = (
        '<div class="location">当前位置：<a href="/">首页</a> &gt; '
        f'<a href="/xwzx/">{parent}</a> &gt; <a href="./">{name}</a></div>'
    )
    html = (
        f"<html><head><title>{name}_某某县人民政府</title></head><body>{NAV}{crumb}"
        f'<div class="main">{main}</div>{FOOT}</body></html>'
    )
    url = "http://site.invalid/xwzx/gzdt/index.html"
    headers = {"content-type": "text/html; charset=utf-8"}
    return build_parsed_page(url, url, 200, headers, html.encode("utf-8"))


def _days(count: int, newest: dt.date = dt.date(2025, 3, 20), step: int = 3) -> list[dt.date]:
    return [newest - dt.timedelta(days=step * n) for n in range(count)]


def _li(n: int, day: dt.date) -> str:
    return (
        f'<li><a href="./{day:%Y%m}/t{day:%Y%m%d}_{n}.html">第{n}条工作动态的标题</a>'
        f'<span class="date">{day.isoformat()}</span></li>'
    )


def _tr(n: int, day: dt.date) -> str:
    return (
        f'<tr><td><a href="/xwzx/gzdt/content_{n}.html">第{n}条工作动态的标题</a></td>'
        f"<td>[{day.isoformat()}]</td></tr>"
    )


def _split(days: list[dt.date], size: int, group: str) -> list[str]:
    """The rows cut into groups of ``size``, each rendered by ``group`` (a format string
    whose ``{rows}`` takes the group's rows)."""
    rows_of = _tr if "<table" in group else _li
    chunks = [days[i : i + size] for i in range(0, len(days), size)]
    return [
        group.format(rows="".join(rows_of(i * size + n, d) for n, d in enumerate(chunk)))
        for i, chunk in enumerate(chunks)
    ]


# ---------------------------------------------------------------------------------------
# Sibling groups of one column


SPLIT_LAYOUTS = {
    # <ul> groups of 5 with a rule between them
    "ul-every-5": (5, '<ul class="list">{rows}</ul>', '<div class="line"></div>'),
    # one <table> (with a tbody) per 10 rows, a blank line between
    "table-every-10": (10, '<table class="tb"><tbody>{rows}</tbody></table>', "<br>"),
    # each <ul> wrapped in its own div, numbered classes
    "wrapped-groups": (5, '<div class="g"><ul class="news">{rows}</ul></div>', ""),
}


@pytest.mark.parametrize("layout", SPLIT_LAYOUTS, ids=list(SPLIT_LAYOUTS))
def test_sibling_groups_are_one_list(layout: str) -> None:
    size, group, separator = SPLIT_LAYOUTS[layout]
    days = _days(22)
    main = f'<div class="list-box"><h2>工作动态</h2><div class="con">{separator.join(_split(days, size, group))}</div></div>'
    found = extract_list(_page(main), as_of=AS_OF)
    assert found is not None, layout
    assert len(found.items) == found.dated_count == 22
    assert found.newest_date == days[0]
    assert [item.date for item in found.items] == days  # in page order, every group
    assert found.column_name == "工作动态" and found.placeholder is None


def test_groups_of_different_columns_stay_apart() -> None:
    """Side-by-side boxes with headings, and tab panes, are a portal's blocks: not merged."""
    boxes = "".join(
        f'<div class="box"><h3>板块{b}</h3><ul class="list">'
        + "".join(_li(b * 10 + n, d) for n, d in enumerate(_days(6, dt.date(2025, 3, 20 - b))))
        + "</ul></div>"
        for b in range(4)
    )
    assert extract_list(_page(boxes, name="新闻中心", parent="首页"), as_of=AS_OF) is None
    panes = "".join(
        f'<ul class="pane"{"" if b == 0 else " style=display:none"}>'
        + "".join(_li(b * 10 + n, d) for n, d in enumerate(_days(6, dt.date(2025, 3, 20 - b))))
        + "</ul>"
        for b in range(4)
    )
    tabs = f'<div class="tabs"><div class="tab-nav"><span>要闻</span><span>通知</span></div><div class="tab-body">{panes}</div></div>'
    assert extract_list(_page(tabs, name="新闻中心", parent="首页"), as_of=AS_OF) is None
    # four sibling groups whose dates start again at each group: four columns' boxes
    restarting = '<div class="con">' + "".join(
        '<ul class="list">'
        + "".join(_li(b * 10 + n, d) for n, d in enumerate(_days(5, dt.date(2025, 3, 10 + 3 * b))))
        + "</ul>"
        for b in range(4)
    ) + "</div>"  # fmt: skip
    assert extract_list(_page(restarting, name="新闻中心", parent="首页"), as_of=AS_OF) is None


# ---------------------------------------------------------------------------------------
# Inactive template branches


INACTIVE_BRANCHES = {
    "vue-v-if": '<div class="nodata" v-if="list.length === 0">暂无数据</div>',
    "vue-v-else": '<p v-if="loading">加载中</p><p v-else-if="!total" class="empty">暂无数据</p>',
    "vue-v-show": '<div v-show="total == 0"><span>暂无数据</span></div>',
    "angular-ng-if": '<div ng-if="!items.length">暂无数据</div>',
    "angular-ng-show": '<p ng-show="items.length == 0">暂无信息</p>',
    "handlebars": '<div class="tip">{{#if rows.length}}{{else}}暂无数据{{/if}}</div>',
    "art-template": '<div class="tip">{{if list.length == 0}}<p>暂无数据</p>{{/if}}</div>',
    "layui-laytpl": '<div class="tip">{{# if(d.length === 0){ }}<p>暂无数据</p>{{# } }}</div>',
    "script-text-html": '<script type="text/html" id="tpl-empty"><div class="empty">暂无数据</div></script>',
    "template-element": '<template id="empty"><div class="empty">暂无数据</div></template>',
    "display-none": '<div class="no-data" style="display: none;">暂无数据</div>',
    "layui-hide-class": '<div class="empty layui-hide">暂无数据</div>',
    "hidden-attribute": "<div hidden>暂无数据</div>",
}


@pytest.mark.parametrize("branch", INACTIVE_BRANCHES, ids=list(INACTIVE_BRANCHES))
def test_an_inactive_empty_branch_beside_rows_is_not_a_notice(branch: str) -> None:
    rows = "".join(_li(n, d) for n, d in enumerate(_days(8)))
    page = _page(
        f'<div class="list-box"><ul class="list">{rows}</ul>{INACTIVE_BRANCHES[branch]}</div>'
    )
    found = extract_list(page, as_of=AS_OF)
    assert found is not None and len(found.items) == found.dated_count == 8
    assert found.placeholder is None
    assert is_placeholder_page(page) is None
    assert placeholder_text(page_of(page, AS_OF)) is None  # the notice is not read at all


@pytest.mark.parametrize("branch", ["vue-v-if", "handlebars", "display-none"])
def test_an_inactive_branch_alone_does_not_make_a_page_empty(branch: str) -> None:
    """No rows, only an unrendered 暂无数据: the page says nothing a visitor sees."""
    page = _page(f'<div class="list-box">{INACTIVE_BRANCHES[branch]}</div>')
    assert extract_list(page, as_of=AS_OF) is None
    assert is_placeholder_page(page) is None


def test_a_visible_notice_still_makes_an_empty_column() -> None:
    page = _page('<div class="list-box"><div class="nodata">暂无数据</div></div>')
    found = extract_list(page, as_of=AS_OF)
    assert found is not None and (found.items, found.placeholder) == ([], "暂无数据")


def test_split_groups_with_an_inactive_notice_are_a_full_list() -> None:
    """The measured failure: 22 rows in sibling groups plus a template's 暂无数据."""
    days = _days(22)
    groups = "".join(_split(days, 5, '<ul class="list">{rows}</ul>'))
    main = (
        f'<div class="list-box" id="app"><h2>工作动态</h2><div class="con">{groups}</div>'
        '<div class="empty" v-if="!list.length">暂无数据</div></div>'
    )
    page = _page(main)
    found = extract_list(page, as_of=AS_OF)
    assert found is not None and len(found.items) == 22 and found.placeholder is None
    assert is_placeholder_page(page) is None


# ---------------------------------------------------------------------------------------
# Section and channel pages


def _child_box(key: str, name: str, rows: int, more: str = "more-link") -> str:
    items = "".join(
        f'<li><a href="/xwzx/{key}/202503/t202503{20 - n:02d}_{n}.html">{name}第{n}条</a>'
        f"<span>2025-03-{20 - n:02d}</span></li>"
        for n in range(rows)
    )
    listing = f"<ul>{items}</ul>" if rows else "<p>暂无信息</p>"
    if more == "more-link":
        head = f'<div class="tit"><h3>{name}</h3><a class="more" href="/xwzx/{key}/">更多&gt;&gt;</a></div>'
    elif more == "more-image":
        head = f'<div class="tit"><span>{name}</span><a href="/xwzx/{key}/index.html"><img src="/img/more.png" alt=""></a></div>'
    else:  # a linked heading
        head = f'<h3><a href="/xwzx/{key}/">{name}</a></h3>'
    return f'<div class="box">{head}{listing}</div>'


@pytest.mark.parametrize("more", ["more-link", "more-image", "linked-heading"])
def test_section_pages_are_no_column(more: str) -> None:
    # one child box is dominant (10 rows), another is empty and says 暂无信息
    boxes = (
        _child_box("gzdt", "工作动态", 10, more)
        + _child_box("tzgg", "通知公告", 3, more)
        + _child_box("zcjd", "政策解读", 0, more)
    )
    page = _page(f'<div class="section">{boxes}</div>', name="新闻中心", parent="首页")
    assert extract_list(page, as_of=AS_OF) is None
    assert is_placeholder_page(page) is None


def test_a_list_page_with_more_links_in_its_other_boxes_is_still_a_list() -> None:
    rows = "".join(_li(n, d) for n, d in enumerate(_days(15)))
    side = _child_box("tpxw", "图片报道", 4) + _child_box("spxw", "视频报道", 4)
    page = _page(f'<div class="l">{side}</div><div class="r"><ul class="list">{rows}</ul></div>')
    found = extract_list(page, as_of=AS_OF)
    assert found is not None and len(found.items) == 15
    linked_titles = "".join(
        f'<li><h3><a href="/xwzx/gzdt/a{n}.html">短标题{n}</a></h3><span>{d.isoformat()}</span></li>'
        for n, d in enumerate(_days(6))
    )
    found = extract_list(_page(f'<ul class="list">{linked_titles}</ul>'), as_of=AS_OF)
    assert found is not None and len(found.items) == 6


# ---------------------------------------------------------------------------------------
# The real corpus's channel page: a section whose first box is split into two groups


REAL = Path(__file__).resolve().parents[2] / "shared" / "real-pages"


@pytest.mark.skipif(not REAL.exists(), reason="shared/real-pages is not beside the checkout")
def test_real_channel_page_is_a_section_with_split_groups() -> None:
    entry = next(
        e
        for e in json.loads((REAL / "index.json").read_text(encoding="utf-8"))
        if e["file"] == "home-trs-cnta-zdgz-2017.html"
    )
    url = "http://www.cnta.gov.cn/zdgz/"
    body = (REAL / entry["file"]).read_bytes()
    page = build_parsed_page(url, url, 200, {"content-type": "text/html"}, body)
    assert not page.is_home  # crawled as a second-level page, as a scan meets it
    as_of = dt.date(2017, 10, 31)
    assert extract_list(page, as_of=as_of) is None
    assert is_placeholder_page(page) is None
    # its 全域旅游 box prints 18 rows in two groups of 9: the annotation's 17 articles and
    # the PDF row it left out
    assert "qyly 17 items" in entry["column_name"]
    qyly = [i for i in page_dated_items(page, as_of=as_of) if "/zdgz/qyly/" in i.url]
    assert len(qyly) == 18 and sum(1 for i in qyly if i.url.endswith(".pdf")) == 1
