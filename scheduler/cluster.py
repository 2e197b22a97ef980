"""Running scans on a cluster of workers that share one store: who runs a scan, and what
happens when the worker running it dies.

**The lock is the store, not Redis.** Every worker writes to the same database, and that
database already holds the truth about scans, so it also holds the claims:

1. ``start_scan`` lets a site have at most one queued or running scan (one statement; the
   site row is locked first on PostgreSQL);
2. a worker runs a scan only after ``claim`` flipped it from "queued, not taken" to taken —
   a compare-and-set, so a message delivered twice (Redis redelivery, a resubmission by
   ``recover_queued``) runs the scan once;
3. the claim lives as long as the scan's heartbeat (``Scan.heartbeat_at``, written every 5 s
   by the pipeline). When it goes silent for ``stale_after_s``, any worker's watchdog closes
   the scan (compare-and-set again: one watchdog wins) and queues a fresh attempt through
   ``start_scan``, so rule 1 holds for the retry too;
4. a worker that was only slow, not dead (cut off from the database for a while), finds its
   scan closed at its next look and stops its crawl, so it cannot overlap the retry.

A Redis lock would be a second source of truth that can disagree with the store (after a
Redis restart or failover, or a lock that expired under a slow scan); a row claim cannot,
and it works the same on SQLite in tests.
"""

from __future__ import annotations

import datetime as dt
import logging
import os
import signal
import socket
import subprocess
import tempfile
import threading
from collections.abc import Callable
from contextlib import suppress
from enum import StrEnum

from sqlalchemy import func, update
from sqlalchemy.engine import Engine
from sqlmodel import Session, col, select

from govpatrol.core.db import get_engine
from govpatrol.core.models import Scan, ScanStatus, Site, utcnow
from govpatrol.core.settings import settings
from scan.pipeline import HEARTBEAT_S
from scheduler.scan_queue import (
    ACTIVE_STATUSES,
    STDERR_TAIL_BYTES,
    ScanAlreadyActive,
    claim,
    scan_command,
    settle,
    start_scan,
)

log = logging.getLogger(__name__)

WORKER_LOST = "工作节点失联，扫描已中止 (worker lost: heartbeat stopped)"
NEVER_STARTED = "工作节点领取后未启动扫描 (worker lost before the scan started)"


class Claim(StrEnum):
    taken = "taken"  # this worker runs it
    busy = "busy"  # another worker holds it
    closed = "closed"  # already ended (a redelivered message)
    missing = "missing"


def stale_after_s() -> float:
    return settings().stale_after_s


def max_attempts() -> int:
    return settings().scan_attempts


def prepare_store(db_url: str) -> Engine:
    """The engine of a cluster store that a bench or test builds for itself, brought to head
    under the upgrade lock (govpatrol.core.schema). A deployment's workers do not call this:
    they refuse a store that is not at head, and ``govpatrol db upgrade`` upgrades it."""
    from govpatrol.core.db import make_engine
    from govpatrol.core.schema import upgrade

    engine = make_engine(db_url)
    try:
        upgrade(engine)
    finally:
        engine.dispose()
    return get_engine(db_url)


def take(session: Session, scan_id: int) -> Claim:
    """Claim a scan for this worker, or say why not."""
    if claim(session, scan_id):
        return Claim.taken
    scan = session.get(Scan, scan_id)
    if scan is None:
        return Claim.missing
    return Claim.busy if scan.status in ACTIVE_STATUSES else Claim.closed


def fenced(scan: Scan | None) -> bool:
    """The scan was closed by a watchdog: whoever still runs it must stop."""
    return (
        scan is not None
        and scan.status not in ACTIVE_STATUSES
        and (scan.error or "").startswith((WORKER_LOST, NEVER_STARTED))
    )


def execute_scan(scan_id: int, db_url: str, *, poll_s: float = HEARTBEAT_S) -> str:
    """Run a queued scan on this worker, as ``govpatrol run-scan ID`` in a child process (a
    crash or the OOM killer there leaves the worker alive to record it). Returns what
    happened: the claim's outcome, or ``exit N`` for a scan that ran."""
    engine = get_engine(db_url)
    with Session(engine) as session:
        outcome = take(session, scan_id)
    if outcome is not Claim.taken:
        log.info("scan %s not run here: %s", scan_id, outcome)
        return outcome.value
    _record_runner(engine, scan_id)
    env = {**os.environ, "GOVPATROL_DATABASE_URL": db_url, "PYTHONUNBUFFERED": "1"}
    # stderr to a file, not a pipe: a crawl can log megabytes and a full pipe blocks it.
    with tempfile.TemporaryFile() as errors:
        child = subprocess.Popen(
            scan_command(scan_id), env=env, stdout=subprocess.DEVNULL, stderr=errors
        )
        returncode = _wait_fenced(engine, scan_id, child, poll_s)
        errors.seek(max(0, errors.seek(0, os.SEEK_END) - STDERR_TAIL_BYTES))
        tail = errors.read().decode("utf-8", "replace")
    with Session(engine) as session:
        settle(session, scan_id, returncode, tail)
    log.info("scan %s process exited with %s", scan_id, returncode)
    return f"exit {returncode}"


def worker_id() -> str:
    return f"{socket.gethostname()}:{os.getpid()}"


def _record_runner(engine: Engine, scan_id: int) -> None:
    """Which worker took the scan, for operators (and the pipeline keeps merging stats)."""
    with Session(engine) as session:
        scan = session.get(Scan, scan_id)
        if scan is not None:
            scan.stats = {**(scan.stats or {}), "worker": worker_id()}
            session.add(scan)
            session.commit()


