"""政策解读: whether a page is a 解读 (图解, 一图读懂, 答记者问 …), and the links between a
document and its 解读 both ways (解读 links on a document, 原文 links on a 解读).

A link on a document page is its 解读 only when it relates to *this* document: the document's
title (or its core, without 关于…的通知 wrappers) or its 发文字号 appears in the link text — or,
for a short generic link (「图文解读」 under a 相关解读 heading), in the target page's title, which
only the site hook knows (checks/documents.py confirms such candidates after the crawl).
Navigation, breadcrumbs, header and footer menus, column indexes, photo columns (图说) and
"相关阅读" lists of other documents never count: a 政策解读 menu entry is the site's, not the
document's."""

from __future__ import annotations

import re
from collections.abc import Sequence
from dataclasses import dataclass
from functools import cached_property
from typing import TYPE_CHECKING
from urllib.parse import urlsplit

import lxml.html

from extract.docmeta import (
    clean_text,
    find_doc_number,
    squash,
    strip_title_marker,
    visible_text,
)
from extract.normative import DOCUMENT_TYPES, doc_type
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
    and it carries no 发文字号 (a numbered 通知 about 解读 work is a document, not a 解读) —
    unless its title is a 解读's, not a document's: 信息公开 tables of 解读 pages often repeat
    the 原文's 文号 (「《某某办法》政策解读」 with 文号 某民规〔2025〕11号)."""
    title = title or ""
    if doc_number:
        return _titled_as_interpretation(title)
    if any(
        word in title for word in INTERPRETATION_WORDS if word not in _WEAK_INTERPRETATION_WORDS
    ):
        return True
    # 政策问答 / 答记者问 / 图说 also title interviews and features: only with a 《document》.
    if "《" in title and any(word in title for word in _WEAK_INTERPRETATION_WORDS):
        return True
    # A 解读 column, but not a 政策文件及解读 one: that column holds the documents too.
    column = column_name or ""
    return "解读" in column and "文件" not in column


_BOOK_NAME_RE = re.compile(r"《[^》]*》")


def _titled_as_interpretation(title: str) -> bool:
    """The title says 解读/图解/一图读懂 outside any 《name》 and does not end in a document's
    type once the names are set aside: 「一图读懂《某某标准》」 is a 解读, 「关于做好政策解读工作的
    通知」 is a 通知."""
    bare = _BOOK_NAME_RE.sub("《》", title)
    strong = (w for w in INTERPRETATION_WORDS if w not in _WEAK_INTERPRETATION_WORDS)
    return any(w in bare for w in strong) and doc_type(bare, DOCUMENT_TYPES) is None


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
# What a link to a column or menu entry says: with no 解读 label before it, such a link is the
# site's 政策解读 (or 图说, 政策文件及解读 …) column, not this document's 解读.
_COLUMN_LINK_WORDS = frozenset(
    {"政策解读", "解读", "图解", "图文解读", "文字解读", "视频解读", "图片解读", "政策图解",
     "解读回应", "更多解读", "部门解读", "专家解读", "媒体解读", "解读材料", "政策解读栏目",
     "政策文件及解读", "政策文件与解读", "政策与解读", "文件解读", "政策解读与回应", "图说",
     "图说新闻", "图说民政", "图解政策", "一图读懂", "热点解读", "权威解读", "解读文章"}
)  # fmt: skip
# Column (list) URLs: a directory, index/list pages, Hanweb /col/colNNN/; an article has a file.
_COLUMN_PATH_RE = re.compile(r"(?:^|/)(?:[^/.]*|(?:index|list|default|column)[^/]*\.\w+)$", re.I)
_BOOK_TITLE_RE = re.compile(r"《([^》]{4,80})》")
# Words a generic 解读 link is made of (「点击查看图文解读」); what is left names a document.
_GENERIC_WORDS = tuple(
    sorted(
        {*INTERPRETATION_WORDS, "政策", "文件", "图文", "文字", "视频", "图片", "音频", "动漫",
         "漫画", "相关", "点击", "查看", "阅读", "详见", "专家", "部门", "媒体", "权威", "官方",
         "链接", "材料", "本文件", "本政策", "新闻", "栏目", "专栏", "更多", "热点", "进入"},
        key=len,
        reverse=True,
    )
)  # fmt: skip
# Left of a link text once its generic words are gone: this many characters name a document.
_NAMING_RESIDUE = 8
_PUNCTUATION_RE = re.compile(r"[\W_]+")
# Headings of boxes that list other documents (相关阅读, 热点, 排行): only a link naming this
# document counts there.
_OTHER_DOCUMENTS_HEADINGS = (
    "相关阅读", "相关新闻", "相关文章", "推荐阅读", "延伸阅读", "热点", "热门", "排行", "最新",
    "往期", "猜你喜欢", "图说", "图片新闻",
)  # fmt: skip
_TRUNCATION_RE = re.compile(r"(?:…+|\.{2,}|。{2,})$")

