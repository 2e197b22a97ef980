"""Which way a failed Scrapy request failed: its FailureKind (govpatrol/core/failures.py, the
names link verification uses too) and a message in Chinese."""

from __future__ import annotations

from scrapy.exceptions import (
    CannotResolveHostError,
    DownloadCancelledError,
    DownloadConnectionRefusedError,
    DownloadFailedError,
    DownloadTimeoutError,
    IgnoreRequest,
    ResponseDataLossError,
)
from twisted.internet import error as twisted_errors
from twisted.python.failure import Failure
from twisted.web._newclient import ResponseFailed, ResponseNeverReceived

from crawler.netguard import REFUSED_TEXT
from govpatrol.core.failures import FailureKind

# (exception types, kind, Chinese description) in the order they are tried. Scrapy ≥ 2.13
# wraps Twisted's errors in its own (CannotResolveHostError …); both are named here.
_FAILURE_KINDS: tuple[tuple[tuple[type[BaseException], ...], FailureKind, str], ...] = (
    ((twisted_errors.DNSLookupError, CannotResolveHostError), FailureKind.dns, "域名无法解析"),
    (
        (twisted_errors.ConnectionRefusedError, DownloadConnectionRefusedError),
        FailureKind.connection_refused,
        "连接被拒绝",
    ),
    (
        (twisted_errors.TimeoutError, twisted_errors.TCPTimedOutError, DownloadTimeoutError),
        FailureKind.timeout,
        "请求超时",
    ),
    ((twisted_errors.SSLError,), FailureKind.tls, "TLS/证书错误"),
    (
        (twisted_errors.ConnectionLost, ResponseFailed, ResponseNeverReceived),
        FailureKind.connection_reset,
        "连接中断",
    ),
    # A body shorter than its Content-Length: the server hung up mid-page.
    ((ResponseDataLossError,), FailureKind.connection_reset, "连接中断（服务器未完整响应）"),
    ((DownloadFailedError,), FailureKind.connection_reset, "连接中断"),
    # Scrapy cancels a download only when it passes DOWNLOAD_MAXSIZE (an endless body).
    ((DownloadCancelledError,), FailureKind.too_large, "页面过大，超过下载上限，已停止下载"),
)


# What OpenSSL says when a handshake fails, as it reaches Scrapy inside DownloadFailedError.
_TLS_WORDS = ("SSL", "TLS", "certificate", "wrong version number", "handshake")


def classify_failure(failure: Failure) -> tuple[FailureKind, str]:
    """(kind, message) of a failed Scrapy request."""
    exc = failure.value
    if REFUSED_TEXT in str(exc):  # by the middleware, or by the resolver behind it
        return FailureKind.ssrf_refused, REFUSED_TEXT
    if isinstance(exc, DownloadFailedError) and any(w in str(exc) for w in _TLS_WORDS):
        return FailureKind.tls, "TLS/证书错误（握手失败）"
    for types, kind, text in _FAILURE_KINDS:
        if isinstance(exc, types):
            return kind, text
    if isinstance(exc, IgnoreRequest):
        text = str(exc)
        if "DOWNLOAD_MAXSIZE" in text:  # a gzip/deflate bomb, stopped while inflating
            return FailureKind.too_large, "解压后超过下载上限，已停止（疑似压缩炸弹）"
        if "max redirections" in text.lower() or "redirect" in text.lower():
            return FailureKind.too_many_redirects, "重定向次数过多（可能是重定向循环）"
        return FailureKind.ignored, text or "请求被忽略"
    name = type(exc).__name__
    if "ssl" in name.lower() or "tls" in name.lower():
        return FailureKind.tls, "TLS/证书错误"
    if "timeout" in name.lower():
        return FailureKind.timeout, "请求超时"
    return FailureKind.error, f"{name}: {exc}"[:300]
