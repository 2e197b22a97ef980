"""Placeholder pages: a column that says it has nothing (暂无信息) or is not built yet
(正在建设), or shows an empty list container that no script fills. Only what a visitor sees
counts: a template's inactive 暂无数据 branch beside real rows is no notice
(``extract.inactive``)."""

from __future__ import annotations

import lxml.html

from extract.inactive import shown_as_written
from extract.linkblocks import Block, Page, PageInput, class_tokens, page_blocks, page_of
from extract.linkrows import SKIP_TEXT_TAGS, clean, is_element
from extract.mainblock import ARTICLE_TEXT_MIN, article_text, main_block
from extract.sections import is_section_page

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
_LIST_PREFIXES = ("lb", "liebiao", "xxlb")  # and any class/id word containing "list"


def _outside_chrome(page: Page, element: lxml.html.HtmlElement) -> bool:
    """Not in navigation, header, footer or a side box, nor in a link or script."""
    if page.chrome.weight(element) < 1:
        return False
    return not any(
        node.tag in SKIP_TEXT_TAGS or node.tag in ("a", "title")
        for node in (element, *element.iterancestors())
    )


def placeholder_text(page: Page) -> str | None:
    """A short text such as 暂无信息 or 本栏目正在建设中 outside navigation and sidebars."""
    if not any(phrase in page.html for phrase in PLACEHOLDER_PHRASES):
        return None
    body = page.tree.find(".//body")
    for element in (body if body is not None else page.tree).iter():
        if not is_element(element):
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
                and shown_as_written(holder)
            ):
                return compact
    return None


def empty_list_container(page: Page) -> bool:
    """An empty ``<ul class="list">`` / list table that no inline script fills."""
    scripts = " ".join(s.text or "" for s in page.tree.iter("script") if not s.get("src"))
    for element in page.tree.iter("ul", "ol", "tbody", "table", "div"):
        tokens = class_tokens(element)
        if not any("list" in token or token.startswith(_LIST_PREFIXES) for token in tokens):
            continue
        if len(element) or clean(element.text_content()):
            continue
        names = [element.get("id"), *(element.get("class") or "").split()]
        if any(name and name in scripts for name in names):
            continue  # filled by script: unknown, not empty
        if _outside_chrome(page, element) and shown_as_written(element):
            return True
    return False


def is_placeholder_page(page: PageInput) -> str | None:
    """The placeholder text of a page that says only that it has nothing yet
    (本栏目正在建设中, 暂无信息), else None."""
    src = page_of(page)
    if not any(phrase in src.html for phrase in PLACEHOLDER_PHRASES):
        return None
    return placeholder_only(src, page_blocks(src))


def placeholder_only(page: Page, blocks: list[Block]) -> str | None:
    placeholder = placeholder_text(page)
    if placeholder is None or article_text(page) >= ARTICLE_TEXT_MIN:
        return None
    best = main_block(page, [b for b in blocks if b.weight > 0])
    if best is not None and best.weight >= 1 and best.dated:
        return None
    if is_section_page(page, best):
        return None  # one child column's box says 暂无信息, not the section
    return placeholder


def is_construction_notice(text: str) -> bool:
    """Whether a placeholder says the page is being built (正在建设, 升级改版中), rather
    than that it has no information (暂无信息)."""
    return any(phrase in text for phrase in CONSTRUCTION_PHRASES)
