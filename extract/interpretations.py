"""政策解读: whether a page is a 解读 (图解, 一图读懂, 答记者问 …), and the links between a
document and its 解读 both ways (解读 links on a document, 原文 links on a 解读)."""

from __future__ import annotations

import re
from collections.abc import Sequence
from dataclasses import dataclass
from functools import cached_property
from typing import TYPE_CHECKING
from urllib.parse import urlsplit

import lxml.html

from extract.docmeta import clean_text, squash, strip_title_marker, visible_text
from extract.parse import base_url_of
from govpatrol.core.urls import absolutize, canonical, is_skipped

if TYPE_CHECKING:
    from govpatrol.core.types import ParsedPage


INTERPRETATION_WORDS = (
    "解读", "图解", "一图读懂", "一图看懂", "一图了解", "一图速览", "图说", "答记者问", "政策问答",
)  # fmt: skip
_WEAK_INTERPRETATION_WORDS = frozenset({"图说", "答记者问", "政策问答"})


def is_interpretation(
    title: str | None, doc_number: str | None, column_name: str | None = None
) -> bool:
    """A 政策解读 page: the title says 解读/图解/一图读懂/答记者问…, or it sits in a 解读 column,
    and it carries no 发文字号 (a numbered 通知 about 解读 work is a document, not a 解读)."""
    if doc_number:
        return False
    title = title or ""
    if any(
        word in title for word in INTERPRETATION_WORDS if word not in _WEAK_INTERPRETATION_WORDS
    ):
        return True
    # 政策问答 / 答记者问 / 图说 also title interviews and features: only with a 《document》.
    if "《" in title and any(word in title for word in _WEAK_INTERPRETATION_WORDS):
        return True
    return bool(column_name) and "解读" in (column_name or "")


# ---- links between documents and their 解读 -------------------------------------------------
_ORIGINAL_WORDS = (
    "原文",
    "原文链接",
    "政策原文",
    "文件原文",
    "相关文件",
    "关联文件",
    "相关政策",
    "政策文件",
)
_COLUMN_LINK_WORDS = frozenset(
    {"政策解读", "解读", "图解", "图文解读", "文字解读", "视频解读", "图片解读", "政策图解",
     "解读回应", "更多解读", "部门解读", "专家解读", "媒体解读", "解读材料", "政策解读栏目"}
)  # fmt: skip
# Column (list) URLs: a directory, index/list pages, Hanweb /col/colNNN/; an article has a file.
_COLUMN_PATH_RE = re.compile(r"(?:^|/)(?:[^/.]*|(?:index|list|default|column)[^/]*\.\w+)$", re.I)
_BOOK_TITLE_RE = re.compile(r"《([^》]{4,80})》")


@dataclass
class _Link:
    """An <a href> with its text; the URL and the label before it are computed on demand,
    because only the few links that look like 解读/原文 links need them."""

    element: lxml.html.HtmlElement
    base: str
    text: str

    @cached_property
    def url(self) -> str | None:
        return absolutize(self.base, self.element.get("href") or "")

    @cached_property
    def context(self) -> str:
        return _link_context(self.element)


def page_links(page: ParsedPage, root: lxml.html.HtmlElement) -> list[_Link]:
    """Every <a href> of the page that leads somewhere."""
    base = base_url_of(root, page.final_url or page.url)
    out: list[_Link] = []
    for a in root.iter("a"):
        href = a.get("href")
        if not href or is_skipped(href) or href.lstrip().startswith("#"):
            continue
        out.append(_Link(a, base, clean_text(visible_text(a) or a.get("title") or "")))
    return out


