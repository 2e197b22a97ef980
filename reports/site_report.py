"""The weekly site report: one self-contained HTML file for a site's webmaster.

Verdict and points first, then what changed since the previous scan, the 12-week trend, the
score reconciled indicator by indicator, and a section per check family with every finding:
where, what, evidence, how to fix. Everything is read from the store; nothing is fetched.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Callable, Iterable, Mapping, Sequence
from dataclasses import dataclass, field
from urllib.parse import unquote, urlsplit

from sqlmodel import Session, col, select

from checks.documents import document_register
from govpatrol.core.findings import SPECS, FindingSpec
from govpatrol.core.models import (
    LinkOutcome,
    LinkSource,
    LinkTarget,
    Scan,
    Site,
    SiteColumn,
)
from govpatrol.core.workdays import uncovered_soon
from reports.cuts import cut_summary
from reports.evidence import word
from reports.i18n import CHECK_NAMES, VERDICTS, check_hint, check_title, from_table, t
from reports.page_templates import pages_of_templates, template_namer
from reports.render import render
from reports.svg import TrendPoint, trend_svg
from reports.views import FindingView, by_check, by_template_and_rule, finding_view, group_by
from reports.vocabulary import FAILURES
from scoring import scans
from scoring.scorer import IndicatorResult, ScoreResult, indicator_of
from scoring.scores import points_of, scan_facts
from scoring.states import change_counts

TREND_WEEKS = 12
OPEN_LIMIT = 20  # groups start expanded up to this many; beyond, collapsed (huge sites)
PAGES_PER_UNVERIFIED = 5  # pages listed under each unverified target; the count says the rest

# Which report section shows the findings of which indicator.
SECTION_OF_INDICATOR = {
    "links": "links",
    "home_not_updated": "columns",
    "stale_columns": "columns",
    "blank_columns": "columns",
    "documents": "documents",
    "interpretation": "documents",
    "accessibility": "accessibility",
}


@dataclass
class UnverifiedTarget:
    url: str
    kind: str
    status: int | None
    reason: str
    pages: list[str]
    page_total: int


@dataclass
class ColumnNode:
    column: SiteColumn
    state: str  # fresh | stale | blank | unchanged | not_judged
    children: list[ColumnNode] = field(default_factory=list)


def unverified_targets(session: Session, scan_id: int, lang: str = "zh") -> list[UnverifiedTarget]:
    targets = list(
        session.exec(
            select(LinkTarget)
            .where(LinkTarget.scan_id == scan_id, LinkTarget.outcome == LinkOutcome.unverified)
            .order_by(LinkTarget.url)
        )
    )
    pages: dict[str, set[str]] = {target.url: set() for target in targets}
    urls = list(pages)
    for i in range(0, len(urls), 500):  # stay under SQLite's bound-parameter limit
        rows = session.exec(
            select(LinkSource.target_url, LinkSource.page_url).where(
                LinkSource.scan_id == scan_id, col(LinkSource.target_url).in_(urls[i : i + 500])
            )
        )
        for target_url, page_url in rows:
            pages[target_url].add(page_url)
    out = []
    for target in targets:
        reason = _unverified_reason(target, lang)
        seen = sorted(pages[target.url])
        out.append(
            UnverifiedTarget(
                target.url,
                target.kind,
                target.status,
                reason,
                seen[:PAGES_PER_UNVERIFIED],
                len(seen),
            )
        )
    return out


def _unverified_reason(target: LinkTarget, lang: str) -> str:
    """Why a target could not be verified, in words: the verifier's class of failure
    (detail.kind), robots.txt when it applied, and in Chinese the verifier's own words."""
    detail = target.detail or {}
    parts = [word(FAILURES, detail["kind"], lang)] if detail.get("kind") else []
    if lang != "en" and target.error:
        parts.append(target.error)
    if detail.get("robots_disallowed"):
        parts.append(word(FAILURES, "robots", lang))
    return " · ".join(dict.fromkeys(parts))


