"""Flattening markup nested deeper than an HTML parser will follow.

libxml2 (lxml) stops reading a document at 256 levels of nesting and silently drops the
rest of the page: a CMS that never closes its ``<font>``/``<div>`` tags, or a hostile page of
100,000 nested ``<div>``, would hide every link and list after that point. Browsers keep
going (Blink stops nesting at 512 levels and adds deeper elements as siblings); this does the
same before a second parse: start tags beyond ``max_depth`` open elements are left out, with
their end tags, and the text inside them is kept.

Elements that carry links are never left out: a hidden ``<a>`` a thousand levels down is
still a link a browser shows and follows. Void ones (``<img>``, ``<embed>`` …) and raw-text
ones (``<script>``, ``<iframe>``) add no depth anyway; the others (``<a>``, ``<object>``,
``<video>``, ``<audio>``) are kept beyond ``max_depth`` one at a time, as siblings: a new
one closes the one before it. A page of 100,000 nested ``<a>`` therefore still flattens to
``max_depth + 1`` levels, and every one of its links survives.

It is a fallback for pages the parser already gave up on, not a parser: it only needs to
count open elements roughly as a browser would (void elements, raw-text elements, the end
tags HTML lets authors leave out).
"""

from __future__ import annotations

import re
from collections import Counter

_TAG = re.compile(r"<!--.*?(?:-->|$)|<(/?)([A-Za-z][^\s/>]*)([^>]*)>", re.S)
_VOID = frozenset(
    {
        "area", "base", "br", "col", "embed", "hr", "img", "input", "link", "meta", "param",
        "source", "track", "wbr", "basefont", "bgsound", "frame", "keygen",
    }
)  # fmt: skip
_RAW_TEXT = frozenset({"script", "style", "textarea", "title", "xmp", "iframe", "noembed"})
# Elements that end when the next one of the same kind starts (<li>a<li>b, <td>1<td>2).
_SELF_ENDING = frozenset({"p", "li", "dt", "dd", "tr", "td", "th", "option"})
# Link-bearing elements that hold content (extract.parse.LINK_ATTRS without the void and
# raw-text ones, which are kept at any depth already).
_DEEP_KEPT = frozenset({"a", "object", "video", "audio"})


class _Depth:
    """The open elements as a browser would count them, and what was left out."""

    def __init__(self, max_depth: int) -> None:
        self.max_depth = max_depth
        self.stack: list[str] = []
        self.dropped: Counter[str] = Counter()
        # the one link-bearing element kept open beyond max_depth (closed by the next one)
        self.deep: str | None = None


def flatten_nesting(html: str, max_depth: int = 200) -> str:
    """``html`` with every start tag deeper than ``max_depth`` open elements (and its end tag)
    removed, except link-bearing ones; text, comments, scripts and everything shallower are
    kept as they were."""
    out: list[str] = []
    depth = _Depth(max_depth)
    pos = 0
    while True:
        match = _TAG.search(html, pos)
        if match is None:
            out.append(html[pos:])
            return "".join(out)
        out.append(html[pos : match.start()])
        pos = match.end()
        closing, name = match.group(1), (match.group(2) or "").lower()
        if not name:  # a comment
            out.append(match.group(0))
        elif closing:
            if not _close(name, depth):
                out.append(match.group(0))
        elif name in _RAW_TEXT:  # holds text, never elements: kept whole at any depth
            out.append(match.group(0))
            pos = _copy_raw_text(html, name, pos, out)
        elif _open(name, match.group(3), depth, out):
            out.append(match.group(0))


def _open(name: str, attrs: str, depth: _Depth, out: list[str]) -> bool:
    """Whether the start tag is kept; a kept non-void element is pushed (or, beyond
    ``max_depth``, takes the one deep slot, closing its previous holder in ``out``)."""
    stack = depth.stack
    if name in _VOID or attrs.rstrip().endswith("/"):
        return True
    if name in _SELF_ENDING and stack and stack[-1] == name:
        stack.pop()
    if len(stack) < depth.max_depth:
        stack.append(name)
        return True
    if name in _DEEP_KEPT:
        if depth.deep is not None:
            out.append(f"</{depth.deep}>")
        depth.deep = name
        return True
    depth.dropped[name] += 1
    return False


def _close(name: str, depth: _Depth) -> bool:
    """True when the end tag belongs to a dropped start tag (so it is dropped too); kept end
    tags pop the stack down to their element, as implied end tags do."""
    if depth.dropped[name] > 0:
        depth.dropped[name] -= 1
        return True
    if depth.deep == name:
        depth.deep = None
        return False
    if name in depth.stack:
        # the parser closes a deep link element with its ancestors
        depth.deep = None
        while depth.stack.pop() != name:
            pass
    return False


def _copy_raw_text(html: str, name: str, pos: int, out: list[str]) -> int:
    """Copy a script/style body unread up to its end tag; the new position."""
    end = re.compile(rf"</{name}\s*>", re.I).search(html, pos)
    stop = end.end() if end else len(html)
    out.append(html[pos:stop])
    return stop
