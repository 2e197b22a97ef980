"""The one place a site's numbers are merged: the defaults, then the site's own overrides,
then the scan's.

``site_settings(site, scan)`` is what the crawl, the checks, the scorer and the probes use, so
a scan is scored with the thresholds it ran with. Organisations (``Org``) carry no
configuration of their own, so there is no organisation layer between the defaults and the
site. The scoring config (``site.config["scoring"]``) is not merged here: a scan cannot
override it, and its type belongs to the scorer (scoring/scorer.py, a layer above this one).

A check reads only the numbers it uses through its own view: a frozen dataclass whose field
names are thresholds, built by ``options_of(thresholds, View)`` — as a Scrapy component reads
its own settings — so its signature says what it depends on.
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import fields, is_dataclass
from functools import cache
from typing import Any, TypeVar

from govpatrol.core.models import Scan, Site
from govpatrol.core.settings import Thresholds, settings

View = TypeVar("View")


def site_settings(
    site: Site, scan: Scan | None = None, *, overrides: Mapping[str, Any] | None = None
) -> Thresholds:
    """The thresholds a scan of ``site`` runs (or ran) with: the defaults, the site's
    ``config["thresholds"]``, then ``scan.options["thresholds"]`` or, for a scan not stored
    yet, ``overrides``. ValueError names an unknown or mistyped threshold."""
    scan_overrides = (scan.options or {}).get("thresholds") if scan is not None else overrides
    merged = {**((site.config or {}).get("thresholds") or {}), **(scan_overrides or {})}
    return Thresholds.from_overrides(merged)


def scan_wall_limit_s(site: Site, scan: Scan | None = None) -> float:
    """The wall-clock limit of a scan of ``site``: its ``scan_wall_limit_s`` threshold (site
    or scan override) when set above 0, else the deployment's ``GOVPATROL_SCAN_WALL_LIMIT_S``."""
    own = site_settings(site, scan).scan_wall_limit_s
    return own if own > 0 else settings().scan_wall_limit_s


def options_of(thresholds: Thresholds, view: type[View]) -> View:
    """A check's typed view of the merged thresholds: ``view`` (a dataclass whose fields are
    threshold names) filled from ``thresholds``. A field that is no threshold is a
    programming error, raised as TypeError on first use."""
    return view(**{name: getattr(thresholds, name) for name in _wanted(view)})


@cache
def _wanted(view: type) -> tuple[str, ...]:
    """The threshold names ``view`` reads, checked once per view (checks ask on every page)."""
    if not is_dataclass(view):
        raise TypeError(f"{view.__name__} is not a dataclass")
    known = {f.name for f in fields(Thresholds)}
    wanted = tuple(f.name for f in fields(view))
    unknown = [name for name in wanted if name not in known]
    if unknown:
        raise TypeError(f"{view.__name__} names no threshold: {', '.join(unknown)}")
    return wanted
