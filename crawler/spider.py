"""The site spider: fetches a site's HTML pages once each and hands every parsed page to
the page-level checks, recording every link target it sees on the way.

robots.txt and the site's own not-found page are fetched before the home page, so every
later decision (follow or not, soft 404 or not) can use them.
"""

from __future__ import annotations

import datetime as dt
import logging
import os
import re
import secrets
import time
from collections import Counter
from collections.abc import AsyncIterator, Awaitable, Iterator
from typing import Any

import scrapy
from protego import Protego
from scrapy import signals
from scrapy.exceptions import CloseSpider, StopDownload
from scrapy.http import Response
from sqlmodel import Session
from twisted.python.failure import Failure

from crawler.errors import classify_failure
from crawler.job import CrawlJob
from crawler.reuse import PreviousScan
from extract.parse import build_parsed_page
from extract.soft404 import NotFoundProfile, challenge_reason, is_error_page
from govpatrol import RULES_VERSION
from govpatrol.core.budgets import (
    CUT_CRAWL_TIME,
    CUT_LINK_TARGETS,
    CUT_MAX_PAGES,
    CUT_PAGE_LINKS,
    CUT_ROBOTS,
    CUT_SCAN_TIME,
    EXAMPLES,
    LinkCap,
    RobotsRead,
    bound_robots,
    record_cut,
)
from govpatrol.core.db import make_engine
from govpatrol.core.models import LinkOutcome, LinkSource, LinkTarget, Page, Scan
from govpatrol.core.settings import USER_AGENT
from govpatrol.core.types import LinkRef, ParsedPage
from govpatrol.core.urls import (
    PatternKey,
    canonical,
    host_of,
    in_scope,
    link_kind,
    looks_like_html,
    scope_for,
)
from govpatrol.core.writer import BatchWriter
from scan.page_checks import CheckedPage, PageChecks, page_anchors

log = logging.getLogger(__name__)

# Tags whose targets a visitor navigates to (and so the crawler follows); the others are
# resources of the page (images, scripts, styles) that link verification checks.
FOLLOWED_TAGS = frozenset({"a", "area", "iframe", "frame", "script"})
FOLLOWED_ATTRS = frozenset({"href", "src", "datastore", "pager"})
# A chain of pages of one URL pattern, each found on the previous one (next day, next
# month …), is how calendars and similar traps look; real sites rarely chain deeper.
MAX_PATTERN_CHAIN = 8
PROGRESS_INTERVAL_S = 1.0
# Rows per commit: a page brings ~30 link rows; fewer, larger transactions cost the crawl's
# core less (the writer also commits every two seconds whatever the count).
WRITE_BATCH = 2000
HTML_TYPES = ("text/html", "application/xhtml+xml")
# the meta of a page request as ``_request`` builds it, plus Scrapy's depth
PAGE_META_KEYS = frozenset(
    {"gp_url", "gp_depth", "gp_referrer", "gp_nav_text", "gp_chain", "gp_home", "depth"}
)
# Targets past max_link_targets listed as unverified (with the pages they are on) before
# further ones are only counted: examples for the webmaster, in bounded memory.
LISTED_OVER_BUDGET = 1000


