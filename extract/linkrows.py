"""One row of a link list: its title link, and the date printed in it or beside it.

A row's date is read outside its title link (a ``td``, ``span``, ``p``, ``font``, ``dd``),
from a date-only element inside it (``<a><span>2017-10-14</span>…``), or from the text
beside a link in a flat run (``<a/>date<br/><a/>date``). Also the small text helpers the
list modules share (``clean``, ``is_element``, ``SKIP_TEXT_TAGS``).
"""

from __future__ import annotations

import datetime as dt
import re
from collections.abc import Iterator
from dataclasses import dataclass
from typing import Any

import lxml.html

from extract.dates import DateParts, find_date_parts, iter_date_parts

_WS = re.compile(r"\s+")
_DATE_LABELS = re.compile(
    r"发布时间|发布日期|发表时间|发表于|更新时间|更新日期|发布于|时间|日期|录入|来源"
)
_DATE_RESIDUE = re.compile(r"[\s\[\]【】()（）:：|·\-—/.,，0-9]+")
SKIP_TEXT_TAGS = frozenset({"script", "style", "noscript", "option", "select", "textarea"})


def clean(text: str | None) -> str:
    return _WS.sub(" ", text or "").strip()


def is_element(node: Any) -> bool:
    return isinstance(node.tag, str)


def holds(element: lxml.html.HtmlElement, *tags: str) -> bool:
    """Whether ``element`` has a descendant of one of ``tags``: ``element.find(".//a")``
    without ElementPath's parsing of the path on every call (3x faster; asked for every
    sibling of every list row)."""
    return next(element.iterdescendants(*tags), None) is not None


@dataclass
class Row:
    anchor: lxml.html.HtmlElement
    element: lxml.html.HtmlElement  # the row: li, tr, div … (the anchor itself when flat)
    href: str
    title: str
    parts: DateParts | None
    date_text: str | None


def _date_only(text: str) -> DateParts | None:
    """The date of a text that is nothing but a date (labels, brackets, a time allowed)."""
    if not text or len(text) > 40:
        return None
    parts = find_date_parts(text)
    if parts is None:
        return None
    residue = _DATE_LABELS.sub("", text.replace(parts.raw, "", 1))
    return parts if not _DATE_RESIDUE.sub("", residue) else None


def anchor_title(anchor: lxml.html.HtmlElement) -> tuple[str, DateParts | None, str | None]:
    """(title, date, date text) of a link whose text may carry a date element."""
    pieces: list[str] = []
    found: list[tuple[DateParts, str]] = []

    def walk(element: lxml.html.HtmlElement) -> None:
        if element.text:
            pieces.append(element.text)
        for child in element:
            if is_element(child) and child.tag not in SKIP_TEXT_TAGS:
                child_text = clean(child.text_content())
                parts = _date_only(child_text) if child_text else None
                if parts is not None:
                    found.append((parts, child_text))
                else:
                    walk(child)
            if child.tail:
                pieces.append(child.tail)

    walk(anchor)
    title = clean("".join(pieces))
    if not found:
        trailing = _trailing_date(title)
        if trailing is not None:
            parts, raw_text = trailing
            return clean(title[: -len(raw_text)]), parts, raw_text.strip()
    attr_title = clean(anchor.get("title"))
    if attr_title and (not title or (len(attr_title) > len(title) and _truncated(title))):
        title = attr_title
    if not title:
        title = clean(" ".join(anchor.xpath(".//img/@alt")))
    parts, text = found[0] if found else (None, None)
    return title, parts, text


def _truncated(title: str) -> bool:
    return title.endswith(("...", "…", "..", "。。。"))


_TRAILING_DATE = re.compile(r"[\s\[(（【]+([^\s\[(（【]{4,24}?)[\])）】]?\s*$")


def _trailing_date(title: str) -> tuple[DateParts, str] | None:
    """A date printed after the title inside the link: ``标题 (2024-05-07)``."""
    found = _TRAILING_DATE.search(title)
    if not found:
        return None
    parts = _date_only(found.group(1))
    return (parts, found.group(0)) if parts is not None else None


def _text_outside(row: lxml.html.HtmlElement, anchor: lxml.html.HtmlElement) -> str:
    """The row's text without its title link (and without scripts)."""
    pieces: list[str] = []

    def walk(element: lxml.html.HtmlElement) -> None:
        if element.text:
            pieces.append(element.text)
        for child in element:
            if is_element(child) and child is not anchor and child.tag not in SKIP_TEXT_TAGS:
                walk(child)
            if child.tail:
                pieces.append(child.tail)

    walk(row)
    return clean(" ".join(pieces))


def _flat_neighbours(anchor: lxml.html.HtmlElement) -> Iterator[str]:
    """Text beside a link in a flat run (``<a/>date<br/><a/>date``): after it first,
    then before it, never past the next or previous link."""
    after: list[str] = [anchor.tail or ""]
    for sibling in anchor.itersiblings():
        if not is_element(sibling) or sibling.tag == "a" or holds(sibling, "a"):
            break
        after.append(sibling.text_content() + (sibling.tail or ""))
    yield clean(" ".join(after))
    before: list[str] = []
    for sibling in anchor.itersiblings(preceding=True):
        if not is_element(sibling) or sibling.tag == "a" or holds(sibling, "a"):
            if is_element(sibling) and sibling.tag != "a" and sibling.tail:
                before.append(sibling.tail)
            break
        before.append(sibling.text_content() + (sibling.tail or ""))
    parent = anchor.getparent()
    if not before and parent is not None and anchor.getprevious() is None and parent.text:
        before.append(parent.text)
    yield clean(" ".join(reversed(before)))


def _detached_date(row: lxml.html.HtmlElement) -> str:
    """Text of the link-free elements right after a row (``<dt><a/></dt><dd>date</dd>``)."""
    pieces: list[str] = []
    for sibling in row.itersiblings():
        if len(pieces) == 2 or not is_element(sibling) or holds(sibling, "a"):
            break
        pieces.append(sibling.text_content())
    return clean(" ".join(pieces))


def row_date(row: Row, latest: dt.date) -> None:
    if row.parts is not None:
        return
    if row.element is row.anchor:
        texts: Iterator[str] = _flat_neighbours(row.anchor)
    else:
        texts = iter((_text_outside(row.element, row.anchor), _detached_date(row.element)))
    for text in texts:
        found = list(iter_date_parts(text)) if text else []
        if found:
            row.parts = _publication_date(found, latest)
            row.date_text = row.parts.raw
            return


def _publication_date(found: list[DateParts], latest: dt.date) -> DateParts:
    """The date of a row that prints several (信息公开 tables: 成文日期 … 发布日期): the
    latest one not after the scan day; a lone or year-less one as it is."""
    if len(found) == 1:
        return found[0]
    dated = [(p.on(p.year), p) for p in found if p.year is not None]
    published = [(day, p) for day, p in dated if day is not None and day <= latest]
    return max(published, key=lambda pair: pair[0])[1] if published else found[0]
