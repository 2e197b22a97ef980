"""Document pages: metadata, validity (有效性), normative-document detection, 政策解读 links.

``extract_document(page)`` turns a parsed article page into a ``DocumentMeta`` (None for
lists, home pages and other non-articles). Labels come from ``extract.docmeta``; this module
adds what needs the page as a whole: the title and its 【已失效】-style marker, validity badges,
the breadcrumb and column, the body's 有效期X年 / 自…起施行 clauses, whether the page is a
行政规范性文件 (and why), whether it is a 解读, and the links between the two.
"""

from __future__ import annotations

import datetime as dt
import re
from collections.abc import Sequence
from dataclasses import dataclass, field
from functools import cached_property
from typing import TYPE_CHECKING, Any
from urllib.parse import urlsplit

import lxml.html

from extract.docmeta import (
    FIELD_LABELS,
    PLACEHOLDER_VALUES,
    STRICT_VALIDITY_WORDS,
    BodyClauses,
    LabelFields,
    Segment,
    all_dates,
    body_clauses,
    clean_text,
    cn_number,
    extract_label_fields,
    find_doc_number,
    is_date_only,
    iter_dates_after,
    meta_content,
    normalize_validity,
    parse_date,
    squash,
    strip_title_marker,
    title_marker,
    visible_segments,
    visible_text,
)
from extract.parse import base_url_of
from govpatrol.core.urls import absolutize, canonical, is_skipped

if TYPE_CHECKING:
    from govpatrol.core.types import ParsedPage


@dataclass
class DocumentMeta:
    """What a document page shows. ``fields`` keeps every raw label value as evidence."""

    url: str
    title: str | None = None
    issuer: str | None = None
    doc_number: str | None = None
    doc_number_raw: str | None = None  # as shown, e.g. 无
    index_no: str | None = None
    registration_no: str | None = None
    written_date: dt.date | None = None
    published_date: dt.date | None = None
    published_source: str | None = None  # label | info_line | meta
    effective_date: dt.date | None = None
    effective_source: str | None = None  # label | body | body:published | body:written
    repeal_date: dt.date | None = None
    valid_until: dt.date | None = None
    validity_raw: str | None = None  # None: no 有效性 field; "": an empty one
    validity_label: str | None = None  # the label it was shown under (有效性, 时效性 …)
    validity: str | None = None  # normalised (field, else title marker, else badge)
    validity_source: str | None = None  # field | title | badge
    title_marker: str | None = None  # e.g. 已失效, from 【已失效】
    title_marker_validity: str | None = None
    badge: str | None = None  # a stand-alone status element such as <span class="yxx">有效</span>
    period_years: int | None = None  # 有效期X年 (body or field)
    period_text: str | None = None
    effective_text: str | None = None  # the 自…起施行 clause
    provisional: bool = False  # 暂行 / 试行 in the title
    topic: str | None = None
    column_name: str | None = None
    breadcrumb: list[str] = field(default_factory=list)
    is_normative: bool = False
    normative_reason: str | None = None
    is_interpretation: bool = False
    interpretation_urls: list[str] = field(default_factory=list)
    original_urls: list[str] = field(default_factory=list)
    fields: dict[str, str] = field(default_factory=dict)

    @property
    def has_validity_label(self) -> bool:
        """A non-empty 有效性 field, a title marker or a badge is shown."""
        shown = self.validity_raw is not None and squash(self.validity_raw) not in (
            "",
            *PLACEHOLDER_VALUES,
        )
        return shown or self.title_marker is not None or self.badge is not None


# ---- titles, markers, badges ---------------------------------------------------------------
_TITLE_SPLIT_RE = re.compile(r"\s+[-_|–—]\s+|[-_|–—｜]{1,2}")
_BADGE_HINT_RE = re.compile(
    r"yxx|youxiao|shixiao|sxx|xiaoli|status|valid|state|badge|effect|stamp|tag|mark|flag", re.I
)


