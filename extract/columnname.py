"""What a list page calls its column: its breadcrumb trail (当前位置：首页 > 政务公开 >
综合信息), else a ``<meta>`` column name, the list box's heading, or the ``<title>``; and,
where the name says nothing of its kind, what its items say (``content_category``: a
column of 「2025年部门预算」「2024年部门决算公开」 is a 财政预决算 column, whatever it is called).
"""

from __future__ import annotations

import re
from collections.abc import Sequence

import lxml.html

from extract.linkblocks import Block, Page, box_title
from extract.linkrows import SKIP_TEXT_TAGS, clean, is_element

_HOME_WORDS = ("首页", "主页", "网站首页", "门户首页", "返回首页")
_CRUMB_SEPARATORS = frozenset(">›»→/\\|＞〉》-—·:：")
_CRUMB_LABEL = re.compile(r"(?:当前|所在|现在|您的|你的|您|你)[^<>]{0,4}位置|当前页面|位置\s*[:：]")
_TITLE_SPLIT = re.compile(r"\s*[-_|–—·:：>»]+\s*|\s{2,}|\s+(?=\S*(?:网|政府|门户))")
_SITE_SUFFIXES = ("网", "网站", "政府", "门户", "人民政府", "首页", "主页")
# Titles of 财政预决算 items: 部门预算, 部门决算公开, 预决算公开, 三公经费 …
_BUDGET_TITLE = re.compile(r"预算|决算|三公经费")
_CONTENT_MIN_ITEMS = 2
_CONTENT_MIN_SHARE = 0.6  # below it the column merely mentions budgets among other things


def _crumb_tokens(container: lxml.html.HtmlElement) -> list[tuple[str, str]]:
    """The container's content in order: ("a", link text) and ("t", plain text)."""
    tokens: list[tuple[str, str]] = []

    def walk(element: lxml.html.HtmlElement) -> None:
        if element.text:
            tokens.append(("t", element.text))
        for child in element:
            if is_element(child) and child.tag not in SKIP_TEXT_TAGS:
                if child.tag == "a":
                    tokens.append(("a", clean(child.text_content())))
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


def find_breadcrumb(page: Page) -> list[str]:
    body = page.tree.find(".//body")
    root = body if body is not None else page.tree
    # 1. a labelled one: 当前位置：首页 > 政务公开 > 综合信息
    for element in root.iter() if "位置" in page.html else ():
        if not is_element(element) or element.tag in SKIP_TEXT_TAGS:
            continue
        for text in (element.text, element.tail):
            if text and "位置" in text and len(text.strip()) <= 20 and _CRUMB_LABEL.search(text):
                holder = element if text is element.text else element.getparent()
                crumbs = _crumbs_near(holder, labelled=True)
                if crumbs:
                    return crumbs
    # 2. an unlabelled trail starting at the home page: 首页 >> 旅游动态 >> 地市动态
    for anchor in root.iter("a"):
        if clean(anchor.text_content()).endswith(_HOME_WORDS):
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


def name_from_crumbs(crumbs: list[str]) -> str | None:
    for crumb in reversed(crumbs):
        if crumb not in ("正文", "详情", "列表", "内容", "信息列表") and not crumb.endswith(
            _HOME_WORDS
        ):
            return crumb
    return None


def meta_column_name(tree: lxml.html.HtmlElement) -> str | None:
    for meta in tree.iter("meta"):
        if (meta.get("name") or "").lower() in ("columnname", "column", "catalogname"):
            value = clean(meta.get("content"))
            if value:
                return value
    return None


def _name_from_title(title: str) -> str | None:
    parts = [p for p in _TITLE_SPLIT.split(title) if p and len(p) >= 2]
    for part in parts:
        if not part.endswith(_SITE_SUFFIXES):
            return part
    return None


def find_column_name(page: Page, crumbs: list[str], block: Block | None) -> str | None:
    return (
        name_from_crumbs(crumbs)
        or meta_column_name(page.tree)
        or (box_title(block.container) if block is not None else None)
        or _name_from_title(page.title)
    )


def content_category(titles: Sequence[str]) -> tuple[str, str] | None:
    """("budget", an example title) when most of a column's items are budget or final-account
    publications (each published once a year), else None. Read only when the column's name
    names no category: a 通知公告 column that once carried a budget notice stays a notice one."""
    named = [title for title in titles if title]
    matching = [title for title in named if _BUDGET_TITLE.search(title)]
    if len(matching) < _CONTENT_MIN_ITEMS or len(matching) < _CONTENT_MIN_SHARE * len(named):
        return None
    return "budget", matching[0]