def _column_state(c: SiteColumn) -> str:
    if c.marked_unchanged:
        return "unchanged"
    if c.is_blank:
        return "blank"
    if c.is_stale:
        return "stale"
    return "fresh" if c.category else "not_judged"


def column_tree(session: Session, scan_id: int) -> list[ColumnNode]:
    """The scan's columns as a tree (parent_key), roots and siblings in name order.

    Parents come from breadcrumbs and navigation, which messy sites can make circular: a
    column that no root reaches is cut loose from its parent and shown as a root itself.
    """
    rows = session.exec(select(SiteColumn).where(SiteColumn.scan_id == scan_id))
    nodes = {c.key: ColumnNode(c, _column_state(c)) for c in rows}
    roots: list[ColumnNode] = []
    for node in nodes.values():
        parent = nodes.get(node.column.parent_key or "")
        (roots if parent is None else parent.children).append(node)
    reached = _reach(roots)
    for key in sorted(nodes):
        node = nodes[key]
        if id(node) not in reached:
            nodes[node.column.parent_key or ""].children.remove(node)
            roots.append(node)
            reached |= _reach([node])

    def order(items: list[ColumnNode]) -> list[ColumnNode]:
        items.sort(key=lambda n: (n.column.name, n.column.key))
        for n in items:
            order(n.children)
        return items

    return order(roots)


def _reach(start: Iterable[ColumnNode]) -> set[int]:
    seen: set[int] = set()
    stack = list(start)
    while stack:
        node = stack.pop()
        if id(node) not in seen:
            seen.add(id(node))
            stack.extend(node.children)
    return seen


def trend(session: Session, scan: Scan, site: Site, current: ScoreResult) -> list[TrendPoint]:
    """Points per scan over the last weeks; the reported scan uses its live score."""
    points = []
    for s in scans.recent_scans(session, scan, weeks=TREND_WEEKS):
        if s.id == scan.id:
            value, verdict = current.points, current.verdict
        else:
            value, verdict = points_of(session, s, site)
        points.append(TrendPoint(scans.as_of(s), value, verdict))
    return points


def _sections(
    views: Sequence[FindingView], infos: Mapping[str, FindingSpec]
) -> dict[str, list[FindingView]]:
    """Findings split by report section, through the indicator each check feeds."""
    sections: dict[str, list[FindingView]] = {
        name: [] for name in ("links", "columns", "documents", "accessibility", "other")
    }
    for v in views:
        sections[SECTION_OF_INDICATOR.get(indicator_of(v.check, infos), "other")].append(v)
    return sections


def veto_facts(ind: IndicatorResult, lang: str) -> str:
    """The counts behind a veto decision, for the score table."""
    x = ind.extra
    if ind.id == "site_unreachable":
        if x.get("insufficient_data"):
            return t("probes_insufficient", lang, probes=x["probes"], required=x["required_probes"])
        ratio = f"{x.get('ratio') or 0.0:.1%}"
        return t("probes_summary", lang, probes=x["probes"], failures=x["failures"], ratio=ratio)
    if ind.id == "stale_columns":
        return t(
            "stale_summary", lang, timeboxed=x["timeboxed_count"], longterm=x["longterm_count"]
        )
    if "awaiting_review" in x:  # only what a person confirmed counts (scoring/scorer.py)
        return t(
            "expression_summary", lang, confirmed=ind.count, awaiting=x.get("awaiting_review", 0)
        )
    return ""


def _shortener(site_url: str) -> Callable[[str | None], str]:
    """How a URL is shown: the site's own as a path, percent-escapes decoded (附件.pdf, not
    %E9%99%84…). Only the text changes; the link keeps the exact URL."""
    parts = urlsplit(site_url)
    root = f"{parts.scheme}://{parts.netloc}"

    def short(url: str | None) -> str:
        if not url:
            return ""
        if url.startswith(root + "/"):
            url = url[len(root) :]
        return unquote(url, errors="replace")

    return short


