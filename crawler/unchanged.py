"""How a rescan's crawl takes in the pages the revalidation pass (``crawler.revalidate``)
found unchanged: without Scrapy. Such a page is re-used from the previous scan as a 304
answered to Scrapy would be (``SiteSpider._reuse``), but no request is queued, scheduled,
downloaded or parsed for it.

The crawl still decides which pages are in the scan: an unchanged page is taken in only
when a page of this crawl links to it and admission lets the link through, so the set of
pages grows or shrinks only through pages that changed. And it is taken in breadth first,
as Scrapy's depth priority would have it: a page of depth ``d`` only once no page nearer the
home page is still in Scrapy's hands (a changed page at depth ``d - 1`` may link to the same
page, which would then be at depth ``d``, not deeper). Pages wait in a heap by depth until
then; when Scrapy goes idle, nothing can still be nearer, and every waiting page is taken.
"""

from __future__ import annotations

import heapq
import itertools
import time
from collections import Counter
from collections.abc import AsyncIterator, Callable, Iterable
from typing import Any

import scrapy
from scrapy.downloadermiddlewares.httpcompression import ACCEPTED_ENCODINGS
from scrapy.exceptions import DontCloseSpider

from crawler.job import CrawlJob
from crawler.middleware import crawl_guard
from crawler.page_meta import page_arguments, page_meta
from crawler.reuse import PreviousScan
from crawler.revalidate import Politeness, not_modified
from govpatrol.core.types import LinkRef
from govpatrol.core.urls import CrawlScope, in_scope


class UnchangedPages:
    """The spider's side of the revalidation pass (``crawler.spider.SiteSpider`` holds the
    state it reads)."""

    job: CrawlJob
    scope: CrawlScope
    previous: PreviousScan
    stats_counts: Counter[str]
    started: float
    crawler: Any
    settings: Any
    _robots_allow: Callable[[str], bool]
    _home_request: Callable[[], scrapy.Request]
    _request: Callable[..., scrapy.Request]
    _reuse_links: Callable[[str, dict[str, Any]], list[LinkRef] | None]
    _admitted: Callable[[str, list[LinkRef], dict[str, Any]], list[dict[str, Any]]]

    def _init_unchanged(self) -> None:
        self.unchanged: set[str] = set()
        # page requests handed to Scrapy and not yet answered, by depth (only on a rescan)
        self.in_flight: Counter[int] = Counter()
        # unchanged pages admitted, as their request's meta: a heap by depth, then order
        self.waiting: list[tuple[int, int, dict[str, Any]]] = []
        self.wait_order = itertools.count()
        self.depth_offset = 0  # Scrapy's depth of the home page request (see _send)
        self.url_length_limit = 0  # Scrapy's settings, read when the crawl starts
        self.depth_priority = 0

    async def _revalidate(self) -> None:
        """Ask the previous scan's pages (those robots.txt still allows) whether they
        changed, before the crawl starts; the ones that did not are ``unchanged``."""
        if self.previous.scan_id is None or not self.previous.validators:
            return
        t = self.job.thresholds
        urls = [
            url
            for url in self.previous.validators
            if in_scope(url, self.scope) and self._robots_allow(url)
        ][: t.max_pages]
        limits = Politeness(
            concurrency=max(t.concurrency, 1),
            delay_s=t.download_delay_s,
            timeout_s=t.link_timeout_s,
            deadline=self.started + min(t.time_budget_s, t.scan_budget_s),
        )
        headers = {
            "User-Agent": self.settings.get("USER_AGENT"),
            **self.settings.getdict("DEFAULT_REQUEST_HEADERS"),
            "Accept-Encoding": b", ".join(ACCEPTED_ENCODINGS).decode(),
        }
        began = time.monotonic()
        guard = crawl_guard(self.job.site_url, self.job.address_zone)
        self.unchanged = await not_modified(
            urls, self.previous.conditional_headers, guard, limits, headers
        )
        self.stats_counts["revalidated"] = len(urls)
        self.stats_counts["revalidated_unchanged"] = len(self.unchanged)
        self.stats_counts["revalidation_ms"] = round((time.monotonic() - began) * 1000)

    async def _start_pages(self, home_depth: int) -> AsyncIterator[scrapy.Request]:
        """The crawl's start once robots.txt and the not-found page are read: the pass,
        then the home page (``home_depth``: the depth Scrapy will give its request)."""
        await self._revalidate()
        self.depth_offset = home_depth
        self.url_length_limit = self.settings.getint("URLLENGTH_LIMIT")
        self.depth_priority = self.settings.getint("DEPTH_PRIORITY")
        for request in self._route([self._home_request()]):
            yield request

    def _route(self, requests: Iterable[scrapy.Request]) -> list[scrapy.Request]:
        """Of page requests a callback or errback made: those it must return for Scrapy
        to send. Unchanged pages are taken in here as soon as their turn comes, and the
        pages they lead to are scheduled too (or wait their turn, if unchanged)."""
        if not self.unchanged:
            return list(requests)  # a first scan: Scrapy has every page
        sent = []
        for request in requests:
            if not self._wait(request.meta):
                self._count(request)
                sent.append(request)  # Scrapy's, through its spider middleware as before
        while self.waiting and self._turn_of(self.waiting[0][0]):
            _, _, meta = heapq.heappop(self.waiting)
            url = meta["gp_url"]
            self.stats_counts["pages"] += 1
            links = self._reuse_links(url, meta)
            if links is None:  # nothing to re-use after all: Scrapy fetches it
                self.stats_counts["pages"] -= 1
                self.unchanged.discard(url)
                admitted = [page_arguments(meta)]
            else:
                admitted = self._admitted(url, links, meta)
            for page in admitted:
                if not self._wait(page_meta(**page)):
                    request = self._request(**page)
                    if self._count(request):
                        self._send(request)
        return sent

    def _wait(self, meta: dict[str, Any]) -> bool:
        """An unchanged page waits for its turn (True); any other is Scrapy's."""
        if meta["gp_url"] not in self.unchanged:
            return False
        heapq.heappush(self.waiting, (meta["gp_depth"], next(self.wait_order), meta))
        return True

    def _count(self, request: scrapy.Request) -> bool:
        """Count a request Scrapy will answer as in flight; False for one Scrapy's
        UrlLengthMiddleware would drop unanswered (never scheduled from here)."""
        if len(request.url) > self.url_length_limit:
            return False
        self.in_flight[request.meta["gp_depth"]] += 1
        return True

    def _send(self, request: scrapy.Request) -> None:
        """Schedule a request that is no callback's output (it comes from a page taken in
        here), with the depth and priority Scrapy's DepthMiddleware would have given it
        had its page been a response: breadth first, as the rest of the crawl."""
        depth = request.meta["gp_depth"] + self.depth_offset
        request.meta["depth"] = depth
        request.priority -= depth * self.depth_priority
        self.crawler.engine.crawl(request)

    def _turn_of(self, depth: int) -> bool:
        nearest = min((d for d, n in self.in_flight.items() if n > 0), default=None)
        return nearest is None or depth <= nearest

    def _answered(self, meta: dict[str, Any]) -> None:
        """A page request Scrapy had is done (its page stored, its links followed)."""
        depth = meta["gp_depth"]
        if self.in_flight[depth] > 0:
            self.in_flight[depth] -= 1

    def on_idle(self, spider: scrapy.Spider) -> None:
        """Scrapy has nothing left: no page can be nearer the home page than those waiting
        (a request Scrapy dropped unanswered would otherwise hold them forever)."""
        if not self.waiting:
            return
        self.in_flight.clear()
        self._route([])
        raise DontCloseSpider
