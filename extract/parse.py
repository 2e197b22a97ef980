"""Turn one HTTP response into a ``ParsedPage``: decoded text, one lxml tree, every link.

Decoding follows browsers' order (BOM, HTTP charset, ``<meta charset>``) through w3lib,
which reads GBK and GB2312 as GB18030. A declared charset that garbles the page (old
servers often send the wrong one) is replaced by whichever candidate decodes cleanly.
"""

from __future__ import annotations

import functools
import hashlib
import itertools
import re
from collections.abc import Iterator

import lxml.html
from lxml import etree
from w3lib.encoding import html_body_declared_encoding, html_to_unicode, resolve_encoding

from extract.cms import hanweb_records, trs_pagination
from extract.nesting import flatten_nesting
from govpatrol.core.budgets import LinkCap
from govpatrol.core.types import LinkRef, ParsedPage
from govpatrol.core.urls import absolutize, canonical, malformed_link, split_fragment

# (tag, attribute) pairs whose values are link targets. Forms are left out: submitting
# them is not visiting them.
LINK_ATTRS: tuple[tuple[str, str], ...] = (
    ("a", "href"),
    ("area", "href"),
    ("img", "src"),
    ("iframe", "src"),
    ("frame", "src"),
    ("link", "href"),
    ("script", "src"),
    ("object", "data"),
    ("embed", "src"),
    ("source", "src"),
    ("video", "src"),
    ("audio", "src"),
)
_ATTR_OF = dict(LINK_ATTRS)
# <link rel> values that name hosts or metadata, not resources a visitor loads.
_IGNORED_LINK_RELS = frozenset(
    {"dns-prefetch", "preconnect", "canonical", "alternate", "shortlink", "search"}
)
_WS = re.compile(r"\s+")


def _html_parser(*, huge_tree: bool = False) -> etree.HTMLParser:
    """lxml.html's parser with lxml.html's element classes, chosen in C. lxml.html's own
    lookup calls back into Python for every element proxy the checks create (about 570 a
    page, 0.4 µs each) only to give <form>, <input>, <select>, <textarea> and <label> their
    form-handling subclasses, which no check uses; every element is an ``HtmlElement``."""
    parser = etree.HTMLParser(encoding="utf-8", remove_comments=False, huge_tree=huge_tree)
    parser.set_element_class_lookup(
        etree.ElementDefaultClassLookup(
            element=lxml.html.HtmlElement,
            comment=lxml.html.HtmlComment,
            pi=lxml.html.HtmlProcessingInstruction,
            entity=lxml.html.HtmlEntity,
        )
    )
    return parser


_HTML_PARSER = _html_parser()
_HUGE_PARSER = _html_parser(huge_tree=True)
# Below libxml2's 256, and shallow enough for the recursive tree walks of the checks.
MAX_NESTING = 200
_REPLACEMENT_SHARE = 0.002


def decode(body: bytes, content_type: str | None) -> tuple[str, str]:
    """(encoding, text) of an HTML body."""
    encoding, text = html_to_unicode(content_type, body)
    bad = text.count("\ufffd")
    if bad and bad > len(text) * _REPLACEMENT_SHARE:
        candidates = [html_body_declared_encoding(body), "utf-8", "gb18030", "big5"]
        for candidate in filter(None, candidates):
            resolved = resolve_encoding(candidate) or candidate
            alt = body.decode(resolved, errors="replace")
            if alt.count("\ufffd") < bad:
                encoding, text, bad = resolved, alt, alt.count("\ufffd")
    return encoding, text


def parse_html(text: str) -> lxml.html.HtmlElement:
    """One lxml tree per page. Parsing bytes sidesteps lxml's refusal of str with an
    XML encoding declaration; an unparsable page becomes an empty document.

    libxml2 stops at 256 levels of nesting or a 10 MB text node (a base64 image pasted from
    Word) and drops the rest of the page; such a page is flattened and read again without
    the size limits, so the links and lists after that point are not lost."""
    try:
        tree = lxml.html.document_fromstring(
            text.encode("utf-8", "surrogatepass"), parser=_HTML_PARSER
        )
        if _gave_up(_HTML_PARSER):
            flat = flatten_nesting(text, MAX_NESTING)
            tree = lxml.html.document_fromstring(
                flat.encode("utf-8", "surrogatepass"), parser=_HUGE_PARSER
            )
    except (etree.ParserError, ValueError):
        tree = lxml.html.document_fromstring("<html><body></body></html>")
    return tree


