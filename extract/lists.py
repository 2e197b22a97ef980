"""Column list pages (栏目页): is this page one, and what does its list hold?

A list page's main content is a repeated run of links with dates (``ul/li``, table rows,
``div``/``p``/``dl`` rows, Hanweb datastore records) under a breadcrumb, with a pager.
Everything else on the page (navigation, mega-menus, sidebars such as 热点/排行/友情链接,
footers, pagers) is also links, so the list is found structurally:

1. every link's *row* is its highest ancestor holding no other link target (an ``li``,
   a ``tr``, a ``div``); the row's parent is the *block* (``extract.linkblocks``);
2. a row's date is read outside its title link (a ``td``, ``span``, ``p``, ``font``,
   ``dd``), or from a date-only element inside it (``<a><span>2017-10-14</span>…``)
   (``extract.linkrows``);
3. blocks inside navigation/footers are dropped and sidebar-looking ones discounted; sibling
   groups of one list are merged (``extract.listgroups``); the block with the most dated
   rows is the list, unless several blocks of the same size share the page (a home or
   channel page, not a list) or the page is an article (``extract.mainblock``);
4. a section or channel page (boxes headed by child columns' 更多 links) is no column,
   whatever its boxes hold (``extract.sections``).

The column's name comes from ``extract.columnname``, an empty column's notice from
``extract.placeholders``; this module puts them together with the items and the pager.
Year-less dates (``10-19``, ``10.11``) take their year from the item URL or their
neighbours (``extract.dates.assign_years``), never later than the scan day.
"""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass, field
from typing import Any

import lxml.html

from extract.cms import read_pager, same_page_key, trs_pagination
from extract.columnname import find_breadcrumb, find_column_name, meta_column_name, name_from_crumbs
from extract.dates import assign_years, date_from_url, year_from_url
from extract.linkblocks import Block, Page, PageInput, box_title, page_blocks, page_of
from extract.mainblock import ARTICLE_URL, is_article, main_block
from extract.parse import absolute
from extract.placeholders import PLACEHOLDER_MARKER_EMPTY, empty_list_container, placeholder_text
from extract.sections import is_section_page
from govpatrol.core.types import ParsedPage
from govpatrol.core.urls import canonical

__all__ = [
    "MAX_STORED_ITEMS",
    "ListExtraction",
    "ListItem",
    "block_items",
    "extract_list",
    "stored_items",
]


MAX_STORED_ITEMS = 50


@dataclass
class ListItem:
    """One entry of a list: its title link and the date shown beside it."""

    title: str
    url: str
    date: dt.date | None = None
    date_text: str | None = None  # the date as printed ("10-19", "[2017-10-13]")
    url_date: dt.date | None = None  # the full date the item's URL encodes, if any

    def as_dict(self) -> dict[str, Any]:
        """The small JSON form stored in ``ListPage.items``."""
        return {
            "title": self.title,
            "url": self.url,
            "date": self.date.isoformat() if self.date else None,
            "url_date": self.url_date.isoformat() if self.url_date else None,
        }


@dataclass
class ListExtraction:
    """What a column list page shows."""

    url: str
    items: list[ListItem]
    newest_date: dt.date | None
    column_name: str | None
    breadcrumb: list[str] = field(default_factory=list)
    pagination: list[str] = field(default_factory=list)
    placeholder: str | None = None  # 暂无信息 / 正在建设 … or PLACEHOLDER_MARKER_EMPTY
    first_page: str | None = None  # the pager's link to page 1, when this is a later page

    @property
    def dated_count(self) -> int:
        return sum(1 for item in self.items if item.date is not None)

    @property
    def newest_url_date(self) -> dt.date | None:
        dates = [item.url_date for item in self.items if item.url_date]
        return max(dates) if dates else None


def block_items(
    page: Page, block: Block, as_of: dt.date | None, dated_only: bool
) -> list[ListItem]:
    rows = [row for row in block.rows if row.parts is not None or not dated_only]
    urls = [_absolute(page.base, row.href) for row in rows]
    hints = [
        year_from_url(url, as_of=as_of)
        if row.parts is not None and row.parts.year is None
        else None
        for row, url in zip(rows, urls, strict=True)
    ]
    dates = assign_years([row.parts for row in rows], hints, as_of=as_of)
    return [
        ListItem(
            title=row.title,
            url=url,
            date=date,
            date_text=row.date_text,
            url_date=date_from_url(url, as_of=as_of),
        )
        for row, url, date in zip(rows, urls, dates, strict=True)
    ]


