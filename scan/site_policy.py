"""Which sites a non-admin may register, so the crawler cannot be pointed at internal hosts.

A registered site is fetched by the crawler, the link verifier and the availability probe
from inside the operator's network. An admin may register anything (an intranet site on
10.x is a legitimate target for them); anyone else only names under the allowlist
(``GOVPATROL_SITE_ALLOWLIST``, default ``*.gov.cn``) that do not lead to loopback,
private, link-local or otherwise non-public addresses, literally or through DNS.

It also fixes, at registration and at each edit, the site's address zone (``site_zone``:
what the guard of every later scan, probe and link check allows besides public addresses),
and says when two URLs are the same site (``canonical_site_url``). What a registered site
may then fetch, redirect hop by redirect hop, is ``crawler.netguard``'s business.
"""

from __future__ import annotations

import logging
from collections.abc import Iterable
from urllib.parse import urlsplit

from sqlmodel import Session, select

from crawler import netguard
from crawler.netguard import (
    PUBLIC,
    IPAddress,
    Resolver,
    format_zones,
    is_internal,
    literal_address,
    operator_networks,
    zones_of,
)
from govpatrol.core.models import Site
from govpatrol.core.settings import settings
from govpatrol.core.urls import is_loopback_name, is_reserved_host

# No table keeps admin actions: a site's zone, which decides what its scans may reach inside
# the operator's network, is logged here each time it is fixed.
audit = logging.getLogger("govpatrol.audit")

ALLOWLIST_ENV = "GOVPATROL_SITE_ALLOWLIST"
DEFAULT_PORTS = {"http": 80, "https": 443}
# The page a server answers for a directory: https://x.gov.cn/ and https://x.gov.cn/index.html
# are one site. The common defaults of Apache/nginx, IIS and the Chinese government CMSs.
DEFAULT_DOCUMENTS = frozenset(
    {
        "index.html",
        "index.htm",
        "index.shtml",
        "index.shtm",
        "index.php",
        "index.jsp",
        "index.asp",
        "index.aspx",
        "default.html",
        "default.htm",
        "default.shtml",
        "default.asp",
        "default.aspx",
        "default.jsp",
        "main.htm",
        "main.html",
    }
)


class SiteNotAllowed(ValueError):
    """A URL this user may not register; the message says why, in both languages."""


def allowlist() -> tuple[str, ...]:
    """The configured patterns (comma or space separated), read at each call so a change
    of the setting needs no restart."""
    return settings().site_allowlist


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
        return netguard.system_resolve(host)  # looked up at each call: the tests' seam
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


def site_zone(url: str, *, admin: bool, resolver: Resolver = resolve) -> str:
    """The address zone a site gets when it is registered or edited (``Site.address_zone``),
    after ``check_site_url``; the one function the CLI, the dashboard form and the JSON API
    use. Anyone but an admin registers public sites only (anything else is refused above).
    An admin's site gets the zones of the addresses its name resolves to now (an intranet
    site on 10.x may then reach 10.x), or of its literal address; a name that does not
    resolve now is public, the restrictive side. Scans never widen it from DNS."""
    check_site_url(url, admin=admin, resolver=resolver)
    if not admin:
        return PUBLIC
    host = (urlsplit(url).hostname or "").lower()
    literal = literal_address(host)
    addresses = [literal] if literal is not None else resolver(host)
    return format_zones(zones_of(addresses, operator_networks()))


def record_zone(site: Site, who: str) -> None:
    """The audit line of a site's zone being fixed (see ``audit`` above)."""
    audit.warning(
        "site #%s %s: address zone fixed as %r by %s", site.id, site.url, site.address_zone, who
    )


def canonical_site_url(url: str) -> str:
    """The form two registrations of one site share: lower-case scheme and host, no default
    port, no default document (index.html …), no trailing slash, no fragment. Only for
    comparing; a site keeps the URL it was registered with (its crawl starts there)."""
    parts = urlsplit(url.strip())
    scheme = parts.scheme.lower()
    host = (parts.hostname or "").lower().rstrip(".")
    try:
        port = parts.port
    except ValueError:
        port = None
    shown = f"[{host}]" if ":" in host else host
    netloc = shown if port in (None, DEFAULT_PORTS.get(scheme)) else f"{shown}:{port}"
    directory, _, last = (parts.path or "/").rpartition("/")
    path = directory if last.lower() in DEFAULT_DOCUMENTS else f"{directory}/{last}"
    path = path.rstrip("/")
    return f"{scheme}://{netloc}{path}/" + (f"?{parts.query}" if parts.query else "")


def registered_as(session: Session, url: str, *, other_than: int | None = None) -> Site | None:
    """The site already registered under ``url``'s canonical form, if any. Compared in
    Python: a store holds hundreds of sites, and their URLs were stored in older forms."""
    wanted = canonical_site_url(url)
    for site in session.exec(select(Site)):
        if site.id != other_than and canonical_site_url(site.url) == wanted:
            return site
    return None
