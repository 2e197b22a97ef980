"""The SSRF guard: which addresses a scan may fetch, checked at every request and redirect hop.

Registration (``scan.site_policy``) keeps non-admins from registering internal sites,
but a registered public site can still lead govpatrol elsewhere: a redirect, a link the
verifier checks, an attachment, a search form's action, an extra host, a probe's redirect.
Every fetch of a scan therefore goes through a ``FetchGuard`` built for the scan's site.

The rule. Every address falls in one class:

- *public*: a global unicast address, or one inside a network the operator declares
  fetchable in ``GOVPATROL_FETCH_ALLOW`` (CIDRs, comma or space separated; for example a
  government extranet that uses private address space);
- a *zone*: ``loopback`` (127.0.0.0/8 and ::1, plus 0.0.0.0/8 and :: which connect to this
  host), ``private`` (10/8, 172.16/12, 192.168/16, fc00::/7) or ``shared`` (100.64/10);
- *never*: link-local (169.254/16, home of the cloud metadata service, and fe80::/10),
  multicast, reserved, documentation and every other special-purpose block.

IPv4 carried in IPv6 (mapped, 6to4, NAT64) is judged as that IPv4 address. A target may be
fetched when every address its host resolves to is public or in one of the site's zones.

The site's zones are fixed when an admin registers or edits the site (``Site.address_zone``,
set by ``scan.site_policy.site_zone`` from what the name resolved to then), plus the
zone of the site URL's host when that is a literal address (a literal cannot be re-pointed).
They never follow DNS at scan time: a webmaster who registers a public name and later points
it at 127.0.0.1 would otherwise lead the crawler inside. A name that now resolves outside its
zone is refused, and ``FetchGuard.site_refusal`` says so in words. A public site thus reaches
public addresses only; a site on 127.0.0.1 (the sample portal, whose "external" hosts are
localhost and 127.0.0.2) may also reach loopback, and one an admin registered on 10.x any
private address, but never loopback; nothing ever reaches link-local addresses.

Resolution happens once per host per guard, and a guard lives for one fetch stage of a scan
(the crawl, link verification, each site check): literal addresses need no DNS, reserved
names (``govpatrol.core.urls.is_reserved_host``) fail without a query, and only a transient failure
(EAI_AGAIN) is asked again.

DNS rebinding: the httpx transports here open their TCP connections to the vetted address
itself (URLs, Host, TLS SNI and connection pools keep the name), and the crawler's Twisted
resolver answers from the same cache (``crawler.middleware``), so the address checked is
the address connected to. Neither uses a proxy: a proxy would connect to an address the
guard never saw.
The browser audits connect the same way: Chromium resolves and connects nothing itself.
Every request an audited page makes is fetched through this guard's transport and handed
back to the browser (``crawler.browser_guard``), behind a dead proxy for whatever the
routing does not see.
"""

from __future__ import annotations

import asyncio
import ipaddress
import socket
import threading
from collections.abc import Callable, Iterable
from typing import Any
from urllib.parse import urlsplit

import httpcore
import httpx

from govpatrol.core.settings import settings
from govpatrol.core.urls import is_reserved_host

FETCH_ALLOW_ENV = "GOVPATROL_FETCH_ALLOW"
REFUSED_TEXT = "内网地址，已拒绝访问 (internal address refused (SSRF guard))"
OUTSIDE_ZONE_TEXT = (
    "域名现解析到登记范围之外的地址（{zh}），已拒绝访问 "
    "(the site's name now resolves outside its registered address zone: {en}; refused)"
)

IPAddress = ipaddress.IPv4Address | ipaddress.IPv6Address
IPNetwork = ipaddress.IPv4Network | ipaddress.IPv6Network
Resolver = Callable[[str], list[IPAddress]]

PUBLIC = "public"
ZONE_NAMES = ("loopback", "private", "shared")
# How a refused address is named to a reader; None is the "never" class.
_CLASS_WORDS: dict[str | None, tuple[str, str]] = {
    "loopback": ("本机", "this host (loopback)"),
    "private": ("内网", "private network"),
    "shared": ("共享地址", "shared address space"),
    None: ("保留地址", "reserved address"),
}
_ZONES: tuple[tuple[str, tuple[IPNetwork, ...]], ...] = tuple(
    (name, tuple(ipaddress.ip_network(n) for n in networks))
    for name, networks in (
        ("loopback", ("127.0.0.0/8", "0.0.0.0/8", "::1/128", "::/128")),
        ("private", ("10.0.0.0/8", "172.16.0.0/12", "192.168.0.0/16", "fc00::/7")),
        ("shared", ("100.64.0.0/10",)),
    )
)
_NAT64 = ipaddress.IPv6Network("64:ff9b::/96")


