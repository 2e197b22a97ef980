"""What a static rule is: its description (axe's id, impact, criteria, titles), the
function that judges a page, and the helpers every rule judges with."""

from __future__ import annotations

from collections.abc import Callable, Iterable, Iterator
from dataclasses import dataclass
from typing import Any

from checks.a11y_static.document import Doc, Element


@dataclass(frozen=True)
class RuleInfo:
    """One rule: axe's id and impact, the criteria it tests, a Chinese title for reports."""

    id: str
    impact: str  # critical | serious | moderate | minor (axe's scale)
    criteria: tuple[str, ...]
    title_zh: str
    help_en: str
    act: tuple[str, ...] = ()  # W3C ACT rule ids the rule implements
    # What a finding shows of a failing element beyond selector and snippet (the contrast
    # rule's colours and ratio); None for rules whose element says it all.
    evidence: Callable[[Doc, Element], dict[str, Any]] | None = None


# A rule judges a page: (applicable elements, the elements that fail).
RuleFn = Callable[[Doc], tuple[int, list[Element]]]
# A rule as the table lists it: its description and its judging function.
Rule = tuple[RuleInfo, RuleFn]


def rule(info: RuleInfo) -> Callable[[RuleFn], Rule]:
    """Pair a judging function with its description; the decorated name is the pair
    :data:`checks.a11y_static.rules.RULES` lists."""

    def pair(fn: RuleFn) -> Rule:
        return info, fn

    return pair


def judge(
    elements: Iterable[Element], fails: Callable[[Element], bool]
) -> tuple[int, list[Element]]:
    applicable = 0
    failed: list[Element] = []
    for el in elements:
        applicable += 1
        if fails(el):
            failed.append(el)
    return applicable, failed


def visible(doc: Doc, elements: Iterable[Element]) -> Iterator[Element]:
    return (el for el in elements if not doc.hidden(el))
