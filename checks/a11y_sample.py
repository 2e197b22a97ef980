"""Which pages the browser audits: within a budget, the home page, one page of every
template, each column's first list page, then more pages per template."""

from __future__ import annotations

from collections import Counter, defaultdict
from dataclasses import dataclass, field

from sqlmodel import select

from govpatrol.core.models import ListPage, Page
from govpatrol.core.site_settings import options_of
from govpatrol.core.types import ScanContext, SiteContext


@dataclass(frozen=True)
class AccessibilityOptions:
    """The thresholds the accessibility check reads: the browser's page budget, and the
    bounds of the linked stylesheets the static contrast rule fetches."""

    browser_budget_pages: int
    browser_pages_per_template: int
    stylesheet_max_per_scan: int
    stylesheet_timeout_s: float


@dataclass
class SamplePage:
    url: str
    template: str | None
    content_hash: str | None
    reasons: list[str] = field(default_factory=list)


def html_pages(ctx: SiteContext) -> list[Page]:
    assert ctx.session is not None
    rows = ctx.session.exec(
        select(Page).where(Page.scan_id == ctx.scan_id).order_by(Page.id)  # type: ignore[arg-type]
    ).all()
    return [
        p
        for p in rows
        if p.error is None
        and p.kind not in _NOT_PAGES
        and p.status is not None
        and 200 <= p.status < 400
        and (p.content_type is None or "html" in p.content_type.lower())
    ]


# Page kinds that are not pages of the site's own templates.
_NOT_PAGES = frozenset({"error", "failed", "nonhtml", "redirect", "soft404", "challenge"})


def _is_home(ctx: ScanContext, url: str) -> bool:
    return url.rstrip("/") == ctx.site_url.rstrip("/")


def choose_sample(ctx: SiteContext, pages: list[Page]) -> list[SamplePage]:
    """Pages for the browser, within ``browser_budget_pages``, in priority order: the home
    page, one page of every template (largest first), each column's first list page, then
    more pages per template up to ``browser_pages_per_template``."""
    options = options_of(ctx.thresholds, AccessibilityOptions)
    budget = max(0, options.browser_budget_pages)
    per_template = max(1, options.browser_pages_per_template)
    by_url = {p.url: p for p in pages}
    chosen: dict[str, SamplePage] = {}
    by_hash: dict[str, str] = {}  # the same bytes under two URLs are audited once
    taken: Counter[str] = Counter()

    def take(page: Page | None, reason: str) -> None:
        if page is None:
            return
        url = by_hash.get(page.content_hash or "", page.url)
        if url in chosen:
            chosen[url].reasons.append(reason)
            return
        if len(chosen) >= budget:
            return
        chosen[url] = SamplePage(url, page.template_key, page.content_hash, [reason])
        if page.content_hash:
            by_hash[page.content_hash] = url
        if page.template_key:
            taken[page.template_key] += 1

    homes = [p for p in pages if p.kind == "home" or _is_home(ctx, p.url)]
    for page in (homes or [p for p in pages if p.depth == 0])[:1]:
        take(page, "home")
    groups: dict[str, list[Page]] = defaultdict(list)
    for page in pages:
        if page.template_key:
            groups[page.template_key].append(page)
    ordered = sorted(groups.values(), key=lambda g: (-len(g), g[0].id or 0))
    for group in ordered:
        group.sort(key=lambda p: (p.depth, p.id or 0))
        if not taken[group[0].template_key or ""]:
            take(group[0], "template")
    for url in _column_first_pages(ctx, pages):
        take(by_url.get(url), "column")
    for group in ordered:
        for page in group:
            if taken[page.template_key or ""] >= per_template:
                break
            take(page, "template")
    return list(chosen.values())


def _column_first_pages(ctx: SiteContext, pages: list[Page]) -> list[str]:
    """Each column's first list page: of a column's list pages (ListPage rows), the shortest
    URL (``index.html`` before ``index_1.html``); Page rows of kind ``list`` otherwise."""
    assert ctx.session is not None
    rows = ctx.session.exec(
        select(ListPage.column_key, ListPage.url)
        .where(ListPage.scan_id == ctx.scan_id)
        .order_by(ListPage.id)  # type: ignore[arg-type]
    ).all()
    first: dict[str, str] = {}
    for key, url in rows:
        if key.startswith("__"):
            # a check's bookkeeping row (a page's identity facts, foreign scripts, own text,
            # messages, the home page's items …): no column
            continue
        if key not in first or len(url) < len(first[key]):
            first[key] = url
    if first:
        return list(first.values())
    return [p.url for p in sorted(pages, key=lambda p: (p.depth, p.id or 0)) if p.kind == "list"]
