"""``govpatrol scan`` as a CI job and a person in China use it, run as the real command in a
child process on a machine whose time zone is UTC: the day it judges, the times it shows,
``--version``, ``--json -``, ``--fail-on`` exit codes, the checks it shares with the dashboard,
and an ad-hoc scan that stays off the weekly schedule."""

from __future__ import annotations

import json
import os
import signal
import subprocess
import sys
import threading
from collections.abc import Iterator
from pathlib import Path

import pytest
from sqlmodel import Session, select

from govpatrol import __version__
from govpatrol.cli.outcome import (
    EXIT_CONDITION,
    EXIT_INCOMPLETE,
    EXIT_INTERRUPTED,
    EXIT_NOT_STARTED,
    EXIT_OK,
)
from govpatrol.core.db import get_engine
from govpatrol.core.models import Scan, ScanStatus, Site
from reports.export import export_json
from scan.pipeline import create_scan, run_scan
from scheduler.jobs import desired_jobs
from tests.findings_schema import assert_valid_export
from tests.loopback import MAX_ROUTE_S, LoopbackServer, Request, page, serve
from tests.polling import wait_for

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
    assert "home page answered HTTP 404" in refused.stderr  # the English gloss every refusal has
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


def test_a_home_page_that_redirects_to_another_host_is_scanned_where_it_leads(
    db_url: str, site: LoopbackServer, tmp_path: Path
) -> None:
    """``http://x.gov.cn/`` answering with a redirect to ``https://www.x.gov.cn/`` is the
    usual case: scanning the typed host would keep every page out of scope (another host),
    crawl the home page alone and call that site 合格."""

    def to_site(request: Request) -> None:
        request.respond(302, headers=[("Location", site.base_url)])

    out = tmp_path / "findings.json"
    with serve({"/": to_site}) as doorway:
        done = govpatrol("scan", doorway.base_url, *FAST, "--json", str(out), cwd=tmp_path)
    assert done.returncode == EXIT_OK, done.stderr
    assert site.base_url in done.stderr and "redirects to another host" in done.stderr
    data = assert_valid_export(json.loads(out.read_text("utf-8")))
    assert data["site"]["url"] == site.base_url
    assert site.requested("/news/a.html") == 1
    broken = [f["target"] for f in data["findings"] if f["check"] == "broken_link"]
    assert broken == [site.base_url + "gone.html"]


def test_a_scan_stopped_by_sigterm_exits_130_and_writes_no_export(
    db_url: str, tmp_path: Path
) -> None:
    """A CI job's time limit or a service manager stops the command with SIGTERM: the
    documented interruption (exit 130, what was stored kept as partial), and no findings
    file, so nothing half-judged reaches a reader who does not look at the exit code."""
    reached, release = threading.Event(), threading.Event()

    def held(request: Request) -> None:
        reached.set()
        release.wait(MAX_ROUTE_S)
        request.html(ARTICLE)

    out = tmp_path / "findings.json"
    routes = {"/": page(HOME), "/news/a.html": held}
    with serve(routes) as server:
        child = subprocess.Popen(
            [sys.executable, "-c", "from govpatrol.cli.main import main; main()", "scan",
             server.base_url, *FAST, "--json", str(out)],
            cwd=tmp_path, env={**os.environ, "COLUMNS": "200"},
            stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True,
        )  # fmt: skip
        try:
            wait_for(reached.is_set, "the crawl reaching the held page")
            child.send_signal(signal.SIGTERM)
            release.set()
            _, stderr = child.communicate(timeout=120)
        finally:
            release.set()
            if child.poll() is None:
                child.kill()
    assert child.returncode == EXIT_INTERRUPTED, stderr
    assert "partial" in stderr and not out.exists()
    assert stored_scans(db_url)[-1].status == "partial"


def test_a_findings_file_that_cannot_be_written_is_refused_before_the_scan(
    db_url: str, site: LoopbackServer, tmp_path: Path
) -> None:
    """``--json`` naming a directory used to end a whole scan with a traceback."""
    done = govpatrol("scan", site.base_url, *FAST, "--json", str(tmp_path), cwd=tmp_path)
    assert done.returncode == EXIT_NOT_STARTED, done.stderr
    assert "--json" in done.stderr and "Traceback" not in done.stderr
    assert stored_scans(db_url) == [] and site.requested("/") == 0


def test_a_registered_site_whose_home_page_leaves_its_hosts_is_refused(
    db_url: str, site: LoopbackServer, tmp_path: Path
) -> None:
    """A registered site's address is the office's decision, so it is not changed behind
    its back: the scan is refused, naming the host to add, until the site includes it."""

    def to_site(request: Request) -> None:
        request.respond(302, headers=[("Location", site.base_url)])

    with serve({"/": to_site}) as doorway:
        added = govpatrol("sites", "add", doorway.base_url, "--name", "某县", cwd=tmp_path)
        assert added.returncode == 0, added.stderr
        refused = govpatrol("scan", doorway.base_url, *FAST, cwd=tmp_path)
        assert refused.returncode == EXIT_NOT_STARTED, refused.stderr
        assert site.host in refused.stderr and "Traceback" not in refused.stderr
        assert stored_scans(db_url) == [] and site.requested("/news/a.html") == 0

        with Session(get_engine(db_url)) as session:  # the office adds the host
            (registered,) = session.exec(select(Site)).all()
            registered.extra_hosts = [site.host]
            session.add(registered)
            session.commit()
        done = govpatrol("scan", doorway.base_url, *FAST, cwd=tmp_path)
        assert done.returncode == EXIT_OK, done.stderr
        assert site.requested("/news/a.html") == 1

        # removed from the schedule, it is an ad-hoc address again: followed, like a new one
        removed = govpatrol("sites", "remove", doorway.base_url, cwd=tmp_path)
        assert removed.returncode == 0, removed.stderr
        with Session(get_engine(db_url)) as session:
            (registered,) = session.exec(select(Site)).all()
            registered.extra_hosts = []
            session.add(registered)
            session.commit()
        followed = govpatrol("scan", doorway.base_url, *FAST, cwd=tmp_path)
    assert followed.returncode == EXIT_OK, followed.stderr
    assert "redirects to another host" in followed.stderr
    assert site.requested("/news/a.html") == 2


def test_a_scheduled_scan_whose_home_page_leaves_the_site_fails_saying_so(
    db_url: str, site: LoopbackServer
) -> None:
    """The scheduler and the dashboard start scans without the command's pre-check: the
    crawl itself must not read the one page it was sent to and call the site 合格."""

    def to_site(request: Request) -> None:
        request.respond(302, headers=[("Location", site.base_url)])

    with serve({"/": to_site}) as doorway:
        with Session(get_engine(db_url), expire_on_commit=False) as session:
            registered = Site(name="某县", url=doorway.base_url, address_zone="loopback")
            session.add(registered)
            session.commit()
            options = {"browser": False, "checks": ["links"]}
            scan = create_scan(session, registered, trigger="schedule", options=options)
        done = run_scan(scan.id, db_url=db_url)
    assert done.status == ScanStatus.failed
    assert site.base_url in done.error and "redirects off the site" in done.error
    assert done.score is None
    assert site.requested("/news/a.html") == 0
    # a failed scan judged nothing: its export neither passes nor fails the site
    with Session(get_engine(db_url)) as session:
        exported = assert_valid_export(export_json(session, done.id))
    assert exported["scan"]["status"] == "failed" and exported["scan"]["complete"] is False
    assert exported["score"]["verdict"] is None and exported["score"]["points"] is None