class Refused(Exception):
    """A host the guard will not let the scan fetch; ``address`` is the first one refused."""

    def __init__(self, host: str, address: IPAddress) -> None:
        super().__init__(f"{host} → {address}: {REFUSED_TEXT}")
        self.host = host
        self.address = address


class GuardRefused(httpx.TransportError):
    """``Refused`` as an httpx error, so every caller's ``except httpx.HTTPError`` sees it."""


def literal_address(host: str) -> IPAddress | None:
    try:
        return ipaddress.ip_address(host.strip("[]"))
    except ValueError:
        return None


def _embedded_ipv4(address: ipaddress.IPv6Address) -> ipaddress.IPv4Address | None:
    if address.ipv4_mapped or address.sixtofour:
        return address.ipv4_mapped or address.sixtofour
    if address in _NAT64:
        return ipaddress.IPv4Address(int(address) & 0xFFFFFFFF)
    return None


def address_class(address: IPAddress, allow: Iterable[IPNetwork] = ()) -> str | None:
    """``"public"``, a zone name (``loopback``, ``private``, ``shared``) or None (never)."""
    allow = tuple(allow)
    if any(address.version == net.version and address in net for net in allow):
        return PUBLIC
    if isinstance(address, ipaddress.IPv6Address):
        embedded = _embedded_ipv4(address)
        if embedded is not None:
            return address_class(embedded, allow)
    for name, networks in _ZONES:
        if any(address.version == net.version and address in net for net in networks):
            return name
    if address.is_global and not address.is_multicast:
        return PUBLIC
    return None


def parse_zones(text: str | None) -> frozenset[str]:
    """The zones a stored ``Site.address_zone`` names (``"public"``: none); unknown words are
    dropped, so a damaged value narrows the zone rather than widens it."""
    words = (text or "").replace(" ", ",").split(",")
    return frozenset(w for w in words if w in ZONE_NAMES)


def format_zones(zones: Iterable[str]) -> str:
    """How ``Site.address_zone`` stores zones: ``"public"`` or sorted names, comma separated."""
    return ",".join(sorted(set(zones) & set(ZONE_NAMES))) or PUBLIC


def zones_of(addresses: Iterable[IPAddress], allow: Iterable[IPNetwork] = ()) -> frozenset[str]:
    """The zones ``addresses`` fall in (public and never-fetchable ones are no zone)."""
    allow = tuple(allow)
    return frozenset(c for c in (address_class(a, allow) for a in addresses) if c in ZONE_NAMES)


def is_internal(address: IPAddress) -> bool:
    """Anything but a public unicast address (the operator's allowances aside)."""
    return address_class(address) != PUBLIC


def operator_networks() -> tuple[IPNetwork, ...]:
    """``GOVPATROL_FETCH_ALLOW``, read at each call so a change needs no restart."""
    return settings().fetch_allow


def system_resolve(host: str) -> list[IPAddress]:
    """Every address the system resolver gives, in its order (also the spellings the C
    library accepts, such as ``2130706433``); raises ``socket.gaierror`` when there is none."""
    infos = socket.getaddrinfo(host, None, proto=socket.IPPROTO_TCP)
    found: list[IPAddress] = []
    for info in infos:
        address = literal_address(str(info[4][0]).split("%", 1)[0])
        if address is not None and address not in found:
            found.append(address)
    if not found:
        raise socket.gaierror(socket.EAI_NONAME, "no address")
    return found


def _no_such_name(host: str) -> socket.gaierror:
    return socket.gaierror(socket.EAI_NONAME, f"Name or service not known: {host}")


