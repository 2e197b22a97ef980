"""The organisation overview: every site under an organisation, shaped as a 通报 (bulletin).

A superior office reads it top-down: 总体情况 (how many sites pass, the ranking), 主要问题 (each
failing or flawed site's vetoes and biggest problems), 整改要求 (fix within N working days).
Each site row links to that site's own report file, ``site-<id>.html`` in the same folder.
"""

from __future__ import annotations

import datetime as dt
from collections import Counter
from collections.abc import Callable, Mapping
from dataclasses import dataclass, field

from sqlmodel import Session, col, select

from govpatrol.core.clock import office_today
from govpatrol.core.findings import DEDUCTION_INDICATORS, SPECS, VETO_INDICATORS, FindingSpec
from govpatrol.core.models import Org, Scan, Site
from govpatrol.core.workdays import uncovered_soon
from reports.deadline import DEFAULT_WORKING_DAYS, rectification_deadline
from reports.render import render
from scoring import scans
from scoring.scorer import NOT_COUNTED_STATES, PASS, ScoreResult, indicator_of
from scoring.scores import points_of, scan_facts


@dataclass
class SiteRow:
    site: Site
    org_name: str
    scan: Scan | None = None  # the site's official (complete) scan
    latest: Scan | None = None  # its newest scan with results, complete or not
    score: ScoreResult | None = None
    counts: Counter[str] = field(default_factory=Counter)  # counted findings per check
    severities: dict[str, str] = field(default_factory=dict)  # check → its highest severity
    new: int = 0
    fixed: int = 0
    delta: float | None = None  # points since the previous scan
    rank: int | None = None

    @property
    def passed(self) -> bool:
        return self.score is not None and self.score.verdict == PASS


def site_report_file(site_id: int) -> str:
    """The file name a site's report is published under, next to the overview."""
    return f"site-{site_id}.html"


def org_subtree(session: Session, org_id: int) -> dict[int, str]:
    """org id → its name as a path below ``org_id`` (``某市民政局 / 某区民政局``; the root: its name)."""
    root = session.get(Org, org_id)
    if root is None:
        raise ValueError(f"no org {org_id}")
    paths: dict[int, list[str]] = {root.id: []}
    frontier = [root.id]
    while frontier:  # breadth-first; the visited check guards against a cycle in bad data
        children = session.exec(select(Org).where(col(Org.parent_id).in_(frontier))).all()
        frontier = []
        for child in children:
            if child.id not in paths:
                paths[child.id] = [*paths[child.parent_id], child.name]
                frontier.append(child.id)
    return {oid: " / ".join(path) or root.name for oid, path in paths.items()}


def _site_row(session: Session, site: Site, org_name: str) -> SiteRow:
    row = SiteRow(site, org_name, latest=scans.latest_scan(session, site.id))
    # Only a complete scan is a site's result: a partial or --only one would rank the site
    # on the checks it happened to run.
    scan = scans.official_scan(session, site.id)
    if scan is None:
        return row
    facts = scan_facts(session, scan.id)
    row.scan = scan
    row.score = facts.score
    counted = [s for s in facts.current if s.triage not in NOT_COUNTED_STATES]
    row.counts = Counter(s.finding.check for s in counted)
    for s in counted:
        check, severity = s.finding.check, s.finding.severity
        if SEVERITY_RANK.get(severity, 9) < SEVERITY_RANK.get(row.severities.get(check, ""), 9):
            row.severities[check] = severity
    row.new = sum(1 for s in counted if s.lifecycle == "new")
    row.fixed = len(facts.fixed)
    prev = scans.previous_scan(session, scan)
    if prev is not None:
        row.delta = round(row.score.points - points_of(session, prev, site)[0], 2)
    return row


def _rank(rows: list[SiteRow]) -> list[SiteRow]:
    """Passing sites first, then by points; sites never scanned last, unranked."""
    scanned = [r for r in rows if r.score is not None]
    scanned.sort(key=lambda r: (not r.passed, -r.score.points, r.site.name))
    for i, r in enumerate(scanned, start=1):
        r.rank = i
    unscanned = sorted((r for r in rows if r.score is None), key=lambda r: r.site.name)
    return scanned + unscanned


