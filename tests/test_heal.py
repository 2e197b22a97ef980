"""A cluster that heals (issue 23): lost messages re-sent, one scheduler at a time, a
wall-clock limit per scan, the retention policy, the scan window and its capacity plan, and
/healthz. Against real SQLite files, and PostgreSQL / a redis-server of the test's own on a
loopback port when they are available."""

from __future__ import annotations

import datetime as dt
import http.server
import json
import os
import shutil
import signal
import socket
import subprocess
import sys
import threading
import time
import urllib.error
import urllib.request
from collections.abc import Iterator
from pathlib import Path

import pytest
from sqlalchemy import update
from sqlmodel import Session, col, func, select

from govpatrol.core.db import get_engine
from govpatrol.core.models import (
    ClusterNode,
    Finding,
    LinkSource,
    LinkTarget,
    ListPage,
    Page,
    Scan,
    ScanStatus,
    Site,
    utcnow,
)
from govpatrol.core.retention import prune
from scheduler.cluster import NEVER_STARTED, heal, reap_lost_scans, resend_unclaimed
from scheduler.lease import (
    LeaseKeeper,
    acquire,
    beat_worker,
    lease_state,
    release,
    renew,
    workers_seen,
)
from scheduler.scan_queue import OVER_TIME, claim, start_scan
from scheduler.window import WindowError, parse_window
from tests.pg import fresh_database
from tests.polling import wait_for

AS_OF = dt.date(2026, 11, 22)
REPO = Path(__file__).resolve().parents[1]


@pytest.fixture(params=["sqlite", "postgres"])
def store(request: pytest.FixtureRequest, tmp_path: Path, monkeypatch) -> Iterator[str]:
    """A fresh store: a SQLite file, or a PostgreSQL database of its own (skipped when the
    server is not running)."""
    if request.param == "sqlite":
        url = f"sqlite:///{tmp_path / 'govpatrol.db'}"
        monkeypatch.setenv("GOVPATROL_DATABASE_URL", url)
        yield url
    else:
        for url in fresh_database():
            monkeypatch.setenv("GOVPATROL_DATABASE_URL", url)
            yield url


@pytest.fixture
def session(store: str) -> Iterator[Session]:
    with Session(get_engine(store), expire_on_commit=False) as session:
        yield session


def add_site(session: Session, url: str = "http://127.0.0.1:9/", **config) -> Site:
    site = Site(name=f"网站{url}", url=url, config=config)
    session.add(site)
    session.commit()
    session.refresh(site)
    return site


def age(session: Session, scan_id: int, seconds: float, **extra) -> None:
    """Move a scan's creation (and any given column) ``seconds`` into the past."""
    past = utcnow() - dt.timedelta(seconds=seconds)
    values = {"created_at": past, **{k: past for k, v in extra.items() if v}}
    session.execute(update(Scan).where(col(Scan.id) == scan_id).values(**values))
    session.commit()


# -- queued scans nobody claimed -----------------------------------------------------------


def test_an_unclaimed_scan_is_sent_again_with_back_off(session: Session) -> None:
    site = add_site(session)
    scan = start_scan(session, site, as_of=AS_OF)
    sent: list[int] = []
    assert resend_unclaimed(session, sent.append, after_s=60) == []  # too young
    age(session, scan.id, 120)
    assert resend_unclaimed(session, sent.append, after_s=60) == [scan.id]
    assert sent == [scan.id]
    # sent just now: not again in the next rounds, though it is still unclaimed
    assert resend_unclaimed(session, sent.append, after_s=60) == []
    session.expire_all()
    stamped = session.get(Scan, scan.id).heartbeat_at
    assert stamped is not None and session.get(Scan, scan.id).status == ScanStatus.queued
    # sent when it had waited 300 s: the next sending is due once it has waited 600 s
    set_times(session, scan.id, created_ago=400, sent_ago=100)
    assert resend_unclaimed(session, sent.append, after_s=60) == []
    set_times(session, scan.id, created_ago=1000, sent_ago=500)
    assert resend_unclaimed(session, sent.append, after_s=60) == [scan.id]
    assert sent == [scan.id, scan.id]


