"""The SSRF guard (``crawler.netguard``) for Chromium: every request of a browser audit passes it.

A page audited in Chromium runs its own JavaScript, so it can point the browser anywhere: an
``<img>``, ``fetch()``, an iframe, a worker, a WebSocket, a redirect, ``location = …``.
Nothing of that may reach an address the scan's guard refuses, and a page may not lead the
audit to another site's page (axe would then report, and the store keep, that page).

How:

* **Routing.** ``context.route("**/*")`` sees every HTTP(S) request of the page, its frames,
  its dedicated workers and its pop-ups. Each is fetched here, from Python, through the
  guard's pinned httpx transport, and handed to Chromium with ``route.fulfill``; Chromium
  never resolves a name or opens a connection for it, so the address the guard vetted is the
  address connected to (no DNS rebinding). A refused request is aborted and counted.
* **Redirects** are followed here, hop by hop (each hop opens its connection through the
  guard), because Playwright does not route the next hop of a fulfilled redirect: Chromium
  would fetch it itself. A document that arrived by redirect gets a ``<base href>`` of its
  final URL, so that its relative links and resources resolve as in a browser.
* **Leaving the site.** A navigation of the audited page's main frame to a host that is not
  the site's is refused, and ends the audit of that page (``PageGuard.left``).
* **WebSockets** are routed too, and closed without connecting.
* **The backstop.** Chromium is launched with a proxy that is a loopback port nobody listens
  on (``DeadProxy``), loopback included (Playwright adds ``<-loopback>`` to the bypass list),
  and with WebRTC confined to that proxy: whatever the routing does not see fails with
  ``ERR_PROXY_CONNECTION_FAILED`` instead of reaching the network. Service workers are
  blocked by the browser context (see ``crawler.browser``).

Costs are bounded per request: ``REQUEST_TIMEOUT_S`` from the first byte sent to the last
byte read, ``MAX_BODY_BYTES`` of decoded body, ``MAX_HOPS`` redirects.
"""

from __future__ import annotations

import asyncio
import contextlib
import html
import re
import socket
from collections.abc import Callable, Sequence
from dataclasses import dataclass
from typing import Any
from urllib.parse import urljoin, urlsplit

import httpx
from playwright.async_api import BrowserContext, Page, Request, Route, WebSocketRoute
from playwright.async_api import Error as PlaywrightError

from crawler.browser_bytes import IMAGE_HEAD_BYTES, Need, bytes_needed, stand_in
from crawler.netguard import (
    REFUSED_TEXT,
    FetchGuard,
    GuardRefused,
    Refused,
    async_guarded_transport,
)
from govpatrol.core.urls import host_of

MAX_BODY_BYTES = 16 << 20  # a page's image or script; more is refused as failed
REQUEST_TIMEOUT_S = 20.0  # one request, its redirect hops included
MAX_HOPS = 10
MAX_CONNECTIONS = 32  # per pool: Chromium opens at most 6 per host and tab
REFUSED_SAMPLES = 20  # refused URLs kept per page, for the report
URL_MAX = 300

LEFT_SITE_TEXT = "页面跳转到本站以外的地址，已终止该页审计 (the page left the site: audit ended)"

_REDIRECTS = frozenset({301, 302, 303, 307, 308})
# Request headers that belong to one connection, or that this module sets itself.
_HOP_BY_HOP = frozenset(
    {
        "host",
        "connection",
        "keep-alive",
        "proxy-connection",
        "proxy-authorization",
        "te",
        "trailer",
        "transfer-encoding",
        "upgrade",
        "content-length",
        "accept-encoding",
    }
)
# Response headers that describe the bytes on the wire, not the decoded body handed over.
_WIRE_HEADERS = frozenset({"content-encoding", "content-length", "transfer-encoding", "connection"})
_CREDENTIALS = frozenset({"cookie", "authorization"})
_TIMEOUT = httpx.Timeout(REQUEST_TIMEOUT_S, connect=10.0)
_HEAD_TAG = re.compile(rb"<head\b[^>]*>", re.I)
_BASE_TAG = re.compile(rb"<base\b", re.I)


class Refusal(Exception):
    """A request the guard (or the audit's own rule) will not let out; ``url`` is the target."""

    def __init__(self, url: str) -> None:
        super().__init__(f"{url[:URL_MAX]}: {REFUSED_TEXT}")
        self.url = url


