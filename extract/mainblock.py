"""Which block of a page is its list, and whether the page is an article instead.

The block with the most dated rows is the list (sibling groups of one list merged first,
``extract.listgroups``), unless several blocks of the same size share the page (a home or channel page, not a list) or the page is an article (one block
holds a body's worth of text). A list printed without dates counts when its links are
articles of this column.
"""

from __future__ import annotations

import re
from typing import Any
from urllib.parse import urljoin, urlsplit

from extract.cms import INDEX_FILE as _INDEX_FILE
from extract.dates import year_from_url
from extract.linkblocks import Block, Page
from extract.linkrows import SKIP_TEXT_TAGS
from extract.listgroups import merge_sibling_groups

ARTICLE_URL = re.compile(
    r"/t\d{8}_\d+|/art/\d{4}/|/art_\d+|content_\d+|/c\d+/content|/Item/\d+|show[-_]\d+|detail|"
    r"/\d{6,}\.s?html?$|News\.shtml\?",
    re.I,
)
ARTICLE_TEXT_MIN = 400  # non-link text of one block above which a page reads as an article
_LIST_MIN_DATED_OVER_ARTICLE = 10
_PORTAL_RATIO = 1.5  # the list must outnumber the next block by this on a single-list page
_SIGNIFICANT_BLOCK = 3
_UNDATED_LIST_MIN = 3
_INLINE_TAGS = frozenset(
    {"p", "span", "font", "strong", "b", "em", "i", "u", "br", "sup", "sub", "small", "big"}
)


def article_text(page: Page) -> int:
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
        if not isinstance(tag, str) or tag in SKIP_TEXT_TAGS or tag == "a":
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


def _looks_like_portal(blocks: list[Block], best: Block) -> bool:
    """Several blocks of about the list's size: a home or channel page, not one list."""
    significant = sorted(
        (b.dated for b in blocks if b.weight > 0 and b.dated >= _SIGNIFICANT_BLOCK),
        reverse=True,
    )
    if len(significant) < 3:
        return False
    return significant[1] * _PORTAL_RATIO > best.dated


def main_block(page: Page, blocks: list[Block]) -> Block | None:
    # one column's rows split into sibling groups are one list, not a portal's blocks
    candidates = [b for b in merge_sibling_groups(blocks) if b.weight > 0 and b.rows]
    if not candidates:
        return None
    best = max(candidates, key=lambda b: (b.score, len(b.rows)))
    if best.dated == 0:
        return _undated_list(page, candidates)
    if _looks_like_portal(candidates, best):
        return None
    return best


def _undated_list(page: Page, candidates: list[Block]) -> Block | None:
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


def _article_like(page: Page, href: str) -> bool:
    try:
        url = urljoin(page.base, href.strip())
    except ValueError:  # an href no browser can resolve (``http://[::1``) is no article
        return False
    if ARTICLE_URL.search(url) or year_from_url(url) is not None:
        return True
    parts, here = urlsplit(url), urlsplit(page.url)
    folder, _, file = parts.path.rpartition("/")
    if not file or _INDEX_FILE.match("/" + file) or parts.netloc != here.netloc:
        return False
    return (folder + "/").startswith(here.path.rpartition("/")[0] + "/")


def is_article(page: Page, best: Block | None) -> bool:
    dated = best.dated if best is not None else 0
    if dated >= _LIST_MIN_DATED_OVER_ARTICLE:
        return False
    if ARTICLE_URL.search(page.url) and dated < 5:
        return True
    return article_text(page) >= ARTICLE_TEXT_MIN
