"""The SSRF guard's rule, its DNS cache, and its pinned httpx transport.

Every name here is answered by an injected resolver, and every server listens on loopback:
a site "on" 127.0.0.1 is made public by declaring that one address fetchable (as an
operator declares an extranet with GOVPATROL_FETCH_ALLOW), so a refused target can be
another loopback address (127.0.0.2) whose server counts the requests it never got.
"""

from __future__ import annotations

import ipaddress
import socket
from collections import Counter
from collections.abc import Iterator

import pytest
from twisted.internet.error import DNSLookupError
from twisted.python.failure import Failure

from crawler.errors import classify_failure
from crawler.middleware import GuardedResolver
from crawler.netguard import (
    FETCH_ALLOW_ENV,
    PUBLIC,
    REFUSED_TEXT,
    FetchGuard,
    GuardRefused,
    Refused,
    address_class,
    guarded_client,
    is_internal,
    operator_networks,
)
from tests import loopback as lb

ip = ipaddress.ip_address
SITE_IS_PUBLIC = (ipaddress.ip_network("127.0.0.1/32"),)


def table(names: dict[str, list[str]], asked: Counter[str] | None = None):
    """A resolver answering from ``names``; unknown names do not resolve."""

    def resolver(host: str) -> list:
        if asked is not None:
            asked[host] += 1
        if host not in names:
            raise socket.gaierror(socket.EAI_NONAME, "unknown")
        return [ip(a) for a in names[host]]

    return resolver


@pytest.mark.parametrize(
    ("address", "expected"),
    [
        ("202.108.22.5", PUBLIC),
        ("2400:da00::6666", PUBLIC),
        ("127.0.0.2", "loopback"),
        ("0.0.0.0", "loopback"),  # connects to this host
        ("::1", "loopback"),
        ("::ffff:127.0.0.1", "loopback"),
        ("10.1.2.3", "private"),
        ("172.20.0.1", "private"),
        ("192.168.1.1", "private"),
        ("fd12::1", "private"),
        ("2002:c0a8:101::", "private"),  # 6to4 of 192.168.1.1
        ("64:ff9b::a00:1", "private"),  # NAT64 of 10.0.0.1
        ("100.64.0.1", "shared"),
        ("169.254.169.254", None),  # the cloud metadata service: never
        ("fe80::1", None),
        ("224.0.0.1", None),
        ("240.0.0.1", None),
        ("192.0.2.1", None),
    ],
)
def test_every_address_has_one_class(address: str, expected: str | None) -> None:
    assert address_class(ip(address)) == expected
    assert is_internal(ip(address)) == (expected != PUBLIC)


def test_the_zone_of_the_site_decides() -> None:
    names = {
        "www.site.gov.cn": ["202.108.22.5"],
        "portal.local.gov.cn": ["127.0.0.1"],
        "intranet.gov.cn": ["10.0.0.5"],
        "mixed.gov.cn": ["202.108.22.6", "10.0.0.6"],
        "other.gov.cn": ["202.108.22.7"],
    }
    public = FetchGuard("http://www.site.gov.cn/", resolver=table(names), allow=())
    assert public.zones() == frozenset()
    assert public.vet("other.gov.cn") == [ip("202.108.22.7")]
    for refused in ("127.0.0.1", "10.0.0.5", "intranet.gov.cn", "mixed.gov.cn", "[::1]"):
        with pytest.raises(Refused):
            public.vet(refused)
    # a name's zone is the one registered, whatever the name resolves to at scan time
    loop = FetchGuard(
        "http://portal.local.gov.cn:8080/", zones="loopback", resolver=table(names), allow=()
    )
    assert loop.zones() == {"loopback"}
    assert (
        FetchGuard("http://portal.local.gov.cn/", resolver=table(names), allow=()).zones() == set()
    )
    assert loop.vet("127.0.0.2") and loop.vet("::1") and loop.vet("other.gov.cn")
    with pytest.raises(Refused):
        loop.vet("intranet.gov.cn")  # loopback does not reach the intranet
    intranet = FetchGuard("http://10.0.0.5/", resolver=table(names), allow=())
    assert intranet.vet("192.168.3.3") and intranet.vet("mixed.gov.cn")
    for refused in ("127.0.0.1", "169.254.169.254", "0.0.0.0"):
        with pytest.raises(Refused):
            intranet.vet(refused)
    # a literal site address is its own zone: it cannot be re-pointed
    assert FetchGuard("http://[::1]:8080/", allow=()).zones() == {"loopback"}


