"""The weekly scan window (``GOVPATROL_SCAN_WINDOW``, office time) and each site's slot in it.

A window is written ``<day> HH:MM-<day> HH:MM`` (``sat 20:00-mon 06:00``, the default: the
weekend, so the Monday-morning reports find every scan done). Sites without a schedule of
their own start at slots spread evenly over the window by their id (the golden-ratio
sequence: any number of sites, neighbouring ids far apart, a site's slot never moves when
others are added), so the cluster works through them all window long instead of receiving
every scan at one instant.
"""

from __future__ import annotations

import datetime as dt
import math
import re
from dataclasses import dataclass

from apscheduler.triggers.cron import CronTrigger

from govpatrol.core.clock import office_zone
from govpatrol.core.models import Site
from govpatrol.core.settings import settings

DAYS = ("mon", "tue", "wed", "thu", "fri", "sat", "sun")
WEEK = dt.timedelta(days=7)
_GOLDEN = (math.sqrt(5) - 1) / 2
_SPEC = re.compile(
    r"^\s*(?P<d1>[a-z]{3})\s+(?P<t1>\d{1,2}:\d{2})\s*-\s*(?P<d2>[a-z]{3})\s+(?P<t2>\d{1,2}:\d{2})\s*$"
)


class WindowError(ValueError):
    """A scan window that cannot be read; the message shows the expected form."""


@dataclass(frozen=True)
class ScanWindow:
    start: dt.timedelta  # from Monday 00:00
    length: dt.timedelta

    @property
    def hours(self) -> float:
        return self.length.total_seconds() / 3600

    def slot(self, site_id: int) -> dt.timedelta:
        """The site's start in the week (from Monday 00:00), whole minutes inside the window."""
        minutes = int(self.length.total_seconds() // 60)
        offset = int(((site_id * _GOLDEN) % 1.0) * minutes)
        return (self.start + dt.timedelta(minutes=offset)) % WEEK

    def cron(self, site_id: int) -> str:
        """The site's slot as a crontab line (minute hour * * weekday)."""
        moment = self.slot(site_id)
        hours, seconds = divmod(moment.seconds, 3600)
        return f"{seconds // 60} {hours} * * {DAYS[moment.days]}"

    def next_start(self, now: dt.datetime) -> dt.datetime:
        """The start of the window now open, or of the next one (``now`` is office time)."""
        monday = (now - dt.timedelta(days=now.weekday())).replace(
            hour=0, minute=0, second=0, microsecond=0
        )
        start = monday + self.start
        while start + self.length <= now:
            start += WEEK
        while start - WEEK + self.length > now:
            start -= WEEK
        return start

    def contains(self, moment: dt.datetime) -> bool:
        start = self.next_start(moment)
        return start <= moment < start + self.length

    def describe(self) -> str:
        end = (self.start + self.length) % WEEK
        return f"{_point(self.start)}-{_point(end)}"


def _point(moment: dt.timedelta) -> str:
    hours, seconds = divmod(moment.seconds, 3600)
    return f"{DAYS[moment.days]} {hours:02d}:{seconds // 60:02d}"


def parse_window(text: str) -> ScanWindow:
    """``sat 20:00-mon 06:00`` → a window; WindowError says what is wrong."""
    match = _SPEC.match(text.lower())
    if not match:
        raise WindowError(
            f"扫描窗口格式应为“星期 时:分-星期 时:分”，如 sat 20:00-mon 06:00，收到 {text!r} "
            "(expected e.g. 'sat 20:00-mon 06:00')"
        )
    start = _offset(match["d1"], match["t1"], text)
    end = _offset(match["d2"], match["t2"], text)
    length = (end - start) % WEEK
    if length < dt.timedelta(hours=1):
        raise WindowError(f"扫描窗口至少 1 小时，收到 {text!r} (the window must last an hour)")
    return ScanWindow(start, length)


def _offset(day: str, clock: str, text: str) -> dt.timedelta:
    if day not in DAYS:
        raise WindowError(f"扫描窗口中的星期 {day!r} 无效，应为 {', '.join(DAYS)}（{text!r}）")
    hours, minutes = (int(part) for part in clock.split(":"))
    if hours > 23 or minutes > 59:
        raise WindowError(f"扫描窗口中的时间 {clock!r} 无效（{text!r}）")
    return dt.timedelta(days=DAYS.index(day), hours=hours, minutes=minutes)


def configured_window() -> ScanWindow:
    return parse_window(settings().scan_window)


# -- a site's weekly trigger -------------------------------------------------------------


def default_scan_cron(site_id: int) -> str:
    """The site's slot in the scan window, as a crontab line."""
    return configured_window().cron(site_id)


def scan_cron(site: Site) -> str:
    return (site.schedule_cron or "").strip() or default_scan_cron(site.id)


def cron_trigger(expression: str) -> CronTrigger:
    """A crontab line (minute hour day month weekday) on the office's clock; ValueError if
    invalid."""
    if len(expression.split()) != 5:
        raise ValueError(f"cron 表达式需要 5 个字段（分 时 日 月 周）：{expression!r}")
    return CronTrigger.from_crontab(expression, timezone=office_zone())


def scan_trigger(site: Site) -> CronTrigger:
    return cron_trigger(scan_cron(site))
