"""The dashboard's own words in Chinese (default) and English: lookups over the label table of
each language (reports/labels/, section ``dashboard``). Words shared with the reports (scan
statuses, triage states, severities, verdicts, check titles) come from reports.i18n."""

from __future__ import annotations

from reports import labels
from reports.i18n import SCAN_STATUSES, SEVERITIES, STATES, VERDICTS, from_table

# The dashboard's own labels and the scan triggers, ``key → (Chinese, English)``, read from
# the label table of each language (reports/labels/).
LABELS = labels.pairs("dashboard")
TRIGGERS = labels.pairs("trigger")

ROLE_KEYS = {"admin": "role_admin", "supervisor": "role_supervisor", "webmaster": "role_webmaster"}


def t(key: str, lang: str = "zh", **values: object) -> str:
    """A label; ``values`` fill its ``{placeholders}``. Unknown keys raise (tests catch them)."""
    text = labels.label(f"dashboard.{key}", lang)
    return text.format(**values) if values else text


def status_label(status: str | None, lang: str) -> str:
    return from_table(SCAN_STATUSES, str(status) if status else None, lang)


def state_label(state: str | None, lang: str) -> str:
    if state == "untriaged":
        return t("untriaged", lang)
    return from_table(STATES, state, lang)


def severity_label(severity: str | None, lang: str) -> str:
    return from_table(SEVERITIES, severity, lang)


def verdict_label(verdict: str | None, lang: str) -> str:
    return from_table(VERDICTS, verdict, lang) if verdict else "—"


def role_label(role: str, lang: str) -> str:
    return t(ROLE_KEYS[role], lang) if role in ROLE_KEYS else role


def zone_label(zone: str | None, lang: str) -> str:
    """``Site.address_zone`` in words: "public" or zone names, comma separated."""
    names = [z for z in (zone or "public").split(",") if z]
    return "、".join(t(f"zone_{z}", lang) if f"zone_{z}" in LABELS else z for z in names)


def stage_label(stage: str | None, lang: str) -> str:
    key = f"stage_{stage}"
    return t(key, lang) if key in LABELS else (stage or "")


def trigger_label(trigger: str | None, lang: str) -> str:
    return from_table(TRIGGERS, trigger, lang)
