"""The head of a document page: its title, the validity badge shown beside it (a stamp or
``<span class="yxx">有效</span>``), and the breadcrumb above it that names the column."""

from __future__ import annotations

import re
from collections.abc import Sequence

import lxml.html

from extract.docmeta import (
    STRICT_VALIDITY_WORDS,
    LabelFields,
    Segment,
    clean_text,
    meta_content,
    squash,
    strip_title_marker,
    visible_segments,
    visible_text,
)

# ---- titles, markers, badges ---------------------------------------------------------------
_TITLE_SPLIT_RE = re.compile(r"\s+[-_|–—]\s+|[-_|–—｜]{1,2}")
_BADGE_HINT_RE = re.compile(
    r"yxx|youxiao|shixiao|sxx|xiaoli|status|valid|state|badge|effect|stamp|tag|mark|flag", re.I
)


# Title rows that name whatever the page is about (a procurement notice's 名称 is the goods):
# the page's main heading wins over them when the two disagree.
GENERIC_TITLE_LABELS = frozenset({"标题", "名称"})


def document_title(
    root: lxml.html.HtmlElement, page_title: str, fields: LabelFields, segments: Sequence[Segment]
) -> tuple[str | None, str | None]:
    """(title, where it came from): the 标题 field, else the visible heading that the <title>
    contains, else meta, else <title>, else the longest <h1>.

    Sources: ``metadata`` (a labelled field), ``heading``, ``meta_tag``, ``page_title``.
    """
    shown = fields.group("title")
    if shown and shown[1]:
        label, value = shown
        if label in GENERIC_TITLE_LABELS:
            heading = main_heading(root, page_title, segments)
            if heading and not _same_title(heading, value):
                return heading, "heading"
        return value, "metadata"
    best = _heading_in_title(root, page_title, segments)
    if best and len(squash(best)) >= 8:
        return best, "heading"
    article_title = meta_content(root, "ArticleTitle")
    if article_title:
        return article_title, "meta_tag"
    parts = [p.strip() for p in _TITLE_SPLIT_RE.split(page_title or "") if p.strip()]
    from_title = max(parts, key=len) if parts else None
    if from_title and len(from_title) >= 6 and not _SITE_NAME_RE.search(from_title):
        return from_title, "page_title"
    # A <title> that is missing or only a site name: the longest first-level heading.
    heading = _longest_h1(root)
    if heading:
        return heading, "heading"
    if from_title:
        return from_title, "page_title"
    return (best, "heading") if best else (None, None)


def _heading_in_title(
    root: lxml.html.HtmlElement, page_title: str, segments: Sequence[Segment]
) -> str | None:
    """The longest visible text node that the <title> (or ArticleTitle) contains."""
    refs = [squash(t) for t in (page_title, meta_content(root, "ArticleTitle") or "") if t]
    joined = "\n".join(refs)
    best: str | None = None
    for seg in segments if refs else ():
        text = seg.text.strip()
        # Cheap filter first: a heading the <title> contains starts with two chars it contains.
        if seg.in_link or not 4 <= len(text) <= 300 or text[:2] not in joined:
            continue
        squashed = squash(text)
        if not any(squashed in ref for ref in refs):
            continue
        # A heading wrapped with <br> or inline tags is several text nodes: read it whole.
        whole = _whole_heading(seg)
        if whole and len(squash(whole)) > len(squashed) and any(squash(whole) in r for r in refs):
            text, squashed = whole, squash(whole)
        if best is None or len(squashed) > len(squash(best)):
            best = clean_text(text)
    return best


def _whole_heading(seg: Segment) -> str | None:
    """The visible text of the element that shows ``seg``, when it holds no link (a heading
    split by <br>: 「某市人民政府办公室关于印发<br>某某办法的通知」)."""
    holder = seg.owner.getparent() if seg.is_tail else seg.owner
    if holder is None or next(holder.iter("a"), None) is not None:
        return None
    text = clean_text(visible_text(holder))
    return text if len(text) <= 300 else None


def _longest_h1(root: lxml.html.HtmlElement, *, own: bool = False) -> str | None:
    """The longest <h1>; with ``own``, not a logo: no link in or around it, no site name."""
    headings = [
        clean_text(visible_text(h))
        for h in root.iter("h1")
        if not own or (next(h.iter("a"), None) is None and next(h.iterancestors("a"), None) is None)
    ]
    return max(
        (h for h in headings if 4 <= len(h) <= 200 and not (own and _SITE_NAME_RE.search(h))),
        key=len,
        default=None,
    )


def main_heading(
    root: lxml.html.HtmlElement, page_title: str, segments: Sequence[Segment]
) -> str | None:
    """The page's own heading: the visible text the <title> repeats, else its longest <h1>."""
    best = _heading_in_title(root, page_title, segments)
    if best and len(squash(best)) >= 8:
        return best
    return _longest_h1(root, own=True)


def _same_title(heading: str, row: str) -> bool:
    """The row names the document the heading names: the same words, the row holds the
    heading, or the heading transmits the row (关于印发《row》的通知). A row that is only a
    piece of the heading (a notice's 名称 naming the goods) names something else."""
    x, y = squash(strip_title_marker(heading)), squash(strip_title_marker(row))
    return bool(x and y) and (x in y or f"《{y}》" in x)


# A <title> that names only the site: 某市人民政府, 中国宜春, 某某局门户网站.
_SITE_NAME_RE = re.compile(
    r"^.{0,12}(?:人民政府|政府|政府网|门户网站|网站|网|局|委员会|厅|办公室)$"
)


def title_index(segments: Sequence[Segment], title: str | None) -> int | None:
    """Index of the visible text node that shows the title (where the info line follows)."""
    if not title:
        return None
    wanted = squash(strip_title_marker(title))
    if not wanted:
        return None
    for i, seg in enumerate(segments):
        if seg.in_link:
            continue
        # 【现行有效】 before the heading is the validity, not the title: compare without it
        shown = squash(strip_title_marker(seg.text))
        if shown == wanted:
            return i
        # a heading wrapped over several text nodes: the index of its last one
        j = i
        while shown and wanted.startswith(shown) and j + 1 < len(segments):
            j += 1
            if segments[j].in_link:
                break
            shown += squash(segments[j].text)
            if shown == wanted:
                return j
    return None


def find_badge(
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
        if _in_row_of_a_link(holder):
            continue  # 「<a>某某办法</a><span class="yxx">有效</span>」: the linked one's status
        hint = f"{holder.get('class') or ''} {holder.get('id') or ''}"
        near_title = title_parent is not None and _is_within(holder, title_parent)
        if _BADGE_HINT_RE.search(hint) or near_title:
            return word
    for img in root.iter("img"):
        alt = squash(img.get("alt") or img.get("title") or "")
        if alt in STRICT_VALIDITY_WORDS:
            return alt
    return None


# Rows of a list or table: a status word in one that also holds a link is that row's.
_ROW_TAGS = frozenset({"li", "tr", "dd", "dt"})


def _in_row_of_a_link(el: lxml.html.HtmlElement, depth: int = 3) -> bool:
    """Inside a list item or table row (within ``depth`` levels) that carries a link: a list
    of other documents with their status, not this page's badge."""
    node: lxml.html.HtmlElement | None = el
    for _ in range(depth + 1):
        if node is None or not isinstance(node.tag, str):
            return False
        if node.tag in _ROW_TAGS:
            return next(node.iter("a"), None) is not None
        node = node.getparent()
    return False


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
