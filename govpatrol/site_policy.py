"""Which sites a non-admin may register, so the crawler cannot be pointed at internal hosts.

A registered site is fetched by the crawler, the link verifier and the availability probe
from inside the operator's network. An admin may register anything (an intranet site on
10.x is a legitimate target for them); anyone else only names under the allowlist
(``GOVPATROL_SITE_ALLOWLIST``, default ``*.gov.cn``) that do not lead to loopback,
private, link-local or otherwise non-public addresses, literally or through DNS.
"""

from __future__ import annotations

import ipaddress
import os
import socket
from collections.abc import Callable, Iterable
from urllib.parse import urlsplit

from crawler.urls import is_loopback_name, is_reserved_host

ALLOWLIST_ENV = "GOVPATROL_SITE_ALLOWLIST"
DEFAULT_ALLOWLIST = ("*.gov.cn",)

IPAddress = ipaddress.IPv4Address | ipaddress.IPv6Address
Resolver = Callable[[str], list[IPAddress]]


class SiteNotAllowed(ValueError):
    """A URL this user may not register; the message says why, in both languages."""


def allowlist() -> tuple[str, ...]:
    """The configured patterns (comma or space separated), read at each call so a change
    of the setting needs no restart."""
    raw = os.environ.get(ALLOWLIST_ENV)
    if raw is None:
        return DEFAULT_ALLOWLIST
    return tuple(p.strip().lower().rstrip(".") for p in raw.replace(",", " ").split() if p.strip())


def host_allowed(host: str, patterns: Iterable[str]) -> bool:
    """``*.gov.cn`` covers every name under gov.cn (not gov.cn itself, not evilgov.cn);
    a pattern without ``*.`` covers exactly that name; ``*`` covers every name."""
    host = host.lower().rstrip(".")
    for pattern in patterns:
        if pattern == "*" or host == pattern:
            return True
        if pattern.startswith("*.") and host.endswith(pattern[1:]):
            return True
    return False


def is_internal(address: IPAddress) -> bool:
    """Loopback, private, link-local, shared (CGNAT), reserved, multicast or unspecified:
    anything that is not a public unicast address. IPv4 carried in IPv6 is judged as IPv4."""
    if isinstance(address, ipaddress.IPv6Address):
        embedded = address.ipv4_mapped or address.sixtofour or _nat64(address)
        if embedded is not None:
            return is_internal(embedded)
    return not address.is_global or address.is_multicast


def _nat64(address: ipaddress.IPv6Address) -> ipaddress.IPv4Address | None:
    if address in ipaddress.IPv6Network("64:ff9b::/96"):
        return ipaddress.IPv4Address(int(address) & 0xFFFFFFFF)
    return None


def literal_address(host: str) -> IPAddress | None:
    try:
        return ipaddress.ip_address(host.strip("[]"))
    except ValueError:
        return None


def resolve(host: str) -> list[IPAddress]:
    """Every address the system resolver gives for ``host`` (also the spellings the C
    library accepts, such as ``2130706433`` or ``0x7f.1``); none for unresolvable names."""
    if is_reserved_host(host):
        return []
    try:
        infos = socket.getaddrinfo(host, None, proto=socket.IPPROTO_TCP)
    except (OSError, UnicodeError):
        return []
    addresses = []
    for info in infos:
        found = literal_address(str(info[4][0]).split("%", 1)[0])
        if found is not None:
            addresses.append(found)
    return addresses


def check_site_url(url: str, *, admin: bool, resolver: Resolver = resolve) -> None:
    """Raise SiteNotAllowed when a user who is not an admin may not register ``url``."""
    if admin:
        return
    host = (urlsplit(url).hostname or "").lower()
    literal = literal_address(host)
    if (literal is not None and is_internal(literal)) or is_loopback_name(host):
        raise SiteNotAllowed(
            f"不能登记本机或内网地址 {host}（请联系管理员） (internal address not allowed)"
        )
    patterns = allowlist()
    if not host_allowed(host, patterns):
        raise SiteNotAllowed(
            f"只能登记 {', '.join(patterns) or '（无）'} 范围内的网站：{host} "
            "（其他网站请联系管理员） (host not in the allowlist)"
        )
    internal = [a for a in resolver(host) if is_internal(a)]
    if internal:
        raise SiteNotAllowed(
            f"{host} 解析到本机或内网地址 {internal[0]}，不能登记（请联系管理员） "
            "(host resolves to an internal address)"
        )
