"""URL canonicalisation, site scope, link kinds and crawl-trap patterns.

Canonical URLs make every page fetched once: w3lib sorts query arguments and normalises
percent-encoding (a Chinese file name raw and percent-encoded become one URL); session ids
are dropped because they make the same page look new on every visit.
"""

from __future__ import annotations

import functools
import re
from dataclasses import dataclass
from posixpath import splitext
from urllib.parse import unquote, urldefrag, urlsplit, urlunsplit

from w3lib.url import canonicalize_url, safe_url_string, url_query_cleaner

from govpatrol.core.settings import CrawlScope

SKIPPED_SCHEMES = ("javascript:", "mailto:", "tel:", "data:", "sms:", "about:", "file:", "ftp:")
SESSION_PARAMS = ("jsessionid", "phpsessid", "sid", "sessionid", "aspsessionid", "cfid", "cftoken")
_JSESSION_PATH = re.compile(r";(jsessionid|phpsessid|sid)=[^/?#]*", re.IGNORECASE)

ATTACHMENT_EXTS = frozenset(
    [
        ".pdf",
        ".doc",
        ".docx",
        ".xls",
        ".xlsx",
        ".wps",
        ".et",
        ".dps",
        ".ofd",
        ".zip",
        ".rar",
        ".7z",
        ".ppt",
        ".pptx",
        ".txt",
        ".csv",
        ".ceb",
        ".caj",
        ".tif",
        ".tiff",
        ".mp4",
        ".mp3",
        ".avi",
        ".flv",
        ".wmv",
    ]
)
IMAGE_EXTS = frozenset([".jpg", ".jpeg", ".png", ".gif", ".bmp", ".webp", ".svg", ".ico"])
HTML_EXTS = frozenset(
    ("", ".html", ".htm", ".shtml", ".jsp", ".asp", ".aspx", ".php", ".do", ".action", ".jhtml")
)


def is_skipped(href: str) -> bool:
    """Links no crawler or checker follows: scripts, mail, phone, inline data."""
    return href.strip().lower().startswith(SKIPPED_SCHEMES)


# Bounded: the same URLs come back on every page (navigation, pagers, list items), and
# w3lib's canonicalisation costs ~15 µs a call.
@functools.lru_cache(maxsize=8192)
def canonical(url: str) -> str:
    """The one spelling of a URL: fragment and session ids removed, query sorted."""
    url = _without_path_sessions(url)
    url = url_query_cleaner(url, SESSION_PARAMS, remove=True, keep_fragments=False, unique=False)
    return canonicalize_url(url, keep_fragments=False)


def try_canonical(url: str) -> str | None:
    """``canonical``, or None for a URL w3lib cannot split (``http://[::1/``, ``http://::/``:
    a page's typo, which a check comparing URLs must survive)."""
    try:
        return canonical(url)
    except ValueError:
        return None


def _without_path_sessions(url: str) -> str:
    """``;jsessionid=…`` removed from the path only: in the host it is no session id, and
    removing it there would leave a URL without a host."""
    scheme, sep, rest = url.partition("://")
    slash = rest.find("/")
    if not sep or slash < 0 or ";" not in rest:
        return url
    return f"{scheme}{sep}{rest[:slash]}{_JSESSION_PATH.sub('', rest[slash:])}"


def split_fragment(url: str) -> tuple[str, str | None]:
    base, frag = urldefrag(url)
    return base, (frag or None)


def absolutize(base_url: str, href: str) -> str | None:
    """Resolve ``href`` against ``base_url``; None for hrefs that are not http(s) links."""
    from urllib.parse import urljoin

    href = href.strip().replace("\\", "/")
    if not href or is_skipped(href) or href.startswith("#"):
        return None
    try:
        joined = urljoin(base_url, safe_url_string(href))
        parts = urlsplit(joined)
    except ValueError:
        return None
    if parts.scheme not in ("http", "https") or not parts.hostname:
        return None
    # urljoin keeps "/../x" above the root; browsers drop it, so do we.
    path = re.sub(r"^(/\.\.)+(?=/|$)", "", parts.path) or "/"
    return urlunsplit((parts.scheme, parts.netloc.lower(), path, parts.query, parts.fragment))


def malformed_link(href: str) -> str | None:
    """``href`` as written when it is a web address no browser can open: one without a host
    (``http://``, a template's empty field) or with a port that is no number (``:__PORT__``,
    a placeholder the CMS never filled). Whoever follows it gets an error, so it is a broken
    link, judged without a request (``is_malformed``); None for any other ``href``."""
    text = href.strip()
    if not text[:8].lower().startswith(("http://", "https://")):
        return None
    return text[:MALFORMED_CHARS] if is_malformed(text) else None


