"""One page for ``govpatrol inspect``: read from a local file, or fetched once over HTTP.

A URL is fetched the way a scan fetches: the project's httpx client behind the SSRF guard
(``crawler.netguard``), in the address zone the operator at the command line would register
the site in (``scan.site_policy.site_zone`` as an admin: a site on 127.0.0.1 may reach
loopback, a public one public addresses only), following redirects hop by hop through the
guard. A file is read as bytes and decoded later as the crawler decodes a response, so a
GBK page reads the same either way. Every way this fails is an ``InspectInputError`` whose
message is one line fit to print.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from pathlib import Path
from urllib.parse import urlsplit

import httpx

from crawler.netguard import FetchGuard, GuardRefused, guarded_client
from crawler.responses import binary_kind, is_html_response
from govpatrol.core.settings import USER_AGENT
from govpatrol.core.urls import is_reserved_host
from scan.preflight import BadInput, lookup_failed, normalise_site_url
from scan.site_policy import SiteNotAllowed, site_zone

# A page larger than this is read up to here: a list or document page is far smaller, and an
# endless body must not hold the command.
MAX_PAGE_BYTES = 10 * 1024 * 1024
FETCH_TIMEOUT_S = 20.0


class InspectInputError(Exception):
    """The page cannot be read; the message says why in one line, in Chinese (``str``) and
    in English (``en``; a message passed on from elsewhere is already in both)."""

    def __init__(self, zh: str, en: str | None = None) -> None:
        super().__init__(zh)
        self.en = en or zh

    def text(self, lang: str) -> str:
        return self.en if lang == "en" else str(self)


@dataclass
class FetchedPage:
    """A page's bytes and what came with them."""

    url: str  # the address the page is judged as
    final_url: str  # after redirects (the same for a file)
    status: int
    headers: dict[str, str] = field(default_factory=dict)
    body: bytes = b""
    source: str = "http"  # "http" or "file"
    truncated: bool = False  # the body was longer than MAX_PAGE_BYTES


def read_file(path: Path, url: str | None = None) -> FetchedPage:
    """A local HTML file, judged as if served at ``url`` (default: its file:// address)."""
    try:
        with path.open("rb") as handle:
            body = handle.read(MAX_PAGE_BYTES + 1)
    except FileNotFoundError:
        raise InspectInputError(f"文件不存在：{path}", f"no such file: {path}") from None
    except IsADirectoryError:
        raise InspectInputError(
            f"这是一个目录，不是文件：{path}", f"a directory, not a file: {path}"
        ) from None
    except OSError as exc:
        why = exc.strerror or exc
        raise InspectInputError(
            f"无法读取文件 {path}：{why}", f"cannot read the file {path}: {why}"
        ) from None
    kind = binary_kind(body)
    if kind is not None:
        raise InspectInputError(
            f"文件不是 HTML 页面（{kind}）：{path}",
            f"the file is not an HTML page ({kind}): {path}",
        )
    address = url or path.resolve().as_uri()
    if url is not None:
        _check_url(url)
    return FetchedPage(
        url=address,
        final_url=address,
        status=200,
        body=body[:MAX_PAGE_BYTES],
        source="file",
        truncated=len(body) > MAX_PAGE_BYTES,
    )


def _check_url(url: str) -> str:
    try:
        return normalise_site_url(url)
    except BadInput as exc:
        raise InspectInputError(str(exc)) from None


def fetch_url(url: str, *, timeout_s: float = FETCH_TIMEOUT_S) -> FetchedPage:
    """The page at ``url``, fetched once through the SSRF guard."""
    url = _check_url(url)
    host = urlsplit(url).hostname or ""
    if is_reserved_host(host):
        raise InspectInputError(
            f"无法解析域名 {host}（保留域名）", f"cannot resolve {host} (a reserved name)"
        )
    try:
        guard = FetchGuard(url, zones=site_zone(url, admin=True))
    except SiteNotAllowed as exc:
        raise InspectInputError(str(exc)) from None
    refusal = guard.site_refusal()
    if refusal is not None:
        raise InspectInputError(refusal)
    try:
        with (
            guarded_client(
                guard, timeout=timeout_s, follow_redirects=True, headers={"User-Agent": USER_AGENT}
            ) as client,
            client.stream("GET", url) as response,
        ):
            body, truncated = _read_capped(response)
            headers = {k.lower(): v for k, v in response.headers.items()}
            status, final_url = response.status_code, str(response.url)
    except httpx.ConnectTimeout:
        raise InspectInputError(f"连接超时：{url}", f"connection timed out: {url}") from None
    except httpx.ConnectError as exc:
        raise InspectInputError(*_connect_error(url, host, exc)) from None
    except httpx.TimeoutException:
        raise InspectInputError(
            f"请求超时（{timeout_s:.0f} 秒）：{url}", f"timed out after {timeout_s:.0f} s: {url}"
        ) from None
    except GuardRefused as exc:
        raise InspectInputError(
            f"重定向到不允许访问的地址，已拒绝：{url}（{exc}）",
            f"refused a redirect to an address not allowed: {url} ({exc})",
        ) from None
    except httpx.TooManyRedirects:
        raise InspectInputError(f"重定向次数过多：{url}", f"too many redirects: {url}") from None
    except httpx.HTTPError as exc:
        why = f"{type(exc).__name__}: {exc}"
        raise InspectInputError(f"无法访问 {url}：{why}", f"cannot fetch {url}: {why}") from None
    if not is_html_response(headers, body) or binary_kind(body) is not None:
        shown = headers.get("content-type")
        raise InspectInputError(
            f"返回的不是 HTML 页面（Content-Type: {shown or '无'}）：{final_url}",
            f"the answer is not an HTML page (Content-Type: {shown or 'none'}): {final_url}",
        )
    return FetchedPage(url, final_url, status, headers, body, "http", truncated)


def _read_capped(response: httpx.Response) -> tuple[bytes, bool]:
    chunks: list[bytes] = []
    size = 0
    for chunk in response.iter_bytes():
        chunks.append(chunk)
        size += len(chunk)
        if size > MAX_PAGE_BYTES:
            return b"".join(chunks)[:MAX_PAGE_BYTES], True
    return b"".join(chunks), False


def _connect_error(url: str, host: str, exc: httpx.ConnectError) -> tuple[str, str]:
    """Why the connection failed, in Chinese and in English."""
    if lookup_failed(exc):
        return f"无法解析域名 {host}", f"cannot resolve {host}"
    if "refused" in str(exc).lower():
        return f"无法连接 {url}：连接被拒绝", f"cannot connect to {url}: connection refused"
    return f"无法连接 {url}：{exc}", f"cannot connect to {url}: {exc}"
