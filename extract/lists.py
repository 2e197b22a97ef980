"""Column list pages (栏目页): is this page one, and what does its list hold?

A list page's main content is a repeated run of links with dates (``ul/li``, table rows,
``div``/``p``/``dl`` rows, Hanweb datastore records) under a breadcrumb, with a pager.
Everything else on the page (navigation, mega-menus, sidebars such as 热点/排行/友情链接,
footers, pagers) is also links, so the list is found structurally:

1. every link's *row* is its highest ancestor holding no other link target (an ``li``,
   a ``tr``, a ``div``); the row's parent is the *block*;
2. a row's date is read outside its title link (a ``td``, ``span``, ``p``, ``font``,
   ``dd``), or from a date-only element inside it (``<a><span>2017-10-14</span>…``);
3. blocks inside navigation/footers are dropped and sidebar-looking ones discounted; the
   block with the most dated rows is the list, unless several blocks of the same size
   share the page (a home or channel page, not a list) or the page is an article.

Year-less dates (``10-19``, ``10.11``) take their year from the item URL or their
neighbours (``extract.dates.assign_years``), never later than the scan day.
"""

from __future__ import annotations

import datetime as dt
import re
from collections.abc import Iterator
from dataclasses import dataclass, field
from typing import Any
from urllib.parse import urljoin, urlsplit

import lxml.html

from extract.cms import (
    INDEX_FILE as _INDEX_FILE,
)
from extract.cms import (
    column_key,
    hanweb_records,
    is_pager_text,
    read_pager,
    same_page_key,
    trs_pagination,
)
from extract.dates import (
    FUTURE_GRACE,
    DateParts,
    assign_years,
    date_from_url,
    find_date_parts,
    iter_date_parts,
    year_from_url,
)
from govpatrol.core.types import ParsedPage
from govpatrol.core.urls import absolutize, canonical

__all__ = [
    "ListExtraction",
    "ListItem",
    "column_key",
    "extract_list",
    "home_facts",
    "is_placeholder_page",
    "page_dated_items",
]

PageInput = ParsedPage | tuple[lxml.html.HtmlElement, str, str]

# What an empty column says about itself: that it has nothing (暂无信息) …
NO_INFO_PHRASES = (
    "暂无信息",
    "暂无数据",
    "暂无内容",
    "暂无记录",
    "暂无文章",
    "暂无相关信息",
    "暂无相关内容",
    "没有相关信息",
    "没有找到相关",
)
# … or that it is not built yet (正在建设).
CONSTRUCTION_PHRASES = ("正在建设", "建设中", "升级改版中", "正在改版", "正在完善", "敬请期待")
PLACEHOLDER_PHRASES = NO_INFO_PHRASES + CONSTRUCTION_PHRASES
PLACEHOLDER_MARKER_EMPTY = "（空列表）"
_PLACEHOLDER_MAX_LEN = 40