class LeftSite(Refusal):
    """The audited page's main frame tried to navigate to another site."""


class FetchFailed(Exception):
    """The target did not answer usably: a network error, a timeout, too large, a loop."""


# --------------------------------------------------------------------------- the backstop


class DeadProxy:
    """A loopback port that is bound and never listened on: a connection to it is refused
    at once, and while it is held no other process can start listening there."""

    def __init__(self) -> None:
        self._socket: socket.socket | None = None
        self.server = ""

    def __enter__(self) -> DeadProxy:
        self._socket = socket.socket(socket.AF_INET, socket.SOCK_STREAM)
        self._socket.bind(("127.0.0.1", 0))
        self.server = f"http://127.0.0.1:{self._socket.getsockname()[1]}"
        return self

    def __exit__(self, *exc: object) -> None:
        if self._socket is not None:
            self._socket.close()
            self._socket = None


def launch_options(executable_path: str, args: Sequence[str], proxy: DeadProxy) -> dict[str, Any]:
    """``chromium.launch`` arguments that send everything the routing misses to ``proxy``."""
    return {
        "executable_path": executable_path,
        "args": [*args, "--webrtc-ip-handling-policy=disable_non_proxied_udp"],
        "proxy": {"server": proxy.server},  # no bypass: Playwright adds <-loopback>
        "timeout": 30_000,
    }


# --------------------------------------------------------------------------- fetching


@dataclass
class Fetched:
    status: int
    headers: dict[str, str]
    body: bytes
    url: str  # after redirects
    complete: bool = True  # False: only the first ``limit`` bytes were read


class GuardedFetcher:
    """Fetches what Chromium asks for through one guard's pinned transport. No cookie jar,
    no environment proxies: the headers are Chromium's, the connections the guard's."""

    def __init__(self, guard: FetchGuard) -> None:
        self.guard = guard
        # Certificates are not checked, as the browser context ignores HTTPS errors: the
        # audit is about accessibility; TLS problems are the link and security checks' to report.
        self._transport = async_guarded_transport(
            guard,
            verify=False,
            limits=httpx.Limits(
                max_connections=MAX_CONNECTIONS, max_keepalive_connections=MAX_CONNECTIONS
            ),
        )

    async def aclose(self) -> None:
        with contextlib.suppress(Exception):
            await self._transport.aclose()

    async def fetch(
        self,
        method: str,
        url: str,
        headers: dict[str, str],
        body: bytes | None,
        stay_on: Callable[[str], bool] | None = None,
        limit: int | None = None,
    ) -> Fetched:
        """The answer to the request, redirects followed hop by hop; ``stay_on`` (for a
        main-frame navigation) must accept every hop's URL; ``limit``: read no more than
        that many bytes of the body. Raises ``Refusal``, ``LeftSite`` or ``FetchFailed``."""
        headers = {k: v for k, v in headers.items() if k not in _HOP_BY_HOP and k[:1] != ":"}
        headers["accept-encoding"] = "gzip, deflate, br"
        for _hop in range(MAX_HOPS + 1):
            if urlsplit(url).scheme not in ("http", "https"):
                raise Refusal(url)
            if stay_on is not None and not stay_on(url):
                raise LeftSite(url)
            response = await self._send(method, url, headers, body)
            try:
                location = response.headers.get("location")
                if response.status_code not in _REDIRECTS or not location:
                    body, complete = await _read_capped(response, limit)
                    return Fetched(
                        response.status_code,
                        _response_headers(response.headers),
                        body,
                        url,
                        complete,
                    )
            finally:
                await response.aclose()
            target = urljoin(url, location.strip())
            if response.status_code == 303 or (
                response.status_code in (301, 302) and method == "POST"
            ):
                method, body = "GET", None
                headers.pop("content-type", None)
            if _origin(target) != _origin(url):  # as a browser would not send them either
                headers = {k: v for k, v in headers.items() if k not in _CREDENTIALS}
            url = target
        raise FetchFailed(f"more than {MAX_HOPS} redirects")

    async def vet(self, url: str) -> None:
        """What ``fetch`` would refuse before it connects, without fetching: raises
        ``Refusal`` for a URL that is not http(s) or a host outside the guard's zone."""
        parts = urlsplit(url)
        if parts.scheme not in ("http", "https") or not parts.hostname:
            raise Refusal(url)
        try:
            await self.guard.vet_async(parts.hostname)
        except (Refused, socket.gaierror) as exc:
            raise Refusal(url) from exc

    async def _send(
        self, method: str, url: str, headers: dict[str, str], body: bytes | None
    ) -> httpx.Response:
        try:
            request = httpx.Request(
                method,
                url,
                headers=headers,
                content=body,
                extensions={"timeout": _TIMEOUT.as_dict()},
            )
            return await self._transport.handle_async_request(request)
        except GuardRefused as exc:
            raise Refusal(url) from exc
        except (httpx.HTTPError, httpx.InvalidURL, ValueError) as exc:
            raise FetchFailed(f"{type(exc).__name__}: {exc}"[:URL_MAX]) from exc


