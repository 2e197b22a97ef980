"""Can the workers seen finish the weekly scans inside the scan window?

The arithmetic of docs/capacity.md, done against the live deployment: each site scheduled in
the window costs ``3600 / GOVPATROL_SITES_PER_HOUR_PER_WORKER`` seconds of one scan slot,
plus ``GOVPATROL_BROWSER_MINUTES_PER_SITE`` when its scans run the browser audits (both
measured figures, from bench/scale.py and the browser benchmark); the slots are the workers
whose heartbeat is recent (``scheduler.lease``) times their concurrency, or this machine's
``GOVPATROL_SCAN_WORKERS`` without a broker. When the work exceeds the window the plan says
so, in the scheduler's log, in /healthz and on the dashboard's admin page.
"""

from __future__ import annotations

import datetime as dt
import logging
from dataclasses import asdict, dataclass

from sqlmodel import Session, col, select

from govpatrol.core.clock import office_now
from govpatrol.core.models import Site
from govpatrol.core.settings import broker_url, settings
from scheduler.lease import workers_seen
from scheduler.window import ScanWindow, configured_window, scan_trigger

log = logging.getLogger(__name__)


@dataclass(frozen=True)
class CapacityPlan:
    window: str
    window_hours: float
    sites: int  # active sites whose weekly scan starts inside the window
    browser_sites: int  # of which run the browser audits
    slots: int  # scans the workers seen run at once
    workers: int
    sites_per_hour_per_worker: float
    browser_minutes_per_site: float
    hours_needed: float | None  # None without any slot: nothing can run

    @property
    def fits(self) -> bool:
        return self.hours_needed is not None and self.hours_needed <= self.window_hours

    def warning(self, lang: str = "zh") -> str | None:
        """What is wrong, in the language asked for; None when the window suffices."""
        if self.fits or self.sites == 0:
            return None
        if self.hours_needed is None:
            if lang == "en":
                return (
                    f"{self.sites} sites are scheduled in the scan window ({self.window}) "
                    "but no worker has been seen"
                )
            return f"扫描窗口（{self.window}）内安排了 {self.sites} 个网站，但未发现任何工作节点"
        if lang == "en":
            return (
                f"{self.sites} sites need about {self.hours_needed:.1f} h with {self.slots} scan "
                f"slot(s) on {self.workers} worker(s); the scan window ({self.window}) has "
                f"{self.window_hours:.1f} h: add workers or widen the window"
            )
        return (
            f"扫描窗口（{self.window}，{self.window_hours:.1f} 小时）内安排了 {self.sites} 个网站，"
            f"按 {self.workers} 个工作节点（{self.slots} 个并发扫描）约需 {self.hours_needed:.1f} 小时，"
            "无法在窗口内完成：请增加工作节点或放宽扫描窗口"
        )

    def to_dict(self) -> dict[str, object]:
        return {**asdict(self), "fits": self.fits, "warning": self.warning("en")}


def _in_window(site: Site, window: ScanWindow, start: dt.datetime) -> bool:
    try:
        trigger = scan_trigger(site)
    except ValueError:  # an invalid line falls back to the default slot, inside the window
        return True
    fire = trigger.get_next_fire_time(None, start)
    return fire is not None and fire < start + window.length


def plan_capacity(
    session: Session, *, window: ScanWindow | None = None, now: dt.datetime | None = None
) -> CapacityPlan:
    config = settings()
    window = window or configured_window()
    start = window.next_start(now or office_now())
    sites = [s for s in session.exec(select(Site).where(col(Site.active))) if s.id is not None]
    scheduled = [s for s in sites if _in_window(s, window, start)]
    browser = sum(
        1
        for s in scheduled
        if ((s.config or {}).get("scan_options") or {}).get("browser", True) is not False
    )
    if broker_url():
        seen = workers_seen(session)
        workers, slots = len(seen), sum(w.concurrency for w in seen)
    else:
        workers, slots = 1, config.scan_workers
    per_hour = config.sites_per_hour_per_worker
    browser_min = config.browser_minutes_per_site
    hours = None
    if slots > 0 and per_hour > 0:
        work_h = len(scheduled) / per_hour + browser * browser_min / 60
        hours = work_h / slots
    return CapacityPlan(
        window=window.describe(),
        window_hours=round(window.hours, 2),
        sites=len(scheduled),
        browser_sites=browser,
        slots=slots,
        workers=workers,
        sites_per_hour_per_worker=per_hour,
        browser_minutes_per_site=browser_min,
        hours_needed=None if hours is None else round(hours, 2),
    )


def log_capacity(session: Session) -> CapacityPlan:
    """Plan, and warn in the log when the window is too short."""
    plan = plan_capacity(session)
    warning = plan.warning()
    if warning:
        log.warning("capacity: %s (%s)", warning, plan.warning("en"))
    else:
        log.info("capacity: %s sites fit in the scan window %s", plan.sites, plan.window)
    return plan
