"""The accessibility check's site hook: audit the sample in the browser (or reuse the last
scan's results for unchanged pages), merge the browser's evidence into the static findings,
roll up template problems and record the run's stats."""

from __future__ import annotations

import datetime as dt
import time
from collections import Counter, defaultdict
from collections.abc import Iterable, Iterator
from dataclasses import dataclass
from typing import Any

from sqlmodel import select

from checks.a11y_care_entry import CARE_MODE_KEYWORDS
from checks.a11y_findings import (
    ACCESSIBILITY,
    ELDERLY,
    elderly_findings,
    rollup_finding,
    rule_title_zh,
    severity_of,
)
from checks.a11y_rendered import BROWSER_JUDGED_RULES, rendered_dom_rules
from checks.a11y_sample import SamplePage, choose_sample, html_pages
from checks.a11y_static.wcag import criteria_from_tags, standard_label, wcag_label
from crawler.browser_results import Violation
from crawler.netguard import FetchGuard
from govpatrol.core.extras import require
from govpatrol.core.models import Finding, Scan, ScanStatus
from govpatrol.core.types import FindingData, SiteContext
from govpatrol.core.urls import host_of


@dataclass
class _AxeHit:
    """An axe violation, fresh from the browser or carried over from the previous scan."""

    rule: str
    impact: str | None
    nodes: int
    selector: str
    snippet: str
    help: str
    help_url: str
    criteria: tuple[str, ...]
    evidence: dict[str, Any]  # what axe measured (color-contrast: colours, ratio, size)

    @classmethod
    def from_violation(cls, v: Violation) -> _AxeHit:
        return cls(
            v.rule,
            v.impact,
            v.nodes,
            v.target,
            v.snippet,
            v.help,
            v.help_url,
            criteria_from_tags(v.tags),
            dict(v.evidence),
        )

    @classmethod
    def from_detail(cls, rule: str, axe: dict[str, Any]) -> _AxeHit:
        return cls(
            rule,
            axe.get("impact"),
            int(axe.get("nodes") or 0),
            axe.get("selector") or "",
            axe.get("snippet") or "",
            axe.get("help") or "",
            axe.get("help_url") or "",
            tuple(axe.get("criteria") or ()),
            dict(axe.get("evidence") or {}),
        )

    def as_detail(self) -> dict[str, Any]:
        return {
            "impact": self.impact,
            "nodes": self.nodes,
            "selector": self.selector,
            "snippet": self.snippet,
            "help": self.help,
            "help_url": self.help_url,
            "criteria": list(self.criteria),
            "evidence": dict(self.evidence),
        }


@dataclass
class _PreviousAudit:
    scan_id: int
    pages: dict[str, str | None]
    care_pages: set[str]


