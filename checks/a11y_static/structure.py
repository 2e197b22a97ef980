"""Rules on the page's structure: its title and its headings."""

from __future__ import annotations

from collections.abc import Iterator

from checks.a11y_static.document import Doc, Element, clean, tag_name
from checks.a11y_static.rule import RuleInfo, judge, rule, visible
from checks.a11y_static.semantics import (
    explicit_role,
    has_title,
    named_by_aria,
)


@rule(
    RuleInfo(
        "document-title",
        "serious",
        ("2.4.2",),
        "页面缺少标题（<title>）",
        "Documents must have <title> element to aid in navigation",
        ("2779a5",),
    )
)
def document_title(doc: Doc) -> tuple[int, list[Element]]:
    if not doc.is_document:
        return 0, []
    title = doc.first_title()
    ok = title is not None and bool(clean(title.text_content()))
    return 1, [] if ok else [doc.root]


_HEADINGS = ("h1", "h2", "h3", "h4", "h5", "h6")


@rule(
    RuleInfo(
        "empty-heading",
        "minor",
        (),
        "标题元素（h1–h6）内容为空",
        "Headings should not be empty",
        ("ffd0e9",),
    )
)
def empty_heading(doc: Doc) -> tuple[int, list[Element]]:
    headings = (el for el in doc.tags(*_HEADINGS) if explicit_role(el) in ("", "heading"))
    by_role = (
        el for el in doc.with_role if el.get("role") == "heading" and tag_name(el) not in _HEADINGS
    )

    def candidates() -> Iterator[Element]:
        yield from headings
        yield from by_role

    return judge(
        visible(doc, candidates()),
        lambda el: not (doc.content_text(el) or named_by_aria(doc, el) or has_title(el)),
    )
