"""One scan of one site, start to end: crawl (in its own process), site-level checks
(link verification, freshness, documents, browser audits …), score.

A scan only ever writes rows carrying its own id, so an interrupted or failed scan leaves
earlier scans untouched. Whatever stops it, it ends as ``partial`` or ``failed`` with what
it had, never as ``done``.
"""

from __future__ import annotations

import datetime as dt
import logging
import os
import signal
import socket
import subprocess
import sys
import tempfile
import threading
from collections.abc import Callable
from pathlib import Path
from typing import Any

from sqlalchemy import func
from sqlalchemy.engine import Engine
from sqlmodel import Session, select

from checks.link_options import LinkOptions
from checks.link_settle import leave_unverified, scan_budget_spent
from checks.table import all_checks
from crawler.job import CrawlJob
from crawler.netguard import FetchGuard
from govpatrol.core.budgets import CUT_SCAN_TIME, record_cut, seconds_left
from govpatrol.core.clock import office_today
from govpatrol.core.completeness import runs_every_check
from govpatrol.core.db import get_engine
from govpatrol.core.models import (
    Finding,
    LinkTarget,
    Page,
    Scan,
    ScanStatus,
    Site,
    utcnow,
)
from govpatrol.core.settings import Thresholds, database_url
from govpatrol.core.site_settings import options_of, site_settings
from govpatrol.core.types import Check, SiteContext
from govpatrol.core.writer import BatchWriter
from scan.stage_times import StageTimes
from scoring.states import allow_lists

log = logging.getLogger(__name__)

ProgressFn = Callable[[Scan], None]
HEARTBEAT_S = 5.0
POLL_S = 0.5
TERMINATE_GRACE_S = 10.0
# Why a scan whose crawl stored no page failed: nothing was judged, so nothing may pass.
NO_PAGES = "未抓取到任何页面，无法判定"


class ScanInterrupted(Exception):
    """The scan was stopped from outside (Ctrl-C, SIGTERM, a killed crawl)."""


def create_scan(
    session: Session,
    site: Site,
    *,
    trigger: str = "manual",
    as_of: dt.date | None = None,
    options: dict[str, Any] | None = None,
) -> Scan:
    scan = Scan(
        site_id=site.id,
        trigger=trigger,
        status=ScanStatus.queued,
        as_of=as_of or office_today(),
        options=options or {},
    )
    session.add(scan)
    session.commit()
    session.refresh(scan)
    return scan


class _Heartbeat:
    """Marks the scan alive every few seconds while a long stage runs, so a scan whose
    process died can be told apart from a slow one."""

    def __init__(self, engine: Engine, scan_id: int) -> None:
        self.engine, self.scan_id = engine, scan_id
        self._stop = threading.Event()
        self._thread = threading.Thread(target=self._run, name="scan-heartbeat", daemon=True)

    def __enter__(self) -> _Heartbeat:
        self._thread.start()
        return self

    def __exit__(self, *exc: object) -> None:
        self._stop.set()
        self._thread.join(timeout=HEARTBEAT_S * 2)

    def _run(self) -> None:
        while not self._stop.wait(HEARTBEAT_S):
            try:
                with Session(self.engine) as session:
                    scan = session.get(Scan, self.scan_id)
                    if scan is not None:
                        scan.heartbeat_at = utcnow()
                        session.add(scan)
                        session.commit()
            except Exception:  # a missed heartbeat is harmless; the next one retries
                log.debug("heartbeat failed", exc_info=True)


def _update(engine: Engine, scan_id: int, **fields: Any) -> Scan:
    with Session(engine, expire_on_commit=False) as session:
        scan = session.get(Scan, scan_id)
        if scan is None:
            raise LookupError(f"scan {scan_id} does not exist")
        stats = fields.pop("stats", None)
        for key, value in fields.items():
            setattr(scan, key, value)
        if stats:
            scan.stats = {**(scan.stats or {}), **stats}
        scan.heartbeat_at = utcnow()
        session.add(scan)
        session.commit()
        session.refresh(scan)
        return scan


def _load(engine: Engine, scan_id: int) -> tuple[Scan, Site]:
    with Session(engine, expire_on_commit=False) as session:
        scan = session.get(Scan, scan_id)
        if scan is None:
            raise LookupError(f"scan {scan_id} does not exist")
        site = session.get(Site, scan.site_id)
        assert site is not None
        return scan, site