# class/id words of regions that are never the column's list.
_NAV_PREFIXES = ("nav", "menu", "foot", "header", "crumb", "breadcrumb", "friend", "yqlj")
_NAV_WORDS = frozenset(
    {"top", "bottom", "position", "location", "weizhi", "dqwz", "copyright", "banner", "links"}
)
_SIDE_WORDS = frozenset({"side", "sidebar", "aside", "hot", "rank", "phb", "paihang", "tuijian"})
_NAV_TAGS = frozenset({"nav", "header", "footer"})
# Headings of side boxes (热点新闻, 点击排行, 友情链接 …).
_SIDE_HEADINGS = ("热点", "热门", "排行", "推荐", "相关", "友情", "点击", "阅读排行", "图片")
_LIST_PREFIXES = ("lb", "liebiao", "xxlb")  # and any class/id word containing "list"
_TOKEN_SPLIT = re.compile(r"[\s_\-]+")
_WS = re.compile(r"\s+")
_XML_INCOMPATIBLE = re.compile(r"[\x00-\x08\x0b\x0c\x0e-\x1f\ufffe\uffff]")
_SKIPPED_HREFS = ("javascript:", "mailto:", "tel:", "#", "data:")
_HOME_WORDS = ("首页", "主页", "网站首页", "门户首页", "返回首页")
_CRUMB_SEPARATORS = frozenset(">›»→/\\|＞〉》-—·:：")
_CRUMB_LABEL = re.compile(r"(?:当前|所在|现在|您的|你的|您|你)[^<>]{0,4}位置|当前页面|位置\s*[:：]")
_DATE_LABELS = re.compile(
    r"发布时间|发布日期|发表时间|发表于|更新时间|更新日期|发布于|时间|日期|录入|来源"
)
_DATE_RESIDUE = re.compile(r"[\s\[\]【】()（）:：|·\-—/.,，0-9]+")
_TITLE_SPLIT = re.compile(r"\s*[-_|–—·:：>»]+\s*|\s{2,}|\s+(?=\S*(?:网|政府|门户))")
_SITE_SUFFIXES = ("网", "网站", "政府", "门户", "人民政府", "首页", "主页")
_ARTICLE_URL = re.compile(
    r"/t\d{8}_\d+|/art/\d{4}/|/art_\d+|content_\d+|/c\d+/content|/Item/\d+|show[-_]\d+|detail|"
    r"/\d{6,}\.s?html?$|News\.shtml\?",
    re.I,
)
_ARTICLE_TEXT_MIN = 400  # non-link text of one block above which a page reads as an article
_LIST_MIN_DATED_OVER_ARTICLE = 10
_PORTAL_RATIO = 1.5  # the list must outnumber the next block by this on a single-list page
_SIGNIFICANT_BLOCK = 3
_UNDATED_LIST_MIN = 3
_INLINE_TAGS = frozenset(
    {"p", "span", "font", "strong", "b", "em", "i", "u", "br", "sup", "sub", "small", "big"}
)
_SKIP_TEXT_TAGS = frozenset({"script", "style", "noscript", "option", "select", "textarea"})
MAX_STORED_ITEMS = 50
_ROW_MAX_TEXT = 300
# Links that act on the page rather than name an item.
_ACTION_TEXTS = frozenset(
    {"返回列表", "返回", "返回首页", "更多", "更多>>", "更多>", "more", "More", "MORE", "查看更多",
     "详细", "详情", "阅读全文", "查看详情", "查阅全文", "打印本页", "关闭窗口", "关闭", "打印"}
)  # fmt: skip


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


# ---------------------------------------------------------------------------------------
# Input


@dataclass
class _Page:
    tree: lxml.html.HtmlElement
    url: str
    html: str
    title: str
    is_home: bool
    base: str
    latest: dt.date  # the scan day plus grace: no published date lies after it
    chrome: _Chrome = field(default_factory=lambda: _Chrome())


def _page_of(page: PageInput, as_of: dt.date | None = None) -> _Page:
    if isinstance(page, ParsedPage):
        tree, url, html = page.tree, page.final_url or page.url, page.text
        title, is_home = page.title, page.is_home
    else:
        tree, url, html = page
        title, is_home = "", False
    if not title:
        found = tree.find(".//title")
        title = _clean(found.text_content()) if found is not None else ""
    latest = (as_of or dt.date.today()) + FUTURE_GRACE
    return _Page(tree, url, html, title, is_home, _base_href(tree, url), latest)


def _base_href(tree: lxml.html.HtmlElement, url: str) -> str:
    base = tree.find(".//base[@href]")
    if base is not None:
        resolved = absolutize(url, base.get("href") or "")
        if resolved:
            return resolved
    return url


def _clean(text: str | None) -> str:
    return _WS.sub(" ", text or "").strip()


def _is_element(node: Any) -> bool:
    return isinstance(node.tag, str)


# ---------------------------------------------------------------------------------------
# Rows and blocks


@dataclass
class _Row:
    anchor: lxml.html.HtmlElement
    element: lxml.html.HtmlElement  # the row: li, tr, div … (the anchor itself when flat)
    href: str
    title: str
    parts: DateParts | None
    date_text: str | None


@dataclass
class _Block:
    container: lxml.html.HtmlElement
    rows: list[_Row]
    weight: float = 1.0  # 0: navigation/footer; < 1: looks like a sidebar box

    @property
    def dated(self) -> int:
        return sum(1 for row in self.rows if row.parts is not None)

    @property
    def score(self) -> float:
        return self.dated * self.weight


def _usable_href(anchor: lxml.html.HtmlElement) -> str | None:
    href = (anchor.get("href") or "").strip()
    if not href or href.lower().startswith(_SKIPPED_HREFS):
        return None
    return href


def _iter_anchors(root: lxml.html.HtmlElement) -> Iterator[tuple[lxml.html.HtmlElement, str]]:
    for anchor in root.iter("a"):
        href = _usable_href(anchor)
        if href is not None:
            yield anchor, href


def _row_owners(anchors: list[tuple[lxml.html.HtmlElement, str]]) -> dict[Any, str | None]:
    """For every ancestor of a link: the one href below it, or None when several."""
    owners: dict[Any, str | None] = {}
    for anchor, href in anchors:
        for ancestor in anchor.iterancestors():
            seen = owners.get(ancestor, "")
            if seen == "":
                owners[ancestor] = href
            elif seen != href:
                if seen is None:
                    break  # its ancestors already know they hold several
                owners[ancestor] = None
    return owners


