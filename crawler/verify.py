"""Link verification: every distinct target requested once per scan, with no false alarms.

A target is called broken only when it is certain: HEAD answers that look wrong are confirmed
with a GET, timeouts, resets, 5xx and 429 are retried with backoff (Retry-After honoured up to a
cap), redirects are followed here so the chain is recorded and loops are seen, and a 200 that
is really an error page (the site's not-found page, 页面不存在, an attachment URL answering an
HTML error page, an empty file) is broken too. Whatever only says "a robot may not look"
(bot-protection pages, rate limits that never lift, robots.txt) is *unverified*, never broken.

Every request, each redirect hop included, passes the scan's SSRF guard
(``crawler.netguard``): a target on an internal address is *unverified*, and never requested.

Concurrency is bounded three ways: globally, per host (the site's own host may get more), and
by an optional interval between request starts on one host. Targets are pulled from the input
lazily through a bounded window, so memory stays flat for any number of targets.
"""

from __future__ import annotations

import asyncio
import contextlib
import datetime as dt
import errno
import html
import re
import socket
import ssl
import threading
import time
from collections import Counter
from collections.abc import AsyncIterable, AsyncIterator, Callable, Collection, Coroutine, Iterable
from dataclasses import dataclass, field
from email.utils import parsedate_to_datetime
from typing import Any, TypeVar
from urllib.parse import unquote, urljoin, urlsplit

import httpx
from w3lib.encoding import html_to_unicode

from crawler.netguard import REFUSED_TEXT, FetchGuard, GuardRefused, async_guarded_transport
from extract.soft404 import NotFoundProfile, challenge_reason, is_error_page, parse_html
from govpatrol.core.failures import FailureKind
from govpatrol.core.models import LinkOutcome
from govpatrol.core.settings import USER_AGENT
from govpatrol.core.urls import ATTACHMENT_EXTS, extension, is_reserved_url

T = TypeVar("T")

REDIRECT_STATUSES = frozenset({301, 302, 303, 307, 308})
HTML_TYPES = ("text/html", "application/xhtml+xml")
_TITLE = re.compile(r"<title[^>]*>(.*?)</title>", re.IGNORECASE | re.DOTALL)


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


# -- failures ---------------------------------------------------------------------------------


@dataclass(frozen=True)
class Failure:
    """A request that got no HTTP answer."""

    kind: FailureKind
    error: str
    retryable: bool
    outcome: LinkOutcome = LinkOutcome.broken


def _causes(exc: BaseException) -> Iterable[BaseException]:
    seen: set[int] = set()
    current: BaseException | None = exc
    while current is not None and id(current) not in seen:
        seen.add(id(current))
        yield current
        current = current.__cause__ or current.__context__


def _tls_failure(exc: ssl.SSLError) -> Failure:
    reason = getattr(exc, "verify_message", None) or getattr(exc, "reason", None) or str(exc)
    if "unable to get local issuer certificate" in str(reason):
        # An incomplete chain: browsers fetch the missing intermediate (AIA) and show the
        # page, so a visitor sees nothing wrong; the checker cannot tell, it does not judge.
        return Failure(FailureKind.tls, f"证书链不完整（{reason}）", False, LinkOutcome.unverified)
    return Failure(FailureKind.tls, f"TLS/证书错误（{reason}）", False)


def classify_exception(exc: BaseException, timeout_s: float) -> Failure:
    """Name the way a request failed, and whether trying again may help."""
    if isinstance(exc, GuardRefused):
        return Failure(FailureKind.ssrf_refused, REFUSED_TEXT, False, LinkOutcome.unverified)
    if isinstance(exc, TimeoutError | httpx.TimeoutException):
        return Failure(FailureKind.timeout, f"请求超时（{timeout_s:g} 秒）", True)
    if isinstance(exc, httpx.UnsupportedProtocol | httpx.InvalidURL | httpx.LocalProtocolError):
        return Failure(FailureKind.bad_url, f"无效的链接地址（{exc}）", False)
    for cause in _causes(exc):
        if isinstance(cause, socket.gaierror):
            transient = cause.errno == socket.EAI_AGAIN
            return Failure(FailureKind.dns, "域名无法解析", transient)
        if isinstance(cause, ConnectionRefusedError):
            return Failure(FailureKind.connection_refused, "连接被拒绝", False)
        if isinstance(cause, ssl.SSLError):
            return _tls_failure(cause)
        if isinstance(cause, ConnectionResetError | BrokenPipeError):
            return Failure(FailureKind.connection_reset, "连接被重置", True)
        if isinstance(cause, OSError) and cause.errno in (errno.ENETUNREACH, errno.EHOSTUNREACH):
            return Failure(FailureKind.connection_error, "网络不可达", True)
    if isinstance(exc, httpx.ReadError | httpx.WriteError | httpx.RemoteProtocolError):
        return Failure(FailureKind.connection_reset, "连接中断（服务器未完整响应）", True)
    if isinstance(exc, httpx.ConnectError):
        return Failure(FailureKind.connection_error, f"无法连接（{exc}）", True)
    return Failure(FailureKind.error, f"{type(exc).__name__}: {exc}"[:300], True)


