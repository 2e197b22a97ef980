"""A failed rule as a finding shows it: the counts, a short CSS selector and an HTML snippet."""

from __future__ import annotations

import re
from dataclasses import dataclass, field
from typing import Any

import lxml.html

from checks.a11y_static.document import Doc, Element, clean, tag_name


@dataclass(frozen=True)
class RuleResult:
    """A rule that failed on a page: how often, and one example to show the webmaster."""

    rule: str
    impact: str
    nodes: int
    selector: str
    snippet: str
    wcag: str
    standard: str
    title_zh: str
    help_en: str
    evidence: dict[str, Any] = field(default_factory=dict)  # the rule's own measurements


_PAGE_LEVEL = frozenset({"html", "body", "meta"})
SNIPPET_MAX = 240


def css_selector(doc: Doc, el: Element) -> str:
    """A short CSS selector for one element: from the nearest unique id, else from <html>."""
    steps: list[str] = []
    node: Element | None = el
    while node is not None and tag_name(node):
        tag = tag_name(node)
        ident = (node.get("id") or "").strip()
        if ident and doc.id_counts.get(ident) == 1 and re.fullmatch(r"[A-Za-z][\w-]*", ident):
            steps.append(f"#{ident}")
            break
        parent = node.getparent()
        if parent is None:
            steps.append(tag)
            break
        same = [sib for sib in parent if tag_name(sib) == tag]
        steps.append(tag if len(same) == 1 else f"{tag}:nth-of-type({same.index(node) + 1})")
        node = parent
    return " > ".join(reversed(steps))


def snippet(el: Element) -> str:
    """The element's HTML as a webmaster would search for it (start tag for big elements)."""
    tag = tag_name(el)
    small = tag not in _PAGE_LEVEL and sum(1 for _ in el.iter()) <= 40
    if small:
        text = lxml.html.tostring(el, encoding="unicode", with_tail=False)
    else:
        attrs = "".join(f' {k}="{v}"' for k, v in el.attrib.items())
        text = f"<{tag}{attrs}>"
    text = clean(text)
    return text if len(text) <= SNIPPET_MAX else text[: SNIPPET_MAX - 1] + "…"
