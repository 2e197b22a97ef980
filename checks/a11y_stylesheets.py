"""The site's own linked stylesheets, fetched for the static contrast rule.

Nearly every government page links its stylesheet, and a cascade that has not seen it can
settle almost nothing (``checks.a11y_static.cascade``). So the accessibility page hook hands
the cascade a :class:`PageStylesheets`, which fetches the sheets a page links (and their
``@import`` one level deep), bounded:

- only on the site's own hosts: the page's host, the site's host and its extra hosts; a
  sheet elsewhere (a CDN, another office's site) is never requested, and a redirect that
  leaves those hosts is not followed;
- through the scan's SSRF guard (``crawler.netguard``), each request and redirect hop;
- at most ``stylesheet_max_per_scan`` sheets per scan, each once: a sheet is fetched and
  parsed once per process and every page that links it reuses it (also a sheet that failed:
  it is not asked again);
- at most :data:`MAX_SHEET_BYTES` each, within ``stylesheet_timeout_s`` from the request to
  the last byte, and at most :data:`PAGE_BUDGET_S` of fetching for one page (the page-check
  worker gives a page 120 s);
- a 200 answer of type ``text/css``, or with no type at all on a ``.css`` URL (a browser in
  standards mode applies nothing else); its encoding from the answer's charset, else the
  sheet's ``@charset``, else the page's (CSS Syntax's rules, via tinycss2).

Whatever is not fetched (another host, a refusal, an error status, a timeout, an oversized
sheet, a spent budget) is None to the cascade: the page's cascade stays open, as for a page
whose sheets were never looked at, and nothing is guessed.

The cache lives in the process that runs the page hooks (the page-check worker, or the
crawl process), for one scan: a check keeps no state between pages, but a page's sheets are
the site's, not the page's. A worker that dies takes its cache along; its successor fetches
again, within a fresh budget.
"""

from __future__ import annotations

import os
import re
import time
from collections.abc import Iterable
from dataclasses import dataclass
from urllib.parse import urljoin, urlsplit

import httpx
import webencodings
from tinycss2.bytes import decode_stylesheet_bytes

from checks.a11y_static.cascade import Stylesheet
from crawler.netguard import FetchGuard, guarded_client
from govpatrol.core.settings import USER_AGENT
from govpatrol.core.types import ParsedPage, ScanContext
from govpatrol.core.urls import host_of, is_reserved_url

MAX_SHEET_BYTES = 1024 * 1024
PAGE_BUDGET_S = 15.0
MAX_REDIRECTS = 3
_CSS_TYPES = frozenset({"text/css"})
_CHARSET = re.compile(r"""charset\s*=\s*["']?([^"';\s]+)""", re.IGNORECASE)


@dataclass(frozen=True)
class StylesheetLimits:
    """How many sheets one scan fetches, and how long one may take."""

    max_sheets: int = 50
    timeout_s: float = 5.0
    max_bytes: int = MAX_SHEET_BYTES
    page_budget_s: float = PAGE_BUDGET_S


