"""Scrapy middleware of the crawl."""

from __future__ import annotations

from typing import Any

from scrapy.downloadermiddlewares.redirect import RedirectMiddleware
from scrapy.http import Request, Response

from crawler.urls import absolutize, canonical

REDIRECT_STATUSES = frozenset({301, 302, 303, 307, 308})


class KnownTargetRedirectMiddleware(RedirectMiddleware):
    """Follows redirects, except into a page the crawl already has: that page is not
    fetched a second time; the redirect is recorded and resolved from the crawl's own row."""

    def process_response(
        self, request: Request, response: Response, spider: Any = None
    ) -> Request | Response:
        if response.status in REDIRECT_STATUSES and b"Location" in response.headers:
            location = absolutize(request.url, response.headers[b"Location"].decode("latin-1"))
            enqueued = getattr(self.crawler.spider, "enqueued", set())
            if location and canonical(location) in enqueued:
                request.meta["gp_redirect_known"] = canonical(location)
                return response
        return super().process_response(request, response)
