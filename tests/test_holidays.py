"""Holiday notices after chinese-calendar's last year (issue #23 part 5): the file format and
its validation, counting with a loaded notice, the weekday-only fallback marked unconfirmed in
findings, the CLI, and the warnings of the dashboard (a real server) and the weekly reports
across the year boundary (time-machine moves the clock)."""

from __future__ import annotations

import datetime as dt
import json
import re
import shutil
from collections.abc import Iterator
from pathlib import Path

import httpx
import pytest
import time_machine
from sqlmodel import Session
from typer.testing import CliRunner

from checks.disclosure import lateness
from dashboard.app import create_app
from dashboard.server import BackgroundServer
from govpatrol.cli.main import app as cli
from govpatrol.core import holidays, workdays
from govpatrol.core.auth import create_user
from govpatrol.core.db import get_engine
from govpatrol.core.holidays import HOLIDAYS_DIR_ENV, HolidayFileError, parse_notice, read_notice
from govpatrol.core.models import Document, Org
from govpatrol.core.workdays import (
    calendar_known,
    is_working_day,
    notice_problems,
    unconfirmed_years,
    uncovered_soon,
    working_days_between,
    year_sources,
)
from reports.messages import finding_message
from reports.org_overview import render_org_overview

D = dt.date
ROOT = Path(__file__).resolve().parents[1]
FIXTURE = Path(__file__).with_name("holiday_fixtures") / "2027-test.toml"
PASSWORD = "correct-horse-9"
runner = CliRunner()


@pytest.fixture(autouse=True)
def fresh_calendar() -> Iterator[None]:
    """Each test reads the folders anew, and leaves no calendar of its own behind."""
    workdays.reload()
    yield
    workdays.reload()