def _absolute(base: str, href: str) -> str:
    url = absolute(base, href)
    return canonical(url) if url else href


def _newest(items: list[ListItem]) -> dt.date | None:
    dates = [item.date for item in items if item.date is not None]
    return max(dates) if dates else None


def _pagination(page: Page) -> tuple[list[str], str | None]:
    """(the list's other pages, its first page when this is a later one)."""
    urls: list[str] = []
    if "createPageHTML" in page.html or "countPage" in page.html:
        urls.extend(trs_pagination(page.html, page.url))
    links, first = read_pager(page.tree, page.url)
    urls.extend(links)
    own = same_page_key(canonical(page.url))
    pages = [u for u in dict.fromkeys(canonical(u) for u in urls) if same_page_key(u) != own]
    return pages, (canonical(first) if first else None)


# ---------------------------------------------------------------------------------------
# Public API


# The last page's extraction: two page hooks read the same page's list (freshness stores it,
# tampering fingerprints the text around it), one after the other in one process. Keyed by
# the tree itself (held, so its id cannot be reused) and the day; one entry, so no page's
# tree outlives the next page.
_last: tuple[lxml.html.HtmlElement, dt.date | None, ListExtraction | None] | None = None


def extract_list(page: PageInput, *, as_of: dt.date | None = None) -> ListExtraction | None:
    """The list of a column list page, or None when the page is not one (an article, a
    home/channel page of many blocks, a page of navigation only, a home page). Read once per
    parsed page and day: a second call on the same ``ParsedPage`` returns the same result
    (callers do not change it)."""
    global _last
    if not isinstance(page, ParsedPage):
        return _extract_list(page, as_of)
    if _last is not None and _last[0] is page.tree and _last[1] == as_of:
        return _last[2]
    extraction = _extract_list(page, as_of)
    _last = (page.tree, as_of, extraction)
    return extraction


def _extract_list(page: PageInput, as_of: dt.date | None) -> ListExtraction | None:
    src = page_of(page, as_of)
    if src.is_home:
        return None
    blocks = page_blocks(src)
    best = main_block(src, blocks)
    if is_section_page(src, best):
        return None  # 新闻中心, 政务公开 …: the child columns are judged, not the section
    placeholder = placeholder_text(src)
    if best is None and placeholder is None:
        if is_article(src, None) or not empty_list_container(src):
            return None
        placeholder = PLACEHOLDER_MARKER_EMPTY
    if best is not None and is_article(src, best):
        return None
    crumbs = find_breadcrumb(src)
    if not crumbs and (
        placeholder == PLACEHOLDER_MARKER_EMPTY
        or (best is not None and not best.dated and len(best.rows) < 5)
    ):
        return None  # an empty box or a few undated links, and no breadcrumb: no column
    if best is not None and placeholder is not None and _is_side_box(src, best, crumbs):
        best = None  # the column says it is empty; the dated rows are another box's
    if best is None and (ARTICLE_URL.search(src.url) or is_article(src, None)):
        return None  # an article that says 建设中 (is_placeholder_page), not an empty column
    items = block_items(src, best, as_of, dated_only=False) if best is not None else []
    pages, first_page = _pagination(src)
    return ListExtraction(
        url=src.url,
        items=items,
        newest_date=_newest(items),
        column_name=find_column_name(src, crumbs, best),
        breadcrumb=crumbs,
        pagination=pages,
        placeholder=placeholder if not items else None,
        first_page=first_page,
    )


def _is_side_box(page: Page, block: Block, crumbs: list[str]) -> bool:
    """A block in a side box, or in a box titled with another name than the column's."""
    if block.weight < 1:
        return True
    title = box_title(block.container)
    name = name_from_crumbs(crumbs) or meta_column_name(page.tree)
    return bool(title and name and title not in name and name not in title)


def stored_items(items: list[ListItem]) -> list[dict[str, Any]]:
    """The first ``MAX_STORED_ITEMS`` items in the JSON form of ``ListPage.items``."""
    return [item.as_dict() for item in items[:MAX_STORED_ITEMS]]