def set_times(session: Session, scan_id: int, *, created_ago: float, sent_ago: float) -> None:
    now = utcnow()
    session.execute(
        update(Scan)
        .where(col(Scan.id) == scan_id)
        .values(
            created_at=now - dt.timedelta(seconds=created_ago),
            heartbeat_at=now - dt.timedelta(seconds=sent_ago),
        )
    )
    session.commit()


def test_a_claimed_or_ended_scan_is_never_sent_again(session: Session) -> None:
    claimed = start_scan(session, add_site(session, "http://127.0.0.1:9/a"), as_of=AS_OF)
    ended = start_scan(session, add_site(session, "http://127.0.0.1:9/b"), as_of=AS_OF)
    assert claim(session, claimed.id)
    session.execute(update(Scan).where(col(Scan.id) == ended.id).values(status=ScanStatus.done))
    session.commit()
    age(session, claimed.id, 3600)
    age(session, ended.id, 3600)
    sent: list[int] = []
    assert resend_unclaimed(session, sent.append, after_s=60) == [] and sent == []


def test_a_send_that_fails_is_tried_again_next_round(session: Session) -> None:
    scan = start_scan(session, add_site(session), as_of=AS_OF)
    age(session, scan.id, 120)

    def broker_down(scan_id: int) -> None:
        raise ConnectionError("Redis is away")

    assert resend_unclaimed(session, broker_down, after_s=60) == []
    session.expire_all()
    assert session.get(Scan, scan.id).heartbeat_at is None  # the stamp was taken back
    sent: list[int] = []
    assert resend_unclaimed(session, sent.append, after_s=60) == [scan.id] == sent


def test_a_scan_claimed_after_a_resend_is_not_taken_for_lost(session: Session) -> None:
    """The re-send stamps heartbeat_at; the claim restarts it, so the watchdog measures the
    claimed scan's silence from the claim, not from the (older) sending."""
    scan = start_scan(session, add_site(session), as_of=AS_OF)
    age(session, scan.id, 600)
    assert resend_unclaimed(session, lambda _: None, after_s=60) == [scan.id]
    session.execute(
        update(Scan)
        .where(col(Scan.id) == scan.id)
        .values(heartbeat_at=utcnow() - dt.timedelta(seconds=500))
    )
    session.commit()
    assert claim(session, scan.id)
    assert reap_lost_scans(session, None, stale_after=120) == []
    session.expire_all()
    assert session.get(Scan, scan.id).status == ScanStatus.queued
    # and silent for longer than the stale time after its claim, it is closed as before
    session.execute(
        update(Scan)
        .where(col(Scan.id) == scan.id)
        .values(heartbeat_at=utcnow() - dt.timedelta(seconds=300))
    )
    session.commit()
    assert [closed for closed, _ in reap_lost_scans(session, None, stale_after=120)] == [scan.id]
    session.expire_all()
    assert session.get(Scan, scan.id).error == NEVER_STARTED


def test_heal_unblocks_a_site_whose_message_was_lost(session: Session) -> None:
    """The issue's stuck site: its queued scan refuses every later one until it is sent
    again and run; heal() sends it."""
    site = add_site(session)
    scan = start_scan(session, site, as_of=AS_OF)
    age(session, scan.id, 3600)
    sent: list[int] = []
    lost, resent = heal(session, sent.append, requeue_after=600)
    assert lost == [] and resent == [scan.id] == sent


# -- a redis-server of our own: a message lost by a restart is sent again -------------------