def _gave_up(parser: etree.HTMLParser) -> bool:
    return any(e.type == etree.ErrorTypes.ERR_RESOURCE_LIMIT for e in parser.error_log)


def clean_text(text: str | None) -> str:
    return _WS.sub(" ", text or "").strip()


def page_title(tree: lxml.html.HtmlElement) -> str:
    titles = tree.xpath("//head/title/text() | /html/title/text()") or tree.xpath("//title/text()")
    return clean_text(titles[0]) if titles else ""


def base_url_of(tree: lxml.html.HtmlElement, page_url: str) -> str:
    # the document's first <base href>: a walk in C, ten times faster than "//base/@href"
    bases = tree.getroottree().iter("base")
    href = next((h for b in bases if (h := b.get("href")) is not None), None)
    if href is not None:
        resolved = absolutize(page_url, href)
        if resolved:
            return resolved
    return page_url


LINK_TEXT_CHARS = 300


def _link_text(element: lxml.html.HtmlElement) -> str:
    if element.tag == "img":
        return clean_text(element.get("alt"))
    text = _leading_text(element) if element.tag in ("a", "area") else ""
    if not text and element.tag in ("a", "area"):
        text = clean_text(element.get("title") or element.get("alt"))
        if not text:
            alts = element.xpath(".//img/@alt")
            text = clean_text(alts[0]) if alts else ""
    return text[:LINK_TEXT_CHARS]


def _leading_text(element: lxml.html.HtmlElement) -> str:
    """The element's text, whitespace collapsed, read only as far as the first
    ``LINK_TEXT_CHARS`` characters: an unclosed ``<a>`` holds the rest of its page, and a page
    of 100,000 of them would otherwise read its whole text once per link."""
    if not len(element):  # a leaf (most links): its own text is all of it, no walk needed
        return clean_text(element.text)
    parts: list[str] = []
    size, checked_at = 0, LINK_TEXT_CHARS
    for piece in element.itertext():
        parts.append(piece)
        size += len(piece)
        if size >= checked_at:
            text = clean_text("".join(parts))
            if len(text) >= LINK_TEXT_CHARS:
                return text
            checked_at = size * 2  # mostly whitespace so far: look again further on
    return clean_text("".join(parts))


def _iter_links(tree: lxml.html.HtmlElement, base: str) -> Iterator[LinkRef]:
    # one walk of the tree in C, in document order (a union XPath of the twelve tags walks
    # it twelve times and then sorts: 3.5x slower)
    for element in tree.iter(*_ATTR_OF):
        tag = element.tag
        attr = _ATTR_OF[tag]
        value = element.get(attr)
        if value is None:
            continue
        if tag == "link" and _IGNORED_LINK_RELS & set((element.get("rel") or "").lower().split()):
            continue
        resolved = resolve_link(base, value)
        if resolved is None:
            # an address no browser can open is a broken link, unless a script takes the click
            malformed = malformed_link(value) if element.get("onclick") is None else None
            if malformed is None:
                continue
            resolved = malformed, None
        url, fragment = resolved
        yield LinkRef(url=url, text=_link_text(element), tag=tag, attr=attr, fragment=fragment)


def resolve_link(base: str, href: str) -> tuple[str, str | None] | None:
    """(canonical URL, fragment) of ``href`` on a page at ``base``; None if not a link."""
    href = _as_resolved(href)
    return _resolve(_base_part(base, href), href)


def absolute(base: str, href: str) -> str | None:
    """``absolutize(base, href)``, cached like ``resolve_link``: the page checks resolve the
    same stylesheets, scripts and list items on every page of a folder or site, and one
    resolution costs about 70 µs under load (w3lib's quoting, two splits and a join)."""
    href = _as_resolved(href)
    if href.startswith(("http://", "https://")):
        # urljoin reads the page's scheme even then ("http://a/b;" keeps its ";" on an https
        # page only), and a URL without a host ("http:///x") against the whole page
        part = _origin(base) if _names_host(href) else base
    else:
        part = _base_part(base, href)
    return _absolute(part, href)


def _as_resolved(href: str) -> str:
    """``href`` as ``absolutize`` reads it, so the part of the page URL chosen for the cache
    is the part its answer depends on: ``/\\`` is ``//``, which resolves against the whole
    page, not against its origin."""
    return href.strip().replace("\\", "/")


