"""How often a check's rules are right, by people's triage: per rule, the findings marked
acknowledged (a real problem) against those marked false positive, across every site.

A rule-based check (expression_error) keeps its rule id in ``detail``; the figure tells the
maintainers of its rule packs which rule to tighten or drop. Findings nobody has triaged yet
are counted apart: they say nothing about precision.
"""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass

from sqlalchemy import func
from sqlmodel import Session, col, select

from govpatrol.core.models import Finding, FindingState, Scan

CONFIRMED, DISMISSED = "acknowledged", "false_positive"


@dataclass
class RulePrecision:
    rule: str
    acknowledged: int = 0
    false_positive: int = 0
    untriaged: int = 0
    sites: int = 0

    @property
    def precision(self) -> float | None:
        """acknowledged / (acknowledged + false positive); None before any mark."""
        judged = self.acknowledged + self.false_positive
        return self.acknowledged / judged if judged else None


def rule_precision(session: Session, check: str, rule_key: str) -> list[RulePrecision]:
    """Per ``detail[rule_key]`` of the findings of ``check``: one count per distinct problem
    (site and fingerprint, however many scans carried it), by its triage mark; sorted by rule."""
    latest = (
        select(func.max(Finding.id))
        .join(Scan, col(Scan.id) == Finding.scan_id)
        .where(Finding.check == check)
        .group_by(Scan.site_id, Finding.fingerprint)
    )
    rows = session.exec(
        select(Scan.site_id, Finding.fingerprint, Finding.detail)
        .join(Scan, col(Scan.id) == Finding.scan_id)
        .where(col(Finding.id).in_(latest))
    ).all()
    marks = _marks(session, {site for site, _, _ in rows})
    figures: dict[str, RulePrecision] = {}
    sites: dict[str, set[int]] = {}
    for site_id, fingerprint, detail in rows:
        rule = str((detail or {}).get(rule_key) or "")
        if not rule:
            continue
        figure = figures.setdefault(rule, RulePrecision(rule))
        sites.setdefault(rule, set()).add(site_id)
        mark = marks.get((site_id, fingerprint))
        if mark == CONFIRMED:
            figure.acknowledged += 1
        elif mark == DISMISSED:
            figure.false_positive += 1
        else:
            figure.untriaged += 1
    for rule, figure in figures.items():
        figure.sites = len(sites[rule])
    return [figures[rule] for rule in sorted(figures)]


def _marks(session: Session, site_ids: Iterable[int]) -> dict[tuple[int, str], str]:
    wanted = sorted(site_ids)
    if not wanted:
        return {}
    rows = session.exec(
        select(FindingState.site_id, FindingState.fingerprint, FindingState.state).where(
            col(FindingState.site_id).in_(wanted),
            col(FindingState.state).in_((CONFIRMED, DISMISSED)),
        )
    )
    return {(site, fingerprint): state for site, fingerprint, state in rows}
