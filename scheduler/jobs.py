"""The schedule: a weekly scan and an hourly probe per site, the weekly reports on Monday.

APScheduler 3 keeps the jobs in its own table of the store (SQLAlchemyJobStore), so they
survive restarts: a new scheduler on the same database sees the same jobs with the same next
run times. Every job is ``coalesce=True`` with a misfire grace time: after downtime a job that
missed several runs runs once, if its latest missed run is recent enough, and is never
replayed run by run. ``max_instances=1`` plus ``start_scan``'s refusal keep a site's scans
from overlapping.

Job functions are module-level and take only ids, because the job store pickles a reference
to them. They run in the process hosting the scheduler, which records the store's URL in
``configure`` (``govpatrol serve`` or ``govpatrol scheduler``).
"""

from __future__ import annotations

import datetime as dt
import logging
import threading
from dataclasses import dataclass
from typing import Any

from apscheduler.jobstores.sqlalchemy import SQLAlchemyJobStore
from apscheduler.schedulers.background import BackgroundScheduler
from apscheduler.schedulers.base import BaseScheduler
from apscheduler.schedulers.blocking import BlockingScheduler
from apscheduler.triggers.base import BaseTrigger
from apscheduler.triggers.cron import CronTrigger
from apscheduler.triggers.interval import IntervalTrigger
from sqlmodel import Session, col, select

from govpatrol.core.clock import office_now, office_zone
from govpatrol.core.db import get_engine
from govpatrol.core.models import Probe, Site
from govpatrol.core.settings import database_url, settings
from scan.pipeline import reap_stale_scans
from scheduler.dispatch import dispatch_scan, get_dispatcher, recover_queued
from scheduler.probe import record_probe
from scheduler.scan_queue import ScanAlreadyActive, start_scan
from scheduler.window import (  # noqa: F401 (the scheduler's vocabulary, used by callers)
    configured_window,
    cron_trigger,
    default_scan_cron,
    scan_cron,
    scan_trigger,
)

log = logging.getLogger(__name__)

JOBS_TABLE = "apscheduler_jobs"

# Every trigger runs on the office's clock (govpatrol.core.clock: Beijing time unless
# GOVPATROL_TIMEZONE says otherwise), whatever zone the server is in.
# Default weekly scans are spread over the scan window (GOVPATROL_SCAN_WINDOW, by default
# Saturday 20:00 to Monday 06:00 office time; scheduler.window), so the Monday-morning
# reports find them done and the sites are not all crawled at once.
PROBE_INTERVAL_ENV = "GOVPATROL_PROBE_INTERVAL_MIN"
SYNC_MINUTES = 5  # how soon a site added or edited elsewhere gets its jobs
# Probes start on a fixed grid (not "now"), so re-creating a trigger gives the same times:
# this wall-clock moment, on the office's clock.
PROBE_EPOCH = dt.datetime(2026, 1, 5)

HEAL_SECONDS = 60  # re-send lost messages, close scans of dead workers
PRUNE_CRON = "30 12 * * *"  # daily, at noon office time: outside any night-time window
CAPACITY_MINUTES = 60

SCAN_GRACE_S = 6 * 3600  # a Sunday-night scan missed by a restart still runs by Monday dawn
REPORT_GRACE_S = 12 * 3600
SYNC_GRACE_S = 600

_state: dict[str, Any] = {"db_url": None, "scheduler": None}


def configure(db_url: str | None, scheduler: BaseScheduler | None = None) -> None:
    """Record the store the job functions use, and the scheduler ``sync_site_jobs`` updates."""
    _state["db_url"] = db_url
    _state["scheduler"] = scheduler


def _db_url() -> str:
    return _state["db_url"] or database_url()


def _session() -> Session:
    return Session(get_engine(_db_url()), expire_on_commit=False)


# -- triggers ----------------------------------------------------------------------------------


def probe_minutes() -> int:
    minutes = settings().probe_interval_min
    if minutes < 1:
        raise ValueError(f"{PROBE_INTERVAL_ENV} must be at least 1")
    return minutes


def probe_trigger(site_id: int, minutes: int | None = None) -> IntervalTrigger:
    """Every ``minutes``, each site at its own offset so probes do not all fire together."""
    minutes = minutes or probe_minutes()
    offset = dt.timedelta(seconds=(site_id * 53) % (minutes * 60))
    return IntervalTrigger(
        minutes=minutes, start_date=probe_epoch() + offset, timezone=office_zone()
    )


def probe_epoch() -> dt.datetime:
    return PROBE_EPOCH.replace(tzinfo=office_zone())


