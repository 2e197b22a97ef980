"""Working days: official holidays and make-up days, and the Mon–Fri fallback outside the data."""

from __future__ import annotations

import datetime as dt

import chinese_calendar
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

import govpatrol.core.workdays as workdays
from govpatrol.core.workdays import (
    add_working_days,
    calendar_known,
    calendar_years,
    is_working_day,
    working_days_between,
)
from tests.spies import count_calls

D = dt.date


def _brute(start: dt.date, end: dt.date) -> tuple[int, bool]:
    """Day-by-day reference count over (start, end]."""
    count, fallback, day = 0, False, start
    while day < end:
        day += dt.timedelta(days=1)
        working, fell_back = is_working_day(day)
        count += working
        fallback = fallback or fell_back
    return count, fallback


# 2024 National Day (国办发明电〔2023〕7号): 1–7 October off, Sun 29 September and Sat 12 October
# worked. These are the official dates, not whatever the library returns.
def test_national_day_2024_holidays_are_not_working_days() -> None:
    assert working_days_between(D(2024, 9, 30), D(2024, 10, 8)) == (1, False)
    assert working_days_between(D(2024, 9, 30), D(2024, 10, 7)) == (0, False)


def test_makeup_weekend_days_are_working_days() -> None:
    assert is_working_day(D(2024, 9, 29)) == (True, False)  # Sunday, make-up day
    assert is_working_day(D(2024, 10, 12)) == (True, False)  # Saturday, make-up day
    assert is_working_day(D(2024, 10, 13)) == (False, False)  # ordinary Sunday
    assert working_days_between(D(2024, 9, 27), D(2024, 9, 29)) == (1, False)


def test_spring_festival_2025() -> None:
    # 28 January – 4 February 2025 off; Sun 26 January and Sat 8 February worked.
    assert working_days_between(D(2025, 1, 27), D(2025, 2, 5)) == (1, False)
    assert is_working_day(D(2025, 1, 26)) == (True, False)
    assert is_working_day(D(2025, 2, 8)) == (True, False)


def test_same_day_and_reversed_span() -> None:
    assert working_days_between(D(2024, 5, 6), D(2024, 5, 6)) == (0, False)
    assert working_days_between(D(2024, 10, 8), D(2024, 9, 30)) == (-1, False)


def test_add_working_days_skips_the_holiday_week() -> None:
    assert add_working_days(D(2024, 9, 30), 3) == (D(2024, 10, 10), False)
    assert add_working_days(D(2024, 10, 8), -1) == (D(2024, 9, 30), False)
    assert add_working_days(D(2024, 5, 6), 0) == (D(2024, 5, 6), False)


def test_years_after_the_data_fall_back_to_monday_to_friday() -> None:
    first, last = calendar_years()
    assert first <= 2004 and last >= 2026
    later = last + 2
    assert not calendar_known(later)
    jan4 = D(later, 1, 4)
    monday = jan4 + dt.timedelta(days=(7 - jan4.weekday()) % 7)
    friday = monday - dt.timedelta(days=3)
    assert working_days_between(friday, monday) == (1, True)
    assert add_working_days(friday, 1) == (monday, True)
    # 1 January of an unknown year is an ordinary weekday: no holiday is invented.
    new_year = D(later, 1, 1)
    assert is_working_day(new_year) == (new_year.weekday() < 5, True)


def test_span_crossing_into_unknown_year_reports_fallback() -> None:
    last = calendar_years()[1]
    count, fallback = working_days_between(D(last, 12, 1), D(last + 1, 1, 31))
    assert fallback is True
    assert count == _brute(D(last, 12, 1), D(last + 1, 1, 31))[0]
    assert working_days_between(D(last, 12, 1), D(last, 12, 31))[1] is False


def test_years_before_the_data_fall_back_too() -> None:
    first = calendar_years()[0]
    assert working_days_between(D(first - 1, 3, 3), D(first - 1, 3, 10))[1] is True
    assert working_days_between(D(first - 1, 12, 31), D(first, 1, 10))[1] is False


@settings(max_examples=300, deadline=None)
@given(
    start=st.dates(min_value=D(1995, 1, 1), max_value=D(2035, 12, 31)),
    span=st.integers(min_value=0, max_value=500),
)
def test_counting_agrees_with_day_by_day_reference(start: dt.date, span: int) -> None:
    end = start + dt.timedelta(days=span)
    assert working_days_between(start, end) == _brute(start, end)


@settings(max_examples=200, deadline=None)
@given(
    start=st.dates(min_value=D(2000, 1, 1), max_value=D(2030, 12, 31)),
    n=st.integers(min_value=0, max_value=40),
)
def test_add_is_the_inverse_of_between(start: dt.date, n: int) -> None:
    end, _ = add_working_days(start, n)
    assert working_days_between(start, end)[0] == n
    if n:
        assert is_working_day(end)[0]


def test_a_span_of_decades_costs_what_a_span_of_days_costs(
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    """Whole weeks plus two bisections per list of exceptions, never a day-by-day loop: a
    1981 成文日期 against a 2018 发布日期 is as cheap as a week (bench/checks.py times it)."""
    decades = (D(1981, 5, 23), D(2018, 12, 4))
    expected = _brute(*decades)  # before the spies: the reference does walk every day
    calls = count_calls(monkeypatch, workdays, "bisect_right", "is_working_day")
    days = count_calls(monkeypatch, chinese_calendar, "is_workday")
    assert working_days_between(*decades) == expected
    for_decades = dict(calls)
    calls.clear()
    assert working_days_between(D(2024, 9, 30), D(2024, 10, 8)) == (1, False)
    assert for_decades == calls == {"bisect_right": 4} and days == {}
