"""Rules on ARIA markup: attribute names, roles, ids that labels and ARIA point at, and a
body hidden from screen readers."""

from __future__ import annotations

from checks.a11y_static.document import Doc, Element
from checks.a11y_static.rule import RuleInfo, judge, rule, visible
from checks.a11y_static.vocabulary import ABSTRACT_ROLES, ARIA_ATTRIBUTES, ARIA_ROLES

# Attributes whose value is a list of ids an assistive technology follows.
_IDREF_ATTRIBUTES = (
    "aria-activedescendant",
    "aria-controls",
    "aria-describedby",
    "aria-details",
    "aria-errormessage",
    "aria-flowto",
    "aria-labelledby",
    "aria-owns",
)


@rule(
    RuleInfo(
        "duplicate-id-aria",
        "critical",
        ("4.1.2",),
        "被 ARIA 或 <label> 引用的 id 重复",
        "IDs used in ARIA and labels must be unique",
        ("3ea0c8",),
    )
)
def duplicate_id_aria(doc: Doc) -> tuple[int, list[Element]]:
    referenced: set[str] = set()
    for el in doc.with_aria:
        for attr in _IDREF_ATTRIBUTES:
            referenced.update((el.get(attr) or "").split())
    referenced.update(doc.labels_for)
    applicable = 0
    failed: list[Element] = []
    for ident in referenced:
        count = doc.id_counts.get(ident, 0)
        applicable += count
        if count > 1:
            failed.extend(doc.by_id(ident))  # axe fails every holder of a shared id
    return applicable, failed


@rule(
    RuleInfo(
        "aria-valid-attr",
        "critical",
        ("4.1.2",),
        "使用了不存在的 ARIA 属性",
        "ARIA attributes must conform to valid names",
        ("5f99a7",),
    )
)
def aria_valid_attr(doc: Doc) -> tuple[int, list[Element]]:
    return judge(
        visible(doc, doc.with_aria),
        lambda el: any(k.startswith("aria-") and k not in ARIA_ATTRIBUTES for k in el.attrib),
    )


@rule(
    RuleInfo(
        "aria-roles",
        "critical",
        ("4.1.2",),
        "role 属性的值不是有效的 ARIA 角色",
        "ARIA roles used must conform to valid values",
        ("674b10",),
    )
)
def aria_roles(doc: Doc) -> tuple[int, list[Element]]:
    found = (el for el in doc.with_role if (el.get("role") or "").strip())

    def fails(el: Element) -> bool:
        tokens = el.get("role", "").lower().split()
        if any(t in ABSTRACT_ROLES for t in tokens):
            return True
        return not any(t in ARIA_ROLES or t.startswith("doc-") for t in tokens)

    return judge(visible(doc, found), fails)


@rule(
    RuleInfo(
        "aria-hidden-body",
        "critical",
        ("1.3.1", "4.1.2"),
        '<body> 设置了 aria-hidden="true"，整页对读屏软件不可见',
        "aria-hidden='true' must not be present on the document body",
    )
)
def aria_hidden_body(doc: Doc) -> tuple[int, list[Element]]:
    bodies = doc.by_tag.get("body", [])[:1] if doc.is_document else []
    return judge(bodies, lambda el: (el.get("aria-hidden") or "").strip() == "true")