# Page chrome a link can sit in: navigation, header, footer, menus, breadcrumbs. Class and id
# words are the ones CMS templates use across vendors (导航 dh, 面包屑 mbx, 当前位置 dqwz …).
_CHROME_TAGS = frozenset({"nav", "header", "footer", "menu"})
_CHROME_ROLES = frozenset({"navigation", "banner", "contentinfo", "menubar", "menu"})
_CHROME_PREFIXES = (
    "nav", "menu", "crumb", "bread", "foot", "header", "topbar", "subnav", "daohang", "mianbao",
)  # fmt: skip
_CHROME_WORDS = frozenset(
    {"top", "bottom", "position", "location", "dqwz", "weizhi", "lujing", "copyright", "banner",
     "dh", "mbx", "sitemap"}
)  # fmt: skip
_CLASS_SPLIT_RE = re.compile(r"[\s_\-]+")
_CRUMB_MARK_RE = re.compile(r"(?:当前|您的|你的|所在|现在)的?(?:所在)?位置|位置导航")
_CRUMB_SEPARATORS = (">", "＞", "»", "›")

MATCH_TITLE = "title"  # the document's title (or its core) in the text
MATCH_DOC_NUMBER = "doc_number"  # the document's 发文字号 in the text


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

    @property
    def tooltip(self) -> str:
        """The title attribute: lists often cut the text (「关于印发《…」) and keep it whole here."""
        return clean_text(self.element.get("title") or "")


@dataclass(frozen=True)
class FoundLink:
    """A link to this document's 解读: where it leads, what it says, and why it is taken as
    related — ``match`` is "title" or "doc_number" when the text names the document, None for
    a generic link (「图文解读」) the site hook still has to confirm by the target's title."""

    url: str
    text: str
    match: str | None

    def evidence(self) -> dict[str, str | None]:
        return {"url": self.url, "text": self.text, "match": self.match}


def page_links(page: ParsedPage, root: lxml.html.HtmlElement) -> list[_Link]:
    """Every <a href> of the page that leads somewhere."""
    base = base_url_of(root, page.final_url or page.url)
    out: list[_Link] = []
    for a in root.iter("a"):
        href = a.get("href")
        if not href or is_skipped(href) or href.lstrip().startswith("#"):
            continue
        out.append(_Link(a, base, clean_text(visible_text(a) or a.get("title") or _alt_text(a))))
    return out


def _alt_text(a: lxml.html.HtmlElement) -> str:
    """What an image link says: 一图读懂 解读 are often linked by their picture alone."""
    return " ".join(img.get("alt") or "" for img in a.iter("img")).strip()


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


# ---- where a link sits -----------------------------------------------------------------------
def _in_chrome(a: lxml.html.HtmlElement, *, by_class: bool = True) -> bool:
    """In navigation, a header or footer, a menu or a breadcrumb: the site's links, which
    every page repeats, never one document's. ``<header>``/``<footer>`` inside an
    ``<article>`` belong to the article. Without ``by_class``, class and id words are not
    read: a link that names this document is its own even in a ``con-bottom`` box under the
    text, which such words cannot tell from the page's footer."""
    in_article = any(node.tag in ("article", "main") for node in a.iterancestors())
    for node in a.iterancestors():
        tag = node.tag if isinstance(node.tag, str) else ""
        if tag in ("body", "html"):
            break
        if tag in _CHROME_TAGS and not (in_article and tag in ("header", "footer")):
            return True
        if (node.get("role") or "").strip().lower() in _CHROME_ROLES:
            return True
        if not by_class:
            continue
        classes = f"{node.get('class') or ''} {node.get('id') or ''}".lower()
        for token in _CLASS_SPLIT_RE.split(classes):
            if token and (token.startswith(_CHROME_PREFIXES) or token in _CHROME_WORDS):
                return True
    return _in_breadcrumb(a)


