"""The schedule with a controlled clock: triggers asked about a fake "now", jobs stored in the
store and read back by a new scheduler, missed runs coalesced, and the Monday reports mailed
to a real SMTP server on 127.0.0.1."""

from __future__ import annotations

import datetime as dt
import email
import email.policy
import itertools
import os
import signal
import subprocess
import sys
import time
from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path
from zoneinfo import ZoneInfo

import httpx
import pytest
from sqlalchemy import inspect
from sqlmodel import Session, select

from govpatrol.core.db import get_engine
from govpatrol.core.models import Finding, Org, Probe, Scan, ScanStatus, Site, utcnow
from sampleportal.server import PortalServer
from scheduler import jobs
from scheduler.dispatch import LocalDispatcher, set_dispatcher
from scheduler.mail import SmtpSettings
from scheduler.weekly import publish_weekly_reports
from tests.smtp_server import free_port, smtp_server

TZ = ZoneInfo("Asia/Shanghai")  # the default office zone (govpatrol.core.clock)


@pytest.fixture
def session(db_url: str) -> Iterator[Session]:
    jobs.configure(db_url)
    with Session(get_engine(db_url), expire_on_commit=False) as session:
        yield session
    jobs.configure(None)


@pytest.fixture
def home(tmp_path: Path) -> Iterator[PortalServer]:
    (tmp_path / "site").mkdir()
    (tmp_path / "site" / "index.html").write_text(
        '<html><head><meta charset="utf-8"><title>首页</title></head><body>'
        "<p>2026-11-20 工作动态</p></body></html>",
        encoding="utf-8",
    )
    with PortalServer(tmp_path) as server:
        yield server


def add_site(session: Session, url: str, **fields) -> Site:
    site = Site(name=fields.pop("name", "测试"), url=url, **fields)
    session.add(site)
    session.commit()
    session.refresh(site)
    return site


def fire_times(trigger, start: dt.datetime, end: dt.datetime) -> list[dt.datetime]:
    """Every time the trigger fires in [start, end), asked as APScheduler asks it."""
    out: list[dt.datetime] = []
    previous = None
    now = start
    while True:
        nxt = trigger.get_next_fire_time(previous, now)
        if nxt is None or nxt >= end:
            return out
        out.append(nxt)
        previous, now = nxt, nxt + dt.timedelta(microseconds=1)


def test_default_slots_spread_over_the_weekend_window() -> None:
    """The default window (GOVPATROL_SCAN_WINDOW) is Saturday 20:00 to Monday 06:00."""
    monday_noon = dt.datetime(2026, 11, 16, 12, 0, tzinfo=TZ)
    window_start = dt.datetime(2026, 11, 21, 20, 0, tzinfo=TZ)  # Saturday 20:00
    slots = []
    for site_id in range(1, 201):
        nxt = jobs.cron_trigger(jobs.default_scan_cron(site_id)).get_next_fire_time(
            None, monday_noon
        )
        assert window_start <= nxt < window_start + dt.timedelta(hours=34), (site_id, nxt)
        slots.append(nxt)
    assert len(set(slots[:8])) == 8  # neighbouring sites do not start together


def test_weekly_scan_fires_once_a_week() -> None:
    site = Site(id=3, name="测试", url="http://127.0.0.1:9/", schedule_cron="30 22 * * sun")
    monday = dt.datetime(2026, 11, 16, 9, 0, tzinfo=TZ)
    week = fire_times(jobs.scan_trigger(site), monday, monday + dt.timedelta(days=7))
    assert week == [dt.datetime(2026, 11, 22, 22, 30, tzinfo=TZ)]
    four = fire_times(jobs.scan_trigger(site), monday, monday + dt.timedelta(days=28))
    assert [b - a for a, b in itertools.pairwise(four)] == [dt.timedelta(days=7)] * 3
    assert jobs.next_scan_time(site, monday) == week[0]
    site.active = False
    assert jobs.next_scan_time(site, monday) is None