def _row_element(
    anchor: lxml.html.HtmlElement, href: str, owners: dict[Any, str | None]
) -> lxml.html.HtmlElement:
    row = anchor
    for ancestor in anchor.iterancestors():
        if owners.get(ancestor) != href or ancestor.tag in ("body", "html"):
            break
        row = ancestor
    return row


def _date_only(text: str) -> DateParts | None:
    """The date of a text that is nothing but a date (labels, brackets, a time allowed)."""
    if not text or len(text) > 40:
        return None
    parts = find_date_parts(text)
    if parts is None:
        return None
    residue = _DATE_LABELS.sub("", text.replace(parts.raw, "", 1))
    return parts if not _DATE_RESIDUE.sub("", residue) else None


def _anchor_title(anchor: lxml.html.HtmlElement) -> tuple[str, DateParts | None, str | None]:
    """(title, date, date text) of a link whose text may carry a date element."""
    pieces: list[str] = []
    found: list[tuple[DateParts, str]] = []

    def walk(element: lxml.html.HtmlElement) -> None:
        if element.text:
            pieces.append(element.text)
        for child in element:
            if _is_element(child) and child.tag not in _SKIP_TEXT_TAGS:
                child_text = _clean(child.text_content())
                parts = _date_only(child_text) if child_text else None
                if parts is not None:
                    found.append((parts, child_text))
                else:
                    walk(child)
            if child.tail:
                pieces.append(child.tail)

    walk(anchor)
    title = _clean("".join(pieces))
    if not found:
        trailing = _trailing_date(title)
        if trailing is not None:
            parts, raw_text = trailing
            return _clean(title[: -len(raw_text)]), parts, raw_text.strip()
    attr_title = _clean(anchor.get("title"))
    if attr_title and (not title or (len(attr_title) > len(title) and _truncated(title))):
        title = attr_title
    if not title:
        title = _clean(" ".join(anchor.xpath(".//img/@alt")))
    parts, text = found[0] if found else (None, None)
    return title, parts, text


def _truncated(title: str) -> bool:
    return title.endswith(("...", "…", "..", "。。。"))


_TRAILING_DATE = re.compile(r"[\s\[(（【]+([^\s\[(（【]{4,24}?)[\])）】]?\s*$")


def _trailing_date(title: str) -> tuple[DateParts, str] | None:
    """A date printed after the title inside the link: ``标题 (2024-05-07)``."""
    found = _TRAILING_DATE.search(title)
    if not found:
        return None
    parts = _date_only(found.group(1))
    return (parts, found.group(0)) if parts is not None else None


def _text_outside(row: lxml.html.HtmlElement, anchor: lxml.html.HtmlElement) -> str:
    """The row's text without its title link (and without scripts)."""
    pieces: list[str] = []

    def walk(element: lxml.html.HtmlElement) -> None:
        if element.text:
            pieces.append(element.text)
        for child in element:
            if _is_element(child) and child is not anchor and child.tag not in _SKIP_TEXT_TAGS:
                walk(child)
            if child.tail:
                pieces.append(child.tail)

    walk(row)
    return _clean(" ".join(pieces))


def _flat_neighbours(anchor: lxml.html.HtmlElement) -> Iterator[str]:
    """Text beside a link in a flat run (``<a/>date<br/><a/>date``): after it first,
    then before it, never past the next or previous link."""
    after: list[str] = [anchor.tail or ""]
    for sibling in anchor.itersiblings():
        if not _is_element(sibling) or sibling.tag == "a" or sibling.find(".//a") is not None:
            break
        after.append(sibling.text_content() + (sibling.tail or ""))
    yield _clean(" ".join(after))
    before: list[str] = []
    for sibling in anchor.itersiblings(preceding=True):
        if not _is_element(sibling) or sibling.tag == "a" or sibling.find(".//a") is not None:
            if _is_element(sibling) and sibling.tag != "a" and sibling.tail:
                before.append(sibling.tail)
            break
        before.append(sibling.text_content() + (sibling.tail or ""))
    parent = anchor.getparent()
    if not before and parent is not None and anchor.getprevious() is None and parent.text:
        before.append(parent.text)
    yield _clean(" ".join(reversed(before)))


def _detached_date(row: lxml.html.HtmlElement) -> str:
    """Text of the link-free elements right after a row (``<dt><a/></dt><dd>date</dd>``)."""
    pieces: list[str] = []
    for sibling in row.itersiblings():
        if len(pieces) == 2 or not _is_element(sibling) or sibling.find(".//a") is not None:
            break
        pieces.append(sibling.text_content())
    return _clean(" ".join(pieces))


