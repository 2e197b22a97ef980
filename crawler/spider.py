"""The site spider: fetches a site's HTML pages once each and hands every parsed page to
the page-level checks, recording every link target it sees on the way.

robots.txt and the site's own not-found page are fetched before the home page
(``crawler.site_probes``), which links are followed is ``crawler.admission``'s call, and
what the crawl records is ``crawler.page_sink``'s; this module takes each response in.
"""

from __future__ import annotations

import dataclasses
import logging
import os
import time
from collections import Counter
from collections.abc import AsyncIterator, Awaitable, Iterator
from typing import Any

import scrapy
from protego import Protego
from scrapy import signals
from scrapy.http import Response
from twisted.python.failure import Failure

from crawler.admission import Admission
from crawler.job import CrawlJob
from crawler.page_checker import PageChecker
from crawler.page_meta import PAGE_META_KEYS, page_meta
from crawler.page_record import PageRecord
from crawler.page_sink import PageSink
from crawler.responses import binary_kind, directory_key, headers_of, is_html_response
from crawler.reuse import PreviousScan
from crawler.site_probes import SiteProbes
from crawler.unchanged import UnchangedPages
from extract.anchors import page_anchors
from extract.parse import build_parsed_page
from extract.soft404 import NotFoundProfile, challenge_reason, is_error_page
from govpatrol.core.budgets import CUT_PAGE_LINKS, LinkCap, RobotsRead
from govpatrol.core.db import make_engine
from govpatrol.core.models import LinkSource
from govpatrol.core.types import CheckedPage, LinkRef, ParsedPage
from govpatrol.core.urls import canonical, in_scope, scope_for
from govpatrol.core.writer import BatchWriter

log = logging.getLogger(__name__)

# Rows per commit: a page brings ~30 link rows; fewer, larger transactions cost the crawl's
# core less (the writer also commits every two seconds whatever the count).
WRITE_BATCH = 2000


