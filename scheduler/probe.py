"""Availability probes: one GET of a site's home page, stored as a ``Probe`` row.

The rule (docs/CHECKS.md, site_unreachable): timeouts, connection errors, DNS errors and 5xx
answers are failures; anything else the server answers is the site being up. That includes a
redirect into an address the SSRF guard refuses (``crawler.netguard``): the server answered,
and where it points is not the probe's to fetch. A site whose own name now resolves outside
the address zone fixed at its registration is not fetched at all: a failure, whose error
(``zone_refused: …``) says why. The ``site_unreachable`` check reads a week of these rows.
"""

from __future__ import annotations

import time

import httpx
from sqlmodel import Session

from crawler.netguard import REFUSED_TEXT, FetchGuard, GuardRefused, guarded_client
from crawler.request_failures import classify_exception
from govpatrol.core.models import Probe, Site, utcnow
from govpatrol.core.settings import USER_AGENT
from govpatrol.core.site_settings import site_settings
from govpatrol.core.urls import is_reserved_url

# Enough of the body to know the server really delivers the page; a home page larger than
# this is still "up", and the probe need not download all of it every hour.
MAX_BODY_BYTES = 2 * 1024 * 1024


class _Deadline(TimeoutError):
    """The whole exchange took longer than the probe's timeout."""


def _fetch(client: httpx.Client, url: str, deadline: float) -> int:
    """GET ``url`` and read the body up to the cap; the status code. httpx's timeout bounds
    each network step, the deadline bounds the whole exchange (a trickling server)."""
    with client.stream("GET", url) as response:
        received = 0
        for chunk in response.iter_bytes():
            received += len(chunk)
            if time.monotonic() > deadline:
                raise _Deadline("home page took longer than the probe timeout")
            if received >= MAX_BODY_BYTES:
                break
        return response.status_code


def probe_site(site: Site, *, timeout_s: float | None = None) -> Probe:
    """Probe the site's home page once; the returned Probe is not yet stored."""
    timeout = timeout_s if timeout_s is not None else site_settings(site).probe_timeout_s
    at = utcnow()
    started = time.monotonic()
    status: int | None = None
    error: str | None = None
    refused = False
    guard = FetchGuard(site.url, zones=site.address_zone)
    if is_reserved_url(site.url):
        # Reserved names (.invalid, .test, .example) never resolve: say so without a lookup.
        error = "dns: 域名无法解析（保留域名）"
    elif (outside := guard.site_refusal()) is not None:
        # The site's own name now leads outside its registered zone: nothing is fetched,
        # and the probe says so rather than report the site as merely unreachable.
        error = f"zone_refused: {outside}"
    else:
        try:
            with guarded_client(
                guard,
                timeout=timeout,
                follow_redirects=True,
                headers={"User-Agent": USER_AGENT},
                # Availability is whether the server answers; certificate problems belong to
                # the security checks, and the crawler does not verify certificates either.
                verify=False,
            ) as client:
                status = _fetch(client, site.url, started + timeout)
        except GuardRefused:
            refused, error = True, f"ssrf_refused: {REFUSED_TEXT}"
        except (httpx.HTTPError, TimeoutError) as exc:
            failure = classify_exception(exc, timeout)
            error = f"{failure.kind}: {failure.error}"[:500]
    elapsed_ms = round((time.monotonic() - started) * 1000, 1)
    if error is None and status is not None and status >= 500:
        error = f"http_5xx: HTTP {status}"
    ok = error is None or refused
    return Probe(site_id=site.id, at=at, ok=ok, status=status, elapsed_ms=elapsed_ms, error=error)


def record_probe(session: Session, site: Site, *, timeout_s: float | None = None) -> Probe:
    """Probe the site and store the result."""
    probe = probe_site(site, timeout_s=timeout_s)
    session.add(probe)
    session.commit()
    session.refresh(probe)
    return probe
