"""One HTTP answer as the verifier reads it, and what its status and headers say: final or
not, worth a retry, a redirect's target, a bot challenge.
"""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass, field
from email.utils import parsedate_to_datetime
from urllib.parse import urljoin, urlsplit

import httpx
from w3lib.encoding import html_to_unicode

from extract.soft404 import challenge_reason

REDIRECT_STATUSES = frozenset({301, 302, 303, 307, 308})
HTML_TYPES = ("text/html", "application/xhtml+xml")


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


def retry_after(answer: Answer) -> float | None:
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


def retryable_status(status: int) -> bool:
    return status == 429 or 500 <= status <= 599


def sniff_html(chunks: list[bytes]) -> bool:
    head = b"".join(chunks)[:512].lstrip(b"\xef\xbb\xbf \t\r\n").lower()
    return head.startswith((b"<!doctype html", b"<html", b"<head", b"<body"))


def head_is_final(answer: Answer) -> bool:
    """A HEAD answer good enough to stop at: a redirect, or a 2xx that needs no body."""
    if answer.status in REDIRECT_STATUSES and answer.headers.get("location"):
        return True
    if not 200 <= answer.status < 300:
        return False  # 404, 405, 403, 501 … on HEAD are confirmed by GET
    # an HTML answer may be an error page and a zero length may be a HEAD shortcut: GET looks
    return answer.length != 0 and not answer.content_type.startswith(HTML_TYPES)


def challenge_of(answer: Answer) -> str | None:
    text = answer.text() if answer.method == "GET" and answer.looks_html() else ""
    return challenge_reason(answer.status, answer.headers, text)


def redirect_target(url: str, location: str) -> str | None:
    try:
        joined = urljoin(url, location.strip())
    except ValueError:
        return None
    parts = urlsplit(joined)
    if parts.scheme.lower() not in ("http", "https") or not parts.hostname:
        return None
    return joined.split("#", 1)[0]
