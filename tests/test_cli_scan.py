"""``govpatrol scan`` as a CI job and a person in China use it, run as the real command in a
child process on a machine whose time zone is UTC: the day it judges, the times it shows,
``--version``, ``--json -``, ``--fail-on`` exit codes, the checks it shares with the dashboard,
and an ad-hoc scan that stays off the weekly schedule."""

from __future__ import annotations

import json
import os
import subprocess
import sys
from collections.abc import Iterator
from pathlib import Path

import pytest
from sqlmodel import Session, select

from govpatrol import __version__
from govpatrol.cli.outcome import EXIT_CONDITION, EXIT_INCOMPLETE, EXIT_NOT_STARTED, EXIT_OK
from govpatrol.core.db import get_engine
from govpatrol.core.models import Scan, Site
from reports.export import export_json
from scheduler.jobs import desired_jobs
from tests.findings_schema import assert_valid_export
from tests.loopback import LoopbackServer, Request, page, serve

HOME = """<html><head><title>某县人民政府</title></head><body>
<a href="/news/a.html">新闻</a> <a href="/gone.html">已删除的通知</a></body></html>"""
CLEAN_HOME = """<html><head><title>某县民政局</title></head><body>
<a href="/news/a.html">新闻</a></body></html>"""
ARTICLE = "<html><head><title>新闻</title></head><body><p>正文</p></body></html>"
# 00:10 on 23 November in Beijing is still 22 November in UTC
BEIJING_00_10 = "2026-11-22T16:10:00+00:00"
FAST = ["--no-browser", "--only", "links", "--set", "link_timeout_s=3"]


def govpatrol(
    *args: str, cwd: Path, clock: str | None = None, env: dict[str, str] | None = None
) -> subprocess.CompletedProcess[str]:
    """The ``govpatrol`` command in a child process whose zone is UTC. ``clock`` sets the
    child's wall clock (time-machine, ticking on from there)."""
    code = "from govpatrol.cli.main import main; main()"
    if clock:
        code = f"import time_machine; time_machine.travel({clock!r}, tick=True).start(); {code}"
    return subprocess.run(
        [sys.executable, "-c", code, *args],
        cwd=cwd,
        env={**os.environ, "TZ": "UTC", "COLUMNS": "200", **(env or {})},
        capture_output=True,
        text=True,
        timeout=300,
    )


@pytest.fixture
def site() -> Iterator[LoopbackServer]:
    """A county site with one broken link."""
    with serve({"/": page(HOME), "/news/a.html": page(ARTICLE)}) as server:
        yield server


@pytest.fixture
def clean_site() -> Iterator[LoopbackServer]:
    with serve({"/": page(CLEAN_HOME), "/news/a.html": page(ARTICLE)}) as server:
        yield server


def stored_scans(db_url: str) -> list[Scan]:
    with Session(get_engine(db_url)) as session:
        return list(session.exec(select(Scan).order_by(Scan.id)))


def test_a_scan_just_after_midnight_in_beijing_judges_that_beijing_day(
    db_url: str, site: LoopbackServer, tmp_path: Path
) -> None:
    done = govpatrol("scan", site.base_url, *FAST, "--json", "-", cwd=tmp_path, clock=BEIJING_00_10)
    assert done.returncode == EXIT_OK, done.stderr
    export = assert_valid_export(json.loads(done.stdout))
    # the server's date is 2026-11-22; the office's is the 23rd
    assert export["scan"]["as_of"] == "2026-11-23"
    assert stored_scans(db_url)[-1].as_of.isoformat() == "2026-11-23"
    # and the times shown are Beijing's wall clock
    assert export["scan"]["started_at"].startswith("2026-11-23T00:1")
    assert export["scan"]["started_at"].endswith("+08:00")

    out = tmp_path / "report.html"
    report = govpatrol("report", site.base_url, "--out", str(out), cwd=tmp_path)
    assert report.returncode == 0, report.stderr
    html = out.read_text("utf-8")
    assert "2026年11月23日" in html and "2026年11月22日" not in html
    assert "2026-11-23 00:1" in html  # the scan's start, in Beijing time


