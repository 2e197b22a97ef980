"""Dates as Chinese government sites print them, and the years they leave out.

One table-driven scanner reads every form in use: ``2024-05-07``, ``2024/5/7``,
``2024.05.07``, ``2024年5月7日``, ``二〇二四年五月七日``, full-width digits, labels such as
``发布时间：`` and trailing times, and the year-less ``[05-07]``, ``05.07``, ``5月7日`` of
list pages. Year-less dates get their year from the item's URL (``t20240507_``,
``/202405/``, ``/2024/05/07/``, ``2024-05/``), from a hint, or from their neighbours in a
newest-first list (which may span New Year), never later than the day of the scan.

Everything is validated by ``datetime.date`` and a year window (1990 … as_of + 1), and the
patterns refuse digits glued to other digits, so phone numbers (0795-5210210), 文号
(〔2023〕5号), year ranges (2025-2029), version numbers (V2.1.3) and amounts (12.50元) are
not dates. dateparser is far too slow for this hot path (it runs on every list item of
20,000-page sites) and guesses where these formats are exact, so plain ``re`` it is.
"""

from __future__ import annotations

import datetime as dt
import re
from collections.abc import Iterator, Sequence
from dataclasses import dataclass

MIN_YEAR = 1990
# How far a year-less date may lie past the scan day before it is taken as last year's:
# lists are published ahead of time only by a day or two (time zones, scheduled posts).
FUTURE_GRACE = dt.timedelta(days=2)

_FULLWIDTH = str.maketrans("０１２３４５６７８９－／．：　", "0123456789-/.: ")

_FULL = (
    # 2024-05-07, 2024/5/7, 2024.05.07 (the same separator twice)
    r"(?<![\d.])(?P<y>(?:19|20)\d\d)\s*(?P<sep>[-/.])\s*(?P<m>\d{1,2})\s*(?P=sep)\s*"
    r"(?P<d>\d{1,2})(?!\d)"
    # 2024年5月7日
    r"|(?<!\d)(?P<cy>(?:19|20)\d\d)\s*年\s*(?P<cm>\d{1,2})\s*月\s*(?P<cd>\d{1,2})(?!\d)(?:\s*[日号])?"
)
_PARTIAL = (
    # 05-07, 05.07, [05-07]: two digits each, nothing number-like glued on either side
    r"|(?<![\d.:/A-Za-z_-])(?P<pm>\d\d)(?P<psep>[-.])(?P<pd>\d\d)(?![\d%万亿元倍]|[.:/-]\d)"
    # 5月7日
    r"|(?<![\d年])(?P<zm>\d{1,2})\s*月\s*(?P<zd>\d{1,2})\s*[日号]"
)
_DATE = re.compile(_FULL + _PARTIAL)
_FULL_ONLY = re.compile(_FULL)
_HAS_DIGIT = re.compile(r"\d")

_CN_DIGITS = {
    "〇": 0, "○": 0, "零": 0, "一": 1, "二": 2, "三": 3, "四": 4,
    "五": 5, "六": 6, "七": 7, "八": 8, "九": 9,
}  # fmt: skip
_CN_DATE = re.compile(
    r"([〇○零一二三四五六七八九]{4})\s*年\s*([一二三四五六七八九十]{1,3})\s*月"
    r"\s*([一二三四五六七八九十]{1,3})\s*[日号]"
)

# Dates in URLs, most specific first: (pattern, has month, has day).
_URL_PATTERNS: tuple[tuple[re.Pattern[str], bool, bool], ...] = (
    (re.compile(r"/t((?:19|20)\d\d)(\d\d)(\d\d)_\d"), True, True),  # TRS t20240507_123
    (re.compile(r"/[PW]0((?:19|20)\d\d)(\d\d)(\d\d)\d"), True, True),  # TRS P0…/W0… files
    (re.compile(r"/((?:19|20)\d\d)[-/_](\d{1,2})[-/_](\d{1,2})(?:/|_|\.|$)"), True, True),
    (re.compile(r"/((?:19|20)\d\d)(\d\d)(\d\d)(?:/|\d{2,}[^/]*$)"), True, True),
    (re.compile(r"/((?:19|20)\d\d)(\d\d)/"), True, False),  # /202405/
    (re.compile(r"/((?:19|20)\d\d)[-/_](\d{1,2})/"), True, False),  # /2024-05/, /2024/5/
    (re.compile(r"/((?:19|20)\d\d)/"), False, False),  # /2024/
)
_URL_SCHEME_HOST = re.compile(r"^[a-z][a-z0-9+.-]*://[^/]*", re.I)


