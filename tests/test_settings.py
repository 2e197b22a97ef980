"""The process settings (every GOVPATROL_* variable), their documentation, the one merge of
a site's thresholds, and the failure kinds' names.

The documentation test is what keeps docs/configuration.md complete: a variable added to
GovpatrolSettings without its row fails here, with the row to paste in the message.
"""

from __future__ import annotations

import ipaddress
import re
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import pytest

from govpatrol.core.failures import FailureKind
from govpatrol.core.models import Scan, Site
from govpatrol.core.settings import (
    ENV_PREFIX,
    GovpatrolSettings,
    SettingsError,
    Thresholds,
    settings,
)
from govpatrol.core.site_settings import options_of, site_settings
from reports.vocabulary import FAILURES

ROOT = Path(__file__).resolve().parents[1]
PACKAGES = ("govpatrol", "crawler", "extract", "checks", "scan", "scoring", "reports")
PACKAGES += ("scheduler", "dashboard")
DOC = ROOT / "docs" / "configuration.md"
TABLE_START = "<!-- settings table: tests/test_settings.py renders it -->"
TABLE_END = "<!-- end of settings table -->"


# -- the settings object ------------------------------------------------------------------------


def test_defaults_when_nothing_is_set() -> None:
    configured = settings({})
    assert configured.scan_workers == 2
    assert configured.site_allowlist == ("*.gov.cn",)
    assert configured.timezone == "Asia/Shanghai"
    assert configured.fetch_allow == () and configured.trusted_proxies == ()
    assert configured.database_url is None and configured.secret_key is None


def test_an_empty_value_is_unset_where_it_was_before() -> None:
    empty = {f"{ENV_PREFIX}{name}": "" for name in ("SCAN_WORKERS", "QUEUE", "REPORT_CRON")}
    configured = settings({**empty, "GOVPATROL_TIMEZONE": "   "})
    assert configured.scan_workers == 2 and configured.queue == "govpatrol"
    assert configured.report_cron == "0 8 * * mon"
    assert configured.timezone == "Asia/Shanghai"


def test_an_empty_allowlist_allows_nothing_and_an_empty_reports_dir_is_here() -> None:
    configured = settings({"GOVPATROL_SITE_ALLOWLIST": "", "GOVPATROL_REPORTS_DIR": ""})
    assert configured.site_allowlist == ()
    assert configured.reports_dir.resolve() == Path.cwd()


def test_lists_are_comma_or_space_separated() -> None:
    configured = settings(
        {
            "GOVPATROL_FETCH_ALLOW": "59.255.0.0/16, 10.8.0.1 ,fd00::/8",
            "GOVPATROL_SITE_ALLOWLIST": "*.Gov.CN. localhost",
            "GOVPATROL_TRUSTED_PROXIES": "10.9.9.9,127.0.0.0/8",
            "GOVPATROL_SMTP_TO": "a@localhost, b@localhost,",
        }
    )
    assert configured.fetch_allow == (
        ipaddress.ip_network("59.255.0.0/16"),
        ipaddress.ip_network("10.8.0.1/32"),
        ipaddress.ip_network("fd00::/8"),
    )
    assert configured.site_allowlist == ("*.gov.cn", "localhost")
    assert configured.trusted_proxies == ("10.9.9.9", "127.0.0.0/8")
    assert configured.smtp_to == ("a@localhost", "b@localhost")


@pytest.mark.parametrize(
    ("raw", "secure", "smtp"),
    [
        ("1", True, True),
        ("yes", True, True),
        ("on", False, True),
        (" TRUE ", False, True),
        ("0", False, False),
        ("no", False, False),
        ("", False, False),
    ],
)
def test_flags_keep_their_own_spellings(raw: str, secure: bool, smtp: bool) -> None:
    configured = settings({"GOVPATROL_SECURE_COOKIES": raw, "GOVPATROL_SMTP_SSL": raw})
    assert configured.secure_cookies is secure
    assert configured.smtp_ssl is smtp


def test_only_names_spelled_in_capitals_are_settings() -> None:
    assert settings({"govpatrol_queue": "lower"}).queue == "govpatrol"
    assert settings({"GOVPATROL_QUEUE": "upper"}).queue == "upper"