def report_trigger() -> CronTrigger:
    return cron_trigger(settings().report_cron)


def next_scan_time(site: Site, now: dt.datetime | None = None) -> dt.datetime | None:
    """When the schedule next scans the site (None for an inactive site)."""
    if not site.active:
        return None
    return scan_trigger(site).get_next_fire_time(None, now or office_now())


# -- job functions -----------------------------------------------------------------------------


def run_scheduled_scan(site_id: int) -> int | None:
    """Queue and dispatch the weekly scan; skipped when the site already has one going."""
    with _session() as session:
        site = session.get(Site, site_id)
        if site is None or not site.active:
            return None
        try:
            scan = start_scan(session, site, trigger="schedule")
        except ScanAlreadyActive as exc:
            log.info("scheduled scan skipped: %s", exc)
            return None
    dispatch_scan(scan.id)
    return scan.id


def run_probe(site_id: int) -> Probe | None:
    with _session() as session:
        site = session.get(Site, site_id)
        if site is None or not site.active:
            return None
        return record_probe(session, site)


def run_weekly_reports() -> Any:
    """Write this week's reports to the reports folder and mail them when SMTP is set up."""
    from scheduler.weekly import publish_weekly_reports

    with _session() as session:
        return publish_weekly_reports(session)


def run_heal() -> Any:
    """Close scans of dead workers (retrying them) and re-send queued scans nobody claimed:
    the scheduler does it too, so a lost message is found even when no worker is running a
    watchdog (the single-machine pool has none)."""
    from scheduler.cluster import heal

    dispatcher = get_dispatcher(_db_url())
    with _session() as session:
        return heal(session, dispatcher.submit, pending=getattr(dispatcher, "pending", None))


def run_prune() -> Any:
    """The daily retention round (govpatrol.core.retention)."""
    from govpatrol.core.retention import prune

    with _session() as session:
        result = prune(session)
    log.info("prune: page rows of %s scans removed (%s rows)", len(result.scans), result.total_rows)
    return result


def run_capacity_check() -> Any:
    from scheduler.capacity import log_capacity

    with _session() as session:
        return log_capacity(session)


def sync_site_jobs() -> SyncResult | None:
    scheduler = _state["scheduler"]
    if scheduler is None:
        return None
    return sync_jobs(scheduler)


# -- the scheduler -----------------------------------------------------------------------------


def build_scheduler(db_url: str | None = None, *, blocking: bool = False) -> BaseScheduler:
    """A scheduler whose jobs live in the store's ``apscheduler_jobs`` table."""
    url = db_url or database_url()
    store = SQLAlchemyJobStore(engine=get_engine(url), tablename=JOBS_TABLE)
    cls = BlockingScheduler if blocking else BackgroundScheduler
    scheduler = cls(
        jobstores={"default": store},
        job_defaults={"coalesce": True, "max_instances": 1, "misfire_grace_time": SCAN_GRACE_S},
        timezone=office_zone(),
    )
    configure(url, scheduler)
    return scheduler


@dataclass
class JobSpec:
    id: str
    func: Any
    trigger: BaseTrigger
    args: tuple[Any, ...]
    grace_s: int
    name: str


@dataclass
class SyncResult:
    added: list[str]
    changed: list[str]
    removed: list[str]


def desired_jobs(session: Session) -> list[JobSpec]:
    """Every job the store's sites call for."""
    minutes = probe_minutes()
    specs = [
        JobSpec("weekly-reports", run_weekly_reports, report_trigger(), (), REPORT_GRACE_S, "周报"),
        JobSpec(
            "sync-sites",
            sync_site_jobs,
            IntervalTrigger(minutes=SYNC_MINUTES, start_date=probe_epoch(), timezone=office_zone()),
            (),
            SYNC_GRACE_S,
            "同步网站任务",
        ),
        JobSpec(
            "heal",
            run_heal,
            IntervalTrigger(seconds=HEAL_SECONDS, start_date=probe_epoch(), timezone=office_zone()),
            (),
            HEAL_SECONDS,
            "重发丢失的扫描",
        ),
        JobSpec("prune", run_prune, cron_trigger(PRUNE_CRON), (), REPORT_GRACE_S, "清理旧页面数据"),
        JobSpec(
            "capacity",
            run_capacity_check,
            IntervalTrigger(
                minutes=CAPACITY_MINUTES, start_date=probe_epoch(), timezone=office_zone()
            ),
            (),
            CAPACITY_MINUTES * 60,
            "容量检查",
        ),
    ]
    for site in session.exec(select(Site).where(col(Site.active)).order_by(col(Site.id))):
        try:
            weekly = scan_trigger(site)
        except ValueError:
            log.warning(
                "site %s has an invalid schedule %r; using the default", site.id, site.schedule_cron
            )
            weekly = cron_trigger(default_scan_cron(site.id))
        specs.append(
            JobSpec(
                f"scan-site-{site.id}",
                run_scheduled_scan,
                weekly,
                (site.id,),
                SCAN_GRACE_S,
                f"每周扫描 #{site.id}",
            )
        )
        specs.append(
            JobSpec(
                f"probe-site-{site.id}",
                run_probe,
                probe_trigger(site.id, minutes),
                (site.id,),
                minutes * 60,
                f"可用性探测 #{site.id}",
            )
        )
    return specs