MALFORMED_CHARS = 2000  # what is kept of such an address: evidence, not something to open
_AUTHORITY_END = re.compile(r"[/\\?#]")  # where the host and port end


def is_malformed(url: str) -> bool:
    """True for an address ``malformed_link`` keeps: read as a browser reads it (the WHATWG
    URL rules), it has no host or its port is no number. Browsers skip any run of slashes
    after ``http:``, so ``http:///www.gov.cn/`` opens www.gov.cn and is not one. An address
    that cannot even be split (``https://[::1/``) is not either: no check could read it, so
    it is left out as before."""
    scheme, colon, rest = url.partition(":")
    if not colon:
        return False
    authority = _AUTHORITY_END.split(rest.lstrip("/\\"), maxsplit=1)[0]
    try:
        parts = urlsplit(f"{scheme}://{authority}")
    except ValueError:
        return False
    if not parts.hostname:
        return True
    try:
        parts.port  # noqa: B018 - reading it is the test: urlsplit checks the port lazily
    except ValueError:
        return True
    return False


def host_of(url: str) -> str:
    parts = urlsplit(url)
    host = (parts.hostname or "").lower()
    default = {"http": 80, "https": 443}.get(parts.scheme)
    try:
        port = parts.port
    except ValueError:  # a malformed link's (``is_malformed``): its host as written
        return parts.netloc.lower()
    return host if port in (None, default) else f"{host}:{port}"


def in_scope(url: str, scope: CrawlScope) -> bool:
    host = host_of(url)
    if host == scope.host:
        return urlsplit(url).path.startswith(scope.path_prefix)
    return host in scope.extra_hosts


def scope_for(
    site_url: str, extra_hosts: tuple[str, ...] = (), path_prefix: str = "/"
) -> CrawlScope:
    # host_of lowercases every URL's host: an extra host typed in capitals must still match
    return CrawlScope(
        host=host_of(site_url),
        extra_hosts=tuple(host.lower() for host in extra_hosts),
        path_prefix=path_prefix or "/",
    )


def extension(url: str) -> str:
    return splitext(unquote(urlsplit(url).path))[1].lower()


def link_kind(url: str, tag: str, internal: bool) -> str:
    """What a target is, for evidence and for choosing how to verify it."""
    ext = extension(url)
    if ext in ATTACHMENT_EXTS:
        return "attachment"
    if tag == "img" or ext in IMAGE_EXTS:
        return "image"
    if tag == "script" or ext == ".js":
        return "script"
    if ext == ".css" or tag == "link":
        return "style"
    if tag in ("iframe", "frame"):
        return "frame"
    return "page" if internal else "external"


def looks_like_html(url: str) -> bool:
    return extension(url) in HTML_EXTS


_DIGITS = re.compile(r"\d+")


@dataclass(frozen=True)
class PatternKey:
    """URLs that differ only in numbers and query values share a pattern (a trap signature)."""

    key: str

    @classmethod
    def of(cls, url: str) -> PatternKey:
        parts = urlsplit(url)
        names = sorted({kv.split("=", 1)[0] for kv in parts.query.split("&") if kv})
        path = _DIGITS.sub("9", parts.path)
        return cls(f"{parts.netloc}{path}?{'&'.join(names)}")

    def has_query(self) -> bool:
        return not self.key.endswith("?")


# Special-use names (RFC 6761, 6762 mDNS, 7686 onion, and the common ``localdomain``) never
# resolve on the public DNS: they fail as DNS errors here without a query (a visitor's
# resolver would fail the same way, and on closed networks the query itself is unwanted).
RESERVED_TLDS = frozenset(
    {"invalid", "test", "example", "localhost", "localdomain", "local", "onion"}
)


def is_reserved_host(host: str) -> bool:
    """A name under a special-use TLD (x.invalid, x.test, x.example, x.localhost, x.local,
    x.localdomain, x.onion). Plain ``localhost`` is not: every OS resolves it to loopback."""
    host = host.lower().rstrip(".")
    return bool(host) and host != "localhost" and host.rsplit(".", 1)[-1] in RESERVED_TLDS


def is_reserved_url(url: str) -> bool:
    """``is_reserved_host`` of a URL's host."""
    return is_reserved_host(urlsplit(url).hostname or "")


def is_loopback_name(host: str) -> bool:
    """``localhost`` and every ``*.localhost`` name: loopback by definition (RFC 6761 6.3),
    whatever a resolver would answer for them."""
    host = host.lower().rstrip(".")
    return host == "localhost" or host.endswith(".localhost")