def _row_date(row: _Row, latest: dt.date) -> None:
    if row.parts is not None:
        return
    if row.element is row.anchor:
        texts: Iterator[str] = _flat_neighbours(row.anchor)
    else:
        texts = iter((_text_outside(row.element, row.anchor), _detached_date(row.element)))
    for text in texts:
        found = list(iter_date_parts(text)) if text else []
        if found:
            row.parts = _publication_date(found, latest)
            row.date_text = row.parts.raw
            return


def _publication_date(found: list[DateParts], latest: dt.date) -> DateParts:
    """The date of a row that prints several (信息公开 tables: 成文日期 … 发布日期): the
    latest one not after the scan day; a lone or year-less one as it is."""
    if len(found) == 1:
        return found[0]
    dated = [(p.on(p.year), p) for p in found if p.year is not None]
    published = [(day, p) for day, p in dated if day is not None and day <= latest]
    return max(published, key=lambda pair: pair[0])[1] if published else found[0]


def _merge_split_rows(blocks: list[_Block]) -> list[_Block]:
    """Rows holding two links (``[通知]`` column link + title) make one tiny block each;
    a run of three or more such sibling blocks is one block of their best rows."""
    runs: dict[tuple[Any, str], list[_Block]] = {}
    for block in blocks:
        parent = block.container.getparent()
        if parent is not None and len(block.rows) <= 3:
            runs.setdefault((parent, block.container.tag), []).append(block)
    merged_ids: set[int] = set()
    merged: list[_Block] = []
    for (parent, _tag), run in runs.items():
        if len(run) < 3:
            continue
        rows = [max(b.rows, key=lambda r: (r.parts is not None, len(r.title))) for b in run]
        for row, block in zip(rows, run, strict=True):
            row.element = block.container
        merged_ids.update(id(b) for b in run)
        merged.append(_Block(parent, rows, weight=min(b.weight for b in run)))
    return [b for b in blocks if id(b) not in merged_ids] + merged


class _Chrome:
    """Which elements lie in page chrome (navigation, header, footer: 0) or a side box
    (0.3), memoised per element so each ancestor chain is read once."""

    def __init__(self) -> None:
        self._memo: dict[Any, float] = {}

    def weight(self, element: lxml.html.HtmlElement | None) -> float:
        if element is None or not _is_element(element):
            return 1.0
        cached = self._memo.get(element)
        if cached is not None:
            return cached
        own = 1.0
        if element.tag in _NAV_TAGS:
            own = 0.0
        else:
            for token in _tokens(element):
                if token.startswith(_NAV_PREFIXES) or token in _NAV_WORDS:
                    own = 0.0
                    break
                if token in _SIDE_WORDS:
                    own = 0.3
        weight = min(own, self.weight(element.getparent())) if own else 0.0
        self._memo[element] = weight
        return weight


def _collect_blocks(
    root: lxml.html.HtmlElement, chrome: _Chrome, latest: dt.date, *, with_chrome: bool = False
) -> list[_Block]:
    """Every block of link rows under ``root``; rows of navigation/footer blocks are
    only read when ``with_chrome`` (a home page's dated items may sit in a mega-menu)."""
    anchors = list(_iter_anchors(root))
    owners = _row_owners(anchors)
    grouped: dict[Any, list[tuple[lxml.html.HtmlElement, str, lxml.html.HtmlElement]]] = {}
    for anchor, href in anchors:
        element = _row_element(anchor, href, owners)
        container = element.getparent()
        if container is not None:
            grouped.setdefault(container, []).append((anchor, href, element))
    blocks: list[_Block] = []
    for container, members in grouped.items():
        block = _Block(container, [], weight=chrome.weight(container))
        if block.weight == 0 and not with_chrome:
            continue
        if block.weight == 1 and _side_heading(container):
            block.weight = 0.3
        seen_rows: set[Any] = set()
        for anchor, href, element in members:
            if element in seen_rows:
                continue  # a second link to the same target in one row (查阅全文)
            title, parts, date_text = _anchor_title(anchor)
            if not title or is_pager_text(title) or title in _ACTION_TEXTS:
                continue
            if element is not anchor and not _row_sized(element):
                continue  # a whole article or box around a lone link, not a list row
            seen_rows.add(element)
            row = _Row(anchor, element, href, title, parts, date_text)
            _row_date(row, latest)
            block.rows.append(row)
        if block.rows:
            blocks.append(block)
    return _merge_split_rows(blocks)


