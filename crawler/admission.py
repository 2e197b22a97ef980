"""Which links the spider follows: page links in scope, within robots.txt, the page
budget and the caps that stop crawler traps (calendars, endless query strings).
"""

from __future__ import annotations

from collections import Counter
from collections.abc import Callable
from typing import Any

import scrapy

from crawler.job import CrawlJob
from govpatrol.core.budgets import CUT_MAX_PAGES
from govpatrol.core.types import LinkRef
from govpatrol.core.urls import CrawlScope, PatternKey, in_scope, looks_like_html

# Tags whose targets a visitor navigates to (and so the crawler follows); the others are
# resources of the page (images, scripts, styles) that link verification checks.
FOLLOWED_TAGS = frozenset({"a", "area", "iframe", "frame", "script"})
FOLLOWED_ATTRS = frozenset({"href", "src", "datastore", "pager"})
# A chain of pages of one URL pattern, each found on the previous one (next day, next
# month …), is how calendars and similar traps look; real sites rarely chain deeper.
MAX_PATTERN_CHAIN = 8


class Admission:
    """The spider's following (``crawler.spider.SiteSpider`` holds the state it reads)."""

    job: CrawlJob
    scope: CrawlScope
    enqueued: set[str]
    robots_blocked: set[str]
    pattern_counts: Counter[str]
    stats_counts: Counter[str]
    _request: Callable[..., scrapy.Request]
    _robots_allow: Callable[[str], bool]
    _cut: Callable[[str, str, int], None]

    def _follow(
        self, page_url: str, links: list[LinkRef], meta: dict[str, Any]
    ) -> list[scrapy.Request]:
        return [self._request(**page) for page in self._admitted(page_url, links, meta)]

    def _admitted(
        self, page_url: str, links: list[LinkRef], meta: dict[str, Any]
    ) -> list[dict[str, Any]]:
        """The pages the links lead to that the crawl takes in, as ``_request``'s
        arguments (a page re-used without Scrapy needs no request: crawler.unchanged)."""
        depth = meta["gp_depth"] + 1
        if depth > self.job.thresholds.max_depth:
            return []
        parent_pattern = PatternKey.of(page_url)
        pages = []
        for link in links:
            if not self._followable(link):
                continue
            pattern = PatternKey.of(link.url)
            chain = meta["gp_chain"] + 1 if pattern == parent_pattern else 0
            if not self._admit(link.url, pattern, chain):
                continue
            self.enqueued.add(link.url)
            pages.append(
                {
                    "url": link.url,
                    "depth": depth,
                    "referrer": page_url,
                    "nav_text": link.text or None,
                    "chain": chain,
                }
            )
        return pages

    def _followable(self, link: LinkRef) -> bool:
        if (
            link.url in self.enqueued
            or link.tag not in FOLLOWED_TAGS
            or link.attr not in FOLLOWED_ATTRS
        ):
            return False
        if link.tag == "script" and link.attr != "pager":
            return False
        return in_scope(link.url, self.scope) and looks_like_html(link.url)

    def _admit(self, url: str, pattern: PatternKey, chain: int) -> bool:
        """Bounds: robots.txt, max pages, and the trap caps per URL pattern."""
        if not self._robots_allow(url):
            self.robots_blocked.add(url)
            return False
        if len(self.enqueued) >= self.job.thresholds.max_pages:
            self._cut(CUT_MAX_PAGES, url, 1)
            return False
        if chain > MAX_PATTERN_CHAIN:
            self.stats_counts["skipped_trap"] += 1
            return False
        # Only query-string patterns get the tight cap: thousands of articles legitimately
        # share a path pattern such as /202405/t20240507_123.html.
        cap = self.job.thresholds.per_pattern_cap * (1 if pattern.has_query() else 50)
        if self.pattern_counts[pattern.key] >= cap:
            self.stats_counts["skipped_trap"] += 1
            return False
        self.pattern_counts[pattern.key] += 1
        return True