class SiteSpider(scrapy.Spider):
    name = "govpatrol"

    def __init__(
        self,
        job: CrawlJob,
        page_checks: PageChecks | None = None,
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
            self.engine, job.scan_id, job.site_url, finding_stage="page", batch_size=WRITE_BATCH
        )
        self.page_checks = page_checks or PageChecks(
            self.ctx, job.only_checks, job.thresholds.check_processes
        )
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

    @classmethod
    def from_crawler(cls, crawler, *args: Any, **kwargs: Any) -> SiteSpider:
        spider = super().from_crawler(crawler, *args, **kwargs)
        crawler.signals.connect(spider.on_closed, signal=signals.spider_closed)
        crawler.signals.connect(spider.on_bytes_received, signal=signals.bytes_received)
        return spider

    # -- start: robots.txt, then the site's not-found page, then the home page ---------

    async def start(self):
        robots_url = f"{self._origin()}/robots.txt"
        yield scrapy.Request(
            robots_url,
            callback=self.parse_robots,
            errback=self.robots_failed,
            dont_filter=True,
            priority=100,
            meta={"gp_robots": True},
        )

    def _origin(self) -> str:
        scheme = self.home_url.split("://", 1)[0]
        return f"{scheme}://{self.scope.host}"

    def parse_robots(self, response: Response) -> Iterator[scrapy.Request]:
        if response.status == 200 and self.job.obey_robots:
            t = self.job.thresholds
            stopped = "download_stopped" in response.flags
            read = bound_robots(
                response.body, t.robots_max_bytes, t.robots_max_rules, stopped=stopped
            )
            if read.cut:
                self.robots_read = read
            try:
                encoding = getattr(response, "encoding", None) or "utf-8"
                self.robots = Protego.parse(read.body.decode(encoding, errors="replace"))
            except (AttributeError, LookupError, UnicodeDecodeError, ValueError):
                log.warning("unreadable robots.txt at %s", response.url)
        yield self._not_found_probe()

    def on_bytes_received(self, data: bytes, request: scrapy.Request, spider: Any) -> None:
        """A robots.txt is downloaded only as far as its budget: the rest is never read (a
        file that declares itself larger than any page fails before this, and counts as
        cut unread)."""
        if not request.meta.get("gp_robots"):
            return
        received = request.meta.get("gp_robots_bytes", 0) + len(data)
        request.meta["gp_robots_bytes"] = received
        if received > self.job.thresholds.robots_max_bytes:
            raise StopDownload(fail=False)

    def robots_failed(self, failure: Failure) -> Iterator[scrapy.Request]:
        if classify_failure(failure)[0] == "too_large" and self.job.obey_robots:
            # larger than the page limit, never read: no rule of it is obeyed, and that is
            # reported rather than passed over as "no robots.txt"
            self.robots_read = RobotsRead(b"", 0, 0, 0, stopped=True)
        yield self._not_found_probe()

    def _not_found_probe(self) -> scrapy.Request:
        url = f"{self._origin()}/govpatrol-missing-{secrets.token_hex(6)}.html"
        return scrapy.Request(
            url,
            callback=self.parse_not_found,
            errback=self.not_found_failed,
            dont_filter=True,
            priority=100,
        )

    def parse_not_found(self, response: Response) -> Iterator[scrapy.Request]:
        content_type = response.headers.get("Content-Type", b"").decode("latin-1")
        text = response.text if hasattr(response, "text") else ""
        title = response.css("title::text").get("") if hasattr(response, "css") else ""
        self.not_found = NotFoundProfile.from_response(
            response.status,
            content_type,
            text,
            title,
            requested_url=response.request.url,
            final_url=response.url,
        )
        yield self._home_request()

    def not_found_failed(self, failure: Failure) -> Iterator[scrapy.Request]:
        yield self._home_request()

    def _home_request(self) -> scrapy.Request:
        self.enqueued.add(self.home_url)
        return self._request(
            self.home_url, depth=0, referrer=None, nav_text=None, chain=0, is_home=True
        )

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
            meta={
                "gp_url": url,
                "gp_depth": depth,
                "gp_referrer": referrer,
                "gp_nav_text": nav_text,
                "gp_chain": chain,
                "gp_home": is_home,
            },
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
        for request in requests:
            yield request
        if checking is not None:
            # the links come with the checks' results: the worker extracts them, off the
            # crawl's core; meanwhile the crawl fetches on from its queue
            checked = await checking
            home = response.meta["gp_home"]
            self._store_links(page.url, home, checked.links)
            for request in self._follow(page.url, checked.links, response.meta):
                yield request
            self._store_checked(page, checked, home=home)
            self._store_page(page)

    def _take(
        self, response: Response
    ) -> tuple[Page, list[scrapy.Request], Awaitable[CheckedPage] | None]:
        """Everything about a response but waiting for its page checks: the page row, the
        requests it leads to now (a page re-used from the previous scan), and the checks'
        results to await (None for a page that is not checked, already stored). The parsed
        tree lives only in here, so the pages waiting for the checks hold their text, not
        their trees."""
        meta = response.meta
        headers = _headers(response)
        page = self._page_row(response, meta, headers)
        self.stats_counts["pages"] += 1
        if self._settle_redirect(page, response, meta):
            return page, [], None
        if response.status == 304:
            return page, list(self._not_modified(page.url, meta)), None
        parsed = self._parse(page, response, headers, meta)
        if parsed is None or self._dead_end(page, parsed, headers, meta):
            self._store_page(page)
            return page, [], None
        return page, [], self.page_checks.run(parsed)

    def _parse(
        self, page: Page, response: Response, headers: dict[str, str], meta: dict[str, Any]
    ) -> ParsedPage | None:
        """The parsed page, or None (and the page row says why) when it is no HTML."""
        is_html = _is_html(headers, response.body)
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

    def _page_row(self, response: Response, meta: dict[str, Any], headers: dict[str, str]) -> Page:
        content_type = headers.get("content-type", "")
        return Page(
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

    def _settle_redirect(self, page: Page, response: Response, meta: dict[str, Any]) -> bool:
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
        self.writer.add(page.model_copy(update={"kind": "redirect", "final_url": final}))
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
        self, page: Page, parsed: ParsedPage, headers: dict[str, str], meta: dict[str, Any]
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
        if page.status >= 400:
            page.kind, page.error = "error", f"HTTP {page.status}"
            if meta["gp_home"]:
                self.home_error = f"首页返回 HTTP {page.status}"
            return True
        challenge = challenge_reason(
            page.status, headers, parsed.text, title=parsed.title, tree=parsed.tree
        )
        if challenge:
            page.kind, page.error = "challenge", challenge
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
        """A 304 answer: the page is as the previous scan saw it, so are its results."""
        copied = self.previous.copy_page(url, self.job.scan_id)
        if copied is None:
            return None
        page, links = copied.page, copied.links
        page.depth, page.referrer = meta["gp_depth"], meta["gp_referrer"]
        for model, values in copied.rows:
            self.writer.add_row(model, values)
        self.stats_counts["reused"] += 1
        self._store_page(page)
        self._store_links(url, bool(meta["gp_home"]), links)
        return self._follow(url, links, meta)

    def _store_checked(self, page: Page, checked: CheckedPage, *, home: bool) -> None:
        self.stats_counts["check_errors"] += checked.errors
        page.template_key, page.anchors = checked.template_key, checked.anchors
        for finding in checked.findings:
            self.writer.add(finding)
        for model, values in checked.rows:
            self.writer.add_row(model, values)
        page.kind = "home" if home else checked.kind or "other"

    def page_failed(self, failure: Failure) -> None:
        request = failure.request
        meta = request.meta
        kind, message = classify_failure(failure)
        self.stats_counts["pages"] += 1
        if meta.get("gp_home"):
            self.home_error = f"无法访问首页：{message}"
        self._store_page(
            Page(
                scan_id=self.job.scan_id,
                url=meta["gp_url"],
                final_url=None,
                status=None,
                depth=meta["gp_depth"],
                referrer=meta["gp_referrer"],
                kind="failed",
                error=f"{kind}: {message}",
            )
        )

    def _store_page(self, page: Page) -> None:
        self.writer.add(page)
        if page.kind in ("error", "failed", "soft404", "challenge"):
            self.stats_counts["errors"] += 1
        self._progress()

    def _store_links(self, page_url: str, is_home: bool, links: list[LinkRef]) -> None:
        scan_id = self.job.scan_id
        sources = []
        targets = []
        for link in links:
            if link.url not in self.targets_seen:
                target = self._new_target(link, page_url)
                if target is None:
                    continue  # past every budget: counted, not stored
                targets.append(target)
            sources.append(
                {
                    "scan_id": scan_id,
                    "page_url": page_url,
                    "target_url": link.url,
                    "fragment": link.fragment,
                    "text": link.text or None,
                    "tag": link.tag,
                    "attr": link.attr,
                    "on_home": is_home,
                }
            )
        self.writer.add_rows(LinkSource, sources)
        self.writer.add_rows(LinkTarget, targets)

    def _new_target(self, link: LinkRef, page_url: str) -> dict[str, Any] | None:
        """The row of a target seen for the first time: pending (to verify) within
        ``max_link_targets``, then unverified with the reason for the next
        ``LISTED_OVER_BUDGET``, then None (the link is only counted)."""
        over_budget = self.targets_pending >= self.job.thresholds.max_link_targets
        if over_budget:
            self._cut(CUT_LINK_TARGETS, page_url, 1)
            if len(self.targets_seen) - self.targets_pending >= LISTED_OVER_BUDGET:
                return None
        self.targets_seen.add(link.url)
        internal = in_scope(link.url, self.scope)
        row = {
            "scan_id": self.job.scan_id,
            "url": link.url,
            "kind": link_kind(link.url, link.tag, internal),
            "internal": internal,
            "outcome": LinkOutcome.pending,
            "status": None,
            "error": None,
            "detail": {},
            "checked_at": None,
        }
        if over_budget:
            limit = self.job.thresholds.max_link_targets
            row["outcome"] = LinkOutcome.unverified
            row["error"] = f"本次扫描的链接目标超过上限（{limit:,} 个），未核查"
            row["detail"] = {"kind": "budget", "budget": CUT_LINK_TARGETS}
            return row
        self.targets_pending += 1
        if internal and not self._robots_allow(link.url):
            row["detail"] = {"robots_disallowed": True}
        return row

    # -- following --------------------------------------------------------------------------

    def _follow(
        self, page_url: str, links: list[LinkRef], meta: dict[str, Any]
    ) -> list[scrapy.Request]:
        depth = meta["gp_depth"] + 1
        if depth > self.job.thresholds.max_depth:
            return []
        parent_pattern = PatternKey.of(page_url)
        requests = []
        for link in links:
            if not self._followable(link):
                continue
            pattern = PatternKey.of(link.url)
            chain = meta["gp_chain"] + 1 if pattern == parent_pattern else 0
            if not self._admit(link.url, pattern, chain):
                continue
            self.enqueued.add(link.url)
            requests.append(
                self._request(
                    link.url,
                    depth=depth,
                    referrer=page_url,
                    nav_text=link.text or None,
                    chain=chain,
                )
            )
        return requests

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

    def _robots_allow(self, url: str) -> bool:
        if self.robots is None or host_of(url) != self.scope.host:
            return True
        return self.robots.can_fetch(url, USER_AGENT)

    # -- budgets --------------------------------------------------------------------------

    def _cut(self, reason: str, url: str, count: int) -> None:
        self.cut_counts[reason] += count
        examples = self.cut_examples.setdefault(reason, [])
        if len(examples) < EXAMPLES and url not in examples:
            examples.append(url)

    def _record_cuts(self, session: Session, close_reason: str) -> None:
        """What the crawl's budgets cut, into scan.stats["cut"] (govpatrol.core.budgets)."""
        t = self.job.thresholds
        scan_id = self.job.scan_id
        if self.robots_read is not None:
            read = self.robots_read
            record_cut(
                session,
                scan_id,
                CUT_ROBOTS,
                read.rules_cut or 1,
                rules_read=read.rules,
                bytes_read=len(read.body),
                # the download stopped at the budget: how large the file is, it did not say
                bytes_total=None if read.stopped else read.bytes_received,
                max_bytes=t.robots_max_bytes,
                max_rules=t.robots_max_rules,
                unread=not read.body,
            )
        limits = {
            CUT_PAGE_LINKS: t.max_links_per_page,
            CUT_LINK_TARGETS: t.max_link_targets,
            CUT_MAX_PAGES: t.max_pages,
        }
        for reason, limit in limits.items():
            detail: dict[str, Any] = {"limit": limit, "examples": self.cut_examples.get(reason)}
            if reason == CUT_PAGE_LINKS:
                detail["pages"] = self.cut_pages
            if reason == CUT_LINK_TARGETS:
                detail["listed"] = len(self.targets_seen) - self.targets_pending
            record_cut(session, scan_id, reason, self.cut_counts[reason], **detail)
        if close_reason == "closespider_timeout":
            # the crawl's budget is capped by the scan's (crawler.run): name the one that ended
            scan_budget = t.scan_budget_s <= t.time_budget_s
            record_cut(
                session,
                scan_id,
                CUT_SCAN_TIME if scan_budget else CUT_CRAWL_TIME,
                max(len(self.enqueued) - self.stats_counts["pages"], 1),
                budget_s=t.scan_budget_s if scan_budget else t.time_budget_s,
            )

    # -- progress and the end -------------------------------------------------------------

    def _progress(self, *, final: bool = False) -> None:
        now = time.monotonic()
        if not final and now - self.last_progress < PROGRESS_INTERVAL_S:
            return
        self.last_progress = now
        if not final and self.parent_pid is not None and os.getppid() != self.parent_pid:
            # the scan process died: stop instead of crawling on for nobody
            raise CloseSpider("parent_died")
        self.writer.flush()
        elapsed = max(now - self.started, 1e-6)
        queued = max(len(self.enqueued) - self.stats_counts["pages"] + 1, 0) if not final else 0
        stats = {
            "pages": self.stats_counts["pages"],
            "queued": queued,
            "errors": self.stats_counts["errors"],
            "findings": self.writer.findings,
            "link_targets": len(self.targets_seen),
            "pages_per_s": round(self.stats_counts["pages"] / elapsed, 1),
        }
        with Session(self.engine) as session:
            scan = session.get(Scan, self.job.scan_id)
            if scan is not None:
                scan.stats = {**(scan.stats or {}), **stats}
                scan.heartbeat_at = dt.datetime.now(dt.UTC)
                session.add(scan)
                session.commit()

    def on_closed(self, spider: scrapy.Spider, reason: str) -> None:
        self.page_checks.close()
        self.writer.flush()
        self._progress(final=True)
        crawl = {
            "close_reason": reason,
            "robots_blocked": len(self.robots_blocked),
            "skipped_trap": self.stats_counts["skipped_trap"],
            "skipped_max_pages": self.cut_counts[CUT_MAX_PAGES],
            "check_errors": self.stats_counts["check_errors"],
            "check_worker_deaths": self.page_checks.worker_deaths,
            "check_timeouts": self.page_checks.timeouts,
            "reused_pages": self.stats_counts["reused"],
            "queued_compact": self.stats_counts["queued_compact"],
            "reused_from_scan": self.previous.scan_id,
            "home_error": self.home_error,
            "elapsed_s": round(time.monotonic() - self.started, 2),
        }
        with Session(self.engine) as session:
            scan = session.get(Scan, self.job.scan_id)
            if scan is not None:
                scan.stats = {
                    **(scan.stats or {}),
                    "crawl": crawl,
                    "rules_version": RULES_VERSION,
                    "not_found_profile": self.not_found.to_dict() if self.not_found else None,
                }
                session.add(scan)
                self._record_cuts(session, reason)
                session.commit()
        self.engine.dispose()


_INDEX_FILE = re.compile(r"/(index|default)\.(html?|shtml|jsp|aspx?|php)$", re.IGNORECASE)


def directory_key(url: str) -> str | None:
    """``http://h/x/`` for ``http://h/x/`` and ``http://h/x/index.html``; None for other pages."""
    if "?" in url:
        return None
    if url.endswith("/"):
        return url
    match = _INDEX_FILE.search(url)
    return url[: match.start() + 1] if match else None


def _headers(response: Response) -> dict[str, str]:
    return {
        k.decode("latin-1").lower(): v[0].decode("latin-1")
        for k, v in response.headers.items()
        if v
    }


def _is_html(headers: dict[str, str], body: bytes) -> bool:
    content_type = headers.get("content-type", "").lower()
    return content_type.startswith(HTML_TYPES) or (
        not content_type and b"<html" in body[:2048].lower()
    )


# Leading bytes of the files servers most often send under a wrong Content-Type.
_MAGIC = (
    (b"\x89PNG", "PNG"),
    (b"GIF8", "GIF"),
    (b"\xff\xd8\xff", "JPEG"),
    (b"%PDF", "PDF"),
    (b"PK\x03\x04", "ZIP/Office"),
    (b"\xd0\xcf\x11\xe0", "Office 97"),
    (b"Rar!", "RAR"),
    (b"7z\xbc\xaf", "7z"),
    (b"\x1f\x8b", "gzip"),
)


_CONTROL_BYTES = bytes(b for b in range(32) if b not in b"\t\n\r\f\x1b")
_BINARY_SHARE = 0.03  # random bytes: ~10 %; text pages: a stray byte or two


def binary_kind(body: bytes) -> str | None:
    """What a body is when it is no text at all: a known file signature, or a start so full
    of control bytes that no charset makes text of it (a stray NUL in a title does not count;
    UTF-16 text, full of NULs, starts with its byte-order mark)."""
    for magic, name in _MAGIC:
        if body.startswith(magic):
            return name
    head = body[:1024]
    if head.startswith((b"\xff\xfe", b"\xfe\xff")):
        return None
    controls = len(head) - len(head.translate(None, _CONTROL_BYTES))
    return "binary" if head and controls >= len(head) * _BINARY_SHARE else None
