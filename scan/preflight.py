"""Checks on a URL a person typed, before a scan is created for it: one clear line per
mistake (malformed URL, unreachable host, a home page that is not HTML)."""

from __future__ import annotations

import re
from dataclasses import dataclass
from urllib.parse import urlsplit

import httpx

from crawler.netguard import FetchGuard, GuardRefused, guarded_client
from govpatrol.core.settings import USER_AGENT
from govpatrol.core.urls import is_reserved_host


class BadInput(Exception):
    """A user error with a message fit to print as is."""


@dataclass
class HomeProbe:
    url: str  # the URL as normalised
    final_url: str
    title: str


def normalise_site_url(raw: str) -> str:
    url = raw.strip()
    if not url:
        raise BadInput("网址为空 (empty URL)")
    if "://" not in url:
        raise BadInput(f"网址缺少 http:// 或 https://：{raw!r} (URL needs a scheme)")
    try:
        parts = urlsplit(url)
        port = parts.port
    except ValueError as exc:
        raise BadInput(f"网址格式错误：{raw!r}（{exc}）") from exc
    if parts.scheme not in ("http", "https"):
        raise BadInput(f"只支持 http/https 网址：{raw!r} (only http/https)")
    host = parts.hostname or ""
    if not host or not re.fullmatch(r"[A-Za-z0-9.\-\[\]:]+", host) or ".." in host:
        raise BadInput(f"网址主机名无效：{raw!r} (invalid host)")
    shown = f"[{host}]" if ":" in host else host  # IPv6 literals keep their brackets
    netloc = shown.lower() + (f":{port}" if port else "")
    return f"{parts.scheme}://{netloc}{parts.path or '/'}" + (
        f"?{parts.query}" if parts.query else ""
    )


# what the resolver's errors say, as httpx passes them on (glibc, BSD, httpcore)
_LOOKUP_FAILED = ("name or service", "nodename", "getaddrinfo", "resolution")


def lookup_failed(exc: httpx.ConnectError) -> bool:
    """Whether a connection failed because the host name did not resolve."""
    text = str(exc).lower()
    return any(words in text for words in _LOOKUP_FAILED)


def probe_home(url: str, *, zones: str = "public", timeout_s: float = 15.0) -> HomeProbe:
    """Fetch the home page once, within the site's address zone (``Site.address_zone``);
    raise BadInput saying why it cannot be scanned."""
    host = urlsplit(url).hostname or ""
    if is_reserved_host(host):
        raise BadInput(f"无法解析域名 {host}（保留域名）(DNS lookup failed)")
    guard = FetchGuard(url, zones=zones)
    outside = guard.site_refusal()
    if outside is not None:
        raise BadInput(outside)
    try:
        with (
            guarded_client(
                guard,
                timeout=timeout_s,
                follow_redirects=True,
                headers={"User-Agent": USER_AGENT},
            ) as client,
            client.stream("GET", url) as response,
        ):
            content_type = response.headers.get("content-type", "")
            head = b""
            for chunk in response.iter_bytes():
                head += chunk
                if len(head) > 65536:
                    break
            status, final_url = response.status_code, str(response.url)
    except httpx.ConnectTimeout as exc:
        raise BadInput(f"连接超时：{url} (connection timed out)") from exc
    except httpx.ConnectError as exc:
        if lookup_failed(exc):
            raise BadInput(f"无法解析域名 {host} (DNS lookup failed)") from exc
        if "refused" in str(exc).lower():
            raise BadInput(f"无法连接 {url}：连接被拒绝 (connection refused)") from exc
        raise BadInput(f"无法连接 {url}：{exc}") from exc
    except httpx.TimeoutException as exc:
        raise BadInput(f"请求超时：{url} (timed out after {timeout_s:.0f}s)") from exc
    except GuardRefused as exc:
        raise BadInput(f"首页重定向到内网地址，已拒绝：{url} ({exc})") from exc
    except httpx.TooManyRedirects as exc:
        raise BadInput(f"首页重定向次数过多：{url} (too many redirects)") from exc
    except httpx.HTTPError as exc:
        raise BadInput(f"无法访问 {url}：{type(exc).__name__}: {exc}") from exc
    if status >= 400:
        raise BadInput(f"首页返回 HTTP {status}：{url} (home page answered HTTP {status})")
    is_html = "html" in content_type.lower() or (
        not content_type and b"<html" in head[:2048].lower()
    )
    if not is_html:
        raise BadInput(
            f"首页不是 HTML 页面（Content-Type: {content_type or '无'}）：{url} (home page is not HTML)"
        )
    match = re.search(rb"<title[^>]*>(.*?)</title>", head, re.IGNORECASE | re.DOTALL)
    title = ""
    if match:
        from extract.parse import decode

        title = " ".join(decode(match.group(1), content_type)[1].split())
    return HomeProbe(url=url, final_url=final_url, title=title)
