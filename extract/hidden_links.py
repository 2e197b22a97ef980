"""Links to strangers' sites that a visitor never sees (暗链): hidden by CSS or written by script.

Only links to a stranger's host count (``extract.foreign``): the site's own menus, tabs, skip
links and 无障碍 toolbar, other government sites in a 相关链接 drop-down and the usual widgets
are hidden for a reason. Anchors inside ``<noscript>`` or ``<template>`` are fallbacks, not
hiding. Each link says how it is hidden (``extract.css_hiding`` techniques, or ``script_write``
when only a script puts it on the page), the selector or element that hides it and a snippet
of the markup; whether the technique is evidence enough is the check's decision.

Script-written links: an inline script that calls ``document.write``, sets ``innerHTML`` /
``outerHTML`` or calls ``insertAdjacentHTML``; its string literals are joined (a farm is often
written piecewise) after decoding ``unescape`` / ``decodeURIComponent`` / ``atob`` /
``String.fromCharCode`` calls and ``\\xNN`` / ``\\uNNNN`` escapes, and the markup that results is
read like the page's own, hiding included.
"""

from __future__ import annotations

import base64
import binascii
import re
from collections.abc import Iterator
from dataclasses import dataclass
from urllib.parse import unquote

import lxml.etree
import lxml.html

from extract.css_hiding import STRONG_TECHNIQUES, Hiding, PageStyles, describe
from extract.foreign import hostname, is_stranger
from govpatrol.core.urls import absolutize

SNIPPET_CHARS = 300
MAX_SCRIPT_CHARS = 200_000  # a script longer than this is a library, not a planted writer
_FALLBACKS = frozenset({"noscript", "template"})
_ABSOLUTE = ("http:", "https:", "//", "\\\\")
_JS_TYPES = frozenset({"", "text/javascript", "application/javascript", "module"})
_WRITES = re.compile(
    r"document\s*\.\s*write(?:ln)?\s*\(|\.\s*(?:inner|outer)HTML\s*\+?=|insertAdjacentHTML\s*\(",
    re.I,
)
_DECODER = re.compile(
    r"(unescape|decodeURIComponent|decodeURI|atob)\s*\(\s*(['\"])((?:(?!\2)[^\\]|\\.)*)\2\s*\)",
    re.S,
)
_CHAR_CODES = re.compile(r"String\s*\.\s*fromCharCode\s*\(\s*([\d\s,]+)\)")
_STRING = re.compile(r"'((?:[^'\\\n]|\\.)*)'|\"((?:[^\"\\\n]|\\.)*)\"")
_ESCAPE = re.compile(r"\\(x[0-9a-fA-F]{2}|u[0-9a-fA-F]{4}|.)", re.S)


@dataclass(frozen=True)
class HiddenLink:
    url: str
    host: str
    text: str
    technique: str  # a css_hiding technique, or "script_write"
    selector: str  # the rule or element that hides it
    snippet: str  # the hiding markup, cut short; reports escape it
    via: str  # "css" or "script"
    obfuscated: bool = False  # the script decoded the markup before writing it

    @property
    def strong(self) -> bool:
        return self.technique in STRONG_TECHNIQUES

    def to_dict(self) -> dict[str, object]:
        return {
            "url": self.url,
            "host": self.host,
            "text": self.text,
            "technique": self.technique,
            "selector": self.selector,
            "snippet": self.snippet,
            "via": self.via,
            "obfuscated": self.obfuscated,
        }


def _snippet(el: lxml.html.HtmlElement) -> str:
    markup = lxml.html.tostring(el, encoding="unicode", with_tail=False)
    return " ".join(markup.split())[:SNIPPET_CHARS]


def _in_fallback(anchor: lxml.html.HtmlElement) -> bool:
    return any(parent.tag in _FALLBACKS for parent in anchor.iterancestors())


def _candidates(
    root: lxml.html.HtmlElement, base: str, own: frozenset[str]
) -> Iterator[tuple[lxml.html.HtmlElement, str]]:
    foreign_base = is_stranger(base, own)  # a <base> elsewhere makes relative links foreign
    for anchor in root.iter("a", "area"):
        href = (anchor.get("href") or "").strip()
        if not foreign_base and not href.lower().startswith(_ABSOLUTE):
            continue  # relative: the site's own (the common case, skipped without parsing)
        url = absolutize(base, href)
        if url is not None and is_stranger(url, own) and not _in_fallback(anchor):
            yield anchor, url


def _hiding_of(anchor: lxml.html.HtmlElement, styles: PageStyles) -> tuple[Hiding, object] | None:
    """The strongest hiding on the anchor's way up to ``<body>``, and the element doing it."""
    weak: tuple[Hiding, object] | None = None
    for el in (anchor, *anchor.iterancestors()):
        if el.tag in ("body", "html"):
            break
        hiding = styles.hiding(el)
        if hiding is None:
            continue
        if hiding.technique in STRONG_TECHNIQUES and _submenu(el):
            hiding = Hiding("menu", hiding.selector)  # a drop-down parked off-screen until hover
        if hiding.technique in STRONG_TECHNIQUES:
            return hiding, el
        weak = weak or (hiding, el)
    colour = styles.same_colour(anchor)
    if colour is not None:
        return colour, anchor
    return weak


