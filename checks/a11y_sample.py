"""Which pages the browser audits: within a budget, the home page, one page of every
template variant, each column's first list page where it is a variant not audited yet, then
more variants per template.

A *variant* is what the browser could judge differently: pages of one template (the same
DOM skeleton, ``Page.template_key``) whose static findings differ are different variants; two
pages of one template with the same static findings are one variant, however many URL
folders (columns) they sit in. Their rendered layout, stylesheets, scripts, pop-ups and
keyboard path come from the template; what their content adds that the browser judges
(inline colours, pictures without text, frames, scripts that plant ads) shows in the static
findings. So a second page of a variant costs a browser audit and can add nothing, while a
page whose static findings differ from its template's first is audited too.

Not every static finding tells of such a difference: the rendered DOM is judged by the same
static rules (``checks.a11y_rendered``), so a page that fails only a *repeated* rule (a picture,
a title, a language, a duplicate id: ``REPEATED_RULES``) shows the browser what its template's
first page shows plus a failure the static pass has already reported. Those rules are left
out of the variant; the rules whose failure speaks of something the browser judges itself
stay in it: colours (the browser decides contrast), frames (the browser audits their
content), controls (the keyboard walk and the form rules reach them), refreshes, moving text
and hidden bodies (what the page shows on load), and every 适老化 item."""

from __future__ import annotations

from collections import Counter, defaultdict
from dataclasses import dataclass, field
from typing import NamedTuple

from sqlmodel import col, select

from govpatrol.core.models import Finding, ListPage, Page
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


class HtmlPage(NamedTuple):
    """What the sample reads of a page. The check holds one per page of the site while the
    browser audits, so a tuple of these columns, not the ``Page`` row (a model row per page
    took 64 MB at 21,000 pages)."""

    id: int
    url: str
    depth: int
    kind: str | None
    template_key: str | None
    content_hash: str | None


def html_pages(ctx: SiteContext) -> list[HtmlPage]:
    assert ctx.session is not None
    query = (
        select(
            Page.id,
            Page.url,
            Page.depth,
            Page.kind,
            Page.template_key,
            Page.content_hash,
            Page.status,
            Page.content_type,
        )
        .where(Page.scan_id == ctx.scan_id, col(Page.error).is_(None))
        .order_by(Page.id)  # type: ignore[arg-type]
        .execution_options(yield_per=2000)
    )
    return [
        HtmlPage(page_id, url, depth, kind, template, content_hash)
        for page_id, url, depth, kind, template, content_hash, status, content_type in (
            ctx.session.exec(query)
        )
        if kind not in _NOT_PAGES
        and status is not None
        and 200 <= status < 400
        and (content_type is None or "html" in content_type.lower())
    ]


# The check ids of checks.a11y_findings, which builds on this module.
_ACCESSIBILITY, _ELDERLY = "accessibility", "elderly_friendly"

# Static rules the rendered-DOM judge repeats and whose failure changes nothing else the
# browser looks at: a text alternative, name, title or language missing or wrong on an element
# (its layout, colours, focus and scripts are its template's), an id used twice, an empty
# heading. A page that differs from another of its template only in these is no other variant.
REPEATED_RULES = frozenset(
    {
        "image-alt",
        "role-img-alt",
        "svg-img-alt",
        "area-alt",
        "html-has-lang",
        "html-lang-valid",
        "valid-lang",
        "html-xml-lang-mismatch",
        "document-title",
        "duplicate-id-aria",
        "empty-heading",
    }
)

# Page kinds that are not pages of the site's own templates.
_NOT_PAGES = frozenset({"error", "failed", "nonhtml", "redirect", "soft404", "challenge"})


def _is_home(ctx: ScanContext, url: str) -> bool:
    return url.rstrip("/") == ctx.site_url.rstrip("/")


def choose_sample(ctx: SiteContext, pages: list[HtmlPage]) -> list[SamplePage]:
    """Pages for the browser, within ``browser_budget_pages``, in priority order: the home
    page, one page of every template (largest first), each column's first list page unless
    its variant is sampled already, then further variants of a template up to
    ``browser_pages_per_template`` pages of it."""
    options = options_of(ctx.thresholds, AccessibilityOptions)
    budget = max(0, options.browser_budget_pages)
    per_template = max(1, options.browser_pages_per_template)
    by_url = {p.url: p for p in pages}
    variant_of = _variants(ctx, pages)
    chosen: dict[str, SamplePage] = {}
    by_hash: dict[str, str] = {}  # the same bytes under two URLs are audited once
    by_variant: dict[tuple[str, ...], str] = {}  # a variant is audited once
    taken: Counter[str] = Counter()

    def take(page: HtmlPage | None, reason: str, *, always: bool = False) -> None:
        if page is None:
            return
        url = by_hash.get(page.content_hash or "", page.url)
        variant = variant_of.get(page.url)
        if url not in chosen and not always and variant in by_variant:
            url = by_variant[variant]  # this page's variant is audited through another
        if url in chosen:
            chosen[url].reasons.append(reason)
            return
        if len(chosen) >= budget:
            return
        chosen[url] = SamplePage(url, page.template_key, page.content_hash, [reason])
        if page.content_hash:
            by_hash[page.content_hash] = url
        if variant is not None:
            by_variant.setdefault(variant, url)
        if page.template_key:
            taken[page.template_key] += 1

    homes = [p for p in pages if p.kind == "home" or _is_home(ctx, p.url)]
    for page in (homes or [p for p in pages if p.depth == 0])[:1]:
        take(page, "home", always=True)
    groups: dict[str, list[HtmlPage]] = defaultdict(list)
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
            take(page, "variant")
    return list(chosen.values())


def _variants(ctx: SiteContext, pages: list[HtmlPage]) -> dict[str, tuple[str, ...]]:
    """Each templated page's variant: its template, its kind, and the static accessibility
    rules (but ``REPEATED_RULES``) and 适老化 items it fails (pages without a template are
    variants of their own)."""
    assert ctx.session is not None
    failing: dict[str, set[str]] = defaultdict(set)
    rule_of = Finding.detail["rule"].as_string()  # type: ignore[index]
    item_of = Finding.detail["item"].as_string()  # type: ignore[index]
    rows = ctx.session.exec(
        select(Finding.page, Finding.check, rule_of, item_of).where(
            Finding.scan_id == ctx.scan_id,
            Finding.check.in_((_ACCESSIBILITY, _ELDERLY)),  # type: ignore[attr-defined]
        )
    ).all()
    for page, check, rule, item in rows:
        if check == _ACCESSIBILITY and rule in REPEATED_RULES:
            continue  # the browser would find it again and nothing besides
        if page:
            failing[page].add(f"{check}:{rule or item or ''}")
    return {
        p.url: (p.template_key, p.kind or "", *sorted(failing.get(p.url, ())))
        for p in pages
        if p.template_key
    }


def _column_first_pages(ctx: SiteContext, pages: list[HtmlPage]) -> list[str]:
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
