"""The scorer fed from the store: one scan's findings, the site's probes, thresholds and triage.

Reports score the reported scan live, so a finding marked false positive after the scan stops
counting at once and the site report, the overview and the exports agree. The pipeline can call
``score_for_scan`` too, so the stored ``scan.score`` is computed the same way.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Iterable
from dataclasses import dataclass

from sqlmodel import Session, col, select

from govpatrol.core.clock import office_midnight
from govpatrol.core.completeness import checks_ran, is_complete
from govpatrol.core.models import Finding, Probe, Scan, Site
from govpatrol.core.settings import Thresholds
from govpatrol.core.site_settings import site_settings
from scoring.scans import as_of
from scoring.scorer import ScoreResult, ScoringConfig, score_scan
from scoring.states import StatedFinding, findings_with_state, not_seen_findings, triage_map


def scoring_config_for(site: Site) -> ScoringConfig:
    return ScoringConfig.from_overrides((site.config or {}).get("scoring"))


def probes_for(session: Session, site_id: int, day: dt.date, thresholds: Thresholds) -> list[Probe]:
    """The site's probes around the availability window (the scorer cuts it exactly)."""
    midnight = office_midnight(day)
    start = midnight - dt.timedelta(days=thresholds.unreachable_window_days)
    end = midnight + dt.timedelta(days=1)
    stmt = select(Probe).where(
        Probe.site_id == site_id, col(Probe.at) >= start, col(Probe.at) < end
    )
    return list(session.exec(stmt))


def score_for_scan(
    session: Session,
    scan: Scan,
    site: Site | None = None,
    *,
    findings: Iterable[Finding] | None = None,
    stated: Iterable[StatedFinding] | None = None,
) -> ScoreResult:
    """Score ``scan`` from the store with the site's thresholds, scoring config and triage.

    Pass ``stated`` (or ``findings``) when the caller already loaded the scan's findings.
    """
    site = site or session.get(Site, scan.site_id)
    if site is None:
        raise ValueError(f"scan {scan.id} has no site")
    thresholds = site_settings(site, scan)
    day = as_of(scan)
    if stated is not None:
        rows: Iterable[Finding] = [s.finding for s in stated]
    elif findings is not None:
        rows = findings
    else:
        rows = session.exec(select(Finding).where(Finding.scan_id == scan.id))
    triage = {fp: mark.state for fp, mark in triage_map(session, site.id).items()}
    return score_scan(
        rows,
        probes_for(session, site.id, day, thresholds),
        thresholds=thresholds,
        is_portal=site.is_portal,
        as_of=day,
        triage=triage,
        config=scoring_config_for(site),
    )


def points_of(session: Session, scan: Scan, site: Site | None = None) -> tuple[float, str]:
    """(points, verdict) of a past scan: the stored score when there is one, else computed."""
    if scan.score and "points" in scan.score:
        return float(scan.score["points"]), str(scan.score.get("verdict", ""))
    result = score_for_scan(session, scan, site)
    return result.points, result.verdict


@dataclass
class ScanFacts:
    """What every report of one scan starts from, loaded once."""

    site: Site
    scan: Scan
    current: list[StatedFinding]  # this scan's findings, with new/open and triage
    # the baseline's findings this scan does not have: fixed, not_rechecked, not_crawled,
    # unchanged
    not_seen: list[StatedFinding]
    score: ScoreResult  # live: today's triage applied

    @property
    def fixed(self) -> list[StatedFinding]:
        """The baseline's findings this scan saw gone."""
        return [s for s in self.not_seen if s.lifecycle == "fixed"]

    @property
    def unconfirmed(self) -> list[StatedFinding]:
        """The baseline's findings this scan did not see, without seeing them gone."""
        return [s for s in self.not_seen if s.lifecycle != "fixed"]

    @property
    def official(self) -> bool:
        """Whether the scan is complete: only then is its score the site's verdict."""
        return is_complete(self.scan)

    @property
    def checks(self) -> list[str]:
        """The checks that ran to the end in this scan."""
        return sorted(checks_ran(self.scan))


def scan_facts(session: Session, scan_id: int) -> ScanFacts:
    scan = session.get(Scan, scan_id)
    if scan is None:
        raise ValueError(f"no scan {scan_id}")
    site = session.get(Site, scan.site_id)
    if site is None:
        raise ValueError(f"scan {scan_id} has no site")
    current = findings_with_state(session, scan_id)
    score = score_for_scan(session, scan, site, stated=current)
    return ScanFacts(site, scan, current, not_seen_findings(session, scan_id), score)
