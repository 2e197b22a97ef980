"""The rule table and the entry points: :func:`audit` (violations, one :class:`RuleResult`
per rule) and :func:`outcomes` (passed / failed / inapplicable per rule, as ACT test cases
state them)."""

from __future__ import annotations

from collections.abc import Iterable
from typing import Literal

from checks.a11y_static import (
    aria,
    contrast,
    language,
    names,
    structure,
    text_alternatives,
    visitor_control,
)
from checks.a11y_static.cascade import StylesheetSource
from checks.a11y_static.document import Doc, Element
from checks.a11y_static.report import RuleResult, css_selector, snippet
from checks.a11y_static.rule import Rule
from checks.a11y_static.wcag import standard_label, wcag_label

Outcome = Literal["passed", "failed", "inapplicable"]

# Every rule, in the order audit() reports them (the order findings are stored in).
_IN_REPORT_ORDER: tuple[Rule, ...] = (
    text_alternatives.image_alt,
    text_alternatives.input_image_alt,
    text_alternatives.area_alt,
    text_alternatives.role_img_alt,
    text_alternatives.svg_img_alt,
    language.html_has_lang,
    language.html_lang_valid,
    language.valid_lang_rule,
    language.html_xml_lang_mismatch,
    structure.document_title,
    names.link_name,
    names.button_name,
    names.input_button_name,
    names.label,
    names.select_name,
    names.frame_title,
    aria.duplicate_id_aria,
    visitor_control.meta_refresh,
    visitor_control.meta_viewport,
    visitor_control.marquee,
    visitor_control.blink,
    aria.aria_valid_attr,
    aria.aria_roles,
    aria.aria_hidden_body,
    text_alternatives.server_side_image_map,
    structure.empty_heading,
    contrast.color_contrast,
)
RULES: dict[str, Rule] = {info.id: (info, fn) for info, fn in _IN_REPORT_ORDER}


def outcomes(
    tree: Element, rules: Iterable[str] | None = None, source: str | None = None
) -> dict[str, Outcome]:
    """Per rule: ``failed`` (any element fails), ``passed`` or ``inapplicable``."""
    doc = Doc(tree, source)
    result: dict[str, Outcome] = {}
    for rule_id in rules or RULES:
        _info, fn = RULES[rule_id]
        applicable, failed = fn(doc)
        result[rule_id] = "failed" if failed else ("passed" if applicable else "inapplicable")
    return result


def audit(
    tree: Element,
    source: str | None = None,
    *,
    stylesheets: StylesheetSource | None = None,
    url: str | None = None,
    only: Iterable[str] | None = None,
) -> list[RuleResult]:
    """The rules a page fails: one result per rule, with a sample selector and snippet.
    ``source``, the decoded HTML, lets ``<html lang>`` be read the way browsers do;
    ``stylesheets`` gives the sheets the page at ``url`` links (without them a page that
    links one is judged as far as its own CSS settles the colours); ``only``: these rules
    (ids of ``RULES``), in the table's order."""
    doc = Doc(tree, source, stylesheets, url)
    results: list[RuleResult] = []
    wanted = set(RULES if only is None else only)
    for info, fn in RULES.values():
        if info.id not in wanted:
            continue
        _applicable, failed = fn(doc)
        if not failed:
            continue
        sample = failed[0]
        results.append(
            RuleResult(
                rule=info.id,
                impact=info.impact,
                nodes=len(failed),
                selector=css_selector(doc, sample),
                snippet=snippet(sample),
                wcag=wcag_label(info.criteria),
                standard=standard_label(info.criteria),
                title_zh=info.title_zh,
                help_en=info.help_en,
                evidence=info.evidence(doc, sample) if info.evidence else {},
            )
        )
    return results