def _in_breadcrumb(a: lxml.html.HtmlElement) -> bool:
    """当前位置：首页 > 政务公开 > <a>政策文件及解读</a>: a crumb by its marker or its separators.

    The link must follow the marker closely: on a short page (a 解读 that is mostly a picture)
    the block holding the crumb also holds the article, and its 「原文链接：<a>」 is no crumb."""
    if _next_to_separator(a):
        return True
    node = a.getparent()
    for _ in range(3):
        if node is None:
            break
        text = visible_text(node)
        if len(text) <= 120 and _CRUMB_MARK_RE.search(text) and _marked_shortly_before(a, node):
            return True
        node = node.getparent()
    return False


# Between 当前位置 and a crumb's link lie other crumb links and separators, and at most a
# level or two without a link (首页 > 政务公开 > …): this many characters of such text.
_CRUMB_LOOSE = 16
_CRUMB_GLUE = ">＞»›/|-—:：、 "


def _marked_shortly_before(a: lxml.html.HtmlElement, node: lxml.html.HtmlElement) -> bool:
    """当前位置 in ``node`` before the link with only crumb text between: other links,
    separators, ``_CRUMB_LOOSE`` characters of other text (not a title and a dateline)."""
    loose = 0
    for piece in reversed(a.xpath("preceding::text()")):
        owner = piece.getparent()
        if not (node in owner.iterancestors() or (owner is node and not piece.is_tail)):
            return False
        text = squash(piece)
        if _CRUMB_MARK_RE.search(text):
            return True
        holder = owner.getparent() if piece.is_tail else owner
        if holder is None or (holder.tag != "a" and next(holder.iterancestors("a"), None) is None):
            loose += len(text.strip(_CRUMB_GLUE))
            if loose > _CRUMB_LOOSE:
                return False
    return False


def _next_to_separator(a: lxml.html.HtmlElement) -> bool:
    """A crumb separator (>, », ›) right after or before the link, as text or in its own
    element (首页<span>&gt;</span>政务公开)."""
    after = (a.tail or "").strip()
    following = a.getnext()
    if not after and following is not None and isinstance(following.tag, str):
        after = visible_text(following).strip() if following.tag != "a" else ""
    prev = a.getprevious()
    before = (prev.tail or "").strip() if prev is not None else ""
    if prev is not None and not before and isinstance(prev.tag, str) and prev.tag != "a":
        before = visible_text(prev).strip()
    return bool(after[:1] and after[:1] in _CRUMB_SEPARATORS) or bool(
        before[-1:] and before[-1:] in _CRUMB_SEPARATORS
    )


def _is_column_url(link: _Link) -> bool:
    """A directory or index page: a column, not one document."""
    return _COLUMN_PATH_RE.search(urlsplit(link.url or "").path or "/") is not None


def _is_column_link(link: _Link) -> bool:
    """A link to a column rather than to one 解读: a column URL (a directory, an index page),
    or a column's name (政策解读, 图说, 政策文件及解读) with no 解读 label of this page before it."""
    if _is_column_url(link):
        return True
    own_label = link.context.replace(link.text, "")
    return squash(link.text) in _COLUMN_LINK_WORDS and "解读" not in own_label


def _in_list_of_other_documents(link: _Link) -> bool:
    """Under a 相关阅读 / 热点 / 排行 heading: a box of other documents."""
    return any(word in link.context for word in _OTHER_DOCUMENTS_HEADINGS)


# ---- what a link says ------------------------------------------------------------------------
def _says_interpretation(link: _Link) -> bool:
    """The text says 解读/图解/一图读懂 … (图说, 答记者问 alone say it only with a name), or it
    sits under a 解读 label (「相关解读：<a>《…》</a>」)."""
    words = f"{link.text} {link.tooltip}"
    if any(w in words for w in INTERPRETATION_WORDS):
        return True
    return len(squash(link.text)) >= 6 and "解读" in link.context