def _link_context(a: lxml.html.HtmlElement) -> str:
    """Label text right before a link (「相关解读：<a>」) and the headings of enclosing blocks.

    A heading is the previous sibling of the link or of one of its three nearest ancestors,
    when it is short and holds no link itself: the previous ``<li>`` of a menu is not one.
    """
    parts: list[str] = []
    prev = a.getprevious()
    parent = a.getparent()
    before = prev.tail if prev is not None else parent.text if parent is not None else ""
    parts.append((before or "")[-20:])
    node = a
    for _ in range(4):
        sibling = node.getprevious()
        while sibling is not None and not isinstance(sibling.tag, str):
            sibling = sibling.getprevious()
        if sibling is not None and sibling.tag != "a" and next(sibling.iter("a"), None) is None:
            heading = visible_text(sibling)
            if len(heading) <= 30:
                parts.append(heading)
        node = node.getparent()
        if node is None:
            break
    return clean_text(" ".join(parts))


def _is_column_url(link: _Link) -> bool:
    """A directory or index page: a column, not one document."""
    return _COLUMN_PATH_RE.search(urlsplit(link.url or "").path or "/") is not None


def _is_column_link(link: _Link) -> bool:
    """A navigation link to the 政策解读 column itself, not to one 解读."""
    return squash(link.text) in _COLUMN_LINK_WORDS and _is_column_url(link)


def interpretation_links(
    links: Sequence[_Link], own_url: str, title: str | None = None
) -> list[str]:
    """Links to this document's 政策解读 (text or label mentions 解读/图解/一图读懂 …).

    A page linking many 解读 carries a sidebar of other documents' interpretations: then only
    those naming this document are kept.
    """
    found = [
        link
        for link in links
        if not _is_column_link(link)
        and (
            any(w in link.text for w in INTERPRETATION_WORDS)
            or (len(squash(link.text)) >= 6 and "解读" in link.context)
        )
    ]
    if len(found) > _MAX_UNNAMED_LINKS:
        found = [link for link in found if _names_document(link.text, title)]
    return _canonical_unique([link.url for link in found], own_url)


def original_links(links: Sequence[_Link], own_url: str, title: str | None) -> list[str]:
    """Links from a 解读 back to its 原文: 原文/相关文件 links, or a link naming the document."""
    labelled: list[_Link] = []
    named: list[_Link] = []
    for link in links:
        if not link.text or any(w in link.text for w in INTERPRETATION_WORDS):
            continue  # other 解读 pages
        if _names_document(link.text, title):
            named.append(link)
        elif _labelled_original(link):
            labelled.append(link)
    if len(labelled) > _MAX_UNNAMED_LINKS:
        labelled = []  # a 政策文件 sidebar, not this 解读's 原文
    return _canonical_unique([link.url for link in named + labelled], own_url)


_MAX_UNNAMED_LINKS = 3


def _labelled_original(link: _Link) -> bool:
    """「原文链接：<a>…</a>」 or a 「相关文件」 box — but not the 政策文件 column in the menu."""
    labelled = any(w in link.text or w in link.context for w in _ORIGINAL_WORDS)
    return labelled and not _is_column_url(link)


def _names_document(link_text: str, title: str | None) -> bool:
    """Whether a link's text and a title name the same document: a shared 《name》, or one
    contains the other's core (关于…的通知 stripped)."""
    if not title:
        return False
    text, own = squash(link_text), squash(strip_title_marker(title))
    names = {squash(n) for n in _BOOK_TITLE_RE.findall(link_text + "\n" + title)}
    if any(name in text and name in own for name in names):
        return True
    core_text, core_own = _core(text), _core(own)
    shorter, longer = sorted((core_text, core_own), key=len)
    return len(shorter) >= 8 and shorter in longer


_CORE_RE = re.compile(r"^(?:.*?关于)?(?:印发|转发)?(.*?)(?:的(?:通知|解读|政策解读))?$")


def _core(title: str) -> str:
    m = _CORE_RE.match(title)
    return (m.group(1) if m else title).strip("《》")


def _canonical_unique(urls: Sequence[str | None], own_url: str) -> list[str]:
    """Canonical spellings, first occurrence kept, the page itself left out. Canonicalising
    only the few chosen links keeps the page hook cheap."""
    out: list[str] = []
    own = canonical(own_url)
    for url in urls:
        if url is None:
            continue
        spelled = canonical(url)
        if spelled != own and spelled not in out:
            out.append(spelled)
    return out
