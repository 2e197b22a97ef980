"""How a request that got no HTTP answer failed, and whether trying again may help."""

from __future__ import annotations

import errno
import socket
import ssl
from collections.abc import Iterable
from dataclasses import dataclass

import httpx

from crawler.netguard import REFUSED_TEXT, GuardRefused
from govpatrol.core.failures import FailureKind
from govpatrol.core.models import LinkOutcome


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