def _indicator_columns(rows: list[SiteRow], infos: Mapping[str, FindingSpec]) -> list[str]:
    """The indicators any site has findings for, in the scorer's order: one column each."""
    present = {indicator_of(check, infos) for r in rows for check in r.counts}
    order = [*VETO_INDICATORS, *DEDUCTION_INDICATORS]
    return [i for i in order if i in present] + sorted(present - set(order))


def _by_indicator(row: SiteRow, infos: Mapping[str, FindingSpec]) -> Counter[str]:
    counts: Counter[str] = Counter()
    for check, n in row.counts.items():
        counts[indicator_of(check, infos)] += n
    return counts


SEVERITY_RANK = {"high": 0, "medium": 1, "low": 2}


@dataclass
class Problem:
    """One indicator of one site in 主要问题: its count is the ranking table's cell."""

    indicator: str
    count: int
    veto: bool  # a single veto that fired
    severity: str  # the highest severity among its findings ("" for a veto without any)


def main_problems(row: SiteRow, infos: Mapping[str, FindingSpec]) -> list[Problem]:
    """A site's problems, worst first: fired vetoes, then by severity, then by count."""
    counts = _by_indicator(row, infos)
    severity: dict[str, str] = {}
    for check, sev in row.severities.items():
        ind = indicator_of(check, infos)
        if SEVERITY_RANK.get(sev, 9) < SEVERITY_RANK.get(severity.get(ind, ""), 9):
            severity[ind] = sev
    fired = set(row.score.vetoes) if row.score else set()
    problems = [
        Problem(ind, counts.get(ind, 0), ind in fired, severity.get(ind, ""))
        for ind in dict.fromkeys([*fired, *counts])
        if counts.get(ind, 0) or ind in fired
    ]
    problems.sort(
        key=lambda p: (not p.veto, SEVERITY_RANK.get(p.severity, 9), -p.count, p.indicator)
    )
    return problems


def problem_sites(rows: list[SiteRow]) -> list[SiteRow]:
    """The sites 主要问题 lists, worst first: vetoed, then failing, then by points."""
    flawed = [r for r in rows if r.score is not None and (r.score.vetoes or r.counts)]
    return sorted(flawed, key=lambda r: (not r.score.vetoes, r.passed, r.score.points, r.site.name))


def _summary(rows: list[SiteRow]) -> dict[str, object]:
    scanned = [r for r in rows if r.score is not None]
    passed = sum(1 for r in scanned if r.passed)
    rate = f"{passed / len(scanned):.0%}" if scanned else "—"
    return {
        "total": len(rows),
        "passed": passed,
        "failed": len(scanned) - passed,
        "vetoed": sum(1 for r in scanned if r.score and r.score.vetoes),
        "unscanned": len(rows) - len(scanned),
        "rate": rate,
    }


def render_org_overview(
    session: Session,
    org_id: int,
    lang: str = "zh",
    *,
    as_of: dt.date | None = None,
    deadline_working_days: int = DEFAULT_WORKING_DAYS,
    site_link: Callable[[int], str] = site_report_file,
) -> str:
    """The bulletin for every active site under ``org_id`` (recursively) as one HTML file.

    ``site_link`` gives the href of a site's report: by default the file ``site-<id>.html``
    beside the overview; the dashboard passes its own URLs.
    """
    orgs = org_subtree(session, org_id)
    sites = session.exec(
        select(Site).where(col(Site.org_id).in_(list(orgs)), col(Site.active)).order_by(Site.name)
    ).all()
    rows = _rank([_site_row(session, site, orgs[site.org_id]) for site in sites])
    days = [scans.as_of(r.scan) for r in rows if r.scan is not None]
    day = as_of or (max(days) if days else office_today())
    deadline, fallback = rectification_deadline(day, deadline_working_days)
    infos = SPECS
    return render(
        "org_overview.html.j2",
        lang,
        org=session.get(Org, org_id),
        rows=rows,
        summary=_summary(rows),
        indicators=_indicator_columns(rows, infos),
        by_indicator={r.site.id: _by_indicator(r, infos) for r in rows},
        problem_sites=[(r, main_problems(r, infos)) for r in problem_sites(rows)],
        report_day=day,
        deadline=deadline,
        deadline_days=deadline_working_days,
        deadline_fallback=fallback,
        calendar_warning=uncovered_soon(day),
        generated=dt.datetime.now(dt.UTC),
        site_link=site_link,
    )