def _same_trigger(a: BaseTrigger, b: BaseTrigger) -> bool:
    return type(a) is type(b) and repr(a) == repr(b)


def sync_jobs(scheduler: BaseScheduler) -> SyncResult:
    """Make the stored jobs match the sites: add missing jobs, reschedule changed ones, drop
    those of removed or inactive sites. Unchanged jobs are left alone, so their stored next
    run time (a run missed while the scheduler was down) is kept and coalesced, not reset."""
    with _session() as session:
        wanted = {spec.id: spec for spec in desired_jobs(session)}
    existing = {job.id: job for job in scheduler.get_jobs()}
    result = SyncResult([], [], [])
    for job_id, spec in wanted.items():
        job = existing.get(job_id)
        if job is None:
            scheduler.add_job(
                spec.func,
                spec.trigger,
                args=spec.args,
                id=job_id,
                name=spec.name,
                misfire_grace_time=spec.grace_s,
                coalesce=True,
                max_instances=1,
                replace_existing=True,
            )
            result.added.append(job_id)
        elif not _same_trigger(job.trigger, spec.trigger) or job.misfire_grace_time != spec.grace_s:
            job.modify(misfire_grace_time=spec.grace_s, name=spec.name)
            job.reschedule(spec.trigger)
            result.changed.append(job_id)
    for job_id in existing.keys() - wanted.keys():
        if job_id.startswith(("scan-site-", "probe-site-")):
            scheduler.remove_job(job_id)
            result.removed.append(job_id)
    return result


def start_scheduler(db_url: str | None = None, *, blocking: bool = False) -> BaseScheduler:
    """Start the schedule in this process: close scans a dead process left behind, run
    queued scans nobody took, start the scheduler, then bring its jobs in line with the
    sites. With ``blocking=True`` this call runs the scheduler until interrupted."""
    scheduler = build_scheduler(db_url, blocking=blocking)
    with _session() as session:
        reap_stale_scans(session)
        recover_queued(session, get_dispatcher(_db_url()))
    run_capacity_check()
    if blocking:
        # A blocking scheduler only returns from start() at shutdown: sync from a job.
        scheduler.add_job(sync_site_jobs, id="sync-at-start", replace_existing=True)
        scheduler.start()
        return scheduler
    scheduler.start()
    sync_jobs(scheduler)
    return scheduler


class LeasedScheduler:
    """The schedule under the scheduler lease (``scheduler.lease``): it runs only while this
    process holds the lease. Started, it stands by until the lease is free (or its holder
    silent for ``GOVPATROL_SCHEDULER_LEASE_S``), then starts the scheduler; losing the lease
    stops it and stands by again. ``govpatrol serve`` and ``govpatrol scheduler`` both run
    one, so any number may be started: one schedules, the others wait."""

    def __init__(self, db_url: str | None = None, *, ttl_s: float | None = None) -> None:
        from scheduler.lease import LeaseKeeper

        configured_window()  # a window that cannot be read stops here, not in a job later
        self.db_url = db_url or database_url()
        self.scheduler: BaseScheduler | None = None
        self._lock = threading.Lock()
        self.keeper = LeaseKeeper(get_engine(self.db_url), self._start, self._stop, ttl_s=ttl_s)

    @property
    def holder(self) -> str:
        return self.keeper.holder

    @property
    def running(self) -> bool:
        return self.scheduler is not None and self.scheduler.running

    def start(self) -> LeasedScheduler:
        self.keeper.start()
        return self

    def shutdown(self, wait: bool = False) -> None:
        self.keeper.stop()

    def _start(self) -> None:
        with self._lock:
            if self.scheduler is None:
                self.scheduler = start_scheduler(self.db_url)

    def _stop(self) -> None:
        with self._lock:
            scheduler, self.scheduler = self.scheduler, None
        if scheduler is not None and scheduler.running:
            scheduler.shutdown(wait=False)
