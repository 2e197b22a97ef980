"""A page's own text as a small fingerprint, to tell across two scans whether it was replaced.

The tampering check (checks/tampering.py) compares the home page and each column's first page
with the same page of the previous scan. What it compares is the page's *own* text: the visible
text outside links (navigation and list rows are links) and outside the rows of the page's
lists (a row's date or summary moves on with the list, which is no tampering), without bare
dates and numbers (counters, dates, page numbers change on every visit). The footer, headings,
notices and body paragraphs stay.

The text is kept as a bottom-k sketch of its 4-character shingles (digits folded): the ``k``
smallest shingle hashes. Two sketches estimate the Jaccard similarity of the two shingle sets
(exactly, when the texts are short enough to fit the sketch), in a few hundred bytes a page.
"""

from __future__ import annotations

import re
import zlib
from collections.abc import Iterable
from dataclasses import dataclass

import lxml.html

from extract.docmeta import is_date_only, visible_segments
from extract.parse import absolute
from govpatrol.core.urls import try_canonical

SKETCH_SIZE = 64  # hashes kept per page
SHINGLE = 4  # characters per shingle: short enough for Chinese words, long enough to be rare
EXCERPT_CHARS = 160

_SPACE = re.compile(r"\s+")
_DIGITS = re.compile(r"\d+")
_NOT_WORDS = re.compile(r"^[\W\d_]*$")  # punctuation, digits, separators only
_CJK_OR_WORD = re.compile(r"[\u3400-\u9fff]|[A-Za-z]{2,}")


@dataclass(frozen=True)
class PageText:
    """What a later scan compares: the page's own text as a sketch, its length, and its start."""

    sketch: tuple[int, ...]
    chars: int
    excerpt: str


def own_text(
    tree: lxml.html.HtmlElement, base_url: str, list_urls: Iterable[str] = ()
) -> list[str]:
    """The visible text segments of the page outside links and list rows, in page order.

    ``list_urls`` are the (absolute) URLs of the page's list items: the row around each of
    them, up to the element that holds no other item, is left out as a whole."""
    body = tree.find("body")
    root = body if body is not None else tree
    items = {try_canonical(u) for u in list_urls} - {None}
    rows = _row_elements(root, base_url, items)  # type: ignore[arg-type]
    out: list[str] = []
    for segment in visible_segments(root):
        if segment.in_link:
            continue
        owner = segment.owner.getparent() if segment.is_tail else segment.owner
        if owner is not None and _inside(owner, rows):
            continue
        text = _SPACE.sub(" ", segment.text).strip()
        if not text or _NOT_WORDS.match(text) or is_date_only(text):
            continue
        out.append(text)
    return out


def _row_elements(
    root: lxml.html.HtmlElement, base_url: str, items: set[str]
) -> set[lxml.html.HtmlElement]:
    """For each link to a list item, the largest ancestor that holds that one item only."""
    if not items:
        return set()
    anchors = []
    for anchor in root.iter("a"):
        href = absolute(base_url, anchor.get("href") or "")
        if href and try_canonical(href) in items:
            anchors.append(anchor)
    held: dict[lxml.html.HtmlElement, int] = {}
    for anchor in anchors:
        for ancestor in anchor.iterancestors():
            held[ancestor] = held.get(ancestor, 0) + 1
    rows: set[lxml.html.HtmlElement] = set()
    for anchor in anchors:
        row = anchor
        parent = row.getparent()
        while parent is not None and parent is not root and held.get(parent, 0) == 1:
            row, parent = parent, parent.getparent()
        rows.add(row)
    return rows


def _inside(element: lxml.html.HtmlElement, rows: set[lxml.html.HtmlElement]) -> bool:
    if not rows:
        return False
    if element in rows:
        return True
    return any(ancestor in rows for ancestor in element.iterancestors())


def page_text(segments: list[str]) -> PageText:
    text = " ".join(segments)
    return PageText(sketch(text), len(_SPACE.sub("", text)), text[:EXCERPT_CHARS])


def sketch(text: str, size: int = SKETCH_SIZE) -> tuple[int, ...]:
    """The ``size`` smallest hashes of the text's shingles (spaces dropped, digits folded)."""
    folded = _DIGITS.sub("0", _SPACE.sub("", text))
    if not folded:
        return ()
    shingles = {folded[i : i + SHINGLE] for i in range(max(1, len(folded) - SHINGLE + 1))}
    hashes = {zlib.crc32(s.encode("utf-8")) for s in shingles}
    return tuple(sorted(hashes)[:size])


def similarity(a: Iterable[int], b: Iterable[int], size: int = SKETCH_SIZE) -> float | None:
    """The estimated Jaccard similarity of two texts from their sketches; None when either
    text is empty. The ``size`` smallest hashes of the union stand for the union; the share of
    them that both sketches hold estimates the share of shingles both texts have."""
    first, second = set(a), set(b)
    if not first or not second:
        return None
    union = sorted(first | second)[:size]
    both = sum(1 for h in union if h in first and h in second)
    return both / len(union)


def _bigrams(text: str) -> set[str]:
    chars = "".join(_CJK_OR_WORD.findall(text.lower()))
    return {chars[i : i + 2] for i in range(len(chars) - 1)}


def related(text: str, others: Iterable[str]) -> bool:
    """Does ``text`` share a word (two Chinese characters, or a Latin word pair) with any of
    ``others``? A title rewritten by the site keeps its name or its column's name."""
    mine = _bigrams(text)
    return any(mine & _bigrams(other) for other in others if other)
