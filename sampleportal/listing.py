"""Column list markup in the styles government CMSs emit (see shared/real-pages).

Each renderer turns the items of one list page into HTML; ``list_page_main`` wraps it with
the column heading and the pager. Styles: TRS table rows and ``<ul><li><a><span>date``,
Hanweb ``<datastore>`` records (the links exist only inside CDATA), picture rows,
``[YYYY-MM-DD]`` before the link with ``../../`` hrefs, PHP-CMS ``<div><a/><p>date``,
信息公开 tables with headers, lists without dates, the empty / 暂无信息 states, and a list
split into sibling ``<ul>`` groups of five beside a Vue template's inactive 暂无数据 branch
(what a browser shows is the rows; the notice renders only when the list is empty).
"""

from __future__ import annotations

import datetime as dt
import posixpath
from collections.abc import Callable
from dataclasses import dataclass
from html import escape

from sampleportal.assets import TRS_PAGER_JS
from sampleportal.days import fmt


@dataclass
class Item:
    title: str
    path: str  # site path of the linked page
    date: dt.date | None
    doc_number: str | None = None  # shown by the 信息公开 table style


def rel(from_page: str, to_path: str, dot: bool = True) -> str:
    """A relative href as TRS writes it (``./202611/t…html``, ``../../x/y.html``)."""
    here = posixpath.dirname(from_page)
    r = posixpath.relpath(to_path, here)
    return f"./{r}" if dot and not r.startswith("../") else r


def _date(item: Item, style: str | None) -> str:
    return fmt(item.date, style) if (style and item.date) else ""


def _trs_table(items: list[Item], page: str, style: str | None) -> str:
    rows = []
    for i, it in enumerate(items):
        if i and i % 5 == 0:  # TRS separator row: no link, must not count as an item
            rows.append('<tr class="sep"><td colspan="3"></td></tr>')
        t = escape(it.title)
        rows.append(
            '<tr><td class="ico"><img src="/images/dot.gif" alt=""></td>'
            f'<td class="tt"><a href="{rel(page, it.path)}" target="_blank" title="{t}">{t}</a></td>'
            f'<td class="dt"><span class="date">{_date(it, style)}</span></td></tr>'
        )
    return '<table class="list-table">\n' + "\n".join(rows) + "\n</table>\n"


def _trs_ul_span(items: list[Item], page: str, style: str | None) -> str:
    lis = [
        f'<li><a href="{rel(page, it.path)}" target="_blank"><span class="date">'
        f"{_date(it, style)}</span>{escape(it.title)}</a></li>"
        for it in items
    ]
    return '<ul class="list">\n' + "\n".join(lis) + "\n</ul>\n"


def _hanweb(items: list[Item], page: str, style: str | None) -> str:
    unit = "1035"
    records = "\n".join(
        '<record><![CDATA[\n\t<li class="clearfix"><a href=\''
        + it.path
        + "' title='"
        + escape(it.title)
        + '\' target="_blank">'
        + escape(it.title)
        + '</a><span class="bt-data-time">'
        + _date(it, style)
        + "</span></li>]]></record>"
        for it in items
    )
    return (
        f'<div id="{unit}"><script type="text/xml"><datastore>\n<recordset>\n{records}\n'
        "</recordset>\n</datastore></script></div>\n"
        '<script src="/module/web/jpage/jpage.js"></script>\n'
        f"<script>jpage('{unit}', 15);</script>\n"
    )


def _pic_rows(items: list[Item], page: str, style: str | None) -> str:
    rows = []
    for n, it in enumerate(items):
        t = escape(it.title)
        rows.append(
            f'<div class="pic-item"><a href="{it.path}"><img src="/images/news/tp{n % 6}.png" '
            f'alt="{t}" width="200" height="130"></a><p class="tt"><a href="{it.path}">{t}</a>'
            f'</p><p class="date">{_date(it, style)}</p></div>'
        )
    return '<div class="pic-list">\n' + "\n".join(rows) + "\n</div>\n"


def _bracket(items: list[Item], page: str, style: str | None) -> str:
    lis = [
        f'<li><span class="date">{_date(it, style)}</span><a href="{rel(page, it.path, dot=False)}'
        f'" class="lst" target=\'_blank\'>{escape(it.title)}</a></li>'
        for it in items
    ]
    return '<div id="comp_958">\n<ul class="list">\n' + "\n".join(lis) + "\n</ul>\n</div>\n"


