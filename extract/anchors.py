"""The anchors of a page: the names a ``#fragment`` link into it may point to."""

from __future__ import annotations

from typing import Any

MAX_ANCHORS = 1000


def page_anchors(tree: Any) -> list[str]:
    """The ids and anchor names a ``#fragment`` link may point to."""
    names = tree.xpath("//@id | //a/@name")
    return sorted({str(n) for n in names if n})[:MAX_ANCHORS]
