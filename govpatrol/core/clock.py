"""The office's clock: what day it is and how a time is shown, in the office's time zone.

The people govpatrol serves judge "today" and read times in Beijing time, whatever zone the
server runs in (containers and cloud machines are usually UTC): a scan started at 00:10 in
Beijing is judged as of that Beijing day, not the UTC day before. The zone is
``GOVPATROL_TIMEZONE`` (an IANA name), Asia/Shanghai by default. The store keeps UTC; every
place that takes today's date or shows a time goes through here.
"""

from __future__ import annotations

import datetime as dt
from zoneinfo import ZoneInfo, ZoneInfoNotFoundError

from govpatrol.core.settings import settings

TIMEZONE_ENV = "GOVPATROL_TIMEZONE"


class BadTimezone(ValueError):
    """``GOVPATROL_TIMEZONE`` names no time zone this machine knows."""


def office_zone() -> ZoneInfo:
    """The office's time zone. Read on every call (ZoneInfo caches the zone itself), so a
    process started with the variable set sees it without any set-up step."""
    name = settings().timezone
    try:
        return ZoneInfo(name)
    except (ZoneInfoNotFoundError, ValueError) as exc:
        raise BadTimezone(
            f"{TIMEZONE_ENV}={name!r} 不是有效的时区名称（如 Asia/Shanghai） (not a time zone name)"
        ) from exc


def utcnow() -> dt.datetime:
    """Now, as an aware UTC time: what the store keeps."""
    return dt.datetime.now(dt.UTC)


def office_now() -> dt.datetime:
    """Now, on the office's wall clock."""
    return dt.datetime.now(office_zone())


def office_today() -> dt.date:
    """Today's date in the office: the day a scan started now is judged as of."""
    return office_now().date()


def to_office(value: dt.datetime | None) -> dt.datetime | None:
    """``value`` on the office's wall clock. A naive time is UTC, as the store hands it back
    (SQLite drops the zone)."""
    if value is None:
        return None
    if value.tzinfo is None:
        value = value.replace(tzinfo=dt.UTC)
    return value.astimezone(office_zone())


def office_date(value: dt.datetime) -> dt.date:
    """The office's calendar day at the instant ``value`` (naive: UTC)."""
    local = to_office(value)
    assert local is not None
    return local.date()


def office_midnight(day: dt.date) -> dt.datetime:
    """The instant the office's ``day`` begins."""
    return dt.datetime.combine(day, dt.time.min, tzinfo=office_zone())


def scan_date(
    as_of: dt.date | None, started: dt.datetime | None, created: dt.datetime | None
) -> dt.date:
    """The day a scan judges: its ``as_of``, else the office's date it started or was created."""
    if as_of is not None:
        return as_of
    moment = to_office(started or created)
    return moment.date() if moment else office_today()
