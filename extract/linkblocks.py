"""Blocks of link rows: every run of links on a page, grouped by the element holding it.

Every link's *row* is its highest ancestor holding no other link target (an ``li``, a
``tr``, a ``div``); the row's parent is the *block*. Blocks inside navigation, headers and
footers weigh 0 and side boxes (热点/排行/友情链接) weigh less than 1 (``_Chrome``), so the
list a page is about can be told from its chrome (``extract.mainblock``). Hanweb pages ship
their records in a ``<datastore>`` script, read as one more block.
"""

from __future__ import annotations

import datetime as dt
import re
from collections.abc import Iterator
from dataclasses import dataclass, field
from typing import Any

import lxml.html

from extract.cms import hanweb_records, is_pager_text
from extract.dates import FUTURE_GRACE
from extract.linkrows import (
    SKIP_TEXT_TAGS,
    Row,
    anchor_title,
    clean,
    holds,
    is_element,
    row_date,
)
from govpatrol.core.types import ParsedPage
from govpatrol.core.urls import absolutize

PageInput = ParsedPage | tuple[lxml.html.HtmlElement, str, str]

# class/id words of regions that are never the column's list.
_NAV_PREFIXES = ("nav", "menu", "foot", "header", "crumb", "breadcrumb", "friend", "yqlj")
_NAV_WORDS = frozenset(
    {"top", "bottom", "position", "location", "weizhi", "dqwz", "copyright", "banner", "links"}
)
_SIDE_WORDS = frozenset({"side", "sidebar", "aside", "hot", "rank", "phb", "paihang", "tuijian"})
_NAV_TAGS = frozenset({"nav", "header", "footer"})
# Headings of side boxes (热点新闻, 点击排行, 友情链接 …).
_SIDE_HEADINGS = ("热点", "热门", "排行", "推荐", "相关", "友情", "点击", "阅读排行", "图片")
_TOKEN_SPLIT = re.compile(r"[\s_\-]+")
_XML_INCOMPATIBLE = re.compile(r"[\x00-\x08\x0b\x0c\x0e-\x1f\ufffe\uffff]")
_SKIPPED_HREFS = ("javascript:", "mailto:", "tel:", "#", "data:")
_ROW_MAX_TEXT = 300
# Links that act on the page rather than name an item.
_ACTION_TEXTS = frozenset(
    {"返回列表", "返回", "返回首页", "更多", "更多>>", "更多>", "more", "More", "MORE", "查看更多",
     "详细", "详情", "阅读全文", "查看详情", "查阅全文", "打印本页", "关闭窗口", "关闭", "打印"}
)  # fmt: skip


@dataclass
class Page:
    """A page as the list modules read it: its tree, where it sits and the latest date
    a published item on it can carry."""

    tree: lxml.html.HtmlElement
    url: str
    html: str
    title: str
    is_home: bool
    base: str
    latest: dt.date  # the scan day plus grace: no published date lies after it
    chrome: _Chrome = field(default_factory=lambda: _Chrome())


def page_of(page: PageInput, as_of: dt.date | None = None) -> Page:
    if isinstance(page, ParsedPage):
        tree, url, html = page.tree, page.final_url or page.url, page.text
        title, is_home = page.title, page.is_home
    else:
        tree, url, html = page
        title, is_home = "", False
    if not title:
        found = tree.find(".//title")
        title = clean(found.text_content()) if found is not None else ""
    latest = (as_of or dt.date.today()) + FUTURE_GRACE
    return Page(tree, url, html, title, is_home, _base_href(tree, url), latest)


def _base_href(tree: lxml.html.HtmlElement, url: str) -> str:
    base = tree.find(".//base[@href]")
    if base is not None:
        resolved = absolutize(url, base.get("href") or "")
        if resolved:
            return resolved
    return url


@dataclass
class Block:
    container: lxml.html.HtmlElement
    rows: list[Row]
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


# Elements that are one row of a list: a lone link whose climb ends in its whole box (the
# only item of a one-item column, under the column's heading) is still a row of its list.
_ROW_TAGS = frozenset({"li", "tr", "dl"})


def _row_element(
    anchor: lxml.html.HtmlElement, href: str, owners: dict[Any, str | None]
) -> lxml.html.HtmlElement:
    row = anchor
    row_tags: list[lxml.html.HtmlElement] = []
    for ancestor in anchor.iterancestors():
        if owners.get(ancestor) != href or ancestor.tag in ("body", "html"):
            break
        row = ancestor
        if ancestor.tag in _ROW_TAGS:
            row_tags.append(ancestor)
    if row is anchor or not row_tags or row is row_tags[-1] or _row_sized(row):
        return row
    sized = [e for e in row_tags if len(e.text_content()) <= _ROW_MAX_TEXT]
    return sized[-1] if sized else row