def test_the_office_time_zone_is_a_setting(
    db_url: str, site: LoopbackServer, tmp_path: Path
) -> None:
    # 16:10 UTC is still the 22nd in Urumqi (UTC+6), the 23rd in Beijing
    done = govpatrol(
        "scan",
        site.base_url,
        *FAST,
        "--json",
        "-",
        cwd=tmp_path,
        clock=BEIJING_00_10,
        env={"GOVPATROL_TIMEZONE": "Asia/Urumqi"},
    )
    assert done.returncode == EXIT_OK, done.stderr
    scan = assert_valid_export(json.loads(done.stdout))["scan"]
    assert scan["as_of"] == "2026-11-22" and scan["started_at"].endswith("+06:00")

    wrong = govpatrol(
        "scan", site.base_url, *FAST, cwd=tmp_path, env={"GOVPATROL_TIMEZONE": "Beijing/Moon"}
    )
    assert wrong.returncode != 0 and "GOVPATROL_TIMEZONE" in wrong.stderr
    assert "Traceback" not in wrong.stderr


def test_version(tmp_path: Path) -> None:
    done = govpatrol("--version", cwd=tmp_path)
    assert done.returncode == 0
    assert done.stdout.strip() == f"govpatrol {__version__}"


def test_json_to_stdout_is_the_export_and_nothing_else(
    db_url: str, site: LoopbackServer, tmp_path: Path
) -> None:
    done = govpatrol("scan", site.base_url, *FAST, "--json", "-", cwd=tmp_path)
    assert done.returncode == EXIT_OK, done.stderr
    printed = json.loads(done.stdout)  # the whole of stdout is one JSON document
    assert_valid_export(printed)
    (scan,) = stored_scans(db_url)
    with Session(get_engine(db_url)) as session:
        assert printed == json.loads(json.dumps(export_json(session, scan.id), default=str))
    assert printed["format"] == "govpatrol.findings/1"
    assert [f["target"] for f in printed["findings"]] == [site.base_url + "gone.html"]
    # the progress and the summary went to stderr; no file called "-" was written
    assert "结论" in done.stderr and not (tmp_path / "-").exists()


@pytest.mark.parametrize(
    ("condition", "broken_link_site", "expected"),
    [
        ("finding", True, EXIT_CONDITION),
        ("finding", False, EXIT_OK),
        ("veto", True, EXIT_OK),  # a broken link deducts points, it vetoes nothing
        ("fail", True, EXIT_OK),
    ],
)
def test_fail_on_exit_codes(
    db_url: str,
    site: LoopbackServer,
    clean_site: LoopbackServer,
    tmp_path: Path,
    condition: str,
    broken_link_site: bool,
    expected: int,
) -> None:
    url = (site if broken_link_site else clean_site).base_url
    done = govpatrol("scan", url, *FAST, "--fail-on", condition, cwd=tmp_path)
    assert done.returncode == expected, done.stderr
    if expected == EXIT_CONDITION:
        assert f"--fail-on {condition}" in done.stderr


def test_fail_on_a_veto_and_a_failing_verdict(db_url: str, tmp_path: Path) -> None:
    """No home page update for a year: the 首页更新 single veto, and so a failing verdict."""
    home = (
        "<html><head><title>某县水利局</title></head><body><ul class='news'>"
        "<li><a href='/n.html'>通知</a><span>2025-01-05</span></li></ul></body></html>"
    )
    with serve({"/": page(home), "/n.html": page(ARTICLE)}) as server:
        args = ["scan", server.base_url, "--no-browser", "--only", "freshness"]
        args += ["--as-of", "2026-11-22"]
        veto = govpatrol(*args, "--fail-on", "veto", cwd=tmp_path)
        failing = govpatrol(*args, "--fail-on", "fail", cwd=tmp_path)
    assert veto.returncode == EXIT_CONDITION, veto.stderr + veto.stdout
    assert failing.returncode == EXIT_CONDITION, failing.stderr
    assert stored_scans(db_url)[-1].score["vetoes"]