def test_probes_fire_at_least_twenty_times_a_day() -> None:
    day = dt.datetime(2026, 11, 16, tzinfo=TZ)
    times = fire_times(jobs.probe_trigger(7), day, day + dt.timedelta(days=1))
    assert len(times) == 24
    assert len(fire_times(jobs.probe_trigger(7, 72), day, day + dt.timedelta(days=1))) == 20
    assert times[0] != fire_times(jobs.probe_trigger(8), day, day + dt.timedelta(days=1))[0]


def test_invalid_cron_is_refused() -> None:
    with pytest.raises(ValueError):
        jobs.cron_trigger("every sunday")
    with pytest.raises(ValueError):
        jobs.cron_trigger("61 22 * * sun")


def test_sync_keeps_jobs_in_line_with_the_sites(session: Session, db_url: str) -> None:
    a = add_site(session, "http://127.0.0.1:9/", name="甲")
    b = add_site(session, "http://127.0.0.1:8/", name="乙", schedule_cron="0 23 * * sat")
    add_site(session, "http://127.0.0.1:7/", name="停用", active=False)
    scheduler = jobs.build_scheduler(db_url)
    scheduler.start(paused=True)
    try:
        first = jobs.sync_jobs(scheduler)
        expected = {
            "weekly-reports",
            "sync-sites",
            "heal",
            "prune",
            "capacity",
            f"scan-site-{a.id}",
            f"probe-site-{a.id}",
            f"scan-site-{b.id}",
            f"probe-site-{b.id}",
        }
        assert set(first.added) == expected and not first.changed
        assert {j.id for j in scheduler.get_jobs()} == expected
        job = scheduler.get_job(f"scan-site-{b.id}")
        assert job.coalesce is True and job.max_instances == 1
        assert job.misfire_grace_time == jobs.SCAN_GRACE_S
        assert job.next_run_time.weekday() == 5 and job.next_run_time.hour == 23
        before = {j.id: j.next_run_time for j in scheduler.get_jobs()}

        again = jobs.sync_jobs(scheduler)  # nothing changed: nothing touched
        assert (again.added, again.changed, again.removed) == ([], [], [])
        assert {j.id: j.next_run_time for j in scheduler.get_jobs()} == before

        b.schedule_cron = "15 1 * * mon"
        a.active = False
        session.add_all([a, b])
        session.commit()
        third = jobs.sync_jobs(scheduler)
        assert third.changed == [f"scan-site-{b.id}"]
        assert sorted(third.removed) == sorted([f"scan-site-{a.id}", f"probe-site-{a.id}"])
        moved = scheduler.get_job(f"scan-site-{b.id}").next_run_time
        assert (moved.weekday(), moved.hour, moved.minute) == (0, 1, 15)
    finally:
        scheduler.shutdown(wait=False)


def test_jobs_survive_a_restart(session: Session, db_url: str) -> None:
    site = add_site(session, "http://127.0.0.1:9/", schedule_cron="45 21 * * sun")
    first = jobs.build_scheduler(db_url)
    first.start(paused=True)
    jobs.sync_jobs(first)
    stored = {j.id: (j.next_run_time, repr(j.trigger)) for j in first.get_jobs()}
    first.shutdown(wait=False)

    second = jobs.build_scheduler(db_url)  # a new process on the same store
    second.start(paused=True)
    try:
        assert {j.id: (j.next_run_time, repr(j.trigger)) for j in second.get_jobs()} == stored
        assert f"scan-site-{site.id}" in stored
        assert jobs.sync_jobs(second).added == []
    finally:
        second.shutdown(wait=False)


def _cron_days_ago(days: int) -> str:
    moment = dt.datetime.now(TZ) - dt.timedelta(days=days)
    weekday = ("mon", "tue", "wed", "thu", "fri", "sat", "sun")[moment.weekday()]
    return f"{moment.minute} {moment.hour} * * {weekday}"


