"""Names for the ways a request fails, shared by the crawler and link verification."""

from __future__ import annotations

from scrapy.exceptions import IgnoreRequest
from twisted.internet import error as twisted_errors
from twisted.python.failure import Failure
from twisted.web._newclient import ResponseFailed, ResponseNeverReceived

# (exception types, kind, Chinese description) in the order they are tried.
_FAILURE_KINDS: tuple[tuple[tuple[type[BaseException], ...], str, str], ...] = (
    ((twisted_errors.DNSLookupError,), "dns", "域名无法解析"),
    ((twisted_errors.ConnectionRefusedError,), "connection_refused", "连接被拒绝"),
    ((twisted_errors.TimeoutError, twisted_errors.TCPTimedOutError), "timeout", "请求超时"),
    ((twisted_errors.SSLError,), "tls", "TLS/证书错误"),
    (
        (twisted_errors.ConnectionLost, ResponseFailed, ResponseNeverReceived),
        "connection_reset",
        "连接中断",
    ),
)


def classify_failure(failure: Failure) -> tuple[str, str]:
    """(kind, message) of a failed Scrapy request."""
    exc = failure.value
    for types, kind, text in _FAILURE_KINDS:
        if isinstance(exc, types):
            return kind, text
    if isinstance(exc, IgnoreRequest):
        text = str(exc)
        if "max redirections" in text.lower() or "redirect" in text.lower():
            return "too_many_redirects", "重定向次数过多（可能是重定向循环）"
        return "ignored", text or "请求被忽略"
    name = type(exc).__name__
    if "ssl" in name.lower() or "tls" in name.lower():
        return "tls", "TLS/证书错误"
    if "timeout" in name.lower():
        return "timeout", "请求超时"
    return "error", f"{name}: {exc}"[:300]