def _document_title(
    root: lxml.html.HtmlElement, page_title: str, fields: LabelFields, segments: Sequence[Segment]
) -> str | None:
    """标题 field, else the visible heading that the <title> contains, else meta, else <title>."""
    shown = fields.value("title")
    if shown:
        return shown
    refs = [squash(t) for t in (page_title, meta_content(root, "ArticleTitle") or "") if t]
    joined = "\n".join(refs)
    best: str | None = None
    for seg in segments if refs else ():
        text = seg.text.strip()
        # Cheap filter first: a heading the <title> contains starts with two chars it contains.
        if seg.in_link or not 4 <= len(text) <= 300 or text[:2] not in joined:
            continue
        squashed = squash(text)
        if any(squashed in ref for ref in refs) and (
            best is None or len(squashed) > len(squash(best))
        ):
            best = clean_text(text)
    if best and len(squash(best)) >= 8:
        return best
    article_title = meta_content(root, "ArticleTitle")
    if article_title:
        return article_title
    parts = [p.strip() for p in _TITLE_SPLIT_RE.split(page_title or "") if p.strip()]
    from_title = max(parts, key=len) if parts else None
    if from_title and len(from_title) >= 6 and not _SITE_NAME_RE.search(from_title):
        return from_title
    # A <title> that is missing or only a site name: the longest first-level heading.
    headings = [clean_text(visible_text(h)) for h in root.iter("h1")]
    heading = max((h for h in headings if 4 <= len(h) <= 200), key=len, default=None)
    return heading or from_title or best


# A <title> that names only the site: 某市人民政府, 中国宜春, 某某局门户网站.
_SITE_NAME_RE = re.compile(
    r"^.{0,12}(?:人民政府|政府|政府网|门户网站|网站|网|局|委员会|厅|办公室)$"
)


def _title_index(segments: Sequence[Segment], title: str | None) -> int | None:
    """Index of the visible text node that shows the title (where the info line follows)."""
    if not title:
        return None
    wanted = squash(strip_title_marker(title))
    for i, seg in enumerate(segments):
        if not seg.in_link and squash(seg.text) == wanted:
            return i
    return None


def _badge(
    root: lxml.html.HtmlElement, segments: Sequence[Segment], title_at: int | None
) -> str | None:
    """A stand-alone validity word shown as a badge or stamp, near the title or marked by class.

    Only exact wordings count, and only on elements whose class/id says status or that sit in
    the title's own container: related-document lists elsewhere carry other documents' status.
    """
    title_parent = None
    if title_at is not None:
        owner = segments[title_at].owner
        title_parent = owner.getparent() if owner.getparent() is not None else owner
    for seg in segments:
        word = squash(seg.text)
        if word not in STRICT_VALIDITY_WORDS or seg.in_link:
            continue
        holder = seg.owner.getparent() if seg.is_tail else seg.owner
        if holder is None:
            continue
        hint = f"{holder.get('class') or ''} {holder.get('id') or ''}"
        near_title = title_parent is not None and _is_within(holder, title_parent)
        if _BADGE_HINT_RE.search(hint) or near_title:
            return word
    for img in root.iter("img"):
        alt = squash(img.get("alt") or img.get("title") or "")
        if alt in STRICT_VALIDITY_WORDS:
            return alt
    return None


def _is_within(el: lxml.html.HtmlElement, ancestor: lxml.html.HtmlElement, depth: int = 4) -> bool:
    node = el
    for _ in range(depth):
        if node is None:
            return False
        if node is ancestor:
            return True
        node = node.getparent()
    return node is ancestor


# ---- breadcrumb ----------------------------------------------------------------------------
_CRUMB_MARK_RE = re.compile(
    r"(?:当前|您的|你的|所在|现在)的?(?:所在)?位置|当前页面|位置导航|当前栏目|^\s*位置\s*[:：]"
)
_CRUMB_CLASS_RE = re.compile(r"crumb|bread|position|location|dqwz|weizhi|mianbao|lujing|path", re.I)
_CRUMB_SEPARATORS = ">＞»›/／→-－|"
_CRUMB_NOISE = frozenset(
    {"正文", "详情", "内容", "正文内容", "文章", "详细内容", "浏览文章", "阅读"}
)


def _crumbs_in(container: lxml.html.HtmlElement) -> list[str]:
    crumbs: list[str] = []
    for a in container.iter("a"):
        text = clean_text(visible_text(a))
        if text and len(text) <= 30:
            crumbs.append(text)
    return crumbs[:12]