def _submenu(el: lxml.html.HtmlElement) -> bool:
    """A list (or its box) inside a list item: the shape of a drop-down menu."""
    parent = el.getparent()
    return el.tag in ("ul", "ol", "dl", "div") and parent is not None and parent.tag == "li"


def _links_of(
    root: lxml.html.HtmlElement, base: str, own: frozenset[str], *, via: str, obfuscated: bool
) -> list[HiddenLink]:
    candidates = list(_candidates(root, base, own))
    if not candidates:
        return []
    styles = PageStyles(root)
    out: list[HiddenLink] = []
    for anchor, url in candidates:
        found = _hiding_of(anchor, styles)
        text = " ".join(anchor.text_content().split())[:100]
        if found is not None:
            hiding, el = found
            assert isinstance(el, lxml.html.HtmlElement)
            selector = hiding.selector if hiding.selector != "style" else f"{describe(el)}[style]"
            out.append(HiddenLink(url, hostname(url), text, hiding.technique, selector,
                                  _snippet(el), via, obfuscated))  # fmt: skip
        elif via == "script":
            out.append(HiddenLink(url, hostname(url), text, "script_write", "script",
                                  _snippet(anchor), via, obfuscated))  # fmt: skip
    return out


def _unescape_js(text: str) -> str:
    def one(match: re.Match[str]) -> str:
        code = match.group(1)
        if code[0] in "xu" and len(code) > 1:
            return chr(int(code[1:], 16))
        return {"n": "\n", "t": "\t", "r": ""}.get(code, code)

    return _ESCAPE.sub(one, text)


def _decoded(name: str, literal: str) -> str:
    text = _unescape_js(literal)
    if name == "atob":
        try:
            return base64.b64decode(text + "=" * (-len(text) % 4)).decode("utf-8", "replace")
        except (binascii.Error, ValueError):
            return ""
    return unquote(text)


def script_markup(script: str) -> tuple[str, bool]:
    """(the markup a writing script's string literals make, whether it had to be decoded)."""
    obfuscated = False
    decoded_parts: list[str] = []

    def decode(match: re.Match[str]) -> str:
        nonlocal obfuscated
        obfuscated = True
        decoded_parts.append(_decoded(match.group(1), match.group(3)))
        return f"'\x00{len(decoded_parts) - 1}\x00'"

    def char_codes(match: re.Match[str]) -> str:
        nonlocal obfuscated
        obfuscated = True
        codes = [int(c) for c in match.group(1).replace(" ", "").split(",") if c.strip()]
        decoded_parts.append("".join(chr(c) for c in codes if c < 0x110000))
        return f"'\x00{len(decoded_parts) - 1}\x00'"

    script = _DECODER.sub(decode, script)
    script = _CHAR_CODES.sub(char_codes, script)
    pieces = []
    for match in _STRING.finditer(script):
        literal = match.group(1) if match.group(1) is not None else match.group(2)
        if literal.startswith("\x00") and literal.endswith("\x00"):
            pieces.append(decoded_parts[int(literal.strip("\x00"))])
            continue
        if re.search(r"\\(?:x[0-9a-fA-F]{2}|u[0-9a-fA-F]{4})", literal):
            obfuscated = True
        pieces.append(_unescape_js(literal))
    return "".join(pieces), obfuscated


def _script_links(tree: lxml.html.HtmlElement, base: str, own: frozenset[str]) -> list[HiddenLink]:
    out: list[HiddenLink] = []
    for script in tree.iter("script"):
        if script.get("src") or (script.get("type") or "").strip().lower() not in _JS_TYPES:
            continue
        if _in_fallback(script):
            continue
        code = script.text or ""
        if len(code) > MAX_SCRIPT_CHARS or not _WRITES.search(code):
            continue
        markup, obfuscated = script_markup(code)
        if "<a" not in markup.lower():
            continue
        try:
            fragment = lxml.html.fragment_fromstring(markup, create_parent="div")
        except (lxml.etree.ParserError, ValueError):
            continue
        out += _links_of(fragment, base, own, via="script", obfuscated=obfuscated)
    return out


def hidden_links(tree: lxml.html.HtmlElement, base: str, own: frozenset[str]) -> list[HiddenLink]:
    """Every link to a stranger's host that CSS hides or a script writes, in page order."""
    body = tree.find("body")
    root = body if body is not None else tree
    found = _links_of(root, base, own, via="css", obfuscated=False) if _has_any(root) else []
    return found + _script_links(tree, base, own)


def _has_any(root: lxml.html.HtmlElement) -> bool:
    return next(root.iter("a", "area"), None) is not None