@pytest.fixture
def no_office_dir(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.delenv(HOLIDAYS_DIR_ENV, raising=False)


@pytest.fixture
def office_dir(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> Path:
    folder = tmp_path / "holidays"
    folder.mkdir()
    shutil.copy(FIXTURE, folder / "2027.toml")
    monkeypatch.setenv(HOLIDAYS_DIR_ENV, str(folder))
    return folder


def _valid() -> dict:
    return {
        "year": 2027,
        "source": {"title": "通知", "number": "某〔2026〕1号"},
        "holidays": [{"name": "春节", "start": D(2027, 2, 6), "end": D(2027, 2, 13)}],
        "workdays": [{"date": D(2027, 2, 20), "name": "春节"}],
    }


# -- the file and its validation ------------------------------------------------------------------


def test_the_fixture_file_reads_as_written() -> None:
    notice = read_notice(FIXTURE)
    assert notice.year == 2027 and notice.number == "测试〔2026〕1号"
    assert [h.name for h in notice.holidays] == ["元旦", "春节", "国庆节"]
    assert D(2027, 10, 1) in notice.days_off() and D(2027, 2, 7) in notice.days_off()
    assert len(notice.days_off()) == 3 + 8 + 7
    assert notice.days_worked() == {D(2027, 1, 30), D(2027, 2, 20), D(2027, 10, 9)}


def test_the_example_in_the_configuration_page_is_a_valid_file(tmp_path: Path) -> None:
    text = (ROOT / "docs" / "configuration.md").read_text(encoding="utf-8")
    block = re.search(r"```toml\n(.*?)```", text, re.S)
    assert block
    path = tmp_path / "example.toml"
    path.write_text(block.group(1), encoding="utf-8")
    assert read_notice(path).year == 2027


@pytest.mark.parametrize(
    ("change", "entry", "words"),
    [
        (lambda d: d["holidays"][0].update(end=D(2028, 1, 2)), "holidays[0]（春节）", "不在 2027 年内"),
        (lambda d: d["workdays"][0].update(date=D(2026, 12, 26)), "workdays[0]（2026-12-26）", "不在 2027 年内"),
        (lambda d: d["workdays"][0].update(date=D(2027, 2, 22)), "workdays[0]（2027-02-22）", "星期一"),
        (lambda d: d["workdays"][0].update(date=D(2027, 2, 7)), "workdays[0]（2027-02-07）", "放假与上班重叠"),
        (lambda d: d["holidays"][0].update(end=D(2027, 2, 1)), "holidays[0]（春节）", "早于开始日期"),
        (lambda d: d["holidays"].append({"name": "又一段", "start": D(2027, 2, 13)}),
         "holidays[1]（又一段）", "已在 holidays[0]（春节） 中"),
        (lambda d: d["holidays"][0].update(start="2027-02-31"), "holidays[0]（春节）", "start 应为日期"),
        (lambda d: d["workdays"][0].update(dates=D(2027, 2, 20)), "workdays[0]", "未知的键 dates"),
        (lambda d: d["source"].pop("number"), "source", "文号（number）或网址（url）"),
        (lambda d: d["source"].update(url="javascript:alert(1)"), "source", "url 不是网址"),
        (lambda d: d.update(year="2027"), "year", "year 应为"),
        (lambda d: d.update(holidays=[]), "holidays", "至少要有一个"),
    ],
)  # fmt: skip
def test_a_broken_entry_is_refused_naming_the_file_and_the_entry(change, entry, words) -> None:
    data = _valid()
    parse_notice(data, "2027.toml")  # the unbroken one passes
    change(data)
    with pytest.raises(HolidayFileError) as caught:
        parse_notice(data, "2027.toml")
    message = str(caught.value)
    assert message.startswith(f"2027.toml: {entry}: "), message
    assert words in message, message


def test_a_file_that_is_no_toml_names_the_file(tmp_path: Path) -> None:
    path = tmp_path / "bad.toml"
    path.write_text("year = 2027\n[source\n", encoding="utf-8")
    with pytest.raises(HolidayFileError, match=re.escape(str(path)) + ": TOML 格式错误"):
        read_notice(path)


# -- counting with a loaded notice ----------------------------------------------------------------


def test_without_a_source_2027_is_weekday_only_and_says_so(no_office_dir: None) -> None:
    assert not calendar_known(2027)
    # Fri 5 Feb → Mon 15 Feb 2027: 6 weekdays, unconfirmed
    assert working_days_between(D(2027, 2, 5), D(2027, 2, 15)) == (6, True)
    assert unconfirmed_years(D(2026, 12, 1), D(2027, 2, 15)) == [2027]
    assert unconfirmed_years(D(2026, 1, 1), D(2026, 12, 31)) == []


def test_a_loaded_notice_counts_its_holidays_and_makeup_days(office_dir: Path) -> None:
    assert calendar_known(2027) and not calendar_known(2028)
    # the Spring Festival week of the fixture is off: Fri 5 Feb → Mon 15 Feb is 1 working day
    assert working_days_between(D(2027, 2, 5), D(2027, 2, 15)) == (1, False)
    assert is_working_day(D(2027, 2, 20)) == (True, False)  # a make-up Saturday
    assert is_working_day(D(2027, 2, 8)) == (False, False)  # a Monday off
    # across the boundary into the year after: confirmed 2026 and 2027, weekday-only 2028
    count, fallback = working_days_between(D(2026, 12, 30), D(2028, 1, 4))
    assert fallback is True and unconfirmed_years(D(2026, 12, 30), D(2028, 1, 4)) == [2028]
    reference = sum(
        is_working_day(D(2026, 12, 30) + dt.timedelta(days=i))[0] for i in range(1, 371)
    )
    assert count == reference
    years = {s.year: s for s in year_sources()}
    assert years[2026].kind == "chinese_calendar" and years[2027].kind == "notice_file"
    assert years[2027].path == office_dir / "2027.toml"


def test_a_broken_file_in_the_folder_is_not_used_and_is_reported(office_dir: Path) -> None:
    (office_dir / "2028.toml").write_text(
        FIXTURE.read_text(encoding="utf-8")
        .replace("2027", "2028")
        .replace("2028-10-09", "2028-10-10"),
        encoding="utf-8",
    )  # 10 October 2028 is a Tuesday: no make-up day
    workdays.reload()
    assert calendar_known(2027) and not calendar_known(2028)
    [problem] = notice_problems()
    assert "2028.toml: workdays[2]（2028-10-10）" in problem and "星期二" in problem


def test_two_files_for_one_year_are_both_refused(office_dir: Path) -> None:
    shutil.copy(FIXTURE, office_dir / "2027-copy.toml")
    workdays.reload()
    assert not calendar_known(2027)
    assert any("2027" in p and "均未采用" in p for p in notice_problems())


def test_an_office_file_replaces_the_library_for_its_year(office_dir: Path) -> None:
    (office_dir / "2026.toml").write_text(
        'year = 2026\n[source]\ntitle = "更正"\nnumber = "测试〔2025〕9号"\n'
        '[[holidays]]\nname = "春节"\nstart = 2026-02-06\nend = 2026-02-08\n',
        encoding="utf-8",
    )
    workdays.reload()
    assert notice_problems() == ()
    assert next(s for s in year_sources() if s.year == 2026).kind == "notice_file"
    # 6 February 2026 is a working Friday for chinese-calendar; this file has it off, and the
    # library's days of 2026 are gone with it (its 1 January holiday is not in the file)
    assert is_working_day(D(2026, 2, 6)) == (False, False)
    assert is_working_day(D(2026, 1, 1)) == (True, False)


def test_a_running_process_sees_a_file_added_later(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    folder = tmp_path / "later"
    folder.mkdir()
    monkeypatch.setenv(HOLIDAYS_DIR_ENV, str(folder))
    assert not calendar_known(2027)
    shutil.copy(FIXTURE, folder / "2027.toml")  # the notice arrives in November
    monkeypatch.setattr(workdays, "RECHECK_S", 0.0)  # the next look at the folder is now
    assert calendar_known(2027)


def test_a_packaged_file_is_used_and_the_office_file_wins(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    packaged = tmp_path / "packaged"
    packaged.mkdir()
    text = FIXTURE.read_text(encoding="utf-8")
    (packaged / "2027.toml").write_text(text.replace("测试〔2026〕1号", "包内〔2026〕2号"), "utf-8")
    monkeypatch.setattr(holidays, "PACKAGED_DIR", packaged)
    monkeypatch.delenv(HOLIDAYS_DIR_ENV, raising=False)
    workdays.reload()
    assert next(s for s in year_sources() if s.year == 2027).text.endswith("包内〔2026〕2号")
    office = tmp_path / "office"
    office.mkdir()
    shutil.copy(FIXTURE, office / "2027.toml")
    monkeypatch.setenv(HOLIDAYS_DIR_ENV, str(office))
    assert next(s for s in year_sources() if s.year == 2027).path == office / "2027.toml"


# -- findings ------------------------------------------------------------------------------------


def _doc(written: dt.date, published: dt.date) -> Document:
    return Document(
        scan_id=1, url="https://www.example.gov.cn/a.html", title="某办法",
        written_date=written, published_date=published, extra={"published_source": "label"},
    )  # fmt: skip


def test_a_late_verdict_on_a_weekday_only_count_needs_review(no_office_dir: None) -> None:
    evidence = lateness(_doc(D(2027, 1, 4), D(2027, 2, 15)), 20)
    assert evidence is not None
    assert evidence["needs_review"] is True and evidence["fallback_years"] == [2027]
    assert evidence["calendar"] == "mon_fri_fallback"
    english = "".join(s for s, _ in finding_message("late_disclosure", evidence, "", "en"))
    assert "Monday to Friday only, unconfirmed; needs review" in english
    assert "normative" not in english  # the calendar's review, not the classifier's


def test_a_weekday_only_count_late_beyond_any_notice_is_a_verdict(no_office_dir: None) -> None:
    # 4 Jan → 30 Jun 2027: 129 weekdays; even 25 weekday days off (more than any notice has
    # brought) leave it far beyond 20, so no holiday notice could make it on time
    evidence = lateness(_doc(D(2027, 1, 4), D(2027, 6, 30)), 20)
    assert evidence is not None and evidence["fallback_years"] == [2027]
    assert evidence["late_regardless"] is True and "needs_review" not in evidence
    english = "".join(s for s, _ in finding_message("late_disclosure", evidence, "", "en"))
    assert "late even with the most holidays" in english and "needs review" not in english
    # one day inside the bound stays a person's call
    near = lateness(_doc(D(2027, 1, 4), D(2027, 2, 19)), 20)  # 34 weekdays: 34 - 25 <= 20
    assert near is not None and near["needs_review"] is True and near["late_regardless"] is False


def test_with_the_notice_loaded_the_same_dates_are_certain(office_dir: Path) -> None:
    # 4 Jan → 15 Feb 2027: 30 weekdays, less the fixture's Spring Festival week (5), plus
    # its make-up Saturday 30 January
    evidence = lateness(_doc(D(2027, 1, 4), D(2027, 2, 15)), 20)
    assert evidence is not None and evidence["working_days"] == 26
    assert "needs_review" not in evidence and evidence["fallback_years"] == []
    assert evidence["calendar"] == "chinese_calendar"


# -- warnings across the year boundary ------------------------------------------------------------


def test_the_warning_starts_on_1_november_when_next_year_has_no_source(
    no_office_dir: None,
) -> None:
    assert uncovered_soon(D(2026, 10, 31)) == []
    assert uncovered_soon(D(2026, 11, 1)) == [2027]
    assert uncovered_soon(D(2027, 1, 1)) == [2027]  # and on, all year, once it has begun
    assert uncovered_soon(D(2027, 11, 1)) == [2027, 2028]


def test_no_warning_once_the_notice_is_loaded(office_dir: Path) -> None:
    assert uncovered_soon(D(2026, 11, 1)) == []
    assert uncovered_soon(D(2027, 11, 1)) == [2028]


def test_the_weekly_overview_header_warns(tmp_path: Path, no_office_dir: None) -> None:
    engine = get_engine(f"sqlite:///{tmp_path / 'govpatrol.db'}")
    with Session(engine) as session:
        org = Org(name="某市政府办公室")
        session.add(org)
        session.commit()
        assert org.id is not None
        october = render_org_overview(session, org.id, as_of=D(2026, 10, 31))
        november = render_org_overview(session, org.id, as_of=D(2026, 11, 2))
        english = render_org_overview(session, org.id, "en", as_of=D(2026, 11, 2))
    assert 'id="calendar-warning"' not in october
    header = november.split("</header>")[0]
    assert 'id="calendar-warning"' in header and "2027 年尚无国务院节假日安排" in header
    assert "No State Council holiday arrangement for 2027" in english.split("</header>")[0]


def _sign_in(client: httpx.Client) -> None:
    page = client.get("/login").text
    token = re.search(r'name="csrf_token" value="([^"]+)"', page)
    assert token
    answer = client.post(
        "/login", data={"username": "wm", "password": PASSWORD, "csrf_token": token.group(1)}
    )
    assert answer.status_code == 303


@pytest.mark.parametrize(
    ("moment", "loaded", "warned"),
    [
        ("2026-10-31T12:00:00+08:00", False, False),
        ("2026-11-01T00:10:00+08:00", False, True),  # Beijing's 1 November, still 31 Oct in UTC
        ("2026-11-01T00:10:00+08:00", True, False),
    ],
)
def test_the_dashboard_warns_from_1_november(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch, moment: str, loaded: bool, warned: bool
) -> None:
    monkeypatch.setenv("GOVPATROL_TIMEZONE", "Asia/Shanghai")
    if loaded:
        folder = tmp_path / "holidays"
        folder.mkdir()
        shutil.copy(FIXTURE, folder / "2027.toml")
        monkeypatch.setenv(HOLIDAYS_DIR_ENV, str(folder))
    else:
        monkeypatch.delenv(HOLIDAYS_DIR_ENV, raising=False)
    db_url = f"sqlite:///{tmp_path / 'govpatrol.db'}"
    with Session(get_engine(db_url)) as session:
        create_user(session, "wm", PASSWORD, "admin")
    app = create_app(db_url, secret_key="k" * 48, dispatch=lambda scan_id: None)
    with (
        time_machine.travel(dt.datetime.fromisoformat(moment), tick=True),
        BackgroundServer(app) as server,
        httpx.Client(base_url=server.url, timeout=30) as client,
    ):
        _sign_in(client)
        sites = client.get("/sites").text
        calendar = client.get("/holidays", params={"lang": "en"}).text
    assert ('id="calendar-warning"' in sites) is warned
    if warned:
        assert "2027 年尚无国务院节假日安排" in sites
    rows = dict(re.findall(r'<tr data-year="(\d+)" data-kind="(\w+)">', calendar))
    assert rows["2026"] == "chinese_calendar"
    assert rows.get("2027") == ("notice_file" if loaded else None)
    if loaded:
        # the file's URL and title come from an office's file: shown as text, escaped
        assert 'href="https://example.invalid/notice?a=1&amp;b=&lt;2&gt;"' in calendar
        assert "<2>" not in calendar
        assert "测试用 2027 年节假日安排" in calendar


# -- the command line ----------------------------------------------------------------------------


def test_holidays_check_accepts_the_fixture_and_refuses_a_broken_file(tmp_path: Path) -> None:
    good = runner.invoke(cli, ["holidays", "check", str(FIXTURE)])
    assert good.exit_code == 0 and "2027" in good.output and "格式正确" in good.output
    bad = tmp_path / "2027.toml"
    bad.write_text(FIXTURE.read_text(encoding="utf-8").replace("2027-01-30", "2027-01-29"), "utf-8")
    refused = runner.invoke(cli, ["holidays", "check", str(bad)])
    assert refused.exit_code != 0
    assert "workdays[0]（2027-01-29）" in refused.output and "星期五" in refused.output


def test_holidays_list_shows_each_year_and_its_source(office_dir: Path) -> None:
    shown = runner.invoke(cli, ["holidays", "list", "--json"])
    assert shown.exit_code == 0, shown.output
    listed = json.loads(shown.output)
    years = {row["year"]: row for row in listed["years"]}
    assert years[2004]["kind"] == "chinese_calendar" and years[2026]["kind"] == "chinese_calendar"
    assert years[2027]["kind"] == "notice_file" and years[2027]["path"].endswith("2027.toml")
    assert 2028 not in years and listed["problems"] == []