# -- one HTTP answer ---------------------------------------------------------------------------


@dataclass
class Answer:
    """An HTTP response, with at most ``read_limit`` bytes of its (decoded) body."""

    method: str
    url: str
    status: int
    headers: httpx.Headers
    body: bytes = b""
    complete: bool = True  # the whole body was read (so an empty one is really empty)
    _text: str | None = field(default=None, repr=False)

    @property
    def content_type(self) -> str:
        return self.headers.get("content-type", "").split(";")[0].strip().lower()

    @property
    def length(self) -> int | None:
        try:
            return int(self.headers.get("content-length", ""))
        except ValueError:
            return None

    def looks_html(self) -> bool:
        if self.content_type.startswith(HTML_TYPES):
            return True
        head = self.body[:512].lstrip(b"\xef\xbb\xbf \t\r\n").lower()
        return head.startswith((b"<!doctype html", b"<html", b"<head", b"<body"))

    def text(self) -> str:
        """The body decoded as a browser would (BOM, HTTP charset, <meta>, then sniffing)."""
        if self._text is None:
            self._text = (
                html_to_unicode(self.headers.get("content-type"), self.body)[1] if self.body else ""
            )
        return self._text


def _retry_after(answer: Answer) -> float | None:
    value = answer.headers.get("retry-after", "").strip()
    if not value:
        return None
    if value.isdigit():
        return float(value)
    try:
        when = parsedate_to_datetime(value)
    except (TypeError, ValueError):
        return None
    if when.tzinfo is None:
        when = when.replace(tzinfo=dt.UTC)
    return max((when - dt.datetime.now(dt.UTC)).total_seconds(), 0.0)


def _retryable_status(status: int) -> bool:
    return status == 429 or 500 <= status <= 599


# -- the verifier ------------------------------------------------------------------------------


class _Limits:
    """Global and per-host concurrency, and per-host pacing of request starts."""

    def __init__(self, cfg: VerifyConfig) -> None:
        self.cfg = cfg
        self.global_slots = asyncio.Semaphore(max(cfg.global_concurrency, 1))
        self.host_slots: dict[str, asyncio.Semaphore] = {}
        self.next_start: dict[str, float] = {}

    @contextlib.asynccontextmanager
    async def slot(self, host: str, internal: bool) -> AsyncIterator[None]:
        if host not in self.host_slots:
            size = self.cfg.internal_concurrency if internal else self.cfg.per_host_concurrency
            self.host_slots[host] = asyncio.Semaphore(max(size, 1))
        # host first, then global: a request waiting for a busy host holds no global slot
        async with self.host_slots[host]:
            await self._pace(host)
            async with self.global_slots:
                yield

    async def _pace(self, host: str) -> None:
        interval = self.cfg.per_host_interval_s
        if interval <= 0:
            return
        now = time.monotonic()
        start = max(now, self.next_start.get(host, now))
        self.next_start[host] = start + interval
        if start > now:
            await asyncio.sleep(start - now)