@dataclass(frozen=True)
class DateParts:
    """A date as printed: the year may be missing (``05-07``)."""

    year: int | None
    month: int
    day: int
    raw: str

    def on(self, year: int) -> dt.date | None:
        return _safe_date(year, self.month, self.day)


def _safe_date(year: int, month: int, day: int) -> dt.date | None:
    try:
        return dt.date(year, month, day)
    except ValueError:
        return None


def _max_year(as_of: dt.date | None) -> int:
    return (as_of or dt.date.today()).year + 1


def _cn_number(text: str) -> int:
    """一 … 三十一 (months and days written in Chinese numerals)."""
    if "十" not in text:
        return _CN_DIGITS[text[0]] if len(text) == 1 else -1
    tens, _, ones = text.partition("十")
    return (_CN_DIGITS[tens] if tens else 1) * 10 + (_CN_DIGITS[ones] if ones else 0)


def _arabic_cn_dates(text: str) -> str:
    def repl(match: re.Match[str]) -> str:
        year = "".join(str(_CN_DIGITS[c]) for c in match.group(1))
        return f"{year}年{_cn_number(match.group(2))}月{_cn_number(match.group(3))}日"

    return _CN_DATE.sub(repl, text)


def _normalise(text: str) -> str:
    text = text.translate(_FULLWIDTH)
    if "年" in text:
        text = _arabic_cn_dates(text)
    return text


def _may_hold_date(text: str) -> bool:
    return bool(text) and (_HAS_DIGIT.search(text) is not None or "年" in text)


def _parts_of(match: re.Match[str], as_of: dt.date | None) -> DateParts | None:
    groups = match.groupdict()
    raw = match.group(0).strip()
    if groups["y"] or groups["cy"]:
        year = int(groups["y"] or groups["cy"])
        month = int(groups["m"] or groups["cm"])
        day = int(groups["d"] or groups["cd"])
        if not MIN_YEAR <= year <= _max_year(as_of) or _safe_date(year, month, day) is None:
            return None
        return DateParts(year, month, day, raw)
    month = int(groups["pm"] or groups["zm"])
    day = int(groups["pd"] or groups["zd"])
    # 02-29 exists in leap years only; any leap year validates the month/day pair.
    if _safe_date(2000, month, day) is None:
        return None
    return DateParts(None, month, day, raw)


def iter_date_parts(text: str, *, as_of: dt.date | None = None) -> Iterator[DateParts]:
    """Every date in ``text``, in order, with or without a year."""
    if not _may_hold_date(text):
        return
    for match in _DATE.finditer(_normalise(text)):
        parts = _parts_of(match, as_of)
        if parts is not None:
            yield parts


def find_date_parts(text: str, *, as_of: dt.date | None = None) -> DateParts | None:
    """The first date in ``text``, with or without a year."""
    return next(iter_date_parts(text, as_of=as_of), None)


def parse_date(text: str, *, as_of: dt.date | None = None) -> dt.date | None:
    """The year-complete date in a short text such as ``发布时间：2024-05-07 10:20``;
    None when the text holds none (year-less forms need ``find_date`` and a year)."""
    if not _may_hold_date(text):
        return None
    for match in _FULL_ONLY.finditer(_normalise(text)):
        parts = _parts_of(match, as_of)
        if parts is not None and parts.year is not None:
            return parts.on(parts.year)
    return None


def find_date(
    text: str, *, year_hint: int | None = None, as_of: dt.date | None = None
) -> dt.date | None:
    """The first date anywhere in ``text``; a year-less one takes ``year_hint``."""
    parts = find_date_parts(text, as_of=as_of)
    if parts is None:
        return None
    if parts.year is not None:
        return parts.on(parts.year)
    return parts.on(year_hint) if year_hint is not None else None