def crawl_job(
    scan: Scan, site: Site, db_url: str, *, allowed: dict[str, list[str]] | None = None
) -> CrawlJob:
    """What the crawl needs; ``allowed``: the site's allow lists (ScanContext.allowed)."""
    options = scan.options or {}
    return CrawlJob(
        scan_id=scan.id,
        db_url=db_url,
        site_url=site.url,
        site_id=site.id,
        site_name=site.name,
        as_of=scan.as_of or office_today(),
        extra_hosts=tuple(site.extra_hosts or ()),
        path_prefix=site.path_prefix or "/",
        thresholds=site_settings(site, scan),
        site_config=site.config or {},
        is_portal=site.is_portal,
        is_government=site.is_government,
        browser=options.get("browser", True),
        obey_robots=options.get("obey_robots", True),
        only_checks=options.get("checks"),
        address_zone=site.address_zone,
        allowed=allowed or {},
    )


def _allow_lists(engine: Engine, site_id: int) -> dict[str, list[str]]:
    with Session(engine) as session:
        return allow_lists(session, site_id)


def _run_crawl(
    engine: Engine, job: CrawlJob, progress: ProgressFn | None, *, in_process: bool
) -> None:
    if in_process:
        _crawl_here(engine, job, progress)
    else:
        _crawl_in_child(engine, job, progress)


def _crawl_here(engine: Engine, job: CrawlJob, progress: ProgressFn | None) -> None:
    """Crawl in this process, reporting progress from a thread. Only for a process that
    runs one scan and exits: Twisted's reactor cannot start twice in one process.

    Scrapy handles Ctrl-C and SIGTERM during the crawl (the spider closes with what it
    has); the handlers it installs are put back afterwards so that a Ctrl-C during the
    site checks interrupts them as usual."""
    from crawler.run import INTERRUPTED_REASONS
    from scan.crawl import crawl

    saved = {sig: signal.getsignal(sig) for sig in (signal.SIGINT, signal.SIGTERM, signal.SIGCHLD)}
    wakeup_fd = signal.set_wakeup_fd(-1)
    signal.set_wakeup_fd(wakeup_fd)
    done = threading.Event()
    reporter = threading.Thread(
        target=_report_progress, args=(engine, job.scan_id, progress, done), daemon=True
    )
    if progress:
        reporter.start()
    try:
        reason = crawl(job, watch_parent=False)
    finally:
        done.set()
        if reporter.is_alive():
            reporter.join(timeout=POLL_S * 4)
        for sig, handler in saved.items():
            signal.signal(sig, handler)
        signal.set_wakeup_fd(wakeup_fd)
    if reason in INTERRUPTED_REASONS:
        raise KeyboardInterrupt


def _report_progress(
    engine: Engine, scan_id: int, progress: ProgressFn, done: threading.Event
) -> None:
    while not done.wait(POLL_S):
        try:
            progress(_load(engine, scan_id)[0])
        except Exception:  # a missed progress update is harmless; the next one comes soon
            log.debug("progress update failed", exc_info=True)


def _crawl_in_child(engine: Engine, job: CrawlJob, progress: ProgressFn | None) -> None:
    """Run the crawl process and wait, reporting progress; stop it cleanly on interrupt."""
    with tempfile.NamedTemporaryFile("w", suffix=".json", delete=False, encoding="utf-8") as handle:
        handle.write(job.to_json())
        job_file = handle.name
    env = {**os.environ, "PYTHONUNBUFFERED": "1"}
    child = subprocess.Popen([sys.executable, "-m", "scan.crawl", job_file], env=env)
    try:
        while True:
            try:  # returns as soon as the crawl ends, not at the next tick
                child.wait(timeout=POLL_S)
                break
            except subprocess.TimeoutExpired:
                if progress:
                    progress(_load(engine, job.scan_id)[0])
    except BaseException:
        _stop_child(child)
        raise
    finally:
        Path(job_file).unlink(missing_ok=True)
    if child.returncode != 0:
        raise ScanInterrupted(f"抓取进程异常退出（退出码 {child.returncode}）")


def _stop_child(child: subprocess.Popen) -> None:
    """SIGINT lets Scrapy flush what it has; escalate if it does not stop in time."""
    for sig in (signal.SIGINT, signal.SIGTERM, signal.SIGKILL):
        if child.poll() is not None:
            return
        child.send_signal(sig)
        try:
            child.wait(timeout=TERMINATE_GRACE_S)
        except subprocess.TimeoutExpired:
            continue


def _site_context(session: Session, scan: Scan, site: Site, job: CrawlJob) -> SiteContext:
    return SiteContext(
        scan_id=scan.id,
        site_id=site.id,
        site_url=site.url,
        site_name=site.name,
        as_of=job.as_of,
        thresholds=job.thresholds,
        site_config=site.config or {},
        is_portal=site.is_portal,
        is_government=site.is_government,
        browser=job.browser,
        address_zone=site.address_zone,
        extra_hosts=job.extra_hosts,
        allowed=job.allowed,
        session=session,
        scan=scan,
        site=site,
    )