def extract_breadcrumb(
    root: lxml.html.HtmlElement, segments: Sequence[Segment] | None = None
) -> list[str]:
    """The breadcrumb (当前位置：首页 > 政务公开 > 规范性文件) as a list of crumb texts."""
    segs = segments if segments is not None else visible_segments(root)
    for seg in segs:
        if len(seg.text) > 60 or not _CRUMB_MARK_RE.search(seg.text):
            continue
        holder = seg.owner.getparent() if seg.is_tail else seg.owner
        for _ in range(4):
            if holder is None:
                break
            if any(True for _ in holder.iter("a")):
                crumbs = _crumbs_in(holder)
                if crumbs:
                    return crumbs
            holder = holder.getparent()
    for el in root.iter("div", "p", "span", "td", "nav", "ol", "ul"):
        hint = f"{el.get('class') or ''} {el.get('id') or ''}"
        if hint.strip() and _CRUMB_CLASS_RE.search(hint):
            crumbs = _crumbs_in(el)
            if crumbs:
                return crumbs
    return []


def column_from_breadcrumb(crumbs: Sequence[str], title: str | None = None) -> str | None:
    """The last crumb that names a column (not 正文, not the document's own title)."""
    own = squash(title or "")
    for crumb in reversed(crumbs):
        word = squash(crumb).strip(_CRUMB_SEPARATORS)
        if word and word not in _CRUMB_NOISE and word != own:
            return crumb
    return None


# ---- normative detection -------------------------------------------------------------------
INTERPRETATION_WORDS = (
    "解读", "图解", "一图读懂", "一图看懂", "一图了解", "一图速览", "图说", "答记者问", "政策问答",
)  # fmt: skip
_WEAK_INTERPRETATION_WORDS = frozenset({"图说", "答记者问", "政策问答"})
_NEWS_COLUMN_RE = re.compile(r"要闻|动态|新闻|资讯|头条|快讯|图片|视频|媒体|工作信息|简报")
# Doc types a title ends with, longest first (指导意见 before 意见).
_RULE_TYPES = (
    "实施细则", "实施办法", "实施意见", "指导意见", "暂行办法", "暂行规定", "管理办法", "若干规定",
    "若干措施", "办法", "规定", "细则", "规则", "意见", "决定", "规范", "标准", "准则", "规程",
    "守则", "措施", "通告", "命令",
)  # fmt: skip
_NON_NORMATIVE_TYPES = (
    "批复", "复函", "函", "条例", "法", "公报", "通报", "报告", "纪要", "讲话", "总结", "要点",
    "计划", "方案", "规划", "名单", "公示", "工作规则", "议事规则", "请示", "答复",
)  # fmt: skip
_NON_NORMATIVE_WORDS = re.compile(
    r"表彰|任免|召开|举办|放假|征求意见|征集意见|草案|招聘|招考|采购|中标|成交|培训班|评选|名单"
)
_TRANSMIT_RE = re.compile(r"(?:印发|转发|颁布|发布)(?:.*?)《([^》]{2,80})》")
_TYPE_SUFFIX_STRIP = "》」』”\"'）)】］] 　"
# Numbers of letters, decrees, telegrams, appointments: not normative documents.
_NON_NORMATIVE_NUMBER_RE = re.compile(r"函|令|电|任|复|纪要|\[\s*\]|明传")
# 京政规〔2023〕N号: numbering reserved for 规范性文件.
_RULE_NUMBER_RE = re.compile(r"规[〔\[［(（【]")


def _ends_with(title: str, words: Sequence[str]) -> str | None:
    core = title.rstrip(_TYPE_SUFFIX_STRIP)
    core = re.sub(r"[（(][^（()）]{1,12}[)）]$", "", core)  # 办法（试行）, 意见（暂行）
    for word in sorted(words, key=len, reverse=True):  # 办法 before 法, 工作规则 before 规则
        if core.endswith(word):
            return word
    return None


