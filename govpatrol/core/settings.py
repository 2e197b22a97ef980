"""Process-wide settings and the per-site thresholds of the official indicators.

Thresholds are configuration, not literals: the defaults below are the ones in
docs/CHECKS.md, and a site (``site.config["thresholds"]``) can override any of them.
"""

from __future__ import annotations

import math
import os
from collections.abc import Mapping
from dataclasses import dataclass, fields, replace
from pathlib import Path
from typing import Any

DEFAULT_DB_FILE = "govpatrol.db"
USER_AGENT = "Mozilla/5.0 (compatible; govpatrol/0.1; +https://github.com/govpatrol/govpatrol)"
CHROMIUM_PATH = "/usr/bin/chromium"
CHROMIUM_ARGS = [
    "--no-sandbox",
    "--disable-gpu",
    "--disable-quic",
    "--no-first-run",
    "--disable-background-networking",
    "--disable-component-update",
    "--disable-sync",
    "--disable-dev-shm-usage",
]


def database_url() -> str:
    """The store's URL: ``GOVPATROL_DATABASE_URL`` or the SQLite file in the working directory."""
    url = os.environ.get("GOVPATROL_DATABASE_URL")
    if url:
        return url
    return f"sqlite:///{Path(DEFAULT_DB_FILE).resolve()}"


def broker_url() -> str | None:
    return os.environ.get("GOVPATROL_BROKER_URL") or None


def reports_dir() -> Path:
    return Path(os.environ.get("GOVPATROL_REPORTS_DIR", "reports-out")).resolve()


@dataclass(frozen=True)
class Thresholds:
    """Every number an indicator uses. Field names are the keys a site overrides."""

    # availability (site_unreachable)
    probe_timeout_s: float = 15.0
    probes_per_day_min: int = 20
    unreachable_window_days: int = 7
    unreachable_veto_ratio: float = 0.05
    # freshness
    home_fresh_days: int = 14
    dynamic_cadence_days: int = 14
    notice_cadence_days: int = 183  # 6 months
    personnel_cadence_days: int = 365
    stale_timeboxed_veto: int = 5
    stale_longterm_veto: int = 10
    blank_column_veto: int = 5
    # documents
    interpretation_max_working_days: int = 3
    default_validity_years: int = 5
    provisional_validity_years: int = 2
    late_disclosure_working_days: int = 20
    # links
    link_timeout_s: float = 15.0
    home_link_penalty: float = 1.0
    other_link_penalty: float = 0.1
    link_verify_budget_s: float = 1800.0  # wall clock for verifying a scan's link targets
    # interaction
    unanswered_days: int = 90
    interaction_window_days: int = 365
    # crawl
    max_pages: int = 20000
    max_depth: int = 12
    time_budget_s: float = 3600.0
    per_pattern_cap: int = 200
    concurrency: int = 16
    download_delay_s: float = 0.0
    check_processes: int = 1  # page checks in a worker process (0: in the crawl process)
    # Budgets for what a site controls (govpatrol/core/budgets.py): past each, the rest is cut,
    # recorded in scan.stats["cut"] and shown in the report. Set far above what a large real
    # portal needs (the 50,000-article benchmark portal reaches none), so they only ever cut
    # hostile or broken sites.
    robots_max_bytes: int = 500 * 1024  # robots.txt read (Google reads 500 KiB)
    robots_max_rules: int = 1000  # Allow/Disallow rules obeyed; each costs every URL a match
    max_links_per_page: int = 10_000  # links taken from one page (a site map has ~2,000)
    max_link_targets: int = 200_000  # distinct link targets verified per scan
    scan_budget_s: float = 10800.0  # wall clock for the whole scan, crawl included
    # accessibility
    browser_budget_pages: int = 200
    browser_pages_per_template: int = 2

    @classmethod
    def from_overrides(cls, overrides: Mapping[str, Any] | None) -> Thresholds:
        """Defaults with a site's overrides applied; unknown keys are an error, not a silent typo."""
        if not overrides:
            return cls()
        return replace(cls(), **cls.typed(overrides))

    @classmethod
    def typed(cls, overrides: Mapping[str, Any]) -> dict[str, int | float]:
        """Each override as its threshold's type. The one check for every way a threshold is
        entered: the dashboard's JSON numbers and the command line's ``--set name=value``
        text. ValueError names the threshold and says what it needs."""
        unknown = set(overrides) - {f.name for f in fields(cls)}
        if unknown:
            raise ValueError(f"unknown threshold(s): {', '.join(sorted(unknown))}")
        base = cls()
        return {
            name: _threshold_value(name, value, type(getattr(base, name)))
            for name, value in overrides.items()
        }


def _threshold_value(name: str, value: Any, kind: type[int] | type[float]) -> int | float:
    needs = "整数 (an integer)" if kind is int else "数值 (a number)"
    problem = ValueError(f"阈值 {name} 需要{needs}，收到 {value!r}")
    # True is an int to Python, but never a page count or a number of seconds
    if isinstance(value, bool) or not isinstance(value, int | float | str):
        raise problem
    if isinstance(value, float) and kind is int and not value.is_integer():
        raise problem  # int() would silently cut 2.5 pages down to 2
    try:
        number = kind(value.strip() if isinstance(value, str) else value)
    except (ValueError, OverflowError):
        raise problem from None
    if not math.isfinite(number):
        raise problem
    return number


@dataclass(frozen=True)
class CrawlScope:
    """Which URLs belong to a site: its host, extra hosts, an optional path prefix."""

    host: str
    extra_hosts: tuple[str, ...] = ()
    path_prefix: str = "/"
    obey_robots: bool = True