class FetchGuard:
    """The rule above for one site; thread-safe, each host resolved once."""

    def __init__(
        self,
        site_url: str | None,
        *,
        zones: str | Iterable[str] | None = None,
        resolver: Resolver | None = None,
        allow: Iterable[IPNetwork] | None = None,
    ) -> None:
        """``zones``: the site's registered zone (``Site.address_zone``, or zone names);
        None for a guard of no registered site. ``resolver`` defaults to ``system_resolve``
        as the module has it when the guard is built (the seam tests replace)."""
        self.site_host = (urlsplit(site_url).hostname or "").lower() if site_url else ""
        self.resolver = resolver or system_resolve
        self.allow = tuple(allow) if allow is not None else operator_networks()
        self._answers: dict[str, list[IPAddress] | socket.gaierror] = {}
        self._host_locks: dict[str, threading.Lock] = {}
        self._lock = threading.Lock()
        registered = parse_zones(zones if isinstance(zones, str) else ",".join(zones or ()))
        literal = literal_address(self.site_host)
        self._zones = registered | zones_of([literal] if literal else [], self.allow)

    # -- resolution --

    def addresses(self, host: str) -> list[IPAddress]:
        """The host's addresses, resolved on first use; raises ``socket.gaierror``."""
        host = host.lower().rstrip(".")
        literal = literal_address(host)
        if literal is not None:
            return [literal]
        answer = self._answers.get(host)
        if answer is None:
            with self._lock:
                lock = self._host_locks.setdefault(host, threading.Lock())
            with lock:  # one lookup per host however many requests wait for it
                answer = self._answers.get(host)
                if answer is None:
                    answer = self._resolve(host)
        if isinstance(answer, socket.gaierror):
            # a fresh error each time: re-raising the cached one would grow its traceback
            raise socket.gaierror(answer.errno, answer.strerror)
        return answer

    def _resolve(self, host: str) -> list[IPAddress] | socket.gaierror:
        answer: list[IPAddress] | socket.gaierror
        if is_reserved_host(host):
            answer = _no_such_name(host)
        else:
            try:
                answer = self.resolver(host) or _no_such_name(host)
            except socket.gaierror as exc:
                answer = exc
            except (OSError, UnicodeError) as exc:
                answer = socket.gaierror(socket.EAI_FAIL, str(exc))
        if not (isinstance(answer, socket.gaierror) and answer.errno == socket.EAI_AGAIN):
            self._answers[host] = answer
        return answer

    def needs_lookup(self, host: str) -> bool:
        """Whether ``vet(host)`` may wait for DNS."""
        return not self._known(host)

    def _known(self, host: str) -> bool:
        host = host.lower().rstrip(".")
        return not host or literal_address(host) is not None or host in self._answers

    # -- the rule --

    def zones(self) -> frozenset[str]:
        """The site's fixed zones (none for a public site); never derived from DNS."""
        return self._zones

    def allows(self, address: IPAddress) -> bool:
        found = address_class(address, self.allow)
        return found == PUBLIC or (found is not None and found in self.zones())

    def vet(self, host: str) -> list[IPAddress]:
        """The host's addresses when every one may be fetched; raises ``Refused`` (or
        ``socket.gaierror`` when the name does not resolve)."""
        found = self.addresses(host)
        for address in found:
            if not self.allows(address):
                raise Refused(host, address)
        return found

    def site_refusal(self) -> str | None:
        """Words for a site whose own name now resolves outside its registered zone, so a
        scan or probe can say why it fetched nothing; None when the name may be fetched or
        does not resolve at all (that is reported as a DNS failure, as before)."""
        if not self.site_host:
            return None
        try:
            self.vet(self.site_host)
        except Refused as exc:
            zh, en = _CLASS_WORDS.get(address_class(exc.address, self.allow), _CLASS_WORDS[None])
            return f"{self.site_host} → {exc.address}: " + OUTSIDE_ZONE_TEXT.format(zh=zh, en=en)
        except socket.gaierror:
            return None
        return None

    async def vet_async(self, host: str) -> list[IPAddress]:
        """``vet`` without blocking the event loop on a lookup."""
        if not self.needs_lookup(host):
            return self.vet(host)
        return await asyncio.to_thread(self.vet, host)


# -- httpx: connect to the vetted address ---------------------------------------------------------
#
# The vetting happens where httpcore opens a TCP connection: URLs keep their names, so the
# Host header, TLS SNI and certificate checks, and connection pooling stay per name (two
# names on one shared IP never share a TLS connection), while the socket goes to the address
# the guard vetted. A redirect hop to another host opens a connection of its own, vetted so.


def _unresolved(exc: socket.gaierror) -> httpcore.ConnectError:
    error = httpcore.ConnectError(f"[Errno {exc.errno}] {exc.strerror or exc}")
    error.__cause__ = exc  # classify_exception reads the cause: a DNS failure
    return error