def _only_weak_words(link: _Link) -> bool:
    words = f"{link.text} {link.tooltip}"
    strong = [w for w in INTERPRETATION_WORDS if w not in _WEAK_INTERPRETATION_WORDS]
    return not any(w in words for w in strong) and "解读" not in link.context


def _names_another(text: str) -> bool:
    """Names a document by its 《name》 or 发文字号 (this document's was looked for first)."""
    return bool(_BOOK_TITLE_RE.search(text) or find_doc_number(text))


def _is_generic(text: str) -> bool:
    """Says only that it is a 解读 (「图文解读」「点击查看政策解读」), naming nothing: little is
    left once the generic words are gone."""
    residue = squash(text)
    for word in _GENERIC_WORDS:
        residue = residue.replace(word, "")
    return len(_PUNCTUATION_RE.sub("", residue)) < _NAMING_RESIDUE


def relation(text: str, title: str | None, doc_number: str | None = None) -> str | None:
    """How ``text`` (a link text, a target page's title) names the document: by its 发文字号
    ("doc_number"), by its title or the title's core ("title"), or not at all (None)."""
    if not text:
        return None
    key = _number_key(doc_number or "")
    if key and key in _number_key(text):
        return MATCH_DOC_NUMBER
    if _names_document(text, title):
        return MATCH_TITLE
    return None


_BRACKETS = str.maketrans({**{c: "〔" for c in "[［(（【{｛"}, **{c: "〕" for c in "]］)）】}｝"}})


def _number_key(number: str) -> str:
    """A 发文字号 spelled one way (〔〕 brackets, no 第, no spaces); empty for a bare 〔2023〕5号,
    which many issuers share."""
    key = squash(number).translate(_BRACKETS).replace("第", "")
    return key if key.find("〔") >= 1 or ("令" in key and key.endswith("号")) else ""


def interpretation_links(
    links: Sequence[_Link],
    own_url: str,
    title: str | None = None,
    doc_number: str | None = None,
) -> list[FoundLink]:
    """Links to this document's 政策解读.

    Named links (the title, its core or the 发文字号 in the text or tooltip) count wherever
    they sit outside the page chrome. Generic ones (「图文解读」) count only outside chrome,
    column links and boxes of other documents, and only a few: a page with many carries a
    sidebar of other documents' interpretations. Links naming another document never count.
    """
    found: list[FoundLink] = []
    for link in links:
        if not _says_interpretation(link):
            continue
        match = relation(link.text, title, doc_number) or relation(link.tooltip, title, doc_number)
        if _in_chrome(link.element, by_class=match is None):
            continue
        if match or _candidate(link):
            found.append(FoundLink(link.url or "", link.text or link.tooltip, match))
    if sum(1 for f in found if f.match is None) > _MAX_UNNAMED_LINKS:
        found = [f for f in found if f.match is not None]
    out: dict[str, FoundLink] = {}
    own = canonical(own_url)
    for link in found:
        url = canonical(link.url) if link.url else None
        if url is None or url == own:
            continue
        if url not in out or (out[url].match is None and link.match is not None):
            out[url] = FoundLink(url, link.text, link.match)
    return list(out.values())


def _candidate(link: _Link) -> bool:
    """A link that does not name this document but may still lead to its 解读, for the site
    hook to confirm by the target's title: a generic 「图文解读」, or any link under this page's
    own 解读 label (「相关解读：<a>负责同志就新规答问</a>」) — never one naming another
    《document》 or 发文字号, a column, a box of other documents, or 图说 alone."""
    text = link.text or link.tooltip
    if _names_another(text) or _only_weak_words(link) or _is_column_link(link):
        return False
    if _in_list_of_other_documents(link):
        return False
    labelled = "解读" in link.context.replace(link.text, "")
    return labelled or _is_generic(text)


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
    named = [link for link in named if not _in_chrome(link.element, by_class=False)]
    labelled = [link for link in labelled if not _in_chrome(link.element)]
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
    contains the other's core (关于…的通知 stripped). A text cut short (「关于印发《…管理办…」)
    is compared without its ellipsis."""
    if not title or not link_text:
        return False
    text = _TRUNCATION_RE.sub("", squash(link_text))
    own = squash(strip_title_marker(title))
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
