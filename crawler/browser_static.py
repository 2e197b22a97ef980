"""Axe rules the browser can hand to another judge of the rendered DOM.

A caller (the accessibility check) that has rules of its own implementing some axe rules from
the markup alone can pass them as :class:`RenderedDomRules`: axe then does not run those rule
ids, and the judge reads each audited frame's DOM *as rendered* (``frame.content()``) instead.
Run on the rendered DOM such rules miss nothing scripts change, so axe could add nothing over
them; one HTML parse in this process replaces their share of axe's work in the renderer. What
they find is reported as axe would: one violation per rule, all frames merged, the sample
element named by axe's own selector, with axe's help, help URL and tags.

Rules whose verdict needs layout (``color-contrast``) must not be handed over: the caller
decides which rules it passes.
"""

from __future__ import annotations

import contextlib
from collections.abc import Callable, Sequence
from dataclasses import dataclass, field
from typing import TYPE_CHECKING, Any

from crawler.browser_results import Violation

if TYPE_CHECKING:  # Playwright is the [browser] extra: imported only where frames exist
    from playwright.async_api import Frame


@dataclass(frozen=True)
class DomFailure:
    """A rule that fails on one frame's rendered DOM: how many elements, and the first."""

    rule: str
    impact: str | None
    nodes: int
    selector: str  # a CSS selector of the first failing element in that DOM
    snippet: str
    help: str
    tags: tuple[str, ...] = ()  # axe-style tags of the rule's criteria (wcag111 …)


@dataclass(frozen=True)
class RenderedDomRules:
    """Axe rule ids judged by ``judge`` (rendered HTML → failures) instead of by axe."""

    rules: Sequence[str]
    judge: Callable[[str], list[DomFailure]] = field(compare=False)

    def axe_rules_off(self) -> dict[str, dict[str, bool]]:
        """axe's ``rules`` option that keeps it off the handed-over rules."""
        return {rule: {"enabled": False} for rule in self.rules}


# axe's name for an element (its shortest unique selector); axe's tree exists only in a run
_JS_AXE_SELECTOR = """(el) => {
    if (!el || !window.axe) return null;
    axe.setup(document);
    try { return axe.utils.getSelector(el); } finally { axe.teardown(); }
}"""


async def rendered_dom_violations(
    frames: list[Frame], rules: RenderedDomRules, meta: dict[str, dict[str, Any]]
) -> list[Violation]:
    """The handed-over rules over every audited frame's rendered DOM, one violation per
    rule (all frames merged, the first failing element as its sample); ``meta``: axe's
    own help, help URL and tags per rule (``axe.getRules``)."""
    found: dict[str, Violation] = {}
    from playwright.async_api import Error as PlaywrightError

    where: dict[str, Frame] = {}
    for frame in frames:
        html = ""
        with contextlib.suppress(PlaywrightError):  # a frame gone since axe saw it
            html = await frame.content()
        if not html:
            continue
        for failure in rules.judge(html):
            known = found.get(failure.rule)
            if known is not None:
                known.nodes += failure.nodes
                continue
            found[failure.rule] = _violation(failure, meta.get(failure.rule) or {})
            where[failure.rule] = frame
    for rule, violation in found.items():
        violation.target = await _axe_target(where[rule], violation.target)
    order = {rule: n for n, rule in enumerate(rules.rules)}
    return sorted(found.values(), key=lambda v: order.get(v.rule, len(order)))


async def _axe_target(frame: Frame, selector: str) -> str:
    """The sample element's target as axe writes it: its selector in each frame from the
    top document down, joined by " >>> "; the judge's selector where axe cannot say."""
    from playwright.async_api import Error as PlaywrightError

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


def _violation(failure: DomFailure, meta: dict[str, Any]) -> Violation:
    return Violation(
        rule=failure.rule,
        impact=failure.impact,
        nodes=failure.nodes,
        target=failure.selector,
        snippet=failure.snippet,
        help=str(meta.get("help") or failure.help),
        help_url=str(meta.get("helpUrl") or ""),
        tags=list(meta.get("tags") or failure.tags),
    )