def _row_sized(element: lxml.html.HtmlElement) -> bool:
    """A list row is a line or two: no page heading, no long text."""
    if element.tag in ("li", "tr", "dt", "dd", "p", "span", "td"):
        return True
    if element.find(".//h1") is not None or element.find(".//h2") is not None:
        return False
    return len(element.text_content()) <= _ROW_MAX_TEXT


def _tokens(element: lxml.html.HtmlElement) -> list[str]:
    value = f"{element.get('class') or ''} {element.get('id') or ''}".lower()
    return [token for token in _TOKEN_SPLIT.split(value) if token] if value.strip() else []


def _side_heading(container: lxml.html.HtmlElement) -> bool:
    """Whether the box holding a block is titled like a side box (热点, 排行 …)."""
    title = _box_title(container)
    return title is not None and any(word in title for word in _SIDE_HEADINGS)


def _hanweb_block(page: _Page, chrome: _Chrome) -> _Block | None:
    """The records a Hanweb page ships inside its ``<datastore>`` script, as one block."""
    if "<datastore" not in page.html:
        return None
    records = hanweb_records(page.html)
    if not records:
        return None
    # Records pasted from Word carry control characters (\x0b …) lxml refuses in text.
    markup = _XML_INCOMPATIBLE.sub("", "".join(records))
    fragment = lxml.html.fragment_fromstring(markup, create_parent="ul")
    rows = [row for block in _collect_blocks(fragment, chrome, page.latest) for row in block.rows]
    return _Block(fragment, rows) if rows else None


def _blocks(page: _Page, *, with_chrome: bool = False) -> list[_Block]:
    body = page.tree.find(".//body")
    root = body if body is not None else page.tree
    blocks = _collect_blocks(root, page.chrome, page.latest, with_chrome=with_chrome)
    hanweb = _hanweb_block(page, page.chrome)
    if hanweb is not None:
        blocks.append(hanweb)
    return blocks


# ---------------------------------------------------------------------------------------
# Items


def _items(page: _Page, block: _Block, as_of: dt.date | None, dated_only: bool) -> list[ListItem]:
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
    url = absolutize(base, href)
    return canonical(url) if url else href


def _newest(items: list[ListItem]) -> dt.date | None:
    dates = [item.date for item in items if item.date is not None]
    return max(dates) if dates else None


# ---------------------------------------------------------------------------------------
# Page kinds


def _article_text(page: _Page) -> int:
    """The most non-link text any one block (div, td …) holds: an article's body.

    Inline elements (p, span, font …) pass their text up to the nearest block, so the
    paragraphs of one body add up while the short summaries of list rows do not.
    Navigation and footers (their addresses and 备案 lines) are left out."""
    body = page.tree.find(".//body")
    totals: dict[Any, int] = {}
    stack: list[tuple[Any, Any]] = [(body if body is not None else page.tree, None)]
    while stack:
        element, holder = stack.pop()
        tag = element.tag
        if not isinstance(tag, str) or tag in _SKIP_TEXT_TAGS or tag == "a":
            continue
        if tag not in _INLINE_TAGS or holder is None:
            if page.chrome.weight(element) == 0:
                continue
            holder = element
        length = len(element.text.strip()) if element.text else 0
        for child in element:
            if child.tail:
                length += len(child.tail.strip())
            stack.append((child, holder))
        if length:
            totals[holder] = totals.get(holder, 0) + length
    return max(totals.values(), default=0)


def _looks_like_portal(blocks: list[_Block], best: _Block) -> bool:
    """Several blocks of about the list's size: a home or channel page, not one list."""
    significant = sorted(
        (b.dated for b in blocks if b.weight > 0 and b.dated >= _SIGNIFICANT_BLOCK),
        reverse=True,
    )
    if len(significant) < 3:
        return False
    return significant[1] * _PORTAL_RATIO > best.dated


def _main_block(page: _Page, blocks: list[_Block]) -> _Block | None:
    candidates = [b for b in blocks if b.weight > 0 and b.rows]
    if not candidates:
        return None
    best = max(candidates, key=lambda b: (b.score, len(b.rows)))
    if best.dated == 0:
        return _undated_list(page, candidates)
    if _looks_like_portal(candidates, best):
        return None
    return best


def _undated_list(page: _Page, candidates: list[_Block]) -> _Block | None:
    """A list without visible dates still counts when its links are articles of this
    column (人事任免, 办事指南, 领导信息 printed without dates): dated URLs, article-style
    URLs, or leaf pages in this page's folder, not the index pages of other columns."""
    for block in sorted(candidates, key=lambda b: len(b.rows), reverse=True):
        if len(block.rows) < _UNDATED_LIST_MIN:
            return None
        if block.weight < 1:
            continue
        rows = block.rows[:20]
        articles = sum(1 for row in rows if _article_like(page, row.href))
        if articles * 5 >= len(rows) * 3:
            return block
    return None