def render_site_report(
    session: Session, site_id: int, scan_id: int | None = None, lang: str = "zh"
) -> str:
    """The report of ``scan_id`` (default: the site's official scan, else its latest) as HTML.
    A scan that is not complete carries a warning at the top saying what it ran."""
    site = session.get(Site, site_id)
    if site is None:
        raise ValueError(f"no site {site_id}")
    scan = scans.report_scan(session, site_id, scan_id)
    common = {
        "site": site,
        "generated": dt.datetime.now(dt.UTC),
        "short": _shortener(site.url),
    }
    if scan is None:
        return render("site_report.html.j2", lang, scan=None, **common)
    infos = SPECS
    facts = scan_facts(session, scan.id)
    score = facts.score
    short = common["short"]
    templates = pages_of_templates(
        ((s.finding.detail or {}).get("template"), s.finding.page)
        for s in [*facts.current, *facts.fixed, *facts.unconfirmed]
    )
    namer = template_namer(session, scan.id, templates, lang, short)
    views = [finding_view(s, lang, infos, short, namer) for s in facts.current]
    fixed = [finding_view(s, lang, infos, short, namer) for s in facts.fixed]
    not_seen = [finding_view(s, lang, infos, short, namer) for s in facts.unconfirmed]
    sections = _sections(views, infos)
    links = [v for v in sections["links"] if v.check == "broken_link"]
    by_target = group_by(links, "target")
    a11y_checks = sorted({v.check for v in sections["accessibility"]})
    columns = column_tree(session, scan.id)
    prev = scans.previous_scan(session, scan)
    day = scans.as_of(scan)
    return render(
        "site_report.html.j2",
        lang,
        **common,
        scan=scan,
        scan_day=day,
        calendar_warning=uncovered_soon(day),
        score=score,
        previous=prev,
        previous_day=scans.as_of(prev) if prev else None,
        changes=change_counts(facts.current, facts.not_seen),
        official=facts.official,
        checks_ran=facts.checks,
        checks_text=checks_text(facts.checks, lang),
        not_seen=not_seen,
        check_title=lambda check: check_title(check, lang, infos),
        veto_facts=lambda ind: veto_facts(ind, lang),
        OPEN_LIMIT=OPEN_LIMIT,
        fixed=fixed,
        trend=trend_svg(
            trend(session, scan, site, score),
            end=day,
            weeks=TREND_WEEKS,
            pass_mark=score.pass_mark,
            label=f"{site.name} · {t('trend', lang)}",
            verdict_label=lambda v: from_table(VERDICTS, v, lang),
        ),
        total_findings=len(views),
        link_hint=check_hint("broken_link", lang, infos),
        link_count=len(links),
        links_by_page=group_by(links, "page"),
        links_by_target=by_target,
        target_states={
            target: " ".join(sorted({v.state for v in items})) for target, items in by_target
        },
        link_groups=by_check(
            [v for v in sections["links"] if v.check != "broken_link"], lang, infos
        ),
        unverified=unverified_targets(session, scan.id, lang),
        cuts=cut_summary(scan.stats, lang),
        columns=columns,
        column_total=_count_nodes(columns),
        column_groups=by_check(sections["columns"], lang, infos),
        column_count=len(sections["columns"]),
        documents=document_register(session, scan.id),
        document_groups=by_check(sections["documents"], lang, infos),
        document_count=len(sections["documents"]),
        a11y=by_template_and_rule(sections["accessibility"], lang),
        template_name=namer,
        a11y_count=len(sections["accessibility"]),
        a11y_hints=[h for c in a11y_checks if (h := check_hint(c, lang, infos))],
        other_groups=by_check(sections["other"], lang, infos),
        other_count=len(sections["other"]),
    )


def checks_text(checks: Iterable[str], lang: str) -> str:
    """The checks a scan ran, as the reader names them (链接、栏目更新 / links, column freshness)."""
    names = [from_table(CHECK_NAMES, check, lang) for check in checks]
    return ("、" if lang == "zh" else ", ").join(names) or t("no_checks", lang)


def _count_nodes(nodes: Iterable[ColumnNode]) -> int:
    return sum(1 + _count_nodes(n.children) for n in nodes)