def _run_site_checks(
    engine: Engine,
    scan: Scan,
    site: Site,
    job: CrawlJob,
    progress: ProgressFn | None,
    times: StageTimes,
) -> tuple[dict[str, str], list[str]]:
    """Every check's site hook, in order; a failing check is recorded (name → error), the
    others still run. Once the scan's time budget is spent the remaining checks are skipped
    (returned, and recorded as cut); a check already running finishes, and link verification
    stops at the budget."""
    failed: dict[str, str] = {}
    skipped: list[str] = []
    for check in all_checks(job.only_checks):
        if type(check).on_site is Check.on_site:  # page hooks only
            continue
        if seconds_left(scan.started_at, job.thresholds.scan_budget_s) <= 0:
            skipped.append(check.name or type(check).__name__)
            continue
        scan = _update(engine, scan.id, stage=check.name or type(check).__name__)
        if progress:
            progress(scan)
        writer = BatchWriter(engine, scan.id, site.url)
        with (
            times.stage(check.name or type(check).__name__),
            Session(engine, expire_on_commit=False) as session,
        ):
            ctx = _site_context(session, scan, site, job)
            try:
                for record in check.on_site(ctx) or ():
                    writer.add(record)
                session.commit()
                writer.flush()
            except Exception as exc:
                session.rollback()
                log.exception("site check %s failed", check.name)
                failed[check.name or type(check).__name__] = str(exc)
    if skipped:
        _skip_for_budget(engine, scan.id, job, skipped)
    return failed, skipped


def _skip_for_budget(engine: Engine, scan_id: int, job: CrawlJob, skipped: list[str]) -> None:
    """Record the checks the scan's budget left out; link targets still pending stay
    unverified, with the reason."""
    with Session(engine) as session:
        leave_unverified(
            session, scan_id, scan_budget_spent(options_of(job.thresholds, LinkOptions))
        )
        record_cut(
            session,
            scan_id,
            CUT_SCAN_TIME,
            len(skipped),
            budget_s=job.thresholds.scan_budget_s,
            skipped_checks=skipped,
        )
        session.commit()


def _budget_error(scan: Scan, thresholds: Thresholds) -> str | None:
    """Why a scan cut by its whole-scan budget is not complete, in words; None if it was not."""
    cut = ((scan.stats or {}).get("cut") or {}).get(CUT_SCAN_TIME)
    if not cut:
        return None
    message = f"扫描总时间预算（{thresholds.scan_budget_s:g} 秒）已用完，结果不完整"
    skipped = cut.get("skipped_checks")
    return f"{message}：未运行的检查 {', '.join(skipped)}" if skipped else message


def _score(engine: Engine, scan_id: int) -> dict[str, Any]:
    with Session(engine) as session:
        return score_of(session, session.get(Scan, scan_id))


def score_of(session: Session, scan: Scan) -> dict[str, Any]:
    """The scan's score as reports show it. One scorer for the stored score and the reports:
    thresholds, scoring config and triage (false positives, columns marked unchanged) apply
    the same way."""
    from scoring.scores import score_for_scan

    return score_for_scan(session, scan).to_dict()


def rescore(session: Session, scan_id: int) -> dict[str, Any]:
    """Store a fresh score, e.g. after ``recheck`` changed the scan's findings."""
    scan = session.get(Scan, scan_id)
    scan.score = score_of(session, scan)
    session.add(scan)
    session.commit()
    return scan.score


def scan_counts(session: Session, scan_id: int) -> dict[str, int]:
    pages = session.exec(
        select(func.count()).select_from(Page).where(Page.scan_id == scan_id)
    ).one()
    targets = session.exec(
        select(func.count()).select_from(LinkTarget).where(LinkTarget.scan_id == scan_id)
    ).one()
    findings = session.exec(
        select(func.count()).select_from(Finding).where(Finding.scan_id == scan_id)
    ).one()
    return {"pages": pages, "link_targets": targets, "findings": findings}