class SiteStylesheets:
    """One scan's fetched sheets in this process: URL → the parsed sheet, or None when it
    could not be had."""

    def __init__(
        self,
        site_url: str,
        *,
        extra_hosts: Iterable[str] = (),
        address_zone: str = "public",
        limits: StylesheetLimits | None = None,
    ) -> None:
        self.site_hosts = frozenset({host_of(site_url), *(h.lower() for h in extra_hosts)})
        self.guard = FetchGuard(site_url, zones=address_zone)
        self.limits = limits or StylesheetLimits()
        self.sheets: dict[str, Stylesheet | None] = {}
        self.requests = 0  # every request sent, redirect hops included
        self._client: httpx.Client | None = None
        self._client_pid = 0

    def for_page(self, page_url: str, encoding: str | None = None) -> PageStylesheets:
        """The source one page's cascade asks, bound to its host, encoding and budget."""
        return PageStylesheets(self, page_url, encoding)

    def stylesheet(
        self, url: str, page_host: str, encoding: str | None, deadline: float
    ) -> Stylesheet | None:
        if url in self.sheets:
            return self.sheets[url]
        if not self._own_host(url, page_host):
            return None  # never requested, and not counted
        if len(self.sheets) >= self.limits.max_sheets or time.monotonic() >= deadline:
            return None  # not tried: another page with budget left may still try it
        sheet = self._download(url, page_host, encoding, deadline)
        self.sheets[url] = sheet
        return sheet

    def close(self) -> None:
        if self._client is not None and self._client_pid == os.getpid():
            self._client.close()
        self._client = None

    # -- fetching --

    def _own_host(self, url: str, page_host: str) -> bool:
        host = host_of(url)
        return bool(host) and (host in self.site_hosts or host == page_host)

    def _http(self) -> httpx.Client:
        """This process's client: a forked worker never shares its parent's connections."""
        if self._client is None or self._client_pid != os.getpid():
            self._client = guarded_client(
                self.guard,
                follow_redirects=False,  # each hop is checked against the site's hosts
                timeout=httpx.Timeout(self.limits.timeout_s),
                headers={"User-Agent": USER_AGENT, "Accept": "text/css,*/*;q=0.1"},
            )
            self._client_pid = os.getpid()
        return self._client

    def _download(
        self, url: str, page_host: str, encoding: str | None, page_deadline: float
    ) -> Stylesheet | None:
        deadline = min(page_deadline, time.monotonic() + self.limits.timeout_s)
        current = url
        for _hop in range(MAX_REDIRECTS + 1):
            if is_reserved_url(current) or not self._own_host(current, page_host):
                return None
            self.requests += 1
            try:
                with self._http().stream("GET", current) as response:
                    if response.is_redirect:
                        location = response.headers.get("location", "").strip()
                        if not location:
                            return None
                        current = urljoin(current, location)
                        continue
                    return self._sheet_of(response, url, encoding, deadline)
            except (httpx.HTTPError, httpx.InvalidURL, OSError, ValueError):
                return None
        return None  # too many redirects

    def _sheet_of(
        self, response: httpx.Response, url: str, encoding: str | None, deadline: float
    ) -> Stylesheet | None:
        if response.status_code != 200:
            return None
        mime, charset = _content_type(response.headers.get("content-type", ""))
        if mime not in _CSS_TYPES and not (
            not mime and urlsplit(str(response.url)).path.lower().endswith(".css")
        ):
            return None  # a browser in standards mode would not apply it either
        declared = response.headers.get("content-length", "")
        if declared.isdigit() and int(declared) > self.limits.max_bytes:
            return None
        chunks: list[bytes] = []
        size = 0
        for chunk in response.iter_bytes():
            size += len(chunk)
            if size > self.limits.max_bytes or time.monotonic() > deadline:
                return None  # a sheet cut short would be a guess
            chunks.append(chunk)
        environment = webencodings.lookup(encoding) if encoding else None
        text, _used = decode_stylesheet_bytes(b"".join(chunks), charset, environment)
        return Stylesheet(text, str(response.url))


@dataclass
class PageStylesheets:
    """One page's view of the scan's sheets (``checks.a11y_static.cascade.StylesheetSource``)."""

    site: SiteStylesheets
    page_url: str
    encoding: str | None = None
    deadline: float = 0.0

    def __post_init__(self) -> None:
        self.page_host = host_of(self.page_url)
        self.deadline = time.monotonic() + self.site.limits.page_budget_s

    def stylesheet(self, url: str) -> Stylesheet | None:
        return self.site.stylesheet(url, self.page_host, self.encoding, self.deadline)


def _content_type(value: str) -> tuple[str, str | None]:
    """(the media type in lower case, the charset parameter) of a Content-Type value."""
    mime, _, parameters = value.partition(";")
    charset = _CHARSET.search(parameters)
    return mime.strip().lower(), charset.group(1) if charset else None


# -- the scan's sheets in this process ------------------------------------------------------------

_current: tuple[tuple[object, ...], SiteStylesheets] | None = None


def scan_stylesheets(ctx: ScanContext, limits: StylesheetLimits) -> SiteStylesheets:
    """This process's sheets for the scan ``ctx`` runs in (a new scan, or new bounds, starts
    a new cache and closes the last one's client)."""
    global _current
    key = (ctx.scan_id, ctx.site_url, tuple(ctx.extra_hosts), ctx.address_zone, limits)
    if _current is not None and _current[0] == key:
        return _current[1]
    if _current is not None:
        _current[1].close()
    site = SiteStylesheets(
        ctx.site_url, extra_hosts=ctx.extra_hosts, address_zone=ctx.address_zone, limits=limits
    )
    _current = (key, site)
    return site


def page_stylesheets(
    page: ParsedPage, ctx: ScanContext, limits: StylesheetLimits
) -> PageStylesheets | None:
    """The source the page's cascade reads its linked sheets from; None when the scan
    fetches none (``stylesheet_max_per_scan`` = 0)."""
    if limits.max_sheets <= 0:
        return None
    return scan_stylesheets(ctx, limits).for_page(page.final_url or page.url, page.encoding)
