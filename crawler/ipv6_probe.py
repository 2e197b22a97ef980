"""Does a site's name resolve over IPv6: an AAAA record for its host, asked of the resolver
the machine is configured with (dnspython, so "the name has no AAAA" and "the resolver did
not answer" are told apart, which ``getaddrinfo`` cannot do).

Three answers: ``yes`` (AAAA addresses, CNAMEs followed), ``no`` (the name exists and has no
AAAA: NOERROR with no data) and ``None``, cannot tell (no resolver configured, a timeout,
SERVFAIL, a name the resolver says does not exist although the crawl reached it). Only the
query for the site's own name is sent, to the configured resolver.
"""

from __future__ import annotations

from dataclasses import dataclass, field

import dns.exception
import dns.resolver


@dataclass
class Ipv6Answer:
    host: str
    has_aaaa: bool | None = None
    addresses: list[str] = field(default_factory=list)
    error: str | None = None  # no_resolver | timeout | nxdomain | servfail


def make_resolver(timeout: float) -> dns.resolver.Resolver:
    """The system's resolver (/etc/resolv.conf); raises NoResolverConfiguration without one."""
    resolver = dns.resolver.Resolver(configure=True)
    resolver.lifetime = timeout
    return resolver


def probe_ipv6(host: str, *, timeout: float = 10.0) -> Ipv6Answer:
    answer = Ipv6Answer(host)
    try:
        resolver = make_resolver(timeout)
    except (dns.resolver.NoResolverConfiguration, OSError):
        answer.error = "no_resolver"
        return answer
    try:
        records = resolver.resolve(host, "AAAA", search=False)
    except dns.resolver.NoAnswer:
        answer.has_aaaa = False
        return answer
    except dns.resolver.NXDOMAIN:
        answer.error = "nxdomain"
        return answer
    except dns.resolver.NoNameservers:
        answer.error = "servfail"
        return answer
    except dns.exception.Timeout:
        answer.error = "timeout"
        return answer
    except dns.exception.DNSException:
        answer.error = "servfail"
        return answer
    answer.addresses = sorted({record.to_text() for record in records})
    answer.has_aaaa = bool(answer.addresses)
    return answer
