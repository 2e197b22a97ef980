"""The State Council's holiday notice for a year (国务院办公厅关于某年部分节假日安排的通知) as a
small data file, validated before a working-day count may rely on it.

chinese-calendar carries the official holidays only up to a fixed year (2026 in 1.11.0); the
notice for the next year usually appears in November, long before a release of the library
may. An office types the notice into one TOML file per year (docs/configuration.md, "Holiday
notices"):

    year = 2027

    [source]                                  # the notice itself
    title = "国务院办公厅关于2027年部分节假日安排的通知"
    number = "国办发明电〔2026〕N号"            # 文号; number or url (or both) is required
    url = "https://www.gov.cn/..."

    [[holidays]]                              # each 放假 range, weekends inside it included
    name = "元旦"
    start = 2027-01-01
    end = 2027-01-03                          # omitted: a single day

    [[workdays]]                              # each 调休上班 day: always a Saturday or Sunday
    date = 2027-02-20
    name = "春节"                              # optional: the holiday it makes up for

Every day listed belongs to ``year``: a notice that also moves a day of the year before (a
31 December, a make-up Saturday in late December) goes into that year's file. A file that
breaks a rule is refused as a whole with its path and the entry, so a typo can never make a
holiday silently count as a working day. Files are read from the package's ``holiday_data``
folder and from ``GOVPATROL_HOLIDAYS_DIR``; the office's file wins for a year both hold.
"""

from __future__ import annotations

import datetime as dt
import tomllib
from collections.abc import Iterable
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any
from urllib.parse import urlsplit

PACKAGED_DIR = Path(__file__).with_name("holiday_data")
HOLIDAYS_DIR_ENV = "GOVPATROL_HOLIDAYS_DIR"
SUFFIX = ".toml"
# The years a notice can plausibly be for: the 1949 holiday rules onward, with room ahead.
FIRST_YEAR, LAST_YEAR = 1949, 2200
_ONE_DAY = dt.timedelta(days=1)
_KEYS = {"year", "source", "holidays", "workdays"}
_SOURCE_KEYS = {"title", "number", "url", "published"}
_HOLIDAY_KEYS = {"name", "start", "end"}
_WORKDAY_KEYS = {"date", "name"}


class HolidayFileError(ValueError):
    """A holiday notice file that cannot be used; the message names the file and the entry."""


@dataclass(frozen=True)
class Holiday:
    """One 放假 range of a notice, both ends included."""

    name: str
    start: dt.date
    end: dt.date

    def days(self) -> Iterable[dt.date]:
        day = self.start
        while day <= self.end:
            yield day
            day += _ONE_DAY


@dataclass(frozen=True)
class Workday:
    """One 调休上班 day: a Saturday or Sunday worked."""

    date: dt.date
    name: str | None = None


@dataclass(frozen=True)
class HolidayNotice:
    """The official holidays and make-up working days of one year, and where they come from."""

    year: int
    title: str
    number: str | None
    url: str | None
    published: dt.date | None
    holidays: tuple[Holiday, ...]
    workdays: tuple[Workday, ...]
    path: Path | None = None

    def days_off(self) -> frozenset[dt.date]:
        return frozenset(day for h in self.holidays for day in h.days())

    def days_worked(self) -> frozenset[dt.date]:
        return frozenset(w.date for w in self.workdays)

    def source_text(self) -> str:
        """The notice as a person cites it: title, 文号."""
        return "，".join(part for part in (self.title, self.number) if part)


@dataclass
class LoadedNotices:
    """The usable notice of each year, and every problem met while reading the folders."""

    notices: dict[int, HolidayNotice] = field(default_factory=dict)
    problems: list[str] = field(default_factory=list)


def _where(path: Path | str, entry: str) -> str:
    return f"{path}: {entry}" if entry else str(path)


def _fail(path: Path | str, entry: str, zh: str, en: str) -> HolidayFileError:
    return HolidayFileError(f"{_where(path, entry)}: {zh} ({en})")