def _article_like(page: _Page, href: str) -> bool:
    try:
        url = urljoin(page.base, href.strip())
    except ValueError:  # an href no browser can resolve (``http://[::1``) is no article
        return False
    if _ARTICLE_URL.search(url) or year_from_url(url) is not None:
        return True
    parts, here = urlsplit(url), urlsplit(page.url)
    folder, _, file = parts.path.rpartition("/")
    if not file or _INDEX_FILE.match("/" + file) or parts.netloc != here.netloc:
        return False
    return (folder + "/").startswith(here.path.rpartition("/")[0] + "/")


def _is_article(page: _Page, best: _Block | None) -> bool:
    dated = best.dated if best is not None else 0
    if dated >= _LIST_MIN_DATED_OVER_ARTICLE:
        return False
    if _ARTICLE_URL.search(page.url) and dated < 5:
        return True
    return _article_text(page) >= _ARTICLE_TEXT_MIN


# ---------------------------------------------------------------------------------------
# Placeholders


def _outside_chrome(page: _Page, element: lxml.html.HtmlElement) -> bool:
    """Not in navigation, header, footer or a side box, nor in a link or script."""
    if page.chrome.weight(element) < 1:
        return False
    return not any(
        node.tag in _SKIP_TEXT_TAGS or node.tag in ("a", "title")
        for node in (element, *element.iterancestors())
    )


def _placeholder_text(page: _Page) -> str | None:
    """A short text such as 暂无信息 or 本栏目正在建设中 outside navigation and sidebars."""
    if not any(phrase in page.html for phrase in PLACEHOLDER_PHRASES):
        return None
    body = page.tree.find(".//body")
    for element in (body if body is not None else page.tree).iter():
        if not _is_element(element):
            continue
        for text, holder in ((element.text, element), (element.tail, element.getparent())):
            if not text or holder is None:
                continue
            compact = "".join(text.split())
            if (
                compact
                and len(compact) <= _PLACEHOLDER_MAX_LEN
                and any(phrase in compact for phrase in PLACEHOLDER_PHRASES)
                and _outside_chrome(page, holder)
            ):
                return compact
    return None


def _empty_list_container(page: _Page) -> bool:
    """An empty ``<ul class="list">`` / list table that no inline script fills."""
    scripts = " ".join(s.text or "" for s in page.tree.iter("script") if not s.get("src"))
    for element in page.tree.iter("ul", "ol", "tbody", "table", "div"):
        tokens = _tokens(element)
        if not any("list" in token or token.startswith(_LIST_PREFIXES) for token in tokens):
            continue
        if len(element) or _clean(element.text_content()):
            continue
        names = [element.get("id"), *(element.get("class") or "").split()]
        if any(name and name in scripts for name in names):
            continue  # filled by script: unknown, not empty
        if _outside_chrome(page, element):
            return True
    return False


# ---------------------------------------------------------------------------------------
# Names: breadcrumb, headings, title


def _crumb_tokens(container: lxml.html.HtmlElement) -> list[tuple[str, str]]:
    """The container's content in order: ("a", link text) and ("t", plain text)."""
    tokens: list[tuple[str, str]] = []

    def walk(element: lxml.html.HtmlElement) -> None:
        if element.text:
            tokens.append(("t", element.text))
        for child in element:
            if _is_element(child) and child.tag not in _SKIP_TEXT_TAGS:
                if child.tag == "a":
                    tokens.append(("a", _clean(child.text_content())))
                else:
                    walk(child)
            if child.tail:
                tokens.append(("t", child.tail))

    walk(container)
    return tokens


def _is_separator(text: str) -> bool:
    compact = "".join(text.split())
    return bool(compact) and all(char in _CRUMB_SEPARATORS for char in compact)


def _parse_crumbs(tokens: list[tuple[str, str]], *, labelled: bool) -> list[str]:
    """Crumbs of ``[label] crumb (sep crumb)* [sep text]``; [] when it is no breadcrumb."""
    if labelled:  # start after the label (当前位置：)
        for index, (kind, text) in enumerate(tokens):
            if kind == "t" and _CRUMB_LABEL.search(text):
                tokens = [("t", _CRUMB_LABEL.split(text)[-1]), *tokens[index + 1 :]]
                break
    crumbs: list[str] = []
    separated = False
    pending_text = ""
    for kind, text in tokens:
        if kind == "a":
            if crumbs and not separated:
                break
            if text:
                crumbs.append(text)
            separated = False
            continue
        compact = "".join(text.split())
        if not compact:
            continue
        if _is_separator(compact):
            separated = True
            continue
        stripped = compact.strip("".join(_CRUMB_SEPARATORS))
        if crumbs and (separated or compact[0] in _CRUMB_SEPARATORS) and stripped:
            pending_text = stripped  # "> 正文" after the last link
            break
        if not crumbs:
            continue  # label text before the first crumb
        break
    if pending_text:
        crumbs.append(pending_text)
    return crumbs if len(crumbs) >= 2 or (labelled and crumbs) else []