def _origin(url: str) -> tuple[str, str]:
    parts = urlsplit(url)
    return parts.scheme, host_of(url)


async def _read_capped(response: httpx.Response, limit: int | None = None) -> tuple[bytes, bool]:
    """The decoded body, or ``FetchFailed`` past ``MAX_BODY_BYTES`` (a compression bomb
    stops there too: the cap counts decoded bytes); with ``limit``, its first ``limit``
    bytes at most, and whether that was all of it."""
    chunks: list[bytes] = []
    size = 0
    try:
        async for chunk in response.aiter_bytes():
            size += len(chunk)
            if limit is not None and size >= limit:
                chunks.append(chunk)
                return b"".join(chunks)[:limit], False  # the rest is never read
            if size > MAX_BODY_BYTES:
                raise FetchFailed(f"body larger than {MAX_BODY_BYTES >> 20} MiB")
            chunks.append(chunk)
    except httpx.HTTPError as exc:
        raise FetchFailed(f"{type(exc).__name__}: {exc}"[:URL_MAX]) from exc
    return b"".join(chunks), True


def _response_headers(headers: httpx.Headers) -> dict[str, str]:
    """One value per name, as ``route.fulfill`` takes them; Set-Cookie lines joined by
    newlines, which Playwright splits again."""
    out: dict[str, str] = {}
    for name, value in headers.multi_items():
        if name in _WIRE_HEADERS:
            continue
        if name in out:
            out[name] += ("\n" if name == "set-cookie" else ", ") + value
        else:
            out[name] = value
    return out


def with_base(body: bytes, url: str) -> bytes:
    """``body`` (an HTML document fetched from ``url`` after redirects) with a ``<base>`` of
    that URL after its ``<head>`` tag, unless it has a base of its own or no head tag."""
    if _BASE_TAG.search(body[:65536]):
        return body
    head = _HEAD_TAG.search(body[:65536])
    if head is None:
        return body
    tag = f'<base href="{html.escape(url, quote=True)}">'.encode("ascii", "xmlcharrefreplace")
    return body[: head.end()] + tag + body[head.end() :]


# --------------------------------------------------------------------------- one page