def classify_normative(
    title: str | None,
    doc_number: str | None,
    *,
    registration_no: str | None = None,
    column_name: str | None = None,
    is_interpretation: bool = False,
) -> tuple[bool, str]:
    """(is a 行政规范性文件, the reason in words) from the signals docs/CHECKS.md names.

    A 规范性文件 column or a registration number decides; otherwise a 发文字号 plus a title
    naming a rule. Never: 解读 pages, news columns, 批复/函, 行政法规 (条例, 令), statistical
    bulletins, internal work rules and plans, drafts for comment.
    """
    title = strip_title_marker(title or "")
    column = column_name or ""
    if is_interpretation:
        return False, "政策解读页（解读材料不是规范性文件）"
    if doc_number and "令" in doc_number and "第" in doc_number:
        return False, f"令号 {doc_number}：行政法规或规章，不是行政规范性文件"
    own_type = _ends_with(title, _NON_NORMATIVE_TYPES + _RULE_TYPES + ("通知", "公告"))
    inner = _TRANSMIT_RE.search(title)
    if own_type in ("通知", "公告") and inner:
        inner_type = _ends_with(inner.group(1), _NON_NORMATIVE_TYPES + _RULE_TYPES)
        own_type = inner_type or own_type
    if own_type in _NON_NORMATIVE_TYPES:
        return False, f"标题文种为“{own_type}”，不是行政规范性文件"
    if column and _NEWS_COLUMN_RE.search(column) and "规范性文件" not in column:
        return False, f"所在栏目“{column}”为新闻动态类"
    if "规范性文件" in column:
        return True, f"位于“{column}”栏目"
    if registration_no:
        return True, f"有规范性文件登记号 {registration_no}"
    if not doc_number:
        return False, "无发文字号"
    if _NON_NORMATIVE_WORDS.search(title):
        return False, "标题表明为事务性文件（表彰、会议、征求意见稿等）"
    if _RULE_NUMBER_RE.search(doc_number):
        return True, f"发文字号 {doc_number} 为规范性文件编号（X规〔年〕号）"
    if _NON_NORMATIVE_NUMBER_RE.search(doc_number):
        return False, f"发文字号 {doc_number} 为函、电报或任免类编号"
    if own_type in _RULE_TYPES:
        return True, f"发文字号 {doc_number}，标题文种为“{own_type}”"
    if own_type in ("通知", "公告"):
        return True, f"发文字号 {doc_number}，面向社会的“{own_type}”"
    return False, f"有发文字号 {doc_number}，但标题未表明规范性文种"


def is_normative(meta: DocumentMeta, column_name: str | None = None) -> bool:
    """Whether the page is a 行政规范性文件 (see ``classify_normative``)."""
    return classify_normative(
        meta.title,
        meta.doc_number,
        registration_no=meta.registration_no,
        column_name=column_name or meta.column_name,
        is_interpretation=meta.is_interpretation,
    )[0]


def normative_reason(meta: DocumentMeta, column_name: str | None = None) -> str:
    """Why the page is (or is not) a 行政规范性文件, in words for the report."""
    return classify_normative(
        meta.title,
        meta.doc_number,
        registration_no=meta.registration_no,
        column_name=column_name or meta.column_name,
        is_interpretation=meta.is_interpretation,
    )[1]


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


def _page_links(page: ParsedPage, root: lxml.html.HtmlElement) -> list[_Link]:
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


# ---- is this an article at all? ------------------------------------------------------------
_STRONG_FIELDS = ("doc_number", "index_no", "written_date", "registration_no", "validity", "effective_date",
                  "repeal_date", "valid_until", "issuer")  # fmt: skip


@dataclass
class _Shape:
    """How much of a page is prose, link text and list-row dates."""

    dated_rows: int
    prose: int
    link_text: int


def _page_shape(segments: Sequence[Segment]) -> _Shape:
    dated = prose = links = 0
    for seg in segments:
        text = seg.text.strip()
        if seg.in_link:
            links += len(text)
        elif len(text) >= 20:
            prose += len(text)
        if len(text) <= 40 and text[:1] in _DATE_STARTS and is_date_only(text):
            dated += 1
    return _Shape(dated, prose, links)


_DATE_STARTS = frozenset("12[【(（")


def _has_metadata(fields: LabelFields) -> bool:
    """Two or more document fields with values: a document page. List headers hold no values,
    and a list whose rows repeat 「文号：…」 shows the same label many times."""
    if any(fields.counts.get(label, 0) > 2 for label in fields.values if _is_strong(label)):
        return False
    return sum(1 for name in _STRONG_FIELDS if fields.value(name)) >= 2


def _is_strong(label: str) -> bool:
    return any(label in FIELD_LABELS[name] for name in _STRONG_FIELDS)


