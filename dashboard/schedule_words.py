"""Scan schedules in words, and the weekday-and-time picker that writes them.

A site's schedule is stored as a crontab line (minute hour day month weekday, Beijing time),
which the scheduler runs and scheduler.jobs.cron_trigger validates. People read 每周日 21:37
("Sundays at 21:37") and pick weekdays and a time; a line the picker cannot express stays a
cron line, shown as such and edited in the advanced field.
"""

from __future__ import annotations

import re
from dataclasses import dataclass

WEEKDAYS = ("mon", "tue", "wed", "thu", "fri", "sat", "sun")
_ZH = ("一", "二", "三", "四", "五", "六", "日")
_EN = ("Mondays", "Tuesdays", "Wednesdays", "Thursdays", "Fridays", "Saturdays", "Sundays")
_EN_SHORT = ("Mon", "Tue", "Wed", "Thu", "Fri", "Sat", "Sun")
# crontab weekday numbers: 0 and 7 are Sunday
_NUMBERS = {"0": "sun", "1": "mon", "2": "tue", "3": "wed", "4": "thu", "5": "fri", "6": "sat",
            "7": "sun"}  # fmt: skip
_TIME = re.compile(r"^([01]?\d|2[0-3]):([0-5]\d)$")


@dataclass(frozen=True)
class Weekly:
    """A schedule the picker can show: these weekdays at hour:minute."""

    days: tuple[str, ...]  # in WEEKDAYS order
    hour: int
    minute: int

    @property
    def time(self) -> str:
        return f"{self.hour:02d}:{self.minute:02d}"

    def cron(self) -> str:
        return f"{self.minute} {self.hour} * * {','.join(self.days)}"


def _day(token: str) -> list[str] | None:
    token = token.lower()
    if token in _NUMBERS:
        return [_NUMBERS[token]]
    if token in WEEKDAYS:
        return [token]
    if "-" in token:
        first, _, last = token.partition("-")
        a, b = _day(first), _day(last)
        if not a or not b:
            return None
        i, j = WEEKDAYS.index(a[0]), WEEKDAYS.index(b[0])
        return list(WEEKDAYS[i : j + 1]) if i <= j else None
    return None


def weekly(cron: str | None) -> Weekly | None:
    """``37 21 * * sun`` → Weekly(("sun",), 21, 37); None for what the picker cannot show."""
    fields = (cron or "").split()
    if len(fields) != 5 or fields[2:4] != ["*", "*"]:
        return None
    minute, hour, dow = fields[0], fields[1], fields[4]
    if not (minute.isdigit() and hour.isdigit() and int(minute) < 60 and int(hour) < 24):
        return None
    if dow == "*":
        days = list(WEEKDAYS)
    else:
        days = []
        for token in dow.split(","):
            found = _day(token)
            if found is None:
                return None
            days += found
    ordered = tuple(d for d in WEEKDAYS if d in days)
    return Weekly(ordered, int(hour), int(minute))


def describe(cron: str, lang: str) -> str:
    """每周日 21:37 / "Sundays at 21:37"; a line the picker cannot show as ``cron: …``."""
    plan = weekly(cron)
    if plan is None:
        return f"cron: {cron}" if lang == "en" else f"cron 表达式：{cron}"
    indexes = [WEEKDAYS.index(d) for d in plan.days]
    if lang == "en":
        if len(indexes) == 7:
            return f"Every day at {plan.time}"
        names = [_EN[i] for i in indexes] if len(indexes) <= 2 else [_EN_SHORT[i] for i in indexes]
        return f"{' and '.join(names) if len(names) <= 2 else ', '.join(names)} at {plan.time}"
    if len(indexes) == 7:
        return f"每天 {plan.time}"
    return f"每周{'、'.join(_ZH[i] for i in indexes)} {plan.time}"


class PickerError(ValueError):
    """The picker's fields do not make a schedule (days without a time, a bad time)."""


def cron_from_picker(days: list[str], time: str) -> str | None:
    """The crontab line for the picked weekdays and time; None when no day is picked."""
    picked = tuple(d for d in WEEKDAYS if d in set(days))
    if not picked:
        return None
    match = _TIME.match(time.strip())
    if match is None:
        raise PickerError(time)
    return Weekly(picked, int(match.group(1)), int(match.group(2))).cron()
