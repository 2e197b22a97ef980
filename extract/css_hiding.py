"""How CSS keeps an element from a visitor's eyes: the page's own rules, read by real parsers.

Inline ``style`` attributes and embedded ``<style>`` blocks are parsed with tinycss2 and the
selectors matched with cssselect2, so ``.box a``, ``#f > div`` or ``div[class^=x]`` hide what a
browser would hide, not what a regular expression guesses. External stylesheets are not
fetched: a planted link farm carries its hiding with it, inline or in the page.

A technique is reported, never judged here: menus wait behind ``display:none`` and logos replace
their text with ``text-indent``, so what a hidden thing means is the caller's decision.
"""

from __future__ import annotations

import functools
import re
from collections.abc import Iterator
from dataclasses import dataclass

import cssselect2
import lxml.html
import tinycss2
from tinycss2.color3 import parse_color

# Far off-screen is the link-farm classic (-9999px); drop-down menus park at -999em or at a
# few hundred pixels, which a page's own layout also uses.
OFFSCREEN_PX = -1000
_PX = re.compile(r"^(-?\d+(?:\.\d+)?)(px|pt)?$")
_ZERO = re.compile(r"^0(?:\.0+)?(?:px|pt|em|rem|%)?$")

# Techniques that are evidence on their own: a link farm's ways, which page furniture has no
# reason to use on another site's link.
STRONG_TECHNIQUES = (
    "offscreen",
    "text_indent",
    "zero_size",
    "font_size_zero",
    "same_colour",
    "marquee",
)
# What menus, tabs, accordions (a zero height) and carousels (a slide at opacity 0) use too.
WEAK_TECHNIQUES = ("display_none", "visibility_hidden", "collapsed", "transparent", "menu")


@dataclass(frozen=True)
class Hiding:
    """One element that hides its content: how, and the selector that says so."""

    technique: str
    selector: str  # the CSS rule's selector, or "style" for an inline style attribute


# The properties a hiding technique (or the colour test) reads; a rule setting none is dropped.
_READ = frozenset({
    "display", "visibility", "position", "left", "top", "right", "margin-left", "margin-top",
    "text-indent", "overflow", "height", "width", "max-height", "max-width", "font-size",
    "opacity", "color", "background", "background-color", "background-image",
})  # fmt: skip


def _declared(items: list) -> dict[str, str]:
    out: dict[str, str] = {}
    for item in items:
        if item.type == "declaration" and item.lower_name in _READ:
            out[item.lower_name] = tinycss2.serialize(item.value).strip().lower()
    return out


@functools.lru_cache(maxsize=4096)
def declarations(css: str) -> dict[str, str]:
    """Property → lower-cased value of a declaration list (the properties hiding reads); a
    later declaration wins, as in CSS. Cached: a template repeats its inline styles."""
    return _declared(tinycss2.parse_blocks_contents(css, skip_whitespace=True, skip_comments=True))


@functools.lru_cache(maxsize=16)
def _stylesheet(css: str) -> cssselect2.Matcher | None:
    """The embedded rules as a matcher, or None: cached by the text, since every page of a
    template embeds the same ``<style>`` blocks and a matcher only reads."""
    matcher = cssselect2.Matcher()
    count = 0
    for rule in tinycss2.parse_stylesheet(css, skip_whitespace=True, skip_comments=True):
        if rule.type != "qualified-rule":
            continue  # @media and friends: a planted farm does not need them
        decl = _declared(
            tinycss2.parse_blocks_contents(rule.content, skip_whitespace=True, skip_comments=True)
        )
        if not decl:
            continue
        try:
            selectors = cssselect2.compile_selector_list(rule.prelude)
        except cssselect2.SelectorError:
            continue
        text = " ".join(tinycss2.serialize(rule.prelude).split())[:120]
        for selector in selectors:
            matcher.add_selector(selector, (text, decl))
            count += 1
    return matcher if count else None


def _px(value: str) -> float | None:
    match = _PX.match(value.replace(" ", ""))
    if match is None:
        return None
    number = float(match.group(1))
    if match.group(2) is None and number != 0:
        return None  # a unitless length other than 0 is invalid CSS: browsers ignore it
    return number


def _zero(value: str | None) -> bool:
    return value is not None and bool(_ZERO.match(value.replace("!important", "").strip()))


def hiding_technique(decl: dict[str, str]) -> str | None:
    """What a set of declarations does to hide an element, or None."""
    for prop in ("left", "top", "margin-left", "margin-top", "right"):
        value = _px(decl.get(prop, "").replace("!important", "").strip())
        if value is not None and value <= OFFSCREEN_PX:
            if prop in ("left", "top", "right") and decl.get("position", "static") == "static":
                continue  # left/top do nothing to a static element
            return "offscreen"
    indent = _px(decl.get("text-indent", "").replace("!important", "").strip())
    if indent is not None and indent <= OFFSCREEN_PX:
        return "text_indent"
    if "hidden" in decl.get("overflow", ""):
        high = _zero(decl.get("height")) or _zero(decl.get("max-height"))
        wide = _zero(decl.get("width")) or _zero(decl.get("max-width"))
        if high and wide:
            return "zero_size"
        if high or wide:
            return "collapsed"  # an accordion's closed panel has no height
    if _zero(decl.get("font-size")):
        return "font_size_zero"
    if decl.get("opacity", "").replace("!important", "").strip() in ("0", "0.0", "0%"):
        return "transparent"
    if decl.get("display", "").startswith("none"):
        return "display_none"
    if decl.get("visibility", "").startswith("hidden"):
        return "visibility_hidden"
    return None