def run_scan(
    scan_id: int,
    *,
    db_url: str | None = None,
    progress: ProgressFn | None = None,
    crawl_in_process: bool = False,
) -> Scan:
    """Run a created scan to its end and return it (status done, partial or failed).

    ``crawl_in_process``: crawl in this process rather than a child (one interpreter less
    in memory); only for a process that runs this one scan and exits."""
    times = StageTimes()
    db_url = db_url or database_url()
    engine = get_engine(db_url)
    scan, site = _load(engine, scan_id)
    job = crawl_job(scan, site, db_url, allowed=_allow_lists(engine, site.id))
    scan = _update(
        engine,
        scan_id,
        status=ScanStatus.running,
        started_at=utcnow(),
        pid=os.getpid(),
        stage="crawl",
        stats={"host": socket.gethostname()},
    )
    try:
        with _Heartbeat(engine, scan_id):
            # A name re-pointed outside the zone fixed at registration (a public site now on
            # 127.0.0.1): the crawl's guard would refuse every request anyway; refusing here
            # says why, instead of "home page unreachable".
            outside = FetchGuard(site.url, zones=site.address_zone).site_refusal()
            if outside is not None:
                return _finish(
                    engine,
                    scan_id,
                    ScanStatus.failed,
                    error=outside,
                    stats={"zone_refused": outside},
                )
            with times.stage("crawl"):
                _run_crawl(engine, job, progress, in_process=crawl_in_process)
            scan = _load(engine, scan_id)[0]
            home_error = (scan.stats or {}).get("crawl", {}).get("home_error")
            if home_error:
                return _finish(engine, scan_id, ScanStatus.failed, error=home_error)
            if _pages_stored(engine, scan_id) == 0:
                # Nothing crawled is nothing judged: checks run over no pages find nothing,
                # and "nothing found" would read as a clean site.
                return _finish(engine, scan_id, ScanStatus.failed, error=NO_PAGES)
            failures, skipped = _run_site_checks(engine, scan, site, job, progress, times)
            _update(engine, scan_id, stage="score")
            with times.stage("score"):
                score = _score(engine, scan_id)
            budget_error = _budget_error(_load(engine, scan_id)[0], job.thresholds)
    except (KeyboardInterrupt, ScanInterrupted) as exc:
        message = str(exc) or "扫描被中断"
        # A crawl that died before storing a page judged nothing: failed, not partial.
        died_at_start = _pages_stored(engine, scan_id) == 0
        status = ScanStatus.failed if died_at_start else ScanStatus.partial
        _finish(
            engine, scan_id, status, error=f"{message}（{NO_PAGES}）" if died_at_start else message
        )
        if isinstance(exc, KeyboardInterrupt):
            raise
        return _load(engine, scan_id)[0]
    except Exception as exc:
        log.exception("scan %s failed", scan_id)
        return _finish(engine, scan_id, ScanStatus.failed, error=f"{type(exc).__name__}: {exc}")
    # a scan its time budget cut short is not complete, whatever else went well
    not_run = set(failures) | set(skipped)
    ran = [check.name for check in all_checks(job.only_checks) if check.name not in not_run]
    errors = [budget_error, *(f"{name}: {exc}" for name, exc in failures.items())]
    error = "; ".join(e for e in errors if e) or None
    status = ScanStatus.partial if error else ScanStatus.done
    return _finish(
        engine,
        scan_id,
        status,
        error=error,
        score=score,
        checks=ran,
        stats={"stages": times.stages},
    )


def _pages_stored(engine: Engine, scan_id: int) -> int:
    with Session(engine) as session:
        return session.exec(
            select(func.count()).select_from(Page).where(Page.scan_id == scan_id)
        ).one()


def _finish(
    engine: Engine,
    scan_id: int,
    status: ScanStatus,
    *,
    error: str | None = None,
    score: dict | None = None,
    stats: dict[str, Any] | None = None,
    checks: list[str] | None = None,
) -> Scan:
    """End the scan. ``checks``: the checks that ran to the end (none unless given); the scan
    is complete only when it is done and they are every registered check."""
    with Session(engine) as session:
        counts = scan_counts(session, scan_id)
    ran = checks or []
    fields: dict[str, Any] = {
        "status": status,
        "finished_at": utcnow(),
        "stage": None,
        "error": error,
        "stats": {**counts, **(stats or {})},
        "checks": ran,
        "complete": status == ScanStatus.done and runs_every_check(ran),
    }
    if score is not None:
        fields["score"] = score
    return _update(engine, scan_id, **fields)


def reap_stale_scans(session: Session, *, stale_after_s: float = 120.0) -> list[int]:
    """Scans left ``running`` by a process that died end as ``partial``: none stays running forever."""
    now = utcnow()
    reaped = []
    for scan in session.exec(select(Scan).where(Scan.status == ScanStatus.running)):
        beat = scan.heartbeat_at or scan.started_at or scan.created_at
        if beat.tzinfo is None:
            beat = beat.replace(tzinfo=dt.UTC)
        age = (now - beat).total_seconds()
        local = (scan.stats or {}).get("host") == socket.gethostname()
        # On this machine a dead pid is proof; elsewhere only a silent heartbeat is.
        dead = local and scan.pid is not None and not _pid_alive(scan.pid) and age > HEARTBEAT_S * 3
        if dead or age > stale_after_s:
            scan.status = ScanStatus.partial
            scan.error = scan.error or "扫描进程已终止，结果不完整"
            scan.finished_at = now
            session.add(scan)
            reaped.append(scan.id)
    session.commit()
    return reaped


def _pid_alive(pid: int) -> bool:
    try:
        os.kill(pid, 0)
    except ProcessLookupError:
        return False
    except PermissionError:
        return True
    return True
