"""The 扫描时间 cell of the import sheet as the crontab line a site stores.

People write 每周日 21:30 or Sun 21:30 (the dashboard's picker shows schedules that way); an
expert may write the five-field cron line itself. Either is checked by the scheduler's own
parser (scheduler.jobs.cron_trigger), so an imported schedule is one the scheduler runs.
"""

from __future__ import annotations

import re

from scheduler.jobs import cron_trigger

WEEKDAYS = ("mon", "tue", "wed", "thu", "fri", "sat", "sun")
_ZH_DAYS = {"一": "mon", "二": "tue", "三": "wed", "四": "thu", "五": "fri", "六": "sat",
            "日": "sun", "天": "sun"}  # fmt: skip
_TIME = r"(?P<hour>[01]?\d|2[0-3])\s*[:：]\s*(?P<minute>[0-5]\d)"
_ZH_WEEKLY = re.compile(
    r"^(?:每周|每星期|周|星期)(?P<days>[一二三四五六日天、，,\s和及]+?)\s*" + _TIME + "$"
)
_DAILY = re.compile(r"^(?:每天|每日|daily|every\s*day)\s*(?:at\s*)?" + _TIME + "$", re.I)
_EN_WEEKLY = re.compile(
    r"^(?P<days>(?:mon|tue|wed|thu|fri|sat|sun)[a-z]*(?:\s*[,、/&]\s*(?:and\s+)?"
    r"(?:mon|tue|wed|thu|fri|sat|sun)[a-z]*)*)\s*(?:at\s*)?" + _TIME + "$",
    re.I,
)


class BadSchedule(ValueError):
    """The cell is neither a weekly schedule in words nor a valid cron line."""


def _line(days: list[str], hour: str, minute: str) -> str:
    ordered = [d for d in WEEKDAYS if d in set(days)]
    field = "*" if len(ordered) == 7 else ",".join(ordered)
    return f"{int(minute)} {int(hour)} * * {field}"


def parse_schedule(text: str) -> str:
    """The crontab line for ``text``; BadSchedule with the reason otherwise."""
    value = " ".join(text.split())
    match = _ZH_WEEKLY.match(value)
    if match:
        days = [_ZH_DAYS[c] for c in match["days"] if c in _ZH_DAYS]
        line = _line(days, match["hour"], match["minute"]) if days else ""
    elif match := _DAILY.match(value):
        line = _line(list(WEEKDAYS), match["hour"], match["minute"])
    elif match := _EN_WEEKLY.match(value):
        days = [d.lower()[:3] for d in re.findall(r"[A-Za-z]+", match["days"]) if d != "and"]
        line = _line(days, match["hour"], match["minute"])
    else:
        line = value
    try:
        cron_trigger(line)
    except ValueError as exc:
        raise BadSchedule(str(exc)) from None
    return line