@pytest.fixture
def own_redis(tmp_path: Path) -> Iterator[dict]:
    binary = shutil.which("redis-server")
    if binary is None:
        pytest.skip("redis-server is not installed")
    from bench.common import free_port

    port = free_port()
    state: dict = {"port": port, "url": f"redis://127.0.0.1:{port}/0"}

    def start() -> None:
        cmd = [binary, "--bind", "127.0.0.1", "--port", str(port), "--save", ""]
        cmd += ["--appendonly", "no", "--dir", str(tmp_path)]
        state["proc"] = subprocess.Popen(cmd, stdout=subprocess.DEVNULL)

        def up() -> bool:
            try:
                socket.create_connection(("127.0.0.1", port), 0.2).close()
                return True
            except OSError:
                return False

        wait_for(up, "redis-server listening", timeout_s=10)

    def kill() -> None:
        proc = state["proc"]
        os.kill(proc.pid, signal.SIGKILL)
        proc.wait(timeout=10)

    state["start"], state["kill"] = start, kill
    start()
    try:
        yield state
    finally:
        if state["proc"].poll() is None:
            kill()


def test_a_message_lost_in_a_redis_restart_is_sent_again(session: Session, own_redis) -> None:
    """Only the scan whose message is gone is sent again; one still waiting in the queue
    gets no duplicate, however long it waits."""
    import redis

    from scheduler.celery_dispatch import CeleryDispatcher

    queue = "govpatrol-test-heal"
    dispatcher = CeleryDispatcher(own_redis["url"], queue=queue)
    client = redis.Redis.from_url(own_redis["url"])
    key = f"{queue}:{queue}"  # Kombu's list of the queue, under the deployment's key prefix
    try:
        lost = start_scan(session, add_site(session, "http://127.0.0.1:9/lost"), as_of=AS_OF)
        dispatcher.submit(lost.id)
        assert client.llen(key) == 1 and dispatcher.pending() == {lost.id}
        own_redis["kill"]()  # no persistence: the message is gone
        assert (
            resend_unclaimed(session, dispatcher.submit, after_s=0, pending=dispatcher.pending)
            == []
        )
        own_redis["start"]()
        waiting = start_scan(session, add_site(session, "http://127.0.0.1:9/wait"), as_of=AS_OF)
        dispatcher.submit(waiting.id)
        assert dispatcher.pending() == {waiting.id}
        age(session, lost.id, 7200)
        age(session, waiting.id, 7200)
        sent = resend_unclaimed(session, dispatcher.submit, after_s=60, pending=dispatcher.pending)
        assert sent == [lost.id]
        assert dispatcher.pending() == {lost.id, waiting.id} and client.llen(key) == 2
        assert (
            resend_unclaimed(session, dispatcher.submit, after_s=60, pending=dispatcher.pending)
            == []
        )
        body = json.loads(client.rpop(key))  # the oldest: the waiting scan's message
        assert body["headers"]["argsrepr"] == f"[{waiting.id}]"
    finally:
        dispatcher.shutdown()
        client.close()


# -- one scheduler at a time ----------------------------------------------------------------


def test_the_lease_has_one_holder_and_expires(session: Session, store: str) -> None:
    engine = get_engine(store)
    assert acquire(engine, "a", ttl_s=30)
    assert not acquire(engine, "b", ttl_s=30)  # held and fresh
    assert renew(engine, "a") and not renew(engine, "b")
    state = lease_state(session)
    assert state.holder == "a" and state.age_s is not None and state.age_s < 30
    # a's heartbeat goes silent for longer than the lease: b takes over, a cannot renew
    session.execute(update(ClusterNode).values(heartbeat_at=utcnow() - dt.timedelta(seconds=31)))
    session.commit()
    assert acquire(engine, "b", ttl_s=30)
    assert not renew(engine, "a") and renew(engine, "b")
    release(engine, "a")  # not a's any more: nothing happens
    session.expire_all()
    assert lease_state(session).holder == "b"
    release(engine, "b")
    assert lease_state(session).holder is None and acquire(engine, "a", ttl_s=30)


HOLDER = """
import sys, time
from govpatrol.core.db import get_engine
from scheduler.lease import LeaseKeeper
keeper = LeaseKeeper(get_engine(sys.argv[1]), lambda: print("held", flush=True),
                     lambda: None, ttl_s=float(sys.argv[2]), holder="first").start()
time.sleep(600)
"""


