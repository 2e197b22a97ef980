"""The axe rules the browser leaves to govpatrol's static rules, judged on the rendered DOM.

Each static rule (``checks.a11y_static``) implements an axe rule of the same id, from the
markup alone, and passes the ACT test cases axe passes (tests/test_a11y_static.py). Run on
the page as served they miss only what scripts change; run on each frame's DOM *as
rendered* (``frame.content()``) they judge exactly what axe would judge there. So axe does
not run them: one lxml parse and the static rules in this process replace their share of
axe's work in the renderer, and a rule axe would have added over the static pass (an
``<img>`` a script inserted without ``alt``) is still found, by the same rule id.

Not handed over: the rules whose verdict needs layout (``color-contrast``: the rendered
colours, the text size, what overlaps what), which the static rule only approximates.
"""

from __future__ import annotations

import contextlib
from typing import Any

from playwright.async_api import Error as PlaywrightError
from playwright.async_api import Frame

from checks.a11y_static.report import RuleResult
from checks.a11y_static.rules import RULES, audit
from crawler.browser_results import Violation
from extract.parse import parse_html

# Judged by the browser whatever the static rules say: they need the rendered layout.
LAYOUT_RULES = frozenset({"color-contrast"})
RENDERED_DOM_RULES = tuple(rule for rule in RULES if rule not in LAYOUT_RULES)
# axe's name for an element (its shortest unique selector); axe's tree exists only in a run
_JS_AXE_SELECTOR = """(el) => {
    if (!el || !window.axe) return null;
    axe.setup(document);
    try { return axe.utils.getSelector(el); } finally { axe.teardown(); }
}"""


def axe_rules_off() -> dict[str, dict[str, bool]]:
    """The ``rules`` option that keeps axe off the rules judged on the rendered DOM."""
    return {rule: {"enabled": False} for rule in RENDERED_DOM_RULES}


async def rendered_dom_violations(
    frames: list[Frame], meta: dict[str, dict[str, Any]]
) -> list[Violation]:
    """The handed-over rules over every audited frame's rendered DOM, one violation per
    rule as axe reports it (all frames merged, the first failing element as its sample);
    ``meta``: axe's own help, help URL and tags per rule (``axe.getRules``)."""
    found: dict[str, Violation] = {}
    where: dict[str, Frame] = {}
    for frame in frames:
        html = ""
        with contextlib.suppress(PlaywrightError):  # a frame gone since axe saw it
            html = await frame.content()
        if not html:
            continue
        for result in audit(parse_html(html), html, only=RENDERED_DOM_RULES):
            known = found.get(result.rule)
            if known is not None:
                known.nodes += result.nodes
                continue
            found[result.rule] = _violation(result, meta.get(result.rule) or {})
            where[result.rule] = frame
    for rule, violation in found.items():
        violation.target = await _axe_target(where[rule], violation.target)
    order = {rule: n for n, rule in enumerate(RULES)}
    return sorted(found.values(), key=lambda v: order[v.rule])


async def _axe_target(frame: Frame, selector: str) -> str:
    """The sample element's target as axe writes it: its selector in each frame from the
    top document down, joined by " >>> "; the static rule's selector where axe cannot say."""
    parts: list[str] = []
    with contextlib.suppress(PlaywrightError):
        element = await frame.query_selector(selector)
        while element is not None:
            parts.append(await element.evaluate(_JS_AXE_SELECTOR) or selector)
            parent = frame.parent_frame
            if parent is None:
                return " >>> ".join(reversed(parts))
            element, frame = await frame.frame_element(), parent
            selector = "iframe"
    return selector


def _violation(result: RuleResult, meta: dict[str, Any]) -> Violation:
    return Violation(
        rule=result.rule,
        impact=result.impact,
        nodes=result.nodes,
        target=result.selector,
        snippet=result.snippet,
        help=str(meta.get("help") or result.help_en),
        help_url=str(meta.get("helpUrl") or ""),
        tags=list(meta.get("tags") or _criteria_tags(result.rule)),
    )


def _criteria_tags(rule: str) -> list[str]:
    """axe-style tags of a rule's criteria (``1.1.1`` → ``wcag111``), for a rule axe's
    metadata does not list."""
    info, _fn = RULES[rule]
    return ["wcag" + sc.replace(".", "") for sc in info.criteria]