def _wait_fenced(engine: Engine, scan_id: int, child: subprocess.Popen, poll_s: float) -> int:
    """Wait for the scan process, stopping it if a watchdog declared this worker lost."""
    while True:
        try:
            return child.wait(timeout=poll_s)
        except subprocess.TimeoutExpired:
            pass
        try:
            with Session(engine) as session:
                scan = session.get(Scan, scan_id)
        except Exception:  # the store is unreachable: keep going, the heartbeat decides
            log.warning("cannot read scan %s to check its claim", scan_id, exc_info=True)
            continue
        if fenced(scan):
            log.warning("scan %s was closed by a watchdog; stopping its process", scan_id)
            for sig in (signal.SIGINT, signal.SIGKILL):
                with suppress(ProcessLookupError):
                    child.send_signal(sig)
                try:
                    return child.wait(timeout=poll_s * 2)
                except subprocess.TimeoutExpired:
                    continue
            return child.wait()


# -- dead workers ----------------------------------------------------------------------


def _last_sign_of_life():
    return func.coalesce(Scan.heartbeat_at, Scan.started_at, Scan.created_at)


def reap_lost_scans(
    session: Session,
    requeue: Callable[[int], object] | None,
    *,
    stale_after: float | None = None,
    attempts: int | None = None,
) -> list[tuple[int, int | None]]:
    """Close scans whose worker went silent and queue a fresh attempt of each (up to
    ``attempts`` in all). Returns ``(closed scan, new scan or None)`` pairs.

    Two kinds are lost: running scans whose heartbeat is older than ``stale_after``, and
    scans a worker claimed but never started. A closed attempt ends ``partial`` (it keeps
    the rows it wrote; a scan never re-uses another's id) or ``failed`` when it had not
    started; the retry is a new scan with ``options["retry_of"]`` and ``["attempt"]``.
    """
    stale_after = stale_after_s() if stale_after is None else stale_after
    attempts = max_attempts() if attempts is None else attempts
    cutoff = utcnow() - dt.timedelta(seconds=stale_after)
    lost = list(
        session.exec(
            select(Scan.id, Scan.status).where(
                (
                    (Scan.status == ScanStatus.running)
                    | ((Scan.status == ScanStatus.queued) & col(Scan.started_at).is_not(None))
                )
                & (_last_sign_of_life() < cutoff)
            )
        )
    )
    results: list[tuple[int, int | None]] = []
    for scan_id, status in lost:
        if not _close_lost(session, scan_id, status, cutoff):
            continue  # it beat just now, or another watchdog closed it first
        results.append((scan_id, _retry(session, scan_id, attempts, requeue)))
    return results


def _close_lost(session: Session, scan_id: int, status: ScanStatus, cutoff: dt.datetime) -> bool:
    started = status == ScanStatus.running
    stmt = (
        update(Scan)
        .where(col(Scan.id) == scan_id, Scan.status == status, _last_sign_of_life() < cutoff)
        .values(
            status=ScanStatus.partial if started else ScanStatus.failed,
            error=WORKER_LOST if started else NEVER_STARTED,
            finished_at=utcnow(),
            stage=None,
        )
    )
    closed = session.execute(stmt).rowcount == 1
    session.commit()
    if closed:
        log.warning(
            "scan %s: worker lost, closed as %s", scan_id, "partial" if started else "failed"
        )
    return closed


def _retry(
    session: Session, scan_id: int, attempts: int, requeue: Callable[[int], object] | None
) -> int | None:
    old = session.get(Scan, scan_id)
    site = session.get(Site, old.site_id) if old else None
    if old is None or site is None or requeue is None:
        return None
    options = dict(old.options or {})
    attempt = int(options.get("attempt", 1))
    if attempt >= attempts:
        log.warning(
            "scan %s: worker lost on attempt %s of %s, not retried", scan_id, attempt, attempts
        )
        return None
    options.update(attempt=attempt + 1, retry_of=scan_id)
    try:
        new = start_scan(session, site, trigger=old.trigger, as_of=old.as_of, options=options)
    except ScanAlreadyActive:
        return None  # someone queued the site again meanwhile: that scan stands in
    requeue(new.id)
    log.warning("scan %s re-queued as scan %s (attempt %s)", scan_id, new.id, attempt + 1)
    return new.id


class Watchdog:
    """A daemon thread in every worker that reaps lost scans every ``interval_s``. Any
    number of workers may run one: closing a scan is a compare-and-set, one of them wins."""

    def __init__(
        self,
        db_url: str,
        requeue: Callable[[int], object],
        *,
        interval_s: float = HEARTBEAT_S,
        stale_after: float | None = None,
        attempts: int | None = None,
    ) -> None:
        self.db_url, self.requeue, self.interval_s = db_url, requeue, interval_s
        self.stale_after, self.attempts = stale_after, attempts
        self._stop = threading.Event()
        self._thread = threading.Thread(target=self._run, name="scan-watchdog", daemon=True)

    def start(self) -> Watchdog:
        self._thread.start()
        return self

    def stop(self) -> None:
        self._stop.set()
        self._thread.join(timeout=self.interval_s * 2)

    def _run(self) -> None:
        engine = get_engine(self.db_url)
        while not self._stop.wait(self.interval_s):
            try:
                with Session(engine) as session:
                    reap_lost_scans(
                        session,
                        self.requeue,
                        stale_after=self.stale_after,
                        attempts=self.attempts,
                    )
            except Exception:  # the store may be briefly away; the next round retries
                log.warning("watchdog round failed", exc_info=True)
