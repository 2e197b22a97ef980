"""extract.dates: every printed form, the traps that are not dates, and missing years."""

from __future__ import annotations

import datetime as dt

import pytest
from hypothesis import given
from hypothesis import strategies as st

import extract.dates as dates
from extract.dates import (
    DateParts,
    assign_years,
    date_from_url,
    find_date,
    find_date_parts,
    parse_date,
    year_from_url,
)
from tests.spies import count_calls

AS_OF = dt.date(2024, 6, 30)
D = dt.date


@pytest.mark.parametrize(
    ("text", "expected"),
    [
        ("2024-05-07", D(2024, 5, 7)),
        ("2024/5/7", D(2024, 5, 7)),
        ("2024.05.07", D(2024, 5, 7)),
        ("2024年5月7日", D(2024, 5, 7)),
        ("2024 年 05 月 07 日", D(2024, 5, 7)),
        ("[2024-05-07]", D(2024, 5, 7)),
        ("发布时间：2024-05-07 10:20:30", D(2024, 5, 7)),
        ("发表于：2017/10/19", D(2017, 10, 19)),
        ("日期:2024-5-7", D(2024, 5, 7)),
        ("２０２４－０５－０７", D(2024, 5, 7)),  # full-width digits
        ("二〇二四年五月七日", D(2024, 5, 7)),  # signature dates of documents
        ("二零二三年十二月二十一日", D(2023, 12, 21)),
        ("2024年2月29日", D(2024, 2, 29)),
        ("2024-05-07T08:00:00+08:00", D(2024, 5, 7)),
    ],
)
def test_parse_date_reads_every_form_with_a_year(text: str, expected: dt.date) -> None:
    assert parse_date(text, as_of=AS_OF) == expected
    assert find_date(text, as_of=AS_OF) == expected


@pytest.mark.parametrize(
    ("text", "month", "day"),
    [("[05-07]", 5, 7), ("05.07", 5, 7), ("10-19", 10, 19), ("5月7日", 5, 7), ("12月1号", 12, 1)],
)
def test_year_less_forms_need_a_year(text: str, month: int, day: int) -> None:
    assert parse_date(text) is None
    assert find_date(text) is None
    assert find_date_parts(text) == DateParts(None, month, day, text.strip("[]"))
    assert find_date(text, year_hint=2023) == D(2023, month, day)


@pytest.mark.parametrize(
    "text",
    [
        "2024-02-30",  # impossible
        "2023年2月29日",  # not a leap year
        "2024-13-01",
        "1985-01-01",  # before 1990
        "2026-01-01",  # after as_of + 1 year
        "电话：0795-5210210",  # phone numbers
        "联系电话 010-12345678",
        "赣府发〔2023〕5号",  # 文号
        "〔2023〕12号",
        "（2025-2029年）",  # a year range
        "V2.1.3 版本",  # version numbers
        "1.2.10",
        "12.50元",  # amounts
        "增长10.12亿元",
        "增长 10.15%",
        "2024年5月",  # no day
        "10:20",
        "20240507",  # ids, not dates
        "02-30",
    ],
)
def test_things_that_are_not_dates(text: str) -> None:
    assert find_date(text, year_hint=2024, as_of=AS_OF) is None


def test_a_rejected_candidate_does_not_hide_a_real_date_after_it() -> None:
    assert find_date("电话 0795-5210210 发布于 2024-05-07", as_of=AS_OF) == D(2024, 5, 7)
    assert find_date("2024-02-30 更正为 2024-03-01", as_of=AS_OF) == D(2024, 3, 1)


def test_the_first_date_wins() -> None:
    assert find_date("成文日期：2024-01-02 发布日期：2024-01-05") == D(2024, 1, 2)


@pytest.mark.parametrize(
    ("url", "expected"),
    [
        ("http://a.invalid/zwgk/202405/t20240507_123.html", (2024, 5, 7)),
        ("http://a.invalid/xxgk/202405/P020240507123456789.pdf", (2024, 5, 7)),
        ("http://a.invalid/2024/05/07/x.html", (2024, 5, 7)),
        ("http://a.invalid/art/2024/6/18/art_59960_1.html", (2024, 6, 18)),
        ("http://a.invalid/art/2026/9/18/art_59960_1.html", None),  # after as_of + 1
        ("http://a.invalid/system/2017/10/19/016478629.shtml", (2017, 10, 19)),
        ("http://a.invalid/2018-06/22/content_5300522.htm", (2018, 6, 22)),
        ("http://a.invalid/news/20240507/1.html", (2024, 5, 7)),
        ("http://a.invalid/x/202405/abc.html", (2024, 5, None)),
        ("http://a.invalid/x/2024-05/abc.html", (2024, 5, None)),
        ("http://a.invalid/x/2024/", (2024, None, None)),
        ("http://a.invalid/202402/t20240230_1.html", (2024, 2, None)),  # bad day: month only
        ("http://a.invalid/col/col59960/index.html", None),
        ("http://a.invalid/Item/24067.aspx", None),
        ("http://2024.a.invalid/x.html", None),  # the host is not the path
        ("http://a.invalid/News.shtml?p5=20240507", None),
    ],
)
def test_year_from_url(url: str, expected: tuple | None) -> None:
    assert year_from_url(url, as_of=AS_OF) == expected
    full = expected is not None and None not in expected
    assert date_from_url(url, as_of=AS_OF) == (D(*expected) if full else None)