def _breadcrumb(page: _Page) -> list[str]:
    body = page.tree.find(".//body")
    root = body if body is not None else page.tree
    # 1. a labelled one: 当前位置：首页 > 政务公开 > 综合信息
    for element in root.iter() if "位置" in page.html else ():
        if not _is_element(element) or element.tag in _SKIP_TEXT_TAGS:
            continue
        for text in (element.text, element.tail):
            if text and "位置" in text and len(text.strip()) <= 20 and _CRUMB_LABEL.search(text):
                holder = element if text is element.text else element.getparent()
                crumbs = _crumbs_near(holder, labelled=True)
                if crumbs:
                    return crumbs
    # 2. an unlabelled trail starting at the home page: 首页 >> 旅游动态 >> 地市动态
    for anchor in root.iter("a"):
        if _clean(anchor.text_content()).endswith(_HOME_WORDS):
            crumbs = _crumbs_near(anchor.getparent(), labelled=False)
            if crumbs:
                return crumbs
    return []


def _crumbs_near(holder: lxml.html.HtmlElement | None, *, labelled: bool) -> list[str]:
    """Climb a little from where the trail starts until it holds at least two links."""
    element = holder
    for _ in range(4):
        if element is None:
            return []
        if len(element.xpath(".//a")) >= 2 or (labelled and element.find(".//a") is not None):
            crumbs = _parse_crumbs(_crumb_tokens(element), labelled=labelled)
            if crumbs:
                return crumbs
        element = element.getparent()
    return []


def _name_from_crumbs(crumbs: list[str]) -> str | None:
    for crumb in reversed(crumbs):
        if crumb not in ("正文", "详情", "列表", "内容", "信息列表") and not crumb.endswith(
            _HOME_WORDS
        ):
            return crumb
    return None


def _meta_column_name(tree: lxml.html.HtmlElement) -> str | None:
    for meta in tree.iter("meta"):
        if (meta.get("name") or "").lower() in ("columnname", "column", "catalogname"):
            value = _clean(meta.get("content"))
            if value:
                return value
    return None


def _name_from_title(title: str) -> str | None:
    parts = [p for p in _TITLE_SPLIT.split(title) if p and len(p) >= 2]
    for part in parts:
        if not part.endswith(_SITE_SUFFIXES):
            return part
    return None


def _column_name(page: _Page, crumbs: list[str], block: _Block | None) -> str | None:
    return (
        _name_from_crumbs(crumbs)
        or _meta_column_name(page.tree)
        or (_box_title(block.container) if block is not None else None)
        or _name_from_title(page.title)
    )


# ---------------------------------------------------------------------------------------
# Pagination


def _pagination(page: _Page) -> tuple[list[str], str | None]:
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


def extract_list(page: PageInput, *, as_of: dt.date | None = None) -> ListExtraction | None:
    """The list of a column list page, or None when the page is not one (an article, a
    home/channel page of many blocks, a page of navigation only, a home page)."""
    src = _page_of(page, as_of)
    if src.is_home:
        return None
    blocks = _blocks(src)
    best = _main_block(src, blocks)
    placeholder = _placeholder_text(src)
    if best is None and placeholder is None:
        if _is_article(src, None) or not _empty_list_container(src):
            return None
        placeholder = PLACEHOLDER_MARKER_EMPTY
    if best is not None and _is_article(src, best):
        return None
    crumbs = _breadcrumb(src)
    if not crumbs and (
        placeholder == PLACEHOLDER_MARKER_EMPTY
        or (best is not None and not best.dated and len(best.rows) < 5)
    ):
        return None  # an empty box or a few undated links, and no breadcrumb: no column
    if best is not None and placeholder is not None and _is_side_box(src, best, crumbs):
        best = None  # the column says it is empty; the dated rows are another box's
    if best is None and (_ARTICLE_URL.search(src.url) or _is_article(src, None)):
        return None  # an article that says 建设中 (is_placeholder_page), not an empty column
    items = _items(src, best, as_of, dated_only=False) if best is not None else []
    pages, first_page = _pagination(src)
    return ListExtraction(
        url=src.url,
        items=items,
        newest_date=_newest(items),
        column_name=_column_name(src, crumbs, best),
        breadcrumb=crumbs,
        pagination=pages,
        placeholder=placeholder if not items else None,
        first_page=first_page,
    )