def test_missed_runs_are_coalesced_not_replayed(
    session: Session, db_url: str, home: PortalServer
) -> None:
    """After five hours down, the hourly probe runs once (not five times); a weekly scan
    missed three days ago, beyond its grace time, is skipped to next week, not replayed."""
    site = add_site(session, home.base_url, schedule_cron=_cron_days_ago(3))
    scheduler = jobs.build_scheduler(db_url)
    scheduler.start(paused=True)
    try:
        jobs.sync_jobs(scheduler)
        now = dt.datetime.now(TZ)
        scheduler.modify_job(f"probe-site-{site.id}", next_run_time=now - dt.timedelta(hours=5))
        scheduler.modify_job(f"scan-site-{site.id}", next_run_time=now - dt.timedelta(days=24))
        scheduler.resume()
        deadline = time.monotonic() + 30
        probes: list[Probe] = []
        while time.monotonic() < deadline:
            probes = session.exec(select(Probe).where(Probe.site_id == site.id)).all()
            probe_job = scheduler.get_job(f"probe-site-{site.id}")
            scan_job = scheduler.get_job(f"scan-site-{site.id}")
            if probes and probe_job.next_run_time > now and scan_job.next_run_time > now:
                break
            time.sleep(0.05)
        assert len(probes) == 1 and probes[0].ok
        assert scan_job.next_run_time - now > dt.timedelta(days=3)
        assert session.exec(select(Scan)).all() == []
    finally:
        scheduler.shutdown(wait=True)


def test_scheduled_scan_skips_a_site_that_is_busy(
    session: Session, db_url: str, home: PortalServer
) -> None:
    options = {"browser": False, "thresholds": {"max_pages": 3, "link_timeout_s": 2.0}}
    site = add_site(session, home.base_url, config={"scan_options": options})
    previous = set_dispatcher(LocalDispatcher(pool_size=1, db_url=db_url))
    try:
        scan_id = jobs.run_scheduled_scan(site.id)
        assert scan_id is not None
        # The scan process needs far longer than this to even start: the site is busy.
        assert jobs.run_scheduled_scan(site.id) is None
        deadline = time.monotonic() + 120
        while time.monotonic() < deadline:
            session.expire_all()
            scan = session.get(Scan, scan_id)
            if scan.status not in (ScanStatus.queued, ScanStatus.running):
                break
            time.sleep(0.1)
    finally:
        set_dispatcher(previous).shutdown(wait=True)
    scans = session.exec(select(Scan).where(Scan.site_id == site.id)).all()
    assert [(s.id, s.trigger) for s in scans] == [(scan_id, "schedule")]
    assert scans[0].status == ScanStatus.done
    assert scans[0].options == options


# -- the Monday reports ----------------------------------------------------------------------


class Inbox:
    def __init__(self) -> None:
        self.messages: list[email.message.EmailMessage] = []

    async def handle_DATA(self, server, session, envelope) -> str:
        self.messages.append(
            email.message_from_bytes(envelope.content, policy=email.policy.default)
        )
        return "250 OK"


@pytest.fixture
def smtp() -> Iterator[tuple[Inbox, int]]:
    inbox = Inbox()
    with smtp_server(inbox) as port:
        yield inbox, port


def seed_reportable(session: Session) -> tuple[Org, Org, Site, Site]:
    city = Org(name="示例市")
    session.add(city)
    session.commit()
    district = Org(name="示例区", parent_id=city.id)
    session.add(district)
    session.commit()
    scanned = add_site(session, "http://127.0.0.1:9/", name="区民政局<b>", org_id=district.id)
    never = add_site(session, "http://127.0.0.1:8/", name="未扫描", org_id=city.id)
    scan = Scan(
        site_id=scanned.id,
        status=ScanStatus.done,
        complete=True,  # ran every check: the site's official result
        trigger="schedule",
        as_of=dt.date(2026, 11, 22),
        started_at=utcnow(),
        finished_at=utcnow(),
        stats={"pages": 12},
    )
    session.add(scan)
    session.commit()
    session.add(
        Finding(
            scan_id=scan.id,
            check="broken_link",
            severity="high",
            page=scanned.url,
            target=scanned.url + "gone.pdf",
            message="附件链接返回 404",
            detail={"status": 404, "on_home": True},
            fingerprint="f" * 32,
        )
    )
    session.commit()
    return city, district, scanned, never


