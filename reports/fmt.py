"""How reports print times, dates, numbers and links.

The store keeps UTC (SQLite hands datetimes back naive); readers are in China, so every time
is shown and exported on the office's clock (``govpatrol.core.clock``: Beijing time unless
``GOVPATROL_TIMEZONE`` says otherwise), whatever zone the server runs in.
"""

from __future__ import annotations

import datetime as dt
import re

from govpatrol.core.clock import to_office

# Only absolute http(s) URLs become live links. Anything else from a crawled page —
# javascript:, data:, vbscript:, a scheme hidden behind whitespace or control characters —
# is printed as text, never put in an href.
_SAFE_URL = re.compile(r"^https?://[^\s\x00-\x1f\x7f]+$", re.IGNORECASE)


def safe_href(url: object) -> str | None:
    """``url`` when it may be a link target, else None."""
    if not isinstance(url, str) or not _SAFE_URL.match(url):
        return None
    return url


def iso_time(value: dt.datetime | None) -> str | None:
    """``2026-11-22T01:00:00+08:00`` as the findings export writes it."""
    local = to_office(value)
    return local.isoformat(timespec="seconds") if local else None


def show_time(value: dt.datetime | None) -> str:
    local = to_office(value)
    return local.strftime("%Y-%m-%d %H:%M") if local else "—"


def show_date(value: dt.date | None, lang: str = "zh") -> str:
    if value is None:
        return "—"
    if lang == "en":
        return value.isoformat()
    return f"{value.year}年{value.month}月{value.day}日"


def show_points(value: float | None) -> str:
    if value is None:
        return "—"
    return f"{value:.2f}".rstrip("0").rstrip(".")
