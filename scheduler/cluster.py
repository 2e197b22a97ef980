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
import socket
import subprocess
import tempfile
import threading
import time
from collections.abc import Callable
from enum import StrEnum

from sqlalchemy import func, update
from sqlalchemy.engine import Engine
from sqlmodel import Session, col, select

from govpatrol.core.db import get_engine
from govpatrol.core.models import Scan, ScanStatus, Site, utcnow
from govpatrol.core.settings import settings
from scan.pipeline import HEARTBEAT_S
from scheduler.lease import beat_worker, forget_worker
from scheduler.scan_queue import (
    ACTIVE_STATUSES,
    STDERR_TAIL_BYTES,
    ScanAlreadyActive,
    claim,
    close_over_time,
    scan_command,
    settle,
    start_scan,
    stop_process,
    wall_limit,
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
    with Session(engine) as session:
        limit_s = wall_limit(session, scan_id)
    env = {**os.environ, "GOVPATROL_DATABASE_URL": db_url, "PYTHONUNBUFFERED": "1"}
    # stderr to a file, not a pipe: a crawl can log megabytes and a full pipe blocks it.
    with tempfile.TemporaryFile() as errors:
        child = subprocess.Popen(
            scan_command(scan_id), env=env, stdout=subprocess.DEVNULL, stderr=errors
        )
        returncode, over_time = _wait_fenced(engine, scan_id, child, poll_s, limit_s)
        errors.seek(max(0, errors.seek(0, os.SEEK_END) - STDERR_TAIL_BYTES))
        tail = errors.read().decode("utf-8", "replace")
    with Session(engine) as session:
        if over_time:
            close_over_time(session, scan_id, limit_s)
        settle(session, scan_id, returncode, tail)
    log.info("scan %s process exited with %s", scan_id, returncode)
    return f"over time, exit {returncode}" if over_time else f"exit {returncode}"


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


def _wait_fenced(
    engine: Engine, scan_id: int, child: subprocess.Popen, poll_s: float, limit_s: float
) -> tuple[int, bool]:
    """Wait for the scan process, stopping it if a watchdog declared this worker lost or it
    ran past its wall-clock limit. Returns its exit code and whether the limit stopped it."""
    deadline = time.monotonic() + limit_s
    while True:
        try:
            return child.wait(timeout=max(0.0, min(poll_s, deadline - time.monotonic()))), False
        except subprocess.TimeoutExpired:
            pass
        if time.monotonic() >= deadline:
            log.warning("scan %s ran past its limit of %g s; stopping it", scan_id, limit_s)
            return stop_process(child), True
        try:
            with Session(engine) as session:
                scan = session.get(Scan, scan_id)
        except Exception:  # the store is unreachable: keep going, the heartbeat decides
            log.warning("cannot read scan %s to check its claim", scan_id, exc_info=True)
            continue
        if fenced(scan):
            log.warning("scan %s was closed by a watchdog; stopping its process", scan_id)
            return stop_process(child, poll_s * 2), False


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


def requeue_after_s() -> float:
    return settings().requeue_after_s


def resend_unclaimed(
    session: Session,
    send: Callable[[int], object],
    *,
    after_s: float | None = None,
    pending: Callable[[], set[int]] | None = None,
) -> list[int]:
    """Send again the scans queued longer than ``after_s`` that no worker claimed: their
    message may be lost (Redis was down when it was sent, or restarted without persistence),
    and without this the site would refuse every later scan. A message that was only slow to
    reach a worker (a long queue) is harmless twice: the claim runs the scan once.

    With ``pending`` (the scan ids the broker still holds, ``CeleryDispatcher.pending``) only
    the scans whose message is gone are sent, at most once per ``after_s``: a scan waiting in
    a long queue gets no duplicate. When the broker cannot be read this round sends nothing
    (it could not send either). Without ``pending`` (another dispatcher may hold the message
    in memory) re-sends back off: a scan is sent again once it has waited twice as long as at
    its previous sending (after_s, 2×, 4× …), a handful of duplicates, not one per round.

    ``heartbeat_at`` of a queued scan records when it was last sent; marking it is a
    compare-and-set, so of several watchdogs one sends it. Returns the ids sent again."""
    after_s = requeue_after_s() if after_s is None else after_s
    now = utcnow()
    cutoff = now - dt.timedelta(seconds=after_s)
    waiting = (Scan.status == ScanStatus.queued) & col(Scan.started_at).is_(None)
    last_sent = func.coalesce(Scan.heartbeat_at, Scan.created_at)
    rows = session.exec(
        select(Scan.id, Scan.created_at, Scan.heartbeat_at).where(waiting & (last_sent < cutoff))
    ).all()
    held: set[int] = set()
    if rows and pending is not None:
        try:
            held = pending()
        except Exception:
            log.warning("cannot read the broker's queue; no re-sending this round", exc_info=True)
            return []
    resent = []
    for scan_id, created, sent in rows:
        if scan_id in held:
            continue  # its message is still there: it waits its turn
        backing_off = sent is not None and pending is None
        if backing_off and _aware(now) - _aware(created) < 2 * (_aware(sent) - _aware(created)):
            continue  # not yet twice its wait at the previous sending
        same = col(Scan.heartbeat_at).is_(None) if sent is None else Scan.heartbeat_at == sent
        stamped = session.execute(
            update(Scan).where(col(Scan.id) == scan_id, waiting, same).values(heartbeat_at=now)
        ).rowcount
        session.commit()
        if stamped != 1:
            continue  # claimed meanwhile, or another watchdog sent it
        try:
            send(scan_id)
        except Exception:  # the broker is still away: the next round tries again
            log.warning("could not re-send unclaimed scan %s", scan_id, exc_info=True)
            session.execute(
                update(Scan)
                .where(col(Scan.id) == scan_id, Scan.heartbeat_at == now)
                .values(heartbeat_at=sent)
            )
            session.commit()
            continue
        log.warning("scan %s was not claimed within %g s; sent again", scan_id, after_s)
        resent.append(scan_id)
    return resent


def _aware(moment: dt.datetime) -> dt.datetime:
    return moment if moment.tzinfo is not None else moment.replace(tzinfo=dt.UTC)


def heal(
    session: Session,
    send: Callable[[int], object],
    *,
    stale_after: float | None = None,
    attempts: int | None = None,
    requeue_after: float | None = None,
    pending: Callable[[], set[int]] | None = None,
) -> tuple[list[tuple[int, int | None]], list[int]]:
    """One round of healing: close and retry scans whose worker died, re-send scans whose
    message was lost."""
    lost = reap_lost_scans(session, send, stale_after=stale_after, attempts=attempts)
    return lost, resend_unclaimed(session, send, after_s=requeue_after, pending=pending)


class Watchdog:
    """A daemon thread in every worker that, every ``interval_s``, records the worker's
    heartbeat (``scheduler.lease.beat_worker``, when ``node`` is given), reaps lost scans and
    re-sends unclaimed ones (``heal``). Any number of workers may run one: closing and
    re-sending are compare-and-sets, one of them wins."""

    def __init__(
        self,
        db_url: str,
        requeue: Callable[[int], object],
        *,
        interval_s: float = HEARTBEAT_S,
        stale_after: float | None = None,
        attempts: int | None = None,
        requeue_after: float | None = None,
        node: str | None = None,
        concurrency: int = 1,
        pending: Callable[[], set[int]] | None = None,
    ) -> None:
        self.db_url, self.requeue, self.interval_s = db_url, requeue, interval_s
        self.stale_after, self.attempts = stale_after, attempts
        self.requeue_after = requeue_after
        self.node, self.concurrency = node, concurrency
        self.pending = pending
        self._stop = threading.Event()
        self._thread = threading.Thread(target=self._run, name="scan-watchdog", daemon=True)

    def start(self) -> Watchdog:
        self._thread.start()
        return self

    def stop(self) -> None:
        self._stop.set()
        self._thread.join(timeout=self.interval_s * 2)
        if self.node is not None:
            try:
                forget_worker(get_engine(self.db_url), self.node)
            except Exception:  # its row ages out of capacity planning by itself
                log.warning("could not remove worker %s from the store", self.node)

    def _run(self) -> None:
        engine = get_engine(self.db_url)
        info = {"concurrency": self.concurrency}
        while True:
            try:
                if self.node is not None:
                    beat_worker(engine, self.node, info)
                with Session(engine) as session:
                    heal(
                        session,
                        self.requeue,
                        stale_after=self.stale_after,
                        attempts=self.attempts,
                        requeue_after=self.requeue_after,
                        pending=self.pending,
                    )
            except Exception:  # the store may be briefly away; the next round retries
                log.warning("watchdog round failed", exc_info=True)
            if self._stop.wait(self.interval_s):
                return
