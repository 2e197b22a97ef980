"""What the pages and the API show, read from the store once for both.

Lists are paginated in SQL: a large site's scan holds tens of thousands of findings, and a
page of them needs only its own rows' lifecycle and triage, fetched for those rows alone.
"""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass, field
from typing import Any

from sqlalchemy import ColumnElement, case, false, func
from sqlmodel import Session, col, select

from dashboard.finding_order import finding_order
from dashboard.i18n import stage_label, status_label
from dashboard.scope import Scope
from govpatrol.core.completeness import checks_ran, is_complete, official_clause
from govpatrol.core.models import Finding, FindingState, Org, Probe, Scan, Site, utcnow
from reports.fmt import iso_time
from scheduler.jobs import next_scan_time, scan_cron
from scheduler.scan_queue import ACTIVE_STATUSES
from scoring.scans import latest_scan, previous_scan
from scoring.scores import points_of

PAGE_SIZE = 100
TRIAGE_FILTERS = ("acknowledged", "false_positive", "unchanged", "untriaged")
LIFECYCLE_FILTERS = ("new", "open")


@dataclass
class SiteRow:
    site: Site
    org_name: str | None
    last: Scan | None  # the newest scan of any status
    reported: Scan | None  # the site's official (complete) scan: the verdict shown
    points: float | None = None
    verdict: str | None = None
    vetoes: list[str] = field(default_factory=list)

    @property
    def busy(self) -> bool:
        return self.last is not None and self.last.status in ACTIVE_STATUSES

    def to_dict(self) -> dict[str, Any]:
        return {
            **site_dict(self.site),
            "org": self.org_name,
            "last_scan": scan_dict(self.last) if self.last else None,
            "reported_scan_id": self.reported.id if self.reported else None,
            "official_scan_id": self.reported.id if self.reported else None,
            "verdict": self.verdict,
            "points": self.points,
            "vetoes": self.vetoes,
        }


def site_dict(site: Site) -> dict[str, Any]:
    return {
        "id": site.id,
        "name": site.name,
        "url": site.url,
        "org_id": site.org_id,
        "is_portal": site.is_portal,
        "is_government": site.is_government,
        "schedule_cron": site.schedule_cron,
        "active": site.active,
        "config": site.config or {},
        "address_zone": site.address_zone,
    }


def scan_dict(scan: Scan) -> dict[str, Any]:
    return {
        "id": scan.id,
        "site_id": scan.site_id,
        "trigger": scan.trigger,
        "status": str(scan.status),
        "stage": scan.stage,
        "as_of": scan.as_of.isoformat() if scan.as_of else None,
        "created_at": iso_time(scan.created_at),
        "started_at": iso_time(scan.started_at),
        "finished_at": iso_time(scan.finished_at),
        "error": scan.error,
        "stats": scan.stats or {},
        "complete": is_complete(scan),
        "checks": sorted(checks_ran(scan)),
        "verdict": (scan.score or {}).get("verdict"),
        "points": (scan.score or {}).get("points"),
        "vetoes": (scan.score or {}).get("vetoes", []),
    }


def org_names(session: Session) -> dict[int, str]:
    return {org.id: org.name for org in session.exec(select(Org))}


def site_rows(session: Session, scope: Scope, *, org_ids: set[int] | None = None) -> list[SiteRow]:
    """The sites in scope (optionally only under some organisations) with their latest scan
    and verdict: three queries whatever the number of sites."""
    stmt = select(Site).where(scope.site_clause()).order_by(col(Site.name))
    if org_ids is not None:
        stmt = stmt.where(col(Site.org_id).in_(sorted(org_ids)))
    sites = list(session.exec(stmt))
    ids = [s.id for s in sites]
    names = org_names(session)
    last = _latest_by_site(session, ids, None)
    reported = _latest_by_site(session, ids, official_clause())
    rows = []
    for site in sites:
        row = SiteRow(site, names.get(site.org_id), last.get(site.id), reported.get(site.id))
        if row.reported is not None:
            row.points, row.verdict = points_of(session, row.reported, site)
            row.vetoes = list((row.reported.score or {}).get("vetoes") or [])
        rows.append(row)
    return rows


def _latest_by_site(
    session: Session, site_ids: list[int], condition: ColumnElement[bool] | None
) -> dict[int, Scan]:
    """Each site's newest scan (that meets ``condition``)."""
    if not site_ids:
        return {}
    newest = select(Scan.site_id, func.max(Scan.id).label("id")).where(
        col(Scan.site_id).in_(site_ids)
    )
    if condition is not None:
        newest = newest.where(condition)
    sub = newest.group_by(Scan.site_id).subquery()
    scans = session.exec(select(Scan).join(sub, col(Scan.id) == sub.c.id))
    return {scan.site_id: scan for scan in scans}


def scan_history(session: Session, site_id: int, limit: int = 52) -> list[Scan]:
    stmt = select(Scan).where(Scan.site_id == site_id).order_by(col(Scan.id).desc()).limit(limit)
    return list(session.exec(stmt))


