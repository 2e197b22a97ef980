"""What link verification takes and gives: the targets, the verifier's settings and its
results.
"""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass, field

from crawler.netguard import FetchGuard
from extract.soft404 import NotFoundProfile
from govpatrol.core.models import LinkOutcome
from govpatrol.core.settings import USER_AGENT


@dataclass(frozen=True)
class TargetIn:
    """One URL to verify. ``kind`` is what it is: page | attachment | image | script |
    style | frame | external | other."""

    url: str
    kind: str = "page"
    internal: bool = True
    robots_allowed: bool = True


@dataclass
class VerifyConfig:
    timeout_s: float = 15.0  # per request, connect to last byte read
    retries: int = 2  # extra attempts after a timeout, reset, 5xx or 429
    backoff_s: float = 1.0  # first retry waits this long, then twice as long …
    per_host_concurrency: int = 8
    internal_concurrency: int = 16  # the site's own host: it is the one being inspected
    per_host_interval_s: float = 0.0  # minimum gap between request starts on one host
    global_concurrency: int = 64
    max_redirects: int = 10
    retry_after_cap_s: float = 10.0  # a longer Retry-After means "persistently limited"
    user_agent: str = USER_AGENT
    profile: NotFoundProfile | None = None  # the site's not-found page, for soft 404s
    read_limit: int = 64 * 1024  # bytes of a body read to judge it
    verify_tls: bool = True
    # certificate settings from the environment; never its proxies (the guard must see the
    # address each request connects to)
    trust_env: bool = False
    guard: FetchGuard | None = None  # the site's SSRF guard; None: public addresses only
    # HTML pages are fetched with GET straight away: their body decides soft 404s, so a HEAD
    # first would cost a second request for every page. Files are asked with HEAD first.
    head_first_kinds: frozenset[str] = frozenset({"attachment", "image", "script", "style"})


@dataclass
class TargetResult:
    """What verification concluded. ``kind`` classifies the result: ok, http, timeout, dns,
    connection_refused, connection_reset, connection_error, tls, redirect_loop,
    too_many_redirects, bad_redirect, soft_404, empty_attachment, attachment_is_html, challenge,
    rate_limited, forbidden, auth_required, robots, unsupported_scheme, bad_url, ssrf_refused,
    error."""

    url: str
    outcome: LinkOutcome
    status: int | None
    kind: str
    error: str | None
    redirects: list[str] = field(default_factory=list)
    elapsed_ms: float = 0.0
    checked_at: dt.datetime = field(default_factory=lambda: dt.datetime.now(dt.UTC))
    content_type: str | None = None
    bytes: int | None = None

    @property
    def broken(self) -> bool:
        return self.outcome == LinkOutcome.broken


def new_result(
    url: str,
    outcome: LinkOutcome,
    status: int | None,
    kind: str,
    error: str | None,
    redirects: list[str] | None = None,
) -> TargetResult:
    return TargetResult(
        url=url,
        outcome=outcome,
        status=status,
        kind=kind,
        error=error,
        redirects=list(redirects or ()),
    )


def set_verdict(result: TargetResult, outcome: LinkOutcome, kind: str, error: str) -> TargetResult:
    result.outcome, result.kind, result.error = outcome, kind, error
    return result
