"""Finding states across consecutive scans, and the triage people set on them.

A finding's fingerprint is stable across scans, so comparing a scan with the site's previous
complete scan (its baseline) says what is ``new`` (not there before) and still ``open`` (there
before too). A finding of the baseline that the scan does not have is ``fixed`` only when the
scan saw that it is gone: the check that found it ran again over the same page. Otherwise it
keeps a state that says why it was not seen: ``not_rechecked`` (its check did not run, or did
not finish), ``not_crawled`` (its page was not reached this time) or ``unchanged`` (a column
a person marked 确无更新, which the freshness check no longer reports).

Triage (``FindingState``, keyed by site and fingerprint) outlives scans and overrides the
lifecycle state in what reports show: ``acknowledged``, ``false_positive`` (with a note saying
why) and ``unchanged`` (a column legitimately without news, e.g. no personnel change this year).
"""

from __future__ import annotations

from collections import Counter
from collections.abc import Callable, Iterable
from dataclasses import dataclass

from sqlalchemy import func
from sqlmodel import Session, col, select

from govpatrol.core.completeness import rechecked
from govpatrol.core.models import Finding, FindingState, Page, Scan, utcnow
from scoring.scans import previous_scan

TRIAGE_STATES = ("acknowledged", "false_positive", "unchanged")
CURRENT_STATES = ("new", "open")  # findings the scan has
# Findings of the baseline the scan does not have: only ``fixed`` says they are gone.
NOT_SEEN_STATES = ("fixed", "not_rechecked", "not_crawled", "unchanged")
LIFECYCLE_STATES = (*CURRENT_STATES, *NOT_SEEN_STATES)

# Pages stored with these kinds were requested but not read as the page (an error, a
# challenge, a not-found page answering 200): nothing on them was checked again.
UNREAD_KINDS = frozenset({"error", "failed", "challenge", "soft404"})


@dataclass
class StatedFinding:
    finding: Finding
    lifecycle: str  # one of LIFECYCLE_STATES
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


def not_seen_findings(session: Session, scan_id: int) -> list[StatedFinding]:
    """Findings of the baseline scan that this scan does not have, each with the reason:
    fixed, not_rechecked, not_crawled or unchanged."""
    scan = session.get(Scan, scan_id)
    if scan is None:
        raise ValueError(f"no scan {scan_id}")
    prev = previous_scan(session, scan)
    if prev is None:
        return []
    now = _fingerprints(session, scan_id)
    gone = [f for f in _scan_findings(session, prev.id) if f.fingerprint not in now]
    triage = triage_map(session, scan.site_id)
    reached = _reached_pages(session, scan_id, {f.page for f in gone})

    def lifecycle(f: Finding) -> str:
        if not rechecked(scan, f.check):
            return "not_rechecked"
        if f.page not in reached:
            return "not_crawled"
        mark = triage.get(f.fingerprint)
        if mark is not None and mark.state == "unchanged":
            return "unchanged"
        return "fixed"

    return _stated(gone, lifecycle, triage)


def fixed_findings(session: Session, scan_id: int) -> list[StatedFinding]:
    """Findings of the baseline scan that this scan saw gone."""
    return [s for s in not_seen_findings(session, scan_id) if s.lifecycle == "fixed"]


def _reached_pages(session: Session, scan_id: int, urls: set[str]) -> set[str]:
    """Which of ``urls`` the scan fetched and read as a page (fresh or re-used on a 304)."""
    wanted = sorted(urls)
    reached: set[str] = set()
    for i in range(0, len(wanted), 500):  # stay under SQLite's bound-parameter limit
        rows = session.exec(
            select(Page.url, Page.status, Page.kind).where(
                Page.scan_id == scan_id, col(Page.url).in_(wanted[i : i + 500])
            )
        )
        reached |= {
            url
            for url, status, kind in rows
            if status is not None and 200 <= status < 400 and kind not in UNREAD_KINDS
        }
    return reached


def change_counts(
    current: Iterable[StatedFinding], not_seen: Iterable[StatedFinding]
) -> dict[str, Counter[str]]:
    """check id → counts of each lifecycle state, and of each triage state among the
    findings the scan has."""
    counts: dict[str, Counter[str]] = {}
    for item in [*current, *not_seen]:
        bucket = counts.setdefault(item.finding.check, Counter())
        bucket[item.lifecycle] += 1
        if item.triage and item.lifecycle in CURRENT_STATES:
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


def allow_lists(session: Session, site_id: int) -> dict[str, list[str]]:
    """finding id → the ``detail.allow_key`` of every finding of the site a person marked a
    false positive (the allow list a scan's checks read as ``ScanContext.allowed``).

    A fingerprint names one problem on one page; an allow key names a problem wherever it
    stands (expression_error: a rule and the text it matched), so dismissing it once keeps
    it quiet on every page of the site. Clearing or changing the mark takes it off again."""
    dismissed = select(FindingState.fingerprint).where(
        FindingState.site_id == site_id, FindingState.state == "false_positive"
    )
    latest = (  # one row per dismissed finding, however many scans carried it
        select(func.max(Finding.id))
        .join(Scan, col(Scan.id) == Finding.scan_id)
        .where(Scan.site_id == site_id, col(Finding.fingerprint).in_(dismissed))
        .group_by(Finding.fingerprint)
    )
    rows = session.exec(select(Finding.check, Finding.detail).where(col(Finding.id).in_(latest)))
    allowed: dict[str, set[str]] = {}
    for check, detail in rows:
        key = (detail or {}).get("allow_key")
        if isinstance(key, str) and key:
            allowed.setdefault(check, set()).add(key)
    return {check: sorted(keys) for check, keys in sorted(allowed.items())}


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
