"""The retention policy: page-level rows of old scans go, findings and scores stay.

A scan writes ~11 KB per page (its page row, ~25 link-source rows, link targets and list
pages); 200 sites of 5,000 pages add ~11 GB a week. Those rows are needed only by the next
rescan (re-use of unchanged pages, the tampering comparison) and for looking at a recent
scan's pages. Findings, scores, scan rows, columns and documents are small and are history:
they are never pruned.

Per site the page rows of these scans are kept:

- the newest ``keep`` finished scans (``GOVPATROL_KEEP_SCANS``, default 2);
- the newest complete scan (the site's official result and the next scan's baseline) and the
  newest ``done`` one (what a rescan re-uses pages from), however old;
- every queued or running scan.

Each pruned scan's rows go in one transaction of their own, so a prune interrupted midway
leaves every scan either pruned or untouched, and the next run finishes the rest;
``stats["pruned_at"]`` records it. SQLite gives the space back to the file system only at
``VACUUM``; PostgreSQL re-uses it after autovacuum.
"""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass, field

from sqlalchemy import delete
from sqlmodel import Session, col, func, select

from govpatrol.core.completeness import official_clause
from govpatrol.core.models import LinkSource, LinkTarget, ListPage, Page, Scan, ScanStatus, utcnow
from govpatrol.core.settings import settings

PAGE_TABLES: tuple[type, ...] = (LinkSource, LinkTarget, ListPage, Page)
ACTIVE = (ScanStatus.queued, ScanStatus.running)


@dataclass
class PruneResult:
    dry_run: bool
    keep: int
    scans: list[int] = field(default_factory=list)  # scans whose page rows go (or went)
    rows: dict[str, int] = field(default_factory=dict)  # by table

    @property
    def total_rows(self) -> int:
        return sum(self.rows.values())

    def to_dict(self) -> dict[str, object]:
        return {
            "dry_run": self.dry_run,
            "keep": self.keep,
            "scans": self.scans,
            "rows": self.rows,
            "total_rows": self.total_rows,
        }


def keep_scans() -> int:
    return settings().keep_scans


def scans_to_prune(session: Session, keep: int) -> list[int]:
    """Finished scans whose page rows the policy lets go, oldest first."""
    if keep < 1:
        raise ValueError("keep must be at least 1: a rescan needs the last scan's pages")
    kept: set[int] = set()
    candidates: list[int] = []
    site_ids = session.exec(select(Scan.site_id).distinct()).all()
    for site_id in site_ids:
        finished = session.exec(
            select(Scan.id)
            .where(Scan.site_id == site_id, col(Scan.status).not_in(ACTIVE))
            .order_by(col(Scan.id).desc())
        ).all()
        kept.update(finished[:keep])
        for clause in (official_clause(), Scan.status == ScanStatus.done):
            newest = session.exec(
                select(func.max(Scan.id)).where(Scan.site_id == site_id, clause)
            ).one()
            if newest is not None:
                kept.add(newest)
        candidates.extend(i for i in finished[keep:] if i not in kept)
    return sorted(_with_rows(session, candidates))


def _with_rows(session: Session, scan_ids: Iterable[int]) -> set[int]:
    """Of ``scan_ids``, those that still have page rows (a pruned scan is not listed again)."""
    wanted = set(scan_ids)
    found: set[int] = set()
    for model in PAGE_TABLES:
        if not wanted - found:
            break
        ids = list(wanted - found)
        for start in range(0, len(ids), 500):  # SQLite's bound-parameter limit
            chunk = ids[start : start + 500]
            found.update(
                session.exec(
                    select(model.scan_id).distinct().where(col(model.scan_id).in_(chunk))
                ).all()
            )
    return found


def count_rows(session: Session, scan_ids: list[int]) -> dict[str, int]:
    rows: dict[str, int] = {}
    for model in PAGE_TABLES:
        total = 0
        for start in range(0, len(scan_ids), 500):
            chunk = scan_ids[start : start + 500]
            total += session.exec(
                select(func.count()).select_from(model).where(col(model.scan_id).in_(chunk))
            ).one()
        rows[model.__tablename__] = total
    return rows


def prune(session: Session, *, keep: int | None = None, dry_run: bool = False) -> PruneResult:
    """Apply the retention policy (or, with ``dry_run``, say what it would delete)."""
    keep = keep_scans() if keep is None else keep
    scan_ids = scans_to_prune(session, keep)
    result = PruneResult(dry_run=dry_run, keep=keep, scans=scan_ids)
    if dry_run:
        result.rows = count_rows(session, scan_ids)
        return result
    result.rows = {model.__tablename__: 0 for model in PAGE_TABLES}
    for scan_id in scan_ids:
        for model in PAGE_TABLES:
            deleted = session.execute(delete(model).where(col(model.scan_id) == scan_id))
            result.rows[model.__tablename__] += deleted.rowcount or 0
        scan = session.get(Scan, scan_id)
        if scan is not None:
            scan.stats = {**(scan.stats or {}), "pruned_at": utcnow().isoformat()}
            session.add(scan)
        session.commit()  # one scan at a time: an interruption loses no other scan's state
    return result
