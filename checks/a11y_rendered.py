"""The static rules as the browser's judge of the rendered DOM (``crawler.browser_static``).

Each static rule (``checks.a11y_static``) implements an axe rule of the same id from the markup
alone and passes the ACT test cases axe passes (tests/test_a11y_static.py). Handed to the
browser, axe does not run them; they judge each audited frame's DOM as rendered, so a rule axe
would add over the static pass (an ``<img>`` a script inserted without ``alt``) is still found.
The rules whose verdict needs the rendered layout (``BROWSER_JUDGED_RULES``: color-contrast)
stay with axe.
"""

from __future__ import annotations

from checks.a11y_static.rules import RULES, audit
from crawler.browser_static import DomFailure, RenderedDomRules
from extract.parse import parse_html

# Rules a static rule approximates and the rendered page decides (layout, stylesheets the
# crawl does not fetch): on a page the browser audited, its verdict replaces the static one.
BROWSER_JUDGED_RULES = frozenset({"color-contrast"})
RENDERED_DOM_RULES = tuple(rule for rule in RULES if rule not in BROWSER_JUDGED_RULES)


def _judge(html: str) -> list[DomFailure]:
    return [
        DomFailure(
            rule=result.rule,
            impact=result.impact,
            nodes=result.nodes,
            selector=result.selector,
            snippet=result.snippet,
            help=result.help_en,
            tags=tuple("wcag" + sc.replace(".", "") for sc in RULES[result.rule][0].criteria),
        )
        for result in audit(parse_html(html), html, only=RENDERED_DOM_RULES)
    ]


def rendered_dom_rules() -> RenderedDomRules:
    return RenderedDomRules(RENDERED_DOM_RULES, _judge)