def _list_like(shape: _Shape) -> bool:
    """More dated rows than an article's related-links box holds."""
    return shape.dated_rows > max(6, shape.prose // 400)


def _article_like(shape: _Shape, published_source: str | None) -> bool:
    """Without metadata rows, an article needs a shown date or prose outweighing its links.

    Short pages count when a date is shown with a label or under the title: 一图读懂 解读 pages
    are a picture and two lines of text.
    """
    if shape.prose < 150:
        return published_source in ("label", "info_line")
    return published_source is not None or shape.prose >= max(400, shape.link_text)


# ---- the whole page ------------------------------------------------------------------------
def _resolve_dates(meta: DocumentMeta, fields: LabelFields, root: lxml.html.HtmlElement,
                   segments: Sequence[Segment], title_at: int | None) -> None:  # fmt: skip
    meta.written_date = parse_date(fields.value("written_date"))
    published = parse_date(fields.value("published_date"))
    issue = parse_date(fields.value("issue_date"))
    if published is None and issue is not None:
        published, issue = issue, None
    if meta.written_date is None and issue is not None:
        meta.written_date = issue  # 发文日期 beside a 发布日期: the signing date
    if published is not None:
        meta.published_source = "label"
    else:
        published = parse_date(fields.value("generic_date"))
        meta.published_source = "label" if published else None
    if published is None and title_at is not None:
        published = next(iter(iter_dates_after(segments, title_at)), None)
        meta.published_source = "info_line" if published else None
    if published is None:
        published = parse_date(
            meta_content(root, "PubDate", "pubdate", "publishdate", "firstpublishedtime")
        )
        meta.published_source = "meta" if published else None
    meta.published_date = published
    meta.repeal_date = parse_date(fields.value("repeal_date"))
    meta.valid_until = parse_date(fields.value("valid_until"))
    meta.effective_date = parse_date(fields.value("effective_date"))
    meta.effective_source = "label" if meta.effective_date else None


def _resolve_validity(meta: DocumentMeta, fields: LabelFields) -> None:
    """有效性 field (or a 有效期 field holding a validity word / a period / a date range)."""
    found = fields.group("validity")
    if found is not None:
        label, raw = found
        value = normalize_validity(raw)
        if label == "是否有效" and value is None:
            value = {"是": "effective", "否": "expired"}.get(squash(raw))
        # A bare 状态 row is only a validity field when it reads like one.
        if label != "状态" or value is not None:
            meta.validity_label, meta.validity_raw, meta.validity = label, raw, value
            meta.validity_source = "field" if value else None
    period = fields.group("validity_period")
    if period is not None:
        label, raw = period
        as_validity = normalize_validity(raw)
        dates = all_dates(raw)
        if as_validity and not dates and meta.validity_raw is None:
            meta.validity_label, meta.validity_raw, meta.validity = label, raw, as_validity
            meta.validity_source = "field"
        elif len(dates) >= 2:
            meta.effective_date = meta.effective_date or dates[0]
            meta.effective_source = meta.effective_source or "label"
            meta.valid_until = meta.valid_until or dates[-1]
        elif len(dates) == 1:
            meta.valid_until = meta.valid_until or dates[0]
        elif (
            m := re.search(r"([0-9]{1,2}|[一二两三四五六七八九十]{1,3})\s*年", raw)
        ) and cn_number(m.group(1)):
            meta.period_years, meta.period_text = cn_number(m.group(1)), f"{label}：{raw}"


def _apply_body(meta: DocumentMeta, clauses: BodyClauses) -> None:
    if meta.period_years is None and clauses.period_years:
        meta.period_years, meta.period_text = clauses.period_years, clauses.period_text
    if meta.valid_until is None and clauses.valid_until:
        meta.valid_until, meta.period_text = clauses.valid_until, clauses.period_text
    if meta.effective_date is None:
        if clauses.effective_date:
            meta.effective_date, meta.effective_source = clauses.effective_date, "body"
        elif clauses.effective_event:
            # 自印发之日起 runs from the signing date, 自发布之日起 from publication.
            signed = clauses.effective_event in ("印发", "签发", "下发")
            base, source = (meta.written_date, "body:written") if signed else (None, "")
            if base is None:
                base, source = meta.published_date, "body:published"
            if base is not None:
                meta.effective_date = base + dt.timedelta(days=clauses.effective_delay_days)
                meta.effective_source = source
    meta.effective_text = clauses.effective_text


def extract_document(page: ParsedPage, column_name: str | None = None) -> DocumentMeta | None:
    """The document shown on ``page``, or None when the page is not an article/document.

    ``column_name`` is the column the crawler reached the page from (navigation text); without
    it the page's own breadcrumb (else ``<meta name="ColumnName">``) names the column.
    """
    if page.is_home:
        return None
    root = page.tree
    head_root = root.getroottree().getroot()
    segments = visible_segments(root)
    fields = extract_label_fields(segments)
    has_metadata = _has_metadata(fields)
    shape = _page_shape(segments)
    if not has_metadata and _list_like(shape):
        return None  # lists and portal pages, decided before the costlier steps
    title = _document_title(head_root, page.title or "", fields, segments)
    if not title:
        return None
    title_at = _title_index(segments, title)
    meta = DocumentMeta(url=page.url, title=title)
    _resolve_dates(meta, fields, head_root, segments, title_at)
    if not has_metadata and not _article_like(shape, meta.published_source):
        return None
    _resolve_identity(meta, fields, segments, title_at)
    _resolve_validity(meta, fields)
    _resolve_marks(meta, root, segments, title_at, page.title)
    _apply_body(meta, body_clauses("".join(s.text for s in segments if not s.in_link)))
    meta.breadcrumb = extract_breadcrumb(root, segments)
    meta.column_name = (
        column_name
        or column_from_breadcrumb(meta.breadcrumb, title)
        or meta_content(head_root, "ColumnName")
    )
    _classify(meta)
    links = _page_links(page, head_root)
    if meta.is_interpretation:
        meta.original_urls = original_links(links, page.url, title)
    else:
        meta.interpretation_urls = interpretation_links(links, page.url, title)
    return meta


def _resolve_identity(
    meta: DocumentMeta, fields: LabelFields, segments: Sequence[Segment], title_at: int | None
) -> None:
    """Issuer, 索引号, 主题分类, registration number and 发文字号 (文号：无 is no number)."""
    meta.fields = {label: fields.values[label] for label in fields.order}
    meta.issuer = fields.value("issuer") or None
    meta.index_no = fields.value("index_no") or None
    meta.topic = fields.value("topic") or None
    registration = fields.value("registration_no") or None
    if registration and not re.search(r"ICP|公网安备|备\d", registration):
        meta.registration_no = registration  # a footer's 备案号 is not a 登记号
    number_raw = fields.value("doc_number")
    meta.doc_number_raw = number_raw
    if number_raw and squash(number_raw) not in PLACEHOLDER_VALUES and re.search(r"\d", number_raw):
        meta.doc_number = squash(number_raw)
    elif number_raw is None and title_at is not None:
        meta.doc_number = _standalone_number(segments, title_at)


def _resolve_marks(
    meta: DocumentMeta,
    root: lxml.html.HtmlElement,
    segments: Sequence[Segment],
    title_at: int | None,
    page_title: str,
) -> None:
    """Title marker and badge; either stands in for a missing 有效性 field."""
    marker = title_marker(meta.title) or title_marker(page_title)
    if marker:
        meta.title_marker, meta.title_marker_validity = marker
    if meta.validity_raw is None and not marker:
        meta.badge = _badge(root, segments, title_at)
    if meta.validity is None:
        if meta.title_marker_validity:
            meta.validity, meta.validity_source = meta.title_marker_validity, "title"
        elif meta.badge:
            meta.validity, meta.validity_source = normalize_validity(meta.badge), "badge"
    meta.provisional = "暂行" in (meta.title or "") or "试行" in (meta.title or "")


def _classify(meta: DocumentMeta) -> None:
    meta.is_interpretation = is_interpretation(meta.title, meta.doc_number, meta.column_name)
    meta.is_normative, meta.normative_reason = classify_normative(
        meta.title,
        meta.doc_number,
        registration_no=meta.registration_no,
        column_name=meta.column_name,
        is_interpretation=meta.is_interpretation,
    )


def _standalone_number(segments: Sequence[Segment], title_at: int, window: int = 12) -> str | None:
    """A 发文字号 printed on its own line under the title, as on a 红头 document."""
    for seg in segments[title_at + 1 : title_at + 1 + window]:
        number = find_doc_number(seg.text)
        if number and len(squash(seg.text)) <= len(number) + 2:
            return number
    return None


def meta_as_dict(meta: DocumentMeta) -> dict[str, Any]:
    """JSON-friendly evidence of a DocumentMeta (dates as ISO strings)."""
    out: dict[str, Any] = {}
    for key, value in meta.__dict__.items():
        out[key] = value.isoformat() if isinstance(value, dt.date) else value
    return out