class SiteRun:
    """One site hook run: sample, reuse or audit, emit, roll up, record stats.

    Edits of rows already stored (merging axe evidence into a static finding, removing a
    'no care-mode entry' finding the rendered page disproves) are applied in ``finish``,
    after the last query: on SQLite an early flush would hold the write lock while the
    pipeline's batch writer inserts through another connection.
    """

    def __init__(self, ctx: SiteContext) -> None:
        assert ctx.session is not None
        self.ctx = ctx
        self.session = ctx.session
        self.pages = html_pages(ctx)
        self.template_pages = Counter(p.template_key for p in self.pages if p.template_key)
        self.fresh: list[FindingData] = []  # not stored yet when the roll-ups are computed
        self.edits: dict[int, tuple[Finding, dict[str, Any]]] = {}
        self.messages: dict[int, str] = {}  # rows whose message the browser's count replaces
        self.deletes: list[Finding] = []
        self.dropped: set[tuple[str, str]] = set()  # (page, rule) static findings overruled
        self.stats: dict[str, Any] = {}
        self.audited = 0

    # ----------------------------------------------------------------- browser

    def browser_audit(self) -> Iterator[FindingData]:
        # Imported here: Playwright comes with the [browser] extra, and a core install
        # (--no-browser) never reaches this method.
        require("playwright", "浏览器检查")
        require("axe_playwright_python", "浏览器检查")
        from crawler.browser import DEFAULT_TABS, DEFAULT_TIMEOUT_S, iter_audits
        from crawler.browser_axe import axe_version, ruleset_version

        started = time.monotonic()
        sample = choose_sample(self.ctx, self.pages)
        ruleset = ruleset_version()
        previous = self._previous_audit(ruleset)
        static = self._static_findings([s.url for s in sample])
        self.elderly_stored = self._stored_elderly()
        reused = [s for s in sample if _unchanged(s, previous)]
        fresh = [s for s in sample if s not in reused]

        audited: dict[str, str | None] = {}
        care_pages: list[str] = []
        errors: list[dict[str, str]] = []
        requests: Counter[str] = Counter()
        steps: Counter[str] = Counter()  # tab-seconds per step of the audit, summed
        settled_quiet = 0  # pages judged as soon as they proved quiet (crawler.browser_settle)
        refused_pages: dict[str, int] = {}
        site = self.ctx.site
        site_hosts = [host_of(self.ctx.site_url), *((site.extra_hosts or ()) if site else ())]
        for item in reused:
            assert previous is not None
            yield from self._reuse(previous.scan_id, item, static)
            audited[item.url] = item.content_hash
            if item.url in previous.care_pages:
                care_pages.append(item.url)
        by_url = {s.url: s for s in fresh}
        for result in iter_audits(
            list(by_url),
            tabs=DEFAULT_TABS,
            timeout_s=DEFAULT_TIMEOUT_S,
            care_keywords=CARE_MODE_KEYWORDS,
            # every request of the audits passes it, within the site's fixed address zone
            guard=FetchGuard(self.ctx.site_url, zones=self.ctx.address_zone),
            site_hosts=site_hosts,
            # the static rules judge the rendered DOM; axe runs what they cannot
            dom_rules=rendered_dom_rules(),
        ):
            item = by_url[result.url]
            requests.update(
                fulfilled=result.requests_fulfilled,
                refused=result.requests_refused,
                failed=result.requests_failed,
            )
            steps.update(result.timings)
            settled_quiet += result.settled_quiet
            if result.requests_refused:
                refused_pages[result.url] = result.requests_refused
            if result.error:
                errors.append({"url": result.url, "error": result.error})
                continue
            audited[item.url] = item.content_hash
            hits = [_AxeHit.from_violation(v) for v in result.violations]
            yield from self._emit_axe(item, hits, static)
            self._overrule(item, hits, static)
            yield from self._emit_elderly(elderly_findings(item, result, self.template_pages))
            if result.care_mode_entry and (item.url, "care_mode_entry") in self.elderly_stored:
                care_pages.append(item.url)
        for url in care_pages:  # the rendered page disproves the static "no entry" finding
            row = self.elderly_stored.get((url, "care_mode_entry"))
            if row is not None:
                self.deletes.append(row)
        self.audited = len(audited)
        self.stats = {
            "status": "done",
            "axe_version": axe_version(),
            "ruleset": ruleset,
            "tabs": DEFAULT_TABS,
            "sample": len(sample),
            "audited": len(audited) - len(reused),
            "reused": len(reused),
            "reused_from_scan": previous.scan_id if previous and reused else None,
            "errors": errors,
            "requests": {k: requests[k] for k in ("fulfilled", "refused", "failed")},
            "refused_pages": refused_pages,
            "pages": audited,
            "care_entry_pages": care_pages,
            "elapsed_s": round(time.monotonic() - started, 1),
            "steps_s": {step: round(seconds, 2) for step, seconds in steps.items()},
            "settled_quiet": settled_quiet,
        }

    def _emit_axe(
        self, item: SamplePage, hits: list[_AxeHit], static: dict[tuple[str, str], Finding]
    ) -> Iterator[FindingData]:
        """One finding per (page, rule): a rule the static pass already reported is merged
        into that finding (same fingerprint); the others become ``axe`` findings."""
        shared = {
            "template": item.template,
            "template_pages": self.template_pages.get(item.template or "", 0),
        }
        for hit in hits:
            existing = static.get((item.url, hit.rule))
            if existing is not None and existing.id is not None:
                merged = {
                    **existing.detail,
                    **shared,
                    "source": "static+axe",
                    "axe": hit.as_detail(),
                }
                if hit.rule in BROWSER_JUDGED_RULES:
                    # the rendered page is the judge: its element and measurements win
                    merged.update(
                        nodes=hit.nodes,
                        selector=hit.selector,
                        snippet=hit.snippet,
                        impact=hit.impact,
                        **hit.evidence,
                    )
                    self.messages[existing.id] = _axe_message(hit)
                self.edits[existing.id] = (existing, merged)
                continue
            wcag = wcag_label(hit.criteria)
            finding = FindingData(
                check=ACCESSIBILITY,
                page=item.url,
                message=_axe_message(hit),
                severity=severity_of(hit.impact),
                key=(hit.rule,),
                detail={
                    "rule": hit.rule,
                    "impact": hit.impact,
                    "nodes": hit.nodes,
                    "selector": hit.selector,
                    "snippet": hit.snippet,
                    "wcag": wcag,
                    "standard": standard_label(hit.criteria),
                    "help": hit.help,
                    "help_url": hit.help_url,
                    "source": "axe",
                    "axe": hit.as_detail(),
                    **hit.evidence,
                    **shared,
                },
            )
            self.fresh.append(finding)
            yield finding

    def _overrule(
        self, item: SamplePage, hits: list[_AxeHit], static: dict[tuple[str, str], Finding]
    ) -> None:
        """Drop the static findings of browser-judged rules the rendered page did not
        confirm: the static rule only approximates what the browser measures."""
        confirmed = {hit.rule for hit in hits}
        for rule in BROWSER_JUDGED_RULES - confirmed:
            row = static.get((item.url, rule))
            if row is not None and row.id is not None:
                self.deletes.append(row)
                self.dropped.add((item.url, rule))

    # ----------------------------------------------------------------- reuse

    def _previous_audit(self, ruleset: str) -> _PreviousAudit | None:
        """The site's last done scan, if it audited with the same axe version and rule set."""
        scan = self.session.exec(
            select(Scan)
            .where(
                Scan.site_id == self.ctx.site_id,
                Scan.status == ScanStatus.done,
                Scan.id != self.ctx.scan_id,
            )
            .order_by(Scan.id.desc())  # type: ignore[union-attr]
            .limit(1)
        ).first()
        if scan is None or scan.id is None:
            return None
        info = ((scan.stats or {}).get("accessibility") or {}).get("browser") or {}
        if info.get("status") != "done" or info.get("ruleset") != ruleset:
            return None
        return _PreviousAudit(
            scan.id, dict(info.get("pages") or {}), set(info.get("care_entry_pages") or ())
        )

    def _reuse(
        self, previous_scan: int, item: SamplePage, static: dict[tuple[str, str], Finding]
    ) -> Iterator[FindingData]:
        """Last scan's browser findings for a page whose content has not changed."""
        rows = self.session.exec(
            select(Finding).where(
                Finding.scan_id == previous_scan,
                Finding.page == item.url,
                Finding.check.in_((ACCESSIBILITY, ELDERLY)),  # type: ignore[attr-defined]
            )
        ).all()
        hits: list[_AxeHit] = []
        elderly: list[FindingData] = []
        for row in rows:
            detail = dict(row.detail or {})
            if row.check == ACCESSIBILITY and detail.get("axe"):
                hits.append(_AxeHit.from_detail(detail.get("rule") or "", detail["axe"]))
                continue
            if row.check != ELDERLY:
                continue
            message = row.message
            if detail.get("source") == "static+browser":  # the browser part of a merged one
                message = detail["browser"]["message"]
                detail = dict(detail["browser"]["detail"])
            elif detail.get("source") != "browser":
                continue
            detail.update(
                template=item.template,
                template_pages=self.template_pages.get(item.template or "", 0),
                reused_from_scan=previous_scan,
            )
            elderly.append(
                FindingData(
                    check=ELDERLY,
                    page=item.url,
                    message=message,
                    key=(detail.get("item") or "",),
                    detail=detail,
                )
            )
        yield from self._emit_elderly(elderly)
        for finding in self._emit_axe(item, hits, static):
            finding.detail["reused_from_scan"] = previous_scan
            yield finding
        self._overrule(item, hits, static)
        for row_id, (row, merged) in list(self.edits.items()):
            if row.page == item.url:
                self.edits[row_id] = (row, {**merged, "reused_from_scan": previous_scan})

    # ----------------------------------------------------------------- stored rows

    def _static_findings(self, urls: list[str]) -> dict[tuple[str, str], Finding]:
        """This scan's static accessibility findings on the sampled pages, by (page, rule)."""
        found: dict[tuple[str, str], Finding] = {}
        for start in range(0, len(urls), 500):
            rows = self.session.exec(
                select(Finding).where(
                    Finding.scan_id == self.ctx.scan_id,
                    Finding.check == ACCESSIBILITY,
                    Finding.page.in_(urls[start : start + 500]),  # type: ignore[attr-defined]
                )
            ).all()
            for row in rows:
                rule = (row.detail or {}).get("rule")
                if rule:
                    found[(row.page, rule)] = row
        return found

    def _stored_elderly(self) -> dict[tuple[str, str], Finding]:
        """This scan's 适老化 findings from the page hook (care-mode entry, ad scripts)."""
        rows = self.session.exec(
            select(Finding).where(Finding.scan_id == self.ctx.scan_id, Finding.check == ELDERLY)
        ).all()
        return {(row.page, (row.detail or {}).get("item") or ""): row for row in rows}

    def _emit_elderly(self, findings: Iterable[FindingData]) -> Iterator[FindingData]:
        """Browser 适老化 findings; one the static pass already reported (ad scripts) is
        merged into it, keeping one finding per (page, item)."""
        for finding in findings:
            item = finding.detail.get("item") or ""
            existing = self.elderly_stored.get((finding.page, item))
            if existing is None or existing.id is None:
                yield finding
                continue
            browser_part = {"message": finding.message, "detail": finding.detail}
            merged = {**existing.detail, "source": "static+browser", "browser": browser_part}
            self.edits[existing.id] = (existing, merged)

    # ----------------------------------------------------------------- roll-ups, finish

    def template_rollups(self) -> Iterator[FindingData]:
        """(template, rule) pairs failing on at least two pages of a shared template."""
        # Only the two JSON fields, not whole details: a large site has 100,000s of rows.
        template_of = Finding.detail["template"].as_string()  # type: ignore[index]
        rule_of = Finding.detail["rule"].as_string()  # type: ignore[index]
        stored = self.session.exec(
            select(Finding.page, template_of, rule_of).where(
                Finding.scan_id == self.ctx.scan_id, Finding.check == ACCESSIBILITY
            )
        ).all()
        fresh = [(f.page, f.detail.get("template"), f.detail.get("rule")) for f in self.fresh]
        failing: dict[tuple[str, str], set[str]] = defaultdict(set)
        for page, template, rule in [*stored, *fresh]:
            if (page, rule) in self.dropped:
                continue
            if template and rule and self.template_pages.get(template, 0) >= 2:
                failing[(template, rule)].add(page)
        for (template, rule), urls in sorted(failing.items()):
            if len(urls) >= 2:
                pages = sorted(urls)
                example = self._example(pages[0], rule)
                yield rollup_finding(template, rule, pages, self.template_pages[template], example)

    def _example(self, page: str, rule: str) -> dict[str, Any]:
        """The detail of one failing page's finding, for the roll-up's evidence."""
        for finding in self.fresh:
            if finding.page == page and finding.detail.get("rule") == rule:
                return finding.detail
        rows = self.session.exec(
            select(Finding.detail).where(
                Finding.scan_id == self.ctx.scan_id,
                Finding.check == ACCESSIBILITY,
                Finding.page == page,
            )
        ).all()
        return next((d for d in rows if (d or {}).get("rule") == rule), {})

    def finish(self) -> None:
        """Apply the deferred row edits and the scan stats; the pipeline commits."""
        scan = self.session.get(Scan, self.ctx.scan_id)
        for row_id, (row, merged) in self.edits.items():
            row.detail = merged
            if row_id in self.messages:
                row.message = self.messages[row_id]
            self.session.add(row)
        for row in self.deletes:
            self.session.delete(row)
        if scan is None:
            return
        stats = dict(scan.stats or {})
        section = dict(stats.get("accessibility") or {})
        when = dt.datetime.now(dt.UTC).isoformat(timespec="seconds")
        section["browser"] = {**self.stats, "at": when}
        stats["accessibility"] = section
        stats["browser_audited_pages"] = self.audited
        scan.stats = stats  # a new dict, so the JSON column is written
        self.session.add(scan)


def _axe_message(hit: _AxeHit) -> str:
    title = rule_title_zh(hit.rule, hit.help)
    return f"{title}（{hit.nodes} 处；{wcag_label(hit.criteria)}）"


def _unchanged(item: SamplePage, previous: _PreviousAudit | None) -> bool:
    if previous is None or not item.content_hash:
        return False
    return previous.pages.get(item.url) == item.content_hash
