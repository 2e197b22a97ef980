"""The Jinja2 environment every report and every dashboard page renders with.

Autoescape is always on: titles, link texts, messages and evidence come from crawled pages
and must reach the HTML as text. Templates never use ``|safe`` on them; the only Markup that
enters a template is the trend SVG built from numbers and dates in reports/svg.py, and fix
hints (our own text) through ``|terms``, which escapes them first. The dashboard builds its
environment with the same factory (``make_environment``), so it cannot drift to a weaker
policy; it sits above the reports and hands in its own template folder.
"""

from __future__ import annotations

import re
from functools import cache, partial
from pathlib import Path
from typing import Any

from jinja2 import (
    BaseLoader,
    ChoiceLoader,
    Environment,
    FileSystemLoader,
    PackageLoader,
    StrictUndefined,
)
from markupsafe import Markup, escape

from reports import fmt, i18n, vocabulary
from reports.evidence import word

# A run of Chinese text (with the slashes between terms: 有效/失效/废止).
_CJK_RUN = re.compile(
    r"[\u3000-\u303f\u3400-\u9fff\uff00-\uffef]+(?:/[\u3000-\u303f\u3400-\u9fff\uff00-\uffef]+)*"
)


def chinese_terms(text: str | None) -> Markup:
    """``text`` escaped, with its Chinese terms marked as quoted Chinese: an English fix hint
    names the words a page must show (有效/失效, 关怀版), and says them in Chinese."""
    out = []
    last = 0
    text = text or ""
    for match in _CJK_RUN.finditer(text):
        out.append(escape(text[last : match.start()]))
        out.append(Markup('<span class="quoted" lang="zh">{}</span>').format(match.group()))
        last = match.end()
    out.append(escape(text[last:]))
    return Markup("").join(out)


def make_environment(*folders: Path) -> Environment:
    """A new environment that finds templates in ``folders`` first, then the reports' own
    (``*.html.j2``; the dashboard's are ``*.html``, so neither hides the other)."""
    loaders: list[BaseLoader] = [FileSystemLoader(folder) for folder in folders]
    env = Environment(
        loader=ChoiceLoader([*loaders, PackageLoader("reports", "templates")]),
        autoescape=True,
        undefined=StrictUndefined,  # a typo in a template fails the tests, not silently
        trim_blocks=True,
        lstrip_blocks=True,
    )
    env.filters["href"] = fmt.safe_href
    env.filters["time"] = fmt.show_time
    env.filters["points"] = fmt.show_points
    env.filters["terms"] = chinese_terms
    return env


@cache
def environment() -> Environment:
    """The reports' environment (the dashboard keeps its own: Starlette adds ``url_for``)."""
    return make_environment()


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
        "link_kind_label": lambda key: word(vocabulary.LINK_KINDS, key, lang),
        "weight_label": lambda key: i18n.weight_label(key, lang),
        "indicator_title": lambda key: i18n.indicator_title(key, lang),
        "date": lambda value: fmt.show_date(value, lang),
        "short": lambda url: url or "",  # a report may pass its own (site-relative paths)
        "colon": "：" if lang == "zh" else ": ",
        "paren": ("（", "）") if lang == "zh" else (" (", ")"),
    }
    return environment().get_template(template).render({**helpers, **context})
