"""What the spider fetches before the home page: robots.txt (read within its budget) and
the site's own not-found page, so that every later decision (follow or not, soft 404 or
not) can use them.
"""

from __future__ import annotations

import logging
import secrets
from collections.abc import AsyncIterator, Callable, Iterator
from typing import Any

import scrapy
from protego import Protego
from scrapy.exceptions import StopDownload
from scrapy.http import Response
from twisted.python.failure import Failure

from crawler.errors import classify_failure
from crawler.job import CrawlJob
from extract.soft404 import NotFoundProfile
from govpatrol.core.budgets import RobotsRead, bound_robots
from govpatrol.core.settings import USER_AGENT
from govpatrol.core.urls import CrawlScope, host_of

log = logging.getLogger(__name__)


class SiteProbes:
    """The spider's start (``crawler.spider.SiteSpider`` holds the state it reads)."""

    job: CrawlJob
    scope: CrawlScope
    home_url: str
    robots: Protego | None
    robots_read: RobotsRead | None
    not_found: NotFoundProfile | None
    enqueued: set[str]
    _request: Callable[..., scrapy.Request]
    _start_pages: Callable[[int], AsyncIterator[scrapy.Request]]

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

    async def parse_not_found(self, response: Response) -> AsyncIterator[scrapy.Request]:
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
        # Scrapy's DepthMiddleware gives the home request this response's depth + 1
        async for request in self._start_pages(response.meta.get("depth", 0) + 1):
            yield request

    async def not_found_failed(self, failure: Failure) -> AsyncIterator[scrapy.Request]:
        async for request in self._start_pages(0):  # an errback's request keeps no depth
            yield request

    def _home_request(self) -> scrapy.Request:
        self.enqueued.add(self.home_url)
        return self._request(
            self.home_url, depth=0, referrer=None, nav_text=None, chain=0, is_home=True
        )

    def _robots_allow(self, url: str) -> bool:
        if self.robots is None or host_of(url) != self.scope.host:
            return True
        return self.robots.can_fetch(url, USER_AGENT)
