"""A site's scan rows from queued to taken: one site never has two scans at once, a queued
scan is claimed by exactly one dispatcher, and a scan whose process died is closed with the
reason.

What every backend shares (the local pool, the Celery workers, the cluster's watchdog); the
choice of backend is ``scheduler.dispatch``.
"""

from __future__ import annotations

import datetime as dt
import signal
import subprocess
import sys
from typing import Any

from sqlalchemy import exists, insert, literal, update
from sqlmodel import Session, col, select

from govpatrol.core.clock import office_today
from govpatrol.core.models import Scan, ScanStatus, Site, utcnow
from govpatrol.core.site_settings import scan_wall_limit_s

ACTIVE_STATUSES = (ScanStatus.queued, ScanStatus.running)
# A claimed scan whose process never reported back within this long never started.
CLAIM_TIMEOUT = dt.timedelta(minutes=10)
STDERR_TAIL_BYTES = 2000
# How long a scan process stopped at its wall-clock limit gets to record what it has.
STOP_GRACE_S = 30.0
OVER_TIME = (
    "扫描超过单次时限（{limit:g} 秒）被中止，结果不完整 (scan stopped at its wall-clock limit)"
)


class ScanAlreadyActive(RuntimeError):
    """The site already has a queued or running scan: a site's scans never overlap."""

    def __init__(self, site: Site, scan_id: int | None) -> None:
        self.site_id = site.id
        self.scan_id = scan_id
        super().__init__(
            f"网站 {site.name} 已有排队或进行中的扫描 #{scan_id}，请等待其结束 "
            f"(site #{site.id} already has scan #{scan_id} queued or running)"
        )


def active_scan(session: Session, site_id: int) -> Scan | None:
    stmt = (
        select(Scan)
        .where(Scan.site_id == site_id, col(Scan.status).in_(ACTIVE_STATUSES))
        .order_by(col(Scan.id))
        .limit(1)
    )
    return session.exec(stmt).first()


def start_scan(
    session: Session,
    site: Site,
    trigger: str = "manual",
    as_of: dt.date | None = None,
    options: dict[str, Any] | None = None,
) -> Scan:
    """Create a queued scan of ``site``; raise ScanAlreadyActive when one is queued or running.

    ``options`` default to the site's ``config["scan_options"]`` (e.g. ``{"browser": false}``).
    The check and the insert are one statement: SQLite takes its write lock when that
    statement starts, and on PostgreSQL the site row is locked first, so two requests racing
    to start the same site cannot both succeed.
    """
    if options is None:
        options = dict((site.config or {}).get("scan_options") or {})
    session.execute(select(Site.id).where(Site.id == site.id).with_for_update())
    columns = Scan.__table__.c
    # The row as the model builds it (its defaults included), inserted only if the site is
    # idle; unset columns are left out so they stay SQL NULL (a JSON column would store 'null').
    row = Scan(site_id=site.id, trigger=trigger, as_of=as_of or office_today(), options=options)
    values = {c.key: getattr(row, c.key) for c in columns if getattr(row, c.key) is not None}
    busy = exists().where(
        columns.site_id == site.id, columns.status.in_([s.value for s in ACTIVE_STATUSES])
    )
    source = select(*(literal(v, type_=columns[k].type) for k, v in values.items())).where(~busy)
    stmt = insert(Scan).from_select(list(values), source).returning(columns.id)
    new_id = session.execute(stmt).scalar_one_or_none()
    if new_id is None:
        session.rollback()
        current = active_scan(session, site.id)
        raise ScanAlreadyActive(site, current.id if current else None)
    session.commit()
    scan = session.get(Scan, new_id)
    assert scan is not None
    return scan


def scan_command(scan_id: int) -> list[str]:
    return [sys.executable, "-m", "govpatrol.cli.main", "run-scan", str(scan_id)]


def claim(session: Session, scan_id: int) -> bool:
    """Mark a queued scan as taken by this dispatcher; False when another one took it first
    (a scheduler process and a web process may both recover the same queued scan)."""
    stmt = (
        update(Scan)
        .where(
            col(Scan.id) == scan_id,
            Scan.status == ScanStatus.queued,
            col(Scan.started_at).is_(None),
        )
        # The heartbeat restarts at the claim: a re-send (cluster.resend_unclaimed) may have
        # stamped it earlier, and the watchdog measures a claimed scan's silence from it.
        .values(started_at=utcnow(), heartbeat_at=utcnow())
    )
    taken = session.execute(stmt).rowcount == 1
    session.commit()
    return taken


def settle(session: Session, scan_id: int, returncode: int, stderr_tail: str) -> Scan | None:
    """After the scan process exits: a scan it left queued or running did not end by itself
    (import error, killed by the OOM killer …) and is closed here, with the reason."""
    scan = session.get(Scan, scan_id)
    if scan is None or scan.status not in ACTIVE_STATUSES:
        return scan
    tail = stderr_tail.strip().splitlines()[-1:] or [""]
    if scan.status == ScanStatus.queued:
        scan.status = ScanStatus.failed
        scan.error = f"扫描进程未能启动（退出码 {returncode}）{tail[0]}"
    else:
        scan.status = ScanStatus.partial
        scan.error = scan.error or f"扫描进程异常退出（退出码 {returncode}），结果不完整 {tail[0]}"
    scan.finished_at = utcnow()
    scan.stage = None
    session.add(scan)
    session.commit()
    return scan


def wall_limit(session: Session, scan_id: int) -> float:
    """The scan's wall-clock limit in seconds (its site's override, else the setting)."""
    scan = session.get(Scan, scan_id)
    site = session.get(Site, scan.site_id) if scan is not None else None
    if scan is None or site is None:
        return scan_wall_limit_s(Site(name="", url=""))
    return scan_wall_limit_s(site, scan)


def stop_process(child: subprocess.Popen, grace_s: float = STOP_GRACE_S) -> int:
    """SIGINT first (the scan ends ``partial`` with what it wrote), SIGKILL if it ignores it."""
    for sig in (signal.SIGINT, signal.SIGKILL):
        if child.poll() is not None:
            break
        child.send_signal(sig)
        try:
            return child.wait(timeout=grace_s)
        except subprocess.TimeoutExpired:
            continue
    return child.wait()


def close_over_time(session: Session, scan_id: int, limit_s: float) -> Scan | None:
    """After a scan's process was stopped at its limit: the scan is never complete, and its
    error says why. A scan that finished ``done`` just before the stop keeps its result."""
    scan = session.get(Scan, scan_id)
    if scan is None or scan.status == ScanStatus.done:
        return scan
    scan.status = ScanStatus.failed if scan.status == ScanStatus.queued else ScanStatus.partial
    scan.error = OVER_TIME.format(limit=limit_s)
    scan.complete = False
    scan.finished_at = scan.finished_at or utcnow()
    scan.stage = None
    session.add(scan)
    session.commit()
    return scan