class Verifier:
    """Verifies targets with one shared client; use as an async context manager."""

    def __init__(self, config: VerifyConfig | None = None) -> None:
        self.cfg = config or VerifyConfig()
        self.guard = self.cfg.guard or FetchGuard(None)
        self.limits = _Limits(self.cfg)
        self.requests: Counter[str] = Counter()  # requests sent, by method
        self._client: httpx.AsyncClient | None = None
        self._profile_host = (
            urlsplit(self.cfg.profile.requested_url or "").netloc if self.cfg.profile else ""
        )

    async def __aenter__(self) -> Verifier:
        cfg = self.cfg
        self._client = httpx.AsyncClient(
            follow_redirects=False,
            transport=async_guarded_transport(
                self.guard,
                verify=cfg.verify_tls,
                trust_env=cfg.trust_env,
                limits=httpx.Limits(
                    max_connections=max(cfg.global_concurrency, 1),
                    max_keepalive_connections=max(cfg.global_concurrency, 1),
                ),
            ),
            trust_env=False,
            timeout=httpx.Timeout(cfg.timeout_s),
            headers={
                "User-Agent": cfg.user_agent,
                "Accept": "text/html,application/xhtml+xml,*/*;q=0.8",
                "Accept-Language": "zh-CN,zh;q=0.9,en;q=0.5",
            },
        )
        return self

    async def __aexit__(self, *exc: object) -> None:
        if self._client is not None:
            await self._client.aclose()
            self._client = None

    @property
    def client(self) -> httpx.AsyncClient:
        if self._client is None:
            raise RuntimeError("use Verifier inside 'async with'")
        return self._client

    # -- single requests --

    async def fetch(
        self, method: str, url: str, *, internal: bool, read_limit: int
    ) -> Answer | Failure:
        """One request under the limits and the total timeout; never raises for the network."""
        self.requests[method] += 1
        host = urlsplit(url).netloc.lower()
        try:
            async with self.limits.slot(host, internal), asyncio.timeout(self.cfg.timeout_s):
                return await self._send(method, url, read_limit)
        except (httpx.HTTPError, httpx.InvalidURL, OSError, TimeoutError, ValueError) as exc:
            return classify_exception(exc, self.cfg.timeout_s)

    async def _send(self, method: str, url: str, read_limit: int) -> Answer:
        request = self.client.build_request(method, url)
        response = await self.client.send(request, stream=True)
        try:
            answer = Answer(method, url, response.status_code, response.headers)
            if method == "HEAD" or read_limit <= 0:
                return answer
            html_like = answer.content_type.startswith(HTML_TYPES) or not answer.content_type
            chunks: list[bytes] = []
            size = 0
            answer.complete = False
            async for chunk in response.aiter_bytes():
                chunks.append(chunk)
                size += len(chunk)
                # a file needs one byte to prove it is not empty; HTML is read to judge it
                if size >= read_limit or (size and not html_like and not _sniff_html(chunks)):
                    break
            else:
                answer.complete = True
            answer.body = b"".join(chunks)[:read_limit]
            return answer
        finally:
            await response.aclose()

    async def fetch_final(
        self, url: str, *, internal: bool, head_first: bool, read_limit: int
    ) -> Answer | Failure:
        """HEAD (when asked) then GET, retrying what may pass, until an answer is final."""
        method = "HEAD" if head_first else "GET"
        retries_left = self.cfg.retries
        delay = self.cfg.backoff_s
        while True:
            result = await self.fetch(method, url, internal=internal, read_limit=read_limit)
            if method == "HEAD":
                if isinstance(result, Answer) and _head_is_final(result):
                    return result
                method = "GET"
                if isinstance(result, Answer) and not _retryable_status(result.status):
                    continue  # HEAD answered oddly (404, 405, 403 …): GET decides, at once
            wait = self._retry_wait(result, delay)
            if wait is None or retries_left <= 0:
                return result
            retries_left -= 1
            delay *= 2
            await asyncio.sleep(wait)

    def _retry_wait(self, result: Answer | Failure, backoff: float) -> float | None:
        """How long to wait before trying again, or None when trying again is pointless."""
        if isinstance(result, Failure):
            return backoff if result.retryable else None
        if not _retryable_status(result.status) or _challenge(result):
            return None
        after = _retry_after(result)
        if after is None:
            return backoff
        return after if after <= self.cfg.retry_after_cap_s else None

    # -- one target --

    async def verify_one(self, target: TargetIn) -> TargetResult:
        started = time.monotonic()
        try:
            result = await self._verify(target)
        except Exception as exc:  # a bug here must not turn into a "broken" link
            result = _result(
                target.url, LinkOutcome.unverified, None, "error", f"{type(exc).__name__}: {exc}"
            )
        result.elapsed_ms = round((time.monotonic() - started) * 1000, 1)
        result.checked_at = dt.datetime.now(dt.UTC)
        return result

    async def _verify(self, target: TargetIn) -> TargetResult:
        url = target.url
        if not target.robots_allowed:
            return _result(
                url, LinkOutcome.unverified, None, "robots", "robots.txt 禁止访问，未检查"
            )
        if urlsplit(url).scheme.lower() not in ("http", "https"):
            return _result(
                url, LinkOutcome.unverified, None, "unsupported_scheme", "非网页协议，未检查"
            )
        head_first = target.kind in self.cfg.head_first_kinds or _is_attachment(target)
        start_host = urlsplit(url).netloc.lower()
        redirects: list[str] = []
        visits: Counter[str] = Counter({url: 1})
        while True:
            if is_reserved_url(url):
                return _result(
                    target.url,
                    LinkOutcome.broken,
                    None,
                    FailureKind.dns,
                    "域名无法解析（保留域名）",
                    redirects,
                )
            internal = target.internal and urlsplit(url).netloc.lower() == start_host
            answer = await self.fetch_final(
                url, internal=internal, head_first=head_first, read_limit=self.cfg.read_limit
            )
            if isinstance(answer, Failure):
                return _result(
                    target.url, answer.outcome, None, answer.kind, answer.error, redirects
                )
            location = answer.headers.get("location")
            if answer.status not in REDIRECT_STATUSES or not location:
                return self._judge(target, answer, redirects)
            next_url = _redirect_target(url, location)
            if next_url is None:
                return _result(
                    target.url,
                    LinkOutcome.broken,
                    None,  # a chain that ends nowhere has no final status
                    "bad_redirect",
                    f"重定向到无效地址：{location[:200]}",
                    redirects,
                )
            redirects.append(next_url)
            visits[next_url] += 1
            # A URL seen a third time is a loop; seen twice may be a cookie being set.
            if visits[next_url] > 2:
                return _result(
                    target.url,
                    LinkOutcome.broken,
                    None,  # a chain that ends nowhere has no final status
                    "redirect_loop",
                    "重定向循环",
                    redirects,
                )
            if len(redirects) > self.cfg.max_redirects:
                return _result(
                    target.url,
                    LinkOutcome.broken,
                    None,  # a chain that ends nowhere has no final status
                    "too_many_redirects",
                    f"重定向超过 {self.cfg.max_redirects} 次",
                    redirects,
                )
            url = next_url

    def _judge(self, target: TargetIn, answer: Answer, redirects: list[str]) -> TargetResult:
        """The verdict on a final (non-redirect) answer."""
        result = _result(target.url, LinkOutcome.ok, answer.status, "ok", None, redirects)
        result.content_type = answer.content_type or None
        result.bytes = answer.length if answer.length is not None else len(answer.body)
        status = answer.status
        challenge = _challenge(answer)
        if challenge:
            return _set(result, LinkOutcome.unverified, "challenge", challenge)
        if 200 <= status < 300:
            return self._judge_ok(target, answer, result)
        if status < 400:
            return result
        if status == 401:
            return _set(result, LinkOutcome.ok, "auth_required", "需要登录（HTTP 401）")
        if status == 403 and not target.internal:
            # Many external sites refuse robots with a bare 403: that says nothing about
            # whether a visitor sees the page.
            return _set(result, LinkOutcome.unverified, "forbidden", "拒绝自动访问（HTTP 403）")
        if status == 429:
            return _set(result, LinkOutcome.unverified, "rate_limited", "访问频率受限（HTTP 429）")
        return _set(result, LinkOutcome.broken, "http", f"HTTP {status}")

    def _judge_ok(self, target: TargetIn, answer: Answer, result: TargetResult) -> TargetResult:
        attachment = _is_attachment(target)
        if answer.method == "GET" and attachment and answer.complete and not answer.body:
            return _set(result, LinkOutcome.broken, "empty_attachment", "附件为空文件（0 字节）")
        if answer.method != "GET" or not answer.body or not answer.looks_html():
            return result
        text = answer.text()
        found = _TITLE.search(text[:16384])
        title = html.unescape(found.group(1)).strip() if found else ""
        final_url = answer.url
        profile = self.cfg.profile if self._profile_applies(target, final_url) else None
        reason = is_error_page(
            answer.status,
            title,
            text,
            profile,
            url=target.url,
            final_url=final_url,
            tree=parse_html(text) if profile is not None else None,
        )
        if reason is None:
            return result
        if attachment:
            return _set(
                result,
                LinkOutcome.broken,
                "attachment_is_html",
                f"附件地址返回网页而非文件：{reason}",
            )
        return _set(result, LinkOutcome.broken, "soft_404", reason)

    def _profile_applies(self, target: TargetIn, final_url: str) -> bool:
        if self.cfg.profile is None:
            return False
        if self._profile_host:
            return urlsplit(final_url).netloc.lower() == self._profile_host.lower()
        return target.internal

    # -- many targets --

    async def run(
        self, targets: Iterable[TargetIn] | AsyncIterable[TargetIn], *, dedupe: bool = True
    ) -> AsyncIterator[TargetResult]:
        """Results in completion order; each distinct URL verified once. ``dedupe=False``
        skips the set of seen URLs when the input is distinct already (store rows)."""
        window = max(self.cfg.global_concurrency, 1) * 4
        source = _aiter(targets)
        seen: set[str] = set()
        pending: set[asyncio.Task[TargetResult]] = set()
        exhausted = False
        try:
            while True:
                while not exhausted and len(pending) < window:
                    target = await anext(source, None)
                    if target is None:
                        exhausted = True
                    elif not dedupe or target.url not in seen:
                        if dedupe:
                            seen.add(target.url)
                        pending.add(asyncio.create_task(self.verify_one(target)))
                if not pending:
                    return
                done, pending = await asyncio.wait(pending, return_when=asyncio.FIRST_COMPLETED)
                for task in done:
                    yield task.result()
        finally:
            for task in pending:
                task.cancel()
            if pending:
                await asyncio.gather(*pending, return_exceptions=True)


