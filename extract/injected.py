"""Code a page runs that is not the site's: foreign scripts, redirecting scripts, hidden frames.

What one page carries, nothing more; whether a script belongs to the page's template is the
check's question (it compares the page with the template's other pages). Strangers only
(``extract.foreign``): the 党政机关 mark, statistics, share buttons and the site's 无障碍 toolbar
are every template's furniture.

- ``script``: a ``<script src>`` on a stranger's host, or one a script writes
  (``document.write('<script src=…>')``);
- ``redirect``: an inline script sending the visitor to a stranger's URL (``location.href =``,
  ``location.replace(…)``); ``referrer_check`` when it first looks at
  ``document.referrer`` for a search engine — the classic 挂马 that serves search visitors a
  casino and everyone else the real page;
- ``hidden_iframe``: an ``<iframe>`` / ``<frame>`` to a stranger's host that is 0×0 (or 1×1) or
  hidden by CSS, in the markup or written by a script.
"""

from __future__ import annotations

import re
from collections.abc import Iterator
from dataclasses import dataclass
from urllib.parse import urlsplit

import lxml.etree
import lxml.html

from extract.css_hiding import PageStyles
from extract.foreign import hostname, is_stranger
from extract.hidden_links import MAX_SCRIPT_CHARS, SNIPPET_CHARS, script_markup
from extract.parse import absolute

_JS_TYPES = frozenset({"", "text/javascript", "application/javascript", "module"})
_LOCATION = re.compile(
    r"(?:location(?:\s*\.\s*href)?\s*=|location\s*\.\s*(?:replace|assign)\s*\()"
    r"\s*['\"]((?:https?:)?//[^'\"\s]+)",
    re.I,
)
_REFERRER = re.compile(r"document\s*\.\s*referrer", re.I)
_SEARCH_ENGINES = re.compile(r"baidu|sogou|so\.com|360\.cn|sm\.cn|soso|google|bing|youdao", re.I)
_MAX_FRAME_PX = 1


@dataclass(frozen=True)
class Injected:
    kind: str  # script | redirect | hidden_iframe
    url: str
    host: str
    snippet: str
    referrer_check: bool = False
    written: bool = False  # put on the page by a script, not in its markup

    @property
    def key(self) -> str:
        """What identifies it across the pages of a template: kind, host and path (a query
        string often carries a per-page id)."""
        return f"{self.kind}:{self.host}{urlsplit(self.url).path}"

    def to_dict(self) -> dict[str, object]:
        return {
            "kind": self.kind,
            "url": self.url,
            "host": self.host,
            "snippet": self.snippet,
            "referrer_check": self.referrer_check,
            "written": self.written,
            "key": self.key,
        }


def _cut(text: str) -> str:
    return " ".join(text.split())[:SNIPPET_CHARS]


def _tiny(value: str | None) -> bool:
    if value is None:
        return False
    match = re.match(r"\s*(\d+(?:\.\d+)?)\s*(?:px)?\s*$", value)
    return match is not None and float(match.group(1)) <= _MAX_FRAME_PX


def _frames(
    root: lxml.html.HtmlElement, base: str, own: frozenset[str], written: bool
) -> Iterator[Injected]:
    styles: PageStyles | None = None
    for frame in root.iter("iframe", "frame"):
        url = absolute(base, frame.get("src") or "")
        if url is None or not is_stranger(url, own):
            continue
        hidden = _tiny(frame.get("width")) or _tiny(frame.get("height"))
        if not hidden:
            styles = styles or PageStyles(root)
            hidden = any(styles.hiding(el) is not None for el in (frame, *frame.iterancestors())
                         if el.tag not in ("body", "html"))  # fmt: skip
        if hidden:
            markup = lxml.html.tostring(frame, encoding="unicode", with_tail=False)
            yield Injected("hidden_iframe", url, hostname(url), _cut(markup), written=written)


def _scripts(tree: lxml.html.HtmlElement, base: str, own: frozenset[str]) -> Iterator[Injected]:
    for script in tree.iter("script"):
        if (script.get("type") or "").strip().lower() not in _JS_TYPES:
            continue
        if any(parent.tag == "noscript" for parent in script.iterancestors()):
            continue
        src = script.get("src")
        if src:
            url = absolute(base, src)
            if url is not None and is_stranger(url, own):
                markup = lxml.html.tostring(script, encoding="unicode", with_tail=False)
                yield Injected("script", url, hostname(url), _cut(markup))
            continue
        code = script.text or ""
        if not code.strip() or len(code) > MAX_SCRIPT_CHARS:
            continue
        yield from _inline(code, base, own)


def _inline(code: str, base: str, own: frozenset[str]) -> Iterator[Injected]:
    markup, _obfuscated = script_markup(code)
    searched = f"{code}\n{markup}"
    referrer = bool(_REFERRER.search(searched) and _SEARCH_ENGINES.search(searched))
    seen: set[str] = set()
    for match in _LOCATION.finditer(searched):
        url = absolute(base, match.group(1))
        if url is None or not is_stranger(url, own) or hostname(url) in seen:
            continue
        seen.add(hostname(url))
        yield Injected("redirect", url, hostname(url), _cut(code), referrer_check=referrer)
    if "<script" in markup.lower() or "<iframe" in markup.lower() or "<frame" in markup.lower():
        try:
            fragment = lxml.html.fragment_fromstring(markup, create_parent="div")
        except (lxml.etree.ParserError, ValueError):
            return
        for written in fragment.iter("script"):
            url = absolute(base, written.get("src") or "")
            if url is not None and is_stranger(url, own):
                yield Injected("script", url, hostname(url), _cut(code), written=True)
        yield from _frames(fragment, base, own, written=True)


def injected_code(tree: lxml.html.HtmlElement, base: str, own: frozenset[str]) -> list[Injected]:
    """Every foreign script, redirecting script and hidden frame of one page, in page order."""
    found = list(_scripts(tree, base, own))
    body = tree.find("body")
    found += _frames(body if body is not None else tree, base, own, written=False)
    return found