def test_the_operator_declares_networks_public(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv(FETCH_ALLOW_ENV, "59.255.0.0/16, 10.8.0.0/16")
    assert operator_networks() == (
        ipaddress.ip_network("59.255.0.0/16"),
        ipaddress.ip_network("10.8.0.0/16"),
    )
    guard = FetchGuard("http://www.site.gov.cn/", resolver=table({"www.site.gov.cn": ["1.2.3.4"]}))
    assert guard.vet("10.8.1.1")
    with pytest.raises(Refused):
        guard.vet("10.9.1.1")


def test_each_host_is_resolved_once_and_reserved_names_never() -> None:
    asked: Counter[str] = Counter()
    resolver = table({"www.site.gov.cn": ["1.2.3.4"], "cdn.gov.cn": ["1.2.3.5"]}, asked)
    guard = FetchGuard("http://www.site.gov.cn/", resolver=resolver, allow=())
    for _ in range(3):
        assert guard.zones() == set()
        guard.vet("cdn.gov.cn")
        guard.vet("CDN.gov.cn.")
        with pytest.raises(socket.gaierror):
            guard.vet("gone.gov.cn")
        with pytest.raises(socket.gaierror):
            guard.vet("files.invalid")
        with pytest.raises(socket.gaierror):
            guard.vet("admin.localhost")
    # the site's own name is not asked for its zone: the zone is the registered one
    assert asked == {"cdn.gov.cn": 1, "gone.gov.cn": 1}


def test_a_transient_dns_failure_is_asked_again() -> None:
    answers = iter([socket.gaierror(socket.EAI_AGAIN, "try again"), [ip("1.2.3.4")]])

    def flaky(host: str) -> list:
        answer = next(answers)
        if isinstance(answer, Exception):
            raise answer
        return answer

    guard = FetchGuard(None, resolver=flaky, allow=())
    with pytest.raises(socket.gaierror):
        guard.vet("www.site.gov.cn")
    assert guard.vet("www.site.gov.cn") == [ip("1.2.3.4")]


# -- the pinned transport, on loopback ----------------------------------------------------------


@pytest.fixture
def site_and_inside() -> Iterator[tuple[lb.LoopbackServer, lb.LoopbackServer]]:
    """The site on 127.0.0.1, and an "internal" server on 127.0.0.2 that must stay unasked."""
    inside = lb.serve({"/secret": lb.page("<title>内网</title>")}, address="127.0.0.2")
    with lb.servers(inside):
        site = lb.serve(
            {
                "/": lambda request: request.html(f"<title>{request.headers['host']}</title>"),
                "/hop": lb.redirect(f"http://127.0.0.2:{inside.port}/secret"),
                "/by-name": lb.redirect(f"http://intranet.site.gov.cn:{inside.port}/secret"),
            }
        )
        with lb.servers(site):
            yield site, inside


def test_redirect_hops_are_vetted_one_by_one(site_and_inside) -> None:
    site, inside = site_and_inside
    names = {"www.site.gov.cn": ["127.0.0.1"], "intranet.site.gov.cn": ["127.0.0.2"]}
    guard = FetchGuard("http://www.site.gov.cn/", resolver=table(names), allow=SITE_IS_PUBLIC)
    with guarded_client(guard, follow_redirects=True, timeout=5) as client:
        home = client.get(f"http://www.site.gov.cn:{site.port}/")
        # connected to 127.0.0.1, spoken to as the name: Host and the URL keep it
        assert home.status_code == 200 and f"www.site.gov.cn:{site.port}" in home.text
        assert str(home.url) == f"http://www.site.gov.cn:{site.port}/"
        for path in ("/hop", "/by-name"):
            with pytest.raises(GuardRefused, match=REFUSED_TEXT.split(" ")[0]):
                client.get(f"http://www.site.gov.cn:{site.port}{path}")
        with pytest.raises(GuardRefused):
            client.get(f"http://127.0.0.2:{inside.port}/secret")
    assert site.requested("/hop") == 1 and site.requested("/by-name") == 1
    assert inside.hits == []
    assert site.hits[0].method == "GET"


def test_the_connection_goes_to_the_vetted_address_whatever_dns_says_later(
    site_and_inside,
) -> None:
    """DNS rebinding: the first answer is vetted and kept for the whole guard; a rebinding
    server's second answer (127.0.0.2) is never asked for, let alone connected to."""
    site, inside = site_and_inside
    answers = iter([[ip("127.0.0.1")], [ip("127.0.0.2")]])
    guard = FetchGuard(None, resolver=lambda host: next(answers), allow=SITE_IS_PUBLIC)
    with guarded_client(guard, timeout=5) as client:
        for _ in range(3):
            answer = client.get(f"http://rebind.gov.cn:{site.port}/")
            assert answer.status_code == 200
    assert site.requested("/") == 3 and inside.hits == []


def test_addresses_are_tried_in_order_as_a_socket_connect_would(site_and_inside) -> None:
    """``localhost`` often resolves to ::1 first; a server on 127.0.0.1 only must still be
    reached, as the sample portal's "external" host is."""
    site, _ = site_and_inside
    names = {"localhost": ["::1", "127.0.0.1"]}
    guard = FetchGuard("http://127.0.0.1/", resolver=table(names), allow=())
    with guarded_client(guard, timeout=5) as client:
        assert client.get(f"http://localhost:{site.port}/").status_code == 200
    assert site.requested("/") == 1


def test_the_crawls_resolver_answers_from_the_guard() -> None:
    """Twisted asks the crawl's resolver for every name it connects to: the answer is the
    guard's vetted IPv4 address, or a lookup error the crawl records as ssrf_refused."""
    names = {"www.site.gov.cn": ["127.0.0.1"], "oa.site.gov.cn": ["::1", "127.0.0.2"]}
    asked: Counter[str] = Counter()
    guard = FetchGuard(
        "http://www.site.gov.cn/", resolver=table(names, asked), allow=SITE_IS_PUBLIC
    )
    resolver = GuardedResolver(None, guard)
    assert resolver._ipv4("www.site.gov.cn") == "127.0.0.1"
    with pytest.raises(DNSLookupError, match="SSRF guard") as refused:
        resolver._ipv4("oa.site.gov.cn")
    assert classify_failure(Failure(refused.value)) == ("ssrf_refused", REFUSED_TEXT)
    with pytest.raises(DNSLookupError):
        resolver._ipv4("gone.site.gov.cn")
    assert resolver._ipv4("www.site.gov.cn") == "127.0.0.1"
    assert asked == {"www.site.gov.cn": 1, "oa.site.gov.cn": 1, "gone.site.gov.cn": 1}