class SiteSpider(SiteProbes, Admission, UnchangedPages, PageSink, scrapy.Spider):
    name = "govpatrol"

    def __init__(
        self,
        job: CrawlJob,
        page_checks: PageChecker,
        watch_parent: bool = True,
        **kwargs: Any,
    ) -> None:
        super().__init__(**kwargs)
        self.job = job
        self.ctx = job.context()
        self.scope = scope_for(job.site_url, job.extra_hosts, job.path_prefix)
        self.home_url = canonical(job.site_url)
        self.engine = make_engine(job.db_url)
        self.writer = BatchWriter(
            self.engine,
            job.scan_id,
            job.site_url,
            finding_stage="page",
            batch_size=WRITE_BATCH,
            background=True,
        )
        self.page_checks = page_checks
        self.robots: Protego | None = None
        self.robots_read: RobotsRead | None = None  # set when robots.txt was cut
        self.not_found: NotFoundProfile | None = None
        self.enqueued: set[str] = set()
        self.targets_seen: set[str] = set()
        self.targets_pending = 0  # targets recorded for verification (max_link_targets)
        self.cut_pages = 0  # pages whose links were cut (max_links_per_page)
        self.cut_counts: Counter[str] = Counter()  # cut reason → how much it cut
        self.cut_examples: dict[str, list[str]] = {}  # cut reason → a few URLs it hit
        self.robots_blocked: set[str] = set()
        self.pattern_counts: Counter[str] = Counter()
        self.stats_counts: Counter[str] = Counter()
        self.started = time.monotonic()
        self.last_progress = 0.0
        self.home_error: str | None = None
        # In a crawl process of its own, the scan process is the parent; when the scan
        # process crawls itself (``govpatrol scan``) there is no parent to watch.
        self.parent_pid = os.getppid() if watch_parent else None
        self.previous = PreviousScan(self.engine, job.site_id, job.scan_id)
        self.directory_pages: dict[str, tuple[str, str]] = {}
        self._init_unchanged()

    @classmethod
    def from_crawler(cls, crawler, *args: Any, **kwargs: Any) -> SiteSpider:
        spider = super().from_crawler(crawler, *args, **kwargs)
        crawler.signals.connect(spider.on_closed, signal=signals.spider_closed)
        crawler.signals.connect(spider.on_bytes_received, signal=signals.bytes_received)
        crawler.signals.connect(spider.on_idle, signal=signals.spider_idle)
        return spider

    def _request(
        self,
        url: str,
        *,
        depth: int,
        referrer: str | None,
        nav_text: str | None,
        chain: int,
        is_home: bool = False,
    ) -> scrapy.Request:
        return scrapy.Request(
            url,
            callback=self.parse_page,
            errback=self.page_failed,
            dont_filter=True,
            # no headers here: PageRequestHeadersMiddleware adds them when the request is sent
            meta=page_meta(
                url, depth=depth, referrer=referrer, nav_text=nav_text, chain=chain, is_home=is_home
            ),
        )

    # -- the queue (crawler.frontier) --------------------------------------------------

    def frontier_entry(self, request: scrapy.Request) -> tuple[Any, ...] | None:
        """A queued page request as a tuple of what ``_request`` was given, or None for a
        request that something changed since (a retry, a redirect, added headers …)."""
        meta = request.meta
        if (
            meta.keys() != PAGE_META_KEYS
            or request.callback != self.parse_page
            or request.errback != self.page_failed
            or request.method != "GET"
            or request.body
            or request.cookies
            or request.cb_kwargs
            or request.flags
            or request.headers
        ):
            return None
        self.stats_counts["queued_compact"] += 1
        return (
            meta["gp_url"],
            meta["gp_depth"],
            meta["gp_referrer"],
            meta["gp_nav_text"],
            meta["gp_chain"],
            meta["gp_home"],
            meta["depth"],
            request.priority,
        )

    def frontier_request(self, entry: tuple[Any, ...]) -> scrapy.Request:
        url, depth, referrer, nav_text, chain, is_home, scrapy_depth, priority = entry
        request = self._request(
            url, depth=depth, referrer=referrer, nav_text=nav_text, chain=chain, is_home=is_home
        )
        request.meta["depth"] = scrapy_depth  # Scrapy's DepthMiddleware set it once
        request.priority = priority
        return request

    # -- pages ----------------------------------------------------------------------------

    async def parse_page(self, response: Response) -> AsyncIterator[scrapy.Request]:
        page, requests, checking = self._take(response)
        if checking is not None:
            assert page is not None
            # the links come with the checks' results: the worker extracts them, off the
            # crawl's core; meanwhile the crawl fetches on from its queue
            checked = await checking
            home = response.meta["gp_home"]
            self._store_links(page.url, home, checked.links)
            requests = self._follow(page.url, checked.links, response.meta)
            self._store_checked(page, checked, home=home)
            self._store_page(page)
        self._answered(response.meta)
        for request in self._route(requests):
            yield request

    def page_failed(self, failure: Failure) -> list[scrapy.Request]:
        super().page_failed(failure)
        self._answered(failure.request.meta)
        return self._route([])

    def _take(
        self, response: Response
    ) -> tuple[PageRecord | None, list[scrapy.Request], Awaitable[CheckedPage] | None]:
        """Everything about a response but waiting for its page checks: the page row, the
        requests it leads to now (a page re-used from the previous scan), and the checks'
        results to await (None for a page that is not checked, already stored; the page
        row is None for a page re-used from the previous scan, copied there). The parsed
        tree lives only in here, so the pages waiting for the checks hold their text, not
        their trees."""
        meta = response.meta
        self.stats_counts["pages"] += 1
        if response.status == 304 and response.url == meta["gp_url"]:
            # the common answer of a rescan: the page is as the previous scan saw it. No page
            # row is built here; the store copies the previous one (crawler.reuse).
            follow = self._reuse(meta["gp_url"], meta)
            if follow is not None:
                return None, follow, None
        headers = headers_of(response)
        page = self._page_row(response, meta, headers)
        if self._settle_redirect(page, response, meta):
            return page, [], None
        if meta["gp_home"] and not in_scope(page.url, self.scope):
            # Every page of the site the home page now leads to is out of scope: the crawl
            # would judge this one page as the whole site, and a site it cannot read
            # would pass. The scan fails and says what to register.
            self.home_error = (
                f"首页重定向到本站登记范围以外的地址 {page.url}，扫描只能读到这一页；请把该主机"
                f"加入本站的其他主机，或改为登记该地址 (the home page redirects off the site)"
            )
            self._store_page(page)
            return page, [], None
        if response.status == 304:
            return page, list(self._not_modified(page.url, meta)), None
        parsed = self._parse(page, response, headers, meta)
        if parsed is None or self._dead_end(page, parsed, headers, meta):
            self._store_page(page)
            return page, [], None
        return page, [], self.page_checks.run(parsed)

    def _parse(
        self, page: PageRecord, response: Response, headers: dict[str, str], meta: dict[str, Any]
    ) -> ParsedPage | None:
        """The parsed page, or None (and the page row says why) when it is no HTML."""
        is_html = is_html_response(headers, response.body)
        binary = binary_kind(response.body) if is_html else None
        if binary or not is_html:
            page.kind = "nonhtml"
            shown = headers.get("content-type") or "无 Content-Type"
            if binary:
                # a file (or garbage) labelled HTML: parsing it would only yield noise
                page.error = f"binary_as_html: 以 {shown} 提供的二进制内容（{binary}）"
            if meta["gp_home"]:
                self.home_error = f"首页不是 HTML 页面（{binary or shown}）"
            return None
        link_cap = LinkCap(self.job.thresholds.max_links_per_page)
        parsed = build_parsed_page(
            page.url,
            response.url,
            response.status,
            headers,
            response.body,
            depth=meta["gp_depth"],
            is_home=meta["gp_home"],
            referrer=meta["gp_referrer"],
            nav_text=meta["gp_nav_text"],
            with_links=False,  # the page checks extract them (scan.page_checks)
            link_cap=link_cap,
        )
        if link_cap.cut:
            self.cut_pages += 1
            self._cut(CUT_PAGE_LINKS, page.url, link_cap.cut)
        page.encoding, page.title = parsed.encoding, parsed.title
        page.content_hash = parsed.content_hash
        return parsed

    def _page_row(
        self, response: Response, meta: dict[str, Any], headers: dict[str, str]
    ) -> PageRecord:
        content_type = headers.get("content-type", "")
        return PageRecord(
            scan_id=self.job.scan_id,
            url=meta["gp_url"],
            final_url=response.url,
            status=response.status,
            content_type=content_type.split(";")[0].strip() or None,
            depth=meta["gp_depth"],
            referrer=meta["gp_referrer"],
            bytes=len(response.body),
            elapsed_ms=round(meta.get("download_latency", 0.0) * 1000, 1),
            etag=headers.get("etag"),
            last_modified=headers.get("last-modified"),
        )

    def _settle_redirect(self, page: PageRecord, response: Response, meta: dict[str, Any]) -> bool:
        """True when the response is fully handled as a redirect. A redirect to a new page
        is recorded and the page then lives at its final address, so however many URLs lead
        to a page it is processed once."""
        known = meta.get("gp_redirect_known")
        if known:
            chain = {canonical(u) for u in meta.get("redirect_urls", [])} | {page.url}
            if known in chain:
                page.kind, page.error = "failed", "redirect_loop: 重定向循环"
            else:  # into a page the crawl already has: its outcome is that page's
                page.kind, page.final_url = "redirect", known
            self._store_page(page)
            return True
        final = canonical(response.url)
        if final == page.url:
            return False
        self._write_page(dataclasses.replace(page, kind="redirect", final_url=final))
        if final in self.enqueued:
            return True
        self.enqueued.add(final)
        page.url = meta["gp_url"] = final
        return False

    def _not_modified(self, url: str, meta: dict[str, Any]) -> Iterator[scrapy.Request]:
        follow = self._reuse(url, meta)
        if follow is not None:
            yield from follow
        else:  # nothing to re-use after all: ask again without conditions
            request = self._request(
                url,
                depth=meta["gp_depth"],
                referrer=meta["gp_referrer"],
                nav_text=meta["gp_nav_text"],
                chain=meta["gp_chain"],
                is_home=meta["gp_home"],
            )
            request.headers.pop("If-None-Match", None)
            request.headers.pop("If-Modified-Since", None)
            self.stats_counts["pages"] -= 1
            yield request

    def _dead_end(
        self, page: PageRecord, parsed: ParsedPage, headers: dict[str, str], meta: dict[str, Any]
    ) -> bool:
        """Pages recorded but neither checked nor followed: duplicates of a directory index,
        HTTP errors, bot challenges and soft 404s."""
        alias_of = self._directory_alias(page.url, parsed.content_hash)
        if alias_of:
            page.kind, page.final_url = "alias", alias_of
            # the page checks record the anchors of checked pages; an alias is not checked,
            # but #fragment links to it are
            page.anchors = page_anchors(parsed.tree)
            return True
        # A bot wall answers 403/429/503 as often as 200: read it as one before its status
        # makes it an error page, so a link to it is unverified, never broken.
        challenge = challenge_reason(
            page.status, headers, parsed.text, title=parsed.title, tree=parsed.tree
        )
        if challenge:
            page.kind, page.error = "challenge", challenge
        elif page.status >= 400:
            page.kind, page.error = "error", f"HTTP {page.status}"
        if page.status >= 400 and meta["gp_home"]:
            self.home_error = f"首页返回 HTTP {page.status}"
        if challenge or page.status >= 400:
            return True
        soft = is_error_page(
            page.status,
            parsed.title,
            parsed.text,
            self.not_found,
            url=page.url,
            final_url=parsed.final_url,
            tree=parsed.tree,
        )
        if soft:
            page.kind, page.error = "soft404", soft
            return True
        return False

    def _directory_alias(self, url: str, content_hash: str) -> str | None:
        """The URL this page was already processed under, when it is the same directory
        index (``/x/``, ``/x/index.html``, ``/x/default.htm`` …) with the same content."""
        key = directory_key(url)
        if key is None:
            return None
        first = self.directory_pages.setdefault(key, (url, content_hash))
        if first[0] != url and first[1] == content_hash:
            return first[0]
        return None

    def _reuse(self, url: str, meta: dict[str, Any]) -> list[scrapy.Request] | None:
        """A 304 answer: the page is as the previous scan saw it, so are its results (None
        when the previous scan has none to give); the requests its links lead to."""
        links = self._reuse_links(url, meta)
        return None if links is None else self._follow(url, links, meta)

    def _reuse_links(self, url: str, meta: dict[str, Any]) -> list[LinkRef] | None:
        """The page's rows are copied in the store (``INSERT … SELECT``, with the writer's
        next batch); only its links come back into Python, to follow and to record their
        targets."""
        if not self.previous.reusable(url):
            return None
        links = self.previous.links(url)
        home = bool(meta["gp_home"])
        kept = self._store_targets(url, links)
        for statement, params, weight, findings in self.previous.copies(
            url,
            self.job.scan_id,
            depth=meta["gp_depth"],
            referrer=meta["gp_referrer"],
            on_home=home,
            with_links=kept is None,
        ):
            self.writer.add_copy(statement, params, weight=weight, findings=findings)
        if kept is not None:  # a target budget left some out: so are their link rows
            self.writer.add_rows(LinkSource, self._source_rows(url, home, kept))
        self.stats_counts["reused"] += 1
        self._progress()
        return links