def test_a_standby_takes_over_when_the_holder_is_killed(store: str) -> None:
    """A real second process holds the lease; SIGKILL it and the standby here takes over
    after the lease time, not before."""
    ttl = 3.0
    holder = subprocess.Popen(
        [sys.executable, "-c", HOLDER, store, str(ttl)],
        cwd=REPO,
        stdout=subprocess.PIPE,
        text=True,
    )
    acquired: list[float] = []
    standby = LeaseKeeper(
        get_engine(store), lambda: acquired.append(time.monotonic()), lambda: None, ttl_s=ttl
    )
    try:
        assert holder.stdout.readline().strip() == "held"
        standby.start()
        with Session(get_engine(store)) as session:
            wait_for(
                lambda: lease_state(session).age_s is not None and lease_state(session).held,
                "the first holder's lease",
            )
            assert not standby.wait_holding(ttl * 1.5)  # the holder renews: standby waits
            holder.send_signal(signal.SIGKILL)
            holder.wait(timeout=10)
            killed = time.monotonic()
            assert standby.wait_holding(ttl * 5), "the standby did not take over"
            assert acquired and acquired[0] - killed >= ttl * 0.5
            session.expire_all()
            assert lease_state(session).holder == standby.holder
    finally:
        if holder.poll() is None:
            holder.kill()
            holder.wait(timeout=10)
        standby.stop()


def test_two_schedulers_one_runs_the_other_takes_over(store: str, monkeypatch) -> None:
    from scheduler.jobs import LeasedScheduler

    monkeypatch.setenv("GOVPATROL_SCAN_WORKERS", "1")
    first = LeasedScheduler(store, ttl_s=3.0).start()
    second = LeasedScheduler(store, ttl_s=3.0)
    try:
        wait_for(lambda: first.running, "the first scheduler running", timeout_s=30)
        second.start()
        assert not second.keeper.wait_holding(2.0)
        assert not second.running
        first.shutdown()  # gives the lease up at once
        assert not first.running
        wait_for(lambda: second.running, "the standby scheduler running", timeout_s=30)
        job_ids = {job.id for job in second.scheduler.get_jobs()}
        assert {"heal", "prune", "capacity"} <= job_ids
    finally:
        first.shutdown()
        second.shutdown()
        from scheduler.dispatch import set_dispatcher

        previous = set_dispatcher(None)
        if previous is not None:
            previous.shutdown()


# -- the wall-clock limit ---------------------------------------------------------------------


class SlowSite(http.server.ThreadingHTTPServer):
    """Every page takes a second and links to ten more: a crawl that never ends by itself."""

    def __init__(self) -> None:
        class Handler(http.server.BaseHTTPRequestHandler):
            def do_GET(self) -> None:
                time.sleep(1.0)
                n = abs(hash(self.path)) % 10**6
                links = "".join(f'<a href="/p{n}-{i}.html">页面{i}</a>' for i in range(10))
                body = f"<html><head><title>慢</title></head><body>{links}</body></html>"
                data = body.encode("utf-8")
                self.send_response(200)
                self.send_header("Content-Type", "text/html; charset=utf-8")
                self.send_header("Content-Length", str(len(data)))
                self.end_headers()
                self.wfile.write(data)

            def log_message(self, *args: object) -> None:
                pass

        super().__init__(("127.0.0.1", 0), Handler)
        self.thread = threading.Thread(target=self.serve_forever, daemon=True)

    @property
    def url(self) -> str:
        return f"http://127.0.0.1:{self.server_address[1]}/"