def test_a_changed_variable_is_seen_without_a_restart(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv("GOVPATROL_SCAN_ATTEMPTS", "5")
    assert settings().scan_attempts == 5
    monkeypatch.setenv("GOVPATROL_SCAN_ATTEMPTS", "7")
    assert settings().scan_attempts == 7
    monkeypatch.delenv("GOVPATROL_SCAN_ATTEMPTS")
    assert settings().scan_attempts == 3


@pytest.mark.parametrize(
    ("name", "value"),
    [
        ("GOVPATROL_SCAN_WORKERS", "two"),
        ("GOVPATROL_FETCH_ALLOW", "10.0.0.0/99"),
        ("GOVPATROL_STALE_AFTER_S", "soon"),
        ("GOVPATROL_SMTP_PORT", "smtp"),
    ],
)
def test_a_bad_value_names_its_variable(name: str, value: str) -> None:
    with pytest.raises(SettingsError, match=name):
        settings({name: value})


def test_no_module_reads_the_environment_itself() -> None:
    """Each GOVPATROL_* read goes through settings(); copying the environment for a child
    process ({**os.environ, …}) is not a read."""
    reads = re.compile(r"os\.environ\.get\(|os\.getenv\(|os\.environ\[")
    offenders = [
        f"{path.relative_to(ROOT)}:{number}"
        for package in PACKAGES
        for path in sorted((ROOT / package).rglob("*.py"))
        for number, line in enumerate(path.read_text(encoding="utf-8").splitlines(), 1)
        if reads.search(line)
    ]
    assert offenders == []


# -- docs/configuration.md ----------------------------------------------------------------------


def _default_text(value: Any) -> str:
    if value is None or value in ("", ()):
        return "—"
    if isinstance(value, bool):
        return "`1`" if value else "`0`"
    if isinstance(value, tuple):
        return "`" + ", ".join(str(item) for item in value) + "`"
    if isinstance(value, float):
        return f"`{value:g}`"
    return f"`{value}`"


def settings_table() -> str:
    rows = ["| 环境变量 (variable) | 默认 (default) | 作用 (meaning) |", "|---|---|---|"]
    for name, field in GovpatrolSettings.model_fields.items():
        rows.append(
            f"| `{GovpatrolSettings.variable(name)}` | {_default_text(field.default)} "
            f"| {field.description} |"
        )
    return "\n".join(rows)


def test_the_configuration_page_lists_every_variable() -> None:
    text = DOC.read_text(encoding="utf-8")
    assert TABLE_START in text and TABLE_END in text
    table = text.split(TABLE_START, 1)[1].split(TABLE_END, 1)[0].strip()
    expected = settings_table()
    assert table == expected, f"docs/configuration.md: replace the table with\n{expected}"


def test_the_readme_points_at_the_configuration_page() -> None:
    readme = (ROOT / "README.md").read_text(encoding="utf-8")
    assert "docs/configuration.md" in readme


# -- site_settings: the one merge ---------------------------------------------------------------


def _site(thresholds: dict[str, Any] | None) -> Site:
    config = {} if thresholds is None else {"thresholds": thresholds}
    return Site(id=1, name="某市政府", url="https://www.example.gov.cn/", config=config)


def test_the_scan_overrides_the_site_which_overrides_the_defaults() -> None:
    site = _site({"max_pages": 500, "max_depth": 3})
    scan = Scan(id=1, site_id=1, options={"thresholds": {"max_pages": "50"}})
    merged = site_settings(site, scan)
    assert (merged.max_pages, merged.max_depth) == (50, 3)
    assert merged.concurrency == Thresholds().concurrency
    assert site_settings(site).max_pages == 500


def test_overrides_stand_in_for_a_scan_not_stored_yet() -> None:
    merged = site_settings(_site(None), overrides={"link_timeout_s": 3})
    assert merged.link_timeout_s == 3.0 and isinstance(merged.link_timeout_s, float)


def test_a_missing_or_empty_thresholds_entry_is_the_defaults() -> None:
    no_options = Scan(id=2, site_id=1, options={})
    assert site_settings(_site({}), no_options) == Thresholds()
    assert site_settings(Site(id=1, name="x", url="https://x.gov.cn/", config=None)) == (
        Thresholds()
    )


def test_a_mistyped_threshold_is_refused() -> None:
    with pytest.raises(ValueError, match="max_page"):
        site_settings(_site({"max_page": 1}))


@dataclass(frozen=True)
class _LinkNumbers:
    link_timeout_s: float
    link_verify_budget_s: float


@dataclass(frozen=True)
class _Typo:
    link_timeout: float


def test_a_check_reads_its_own_view() -> None:
    view = options_of(Thresholds(link_timeout_s=4.0), _LinkNumbers)
    assert view == _LinkNumbers(link_timeout_s=4.0, link_verify_budget_s=1800.0)
    with pytest.raises(TypeError, match="link_timeout"):
        options_of(Thresholds(), _Typo)


# -- failure kinds ------------------------------------------------------------------------------


def test_failure_kinds_are_the_stored_strings_and_have_words() -> None:
    assert FailureKind.dns == "dns" and f"{FailureKind.dns}: x" == "dns: x"
    assert {str(kind) for kind in FailureKind} <= set(FAILURES)
