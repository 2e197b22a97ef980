"""A finding's evidence (``Finding.detail``) as short labelled values for people to read.

The same text goes into the HTML report, the CSV and the XLSX ledger. Values can come from
crawled pages (link text, snippets): they are returned as plain text, and each output escapes
or neutralises them its own way.
"""

from __future__ import annotations

import json
from collections.abc import Mapping
from typing import Any

from reports.i18n import CATEGORIES, EVIDENCE_KEYS, VALIDITY, from_table, t

MAX_VALUE_CHARS = 300

# Of no use to a person fixing the problem (bookkeeping of the verifier and the checks).
_SKIP = frozenset({"fingerprint", "checked_at", "failure", "elapsed_ms", "content_type", "bytes"})


def _value(key: str, value: Any, lang: str) -> str:
    if isinstance(value, bool):
        return t("yes" if value else "no", lang)
    if key == "category":
        return from_table(CATEGORIES, value, lang)
    if key == "validity":
        return from_table(VALIDITY, value, lang)
    if isinstance(value, list | tuple):
        sep = " → " if key == "redirects" else ", "
        return sep.join(str(v) for v in value)
    if isinstance(value, Mapping):
        return json.dumps(value, ensure_ascii=False, sort_keys=True, default=str)
    return str(value)


def _clip(text: str) -> str:
    text = " ".join(text.split())
    if len(text) > MAX_VALUE_CHARS:
        return text[: MAX_VALUE_CHARS - 1] + "…"
    return text


def evidence_items(detail: Mapping[str, Any] | None, lang: str = "zh") -> list[tuple[str, str]]:
    """(label, value) pairs in the detail's own order, empty values left out."""
    items = []
    for key, value in (detail or {}).items():
        if key in _SKIP or value is None or value == "" or value == [] or value == {}:
            continue
        label = from_table(EVIDENCE_KEYS, key, lang)
        items.append((label, _clip(_value(key, value, lang))))
    return items


def evidence_text(detail: Mapping[str, Any] | None, lang: str = "zh") -> str:
    """One line: ``label：value；label：value`` (``label: value; …`` in English)."""
    colon, sep = (": ", "; ") if lang == "en" else ("：", "；")
    return sep.join(f"{label}{colon}{value}" for label, value in evidence_items(detail, lang))