def test_a_scan_that_cannot_run_has_its_own_exit_codes(db_url: str, tmp_path: Path) -> None:
    answered: list[str] = []

    def home_then_broken(request: Request) -> None:
        """The home page answers the pre-flight check, then the server breaks."""
        answered.append(request.path)
        status = 200 if len(answered) == 1 else 500
        request.html(HOME, status=status)

    with serve({"/": home_then_broken}) as server:
        broke = govpatrol("scan", server.base_url, *FAST, "--fail-on", "finding", cwd=tmp_path)
    assert broke.returncode == EXIT_INCOMPLETE, broke.stderr
    assert stored_scans(db_url)[-1].status == "failed"

    with serve({}) as nothing:  # every page 404: the scan never starts
        refused = govpatrol("scan", nothing.base_url, *FAST, "--fail-on", "finding", cwd=tmp_path)
    assert refused.returncode == EXIT_NOT_STARTED and "HTTP 404" in refused.stderr
    assert {EXIT_OK, EXIT_INCOMPLETE, EXIT_NOT_STARTED, EXIT_CONDITION} == {0, 1, 2, 3}


@pytest.mark.parametrize(
    ("args", "message"),
    [
        (["sites", "add", "URL", "--name", "某县", "--cron", "every sunday"], "5 个字段"),
        (["sites", "add", "URL", "--name", "某县", "--cron", "61 2 * * mon"], "61"),
        (["scan", "URL", "--set", "max_pages=abc"], "max_pages 需要整数"),
        (["scan", "URL", "--set", "max_pages=2.5"], "max_pages 需要整数"),
        (["scan", "URL", "--set", "link_timeout_s=nan"], "link_timeout_s 需要数值"),
    ],
)
def test_the_cli_refuses_what_the_dashboard_refuses(
    db_url: str, site: LoopbackServer, args: list[str], message: str
) -> None:
    """In this process (typer's runner): the refusal is argument checking, which needs
    neither the child's zone nor its clock, and a child process per case cost the suite an
    interpreter start each."""
    from typer.testing import CliRunner

    from govpatrol.cli.main import app

    args = [site.base_url if a == "URL" else a for a in args]
    done = CliRunner().invoke(app, args, env={"COLUMNS": "200"})
    assert done.exit_code == EXIT_NOT_STARTED, (done.output, done.exception)
    assert message in done.stderr and "Traceback" not in done.stderr
    with Session(get_engine(db_url)) as session:  # nothing was stored or started
        assert session.exec(select(Site)).all() == []
        assert session.exec(select(Scan)).all() == []
    assert site.requested("/news/a.html") == 0


def test_an_ad_hoc_scan_does_not_put_the_site_on_the_schedule(
    db_url: str, site: LoopbackServer, tmp_path: Path
) -> None:
    done = govpatrol("scan", site.base_url, *FAST, cwd=tmp_path)
    assert done.returncode == EXIT_OK, done.stderr
    assert "不加入每周计划" in done.stderr
    engine = get_engine(db_url)
    with Session(engine) as session:
        (adhoc,) = session.exec(select(Site)).all()
        jobs = {spec.id for spec in desired_jobs(session)}
    assert f"scan-site-{adhoc.id}" not in jobs and f"probe-site-{adhoc.id}" not in jobs

    # registering it afterwards schedules it, and keeps the ad-hoc scan in its history
    added = govpatrol("sites", "add", site.base_url, "--name", "某县人民政府", cwd=tmp_path)
    assert added.returncode == 0, added.stderr
    with Session(engine) as session:
        (registered,) = session.exec(select(Site)).all()
        jobs = {spec.id for spec in desired_jobs(session)}
    assert registered.id == adhoc.id and registered.name == "某县人民政府"
    assert f"scan-site-{adhoc.id}" in jobs
    assert [s.site_id for s in stored_scans(db_url)] == [adhoc.id]

    # a registered site scanned from the command line stays on the schedule
    again = govpatrol("scan", site.base_url, *FAST, cwd=tmp_path)
    assert again.returncode == EXIT_OK and "不加入每周计划" not in again.stderr
    with Session(engine) as session:
        assert f"scan-site-{adhoc.id}" in {spec.id for spec in desired_jobs(session)}