def _parts(*texts: str) -> list[DateParts | None]:
    return [find_date_parts(t) for t in texts]


def test_year_less_list_spanning_new_year_without_urls() -> None:
    parts = _parts("01-05", "01-02", "12-30", "12-28", "11-01")
    dates = assign_years(parts, [None] * 5, as_of=D(2024, 1, 10))
    assert dates == [D(2024, 1, 5), D(2024, 1, 2), D(2023, 12, 30), D(2023, 12, 28), D(2023, 11, 1)]


def test_url_year_beats_neighbours_and_visible_date_keeps_its_day() -> None:
    # 12-30 under /202401/ is the previous December; 10-14 under t20171015 stays 10-14.
    dates = assign_years(
        _parts("12-30", "10-14"), [(2024, 1, 2), (2017, 10, 15)], as_of=D(2024, 3, 1)
    )
    assert dates == [D(2023, 12, 30), D(2017, 10, 14)]


def test_no_year_less_date_lands_after_the_scan_day() -> None:
    # An off-site item (no URL year) next to last October's item: 11-09 is last year's.
    dates = assign_years(_parts("11.09", "10.12"), [None, (2017, 10, 12)], as_of=D(2017, 10, 31))
    assert dates == [D(2016, 11, 9), D(2017, 10, 12)]
    alone = assign_years(_parts("12-25"), [None], as_of=D(2024, 1, 3))
    assert alone == [D(2023, 12, 25)]


def test_year_hint_and_undated_rows() -> None:
    dates = assign_years(_parts("03-01", "no date here"), [None, None], year_hint=2019)
    assert dates == [D(2019, 3, 1), None]


def test_printed_year_wins_over_url() -> None:
    assert assign_years(_parts("2017-01-07"), [(2018, 2, 5)]) == [D(2017, 1, 7)]


FORMATS = ("{y}-{m:02d}-{d:02d}", "{y}/{m}/{d}", "{y}.{m:02d}.{d:02d}", "{y}年{m}月{d}日")


@given(
    day=st.dates(min_value=D(1990, 1, 1), max_value=D(2025, 12, 31)),
    fmt=st.sampled_from(FORMATS),
    prefix=st.sampled_from(["", "发布时间：", "[", "（", " "]),
)
def test_property_every_format_round_trips(day: dt.date, fmt: str, prefix: str) -> None:
    text = prefix + fmt.format(y=day.year, m=day.month, d=day.day)
    assert parse_date(text, as_of=AS_OF) == day


@given(st.text(alphabet="0123456789-./年月日 :〔〕号电话", max_size=30))
def test_property_never_raises_and_stays_in_the_window(text: str) -> None:
    found = find_date(text, year_hint=2020, as_of=AS_OF)
    assert found is None or D(1990, 1, 1) <= found <= D(2025, 12, 31)


def test_a_call_skips_dateless_text_and_stops_at_the_first_date(
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    """Runs on every list item of 20,000-page sites (bench/checks.py times it): a text with
    no digit and no 年 is turned away before it is normalised, the Chinese-numeral pass runs
    only on texts with 年, and the one combined pattern stops at the first valid date
    instead of validating every date the text holds."""
    calls = count_calls(monkeypatch, dates, "_normalise", "_arabic_cn_dates", "_parts_of")
    assert find_date_parts("没有日期的较长标题文本内容") is None
    assert calls == {}
    assert find_date_parts("2017-10-13") == DateParts(2017, 10, 13, "2017-10-13")
    assert find_date_parts("[10-13]") == DateParts(None, 10, 13, "10-13")
    assert calls == {"_normalise": 2, "_parts_of": 2}
    calls.clear()
    assert find_date_parts("发布时间：2024年5月7日") == DateParts(2024, 5, 7, "2024年5月7日")
    assert calls == {"_normalise": 1, "_arabic_cn_dates": 1, "_parts_of": 1}
    calls.clear()
    several = "2024-05-07 至 2024-05-09，2024-06-01 截止"
    assert find_date_parts(several) == DateParts(2024, 5, 7, "2024-05-07")
    assert calls == {"_normalise": 1, "_parts_of": 1}
