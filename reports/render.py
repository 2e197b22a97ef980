"""The Jinja2 environment every report renders with.

Autoescape is always on: titles, link texts, messages and evidence come from crawled pages
and must reach the HTML as text. Templates never use ``|safe`` on them; the only Markup that
enters a template is the trend SVG built from numbers and dates in reports/svg.py.
"""

from __future__ import annotations

from functools import cache, partial
from typing import Any

from jinja2 import Environment, PackageLoader, StrictUndefined

from reports import fmt, i18n


@cache
def environment() -> Environment:
    env = Environment(
        loader=PackageLoader("reports", "templates"),
        autoescape=True,
        undefined=StrictUndefined,
        trim_blocks=True,
        lstrip_blocks=True,
    )
    env.filters["href"] = fmt.safe_href
    env.filters["time"] = fmt.show_time
    env.filters["points"] = fmt.show_points
    return env


def render(template: str, lang: str, **context: Any) -> str:
    """Render ``template`` with the label helpers bound to ``lang``."""
    if lang not in i18n.LANGS:
        raise ValueError(f"unknown language {lang!r}; use one of {', '.join(i18n.LANGS)}")
    helpers = {
        "lang": lang,
        "t": partial(i18n.t, lang=lang),
        "state_label": lambda key: i18n.from_table(i18n.STATES, key, lang),
        "severity_label": lambda key: i18n.from_table(i18n.SEVERITIES, key, lang),
        "verdict_label": lambda key: i18n.from_table(i18n.VERDICTS, key, lang),
        "status_label": lambda key: i18n.from_table(i18n.SCAN_STATUSES, key, lang),
        "category_label": lambda key: i18n.from_table(i18n.CATEGORIES, key, lang),
        "validity_label": lambda key: i18n.from_table(i18n.VALIDITY, key, lang),
        "indicator_title": lambda key: i18n.indicator_title(key, lang),
        "date": lambda value: fmt.show_date(value, lang),
        "short": lambda url: url or "",  # a report may pass its own (site-relative paths)
        "colon": "：" if lang == "zh" else ": ",
    }
    return environment().get_template(template).render({**helpers, **context})
