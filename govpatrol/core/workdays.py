"""Working days in mainland China: official holidays and make-up working days (调休).

The calendar comes from ``chinese-calendar``, whose data covers a fixed range of years
(2004–2026 in 1.11.0) and raises for any other year. The official deadlines we judge
(解读 within 3 working days, disclosure within 20) must still be computable for those
years, so outside the known range we fall back to Monday–Friday and *say so*: every
function returns a flag that findings put into their evidence.

Counting uses whole weeks plus bisected lists of the calendar's exceptions, so a span of
decades (a 1981 成文日期 against a 2018 发布日期) costs the same as a span of days.
"""

from __future__ import annotations

import datetime as dt
from bisect import bisect_right
from dataclasses import dataclass
from functools import cache

import chinese_calendar

_ONE_DAY = dt.timedelta(days=1)


@dataclass(frozen=True)
class _Calendar:
    """The calendar's data, reshaped for counting: only what differs from Mon–Fri."""

    first_year: int
    last_year: int
    weekday_holidays: tuple[dt.date, ...]  # holidays falling Mon–Fri (not working)
    weekend_workdays: tuple[dt.date, ...]  # make-up working days on Sat/Sun


@cache
def _calendar() -> _Calendar:
    years = {d.year for d in chinese_calendar.holidays} | {
        d.year for d in chinese_calendar.workdays
    }
    holidays = sorted(d for d in chinese_calendar.holidays if d.weekday() < 5)
    makeups = sorted(d for d in chinese_calendar.workdays if d.weekday() >= 5)
    return _Calendar(min(years), max(years), tuple(holidays), tuple(makeups))


def calendar_years() -> tuple[int, int]:
    """The first and last year the official holiday data covers."""
    cal = _calendar()
    return cal.first_year, cal.last_year


def calendar_known(year: int) -> bool:
    """Whether holidays and make-up days of ``year`` are known (else Mon–Fri is assumed)."""
    cal = _calendar()
    return cal.first_year <= year <= cal.last_year


def is_working_day(day: dt.date) -> tuple[bool, bool]:
    """(is a working day, Mon–Fri fallback used) for one date."""
    if not calendar_known(day.year):
        return day.weekday() < 5, True
    return chinese_calendar.is_workday(day), False


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
    # Official exceptions only apply to the years the data covers; elsewhere Mon–Fri stands.
    lo = max(start, dt.date(cal.first_year, 1, 1) - _ONE_DAY)
    hi = min(end, dt.date(cal.last_year, 12, 31))
    if lo < hi:
        count -= _count_between(cal.weekday_holidays, lo, hi)
        count += _count_between(cal.weekend_workdays, lo, hi)
    fallback = start < end and (
        (start + _ONE_DAY).year < cal.first_year or end.year > cal.last_year
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