def test_a_scan_past_its_wall_clock_limit_ends_incomplete(db_url: str) -> None:
    from scheduler.dispatch import LocalDispatcher

    server = SlowSite()
    server.thread.start()
    engine = get_engine(db_url)
    try:
        with Session(engine, expire_on_commit=False) as session:
            site = add_site(session, server.url, thresholds={"scan_wall_limit_s": 8})
            earlier = Scan(
                site_id=site.id,
                status=ScanStatus.done,
                complete=True,
                as_of=AS_OF,
                finished_at=utcnow(),
                score={"points": 91.5},
            )
            session.add(earlier)
            session.commit()
            session.add(
                Finding(
                    scan_id=earlier.id, check="x", page=server.url, message="m", fingerprint="f"
                )
            )
            session.commit()
            scan = start_scan(session, site, as_of=AS_OF, options={"browser": False})
        dispatcher = LocalDispatcher(pool_size=1, db_url=db_url)
        started = time.monotonic()
        try:
            future = dispatcher.submit(scan.id)
            future.result(timeout=120)
        finally:
            dispatcher.shutdown(wait=True)
        elapsed = time.monotonic() - started
        with Session(engine) as session:
            ended = session.get(Scan, scan.id)
            assert ended.status in (ScanStatus.partial, ScanStatus.failed), ended.status
            assert not ended.complete
            assert ended.error == OVER_TIME.format(limit=8)
            assert elapsed >= 8
            before = session.get(Scan, earlier.id)
            assert before.status == ScanStatus.done and before.complete
            assert before.score == {"points": 91.5}
            assert (
                session.exec(
                    select(func.count()).select_from(Finding).where(Finding.scan_id == earlier.id)
                ).one()
                == 1
            )
    finally:
        server.shutdown()
        server.server_close()


def test_the_wall_clock_limit_is_a_setting_with_a_per_site_override(monkeypatch) -> None:
    from govpatrol.core.site_settings import scan_wall_limit_s

    plain = Site(name="a", url="http://a/")
    own = Site(name="b", url="http://b/", config={"thresholds": {"scan_wall_limit_s": 600}})
    assert scan_wall_limit_s(plain) == 12600.0
    monkeypatch.setenv("GOVPATROL_SCAN_WALL_LIMIT_S", "7200")
    assert scan_wall_limit_s(plain) == 7200.0
    assert scan_wall_limit_s(own) == 600.0


# -- retention ---------------------------------------------------------------------------------


def _scan_with_rows(session: Session, site: Site, status: ScanStatus, complete: bool) -> int:
    scan = Scan(site_id=site.id, status=status, complete=complete, as_of=AS_OF, score={"p": 1})
    session.add(scan)
    session.commit()
    for i in range(3):
        url = f"{site.url}p{i}.html"
        session.add(Page(scan_id=scan.id, url=url, status=200))
        session.add(LinkSource(scan_id=scan.id, page_url=url, target_url=url + "#x"))
        session.add(LinkTarget(scan_id=scan.id, url=url + "?t"))
        session.add(ListPage(scan_id=scan.id, url=url, column_key=url))
        session.add(Finding(scan_id=scan.id, check="c", page=url, message="m", fingerprint=url))
    session.commit()
    return scan.id


def _rows(session: Session, model: type, scan_id: int) -> int:
    return session.exec(
        select(func.count()).select_from(model).where(model.scan_id == scan_id)
    ).one()


