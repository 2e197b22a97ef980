"""Findings shaped for reading: one view per finding, grouped the ways webmasters look at them."""

from __future__ import annotations

from collections.abc import Callable, Iterable, Mapping
from dataclasses import dataclass, field
from typing import Any

from govpatrol.core.findings import FindingSpec
from reports.evidence import EvidenceItem, Line, TemplateNamer, evidence_rows, rule_text, word
from reports.fmt import safe_href
from reports.i18n import SEVERITIES, STATES, check_hint, check_title, from_table
from reports.messages import finding_message
from reports.vocabulary import ITEMS
from scoring.scorer import needs_review
from scoring.states import StatedFinding

SEVERITY_ORDER = {"high": 0, "medium": 1, "low": 2}


@dataclass
class FindingView:
    """A finding with everything a template prints already worked out (labels, safe links):
    templates loop over thousands of these, and a per-row macro call would dominate."""

    id: int | None
    check: str
    title: str
    severity: str
    severity_text: str
    state: str
    state_text: str
    lifecycle: str
    note: str | None
    page: str
    page_href: str | None  # None: not a link (javascript:, data: … from a crawled page)
    page_text: str
    target: str | None
    target_href: str | None
    target_text: str
    message: str  # as stored (Chinese), for the filter and exports
    said: Line  # the message in the report's language, quoted page text marked
    evidence: list[EvidenceItem]
    detail: Mapping[str, Any]
    fingerprint: str
    needs_review: bool = False  # a person must confirm it first: shown 待人工确认, not scored


@dataclass
class CheckGroup:
    """The findings of one check id, with what its spec says about it."""

    check: str
    title: str
    hint: str
    findings: list[FindingView] = field(default_factory=list)


def finding_view(
    item: StatedFinding,
    lang: str,
    infos: Mapping[str, FindingSpec],
    short: Callable[[str | None], str] = lambda url: url or "",
    template_name: TemplateNamer | None = None,
) -> FindingView:
    """``short`` gives the text a URL is shown as (e.g. the path of the site's own URLs);
    ``template_name`` names page templates (reports.page_templates)."""
    f = item.finding
    info = infos.get(f.check)
    return FindingView(
        id=f.id,
        check=f.check,
        title=check_title(f.check, lang, infos),
        severity=f.severity,
        severity_text=from_table(SEVERITIES, f.severity, lang),
        state=item.state,
        state_text=from_table(STATES, item.state, lang),
        lifecycle=item.lifecycle,
        note=item.note,
        page=f.page,
        page_href=safe_href(f.page),
        page_text=short(f.page),
        target=f.target,
        target_href=safe_href(f.target),
        target_text=short(f.target),
        message=f.message,
        said=finding_message(f.check, f.detail, f.message, lang, info.title_en if info else None),
        evidence=evidence_rows(f.detail, lang, f.check, template_name),
        detail=f.detail or {},
        fingerprint=f.fingerprint,
        needs_review=needs_review(f.detail),
    )


def by_check(
    views: Iterable[FindingView], lang: str, infos: Mapping[str, FindingSpec]
) -> list[CheckGroup]:
    """One group per check id, in a stable order; findings high severity first."""
    groups: dict[str, CheckGroup] = {}
    for v in views:
        group = groups.get(v.check)
        if group is None:
            group = CheckGroup(
                v.check, check_title(v.check, lang, infos), check_hint(v.check, lang, infos)
            )
            groups[v.check] = group
        group.findings.append(v)
    for group in groups.values():
        group.findings.sort(key=lambda v: (SEVERITY_ORDER.get(v.severity, 3), v.page))
    return [groups[k] for k in sorted(groups)]


def group_by(views: Iterable[FindingView], key: str) -> list[tuple[str, list[FindingView]]]:
    """Findings grouped by ``page`` or ``target``, biggest groups first."""
    groups: dict[str, list[FindingView]] = {}
    for v in views:
        groups.setdefault(getattr(v, key) or "", []).append(v)
    return sorted(groups.items(), key=lambda kv: (-len(kv[1]), kv[0]))


def by_template_and_rule(
    views: Iterable[FindingView], lang: str = "zh"
) -> list[tuple[str, int, list[tuple[str, list[FindingView]]]]]:
    """Accessibility: (template, findings, rule in words → findings); one template fix mends
    many pages. The rule is named by its title, never by its axe id."""
    tree: dict[str, dict[str, list[FindingView]]] = {}
    for v in views:
        template = str(v.detail.get("template") or "")
        rule = v.detail.get("rule")
        item = v.detail.get("item")
        if rule:
            name = rule_text(str(rule), v.detail.get("help"), lang)
        else:
            name = v.title if not item else f"{v.title} · {word(ITEMS, item, lang)}"
        tree.setdefault(template, {}).setdefault(name, []).append(v)
    out = []
    for template, rules in tree.items():
        ordered = sorted(rules.items(), key=lambda kv: (-len(kv[1]), kv[0]))
        out.append((template, sum(len(items) for items in rules.values()), ordered))
    # Biggest templates first; pages without a template group last.
    return sorted(out, key=lambda item: (item[0] == "", -item[1], item[0]))