def _sniff_html(chunks: list[bytes]) -> bool:
    head = b"".join(chunks)[:512].lstrip(b"\xef\xbb\xbf \t\r\n").lower()
    return head.startswith((b"<!doctype html", b"<html", b"<head", b"<body"))


def _head_is_final(answer: Answer) -> bool:
    """A HEAD answer good enough to stop at: a redirect, or a 2xx that needs no body."""
    if answer.status in REDIRECT_STATUSES and answer.headers.get("location"):
        return True
    if not 200 <= answer.status < 300:
        return False  # 404, 405, 403, 501 … on HEAD are confirmed by GET
    # an HTML answer may be an error page and a zero length may be a HEAD shortcut: GET looks
    return answer.length != 0 and not answer.content_type.startswith(HTML_TYPES)


def _challenge(answer: Answer) -> str | None:
    text = answer.text() if answer.method == "GET" and answer.looks_html() else ""
    return challenge_reason(answer.status, answer.headers, text)


def _is_attachment(target: TargetIn) -> bool:
    return target.kind == "attachment" or extension(target.url) in ATTACHMENT_EXTS


def _redirect_target(url: str, location: str) -> str | None:
    try:
        joined = urljoin(url, location.strip())
    except ValueError:
        return None
    parts = urlsplit(joined)
    if parts.scheme.lower() not in ("http", "https") or not parts.hostname:
        return None
    return joined.split("#", 1)[0]