class PageGuard:
    """The routing of one audited page's browser context: what it fetched, refused and
    failed to fetch, and whether the page tried to leave its site."""

    def __init__(self, fetcher: GuardedFetcher, url: str, site_hosts: Sequence[str]) -> None:
        self.fetcher = fetcher
        self.site_hosts = frozenset({host_of(url), *(h.lower() for h in site_hosts)})
        self.page: Page | None = None  # the audited page, once opened
        self.fulfilled = 0
        self.refused = 0
        self.failed = 0
        self.skipped = 0  # fonts and media not downloaded, images answered by their size
        self.refused_urls: list[str] = []
        self.left_site: str | None = None
        self.left = asyncio.Event()
        self.redirected: dict[str, str] = {}  # document URL -> where its redirects ended
        self._tasks: set[asyncio.Task[None]] = set()
        self._closed = False

    async def install(self, context: BrowserContext) -> None:
        await context.route("**/*", self.on_request)
        await context.route_web_socket("**/*", self.on_websocket)

    def on_site(self, url: str) -> bool:
        return host_of(url) in self.site_hosts

    async def close(self) -> None:
        """Stop the fetches still running, and refuse to start more: the page is done."""
        self._closed = True
        tasks = list(self._tasks)
        for task in tasks:
            task.cancel()
        await asyncio.gather(*tasks, return_exceptions=True)

    # ----------------------------------------------------------------- handlers

    async def on_request(self, route: Route) -> None:
        if self._closed:  # a request of a page being closed: nobody will read the answer
            await _quietly(route.abort("aborted"))
            return
        # A task of our own, so that close() can stop a fetch the page no longer waits for.
        task = asyncio.ensure_future(self._serve(route))
        self._tasks.add(task)
        task.add_done_callback(self._tasks.discard)
        with contextlib.suppress(asyncio.CancelledError):
            await task
        if task.cancelled():  # Playwright waits for every route to be answered
            await _quietly(route.abort("aborted"))

    async def on_websocket(self, websocket: WebSocketRoute) -> None:
        self._refuse(websocket.url)
        with contextlib.suppress(PlaywrightError):
            await websocket.close(code=1008, reason="refused by the audit")

    async def _serve(self, route: Route) -> None:
        request = route.request
        stay_on = self.on_site if self._is_main_navigation(request) else None
        need = await bytes_needed(request)
        headers = request.headers
        if need is Need.SIZE:
            headers = {**headers, "range": f"bytes=0-{IMAGE_HEAD_BYTES - 1}"}
        try:
            if need is Need.NONE:  # nothing is fetched; a request the guard refuses still counts
                await self.fetcher.vet(request.url)
                self.skipped += 1
                await _quietly(route.abort("blockedbyclient"))
                return
            fetched = await asyncio.wait_for(
                self.fetcher.fetch(
                    request.method,
                    request.url,
                    # what Chromium would send, cookies included: a paused request's headers
                    # are complete (``all_headers`` would cost a round trip to the browser)
                    headers,
                    request.post_data_buffer,
                    stay_on,
                    IMAGE_HEAD_BYTES if need is Need.SIZE else None,
                ),
                REQUEST_TIMEOUT_S,
            )
        except LeftSite as exc:
            self._refuse(exc.url)
            self.left_site = exc.url[:URL_MAX]
            self.left.set()
            await _quietly(route.abort("blockedbyclient"))
            return
        except Refusal as exc:
            self._refuse(exc.url)
            await _quietly(route.abort("blockedbyclient"))
            return
        except (FetchFailed, TimeoutError):
            self.failed += 1
            await _quietly(route.abort("failed"))
            return
        if need is Need.SIZE:
            answer = stand_in(fetched.status, fetched.body)
            if answer is not None:
                self.skipped += 1
                fetched = Fetched(200, answer[0], answer[1], fetched.url)
            elif fetched.status == 206 or not fetched.complete:  # the head did not tell
                whole = await self._whole(request)
                if whole is None:
                    await _quietly(route.abort("failed"))
                    return
                fetched = whole
        body = fetched.body
        if fetched.url != request.url and request.resource_type == "document":
            body = with_base(body, fetched.url)
            self.redirected[request.url] = fetched.url
        try:
            await route.fulfill(status=fetched.status, headers=fetched.headers, body=body)
        except PlaywrightError:  # an answer Chromium will not take (odd status or header)
            self.failed += 1
            await _quietly(route.abort("failed"))  # else the request would hang unanswered
            return
        self.fulfilled += 1

    async def _whole(self, request: Request) -> Fetched | None:
        try:
            return await asyncio.wait_for(
                self.fetcher.fetch(
                    request.method, request.url, request.headers, request.post_data_buffer
                ),
                REQUEST_TIMEOUT_S,
            )
        except Refusal as exc:
            self._refuse(exc.url)
        except (FetchFailed, TimeoutError):
            self.failed += 1
        return None

    def _is_main_navigation(self, request: Request) -> bool:
        if not request.is_navigation_request():
            return False
        try:
            frame = request.frame
        except PlaywrightError:  # a service worker's request has no frame
            return False
        return frame.parent_frame is None and frame.page is self.page

    def _refuse(self, url: str) -> None:
        self.refused += 1
        if len(self.refused_urls) < REFUSED_SAMPLES:
            self.refused_urls.append(url[:URL_MAX])


async def _quietly(awaitable: Any) -> None:
    """A route answered after its page closed raises; nothing is left to do then."""
    with contextlib.suppress(PlaywrightError):
        await awaitable
