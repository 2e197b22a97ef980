"""Which sites a non-admin may register, so the crawler cannot be pointed at internal hosts.

A registered site is fetched by the crawler, the link verifier and the availability probe
from inside the operator's network. An admin may register anything (an intranet site on
10.x is a legitimate target for them); anyone else only names under the allowlist
(``GOVPATROL_SITE_ALLOWLIST``, default ``*.gov.cn``) that do not lead to loopback,
private, link-local or otherwise non-public addresses, literally or through DNS.

What a registered site may then fetch, redirect hop by redirect hop, is
``crawler.netguard``'s business: this module only decides who may register what.
"""

from __future__ import annotations

import os
from collections.abc import Iterable
from urllib.parse import urlsplit

from crawler.netguard import IPAddress, Resolver, is_internal, literal_address, system_resolve
from crawler.urls import is_loopback_name, is_reserved_host

ALLOWLIST_ENV = "GOVPATROL_SITE_ALLOWLIST"
DEFAULT_ALLOWLIST = ("*.gov.cn",)


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


def resolve(host: str) -> list[IPAddress]:
    """Every address the system resolver gives for ``host`` (also the spellings the C
    library accepts, such as ``2130706433`` or ``0x7f.1``); none for unresolvable names."""
    if is_reserved_host(host):
        return []
    try:
        return system_resolve(host)
    except (OSError, UnicodeError):
        return []


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