def _merge_split_rows(blocks: list[Block]) -> list[Block]:
    """Rows holding two links (``[通知]`` column link + title) make one tiny block each;
    a run of three or more such sibling blocks is one block of their best rows."""
    runs: dict[tuple[Any, str], list[Block]] = {}
    for block in blocks:
        parent = block.container.getparent()
        if parent is not None and len(block.rows) <= 3:
            runs.setdefault((parent, block.container.tag), []).append(block)
    merged_ids: set[int] = set()
    merged: list[Block] = []
    for (parent, _tag), run in runs.items():
        if len(run) < 3:
            continue
        rows = [max(b.rows, key=lambda r: (r.parts is not None, len(r.title))) for b in run]
        for row, block in zip(rows, run, strict=True):
            row.element = block.container
        merged_ids.update(id(b) for b in run)
        merged.append(Block(parent, rows, weight=min(b.weight for b in run)))
    return [b for b in blocks if id(b) not in merged_ids] + merged


class _Chrome:
    """Which elements lie in page chrome (navigation, header, footer: 0) or a side box
    (0.3), memoised per element so each ancestor chain is read once."""

    def __init__(self) -> None:
        self._memo: dict[Any, float] = {}

    def weight(self, element: lxml.html.HtmlElement | None) -> float:
        if element is None or not is_element(element):
            return 1.0
        cached = self._memo.get(element)
        if cached is not None:
            return cached
        own = 1.0
        if element.tag in _NAV_TAGS:
            own = 0.0
        else:
            for token in class_tokens(element):
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
) -> list[Block]:
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
    blocks: list[Block] = []
    for container, members in grouped.items():
        block = Block(container, [], weight=chrome.weight(container))
        if block.weight == 0 and not with_chrome:
            continue
        if block.weight == 1 and _side_heading(container):
            block.weight = 0.3
        seen_rows: set[Any] = set()
        for anchor, href, element in members:
            if element in seen_rows:
                continue  # a second link to the same target in one row (查阅全文)
            title, parts, date_text = anchor_title(anchor)
            if not title or is_pager_text(title) or title in _ACTION_TEXTS:
                continue
            if element is not anchor and not _row_sized(element):
                continue  # a whole article or box around a lone link, not a list row
            seen_rows.add(element)
            row = Row(anchor, element, href, title, parts, date_text)
            row_date(row, latest)
            block.rows.append(row)
        if block.rows:
            blocks.append(block)
    return _merge_split_rows(blocks)


def _row_sized(element: lxml.html.HtmlElement) -> bool:
    """A list row is a line or two: no page heading, no long text."""
    if element.tag in ("li", "tr", "dt", "dd", "p", "span", "td"):
        return True
    if holds(element, "h1", "h2"):
        return False
    return len(element.text_content()) <= _ROW_MAX_TEXT


def class_tokens(element: lxml.html.HtmlElement) -> list[str]:
    value = f"{element.get('class') or ''} {element.get('id') or ''}".lower()
    return [token for token in _TOKEN_SPLIT.split(value) if token] if value.strip() else []


def _side_heading(container: lxml.html.HtmlElement) -> bool:
    """Whether the box holding a block is titled like a side box (热点, 排行 …)."""
    title = box_title(container)
    return title is not None and any(word in title for word in _SIDE_HEADINGS)


def _hanweb_block(page: Page, chrome: _Chrome) -> Block | None:
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
    return Block(fragment, rows) if rows else None


def page_blocks(page: Page, *, with_chrome: bool = False) -> list[Block]:
    body = page.tree.find(".//body")
    root = body if body is not None else page.tree
    blocks = _collect_blocks(root, page.chrome, page.latest, with_chrome=with_chrome)
    hanweb = _hanweb_block(page, page.chrome)
    if hanweb is not None:
        blocks.append(hanweb)
    return blocks


_HEADING_TAGS = frozenset({"h1", "h2", "h3", "h4", "h5", "h6"})
_HEADING_TOKENS = ("tit", "title", "hd", "head", "bt", "name", "lm", "column", "caption")


def _heading_like(element: lxml.html.HtmlElement, text: str) -> bool:
    """A heading and nothing else: ``<h3>``, ``<div class="title">``, or a box whose whole
    text is its heading's (not a neighbouring box with a heading *and* content)."""
    if element.tag in _HEADING_TAGS or element.tag == "caption":
        return True
    if any(token.startswith(_HEADING_TOKENS) for token in class_tokens(element)):
        return True
    return any(
        child.tag in _HEADING_TAGS and clean(child.text_content()) == text
        for child in element.iter()
        if is_element(child)
    )


def box_title(container: lxml.html.HtmlElement) -> str | None:
    """The heading of the box a block sits in (``<h3>最新动态</h3><ul>…``), if any."""
    element: lxml.html.HtmlElement | None = container
    for _ in range(3):
        if element is None:
            return None
        for sibling in element.itersiblings(preceding=True):
            if not is_element(sibling) or sibling.tag in SKIP_TEXT_TAGS:
                continue
            text = clean(sibling.text_content())
            if not text:
                continue
            return text if len(text) <= 16 and _heading_like(sibling, text) else None
        element = element.getparent()
    return None