def _colour(value: str | None) -> tuple[float, ...] | None:
    if not value:
        return None
    for token in tinycss2.parse_component_value_list(value.replace("!important", "")):
        if token.type == "whitespace":
            continue
        parsed = parse_color(token)
        if parsed is not None and parsed != "currentColor":
            return tuple(parsed)
    return None


class PageStyles:
    """The page's embedded rules, matched against its elements on demand.

    Built once per page that has something worth judging; ``of(el)`` caches per element, since
    the ancestors of a page's foreign links are shared.
    """

    def __init__(self, tree: lxml.html.HtmlElement) -> None:
        self._matcher: cssselect2.Matcher | None = None
        self._wrappers: dict[lxml.html.HtmlElement, cssselect2.ElementWrapper] = {}
        self._cache: dict[lxml.html.HtmlElement, list[tuple[str, dict[str, str]]]] = {}
        document = tree.getroottree().getroot()  # <style> blocks of <head> hide <body>'s elements
        css = "\n".join(block.text or "" for block in document.iter("style"))
        if not css.strip():
            return
        self._matcher = _stylesheet(css)
        if self._matcher is not None:
            for wrapper in cssselect2.ElementWrapper.from_html_root(document).iter_subtree():
                self._wrappers[wrapper.etree_element] = wrapper

    def of(self, el: lxml.html.HtmlElement) -> list[tuple[str, dict[str, str]]]:
        """(selector, declarations) applying to ``el``, in cascade order; inline style last."""
        cached = self._cache.get(el)
        if cached is not None:
            return cached
        out: list[tuple[str, dict[str, str]]] = []
        wrapper = self._wrappers.get(el)
        if self._matcher is not None and wrapper is not None:
            matches = sorted(self._matcher.match(wrapper), key=lambda m: (m[0], m[1]))
            out = [payload for _spec, _order, pseudo, payload in matches if pseudo is None]
        style = el.get("style")
        if style:
            out.append(("style", declarations(style)))
        self._cache[el] = out
        return out

    def hiding(self, el: lxml.html.HtmlElement) -> Hiding | None:
        """How ``el`` itself hides its content (not its ancestors)."""
        if el.tag == "marquee":
            for attr in ("height", "width", "scrollamount"):
                if _zero(el.get(attr)):
                    return Hiding("marquee", f"marquee[{attr}]")
        found: Hiding | None = None
        merged: dict[str, str] = {}
        selector = ""
        for rule_selector, decl in self.of(el):
            before = hiding_technique(merged)
            merged.update(decl)
            now = hiding_technique(merged)
            if now is not None and now != before:
                selector = rule_selector
        technique = hiding_technique(merged)
        if technique is not None:
            found = Hiding(technique, selector or "style")
        if el.tag == "marquee" and found is None and _zero(merged.get("height")):
            found = Hiding("marquee", selector or "style")
        return found

    def declared(self, el: lxml.html.HtmlElement, prop: str) -> str | None:
        value = None
        for _selector, decl in self.of(el):
            value = decl.get(prop, value)
        return value

    def same_colour(self, anchor: lxml.html.HtmlElement) -> Hiding | None:
        """The link's text colour equals the background behind it (both declared by the page)."""
        if anchor.xpath(".//font[@color] | .//*[contains(@style, 'color')]"):
            return None  # its text is coloured inside the link: the link's colour is not it
        colour: tuple[float, ...] | None = None
        for el in _self_and_ancestors(anchor):
            if colour is None:
                colour = _colour(self.declared(el, "color"))
            shorthand = self.declared(el, "background")
            if "url(" in (shorthand or "") or "url(" in (
                self.declared(el, "background-image") or ""
            ):
                return None  # text over a picture: its colour says nothing
            background = _colour(self.declared(el, "background-color")) or _colour(shorthand)
            if background is None and shorthand is None:
                # the presentational attributes of table layouts: <td bgcolor>, <table background>
                if el.get("background"):
                    return None
                background = _colour(el.get("bgcolor"))
            if background is not None:
                if colour is not None and colour == background and background[3] > 0:
                    return Hiding("same_colour", describe(el))
                return None  # the nearest background decides
        return None


def _self_and_ancestors(el: lxml.html.HtmlElement) -> Iterator[lxml.html.HtmlElement]:
    yield el
    for parent in el.iterancestors():
        if parent.tag in ("html",):
            return
        yield parent


def describe(el: lxml.html.HtmlElement) -> str:
    """``div#id.class``: how a report names an element."""
    out = str(el.tag)
    if el.get("id"):
        out += f"#{el.get('id')}"
    for cls in (el.get("class") or "").split()[:2]:
        out += f".{cls}"
    return out
