"""One page fetched three ways — as a browser, as Baiduspider, and as a visitor arriving from a
Baidu search — to see whether the site serves search engines something else (cloaking).

Only the site's own host is ever contacted: redirects are followed by hand, at most
``MAX_HOPS`` of them, and only while they stay on that host; a redirect elsewhere is recorded,
not followed. Every request goes through the scan's SSRF guard, reads at most ``max_bytes`` and
waits at most ``timeout_s``; the caller bounds the number of pages.
"""

from __future__ import annotations

from dataclasses import dataclass
from urllib.parse import quote, urljoin

import httpx
from w3lib.encoding import html_to_unicode

from crawler.netguard import FetchGuard, guarded_client
from govpatrol.core.urls import host_of

MAX_HOPS = 3
BROWSER_UA = (
    "Mozilla/5.0 (Windows NT 10.0; Win64; x64) AppleWebKit/537.36 (KHTML, like Gecko) "
    "Chrome/120.0 Safari/537.36"
)
BAIDUSPIDER_UA = (
    "Mozilla/5.0 (compatible; Baiduspider/2.0; +http://www.baidu.com/search/spider.html)"
)
SEARCH_QUERY = "政府网站"
# The three ways a page is asked for: the first is the baseline the others are compared with.
VISITORS: tuple[tuple[str, dict[str, str]], ...] = (
    ("browser", {"User-Agent": BROWSER_UA}),
    ("baiduspider", {"User-Agent": BAIDUSPIDER_UA}),
    (
        "search_referer",
        {
            "User-Agent": BROWSER_UA,
            "Referer": f"https://www.baidu.com/s?wd={quote(SEARCH_QUERY)}",
        },
    ),
)


@dataclass(frozen=True)
class Answer:
    """What one visitor got: the page's text (decoded), or a redirect off the site, or nothing."""

    visitor: str
    status: int | None
    final_url: str
    text: str = ""
    redirected_to: str | None = None  # a Location on another host, not followed
    error: str | None = None


def _read(response: httpx.Response, max_bytes: int) -> bytes:
    body = bytearray()
    for chunk in response.iter_bytes():
        body += chunk
        if len(body) >= max_bytes:
            break
    return bytes(body[:max_bytes])


def fetch_as(
    client: httpx.Client, url: str, visitor: str, headers: dict[str, str], max_bytes: int
) -> Answer:
    own = host_of(url)
    current = url
    try:
        for _hop in range(MAX_HOPS + 1):
            with client.stream("GET", current, headers=headers) as response:
                if response.is_redirect and "location" in response.headers:
                    target = urljoin(current, response.headers["location"])
                    if host_of(target) != own:
                        return Answer(visitor, response.status_code, current, redirected_to=target)
                    current = target
                    continue
                body = _read(response, max_bytes)
                _, text = html_to_unicode(response.headers.get("content-type"), body)
                return Answer(visitor, response.status_code, current, text=text)
        return Answer(visitor, None, current, error="too many redirects")
    except httpx.HTTPError as exc:
        return Answer(visitor, None, current, error=type(exc).__name__)


def probe_page(url: str, guard: FetchGuard, *, timeout_s: float, max_bytes: int) -> list[Answer]:
    """The page as each of ``VISITORS`` gets it, in that order."""
    with guarded_client(guard, timeout=timeout_s, follow_redirects=False) as client:
        return [fetch_as(client, url, name, headers, max_bytes) for name, headers in VISITORS]
