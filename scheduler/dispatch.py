"""Running scans: a machine runs at most N, through one backend seam.

``dispatch_scan`` hands a queued scan (``scheduler.scan_queue.start_scan``) to the
process-wide dispatcher. The default, ``LocalDispatcher``, runs each scan as
``python -m govpatrol.cli.main run-scan ID`` in a bounded pool on this machine; a subprocess
per scan keeps Scrapy's reactor, Chromium and memory out of the web server and the
scheduler, and a crash there cannot take them down.

The dispatcher is the seam: anything with ``submit(scan_id)`` and ``shutdown()`` can replace
it through ``set_dispatcher`` (a Celery dispatcher when ``GOVPATROL_BROKER_URL`` is set).
"""

from __future__ import annotations

import logging
import os
import signal
import subprocess
import tempfile
import threading
from concurrent.futures import Future, ThreadPoolExecutor
from typing import Protocol

from sqlmodel import Session, select

from govpatrol.core.db import get_engine
from govpatrol.core.models import Scan, ScanStatus, utcnow
from govpatrol.core.settings import broker_url, database_url, settings
from scheduler.scan_queue import (
    CLAIM_TIMEOUT,
    STDERR_TAIL_BYTES,
    claim,
    close_over_time,
    scan_command,
    settle,
    stop_process,
    wall_limit,
)

log = logging.getLogger(__name__)


class Dispatcher(Protocol):
    def submit(self, scan_id: int) -> Future | None: ...

    def shutdown(self, wait: bool = False, *, interrupt: bool = False) -> None: ...


class LocalDispatcher:
    """Runs scans as subprocesses on this machine, ``pool_size`` at a time; the rest wait
    in order. Each worker thread only waits on its child, so threads are cheap here."""

    def __init__(self, pool_size: int | None = None, db_url: str | None = None) -> None:
        if pool_size is None:
            pool_size = settings().scan_workers
        if pool_size < 1:
            raise ValueError("scan pool size must be at least 1")
        self.pool_size = pool_size
        self.db_url = db_url or database_url()
        self._executor = ThreadPoolExecutor(max_workers=pool_size, thread_name_prefix="scan")
        self._lock = threading.Lock()
        self._children: dict[int, subprocess.Popen] = {}

    def submit(self, scan_id: int) -> Future:
        return self._executor.submit(self._run, scan_id)

    def running(self) -> list[int]:
        with self._lock:
            return sorted(self._children)

    def _run(self, scan_id: int) -> int | None:
        engine = get_engine(self.db_url)
        with Session(engine) as session:
            if not claim(session, scan_id):
                log.info("scan %s was taken by another dispatcher or is not queued", scan_id)
                return None
            limit_s = wall_limit(session, scan_id)
        env = {**os.environ, "GOVPATROL_DATABASE_URL": self.db_url, "PYTHONUNBUFFERED": "1"}
        # stderr goes to a file, not a pipe: a crawl logs megabytes and a full pipe would
        # block the child; only its tail is kept, to say why a scan died.
        with tempfile.TemporaryFile() as errors:
            child = subprocess.Popen(
                scan_command(scan_id), env=env, stdout=subprocess.DEVNULL, stderr=errors
            )
            with self._lock:
                self._children[scan_id] = child
            over_time = False
            try:
                returncode = child.wait(timeout=limit_s)
            except subprocess.TimeoutExpired:
                log.warning("scan %s ran past its limit of %g s; stopping it", scan_id, limit_s)
                returncode, over_time = stop_process(child), True
            finally:
                with self._lock:
                    self._children.pop(scan_id, None)
            errors.seek(max(0, errors.seek(0, os.SEEK_END) - STDERR_TAIL_BYTES))
            tail = errors.read().decode("utf-8", "replace")
        with Session(engine) as session:
            if over_time:
                close_over_time(session, scan_id, limit_s)
            settle(session, scan_id, returncode, tail)
        log.info("scan %s process exited with %s", scan_id, returncode)
        return returncode

    def shutdown(self, wait: bool = False, *, interrupt: bool = False) -> None:
        """Stop taking work. Scans not started yet stay queued in the store and are picked up
        by ``recover_queued`` at the next start. With ``interrupt`` the running scan processes
        get SIGINT, as on Ctrl-C, and end as ``partial`` with what they had; otherwise they
        finish on their own."""
        self._executor.shutdown(wait=False, cancel_futures=True)
        if interrupt:
            with self._lock:
                children = list(self._children.values())
            for child in children:
                if child.poll() is None:
                    child.send_signal(signal.SIGINT)
        if wait:
            self._executor.shutdown(wait=True)


_dispatcher: Dispatcher | None = None
_dispatcher_lock = threading.Lock()


def get_dispatcher(db_url: str | None = None) -> Dispatcher:
    """The process-wide dispatcher; the first call makes a LocalDispatcher on ``db_url`` (or
    the configured store), so the web app and the scheduler of one process share one pool.
    With ``GOVPATROL_BROKER_URL`` set it is a CeleryDispatcher instead: scans go to the
    cluster's workers, which use their own ``GOVPATROL_DATABASE_URL`` (the same store)."""
    global _dispatcher
    with _dispatcher_lock:
        if _dispatcher is None:
            if broker_url():
                from govpatrol.core.extras import require

                require("celery", "GOVPATROL_BROKER_URL（集群）")  # names the [cluster] extra
                require("redis", "GOVPATROL_BROKER_URL（集群）")
                from scheduler.celery_dispatch import CeleryDispatcher

                _dispatcher = CeleryDispatcher()
            else:
                _dispatcher = LocalDispatcher(db_url=db_url)
        return _dispatcher


def set_dispatcher(dispatcher: Dispatcher | None) -> Dispatcher | None:
    """Install the process-wide dispatcher (None: a LocalDispatcher on next use); returns the
    previous one so callers can shut it down."""
    global _dispatcher
    with _dispatcher_lock:
        previous, _dispatcher = _dispatcher, dispatcher
        return previous


def dispatch_scan(scan_id: int) -> Future | None:
    """Run a queued scan with the process-wide dispatcher; returns at once."""
    return get_dispatcher().submit(scan_id)


def recover_queued(session: Session, dispatcher: Dispatcher | None = None) -> list[int]:
    """At start-up: dispatch scans left queued and never taken (the process that queued them
    stopped), and fail scans taken long ago whose process never reported back.

    Without this a site whose queued scan was lost would refuse every new scan forever.
    """
    dispatcher = dispatcher or get_dispatcher()
    stuck_before = utcnow() - CLAIM_TIMEOUT
    queued = list(session.exec(select(Scan).where(Scan.status == ScanStatus.queued)))
    resumed = []
    for scan in queued:
        if scan.started_at is None:
            resumed.append(scan.id)
        elif scan.started_at < stuck_before:
            scan.status = ScanStatus.failed
            scan.error = "扫描进程未能启动 (the scan process never started)"
            scan.finished_at = utcnow()
            session.add(scan)
    session.commit()
    for scan_id in resumed:
        dispatcher.submit(scan_id)
    return resumed