def _result(
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


def _set(result: TargetResult, outcome: LinkOutcome, kind: str, error: str) -> TargetResult:
    result.outcome, result.kind, result.error = outcome, kind, error
    return result


async def _aiter(items: Iterable[T] | AsyncIterable[T]) -> AsyncIterator[T]:
    if isinstance(items, AsyncIterable):
        async for item in items:
            yield item
    else:
        for item in items:
            yield item


async def verify(
    targets: Iterable[TargetIn] | AsyncIterable[TargetIn],
    config: VerifyConfig | None = None,
    *,
    dedupe: bool = True,
) -> AsyncIterator[TargetResult]:
    """Verify targets concurrently; yields one result per distinct URL as each completes."""
    async with Verifier(config) as verifier:
        async for result in verifier.run(targets, dedupe=dedupe):
            yield result


def run_sync(factory: Callable[[], Coroutine[Any, Any, T]]) -> T:
    """Run ``factory()`` to completion from synchronous code.

    Inside a running event loop (a web request handler, a notebook) the coroutine gets its
    own loop in a helper thread, since a loop cannot be re-entered.
    """
    try:
        asyncio.get_running_loop()
    except RuntimeError:
        return asyncio.run(factory())
    box: dict[str, Any] = {}

    def runner() -> None:
        try:
            box["value"] = asyncio.run(factory())
        except BaseException as exc:
            box["error"] = exc

    thread = threading.Thread(target=runner, name="govpatrol-verify")
    thread.start()
    thread.join()
    if "error" in box:
        raise box["error"]
    return box["value"]


def verify_sync(
    targets: Iterable[TargetIn], config: VerifyConfig | None = None
) -> list[TargetResult]:
    """``verify`` for synchronous callers: every result, in completion order."""

    async def collect() -> list[TargetResult]:
        return [result async for result in verify(targets, config)]

    return run_sync(collect)


# -- fragments ---------------------------------------------------------------------------------


@dataclass
class FragmentResult:
    """Fragments (``#id``) other pages link to that the page does not define."""

    url: str
    missing: list[str]
    checked: int  # fragments looked for (0 when the page did not load)
    status: int | None = None
    error: str | None = None
    final_url: str | None = None  # after redirects


def _is_anchor_fragment(fragment: str) -> bool:
    """Only plain anchors are checked: ``#/route``, ``#!state``, ``#a=1`` and text fragments
    are read by scripts, and ``#top`` (or an empty one) always works in a browser."""
    if not fragment or fragment.lower() == "top":
        return False
    return not (fragment.startswith(("/", "!", ":~:")) or "=" in fragment or "&" in fragment)


def missing_fragments(fragments: Iterable[str], anchors: Collection[str]) -> list[str]:
    """The plain-anchor fragments (raw or percent-encoded) that name no anchor, sorted."""
    return sorted(
        f
        for f in set(fragments)
        if _is_anchor_fragment(f) and f not in anchors and unquote(f) not in anchors
    )


def anchors_of(text: str) -> set[str]:
    """Every id in a page, plus the names of ``<a name>`` anchors."""
    tree = parse_html(text)
    if tree is None:
        return set()
    found = {value for value in tree.xpath("//@id") if value}
    found.update(value for value in tree.xpath("//a/@name") if value)
    return found


class FragmentCheck:
    """Checks ``#fragment`` links into internal pages: one GET per page."""

    def __init__(self, verifier: Verifier, *, max_bytes: int = 5 * 1024 * 1024) -> None:
        self.verifier = verifier
        self.max_bytes = max_bytes

    async def check(self, url: str, fragments: Collection[str]) -> FragmentResult:
        wanted = sorted({f for f in fragments if _is_anchor_fragment(f)})
        if not wanted:
            return FragmentResult(url, [], 0)
        answer, final = await self._get(url)
        if isinstance(answer, Failure):
            return FragmentResult(url, [], 0, None, answer.error)
        if answer.status != 200 or not answer.looks_html():
            # a page that does not load is the broken-link check's business, not this one's
            return FragmentResult(url, [], 0, answer.status, f"HTTP {answer.status}")
        missing = missing_fragments(wanted, anchors_of(answer.text()))
        return FragmentResult(url, missing, len(wanted), answer.status, final_url=final)

    async def _get(self, url: str) -> tuple[Answer | Failure, str]:
        for _ in range(self.verifier.cfg.max_redirects + 1):
            answer = await self.verifier.fetch_final(
                url, internal=True, head_first=False, read_limit=self.max_bytes
            )
            location = answer.headers.get("location") if isinstance(answer, Answer) else None
            if not (isinstance(answer, Answer) and answer.status in REDIRECT_STATUSES and location):
                return answer, url
            next_url = _redirect_target(url, location)
            if next_url is None:
                return answer, url
            url = next_url
        return Failure(FailureKind.too_many_redirects, "重定向次数过多", False), url


async def check_fragments(
    items: Iterable[tuple[str, Collection[str]]], config: VerifyConfig | None = None
) -> AsyncIterator[FragmentResult]:
    """Check (page URL, fragments linked to it) pairs concurrently, one GET per page."""
    async with Verifier(config) as verifier:
        checker = FragmentCheck(verifier)
        window = max(verifier.cfg.global_concurrency, 1)
        pending: set[asyncio.Task[FragmentResult]] = set()
        try:
            for url, fragments in items:
                pending.add(asyncio.create_task(checker.check(url, fragments)))
                if len(pending) >= window:
                    done, pending = await asyncio.wait(pending, return_when=asyncio.FIRST_COMPLETED)
                    for task in done:
                        yield task.result()
            for task in asyncio.as_completed(pending):
                yield await task
            pending = set()
        finally:
            for task in pending:
                task.cancel()


def check_fragments_sync(
    items: Iterable[tuple[str, Collection[str]]], config: VerifyConfig | None = None
) -> list[FragmentResult]:
    async def collect() -> list[FragmentResult]:
        return [result async for result in check_fragments(items, config)]

    return run_sync(collect)


__all__ = [
    "Answer",
    "Failure",
    "FragmentCheck",
    "FragmentResult",
    "TargetIn",
    "TargetResult",
    "Verifier",
    "VerifyConfig",
    "anchors_of",
    "check_fragments",
    "check_fragments_sync",
    "classify_exception",
    "missing_fragments",
    "run_sync",
    "verify",
    "verify_sync",
]
