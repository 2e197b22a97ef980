"""``missing_site_identity``: what every government site must show about itself, and how it
must be reached (《政府网站发展指引》, 国办发〔2017〕47号).

Per page template (``detail.item``): the footer's 网站标识码 (a valid code), ICP备案编号,
公安机关备案号, 党政机关网站标识 and 主办单位 with a contact (``extract.identity``), and
mixed content on https pages (``extract.mixed_content``). Once per site, on the site's own
host only: a .gov.cn name, HTTPS with a certificate valid for the name and not expiring
within ``certificate_warn_days``, and an IPv6 (AAAA) record (``checks.identity_site``).

The page hook reads each page once and stores what it shows as a ``ListPage`` row
(``column_key="__identity__"``, the page's template key as ``name``); the site hook groups
the rows by template (``checks.identity_templates``) and runs the site-wide probes.
"""

from __future__ import annotations

from collections.abc import Iterable, Iterator
from dataclasses import dataclass
from typing import Any

from sqlmodel import Session, select

from checks.identity_keys import IDENTITY_KEY
from checks.identity_site import probe_site
from checks.identity_templates import (
    PageFacts,
    by_template,
    footer_findings,
    mixed_content_findings,
)
from crawler.netguard import FetchGuard
from extract.identity import FooterFacts, footer_facts
from extract.mixed_content import MAX_LISTED, mixed_content
from extract.templates import template_key
from govpatrol.core.findings.identity import MISSING_SITE_IDENTITY
from govpatrol.core.models import ListPage, Scan
from govpatrol.core.types import Check, FindingData, ParsedPage, ScanContext, SiteContext


@dataclass(frozen=True)
class IdentityOptions:
    """The thresholds the identity check reads."""

    certificate_warn_days: int
    link_timeout_s: float


def stored_facts(session: Session, scan_id: int) -> list[PageFacts]:
    """Every page's facts. A row per page of the site: read as plain columns, streamed, not
    as model rows held all at once, and the pages of a template, which show the same footer,
    share one ``FooterFacts`` (nothing changes one once read), so the memory this takes is
    the site's URLs, not its rows (83 MB at 21,000 pages before)."""
    query = (
        select(ListPage.url, ListPage.name, ListPage.items)
        .where(ListPage.scan_id == scan_id, ListPage.column_key == IDENTITY_KEY)
        .execution_options(yield_per=2000)
    )
    footers: dict[tuple[tuple[str, Any], ...], FooterFacts] = {}
    pages = []
    for url, name, items in session.exec(query):
        stored: dict[str, Any] = (items or [{}])[0]
        shown = stored.get("footer") or {}
        key = tuple(sorted(shown.items()))
        footer = footers.get(key)
        if footer is None:
            footer = footers[key] = FooterFacts.from_dict(shown)
        pages.append(PageFacts(url, name or "", footer, list(stored.get("mixed") or ())))
    return pages


def _record_stats(session: Session, scan_id: int, stats: dict[str, Any]) -> None:
    scan = session.get(Scan, scan_id)
    if scan is not None:
        scan.stats = {**(scan.stats or {}), "identity": stats}
        session.add(scan)


class IdentityCheck(Check):
    name = "identity"
    findings = (MISSING_SITE_IDENTITY.id,)
    options_type = IdentityOptions

    def on_page(self, page: ParsedPage, ctx: ScanContext) -> Iterator[ListPage]:
        if page.status >= 400:
            return
        facts = footer_facts(page.tree)
        mixed = mixed_content(page.tree, page.final_url or page.url, page.headers)
        yield ListPage(
            scan_id=ctx.scan_id,
            url=page.url,
            column_key=IDENTITY_KEY,
            name=page.template_key or template_key(page.tree),
            item_count=len(mixed),
            items=[{"footer": facts.to_dict(), "mixed": [m.to_dict() for m in mixed[:MAX_LISTED]]}],
        )

    def on_site(self, ctx: SiteContext) -> Iterable[FindingData]:
        if ctx.session is None:
            return
        options: IdentityOptions = self.options(ctx)
        pages = stored_facts(ctx.session, ctx.scan_id)
        groups = by_template(pages)
        yield from footer_findings(groups)
        yield from mixed_content_findings(groups)
        probes = probe_site(
            ctx.site_url,
            FetchGuard(ctx.site_url, zones=ctx.address_zone),
            timeout=options.link_timeout_s,
            warn_days=options.certificate_warn_days,
        )
        yield from probes.findings
        not_judged: dict[str, int] = {}
        for page in pages:
            if page.footer.why_not_judged:
                reason = page.footer.why_not_judged
                not_judged[reason] = not_judged.get(reason, 0) + 1
        _record_stats(
            ctx.session,
            ctx.scan_id,
            {
                "pages": len(pages),
                "templates": len(groups),
                "pages_not_judged": not_judged,
                "cannot_tell": probes.cannot_tell,
            },
        )