def year_from_url(
    url: str, *, as_of: dt.date | None = None
) -> tuple[int, int | None, int | None] | None:
    """(year, month, day) that a URL's path encodes, as far as it does; None otherwise."""
    path = _URL_SCHEME_HOST.sub("", url, count=1)
    if not _HAS_DIGIT.search(path):
        return None
    max_year = _max_year(as_of)
    for pattern, has_month, has_day in _URL_PATTERNS:
        for match in pattern.finditer(path):
            year = int(match.group(1))
            if not MIN_YEAR <= year <= max_year:
                continue
            month = int(match.group(2)) if has_month else None
            day = int(match.group(3)) if has_day else None
            if month is not None and _safe_date(year, month, day or 1) is None:
                continue
            return year, month, day
    return None


def date_from_url(url: str, *, as_of: dt.date | None = None) -> dt.date | None:
    """The full date a URL encodes (``t20240507_``, ``/2024/05/07/``), else None."""
    found = year_from_url(url, as_of=as_of)
    if found is None:
        return None
    year, month, day = found
    if month is None or day is None:
        return None
    return _safe_date(year, month, day)


def _nearest_year(parts: DateParts, anchor: dt.date, latest: dt.date | None) -> dt.date | None:
    """The year (around ``anchor``'s) that puts the date closest to ``anchor``,
    never after ``latest``."""
    best: dt.date | None = None
    for year in (anchor.year - 1, anchor.year, anchor.year + 1):
        candidate = parts.on(year)
        if candidate is None or (latest is not None and candidate > latest):
            continue
        if best is None or abs(candidate - anchor) < abs(best - anchor):
            best = candidate
    return best


def _latest_on_or_before(parts: DateParts, latest: dt.date) -> dt.date | None:
    for year in (latest.year, latest.year - 1, latest.year - 4):  # -4: a 02-29
        candidate = parts.on(year)
        if candidate is not None and candidate <= latest:
            return candidate
    return None


def _from_url(
    parts: DateParts, url_ymd: tuple[int, int | None, int | None], latest: dt.date
) -> dt.date | None:
    year, month, day = url_ymd
    if month is None:
        # A folder year ahead of the scan (a server clock gone wrong) is not believed.
        candidate = parts.on(year)
        if candidate is not None and candidate > latest:
            return _latest_on_or_before(parts, latest)
        return candidate
    # The visible date is near the URL's (usually a few days before it): pick the year
    # that keeps them closest, so 12-30 with /202401/ lands in the previous year.
    anchor = _safe_date(year, month, day or 15) or dt.date(year, month, 1)
    return _nearest_year(parts, anchor, latest)


def assign_years(
    parts: Sequence[DateParts | None],
    urls: Sequence[tuple[int, int | None, int | None] | None],
    *,
    as_of: dt.date | None = None,
    year_hint: int | None = None,
) -> list[dt.date | None]:
    """Dates for the items of one list, in list order.

    ``parts[i]`` is item i's printed date and ``urls[i]`` what its URL says
    (``year_from_url``). A printed year wins; else the URL's year; else the nearest
    resolved neighbour (the previous item first: lists run newest first, so 12-30 after
    01-02 is last year's); else ``year_hint``; else the latest year not after ``as_of``.
    Nothing lands after the scan day (plus a small grace).
    """
    latest = (as_of or dt.date.today()) + FUTURE_GRACE
    dates: list[dt.date | None] = [None] * len(parts)
    for i, (p, url_ymd) in enumerate(zip(parts, urls, strict=True)):
        if p is None:
            continue
        if p.year is not None:
            dates[i] = p.on(p.year)
        elif url_ymd is not None:
            dates[i] = _from_url(p, url_ymd, latest)
    # The next item dated so far, for items before the first dated one.
    following: list[dt.date | None] = [None] * len(parts)
    upcoming: dt.date | None = None
    for i in range(len(parts) - 1, -1, -1):
        following[i] = upcoming
        upcoming = dates[i] or upcoming
    previous: dt.date | None = None
    for i, p in enumerate(parts):
        if p is not None and dates[i] is None:
            anchor = previous or following[i]
            if anchor is not None:
                dates[i] = _nearest_year(p, anchor, latest)
            elif year_hint is not None:
                dates[i] = p.on(year_hint)
            else:
                dates[i] = _latest_on_or_before(p, latest)
        previous = dates[i] or previous
    return dates