class _PinningBackend(httpcore.NetworkBackend):
    """Opens TCP connections to vetted addresses only, in the resolver's order (as a socket
    connect tries them), through httpcore's own backend."""

    def __init__(self, guard: FetchGuard, inner: httpcore.NetworkBackend) -> None:
        self.guard = guard
        self.inner = inner

    def connect_tcp(
        self,
        host: str,
        port: int,
        timeout: float | None = None,
        local_address: str | None = None,
        socket_options: Iterable[Any] | None = None,
    ) -> httpcore.NetworkStream:
        try:
            addresses = self.guard.vet(host)
        except Refused as exc:
            raise GuardRefused(str(exc)) from exc
        except socket.gaierror as exc:
            raise _unresolved(exc) from exc
        for address in addresses[:-1]:
            try:
                return self.inner.connect_tcp(str(address), port, timeout, local_address,
                                              socket_options)  # fmt: skip
            except httpcore.ConnectError:
                continue
        return self.inner.connect_tcp(str(addresses[-1]), port, timeout, local_address,
                                      socket_options)  # fmt: skip

    def connect_unix_socket(
        self, path: str, timeout: float | None = None, socket_options: Iterable[Any] | None = None
    ) -> httpcore.NetworkStream:
        raise GuardRefused(f"unix socket {path}: {REFUSED_TEXT}")

    def sleep(self, seconds: float) -> None:
        self.inner.sleep(seconds)


class _AsyncPinningBackend(httpcore.AsyncNetworkBackend):
    """``_PinningBackend`` for async clients; a lookup runs in a thread."""

    def __init__(self, guard: FetchGuard, inner: httpcore.AsyncNetworkBackend) -> None:
        self.guard = guard
        self.inner = inner

    async def connect_tcp(
        self,
        host: str,
        port: int,
        timeout: float | None = None,
        local_address: str | None = None,
        socket_options: Iterable[Any] | None = None,
    ) -> httpcore.AsyncNetworkStream:
        try:
            addresses = await self.guard.vet_async(host)
        except Refused as exc:
            raise GuardRefused(str(exc)) from exc
        except socket.gaierror as exc:
            raise _unresolved(exc) from exc
        for address in addresses[:-1]:
            try:
                return await self.inner.connect_tcp(str(address), port, timeout, local_address,
                                                    socket_options)  # fmt: skip
            except httpcore.ConnectError:
                continue
        return await self.inner.connect_tcp(str(addresses[-1]), port, timeout, local_address,
                                            socket_options)  # fmt: skip

    async def connect_unix_socket(
        self, path: str, timeout: float | None = None, socket_options: Iterable[Any] | None = None
    ) -> httpcore.AsyncNetworkStream:
        raise GuardRefused(f"unix socket {path}: {REFUSED_TEXT}")

    async def sleep(self, seconds: float) -> None:
        await self.inner.sleep(seconds)


def _pool_of(transport: httpx.HTTPTransport | httpx.AsyncHTTPTransport) -> Any:
    """The httpcore pool inside an httpx transport. httpx has no public way to give it a
    network backend, so the pool's is replaced; a version of httpx or httpcore without
    these attributes fails here, loudly, rather than fetch unguarded."""
    pool = getattr(transport, "_pool", None)
    if pool is None or not hasattr(pool, "_network_backend"):
        raise RuntimeError("httpx/httpcore changed: the SSRF guard cannot pin connections")
    return pool


def guarded_transport(guard: FetchGuard, **transport: Any) -> httpx.HTTPTransport:
    """httpx's transport (``transport`` are its arguments) connecting only where the guard
    allows."""
    made = httpx.HTTPTransport(**transport)
    pool = _pool_of(made)
    pool._network_backend = _PinningBackend(guard, pool._network_backend)
    return made


def async_guarded_transport(guard: FetchGuard, **transport: Any) -> httpx.AsyncHTTPTransport:
    """``guarded_transport`` for async clients."""
    made = httpx.AsyncHTTPTransport(**transport)
    pool = _pool_of(made)
    pool._network_backend = _AsyncPinningBackend(guard, pool._network_backend)
    return made


def guarded_client(guard: FetchGuard, *, verify: bool = True, **client: Any) -> httpx.Client:
    """An ``httpx.Client`` whose every connection, redirect hops' too, passes the guard."""
    return httpx.Client(
        transport=guarded_transport(guard, verify=verify),
        trust_env=False,  # no proxies from the environment: see the module docstring
        **client,
    )
