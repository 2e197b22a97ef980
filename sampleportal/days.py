"""Dates for the sample portal: offsets from ``as_of``, list display formats, working days.

Every date the portal shows is "N days before as_of", so the truth holds for any as_of.
Working days follow ``chinese-calendar`` (official holidays and make-up days) for the years
it knows and Monday–Friday otherwise; the truth records which one was used, because the
interpretation deadline (3 working days) is judged in working days, not calendar days.
"""

from __future__ import annotations

import datetime as dt

# the truth counts working days with the calendar the checks use (re-exported for the generator)
from govpatrol.core.workdays import (  # noqa: F401
    add_working_days,
    is_working_day,
    late_regardless,
    unconfirmed_years,
    working_days_between,
)

ONE_DAY = dt.timedelta(days=1)


def ago(as_of: dt.date, days: int) -> dt.date:
    return as_of - dt.timedelta(days=days)


# How list pages print a date. The names are used in the truth (column "date_format").
_FORMATS = {
    "iso": lambda d: d.isoformat(),
    "mmdd": lambda d: f"{d.month:02d}-{d.day:02d}",
    "mm.dd": lambda d: f"{d.month:02d}.{d.day:02d}",
    "cn": lambda d: f"{d.year}年{d.month}月{d.day}日",
    "cn0": lambda d: f"{d.year}年{d.month:02d}月{d.day:02d}日",
    "slash": lambda d: f"{d.year}/{d.month:02d}/{d.day:02d}",
    "slash_short": lambda d: f"{d.year}/{d.month}/{d.day}",
    "dot": lambda d: f"{d.year}.{d.month:02d}.{d.day:02d}",
    "bracket": lambda d: f"[{d.isoformat()}]",
}


def fmt(d: dt.date, style: str) -> str:
    return _FORMATS[style](d)


def cn_date(d: dt.date) -> str:
    """The way metadata blocks print dates (成文日期：2026年03月02日)."""
    return f"{d.year}年{d.month:02d}月{d.day:02d}日"


def is_workday(d: dt.date) -> tuple[bool, bool]:
    """(is a working day, Mon–Fri fallback used): the calendar the checks use."""
    return is_working_day(d)


def previous_workday(d: dt.date) -> dt.date:
    while not is_workday(d)[0]:
        d -= ONE_DAY
    return d


def last_long_break(latest: dt.date, earliest: dt.date) -> tuple[dt.date, dt.date] | None:
    """The most recent run of ≥ 4 non-working days ending on or before ``latest``.

    Returns (last working day before it, first working day after it): a pair whose calendar
    gap is large while only one working day apart — the 国庆/春节 case that separates a
    calendar-day count from a working-day count. None when the years hold no such break
    (e.g. only the Mon–Fri fallback is known: weekends are 2 days).
    """
    d = previous_workday(latest)  # so the day after any run found is a working day
    run_end: dt.date | None = None
    run = 0
    while d >= earliest:
        work, fallback = is_workday(d)
        if fallback:
            run_end, run = None, 0
        elif not work:
            run_end = run_end or d
            run += 1
        else:
            if run >= 4 and run_end is not None:
                return d, run_end + ONE_DAY
            run_end, run = None, 0
        d -= ONE_DAY
    return None