def _date(value: Any, path: Path | str, entry: str, key: str) -> dt.date:
    # tomllib gives a TOML date as dt.date and a date-time as dt.datetime (a subclass).
    if isinstance(value, dt.date) and not isinstance(value, dt.datetime):
        return value
    if isinstance(value, str):
        try:
            return dt.date.fromisoformat(value.strip())
        except ValueError:
            pass
    raise _fail(path, entry, f"{key} 应为日期，如 2027-01-01，而不是 {value!r}",
                f"{key} must be a date like 2027-01-01")  # fmt: skip


def _text(value: Any, path: Path | str, entry: str, key: str, required: bool) -> str | None:
    if value is None and not required:
        return None
    if not isinstance(value, str) or not value.strip():
        raise _fail(path, entry, f"{key} 应为非空文字", f"{key} must be non-empty text")
    return value.strip()


def _unknown_keys(table: dict[str, Any], allowed: set[str], path: Path | str, entry: str) -> None:
    extra = sorted(set(table) - allowed)
    if extra:
        raise _fail(path, entry, f"未知的键 {', '.join(extra)}（可用：{', '.join(sorted(allowed))}）",
                    f"unknown key(s) {', '.join(extra)}")  # fmt: skip


def _tables(value: Any, path: Path | str, key: str) -> list[dict[str, Any]]:
    if value is None:
        return []
    if not isinstance(value, list) or not all(isinstance(v, dict) for v in value):
        raise _fail(
            path, key, f"{key} 应写成 [[{key}]] 表的列表", f"{key} must be [[{key}]] tables"
        )
    return value


def _in_year(day: dt.date, year: int, path: Path | str, entry: str) -> None:
    if day.year != year:
        raise _fail(path, entry, f"日期 {day} 不在 {year} 年内（其他年份的日期写入该年的文件）",
                    f"{day} is outside {year}; it belongs in that year's file")  # fmt: skip


def parse_notice(data: dict[str, Any], path: Path | str = "<data>") -> HolidayNotice:
    """The notice in ``data`` (a parsed TOML document), or HolidayFileError naming the entry."""
    _unknown_keys(data, _KEYS, path, "")
    year = data.get("year")
    if isinstance(year, bool) or not isinstance(year, int) or not FIRST_YEAR <= year <= LAST_YEAR:
        raise _fail(path, "year", f"year 应为 {FIRST_YEAR}–{LAST_YEAR} 之间的年份，而不是 {year!r}",
                    "year must be a year number")  # fmt: skip
    source = data.get("source")
    if not isinstance(source, dict):
        raise _fail(path, "source", "缺少 [source]：通知的标题和文号或网址",
                    "missing [source]: the notice's title and number or URL")  # fmt: skip
    _unknown_keys(source, _SOURCE_KEYS, path, "source")
    title = _text(source.get("title"), path, "source", "title", required=True)
    number = _text(source.get("number"), path, "source", "number", required=False)
    url = _text(source.get("url"), path, "source", "url", required=False)
    if number is None and url is None:
        raise _fail(path, "source", "请写明通知的文号（number）或网址（url）",
                    "give the notice's number or URL")  # fmt: skip
    if url is not None and (
        urlsplit(url).scheme not in ("http", "https") or not urlsplit(url).hostname
    ):
        raise _fail(path, "source", f"url 不是网址：{url!r}", "url is not an http(s) address")
    published = source.get("published")
    published_day = None if published is None else _date(published, path, "source", "published")

    holidays: list[Holiday] = []
    taken: dict[dt.date, str] = {}  # day → the entry that has it
    raw_holidays = _tables(data.get("holidays"), path, "holidays")
    if not raw_holidays:
        raise _fail(path, "holidays", "至少要有一个 [[holidays]] 放假安排",
                    "at least one [[holidays]] entry is required")  # fmt: skip
    for i, raw in enumerate(raw_holidays):
        entry = f"holidays[{i}]"
        _unknown_keys(raw, _HOLIDAY_KEYS, path, entry)
        name = _text(raw.get("name"), path, entry, "name", required=True)
        assert name is not None
        entry = f"holidays[{i}]（{name}）"
        start = _date(raw.get("start"), path, entry, "start")
        end = start if raw.get("end") is None else _date(raw.get("end"), path, entry, "end")
        if end < start:
            raise _fail(path, entry, f"结束日期 {end} 早于开始日期 {start}", "end is before start")
        _in_year(start, year, path, entry)
        _in_year(end, year, path, entry)
        holiday = Holiday(name, start, end)
        for day in holiday.days():
            if day in taken:
                raise _fail(path, entry, f"{day} 已在 {taken[day]} 中", f"{day} is listed twice")
            taken[day] = entry
        holidays.append(holiday)

    workdays: list[Workday] = []
    for i, raw in enumerate(_tables(data.get("workdays"), path, "workdays")):
        entry = f"workdays[{i}]"
        _unknown_keys(raw, _WORKDAY_KEYS, path, entry)
        day = _date(raw.get("date"), path, entry, "date")
        name = _text(raw.get("name"), path, entry, "name", required=False)
        entry = f"workdays[{i}]（{day}）"
        _in_year(day, year, path, entry)
        if day.weekday() < 5:
            raise _fail(path, entry, f"{day} 是星期{'一二三四五'[day.weekday()]}：调休上班日只能是周六或周日",
                        "a make-up working day is always a Saturday or Sunday")  # fmt: skip
        if day in taken:
            raise _fail(path, entry, f"{day} 同时列在 {taken[day]} 中（放假与上班重叠）",
                        f"{day} is also listed in {taken[day]}: a holiday and a working day")  # fmt: skip
        taken[day] = entry
        workdays.append(Workday(day, name))
    return HolidayNotice(year, title or "", number, url, published_day,
                         tuple(holidays), tuple(workdays), Path(path) if path != "<data>" else None)  # fmt: skip


