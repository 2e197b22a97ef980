"""One column's list split into sibling groups, put back together.

Many CMS templates print a column's rows in several sibling ``<ul>`` or ``<table>`` groups
(every 5 or 10 rows, with a rule or a blank line between them). Read as blocks, such a page
looks like a portal of several lists of the same size and would be dropped (and, if an
inactive 暂无数据 sat beside it, called empty). A run of sibling groups is one list when:

* the groups are siblings in one container, with nothing between them but separators (no
  heading, no link, no text), none of them hidden (the panes of a tab box are);
* every group is of the same element and its rows of the same shape, nearly all dated;
* all groups but the last hold the same number of rows and the last no more (split every N);
* read in order, the groups' newest dates do not go up (one list, newest first): boxes of
  different columns start again at their own newest item.
"""

from __future__ import annotations

import itertools
import re
from collections import Counter
from typing import Any

import lxml.html

from extract.inactive import shown_as_written
from extract.linkblocks import Block
from extract.linkrows import SKIP_TEXT_TAGS, Row, clean, holds, is_element

_MIN_GROUPS = 2
_MIN_ROWS = 2
_DATED_SHARE = 0.8
_WRAPPER_LEVELS = 2  # <div class="g"><ul>…</ul></div>: the wrapper is the group
_SEPARATOR_TEXT = re.compile(r"[\s\-—_=|·.…]*")
_DIGITS = re.compile(r"\d+")


def _group_element(block: Block) -> lxml.html.HtmlElement:
    """The block's container, or the wrapper around it holding nothing else (the tbody's
    table, a ``div`` around one ``ul``)."""
    element = block.container
    for _ in range(_WRAPPER_LEVELS):
        parent = element.getparent()
        if parent is None or parent.tag in ("body", "html"):
            break
        if clean(parent.text_content()) != clean(element.text_content()):
            break  # the parent holds a heading or other text: it is a box, not a wrapper
        if len(parent.xpath(".//a")) != len(element.xpath(".//a")):
            break
        element = parent
    return element


def _quiet(element: Any) -> bool:
    """A separator between two groups: no link, no heading, no text but rules."""
    if not is_element(element) or element.tag in SKIP_TEXT_TAGS:
        return True
    if element.tag == "a" or holds(element, "a"):
        return False
    return bool(_SEPARATOR_TEXT.fullmatch(element.text_content()))


def _row_shape(row: Row) -> tuple[str, tuple[str, ...]]:
    return row.element.tag, tuple(c.tag for c in row.element if is_element(c))


def _shape(block: Block) -> tuple[str, tuple[str, ...]]:
    return Counter(_row_shape(row) for row in block.rows).most_common(1)[0][0]


def _kind(element: lxml.html.HtmlElement) -> tuple[str, str]:
    """Tag and class, numbers aside (``list1``, ``list2`` are one kind)."""
    return element.tag, _DIGITS.sub("", element.get("class") or "")


def _listlike(block: Block) -> bool:
    return (
        block.weight > 0
        and len(block.rows) >= _MIN_ROWS
        and block.dated >= _DATED_SHARE * len(block.rows)
    )


def _newest(block: Block) -> tuple[int, int, int] | None:
    """The group's newest date, or None when a row's year is not printed (no order read)."""
    dated = [row.parts for row in block.rows if row.parts is not None]
    if any(parts.year is None for parts in dated):
        return None
    return max((p.year or 0, p.month, p.day) for p in dated)


def _one_list(run: list[Block]) -> bool:
    sizes = [len(block.rows) for block in run]
    if any(size != sizes[0] for size in sizes[:-1]) or sizes[-1] > sizes[0]:
        return False
    if len({_shape(block) for block in run}) != 1:
        return False
    newest = [day for day in (_newest(block) for block in run) if day is not None]
    if len(newest) < len(run):
        return True  # year-less dates: the shape and the sizes decide
    return all(later <= earlier for earlier, later in itertools.pairwise(newest))


def _runs(parent: lxml.html.HtmlElement, groups: dict[Any, Block]) -> list[list[Block]]:
    """Runs of consecutive groups under ``parent`` with only separators between them."""
    runs: list[list[Block]] = []
    current: list[Block] = []
    kind: tuple[str, str] | None = None
    for child in parent.iterchildren():
        block = groups.get(child)
        if block is not None and (not current or _kind(child) == kind):
            current.append(block)
            kind = _kind(child)
            continue
        if block is None and _quiet(child):
            continue
        runs.append(current)
        current, kind = ([block], _kind(child)) if block is not None else ([], None)
    runs.append(current)
    return [run for run in runs if len(run) >= _MIN_GROUPS]


def merge_sibling_groups(blocks: list[Block]) -> list[Block]:
    """The blocks, with every run of sibling groups of one list merged into one block (its
    container the groups' parent, its rows theirs in order)."""
    by_parent: dict[Any, dict[Any, Block]] = {}
    for block in blocks:
        if not _listlike(block):
            continue
        group = _group_element(block)
        parent = group.getparent()
        if parent is not None and shown_as_written(group):
            by_parent.setdefault(parent, {})[group] = block
    merged_ids: set[int] = set()
    merged: list[Block] = []
    for parent, groups in by_parent.items():
        if len(groups) < _MIN_GROUPS:
            continue
        for run in _runs(parent, groups):
            if not _one_list(run):
                continue
            rows = [row for block in run for row in block.rows]
            merged_ids.update(id(block) for block in run)
            merged.append(Block(parent, rows, weight=min(block.weight for block in run)))
    if not merged:
        return blocks
    return [block for block in blocks if id(block) not in merged_ids] + merged
