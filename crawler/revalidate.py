"""A rescan's revalidation pass: conditional requests for the previous scan's pages, sent
before the crawl by a lean HTTP/1.1 client rather than through Scrapy, which spends about
1.4 ms of CPU on each request (engine, scheduler, middlewares, Twisted's HTTP client) to
learn that a page answered 304.

The pass only asks; it decides nothing. A URL that answers ``304 Not Modified`` is
re-used by the crawl when the crawl reaches it (``crawler.spider``); every other answer (a
200, a redirect, an error status, a timeout, a refused address) is forgotten here, and the
crawl fetches that page itself, as in a first scan.

It goes through the crawl's guards: every host is vetted by the crawl's ``FetchGuard`` and
the socket connects to the address it vetted; only URLs robots.txt allows are asked (the
caller filters them with the rules this scan read); at most ``concurrency`` requests are
in flight (the crawl's per-site concurrency), started ``delay_s`` apart when the site has a
download delay; each request has the crawl's timeout and the pass stops at ``deadline``.
"""

from __future__ import annotations

import asyncio
import re
import ssl
import time
from collections.abc import Callable, Iterable
from dataclasses import dataclass, field
from urllib.parse import urlsplit

from w3lib.url import safe_url_string

from crawler.netguard import FetchGuard, Refused

# A 304 carries headers only; an answer whose headers are larger than this is no 304 worth
# waiting for (asyncio's StreamReader stops reading there).
MAX_HEADER_BYTES = 64 * 1024
NOT_MODIFIED = 304
# A site that stops answering (down, or dropping this client) is left to the crawl, which
# has its retries and reports the failures; the pass stops asking after this many
# requests in a row got no answer, instead of waiting out a timeout for every page.
MAX_UNANSWERED_IN_A_ROW = 20

Origin = tuple[str, str, int]  # scheme, host, port
_LINE_BREAK = re.compile(r"[\r\n\0]")


@dataclass(frozen=True)
class Politeness:
    """The crawl's limits, as the pass obeys them."""

    concurrency: int
    delay_s: float
    timeout_s: float
    deadline: float  # time.monotonic() after which nothing more is asked


@dataclass
class _Connection:
    reader: asyncio.StreamReader
    writer: asyncio.StreamWriter

    def close(self) -> None:
        self.writer.close()


@dataclass
class _Pacer:
    """Starts requests at least ``delay_s`` apart (the site's download delay)."""

    delay_s: float
    next_start: float = 0.0
    lock: asyncio.Lock = field(default_factory=asyncio.Lock)

    async def wait(self) -> None:
        if self.delay_s <= 0:
            return
        async with self.lock:
            now = time.monotonic()
            if self.next_start > now:
                await asyncio.sleep(self.next_start - now)
            self.next_start = max(now, self.next_start) + self.delay_s


async def not_modified(
    urls: Iterable[str],
    conditions: Callable[[str], dict[str, str]],
    guard: FetchGuard,
    limits: Politeness,
    headers: dict[str, str],
) -> set[str]:
    """The URLs of ``urls`` that answered 304 to a GET with their ``conditions``
    (If-None-Match, If-Modified-Since) and ``headers`` (the crawl's own)."""
    queue = iter(urls)
    answered: set[str] = set()
    unanswered_in_a_row = 0
    pacer = _Pacer(limits.delay_s)
    tls = _tls_context()

    async def worker() -> None:
        nonlocal unanswered_in_a_row
        connections: dict[Origin, _Connection] = {}
        try:
            for url in queue:  # one iterator shared by the workers: each URL asked once
                if (
                    time.monotonic() >= limits.deadline
                    or unanswered_in_a_row >= MAX_UNANSWERED_IN_A_ROW
                ):
                    return
                await pacer.wait()
                got = await _asked(url, conditions(url), headers, guard, tls, connections, limits)
                unanswered_in_a_row = unanswered_in_a_row + 1 if got is None else 0
                if got == NOT_MODIFIED:
                    answered.add(url)
        finally:
            for connection in connections.values():
                connection.close()

    await asyncio.gather(*(worker() for _ in range(max(limits.concurrency, 1))))
    return answered