def test_weekly_reports_are_written_and_mailed(
    session: Session, tmp_path: Path, smtp: tuple[Inbox, int]
) -> None:
    inbox, port = smtp
    city, district, scanned, _never = seed_reportable(session)
    settings = SmtpSettings(
        host="127.0.0.1", port=port, sender="govpatrol@localhost", recipients=("ban@localhost",)
    )
    day = dt.date(2026, 11, 23)
    out = publish_weekly_reports(session, tmp_path, day=day, smtp=settings)
    folder = tmp_path / "2026-11-23"
    assert out.folder == folder
    assert sorted(p.name for p in folder.iterdir()) == sorted(
        [f"site-{scanned.id}.html", f"org-{city.id}.html", f"org-{district.id}.html", "index.html"]
    )
    report = (folder / f"site-{scanned.id}.html").read_text(encoding="utf-8")
    assert "gone.pdf" in report and "区民政局<b>" not in report  # escaped by reports/
    assert f'href="site-{scanned.id}.html"' in (folder / f"org-{city.id}.html").read_text("utf-8")
    assert "区民政局&lt;b&gt;" in (folder / "index.html").read_text(encoding="utf-8")
    assert out.mailed_to == ("ban@localhost",)
    (message,) = inbox.messages
    assert message["Subject"] == "网站巡检周报 2026-11-23"
    names = sorted(part.get_filename() for part in message.iter_attachments())
    assert names == sorted(p.name for p in out.files)


def test_the_report_job_reads_its_settings_from_the_environment(
    session: Session, tmp_path: Path, smtp: tuple[Inbox, int], monkeypatch: pytest.MonkeyPatch
) -> None:
    inbox, port = smtp
    seed_reportable(session)
    monkeypatch.setenv("GOVPATROL_REPORTS_DIR", str(tmp_path / "weekly"))
    monkeypatch.setenv("GOVPATROL_SMTP_HOST", "127.0.0.1")
    monkeypatch.setenv("GOVPATROL_SMTP_PORT", str(port))
    monkeypatch.setenv("GOVPATROL_SMTP_TO", "a@localhost, b@localhost")
    result = jobs.run_weekly_reports()
    assert result.folder.parent == tmp_path / "weekly"
    assert len(result.site_files) == 1 and len(result.org_files) == 2
    assert len(inbox.messages) == 1
    assert inbox.messages[0]["To"] == "a@localhost, b@localhost"


def test_no_mail_without_smtp_settings(session: Session, tmp_path: Path, monkeypatch) -> None:
    for key in ("HOST", "TO"):
        monkeypatch.delenv(f"GOVPATROL_SMTP_{key}", raising=False)
    seed_reportable(session)
    assert SmtpSettings.from_env() is None
    out = publish_weekly_reports(session, tmp_path, day=dt.date(2026, 11, 23))
    assert out.mailed_to == () and out.index is not None and out.index.exists()
    env = {
        "GOVPATROL_SMTP_HOST": "mail.invalid",
        "GOVPATROL_SMTP_TO": "x@invalid",
        "GOVPATROL_SMTP_SSL": "1",
    }
    parsed = SmtpSettings.from_env(env)
    assert (parsed.port, parsed.use_ssl, parsed.recipients) == (465, True, ("x@invalid",))


# -- the long-running commands ---------------------------------------------------------------

CLI = "import typer; from govpatrol.cli.web import register; app = typer.Typer(); register(app); app()"


@contextmanager
def cli_process(args: list[str], db_url: str, folder: Path) -> Iterator[subprocess.Popen]:
    """``govpatrol ARGS`` in its own process on the store at ``db_url``; stopped with SIGINT
    (Ctrl-C) at the end."""
    env = {**os.environ, "GOVPATROL_DATABASE_URL": db_url, "GOVPATROL_REPORTS_DIR": str(folder)}
    with (folder / "cli.log").open("wb") as log:
        process = subprocess.Popen(
            [sys.executable, "-c", CLI, *args], env=env, stdout=log, stderr=subprocess.STDOUT
        )
        try:
            yield process
        finally:
            process.send_signal(signal.SIGINT)
            process.wait(timeout=30)


