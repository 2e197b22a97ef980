"""Which scans a report compares: the one reported, the one before it, the recent history.

Only ``done`` and ``partial`` scans count: a queued, running or failed scan has no findings
worth comparing, and treating its empty result as "everything fixed" would lie.
"""

from __future__ import annotations

import datetime as dt

from sqlmodel import Session, col, select

from govpatrol.models import Scan, ScanStatus
from reports.fmt import scan_date

REPORTABLE = (ScanStatus.done, ScanStatus.partial)


def latest_scan(session: Session, site_id: int) -> Scan | None:
    stmt = (
        select(Scan)
        .where(Scan.site_id == site_id, col(Scan.status).in_(REPORTABLE))
        .order_by(col(Scan.id).desc())
        .limit(1)
    )
    return session.exec(stmt).first()


def previous_scan(session: Session, scan: Scan) -> Scan | None:
    """The reportable scan of the same site just before ``scan`` (scan ids grow with time)."""
    stmt = (
        select(Scan)
        .where(
            Scan.site_id == scan.site_id,
            col(Scan.status).in_(REPORTABLE),
            col(Scan.id) < scan.id,
        )
        .order_by(col(Scan.id).desc())
        .limit(1)
    )
    return session.exec(stmt).first()


def report_scan(session: Session, site_id: int, scan_id: int | None) -> Scan | None:
    """The scan a report is about: the one asked for (of this site), else the latest."""
    if scan_id is None:
        return latest_scan(session, site_id)
    scan = session.get(Scan, scan_id)
    if scan is None or scan.site_id != site_id:
        raise ValueError(f"scan {scan_id} is not a scan of site {site_id}")
    return scan


def as_of(scan: Scan) -> dt.date:
    return scan_date(scan.as_of, scan.started_at, scan.created_at)


def recent_scans(session: Session, scan: Scan, *, weeks: int = 12) -> list[Scan]:
    """Reportable scans of the site judged within ``weeks`` weeks up to ``scan``, oldest first."""
    until = as_of(scan)
    since = until - dt.timedelta(weeks=weeks)
    stmt = (
        select(Scan)
        .where(
            Scan.site_id == scan.site_id,
            col(Scan.status).in_(REPORTABLE),
            col(Scan.id) <= scan.id,
        )
        .order_by(col(Scan.id))
    )
    return [s for s in session.exec(stmt) if since < as_of(s) <= until]
