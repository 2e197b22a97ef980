"""Which scans a report shows and compares: the site's official result, the one before it,
the recent history.

What makes a scan official lives in govpatrol/core/completeness.py: a done scan that ran every
check. Only official scans are a site's verdict, its trend and the baseline of a comparison;
a partial or ``--only`` scan can still be reported on its own, shown as what it is.
"""

from __future__ import annotations

import datetime as dt

from sqlmodel import Session, col, select

from govpatrol.core.clock import scan_date
from govpatrol.core.completeness import official_clause
from govpatrol.core.models import Scan, ScanStatus

# Scans that hold results worth reading (their own report, the latest scan shown beside the
# official one). A queued, running or failed scan holds none.
REPORTABLE = (ScanStatus.done, ScanStatus.partial)


def latest_scan(session: Session, site_id: int) -> Scan | None:
    """The newest scan with results, complete or not."""
    stmt = (
        select(Scan)
        .where(Scan.site_id == site_id, col(Scan.status).in_(REPORTABLE))
        .order_by(col(Scan.id).desc())
        .limit(1)
    )
    return session.exec(stmt).first()


def official_scan(session: Session, site_id: int) -> Scan | None:
    """The site's official result: its newest complete scan."""
    stmt = (
        select(Scan)
        .where(Scan.site_id == site_id, official_clause())
        .order_by(col(Scan.id).desc())
        .limit(1)
    )
    return session.exec(stmt).first()


def previous_scan(session: Session, scan: Scan) -> Scan | None:
    """The baseline ``scan`` is compared with: the site's complete scan just before it (scan
    ids grow with time). A partial or --only scan never is one: what it did not check would
    read as fixed, and the next full scan's findings as new."""
    stmt = (
        select(Scan)
        .where(Scan.site_id == scan.site_id, official_clause(), col(Scan.id) < scan.id)
        .order_by(col(Scan.id).desc())
        .limit(1)
    )
    return session.exec(stmt).first()


def report_scan(session: Session, site_id: int, scan_id: int | None) -> Scan | None:
    """The scan a report is about: the one asked for (of this site), else the official one,
    else (a site with no complete scan yet) the latest, which its report flags as incomplete."""
    if scan_id is None:
        return official_scan(session, site_id) or latest_scan(session, site_id)
    scan = session.get(Scan, scan_id)
    if scan is None or scan.site_id != site_id:
        raise ValueError(f"scan {scan_id} is not a scan of site {site_id}")
    return scan


def as_of(scan: Scan) -> dt.date:
    return scan_date(scan.as_of, scan.started_at, scan.created_at)


def recent_scans(session: Session, scan: Scan, *, weeks: int = 12) -> list[Scan]:
    """Complete scans of the site judged within ``weeks`` weeks up to ``scan``, oldest first."""
    until = as_of(scan)
    since = until - dt.timedelta(weeks=weeks)
    stmt = (
        select(Scan)
        .where(Scan.site_id == scan.site_id, official_clause(), col(Scan.id) <= scan.id)
        .order_by(col(Scan.id))
    )
    return [s for s in session.exec(stmt) if since < as_of(s) <= until]
