"""One label table per language (reports/labels/) and one Jinja environment factory
(reports.render.make_environment) for the reports and the dashboard."""

from __future__ import annotations

import re
import string

import pytest

from dashboard import i18n as dashboard_i18n
from dashboard.web import TEMPLATE_DIR, templates
from reports import i18n, labels
from reports.labels import en, zh
from reports.render import environment, make_environment
from scoring.scorer import FAIL, PASS

_CJK = re.compile(r"[\u3400-\u9fff]")


def _placeholders(text: str) -> set[str]:
    return {field for _, field, _, _ in string.Formatter().parse(text) if field is not None}


def test_both_languages_have_the_same_keys_and_no_empty_label():
    assert list(zh.LABELS) == list(en.LABELS)  # same keys, same order (the tables' order)
    for key in zh.LABELS:
        assert zh.LABELS[key].strip(), key
        assert en.LABELS[key].strip(), key
        assert not _CJK.search(en.LABELS[key]), key
        # a sentence fills the same {placeholders} in either language
        assert _placeholders(zh.LABELS[key]) == _placeholders(en.LABELS[key]), key


def test_lookups_read_the_language_table():
    assert i18n.t("site_report") == zh.LABELS["report.site_report"] == "网站巡检报告"
    assert i18n.t("site_report", "en") == en.LABELS["report.site_report"]
    assert dashboard_i18n.t("started", "en") == en.LABELS["dashboard.started"] == "Started"
    # the dashboard and the reports each keep their own wording of a shared key
    assert dashboard_i18n.t("started") == "开始" and i18n.t("started") == "开始时间"
    assert i18n.t("more_pages", "en", n=3) == "and 3 pages in all"
    assert dashboard_i18n.trigger_label("schedule", "en") == "Scheduled"
    assert i18n.from_table(i18n.VALIDITY, "", "en") == "Not labelled"
    # the verdicts are keyed by the scorer's own words, which are also the Chinese labels
    assert i18n.VERDICTS[PASS][0] == PASS and i18n.VERDICTS[FAIL][0] == FAIL
    assert labels.pairs("severity") == {
        "high": ("高", "High"),
        "medium": ("中", "Medium"),
        "low": ("低", "Low"),
    }
    for lookup in (i18n.t, dashboard_i18n.t):
        with pytest.raises(KeyError):
            lookup("no_such_label", "en")


def test_reports_and_dashboard_share_one_environment_policy():
    dashboard_env = templates.env
    for env in (environment(), dashboard_env):
        assert env.autoescape is True
        assert env.from_string("{{ v }}").render(v="<script>x</script>") == (
            "&lt;script&gt;x&lt;/script&gt;"
        )
        assert {"href", "time", "points", "terms"} <= set(env.filters)
    assert dashboard_env.undefined is environment().undefined
    # the dashboard's environment reaches its own templates and the reports'
    assert dashboard_env.get_template("sites.html").filename.startswith(str(TEMPLATE_DIR))
    assert dashboard_env.get_template("site_report.html.j2") is not None
    # a fresh environment per caller: Starlette's url_for stays out of the reports'
    assert "url_for" in dashboard_env.globals and "url_for" not in environment().globals
    assert make_environment() is not make_environment()
