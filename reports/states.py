"""Finding states across consecutive scans, and the triage people set on them.

A finding's fingerprint is stable across scans, so comparing a scan with the site's previous
reportable scan says what is ``new`` (not there before), still ``open`` (there before too) and
``fixed`` (there before, gone now). Triage (``FindingState``, keyed by site and fingerprint)
outlives scans and overrides the lifecycle state in what reports show: ``acknowledged``,
``false_positive`` (with a note saying why) and ``unchanged`` (a column legitimately without
news, e.g. no personnel change this year).
"""

from __future__ import annotations

from collections import Counter
from collections.abc import Callable, Iterable
from dataclasses import dataclass

from sqlmodel import Session, col, select

from govpatrol.models import Finding, FindingState, Scan, utcnow
from reports.scans import previous_scan

TRIAGE_STATES = ("acknowledged", "false_positive", "unchanged")
LIFECYCLE_STATES = ("new", "open", "fixed")


@dataclass
class StatedFinding:
    finding: Finding
    lifecycle: str  # new | open | fixed
    triage: str | None = None
    note: str | None = None

    @property
    def state(self) -> str:
        """What reports and the export show: a person's triage wins over the lifecycle."""
        return self.triage or self.lifecycle


def triage_map(session: Session, site_id: int) -> dict[str, FindingState]:
    rows = session.exec(select(FindingState).where(FindingState.site_id == site_id))
    return {row.fingerprint: row for row in rows}


def _scan_findings(session: Session, scan_id: int) -> list[Finding]:
    stmt = (
        select(Finding)
        .where(Finding.scan_id == scan_id)
        .order_by(Finding.check, Finding.page, col(Finding.target), col(Finding.id))
    )
    return list(session.exec(stmt))


def _fingerprints(session: Session, scan_id: int) -> set[str]:
    return set(session.exec(select(Finding.fingerprint).where(Finding.scan_id == scan_id)))


def _stated(
    findings: Iterable[Finding],
    lifecycle: Callable[[Finding], str],
    triage: dict[str, FindingState],
) -> list[StatedFinding]:
    out = []
    for f in findings:
        mark = triage.get(f.fingerprint)
        out.append(
            StatedFinding(
                f, lifecycle(f), mark.state if mark else None, mark.note if mark else None
            )
        )
    return out


def findings_with_state(session: Session, scan_id: int) -> list[StatedFinding]:
    """Every finding of the scan with its lifecycle (new/open) and triage state."""
    scan = session.get(Scan, scan_id)
    if scan is None:
        raise ValueError(f"no scan {scan_id}")
    prev = previous_scan(session, scan)
    before = _fingerprints(session, prev.id) if prev else set()
    triage = triage_map(session, scan.site_id)
    return _stated(
        _scan_findings(session, scan_id),
        lambda f: "open" if f.fingerprint in before else "new",
        triage,
    )


def fixed_findings(session: Session, scan_id: int) -> list[StatedFinding]:
    """Findings of the previous reportable scan that this scan no longer sees."""
    scan = session.get(Scan, scan_id)
    if scan is None:
        raise ValueError(f"no scan {scan_id}")
    prev = previous_scan(session, scan)
    if prev is None:
        return []
    now = _fingerprints(session, scan_id)
    gone = (f for f in _scan_findings(session, prev.id) if f.fingerprint not in now)
    return _stated(gone, lambda _f: "fixed", triage_map(session, scan.site_id))


def change_counts(
    current: Iterable[StatedFinding], fixed: Iterable[StatedFinding]
) -> dict[str, Counter[str]]:
    """check id → counts of new, open, fixed and of each triage state."""
    counts: dict[str, Counter[str]] = {}
    for item in [*current, *fixed]:
        bucket = counts.setdefault(item.finding.check, Counter())
        bucket[item.lifecycle] += 1
        if item.triage and item.lifecycle != "fixed":
            bucket[item.triage] += 1
    return dict(sorted(counts.items()))


def set_triage(
    session: Session,
    site_id: int,
    fingerprint: str,
    state: str,
    note: str | None = None,
    user_id: int | None = None,
) -> FindingState:
    """Record (or change) a person's triage of a finding and commit it.

    A false positive needs a note: the next reader (an inspector, a colleague) must be able to
    see why the finding was dismissed.
    """
    if state not in TRIAGE_STATES:
        raise ValueError(f"unknown triage state {state!r}; use one of {', '.join(TRIAGE_STATES)}")
    if state == "false_positive" and not (note and note.strip()):
        raise ValueError("a false_positive needs a note saying why")
    row = session.exec(
        select(FindingState).where(
            FindingState.site_id == site_id, FindingState.fingerprint == fingerprint
        )
    ).first()
    if row is None:
        row = FindingState(site_id=site_id, fingerprint=fingerprint, state=state)
    row.state = state
    row.note = note.strip() if note else None
    row.user_id = user_id
    row.updated_at = utcnow()
    session.add(row)
    session.commit()
    session.refresh(row)
    return row


def clear_triage(session: Session, site_id: int, fingerprint: str) -> bool:
    """Remove a triage mark (the finding shows its lifecycle state again); commits."""
    row = session.exec(
        select(FindingState).where(
            FindingState.site_id == site_id, FindingState.fingerprint == fingerprint
        )
    ).first()
    if row is None:
        return False
    session.delete(row)
    session.commit()
    return True
