"""Section and channel pages (新闻中心, 政务公开, 重点工作 …): a page whose main content is
several boxes, each the head of a child column, with its 更多 link or a linked heading.

Such a page is no column: it has no list of its own, and its boxes show the children's
newest items (which the children's own pages are judged on) or nothing at all when a child
is empty. Judged as a list it would be stale on one box's dates, or blank because one box
says 暂无信息; so extract.lists and extract.placeholders ask ``is_section_page`` first.
"""

from __future__ import annotations

import re
from collections.abc import Iterator
from typing import Any
from urllib.parse import urljoin

import lxml.html
from lxml import etree

from extract.cms import same_page_key
from extract.linkblocks import Block, Page, class_tokens
from extract.linkrows import clean, is_element
from extract.mainblock import ARTICLE_URL

_MIN_CHILDREN = 2
_BOX_LEVELS = 4  # from a 更多 link up to the box holding its rows
_HEADING_MAX_TEXT = 16
_HEADING_TAGS = frozenset({"h1", "h2", "h3", "h4", "h5", "h6"})
_HEADING_CLASSES = ("tit", "title", "hd", "head", "lm", "column", "caption")
# 更多, 更多>>, 更多工作动态, MORE+, >>, 》 … (and empty links styled as "more" buttons).
_MORE_TEXT = re.compile(r"(?:更多|查看更多|more\b|MORE\b|More\b)\S{0,12}$|[>»》+]{1,3}$")
_SKIPPED_HREFS = ("javascript:", "mailto:", "tel:", "#", "data:")
# compiled once: an element's .xpath() compiles its expression on every call
_IMAGE_WORDS = etree.XPath(".//img/@src | .//img/@alt")


def _is_more_link(anchor: lxml.html.HtmlElement, text: str) -> bool:
    """``text``: the anchor's text, whitespace collapsed (read once for both tests)."""
    if text and _MORE_TEXT.match(text):
        return True
    if any(token.startswith("more") for token in class_tokens(anchor)):
        return True
    if text:  # a link with text is a 更多 link by its text alone, whatever its images say
        return False
    images = " ".join(_IMAGE_WORDS(anchor)).lower()
    return "more" in images or "更多" in images


def _is_heading_link(anchor: lxml.html.HtmlElement, text: str) -> bool:
    """The linked title of a box: ``<h3><a>工作动态</a></h3>``, ``<div class="tit"><a>…``."""
    if not text or len(text) > _HEADING_MAX_TEXT:
        return False
    parent = anchor.getparent()
    for element in (parent, parent.getparent() if parent is not None else None):
        if element is None or not is_element(element):
            continue
        if element.tag in _HEADING_TAGS:
            return True
        if any(token.startswith(_HEADING_CLASSES) for token in class_tokens(element)):
            return clean(element.text_content()).startswith(text)
    return False


def _child_links(page: Page) -> Iterator[tuple[lxml.html.HtmlElement, str]]:
    """Every 更多 link and linked box heading of the page's content (not its navigation,
    footer or side boxes) whose target is another page that is no article."""
    body = page.tree.find(".//body")
    own = same_page_key(page.url)
    for anchor in (body if body is not None else page.tree).iter("a"):
        href = (anchor.get("href") or "").strip()
        if not href or href.lower().startswith(_SKIPPED_HREFS):
            continue
        if page.chrome.weight(anchor) < 1:
            continue
        text = clean(anchor.text_content())
        if not (_is_more_link(anchor, text) or _is_heading_link(anchor, text)):
            continue
        try:
            target = urljoin(page.base, href)
        except ValueError:
            continue
        if same_page_key(target) == own or ARTICLE_URL.search(target):
            continue
        yield anchor, same_page_key(target)


def _box(anchor: lxml.html.HtmlElement, target: str, page: Page) -> lxml.html.HtmlElement:
    """The box a child column's link heads: its lowest ancestor holding links elsewhere
    (the child's items), else the link's own parent (an empty box)."""
    element: Any = anchor.getparent()
    for _ in range(_BOX_LEVELS):
        if element is None or element.tag in ("body", "html"):
            break
        for other in element.iter("a"):
            href = (other.get("href") or "").strip()
            if (
                other is not anchor
                and href
                and not href.startswith(_SKIPPED_HREFS)
                and same_page_key(urljoin(page.base, href)) != target
            ):
                return element
        element = element.getparent()
    return anchor.getparent()


def is_section_page(page: Page, best: Block | None) -> bool:
    """Whether the page is a section or channel page: at least two child columns head boxes
    of its content, and the list it seems to have (``best``) is one of those boxes."""
    boxes: dict[str, lxml.html.HtmlElement] = {}
    for anchor, target in _child_links(page):
        boxes.setdefault(target, _box(anchor, target, page))
    # rows of one list with linked titles all head the same box: that is no section
    if len(set(boxes.values())) < _MIN_CHILDREN:
        return False
    if best is None:
        return True
    holders = {best.container, *best.container.iterancestors()}
    return any(box in holders for box in boxes.values())
