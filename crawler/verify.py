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

Its parts: ``crawler.verify_types`` (targets, settings, results), ``crawler.answers`` (one
HTTP answer), ``crawler.request_failures`` (a request without one), ``crawler.verdicts``
(what a final answer means) and ``crawler.fragments`` (``#id`` links into pages).
"""

from __future__ import annotations

import asyncio
import contextlib
import datetime as dt
import threading
import time
from collections import Counter
from collections.abc import AsyncIterable, AsyncIterator, Callable, Coroutine, Iterable
from typing import Any, TypeVar
from urllib.parse import urlsplit

import httpx

from crawler.answers import (
    HTML_TYPES,
    REDIRECT_STATUSES,
    Answer,
    challenge_of,
    head_is_final,
    redirect_target,
    retry_after,
    retryable_status,
    sniff_html,
)
from crawler.netguard import FetchGuard, async_guarded_transport
from crawler.request_failures import Failure, classify_exception
from crawler.verdicts import Verdicts, is_attachment
from crawler.verify_types import TargetIn, TargetResult, VerifyConfig, new_result
from govpatrol.core.failures import FailureKind
from govpatrol.core.models import LinkOutcome
from govpatrol.core.urls import is_reserved_url

T = TypeVar("T")


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


class Verifier(Verdicts):
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
                if size >= read_limit or (size and not html_like and not sniff_html(chunks)):
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
                if isinstance(result, Answer) and head_is_final(result):
                    return result
                method = "GET"
                if isinstance(result, Answer) and not retryable_status(result.status):
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
        if not retryable_status(result.status) or challenge_of(result):
            return None
        after = retry_after(result)
        if after is None:
            return backoff
        return after if after <= self.cfg.retry_after_cap_s else None

    # -- one target --

    async def verify_one(self, target: TargetIn) -> TargetResult:
        started = time.monotonic()
        try:
            result = await self._verify(target)
        except Exception as exc:  # a bug here must not turn into a "broken" link
            result = new_result(
                target.url, LinkOutcome.unverified, None, "error", f"{type(exc).__name__}: {exc}"
            )
        result.elapsed_ms = round((time.monotonic() - started) * 1000, 1)
        result.checked_at = dt.datetime.now(dt.UTC)
        return result

    async def _verify(self, target: TargetIn) -> TargetResult:
        url = target.url
        if not target.robots_allowed:
            return new_result(
                url, LinkOutcome.unverified, None, "robots", "robots.txt 禁止访问，未检查"
            )
        if urlsplit(url).scheme.lower() not in ("http", "https"):
            return new_result(
                url, LinkOutcome.unverified, None, "unsupported_scheme", "非网页协议，未检查"
            )
        head_first = target.kind in self.cfg.head_first_kinds or is_attachment(target)
        start_host = urlsplit(url).netloc.lower()
        redirects: list[str] = []
        visits: Counter[str] = Counter({url: 1})
        while True:
            if is_reserved_url(url):
                return new_result(
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
                return new_result(
                    target.url, answer.outcome, None, answer.kind, answer.error, redirects
                )
            location = answer.headers.get("location")
            if answer.status not in REDIRECT_STATUSES or not location:
                return self._judge(target, answer, redirects)
            next_url = redirect_target(url, location)
            if next_url is None:
                return new_result(
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
                return new_result(
                    target.url,
                    LinkOutcome.broken,
                    None,  # a chain that ends nowhere has no final status
                    "redirect_loop",
                    "重定向循环",
                    redirects,
                )
            if len(redirects) > self.cfg.max_redirects:
                return new_result(
                    target.url,
                    LinkOutcome.broken,
                    None,  # a chain that ends nowhere has no final status
                    "too_many_redirects",
                    f"重定向超过 {self.cfg.max_redirects} 次",
                    redirects,
                )
            url = next_url

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


__all__ = ["Verifier", "run_sync", "verify", "verify_sync"]
