"""Working days in mainland China: official holidays and make-up working days (调休).

The calendar comes from ``chinese-calendar``, whose data covers a fixed range of years
(2004–2026 in 1.11.0), and from the State Council's holiday notices an office loads as data
files for later years (govpatrol/core/holidays.py; ``GOVPATROL_HOLIDAYS_DIR``). The official
deadlines we judge (解读 within 3 working days, disclosure within 20) must still be computable
for a year no source covers, so there we fall back to Monday–Friday and *say so*: every
function returns a flag that findings put into their evidence, and a late verdict resting
on such a count is left to a person (待人工确认).

Counting uses whole weeks plus bisected lists of the calendar's exceptions, so a span of
decades (a 1981 成文日期 against a 2018 发布日期) costs the same as a span of days.
"""

from __future__ import annotations

import datetime as dt
import logging
import threading
import time
from bisect import bisect_right
from dataclasses import dataclass
from functools import cache
from pathlib import Path
from typing import Any

import chinese_calendar

from govpatrol.core.holidays import (
    HolidayNotice,
    folder_signature,
    load_notices,
)
from govpatrol.core.settings import settings

log = logging.getLogger(__name__)

_ONE_DAY = dt.timedelta(days=1)
# How often a long-running process looks for a notice file added or edited meanwhile (a
# worker started in October sees the November notice without a restart).
RECHECK_S = 60.0
# The day the next year's missing calendar starts being announced (the notice usually
# appears in November).
WARN_FROM = (11, 1)


@dataclass(frozen=True)
class YearSource:
    """Where the holidays of one year come from."""

    year: int
    kind: str  # "chinese_calendar" | "notice_file"
    text: str  # the library and its version, or the notice's title and 文号
    path: Path | None = None
    url: str | None = None


@dataclass(frozen=True)
class _Calendar:
    """The calendar's data, reshaped for counting: only what differs from Mon–Fri."""

    years: frozenset[int]  # the years some official source covers
    weekday_holidays: tuple[dt.date, ...]  # holidays falling Mon–Fri (not working)
    weekend_workdays: tuple[dt.date, ...]  # make-up working days on Sat/Sun
    off: frozenset[dt.date]  # the same days as sets, for one-day questions
    worked: frozenset[dt.date]
    sources: tuple[YearSource, ...]
    problems: tuple[str, ...]  # notice files that could not be used, and why


@cache
def _library() -> tuple[frozenset[dt.date], frozenset[dt.date], str]:
    label = f"chinese-calendar {getattr(chinese_calendar, '__version__', '')}".strip()
    return frozenset(chinese_calendar.holidays), frozenset(chinese_calendar.workdays), label


def _build(office_dir: Path | None) -> _Calendar:
    lib_holidays, lib_workdays, label = _library()
    loaded = load_notices(office_dir)
    for problem in loaded.problems:
        log.warning("holiday notice not used: %s", problem)
    notices: dict[int, HolidayNotice] = loaded.notices
    # A notice file replaces the library's days for its year (an office can correct one).
    holidays = {d for d in lib_holidays if d.year not in notices}
    workdays = {d for d in lib_workdays if d.year not in notices}
    sources = {
        year: YearSource(year, "chinese_calendar", label)
        for year in {d.year for d in holidays | workdays}
    }
    for year, notice in notices.items():
        holidays |= notice.days_off()
        workdays |= notice.days_worked()
        sources[year] = YearSource(
            year, "notice_file", notice.source_text(), notice.path, notice.url
        )
    weekday_holidays = tuple(sorted(d for d in holidays if d.weekday() < 5))
    weekend_workdays = tuple(sorted(d for d in workdays if d.weekday() >= 5))
    return _Calendar(
        years=frozenset(sources),
        weekday_holidays=weekday_holidays,
        weekend_workdays=weekend_workdays,
        off=frozenset(weekday_holidays),
        worked=frozenset(weekend_workdays),
        sources=tuple(sources[y] for y in sorted(sources)),
        problems=tuple(loaded.problems),
    )


class _Cache:
    """The calendar of the configured folder, rebuilt when the folder setting changes or
    (looked at every RECHECK_S) a file in it does."""

    def __init__(self) -> None:
        self._lock = threading.Lock()
        self._key: tuple[Path | None, tuple] | None = None
        self._folder: Path | None = None
        self._checked = 0.0
        self._calendar: _Calendar | None = None

    def get(self) -> _Calendar:
        # The fast path compares the configured folder only (settings() is cached); the
        # folder's files are looked at again every RECHECK_S.
        office_dir = settings().holidays_dir
        now = time.monotonic()
        calendar = self._calendar
        if calendar is not None and office_dir == self._folder and now - self._checked < RECHECK_S:
            return calendar
        with self._lock:
            new_key = (office_dir, folder_signature(office_dir))
            if self._calendar is None or self._key != new_key:
                self._calendar = _build(office_dir)
                self._key = new_key
            self._folder = office_dir
            self._checked = now
            return self._calendar

    def clear(self) -> None:
        with self._lock:
            self._calendar, self._key, self._folder = None, None, None


_cache = _Cache()


def _calendar() -> _Calendar:
    return _cache.get()


def reload() -> None:
    """Read the notice files again on the next count, not after the recheck interval
    (``holidays list`` right after an edit)."""
    _cache.clear()


def calendar_years() -> tuple[int, int]:
    """The first year the official data covers and the last one before its first gap."""
    years = _calendar().years
    first = min(years)
    last = first
    while last + 1 in years:
        last += 1
    return first, last


def calendar_known(year: int) -> bool:
    """Whether holidays and make-up days of ``year`` are known (else Mon–Fri is assumed)."""
    return year in _calendar().years