def test_prune_keeps_findings_scores_and_the_scans_a_rescan_needs(session: Session) -> None:
    site = add_site(session)
    other = add_site(session, "http://127.0.0.1:9/other")
    old_complete = _scan_with_rows(session, site, ScanStatus.done, True)
    older = _scan_with_rows(session, site, ScanStatus.done, True)  # pruned: newer complete exists
    official = _scan_with_rows(session, site, ScanStatus.done, True)
    partial1 = _scan_with_rows(session, site, ScanStatus.partial, False)
    partial2 = _scan_with_rows(session, site, ScanStatus.partial, False)
    running = _scan_with_rows(session, site, ScanStatus.running, False)
    lone = _scan_with_rows(session, other, ScanStatus.done, True)

    plan = prune(session, keep=2, dry_run=True)
    assert plan.scans == [old_complete, older]
    assert plan.rows == {"linksource": 6, "linktarget": 6, "listpage": 6, "page": 6}
    assert _rows(session, Page, old_complete) == 3  # a dry run deletes nothing

    done = prune(session, keep=2)
    assert done.scans == [old_complete, older] and done.total_rows == 24
    for scan_id in (old_complete, older):
        for model in (Page, LinkSource, LinkTarget, ListPage):
            assert _rows(session, model, scan_id) == 0
        assert _rows(session, Finding, scan_id) == 3  # findings stay
        kept = session.get(Scan, scan_id)
        session.refresh(kept)
        assert kept.score == {"p": 1} and "pruned_at" in kept.stats
    # the official (newest complete) scan is kept though it is not among the last two
    for scan_id in (official, partial1, partial2, running, lone):
        assert _rows(session, Page, scan_id) == 3
    assert prune(session, keep=2).scans == []  # nothing left to do
    with pytest.raises(ValueError):
        prune(session, keep=0)


def test_prune_command_dry_run_and_json(db_url: str) -> None:
    with Session(get_engine(db_url)) as session:
        site = add_site(session)
        first = _scan_with_rows(session, site, ScanStatus.done, True)
        for _ in range(2):
            _scan_with_rows(session, site, ScanStatus.done, True)
    env = {**os.environ, "GOVPATROL_DATABASE_URL": db_url}
    cmd = [sys.executable, "-m", "govpatrol.cli.main", "prune"]
    dry = subprocess.run(
        [*cmd, "--dry-run", "--json"],
        env=env,
        cwd=REPO,
        capture_output=True,
        text=True,
        timeout=120,
    )
    assert dry.returncode == 0, dry.stderr
    data = json.loads(dry.stdout)
    assert data["dry_run"] and data["scans"] == [first] and data["rows"]["page"] == 3
    # a refused option is argument checking: in this process, no interpreter of its own
    from typer.testing import CliRunner

    from govpatrol.cli.main import app

    bad = CliRunner().invoke(app, ["prune", "--keep", "0"])
    assert bad.exit_code == 2 and "--keep" in bad.stderr, (bad.output, bad.exception)
    real = subprocess.run(cmd, env=env, cwd=REPO, capture_output=True, text=True, timeout=120)
    assert real.returncode == 0 and "已删除 1 次扫描" in real.stdout
    with Session(get_engine(db_url)) as session:
        assert _rows(session, Page, first) == 0 and _rows(session, Finding, first) == 3


# -- the scan window and capacity ------------------------------------------------------------


