"""Scrapy middleware of the crawl, and the crawl's side of the SSRF guard."""

from __future__ import annotations

import functools
import logging
import socket
from collections.abc import Sequence
from typing import Any
from urllib.parse import urlsplit

from scrapy.downloadermiddlewares.redirect import MetaRefreshMiddleware, RedirectMiddleware
from scrapy.exceptions import IgnoreRequest
from scrapy.http import Request, Response
from scrapy.utils.defer import maybe_deferred_to_future
from twisted.internet.defer import Deferred
from twisted.internet.error import DNSLookupError
from twisted.internet.interfaces import IResolverSimple
from twisted.internet.threads import deferToThreadPool
from zope.interface import implementer

from crawler.netguard import REFUSED_TEXT, FetchGuard, Refused
from govpatrol.core.urls import absolutize, canonical

REDIRECT_STATUSES = frozenset({301, 302, 303, 307, 308})
SITE_URL_SETTING = "GOVPATROL_SITE_URL"
SITE_ZONE_SETTING = "GOVPATROL_SITE_ZONE"

log = logging.getLogger(__name__)


class _QuietAboutReferer:
    """Scrapy's redirect middlewares warn at every start when they find no RefererMiddleware.
    The crawl has it off on purpose: a redirect hop drops the header and passes through
    PageRequestHeadersMiddleware again, which sets it anew, so there is nothing to warn of."""

    def _engine_started(self) -> None:
        pass


# Scrapy looks for the refresh in the first 4096 characters: at most this many bytes.
_META_REFRESH_BYTES = 4096 * 4


class QuietMetaRefreshMiddleware(_QuietAboutReferer, MetaRefreshMiddleware):
    """Scrapy's ``<meta http-equiv="refresh">`` redirects, without the warning, and without
    decoding the pages that cannot have one (nearly all): the stock middleware decodes
    every page whole to read its first 4096 characters."""

    def process_response(
        self, request: Request, response: Response, spider: Any = None
    ) -> Request | Response:
        head = response.body[:_META_REFRESH_BYTES]
        if b"refresh" not in head.lower() and b"\x00" not in head:
            return response  # (UTF-16 and UTF-32 spell the word with NULs: left to Scrapy)
        return super().process_response(request, response)


class KnownTargetRedirectMiddleware(_QuietAboutReferer, RedirectMiddleware):
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


class PageRequestHeadersMiddleware:
    """The headers of a page request, added when it is sent rather than when it is queued
    (a queued request with headers cannot be kept compact, see crawler.frontier):
    ``Referer``, the page it was found on, except from https to http as browsers do; and on
    a rescan the previous scan's validators, so an unchanged page answers 304."""

    def __init__(self, crawler: Any) -> None:
        self.crawler = crawler

    @classmethod
    def from_crawler(cls, crawler: Any) -> PageRequestHeadersMiddleware:
        return cls(crawler)

    def process_request(self, request: Request) -> None:
        url = request.meta.get("gp_url")
        if url is None:
            return None
        referrer = request.meta.get("gp_referrer")
        if referrer and not (referrer.startswith("https:") and request.url.startswith("http:")):
            request.headers.setdefault("Referer", referrer)
        previous = getattr(self.crawler.spider, "previous", None)
        if previous is not None:
            for name, value in previous.conditional_headers(url).items():
                request.headers.setdefault(name, value)
        return None


# -- the SSRF guard ------------------------------------------------------------------------------


@functools.cache
def crawl_guard(site_url: str, zone: str = "public") -> FetchGuard:
    """The one guard of a crawl process (a crawl has a process of its own): the middleware
    and the resolver share its answers, so each host is resolved once. ``zone`` is the
    site's registered one."""
    return FetchGuard(site_url, zones=zone)


def _guard_of(crawler: Any) -> FetchGuard:
    settings = crawler.settings
    return crawl_guard(
        settings.get(SITE_URL_SETTING) or "", settings.get(SITE_ZONE_SETTING) or "public"
    )


class RefusedRequest(IgnoreRequest):
    """A request the SSRF guard refused before any connection; the spider records it."""


class FetchGuardMiddleware:
    """Refuses every request the site's guard refuses: pages, robots.txt and each redirect
    hop (a redirect is a new request, and passes here again). The lookup runs in a thread;
    a name that does not resolve is left to the download, which fails as DNS as before."""

    def __init__(self, guard: FetchGuard) -> None:
        self.guard = guard

    @classmethod
    def from_crawler(cls, crawler: Any) -> FetchGuardMiddleware:
        return cls(_guard_of(crawler))

    async def process_request(self, request: Request) -> None:
        host = urlsplit(request.url).hostname or ""
        try:
            if self.guard.needs_lookup(host):
                from twisted.internet import reactor

                await maybe_deferred_to_future(
                    deferToThreadPool(reactor, reactor.getThreadPool(), self.guard.vet, host)
                )
            else:
                self.guard.vet(host)
        except socket.gaierror:
            return None
        except Refused as exc:
            hops = request.meta.get("redirect_urls") or []
            origin = f"redirected from {hops[-1]}" if hops else "linked"
            log.warning("SSRF guard: skipped %s (%s, %s)", request.url, exc, origin)
            raise RefusedRequest(f"{host}: {REFUSED_TEXT}") from exc
        return None


@implementer(IResolverSimple)
class GuardedResolver:
    """Twisted's name lookups of the crawl, answered from the guard: the address the crawler
    connects to is the address the guard vetted, whatever a second DNS answer would say
    (rebinding). IPv4 only, as Scrapy's own resolver."""

    def __init__(self, reactor: Any, guard: FetchGuard) -> None:
        self.reactor = reactor
        self.guard = guard

    @classmethod
    def from_crawler(cls, crawler: Any, reactor: Any) -> GuardedResolver:
        return cls(reactor, _guard_of(crawler))

    def install_on_reactor(self) -> None:
        self.reactor.installResolver(self)

    def getHostByName(self, name: str, timeout: Sequence[int] = ()) -> Deferred[str]:
        return deferToThreadPool(self.reactor, self.reactor.getThreadPool(), self._ipv4, name)

    def _ipv4(self, name: str) -> str:
        try:
            addresses = self.guard.vet(name)
        except Refused as exc:
            raise DNSLookupError(f"{name}: {REFUSED_TEXT}") from exc
        except socket.gaierror as exc:
            raise DNSLookupError(f"{name}: {exc}") from exc
        for address in addresses:
            if address.version == 4:
                return str(address)
        raise DNSLookupError(f"{name}: no IPv4 address")
