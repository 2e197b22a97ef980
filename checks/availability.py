"""``site_unreachable``: the home page's availability over the week, from the hourly probes.

The scheduler probes every site's home page (scheduler/probe.py, ≥ 20 a day by default 24).
This site hook counts the probes of the rolling window ending on the scan's ``as_of`` day and
reports the site as unreachable when failures / probes reach the veto ratio (5 %). With fewer
probes than the rule needs (a site added this week, a scheduler that was down) it does not
judge: it says so in the scan's stats and yields no finding, since a verdict from a handful of
samples would be noise.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Iterator
from dataclasses import dataclass
from typing import Any

from sqlmodel import col, select

from govpatrol.core.clock import office_midnight
from govpatrol.core.models import Probe, Scan
from govpatrol.core.types import Check, FindingData, SiteContext
from scoring.scorer import Availability, availability

RECENT_ERRORS = 5  # failure messages quoted as evidence


def window_bounds(as_of: dt.date, days: int) -> tuple[dt.datetime, dt.datetime]:
    """The window's office days as UTC instants: [first day 00:00, day after as_of 00:00)."""
    first = as_of - dt.timedelta(days=max(1, days) - 1)
    start = office_midnight(first)
    end = office_midnight(as_of + dt.timedelta(days=1))
    return start.astimezone(dt.UTC), end.astimezone(dt.UTC)


def availability_stats(avail: Availability, ratio_limit: float) -> dict[str, Any]:
    ratio = avail.ratio
    if not avail.enough:
        note = (
            f"近{(avail.window_end - avail.window_start).days + 1}天首页探测 {avail.probes} 次，"
            f"少于规则要求的 {avail.required} 次，未据探测判定网站是否无法访问"
        )
    else:
        note = f"近期首页探测 {avail.probes} 次，失败 {avail.failures} 次（{ratio:.1%}）"
    return {
        "probes": avail.probes,
        "failures": avail.failures,
        "required": avail.required,
        "ratio": round(ratio, 4) if ratio is not None else None,
        "threshold": ratio_limit,
        "insufficient": not avail.enough,
        "window": [avail.window_start.isoformat(), avail.window_end.isoformat()],
        "note": note,
    }


@dataclass(frozen=True)
class AvailabilityOptions:
    """The thresholds the availability check reads, its own and those the scorer's
    ``availability()`` reads on its behalf."""

    probes_per_day_min: int
    unreachable_window_days: int
    unreachable_veto_ratio: float


class AvailabilityCheck(Check):
    name = "availability"
    findings = ("site_unreachable",)
    options_type = AvailabilityOptions

    def on_site(self, ctx: SiteContext) -> Iterator[FindingData]:
        assert ctx.session is not None
        limits: AvailabilityOptions = self.options(ctx)
        start, end = window_bounds(ctx.as_of, limits.unreachable_window_days)
        rows = ctx.session.exec(
            select(Probe.at, Probe.ok, Probe.error)
            .where(Probe.site_id == ctx.site_id, col(Probe.at) >= start, col(Probe.at) < end)
            .order_by(col(Probe.at))
        ).all()
        avail = availability(rows, as_of=ctx.as_of, thresholds=ctx.thresholds)
        stats = availability_stats(avail, limits.unreachable_veto_ratio)
        self._record_stats(ctx, stats)
        # ≥ as the indicators mean it (超过（含）); the epsilon absorbs float noise.
        if not avail.enough or avail.failures < limits.unreachable_veto_ratio * avail.probes - 1e-9:
            return
        errors = [row.error for row in rows if not row.ok and row.error][-RECENT_ERRORS:]
        yield FindingData(
            check="site_unreachable",
            page=ctx.site_url,
            message=(
                f"近{limits.unreachable_window_days}天首页探测 {avail.probes} 次，"
                f"失败 {avail.failures} 次（{avail.ratio:.1%}），"
                f"达到 {limits.unreachable_veto_ratio:.0%} 的否决线"
            ),
            detail={**stats, "recent_errors": errors},
        )

    @staticmethod
    def _record_stats(ctx: SiteContext, stats: dict[str, Any]) -> None:
        """Put the counts in the scan's stats (the pipeline commits the hook's session), so a
        report can say "too few probes" instead of silently passing the site."""
        assert ctx.session is not None
        scan = ctx.session.get(Scan, ctx.scan_id)
        if scan is not None:
            scan.stats = {**(scan.stats or {}), "availability": stats}
            ctx.session.add(scan)