def _news_ul(items: list[Item], page: str, style: str | None) -> str:
    lis = [
        f'<li><a href="{it.path}" target="_blank">{escape(it.title)}</a>'
        + (f'<em class="date">{_date(it, style)}</em>' if style else "")
        + "</li>"
        for it in items
    ]
    return '<ul class="news-list">\n' + "\n".join(lis) + "\n</ul>\n"


def _php_div(items: list[Item], page: str, style: str | None) -> str:
    rows = [
        f'<div class="row"><a href="{rel(page, it.path)}">{escape(it.title)}</a>'
        f'<p class="date">{_date(it, style)}</p></div>'
        for it in items
    ]
    return '<div class="news-rows">\n' + "\n".join(rows) + "\n</div>\n"


def _doc_table(items: list[Item], page: str, style: str | None) -> str:
    rows = [
        f'<tr><td>{n}</td><td><a href="{it.path}" target="_blank">{escape(it.title)}</a></td>'
        f'<td>{escape(it.doc_number or "")}</td><td class="date">{_date(it, style)}</td></tr>'
        for n, it in enumerate(items, 1)
    ]
    return (
        '<table class="doc-table"><thead><tr><th scope="col">序号</th><th scope="col">文件名称</th>'
        '<th scope="col">文号</th><th scope="col">发布日期</th></tr></thead>\n<tbody>\n'
        + "\n".join(rows)
        + "\n</tbody></table>\n"
    )


def _mailbox(items: list[Item], page: str, style: str | None) -> str:
    rows = [
        f'<tr><td><a href="{it.path}">{escape(it.title)}</a></td>'
        f'<td class="date">{_date(it, style)}</td><td>已回复</td></tr>'
        for it in items
    ]
    return (
        '<table class="mail-table"><thead><tr><th scope="col">信件标题</th>'
        '<th scope="col">来信时间</th><th scope="col">办理状态</th></tr></thead>\n<tbody>\n'
        + "\n".join(rows)
        + "\n</tbody></table>\n"
    )


def _leaders(items: list[Item], page: str, style: str | None) -> str:
    lis = [
        f'<li><img src="/images/leader{n}.png" alt="{escape(it.title)}" width="90" height="120">'
        f'<a href="{it.path}">{escape(it.title)}</a></li>'
        for n, it in enumerate(items)
    ]
    return '<ul class="leaders">\n' + "\n".join(lis) + "\n</ul>\n"


def _split_groups(items: list[Item], page: str, style: str | None) -> str:
    groups = [items[i : i + 5] for i in range(0, len(items), 5)]
    html = '<div class="line"></div>\n'.join(
        '<ul class="list">'
        + "".join(
            f'<li><a href="{rel(page, it.path)}" target="_blank">{escape(it.title)}</a>'
            f'<span class="date">{_date(it, style)}</span></li>'
            for it in group
        )
        + "</ul>\n"
        for group in groups
    )
    return (
        f'<div class="list-groups" id="list-app">\n{html}'
        '<div class="no-data" v-if="!total">暂无数据</div>\n</div>\n'
    )


def _empty(items: list[Item], page: str, style: str | None) -> str:
    return '<ul class="list">\n</ul>\n'


def _no_info(items: list[Item], page: str, style: str | None) -> str:
    return '<div class="list"><p class="no-data">暂无信息</p></div>\n'


RENDERERS: dict[str, Callable[[list[Item], str, str | None], str]] = {
    "trs_table": _trs_table,
    "trs_ul_span": _trs_ul_span,
    "hanweb": _hanweb,
    "pic_rows": _pic_rows,
    "bracket": _bracket,
    "news_ul": _news_ul,
    "php_div": _php_div,
    "doc_table": _doc_table,
    "mailbox": _mailbox,
    "leaders": _leaders,
    "empty": _empty,
    "no_info": _no_info,
    "split_groups": _split_groups,
}


def trs_pager(total: int, current: int, inline_function: bool) -> str:
    """The TRS pager call: the only place the other list pages are linked from."""
    if total <= 1:
        return ""
    fn = f"<script>\n<!--\n{TRS_PAGER_JS}-->\n</script>\n" if inline_function else ""
    call = f'<script>createPageHTML({total}, {current}, "index", "html");</script>'
    return f'<div class="pager">{fn}{call}</div>\n'


def list_page_main(
    name: str, style: str, items: list[Item], page: str, date_style: str | None, pager: str
) -> str:
    body = RENDERERS[style](items, page, date_style)
    return (
        f'<div class="list-box">\n<h2 class="col-title">{escape(name)}</h2>\n{body}{pager}</div>\n'
    )


def page_path(first: str, index: int) -> str:
    """index.html, index_1.html, index_2.html … of one column."""
    return first if index == 0 else first.replace("index.html", f"index_{index}.html")