def progress(session: Session, scan: Scan, lang: str = "zh") -> dict[str, Any]:
    """What the live progress box shows while a scan runs."""
    stats = scan.stats or {}
    findings = stats.get("findings")
    if findings is None:  # the crawl has not reported a count: count the rows written so far
        findings = session.exec(
            select(func.count()).select_from(Finding).where(Finding.scan_id == scan.id)
        ).one()
    return {
        "id": scan.id,
        "status": str(scan.status),
        "status_label": status_label(scan.status, lang),
        "stage": scan.stage,
        "stage_label": stage_label(scan.stage, lang),
        "finished": scan.status not in ACTIVE_STATUSES,
        "pages": stats.get("pages", 0),
        "queued": stats.get("queued", 0),
        "errors": stats.get("errors", 0),
        "findings": findings,
        "pages_per_s": stats.get("pages_per_s", 0),
        "verdict": (scan.score or {}).get("verdict"),
        "points": (scan.score or {}).get("points"),
        "error": scan.error,
    }


@dataclass
class Schedule:
    cron: str
    is_default: bool
    next_run: dt.datetime | None


def schedule_of(site: Site) -> Schedule:
    try:
        next_run = next_scan_time(site)
    except ValueError:
        next_run = None
    return Schedule(scan_cron(site), not (site.schedule_cron or "").strip(), next_run)


@dataclass
class ProbeSummary:
    probes: int
    failures: int
    last: Probe | None


def probe_summary(session: Session, site_id: int, hours: int = 24) -> ProbeSummary:
    since = utcnow() - dt.timedelta(hours=hours)
    counts = session.exec(
        select(func.count(), func.sum(case((col(Probe.ok).is_(False), 1), else_=0)))
        .select_from(Probe)
        .where(Probe.site_id == site_id, col(Probe.at) >= since)
    ).one()
    last = session.exec(
        select(Probe).where(Probe.site_id == site_id).order_by(col(Probe.at).desc()).limit(1)
    ).first()
    return ProbeSummary(int(counts[0] or 0), int(counts[1] or 0), last)


@dataclass
class FindingRow:
    finding: Finding
    lifecycle: str  # new | open
    triage: str | None
    note: str | None

    @property
    def state(self) -> str:
        return self.triage or self.lifecycle

    def to_dict(self) -> dict[str, Any]:
        f = self.finding
        return {
            "id": f.id,
            "check": f.check,
            "severity": f.severity,
            "page": f.page,
            "target": f.target,
            "message": f.message,
            "detail": f.detail or {},
            "fingerprint": f.fingerprint,
            "state": self.state,
            "lifecycle": self.lifecycle,
            "triage": self.triage,
            "note": self.note,
        }


@dataclass
class FindingsPage:
    rows: list[FindingRow]
    total: int
    offset: int
    limit: int
    checks: list[tuple[str, int]]  # every check of the scan with its count, for the filter


def findings_page(
    session: Session,
    scan: Scan,
    *,
    check: str | None = None,
    severity: str | None = None,
    state: str | None = None,
    offset: int = 0,
    limit: int = PAGE_SIZE,
) -> FindingsPage:
    stmt = select(Finding).where(Finding.scan_id == scan.id)
    if check:
        stmt = stmt.where(Finding.check == check)
    if severity:
        stmt = stmt.where(Finding.severity == severity)
    prev = previous_scan(session, scan)
    stmt = _state_filter(stmt, state, scan.site_id, prev)
    total = session.exec(select(func.count()).select_from(stmt.subquery())).one()
    found = list(session.exec(stmt.order_by(*finding_order(scan)).offset(offset).limit(limit)))
    fingerprints = sorted({f.fingerprint for f in found})
    before: set[str] = set()
    if prev is not None and fingerprints:
        before = set(
            session.exec(
                select(Finding.fingerprint).where(
                    Finding.scan_id == prev.id, col(Finding.fingerprint).in_(fingerprints)
                )
            )
        )
    marks = (
        {
            m.fingerprint: m
            for m in session.exec(
                select(FindingState).where(
                    FindingState.site_id == scan.site_id,
                    col(FindingState.fingerprint).in_(fingerprints),
                )
            )
        }
        if fingerprints
        else {}
    )
    rows = [
        FindingRow(
            f,
            "open" if f.fingerprint in before else "new",
            marks[f.fingerprint].state if f.fingerprint in marks else None,
            marks[f.fingerprint].note if f.fingerprint in marks else None,
        )
        for f in found
    ]
    checks = session.exec(
        select(Finding.check, func.count())
        .where(Finding.scan_id == scan.id)
        .group_by(Finding.check)
        .order_by(Finding.check)
    ).all()
    return FindingsPage(rows, total, offset, limit, [(c, n) for c, n in checks])


def _state_filter(stmt: Any, state: str | None, site_id: int, prev: Scan | None) -> Any:
    if state in ("acknowledged", "false_positive", "unchanged"):
        marked = select(FindingState.fingerprint).where(
            FindingState.site_id == site_id, FindingState.state == state
        )
        return stmt.where(col(Finding.fingerprint).in_(marked))
    if state == "untriaged":
        marked = select(FindingState.fingerprint).where(FindingState.site_id == site_id)
        return stmt.where(col(Finding.fingerprint).not_in(marked))
    if state in LIFECYCLE_FILTERS:
        if prev is None:
            return stmt if state == "new" else stmt.where(false())
        before = select(Finding.fingerprint).where(Finding.scan_id == prev.id)
        fp = col(Finding.fingerprint)
        return stmt.where(fp.in_(before) if state == "open" else fp.not_in(before))
    return stmt


def reportable_exists(session: Session, site_id: int) -> bool:
    return latest_scan(session, site_id) is not None