async def _asked(
    url: str,
    conditions: dict[str, str],
    headers: dict[str, str],
    guard: FetchGuard,
    tls: ssl.SSLContext,
    connections: dict[Origin, _Connection],
    limits: Politeness,
) -> int | None:
    """``_ask`` with the crawl's timeout; None when no answer came. A kept-alive
    connection the server closed while idle is no answer: the URL is asked once more on a
    new one."""
    safe = safe_url_string(url)  # what Scrapy puts on the wire for the same URL
    origin = _origin(safe)
    for _attempt in range(2):
        reused = origin in connections
        try:
            return await asyncio.wait_for(
                _ask(safe, origin, conditions, headers, guard, tls, connections),
                limits.timeout_s,
            )
        except (asyncio.IncompleteReadError, ConnectionError):
            _drop(connections, origin)
            if not reused:
                break
        except (OSError, TimeoutError, Refused, asyncio.LimitOverrunError, ValueError):
            break
    # whatever came instead is the crawl's to read; this socket is spent
    _drop(connections, origin)
    return None


async def _ask(
    safe: str,
    origin: Origin,
    conditions: dict[str, str],
    headers: dict[str, str],
    guard: FetchGuard,
    tls: ssl.SSLContext,
    connections: dict[Origin, _Connection],
) -> int:
    """The status the URL ``safe`` answers with on this worker's kept-alive connection
    to its ``origin`` (read no further than a 304's headers)."""
    parts = urlsplit(safe)
    connection = connections.get(origin)
    if connection is None or connection.writer.is_closing():
        connection = connections[origin] = await _connect(origin, guard, tls)
    target = (parts.path or "/") + (f"?{parts.query}" if parts.query else "")
    host = parts.netloc.rsplit("@", 1)[-1]
    fields = {**headers, **conditions}
    if any(_LINE_BREAK.search(value) for value in fields.values()):
        # a validator is what the site sent last time: one holding a line break would write
        # a header of the site's choosing into this request; the crawl asks that page itself
        raise ValueError("a header value with a line break")
    lines = [f"GET {target} HTTP/1.1", f"Host: {host}"]
    lines += [f"{name}: {value}" for name, value in fields.items()]
    connection.writer.write(("\r\n".join(lines) + "\r\n\r\n").encode("latin-1"))
    head = await connection.reader.readuntil(b"\r\n\r\n")
    status_line, *header_lines = head.decode("latin-1").split("\r\n")
    version, _, rest = status_line.partition(" ")
    if not rest[:3].isdigit():
        raise ValueError(f"no HTTP status line: {status_line[:80]!r}")
    status = int(rest[:3])
    if status != NOT_MODIFIED:
        _drop(connections, origin)  # its body, if any, is unread: the socket is spent
        return status
    answer = {}
    for line in header_lines:
        name, _, value = line.partition(":")
        answer[name.strip().lower()] = value.strip()
    # A 304 has no body; one that announces one, or closes, ends this connection's use.
    if (
        version != "HTTP/1.1"
        or answer.get("connection", "").lower() == "close"
        or answer.get("content-length", "0") != "0"
        or "transfer-encoding" in answer
    ):
        _drop(connections, origin)
    return NOT_MODIFIED


async def _connect(origin: Origin, guard: FetchGuard, tls: ssl.SSLContext) -> _Connection:
    """A connection to the address the guard vetted for the origin's host (IPv4, as the
    crawl's resolver); ``Refused`` and lookup failures propagate as ``OSError``s."""
    scheme, host, port = origin
    addresses = [a for a in await guard.vet_async(host) if a.version == 4]
    if not addresses:
        raise OSError(f"{host}: no IPv4 address")
    reader, writer = await asyncio.open_connection(
        str(addresses[0]),
        port,
        ssl=tls if scheme == "https" else None,
        server_hostname=host if scheme == "https" else None,
        limit=MAX_HEADER_BYTES,
    )
    return _Connection(reader, writer)


def _origin(url: str) -> Origin:
    parts = urlsplit(url)
    scheme = parts.scheme.lower()
    return scheme, (parts.hostname or ""), parts.port or (443 if scheme == "https" else 80)


def _drop(connections: dict[Origin, _Connection], origin: Origin) -> None:
    connection = connections.pop(origin, None)
    if connection is not None:
        connection.close()


def _tls_context() -> ssl.SSLContext:
    """Certificates are not verified, as the crawl's Scrapy does not: a government site
    with an expired certificate is still crawled (its TLS is a check of its own)."""
    context = ssl.create_default_context()
    context.check_hostname = False
    context.verify_mode = ssl.CERT_NONE
    return context