def _names_host(url: str) -> bool:
    first = url.partition("://")[2][:1]
    return first.isascii() and first.isalnum()


def _base_part(base: str, href: str) -> str:
    """The part of the base URL that resolving the stripped ``href`` depends on: none (an
    absolute URL), the origin (an absolute path), the folder (a relative path), or the
    whole base. The same links recur on every page of a site (navigation) or of a folder
    (articles linking their siblings), so resolutions are cached by that part."""
    if href.startswith(("http://", "https://")):
        return ""
    if href.startswith("/") and not href.startswith("//"):
        return _origin(base)
    if href and ":" not in href and not href.startswith(("?", "#", "/")):
        return _folder(base)
    return base


def _origin(url: str) -> str:
    scheme, _, rest = url.partition("://")
    return f"{scheme}://{rest.split('/', 1)[0]}/"


def _folder(url: str) -> str:
    """``http://h/a/b.html?x`` → ``http://h/a/``: all that a relative path is resolved
    against (RFC 3986 §5.2.3 drops the last segment, the query and the fragment)."""
    path = url.split("#", 1)[0].split("?", 1)[0]
    rest = path.partition("://")[2]
    if "/" not in rest:
        return f"{path}/"
    return path[: path.rfind("/") + 1]


@functools.lru_cache(maxsize=16384)
def _absolute(base_part: str, href: str) -> str | None:
    return absolutize(base_part, href) if base_part else absolutize(href, href)


@functools.lru_cache(maxsize=16384)
def _resolve(base_part: str, href: str) -> tuple[str, str | None] | None:
    url = _absolute(base_part, href)
    if url is None:
        return None
    url, fragment = split_fragment(url)
    return canonical(url), fragment


def _iter_hidden_links(text: str, page_url: str, base: str) -> Iterator[LinkRef]:
    """Links a visitor's browser builds from script data: Hanweb records, TRS pagers."""
    if "<datastore" in text:
        for fragment in hanweb_records(text):
            for link in _iter_links(parse_html(fragment), base):
                link.attr = "datastore"
                yield link
    if "createPageHTML" in text or "countPage" in text:
        for url in trs_pagination(text, page_url):
            yield LinkRef(url=canonical(url), text="", tag="script", attr="pager")


def extract_links(
    tree: lxml.html.HtmlElement, text: str, page_url: str, max_links: int | None = None
) -> list[LinkRef]:
    """The page's distinct links in document order, at most ``max_links`` of them (the
    markup is cut before parsing, ``govpatrol.core.budgets.LinkCap``; this bounds what Hanweb
    records and TRS pagers add, and pages parsed elsewhere)."""
    base = base_url_of(tree, page_url)
    links: list[LinkRef] = []
    seen: set[tuple[str, str, str, str | None]] = set()
    for link in itertools.chain(_iter_links(tree, base), _iter_hidden_links(text, page_url, base)):
        if max_links is not None and len(links) >= max_links:
            break
        key = (link.url, link.tag, link.attr, link.fragment)
        if key not in seen:
            seen.add(key)
            links.append(link)
    return links


def content_hash(body: bytes) -> str:
    return hashlib.blake2b(body, digest_size=16).hexdigest()


def build_parsed_page(
    url: str,
    final_url: str,
    status: int,
    headers: dict[str, str],
    body: bytes,
    *,
    depth: int = 0,
    is_home: bool = False,
    referrer: str | None = None,
    nav_text: str | None = None,
    with_links: bool = True,
    link_cap: LinkCap | None = None,
) -> ParsedPage:
    """The page decoded, parsed and (``with_links``) with its links; without them, the page
    checks extract them (scan.page_checks.page_shape). With ``link_cap`` the page ends
    before its first link past the budget (``link_cap.cut`` says how many were left out)."""
    content_type = headers.get("content-type") or headers.get("Content-Type")
    encoding, text = decode(body, content_type)
    if link_cap is not None:
        text = link_cap.apply(text)
    tree = parse_html(text)
    return ParsedPage(
        url=url,
        final_url=final_url,
        status=status,
        headers=headers,
        encoding=encoding,
        text=text,
        tree=tree,
        title=page_title(tree),
        depth=depth,
        is_home=is_home,
        links=extract_links(tree, text, final_url, link_cap and link_cap.max_links)
        if with_links
        else None,
        content_hash=content_hash(body),
        referrer=referrer,
        nav_text=nav_text,
    )