def read_notice(path: Path) -> HolidayNotice:
    """The notice in the file at ``path``, or HolidayFileError naming the file and the entry."""
    try:
        data = tomllib.loads(path.read_text(encoding="utf-8"))
    except OSError as exc:
        raise _fail(path, "", f"无法读取：{exc.strerror or exc}", "cannot be read") from exc
    except UnicodeDecodeError as exc:
        raise _fail(path, "", "不是 UTF-8 文本", "not UTF-8 text") from exc
    except tomllib.TOMLDecodeError as exc:
        raise _fail(path, "", f"TOML 格式错误：{exc}", "not valid TOML") from exc
    return parse_notice(data, path)


def _read_folder(folder: Path, loaded: LoadedNotices, label: str) -> dict[int, HolidayNotice]:
    """The usable notices of one folder; two files for one year are both refused."""
    if not folder.is_dir():
        loaded.problems.append(f"{label}={folder}: 目录不存在 (no such directory)")
        return {}
    found: dict[int, list[HolidayNotice]] = {}
    for path in sorted(folder.glob(f"*{SUFFIX}")):
        try:
            notice = read_notice(path)
        except HolidayFileError as exc:
            loaded.problems.append(str(exc))
            continue
        found.setdefault(notice.year, []).append(notice)
    usable = {}
    for year, notices in found.items():
        if len(notices) > 1:
            paths = "、".join(str(n.path) for n in notices)
            loaded.problems.append(f"{paths}: 同一目录中有多个 {year} 年的文件，均未采用 "
                                   f"(more than one file for {year}: none is used)")  # fmt: skip
            continue
        usable[year] = notices[0]
    return usable


def load_notices(office_dir: Path | None) -> LoadedNotices:
    """The notices shipped in the package, overlaid by the office's folder (``office_dir``)."""
    loaded = LoadedNotices()
    if PACKAGED_DIR.is_dir():
        loaded.notices.update(_read_folder(PACKAGED_DIR, loaded, "holiday_data"))
    if office_dir is not None:
        loaded.notices.update(_read_folder(office_dir, loaded, HOLIDAYS_DIR_ENV))
    return loaded


def folder_signature(office_dir: Path | None) -> tuple[tuple[str, int, int], ...]:
    """What changes when a notice file is added, edited or removed (names, sizes, mtimes)."""
    out = []
    for folder in (PACKAGED_DIR, office_dir):
        if folder is None or not folder.is_dir():
            continue
        for path in sorted(folder.glob(f"*{SUFFIX}")):
            try:
                stat = path.stat()
            except OSError:
                continue
            out.append((str(path), stat.st_size, stat.st_mtime_ns))
    return tuple(out)