def test_the_window_spreads_default_slots_over_it(monkeypatch) -> None:
    from govpatrol.core.clock import office_zone
    from scheduler import jobs

    window = parse_window("sat 20:00-mon 06:00")
    assert window.hours == 34 and window.describe() == "sat 20:00-mon 06:00"
    tz = office_zone()
    monday = dt.datetime(2026, 11, 16, 12, 0, tzinfo=tz)
    start = dt.datetime(2026, 11, 21, 20, 0, tzinfo=tz)  # Saturday 20:00
    slots = []
    for site_id in range(1, 201):
        fire = jobs.cron_trigger(jobs.default_scan_cron(site_id)).get_next_fire_time(None, monday)
        assert start <= fire < start + dt.timedelta(hours=34), (site_id, fire)
        slots.append(fire)
    hours = {int((s - start).total_seconds() // 3600) for s in slots}
    assert len(hours) >= 30  # spread over the window, not packed at one instant
    assert len(set(slots[:8])) == 8
    monkeypatch.setenv("GOVPATROL_SCAN_WINDOW", "sun 20:00-mon 04:00")
    fire = jobs.cron_trigger(jobs.default_scan_cron(5)).get_next_fire_time(None, monday)
    assert (
        dt.datetime(2026, 11, 22, 20, 0, tzinfo=tz)
        <= fire
        < dt.datetime(2026, 11, 23, 4, 0, tzinfo=tz)
    )


@pytest.mark.parametrize(
    "bad", ["", "sat 20:00", "sat 25:00-mon 06:00", "xyz 20:00-mon 06:00", "sat 20:00-sat 20:30"]
)
def test_a_bad_window_is_refused_with_the_expected_form(bad: str) -> None:
    with pytest.raises(WindowError):
        parse_window(bad)


def test_capacity_warns_when_the_workers_seen_cannot_finish_in_the_window(
    session: Session, store: str, monkeypatch
) -> None:
    from scheduler.capacity import plan_capacity

    monkeypatch.setenv("GOVPATROL_BROKER_URL", "redis://127.0.0.1:9/0")  # never contacted
    monkeypatch.setenv("GOVPATROL_SITES_PER_HOUR_PER_WORKER", "10")
    monkeypatch.setenv("GOVPATROL_BROWSER_MINUTES_PER_SITE", "6")
    for i in range(300):
        session.add(Site(name=f"s{i}", url=f"http://127.0.0.1:9/{i}"))
    session.add(Site(name="自定", url="http://127.0.0.1:9/own", schedule_cron="0 10 * * wed"))
    session.add(
        Site(
            name="无浏览器",
            url="http://127.0.0.1:9/nb",
            config={"scan_options": {"browser": False}},
        )
    )
    session.commit()
    plan = plan_capacity(session)
    assert plan.sites == 301 and plan.browser_sites == 300  # the Wednesday site is outside
    assert plan.workers == 0 and plan.hours_needed is None and not plan.fits
    assert "未发现任何工作节点" in plan.warning("zh") and "no worker" in plan.warning("en")
    engine = get_engine(store)
    beat_worker(engine, "w1", {"concurrency": 2})
    beat_worker(engine, "w2", {"concurrency": 1})
    assert sorted(w.node for w in workers_seen(session)) == ["w1", "w2"]
    plan = plan_capacity(session)
    # 301 / 10 h + 300 × 6 min = 30.1 + 30 = 60.1 slot-hours over 3 slots = 20.03 h
    assert plan.slots == 3 and plan.hours_needed == pytest.approx(20.03, abs=0.01)
    assert plan.fits and plan.warning() is None  # 34-hour window
    monkeypatch.setenv("GOVPATROL_SCAN_WINDOW", "sun 20:00-mon 04:00")
    plan = plan_capacity(session)
    assert not plan.fits and "20.0" in plan.warning("en") and "增加工作节点" in plan.warning()


# -- /healthz -----------------------------------------------------------------------------------


def _get(url: str) -> tuple[int, dict]:
    try:
        with urllib.request.urlopen(url, timeout=10) as response:
            return response.status, json.loads(response.read())
    except urllib.error.HTTPError as error:
        return error.code, json.loads(error.read())


def test_healthz_reports_store_broker_and_scheduler(db_url: str, monkeypatch, own_redis) -> None:
    from dashboard.app import create_app
    from dashboard.server import BackgroundServer

    monkeypatch.setenv("GOVPATROL_SMTP_PASSWORD", "s3cret-smtp")
    server = BackgroundServer(create_app(db_url, dispatch=lambda _: None)).start()
    engine = get_engine(db_url)
    try:
        status, body = _get(server.url + "/healthz")  # no login
        assert status == 503 and body["status"] == "unhealthy"
        assert body["database"] == {"ok": True}
        assert body["broker"] == {"ok": True, "configured": False}
        assert body["scheduler"]["ok"] is False and body["scheduler"]["holder"] is None

        assert acquire(engine, "sched-host:1:abc", ttl_s=60)
        status, body = _get(server.url + "/healthz")
        assert status == 200 and body["status"] == "ok"
        assert body["scheduler"]["holder"] == "sched-host:1:abc"
        assert 0 <= body["scheduler"]["heartbeat_age_s"] < 60
        assert "capacity" in body and body["warnings"] == []

        monkeypatch.setenv("GOVPATROL_BROKER_URL", own_redis["url"])
        status, body = _get(server.url + "/healthz")
        assert status == 200 and body["broker"] == {"ok": True, "configured": True}
        own_redis["kill"]()
        status, body = _get(server.url + "/healthz")
        assert status == 503 and body["broker"]["ok"] is False
        text = json.dumps(body)
        assert "s3cret" not in text and str(own_redis["port"]) not in text
        assert db_url.split("///")[1] not in text
    finally:
        server.stop()


def test_the_admin_page_shows_the_cluster_and_warns_about_capacity(
    db_url: str, monkeypatch
) -> None:
    import html
    import re

    import httpx

    from dashboard.app import create_app
    from dashboard.server import BackgroundServer
    from govpatrol.core.auth import create_user

    monkeypatch.setenv("GOVPATROL_SITES_PER_HOUR_PER_WORKER", "1")
    monkeypatch.setenv("GOVPATROL_SCAN_WORKERS", "1")
    engine = get_engine(db_url)
    with Session(engine) as session:
        create_user(session, "admin", "correct-horse-9", "admin")
        for i in range(40):  # 40 h of work for one slot, more than the 34-hour window
            session.add(Site(name=f"s{i}", url=f"http://127.0.0.1:9/{i}", config={"x": "<b>"}))
        session.commit()
    server = BackgroundServer(create_app(db_url, secret_key="k" * 48, dispatch=lambda _: None))
    server.start()
    try:
        with httpx.Client(base_url=server.url, timeout=30) as client:
            page = client.get("/login").text
            token = re.search(r'name="csrf_token" value="([^"]+)"', page).group(1)
            answer = client.post(
                "/login",
                data={"username": "admin", "password": "correct-horse-9", "csrf_token": token},
            )
            assert answer.status_code == 303
            text = html.unescape(client.get("/admin/users").text)
            assert 'id="capacity-warning"' in text and "无法在窗口内完成" in text
            assert "没有调度器在运行" in text
            assert acquire(engine, "host-a:7:x", ttl_s=60)
            client.cookies.set("lang", "en")
            text = html.unescape(client.get("/admin/users?lang=en").text)
            assert "host-a:7:x" in text and "没有调度器在运行" not in text
    finally:
        server.stop()


def test_the_scheduler_refuses_a_bad_window_before_it_starts(db_url: str) -> None:
    env = {**os.environ, "GOVPATROL_DATABASE_URL": db_url, "GOVPATROL_SCAN_WINDOW": "weekend"}
    done = subprocess.run(
        [sys.executable, "-m", "govpatrol.cli.main", "scheduler"],
        env=env,
        cwd=REPO,
        capture_output=True,
        text=True,
        timeout=120,
    )
    assert done.returncode == 2 and "GOVPATROL_SCAN_WINDOW" in done.stderr
    assert "sat 20:00-mon 06:00" in done.stderr  # the expected form


def test_a_cluster_worker_stops_a_scan_process_at_its_limit(session: Session, store: str) -> None:
    """The worker's wait (scheduler.cluster) stops the scan process at the limit and the scan
    ends incomplete with the reason, on SQLite and PostgreSQL."""
    from scheduler.cluster import _wait_fenced
    from scheduler.scan_queue import close_over_time

    scan = start_scan(session, add_site(session), as_of=AS_OF)
    assert claim(session, scan.id)
    session.execute(update(Scan).where(col(Scan.id) == scan.id).values(status=ScanStatus.running))
    session.commit()
    child = subprocess.Popen([sys.executable, "-c", "import time; time.sleep(120)"])
    try:
        started = time.monotonic()
        returncode, over_time = _wait_fenced(get_engine(store), scan.id, child, 0.2, 1.5)
        assert over_time and returncode != 0 and 1.5 <= time.monotonic() - started < 60
    finally:
        if child.poll() is None:
            child.kill()
            child.wait()
    closed = close_over_time(session, scan.id, 1.5)
    assert closed.status == ScanStatus.partial and not closed.complete
    assert closed.error == OVER_TIME.format(limit=1.5) and closed.finished_at is not None