def _is_side_box(page: _Page, block: _Block, crumbs: list[str]) -> bool:
    """A block in a side box, or in a box titled with another name than the column's."""
    if block.weight < 1:
        return True
    title = _box_title(block.container)
    name = _name_from_crumbs(crumbs) or _meta_column_name(page.tree)
    return bool(title and name and title not in name and name not in title)


_HEADING_TAGS = frozenset({"h1", "h2", "h3", "h4", "h5", "h6"})
_HEADING_TOKENS = ("tit", "title", "hd", "head", "bt", "name", "lm", "column", "caption")


def _heading_like(element: lxml.html.HtmlElement, text: str) -> bool:
    """A heading and nothing else: ``<h3>``, ``<div class="title">``, or a box whose whole
    text is its heading's (not a neighbouring box with a heading *and* content)."""
    if element.tag in _HEADING_TAGS or element.tag == "caption":
        return True
    if any(token.startswith(_HEADING_TOKENS) for token in _tokens(element)):
        return True
    return any(
        child.tag in _HEADING_TAGS and _clean(child.text_content()) == text
        for child in element.iter()
        if _is_element(child)
    )


def _box_title(container: lxml.html.HtmlElement) -> str | None:
    """The heading of the box a block sits in (``<h3>最新动态</h3><ul>…``), if any."""
    element: lxml.html.HtmlElement | None = container
    for _ in range(3):
        if element is None:
            return None
        for sibling in element.itersiblings(preceding=True):
            if not _is_element(sibling) or sibling.tag in _SKIP_TEXT_TAGS:
                continue
            text = _clean(sibling.text_content())
            if not text:
                continue
            return text if len(text) <= 16 and _heading_like(sibling, text) else None
        element = element.getparent()
    return None


@dataclass
class HomeFacts:
    """What the freshness check needs from a home page, read in one pass."""

    items: list[ListItem]  # every dated link item, all blocks, page order
    article_rows: int  # rows whose links are articles (dated or not); 0: navigation only
    placeholder: str | None  # the page only says 正在建设 / 暂无信息


def home_facts(page: PageInput, *, as_of: dt.date | None = None) -> HomeFacts:
    src = _page_of(page, as_of)
    blocks = _blocks(src, with_chrome=True)
    items: list[ListItem] = []
    for block in blocks:
        if block.dated:
            items.extend(_items(src, block, as_of, dated_only=True))
    article_rows = sum(
        1
        for block in blocks
        for row in block.rows
        if row.parts is not None or _ARTICLE_URL.search(row.href) or year_from_url(row.href)
    )
    return HomeFacts(items, article_rows, _placeholder_only(src, blocks))


def page_dated_items(page: PageInput, *, as_of: dt.date | None = None) -> list[ListItem]:
    """Every dated link item on the page, all blocks, in page order (for home pages).
    An item shown in two blocks (a tab and 近期信息) counts in each."""
    return home_facts(page, as_of=as_of).items


def page_link_items(page: PageInput) -> int:
    """How many rows of link lists the page holds whose links are articles (dated
    rows, dated or article-style URLs): 0 on a home page of navigation only."""
    return home_facts(page).article_rows


def is_placeholder_page(page: PageInput) -> str | None:
    """The placeholder text of a page that says only that it has nothing yet
    (本栏目正在建设中, 暂无信息), else None."""
    src = _page_of(page)
    if not any(phrase in src.html for phrase in PLACEHOLDER_PHRASES):
        return None
    return _placeholder_only(src, _blocks(src))


def _placeholder_only(page: _Page, blocks: list[_Block]) -> str | None:
    placeholder = _placeholder_text(page)
    if placeholder is None or _article_text(page) >= _ARTICLE_TEXT_MIN:
        return None
    best = _main_block(page, [b for b in blocks if b.weight > 0])
    if best is not None and best.weight >= 1 and best.dated:
        return None
    return placeholder


def is_construction_notice(text: str) -> bool:
    """Whether a placeholder says the page is being built (正在建设, 升级改版中), rather
    than that it has no information (暂无信息)."""
    return any(phrase in text for phrase in CONSTRUCTION_PHRASES)


def stored_items(items: list[ListItem]) -> list[dict[str, Any]]:
    """The first ``MAX_STORED_ITEMS`` items in the JSON form of ``ListPage.items``."""
    return [item.as_dict() for item in items[:MAX_STORED_ITEMS]]
