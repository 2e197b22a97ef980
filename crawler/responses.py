"""What a response is, read from its headers and first bytes: HTML or not, a binary file
served as HTML, a directory index.
"""

from __future__ import annotations

import re

from scrapy.http import Response

HTML_TYPES = ("text/html", "application/xhtml+xml")

_INDEX_FILE = re.compile(r"/(index|default)\.(html?|shtml|jsp|aspx?|php)$", re.IGNORECASE)


def directory_key(url: str) -> str | None:
    """``http://h/x/`` for ``http://h/x/`` and ``http://h/x/index.html``; None for other pages."""
    if "?" in url:
        return None
    if url.endswith("/"):
        return url
    match = _INDEX_FILE.search(url)
    return url[: match.start() + 1] if match else None


def headers_of(response: Response) -> dict[str, str]:
    return {
        k.decode("latin-1").lower(): v[0].decode("latin-1")
        for k, v in response.headers.items()
        if v
    }


def is_html_response(headers: dict[str, str], body: bytes) -> bool:
    content_type = headers.get("content-type", "").lower()
    return content_type.startswith(HTML_TYPES) or (
        not content_type and b"<html" in body[:2048].lower()
    )


# Leading bytes of the files servers most often send under a wrong Content-Type.
_MAGIC = (
    (b"\x89PNG", "PNG"),
    (b"GIF8", "GIF"),
    (b"\xff\xd8\xff", "JPEG"),
    (b"%PDF", "PDF"),
    (b"PK\x03\x04", "ZIP/Office"),
    (b"\xd0\xcf\x11\xe0", "Office 97"),
    (b"Rar!", "RAR"),
    (b"7z\xbc\xaf", "7z"),
    (b"\x1f\x8b", "gzip"),
)


_CONTROL_BYTES = bytes(b for b in range(32) if b not in b"\t\n\r\f\x1b")
_BINARY_SHARE = 0.03  # random bytes: ~10 %; text pages: a stray byte or two


def binary_kind(body: bytes) -> str | None:
    """What a body is when it is no text at all: a known file signature, or a start so full
    of control bytes that no charset makes text of it (a stray NUL in a title does not count;
    UTF-16 text, full of NULs, starts with its byte-order mark)."""
    for magic, name in _MAGIC:
        if body.startswith(magic):
            return name
    head = body[:1024]
    if head.startswith((b"\xff\xfe", b"\xfe\xff")):
        return None
    controls = len(head) - len(head.translate(None, _CONTROL_BYTES))
    return "binary" if head and controls >= len(head) * _BINARY_SHARE else None
