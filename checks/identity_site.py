"""The site-wide items of ``missing_site_identity``, probed once per scan on the site's own
host: a .gov.cn name, HTTPS with a good certificate, and an IPv6 (AAAA) record.

A site registered by an IP address or ``localhost`` (the sample portal, a test bench, an
intranet mirror) says nothing about its public name: none of the three is judged, and the
scan's stats say so. Elsewhere, what a probe cannot tell (a timeout, a resolver that does not
answer, a chain the local trust store cannot complete) becomes a low-severity finding marked
``needs_review`` that deducts nothing, never a failure.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Iterator
from dataclasses import dataclass, field
from typing import Any
from urllib.parse import urlsplit

from crawler.ipv6_probe import probe_ipv6
from crawler.netguard import FetchGuard, literal_address
from crawler.tls_probe import TlsAnswer, probe_tls
from govpatrol.core.findings.identity import MISSING_SITE_IDENTITY
from govpatrol.core.types import FindingData
from govpatrol.core.urls import is_reserved_host

GOV_SUFFIXES = (".gov.cn", ".政务", ".xn--zfr164b")  # .政务 is the Chinese-script gov domain
DNS_TIMEOUT_S = 10.0
_BAD_CERTIFICATE = frozenset(
    {"expired", "not_yet_valid", "name_mismatch", "self_signed", "invalid"}
)

# The probe's "invalid" (any other verification failure) said as a reason of its own: the
# finding's "invalid" is a malformed footer number.
_CERTIFICATE_REASONS = {"invalid": "invalid_certificate"}
_CERTIFICATE_ZH = {
    "expired": "已过期",
    "not_yet_valid": "尚未生效",
    "name_mismatch": "与域名不符",
    "self_signed": "为自签名证书",
    "invalid": "无效",
}


@dataclass
class SiteProbes:
    """What the site-wide probes found, and what they could not tell (for the scan's stats)."""

    findings: list[FindingData] = field(default_factory=list)
    cannot_tell: dict[str, str] = field(default_factory=dict)


def host_cannot_tell(host: str) -> bool:
    """A host that names no public site: an address, localhost, a reserved name."""
    return (
        not host
        or literal_address(host) is not None
        or host == "localhost"
        or host.endswith(".localhost")
        or is_reserved_host(host)
    )


def is_gov_host(host: str) -> bool:
    return host.rstrip(".").lower().endswith(GOV_SUFFIXES)


def _finding(site_url: str, item: str, message: str, severity: str, **detail: Any) -> FindingData:
    return FindingData(
        check=MISSING_SITE_IDENTITY.id,
        page=site_url,
        message=message,
        severity=severity,
        detail={"item": item, **detail},
        key=(item,),
    )


def probe_site(
    site_url: str,
    guard: FetchGuard,
    *,
    timeout: float,
    warn_days: int,
    now: dt.datetime | None = None,
) -> SiteProbes:
    parts = urlsplit(site_url)
    host = (parts.hostname or "").lower().rstrip(".")
    result = SiteProbes()
    if host_cannot_tell(host):
        for item in ("gov_domain", "https", "ipv6"):
            result.cannot_tell[item] = "host is an address or a local name"
        return result
    if not is_gov_host(host):
        message = f"网站域名 {host} 不是 .gov.cn 域名"
        result.findings.append(_finding(site_url, "gov_domain", message, "medium", host=host))
    result.findings.extend(_https_findings(site_url, host, guard, timeout, warn_days, now, result))
    result.findings.extend(_ipv6_findings(site_url, host, min(timeout, DNS_TIMEOUT_S)))
    return result


def _https_findings(
    site_url: str,
    host: str,
    guard: FetchGuard,
    timeout: float,
    warn_days: int,
    now: dt.datetime | None,
    result: SiteProbes,
) -> Iterator[FindingData]:
    parts = urlsplit(site_url)
    if parts.scheme == "https":
        port = parts.port or 443
    elif parts.port not in (None, 80):
        # a site on a port of its own: where its HTTPS would listen cannot be guessed
        result.cannot_tell["https"] = f"site served on port {parts.port}"
        return
    else:
        port = 443
    answer = probe_tls(host, port, parts.path or "/", guard, timeout=timeout)
    where = {"host": host, "port": port}
    if answer.offered is False:
        yield _finding(site_url, "https", f"网站未提供 HTTPS 访问（{host}:{port}）", "medium",
                       reason="not_offered", error=answer.error, **where)  # fmt: skip
        return
    if answer.certificate is None:  # no handshake: a timeout, DNS, the guard
        yield _finding(site_url, "https", f"无法确认网站是否提供 HTTPS（{answer.error}），需人工复核",
                       "low", reason="cannot_tell", error=answer.error, needs_review=True,
                       **where)  # fmt: skip
        return
    yield from _certificate_findings(site_url, answer, warn_days, now, where)


def _certificate_findings(
    site_url: str,
    answer: TlsAnswer,
    warn_days: int,
    now: dt.datetime | None,
    where: dict[str, Any],
) -> Iterator[FindingData]:
    problem = answer.certificate or "valid"
    if problem in _BAD_CERTIFICATE:
        yield _finding(site_url, "certificate", f"网站的 HTTPS 证书{_CERTIFICATE_ZH[problem]}",
                       "high", reason=_CERTIFICATE_REASONS.get(problem, problem),
                       verify_message=answer.verify_message,
                       status=answer.status, **where)  # fmt: skip
        return
    if problem == "unknown_issuer":
        yield _finding(site_url, "certificate",
                       "网站证书的签发链无法在本机验证（可能缺少中间证书），需人工复核", "low",
                       reason=problem, verify_message=answer.verify_message, needs_review=True,
                       **where)  # fmt: skip
        return
    if answer.not_after is None:
        return
    today = now or dt.datetime.now(dt.UTC)
    days_left = (answer.not_after - today).days
    if days_left < warn_days:
        yield _finding(site_url, "certificate",
                       f"网站的 HTTPS 证书将于 {days_left} 天后到期（{answer.not_after.date()}）",
                       "low", reason="expiring", not_after=answer.not_after.date().isoformat(),
                       days_left=days_left, warn_days=warn_days, **where)  # fmt: skip


def _ipv6_findings(site_url: str, host: str, timeout: float) -> Iterator[FindingData]:
    answer = probe_ipv6(host, timeout=timeout)
    if answer.has_aaaa is False:
        yield _finding(site_url, "ipv6", f"网站域名 {host} 没有 IPv6（AAAA）解析", "medium",
                       reason="no_aaaa", host=host)  # fmt: skip
    elif answer.has_aaaa is None:
        yield _finding(site_url, "ipv6",
                       f"无法确认网站域名 {host} 是否有 IPv6 解析（{answer.error}），需人工复核",
                       "low", reason="cannot_tell", error=answer.error, host=host,
                       needs_review=True)  # fmt: skip