def year_sources() -> tuple[YearSource, ...]:
    """Each covered year and its source, in order."""
    return _calendar().sources


def notice_problems() -> tuple[str, ...]:
    """The notice files that could not be used (their years fall back to Mon–Fri)."""
    return _calendar().problems


def unconfirmed_years(start: dt.date, end: dt.date) -> list[int]:
    """The years of the span (start, end] no official source covers: counted Mon–Fri."""
    lo, hi = sorted((start, end))
    if lo == hi:
        return []
    years = _calendar().years
    return [y for y in range((lo + _ONE_DAY).year, hi.year + 1) if y not in years]


# The most weekday days off one year's holiday notice can bring into a span: 13 statutory
# holidays (国务院令第795号, from 2025) and the bridge days (调休) whose make-up weekend may
# fall outside the span. 2025's notice had 18 weekday days off in all.
MAX_WEEKDAYS_OFF_PER_YEAR = 25


def late_regardless(count: int, limit: int, years: list[int]) -> bool:
    """Whether a Mon–Fri ``count`` that spans the unconfirmed ``years`` exceeds ``limit``
    whatever those years' holiday notices turn out to say."""
    return count - MAX_WEEKDAYS_OFF_PER_YEAR * len(years) > limit


def late_count_evidence(
    start: dt.date, end: dt.date, days: int, fallback: bool, limit: int
) -> dict[str, Any]:
    """What a finding late by ``days`` working days (``start`` to ``end``, ``limit`` allowed)
    records of how they were counted. A lateness counted on weekdays alone is a person's call,
    not a verdict (``needs_review``), unless no holiday notice could bring it within the limit."""
    unknown = unconfirmed_years(start, end) if fallback else []
    regardless = bool(unknown) and late_regardless(days, limit, unknown)
    return {
        "fallback": fallback,
        "calendar": "mon_fri_fallback" if fallback else "chinese_calendar",
        "fallback_years": unknown,
        "late_regardless": regardless,
        **({"needs_review": True} if unknown and not regardless else {}),
    }


def unconfirmed_note(years: list[int], *, regardless: bool = False) -> str:
    """The words a finding's message adds when its count rests on weekdays alone;
    ``regardless``: late even if those years had the most holidays a notice can bring."""
    if not years:
        return ""
    if regardless:
        return (
            f"（{'、'.join(map(str, years))} 年无官方节假日安排，工作日按周一至周五计算；"
            f"即使每年有 {MAX_WEEKDAYS_OFF_PER_YEAR} 个工作日放假，仍然超期）"
        )
    return (
        f"（{'、'.join(map(str, years))} 年无官方节假日安排，工作日仅按周一至周五计算，"
        "未经确认，待人工确认）"
    )


def uncovered_soon(today: dt.date) -> list[int]:
    """The years a warning should name on ``today``: this year when no source covers it, and
    next year from 1 November (when its notice is due) while none does."""
    years = _calendar().years
    out = [] if today.year in years else [today.year]
    if (today.month, today.day) >= WARN_FROM and today.year + 1 not in years:
        out.append(today.year + 1)
    return out


def is_working_day(day: dt.date) -> tuple[bool, bool]:
    """(is a working day, Mon–Fri fallback used) for one date."""
    cal = _calendar()
    if day.year not in cal.years:
        return day.weekday() < 5, True
    if day.weekday() < 5:
        return day not in cal.off, False
    return day in cal.worked, False


def _monfri_through(day: dt.date) -> int:
    """Mon–Fri days from a fixed epoch through ``day`` inclusive (differences give counts)."""
    ordinal = day.toordinal()  # ordinal 1 (0001-01-01) is a Monday
    weeks, rest = divmod(ordinal - 1, 7)
    return weeks * 5 + min(rest + 1, 5)


def _count_between(sorted_days: tuple[dt.date, ...], lo: dt.date, hi: dt.date) -> int:
    """How many of ``sorted_days`` fall in (lo, hi]."""
    return bisect_right(sorted_days, hi) - bisect_right(sorted_days, lo)


def working_days_between(start: dt.date, end: dt.date) -> tuple[int, bool]:
    """Working days after ``start`` up to and including ``end``, and whether Mon–Fri was assumed.

    Same day → 0; the next working day → 1 (a 解读 published the next working day is one
    working day late, not two). ``end`` before ``start`` gives the negative count of the
    reversed span. The flag is True when any year in the span is outside the calendar's data.
    """
    if end < start:
        count, fallback = working_days_between(end, start)
        return -count, fallback
    cal = _calendar()
    count = _monfri_through(end) - _monfri_through(start)
    # Only covered years have exceptions listed; elsewhere Mon–Fri stands.
    count -= _count_between(cal.weekday_holidays, start, end)
    count += _count_between(cal.weekend_workdays, start, end)
    fallback = start < end and any(
        y not in cal.years for y in range((start + _ONE_DAY).year, end.year + 1)
    )
    return count, fallback


def add_working_days(start: dt.date, n: int) -> tuple[dt.date, bool]:
    """The date ``n`` working days after ``start`` (before it when ``n`` < 0), and the flag.

    ``add_working_days(d, 3)`` is the last day a 解读 of a document published on ``d`` is on
    time. Deadlines are short (3, 20 days), so stepping a day at a time is cheap.
    """
    step = _ONE_DAY if n >= 0 else -_ONE_DAY
    day, remaining, fallback = start, abs(n), False
    while remaining:
        day += step
        working, fell_back = is_working_day(day)
        fallback = fallback or fell_back
        if working:
            remaining -= 1
    return day, fallback