def wait_for_jobs(db_url: str, wanted: set[str], process: subprocess.Popen, log: Path) -> set[str]:
    deadline = time.monotonic() + 90
    found: set[str] = set()
    while time.monotonic() < deadline and not wanted <= found:
        assert process.poll() is None, log.read_text("utf-8")
        with get_engine(db_url).connect() as connection:
            if inspect(connection).has_table(jobs.JOBS_TABLE):
                found = set(
                    connection.exec_driver_sql(f"SELECT id FROM {jobs.JOBS_TABLE}").scalars()
                )
        time.sleep(0.1)
    return found


def test_scheduler_command_stores_the_jobs(session: Session, db_url: str, tmp_path: Path) -> None:
    site = add_site(session, "http://127.0.0.1:9/")
    wanted = {f"scan-site-{site.id}", f"probe-site-{site.id}", "weekly-reports", "sync-sites"}
    with cli_process(["scheduler"], db_url, tmp_path) as process:
        assert wait_for_jobs(db_url, wanted, process, tmp_path / "cli.log") >= wanted
    assert process.returncode == 0


def test_serve_runs_the_dashboard_with_the_scheduler_inside(
    session: Session, db_url: str, tmp_path: Path
) -> None:
    site = add_site(session, "http://127.0.0.1:9/")
    port = free_port()
    with cli_process(["serve", "--port", str(port)], db_url, tmp_path) as process:
        wanted = {f"scan-site-{site.id}", f"probe-site-{site.id}"}
        assert wait_for_jobs(db_url, wanted, process, tmp_path / "cli.log") >= wanted
        login = httpx.get(f"http://127.0.0.1:{port}/login", timeout=10)
        assert login.status_code == 200 and "政务网站巡检" in login.text
    assert (tmp_path / "govpatrol.db.secret").exists()  # the signing key, made beside the store


@pytest.fixture
def utc_machine(monkeypatch: pytest.MonkeyPatch) -> Iterator[None]:
    """This process on a server whose local zone is UTC, as containers usually are."""
    monkeypatch.setenv("TZ", "UTC")
    time.tzset()
    yield
    monkeypatch.undo()
    time.tzset()


def test_a_schedule_fires_at_the_office_wall_clock(
    session: Session, db_url: str, utc_machine: None, monkeypatch: pytest.MonkeyPatch
) -> None:
    import time_machine

    site = add_site(session, "http://127.0.0.1:9/", schedule_cron="10 0 * * *")  # 00:10 daily
    job_id = f"scan-site-{site.id}"
    utc = dt.UTC
    with time_machine.travel(dt.datetime(2026, 11, 22, 16, 0, tzinfo=utc), tick=False):
        scheduler = jobs.build_scheduler(db_url)
        scheduler.start(paused=True)
        try:
            jobs.sync_jobs(scheduler)
            # 00:10 in Beijing is 16:10 UTC, whatever the server's own zone
            first = scheduler.get_job(job_id).next_run_time
            assert first == dt.datetime(2026, 11, 22, 16, 10, tzinfo=utc)
            assert jobs.next_scan_time(site) == first

            # an office elsewhere (GOVPATROL_TIMEZONE): the stored job follows its clock
            monkeypatch.setenv("GOVPATROL_TIMEZONE", "Asia/Urumqi")  # UTC+6
            assert job_id in jobs.sync_jobs(scheduler).changed
            moved = scheduler.get_job(job_id).next_run_time
            assert moved == dt.datetime(2026, 11, 22, 18, 10, tzinfo=utc)
            report = jobs.report_trigger().get_next_fire_time(None, dt.datetime.now(utc))
            assert report.astimezone(jobs.office_zone()).hour == 8  # Monday 08:00 there
        finally:
            scheduler.shutdown(wait=False)
