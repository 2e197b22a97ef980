"""Broken links (issue 3): every link target of a scan verified once, one finding per page.

The crawl records each distinct target (``LinkTarget``, outcome ``pending``) and every place
it was seen (``LinkSource``). The site hook settles every pending target: a page the crawl
fetched already keeps the crawl's answer (a page is never fetched twice), robots-disallowed
targets stay unverified, and the rest go through ``crawler.verify``. Then each broken target
yields one ``broken_link`` finding per page carrying it, and ``#fragment`` links into the
site's own pages are checked for a matching id (``broken_fragment``, low severity).

Rows are read in chunks and written back in batches, so a 20,000-page scan with hundreds of
thousands of sources runs in flat memory.

The parts: ``checks.link_table`` (the rows), ``checks.link_settle`` (an outcome for every
target, within the time budget), ``checks.link_findings`` (what the outcomes yield) and
``checks.link_recheck`` (verifying a scan's targets again after a fix).
"""

from __future__ import annotations

import dataclasses
from collections.abc import Iterator, Mapping
from typing import Any

from sqlmodel import Session

from checks.link_findings import (
    broken_link_findings,
    fragment_findings,
)
from checks.link_options import LinkOptions
from checks.link_settle import settle_pending, verify_budget
from crawler.netguard import FetchGuard
from crawler.verify_types import VerifyConfig
from extract.soft404 import NotFoundProfile
from govpatrol.core.models import Scan
from govpatrol.core.settings import Thresholds
from govpatrol.core.site_settings import options_of
from govpatrol.core.types import Check, FindingData, SiteContext


class LinkCheck(Check):
    name = "links"
    findings = ("broken_link", "broken_fragment")
    options_type = LinkOptions

    def on_site(self, ctx: SiteContext) -> Iterator[FindingData]:
        session = _session(ctx)
        options: LinkOptions = self.options(ctx)
        config = verify_config(options, ctx.scan, ctx.site_config, ctx.site_url, ctx.address_zone)
        budget = verify_budget(options, ctx.scan)
        counts = settle_pending(session, ctx.scan_id, config, budget)
        _record_stats(session, ctx.scan_id, counts)
        session.commit()  # before yielding: the pipeline's writer uses another connection
        yield from broken_link_findings(session, ctx.scan_id)
        yield from fragment_findings(session, ctx.scan_id, config)


def _session(ctx: SiteContext) -> Session:
    if ctx.session is None:
        raise ValueError("the links check needs a store session")
    return ctx.session


# -- configuration ---------------------------------------------------------------------------


def verify_config(
    options: LinkOptions | None = None,
    scan: Scan | None = None,
    site_config: Mapping[str, Any] | None = None,
    site_url: str | None = None,
    address_zone: str = "public",
) -> VerifyConfig:
    """The verifier's settings for a site: the link timeout threshold, the not-found page the
    crawl learned (``scan.stats["not_found_profile"]``) and ``site.config["link_verify"]``
    overrides (per_host_concurrency, per_host_interval_s … for fragile servers); the SSRF
    guard is the site's (its registered ``address_zone``), and no setting replaces it."""
    options = options or options_of(Thresholds(), LinkOptions)
    profile = NotFoundProfile.from_dict(
        ((scan.stats if scan else None) or {}).get("not_found_profile")
    )
    config = VerifyConfig(
        timeout_s=options.link_timeout_s,
        profile=profile,
        guard=FetchGuard(site_url, zones=address_zone),
    )
    overrides = dict((site_config or {}).get("link_verify") or {})
    known = {f.name for f in dataclasses.fields(VerifyConfig)} - {
        "profile",
        "head_first_kinds",
        "guard",
    }
    unknown = set(overrides) - known
    if unknown:
        raise ValueError(f"unknown link_verify setting(s): {', '.join(sorted(unknown))}")
    typed = {k: type(getattr(config, k))(v) for k, v in overrides.items()}
    return dataclasses.replace(config, **typed)


def _record_stats(session: Session, scan_id: int, counts: Mapping[str, Any]) -> None:
    scan = session.get(Scan, scan_id)
    if scan is not None:
        scan.stats = {**(scan.stats or {}), "links": dict(counts)}
        session.add(scan)
