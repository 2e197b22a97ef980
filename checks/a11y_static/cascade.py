"""The CSS cascade as far as the analysis can see it, for the contrast rule.

The page's CSS is read with a real parser (tinycss2) and matched with a real selector
engine (cssselect2): ``<style>`` sheets and the site's own linked sheets (``<link
rel=stylesheet>``, ``@import`` one level deep, each with its ``media`` and ``@media``
blocks), ``style=""`` attributes, the presentational attributes browsers still map to CSS
(``<font color size>``, ``bgcolor``, ``<body text link>``) and the few user-agent defaults
contrast depends on (link blue, heading sizes, bold elements, ``<mark>``). The cascade orders
them by origin, ``!important``, specificity and source order, then longhands inherit as CSS
says.

Linked sheets come from a :class:`StylesheetSource` (the accessibility check fetches the
site's own, bounded: ``checks.a11y_stylesheets``); each :class:`Stylesheet` is parsed once
and reused by every page that links it.

Every value carries whether it is **settled**: whether anything the analysis cannot see could
still change it. A page whose author CSS is not all seen (a sheet on another host, one that
could not be fetched or was refused, an ``@import`` two levels deep, an at-rule block the
analysis does not read such as ``@layer`` or ``@container``) has an *open* cascade: that
CSS may style any element, so only a declaration it cannot beat is settled (an inline
``style=""`` declaration, or an ``!important`` one), and a property the page leaves
undeclared is unknown rather than inherited or initial. Rules under a media query that
depends on the viewport make the properties they set unsettled too. The contrast rule
reports only from settled values: where the cascade is out of reach, the browser audit
judges.
"""

from __future__ import annotations

import re
from collections.abc import Iterable, Sequence
from dataclasses import dataclass
from functools import cached_property
from typing import Protocol
from urllib.parse import urldefrag

import cssselect2
import tinycss2
from tinycss2.ast import (
    AtRule,
    Declaration,
    DimensionToken,
    FunctionBlock,
    IdentToken,
    LiteralToken,
    Node,
    NumberToken,
    PercentageToken,
    QualifiedRule,
    SquareBracketsBlock,
    StringToken,
    URLToken,
)

from checks.a11y_static.colours import parse_colour, parse_legacy_colour
from checks.a11y_static.document import Doc, Element, tag_name
from extract.parse import absolute

# The properties the contrast rule reads (longhands; shorthands are expanded on reading).
LONGHANDS = frozenset(
    {
        "color",
        "background-color",
        "background-image",
        "font-size",
        "font-weight",
        "display",
        "visibility",
        "content-visibility",
        "opacity",
        "filter",
        "backdrop-filter",
        "mix-blend-mode",
        "position",
        "transform",
        "text-shadow",
        "text-indent",
        "clip",
        "clip-path",
        "-webkit-text-fill-color",
        "-webkit-text-stroke",
        "-webkit-text-stroke-width",
        "margin-left",
        "margin-top",
        "height",
        "width",
        "max-height",
        "max-width",
    }
)
SHORTHANDS = frozenset({"background", "font", "margin"})
# A value the analysis cannot resolve (``var()``, ``env()``, a font shorthand it cannot split).
UNKNOWN: tuple[Node, ...] = ()

# Cascade layers, lowest first (author ``!important`` sits above all of them).
_USER_AGENT, _HINT, _SHEET, _INLINE = range(4)
_NO_SPECIFICITY = (0, 0, 0)

_SIZE_KEYWORDS = {
    "xx-small": 9.0,
    "x-small": 10.0,
    "small": 13.0,
    "medium": 16.0,
    "large": 18.0,
    "x-large": 24.0,
    "xx-large": 32.0,
    "xxx-large": 48.0,
}
# <font size="1…7"> as browsers map it (HTML's legacy font size keywords).
_FONT_SIZE_ATTR = {1: "x-small", 2: "small", 3: "medium", 4: "large", 5: "x-large", 6: "xx-large"}
_ABSOLUTE_UNITS = {
    "px": 1.0,
    "pt": 96 / 72,
    "pc": 16.0,
    "in": 96.0,
    "cm": 96 / 2.54,
    "mm": 96 / 25.4,
}
_SYSTEM_FONTS = frozenset({"caption", "icon", "menu", "message-box", "small-caption", "status-bar"})
_IMAGE_FUNCTIONS = re.compile(r"^(?:-\w+-)?(?:.*gradient|url|image|image-set|element|cross-fade)$")
_UNRESOLVED_FUNCTIONS = frozenset({"var", "env", "attr", "calc", "min", "max", "clamp"})
_SECTIONING = frozenset({"article", "aside", "nav", "section"})
_SCREEN_TYPES = frozenset({"all", "screen"})
_IMPORTANT = re.compile(r"!\s*important", re.IGNORECASE)


@dataclass(frozen=True)
class Declared:
    """The winning declaration of one longhand on one element. ``tokens`` is empty when the
    value cannot be resolved statically; ``settled`` says nothing unseen can override it."""

    tokens: tuple[Node, ...]
    settled: bool

    @property
    def keyword(self) -> str:
        """The value when it is a single keyword (``inherit``, ``none`` …), else ''."""
        if len(self.tokens) == 1 and isinstance(self.tokens[0], IdentToken):
            return self.tokens[0].lower_value
        return ""


# Source order: (the sheet's place among the page's sheets, the rule's place in its sheet).
_Order = tuple[int, int]
_FIRST: _Order = (0, 0)


@dataclass(frozen=True)
class _Candidate:
    rank: tuple[int, int, tuple[int, int, int], _Order]  # important, layer, specificity, order
    tokens: tuple[Node, ...]
    conditional: bool  # under a media query or @supports the analysis cannot evaluate


@dataclass(frozen=True)
class _Rule:
    declarations: tuple[tuple[str, tuple[Node, ...], bool], ...]  # longhand, value, !important
    conditional: bool


@dataclass(frozen=True)
class Import:
    """One ``@import`` at the top of a sheet: the URL as written and its media query;
    ``readable`` is False for a ``layer`` or ``supports()`` import the cascade does not model."""

    href: str
    media: str
    readable: bool = True


class Stylesheet:
    """One author style sheet (a ``<style>`` element's text or a fetched sheet), parsed on
    the first question and kept: a site's shared sheet is parsed once per process, however
    many pages link it. ``url`` is what its relative ``@import`` URLs resolve against."""

    def __init__(self, css: str, url: str | None = None) -> None:
        self.css = css
        self.url = url
        lowered = css.lower()
        # Pre-filters read from the text (a false yes costs time, never a finding).
        self.mentions_colour = "color" in lowered or "background" in lowered
        self.may_settle_background = _important_background(css)
        self._may_import = "@import" in lowered
        # An at-rule the cascade does not read or a pseudo-class, by a scan of the text (a
        # false yes costs a parse, never a finding): without either, no parse is needed to
        # know the whole sheet is read.
        self._may_be_unreadable = _PSEUDO_CLASS.search(lowered) is not None or any(
            keyword not in _READ_AT_RULES for keyword in _AT_KEYWORD.findall(lowered)
        )

    @classmethod
    def embedded(cls, css: str, url: str | None) -> Stylesheet:
        """The sheet of a ``<style>`` element: pages of one template embed the same text,
        so one parse serves them all (kept per process, by content and base URL)."""
        key = (css, url)
        sheet = _EMBEDDED.get(key)
        if sheet is None:
            if len(css) > _EMBEDDED_MAX_CHARS:
                return cls(css, url)  # a sheet that large is parsed for its page alone
            kept = sum(len(text) for text, _ in _EMBEDDED)
            if len(_EMBEDDED) >= _EMBEDDED_MAX or kept + len(css) > _EMBEDDED_MAX_CHARS:
                _EMBEDDED.clear()  # a new generation: the memory stays bounded
            sheet = _EMBEDDED[key] = cls(css, url)
        return sheet

    @cached_property
    def _parsed(self) -> tuple[cssselect2.Matcher | None, tuple[Import, ...], bool, SelectorScope]:
        """(the rules' matcher, the sheet's imports, whether it holds rules the analysis
        cannot read, what its selectors read of an element), from one parse."""
        nodes = tinycss2.parse_stylesheet(self.css, skip_comments=True, skip_whitespace=True)
        imports: list[Import] = []
        body: list[Node] = []
        preamble = True  # @import counts only before every other rule but @charset
        for node in nodes:
            if isinstance(node, AtRule) and node.lower_at_keyword == "charset":
                continue
            if isinstance(node, AtRule) and node.lower_at_keyword == "import":
                if preamble:
                    found = _import_of(node)
                    if found is not None:
                        imports.append(found)
                continue
            preamble = False
            body.append(node)
        compiled = _Compiled()
        compiled.add(body, conditional=False)
        scope = SelectorScope(compiled.path_only, frozenset(compiled.attributes))
        return compiled.matcher, tuple(imports), compiled.unreadable, scope

    @property
    def matcher(self) -> cssselect2.Matcher | None:
        return self._parsed[0]

    @property
    def imports(self) -> tuple[Import, ...]:
        if not self._may_import:
            return ()
        return self._parsed[1]

    @property
    def unreadable(self) -> bool:
        """The sheet holds a block the cascade does not model (``@layer``, ``@container``,
        ``@scope`` …): what it declares is unseen, so the page's cascade stays open."""
        if not self._may_be_unreadable:
            return False
        return self._parsed[2]

    @property
    def scope(self) -> SelectorScope:
        return self._parsed[3]


@dataclass(frozen=True)
class SelectorScope:
    """What a sheet's selectors read of an element. ``path_only``: nothing but the element's
    and its ancestors' names and attributes (no sibling combinator, no pseudo-class that
    looks at siblings, children or the rest of the document), so two elements with the same
    such path match the same rules. ``attributes``: the attribute names its attribute
    selectors test (beside ``id`` and ``class``)."""

    path_only: bool
    attributes: frozenset[str]


# Parsed ``<style>`` sheets by (text, base URL); a generation is dropped when full.
_EMBEDDED: dict[tuple[str, str | None], Stylesheet] = {}
_EMBEDDED_MAX = 512
# and at most this much CSS text in all (a hostile site may embed a huge sheet in every page)
_EMBEDDED_MAX_CHARS = 1_000_000


class StylesheetSource(Protocol):
    """Where a page's linked sheets come from: a :class:`Stylesheet` for an absolute URL,
    or None when it is not available (another host, a failed or refused fetch, a budget
    spent). None leaves the page's cascade open; it is never a guess."""

    def stylesheet(self, url: str) -> Stylesheet | None: ...


# At-rules whose blocks set nothing contrast reads, or nothing an element's box shows.
_IGNORED_AT_RULES = frozenset(
    {
        "font-face",
        "keyframes",
        "-webkit-keyframes",
        "-moz-keyframes",
        "-o-keyframes",
        "page",
        "namespace",
        "counter-style",
        "property",
        "font-feature-values",
        "font-palette-values",
        "viewport",
        "-ms-viewport",
    }
)

_READ_AT_RULES = _IGNORED_AT_RULES | {"media", "supports", "import", "charset"}
_AT_KEYWORD = re.compile(r"@(-?[a-z][-a-z0-9]*)")


class _Compiled:
    """A sheet's style rules compiled into one cssselect2 matcher (order: source order)."""

    def __init__(self) -> None:
        self.matcher: cssselect2.Matcher | None = None
        self.unreadable = False
        self.path_only = True
        self.attributes: set[str] = set()

    def add(self, rules: Iterable[Node], conditional: bool) -> None:
        for node in rules:
            if isinstance(node, QualifiedRule):
                self._add_rule(node, conditional)
            elif isinstance(node, AtRule):
                keyword = node.lower_at_keyword
                if keyword in ("media", "supports") and node.content is not None:
                    applies = (
                        _media_applies(tinycss2.serialize(node.prelude))
                        if keyword == "media"
                        else "maybe"
                    )
                    if applies == "no":
                        continue
                    inner = tinycss2.parse_rule_list(
                        node.content, skip_comments=True, skip_whitespace=True
                    )
                    self.add(inner, conditional or applies == "maybe")
                elif keyword not in _IGNORED_AT_RULES and node.content is not None:
                    self.unreadable = True

    def _add_rule(self, node: QualifiedRule, conditional: bool) -> None:
        declarations = tuple(_longhands(node.content))
        if not declarations:
            return  # a rule that sets nothing contrast reads costs no matching
        try:
            selectors = cssselect2.compile_selector_list(node.prelude)
        except (cssselect2.SelectorError, NotImplementedError):
            # Browsers drop a rule whose selector they cannot parse, as here; but a
            # pseudo-class Chromium knows and cssselect2 does not (``:dir()``,
            # ``:-webkit-any()``) styles elements the analysis cannot see.
            if _may_be_valid(node.prelude):
                self.unreadable = True
            return
        if self.matcher is None:
            self.matcher = cssselect2.Matcher()
        path_only, attributes = _selector_reads(node.prelude)
        self.path_only = self.path_only and path_only
        self.attributes |= attributes
        payload = _Rule(declarations, conditional)
        for selector in selectors:
            if selector.pseudo_element is None:  # ::before / ::first-line style other boxes
                self.matcher.add_selector(selector, payload)


_PSEUDO_CLASS = re.compile(r"(?<!:):(-?[a-z][-a-z0-9]*)")
# Pseudo-classes whose answer depends only on the element and its ancestors (or that never
# match a page at rest); any other (``:first-child``, ``:nth-*``, ``:empty``, ``:has()``,
# ``:lang()``, ``:checked`` …) may look elsewhere.
_PATH_PSEUDO_CLASSES = frozenset(
    {
        "link",
        "any-link",
        "visited",
        "hover",
        "active",
        "focus",
        "focus-visible",
        "focus-within",
        "target",
        "root",
        "not",
        "is",
        "where",
        "matches",
    }
)


def _selector_reads(prelude: Sequence[Node]) -> tuple[bool, set[str]]:
    """(whether the selector list reads only the element's and its ancestors' names and
    attributes, the attribute names it tests): see :class:`SelectorScope`."""
    attributes: set[str] = set()
    path_only = True
    tokens = list(prelude)
    for index, token in enumerate(tokens):
        if isinstance(token, LiteralToken):
            if token.value in ("+", "~", "|", "||"):
                path_only = False  # siblings, or a namespace the key does not name
            elif token.value == ":":
                following = tokens[index + 1] if index + 1 < len(tokens) else None
                previous = tokens[index - 1] if index else None
                if any(
                    isinstance(t, LiteralToken) and t.value == ":" for t in (previous, following)
                ):
                    continue  # a pseudo-element (``::``): its rules are not added
                if isinstance(following, IdentToken):
                    name = following.lower_value
                elif isinstance(following, FunctionBlock):
                    name = following.lower_name
                else:
                    name = ""
                if name not in _PATH_PSEUDO_CLASSES:
                    path_only = False
        elif isinstance(token, SquareBracketsBlock):
            for part in token.content:
                if isinstance(part, IdentToken):
                    attributes.add(part.lower_value)
                    break
                if isinstance(part, LiteralToken) and part.value in ("|", "*"):
                    path_only = False  # a namespaced attribute
                    break
        elif isinstance(token, FunctionBlock):  # :not(…), :is(…): what they hold counts too
            inner_path_only, inner = _selector_reads(token.arguments)
            path_only = path_only and inner_path_only
            attributes |= inner
    return path_only, attributes


_OTHER_ENGINES = ("-moz-", "-ms-", "-o-")  # prefixes Chromium drops a rule for, as we do


def _may_be_valid(prelude: Sequence[Node]) -> bool:
    """A selector cssselect2 refused that Chromium may still apply: it names a pseudo-class
    that is not another engine's (pseudo-elements style other boxes, and a rule with
    another engine's prefix is dropped by Chromium too)."""
    text = tinycss2.serialize(prelude).lower()
    return any(not name.startswith(_OTHER_ENGINES) for name in _PSEUDO_CLASS.findall(text))


def _import_of(node: AtRule) -> Import | None:
    """An ``@import`` rule's URL and media query (None when it names no URL)."""
    prelude = [t for t in node.prelude if t.type not in ("whitespace", "comment")]
    if not prelude:
        return None
    first = prelude[0]
    if isinstance(first, URLToken | StringToken):
        href = first.value
    elif isinstance(first, FunctionBlock) and first.lower_name == "url":
        strings = [a for a in first.arguments if isinstance(a, StringToken)]
        if not strings:
            return None
        href = strings[0].value
    else:
        return None
    rest = prelude[1:]
    readable = not any(
        (isinstance(t, IdentToken) and t.lower_value == "layer")
        or (isinstance(t, FunctionBlock) and t.lower_name in ("layer", "supports"))
        for t in rest
    )
    return Import(href, tinycss2.serialize(rest), readable)


@dataclass(frozen=True)
class _Applied:
    """A sheet as one page applies it: where it stands in the page's order, and whether a
    viewport-dependent media query (its ``media`` attribute or ``@import``'s) governs it."""

    sheet: Stylesheet
    conditional: bool


class PageStyles:
    """The page's CSS, each sheet parsed once, and each element's declared longhands on
    demand. ``sources`` gives the linked sheets (None: none is seen, the cascade is open
    wherever a page links one)."""

    def __init__(
        self, doc: Doc, sources: StylesheetSource | None = None, url: str | None = None
    ) -> None:
        self.doc = doc
        self.quirks = _quirks_mode(doc)
        self._sources = sources
        self._wrappers: dict[Element, cssselect2.ElementWrapper] = {}
        self._declared: dict[Element, dict[str, Declared]] = {}
        self._inline_styles: dict[str, tuple[tuple[str, tuple[Node, ...], bool], ...]] = {}
        self._body_link = _body_attribute(doc, "link")
        self._base = _base_url(doc, url)
        self._sheets: list[_Applied] = []
        self._unseen = False  # a sheet or an @import not seen
        for el in doc.root.iter("style", "link"):
            applies = "no" if _inert(el) else _media_applies(el.get("media") or "")
            if applies == "no":
                continue
            conditional = applies == "maybe"
            if el.tag == "link":
                rel = (el.get("rel") or "").lower().split()
                href = (el.get("href") or "").strip()
                if "stylesheet" in rel and "alternate" not in rel and href:
                    self._apply(self._linked(self._base, href), conditional, depth=0)
                continue
            self._apply(Stylesheet.embedded(el.text_content(), self._base), conditional, depth=0)
        # Whether a sheet may hold an !important background, the only kind of sheet rule
        # that settles a background unseen CSS could otherwise set.
        self.may_settle_background = any(a.sheet.may_settle_background for a in self._sheets)
        # Whether any sheet may set a colour or a background (else only attributes do).
        self.sheets_mention_colour = any(a.sheet.mentions_colour for a in self._sheets)

    @property
    def applied(self) -> tuple[_Applied, ...]:
        """The sheets that apply, in cascade order."""
        return tuple(self._sheets)

    @property
    def body_link(self) -> str | None:
        """``<body link>``: the page's link colour hint."""
        return self._body_link

    @cached_property
    def open(self) -> bool:
        """CSS we do not see may style any element: a sheet or an @import not seen, or a
        sheet with rules the analysis cannot read (asked last: it may cost a parse)."""
        return self._unseen or any(applied.sheet.unreadable for applied in self._sheets)

    # ----------------------------------------------------------------- the page's sheets

    def _linked(self, base: str | None, href: str) -> Stylesheet | None:
        if self._sources is None or base is None:
            return None
        url = absolute(base, href)
        return self._sources.stylesheet(urldefrag(url)[0]) if url else None

    def _apply(self, sheet: Stylesheet | None, conditional: bool, depth: int) -> None:
        """Add ``sheet`` after the sheets it imports (an imported sheet's rules come first
        in the cascade); a sheet not seen, or imported two levels deep, opens the cascade."""
        if sheet is None:
            self._unseen = True
            return
        for found in sheet.imports:
            applies = _media_applies(found.media) if found.readable else "maybe"
            if applies == "no":
                continue
            if depth >= 1 or not found.readable:
                self._unseen = True  # @import is followed one level only
                continue
            child = self._linked(sheet.url, found.href)
            self._apply(child, conditional or applies == "maybe", depth + 1)
        self._sheets.append(_Applied(sheet, conditional))

    # ----------------------------------------------------------------- declared values

    def declared(self, el: Element) -> dict[str, Declared]:
        """The element's winning declaration per longhand (absent: nothing declares it)."""
        found = self._declared.get(el)
        if found is None:
            found = self._resolve(el)
            self._declared[el] = found
        return found

    def _resolve(self, el: Element) -> dict[str, Declared]:
        candidates: dict[str, list[_Candidate]] = {}

        def add(layer: int, specificity: tuple[int, int, int], order: _Order, decl, cond) -> None:
            name, tokens, important = decl
            rank = (int(important) if layer >= _SHEET else 0, layer, specificity, order)
            candidates.setdefault(name, []).append(_Candidate(rank, tokens, cond))

        for decl in _user_agent(el, self):
            add(_USER_AGENT, _NO_SPECIFICITY, _FIRST, decl, False)
        for decl in _hints(el, self._body_link):
            add(_HINT, _NO_SPECIFICITY, _FIRST, decl, False)
        wrapper: cssselect2.ElementWrapper | None = None
        for position, applied in enumerate(self._sheets):
            matcher = applied.sheet.matcher
            if matcher is None:
                continue
            wrapper = wrapper or self._wrapper(el)
            for specificity, order, _pseudo, rule in matcher.match(wrapper):
                conditional = rule.conditional or applied.conditional
                for decl in rule.declarations:
                    add(_SHEET, specificity, (position, order), decl, conditional)
        style = el.get("style")
        if style:
            for decl in self._inline(style):
                add(_INLINE, _NO_SPECIFICITY, _FIRST, decl, False)
        return {name: self._winner(found) for name, found in candidates.items()}

    def _inline(self, style: str) -> tuple[tuple[str, tuple[Node, ...], bool], ...]:
        """A ``style=""`` value's longhands, parsed once per distinct value (CMS editors
        repeat the same few on every paragraph)."""
        found = self._inline_styles.get(style)
        if found is None:
            found = self._inline_styles[style] = tuple(_longhands(style))
        return found

    def _winner(self, found: list[_Candidate]) -> Declared:
        best = max(found, key=lambda c: c.rank)
        important, layer = best.rank[0], best.rank[1]
        settled = not best.conditional
        if self.open and not important and layer != _INLINE:
            settled = False  # a rule of the unseen CSS may outrank it
        return Declared(best.tokens, settled)

    def parent(self, el: Element) -> Element | None:
        return self.doc.parent(el)

    def _wrapper(self, el: Element) -> cssselect2.ElementWrapper:
        """cssselect2's view of ``el``, built only along the path selectors need: the
        ancestors and, for sibling combinators, each ancestor's siblings."""
        wrapper = self._wrappers.get(el)
        if wrapper is not None:
            return wrapper
        parent = self.parent(el)
        if parent is None:
            wrapper = cssselect2.ElementWrapper.from_html_root(el)
            self._wrappers[el] = wrapper
            return wrapper
        for child in self._wrapper(parent).iter_children():
            self._wrappers[child.etree_element] = child
        return self._wrappers[el]


# --------------------------------------------------------------------------- parsing


def _longhands(source: str | Sequence[Node]) -> Iterable[tuple[str, tuple[Node, ...], bool]]:
    """The declarations of a block that contrast reads, shorthands expanded to longhands."""
    for node in tinycss2.parse_declaration_list(source, skip_comments=True, skip_whitespace=True):
        if not isinstance(node, Declaration):
            continue
        name = node.lower_name
        if name not in LONGHANDS and name not in SHORTHANDS:
            continue
        tokens = tuple(t for t in node.value if t.type not in ("whitespace", "comment"))
        if _unresolvable(tokens):
            tokens = UNKNOWN
        if name == "background":
            for longhand, value in _background(tokens):
                yield longhand, value, node.important
        elif name == "font":
            for longhand, value in _font(tokens):
                yield longhand, value, node.important
        elif name == "margin":  # only whether a margin pulls the box away matters
            yield "margin-left", tokens, node.important
            yield "margin-top", tokens, node.important
        else:
            yield name, tokens, node.important


def _unresolvable(tokens: Sequence[Node]) -> bool:
    for token in tokens:
        if isinstance(token, FunctionBlock) and token.lower_name in _UNRESOLVED_FUNCTIONS:
            return True
    return False


def _wide_keyword(tokens: Sequence[Node]) -> bool:
    return (
        len(tokens) == 1
        and isinstance(tokens[0], IdentToken)
        and tokens[0].lower_value in ("inherit", "initial", "unset", "revert", "revert-layer")
    )


def _background(tokens: tuple[Node, ...]) -> Iterable[tuple[str, tuple[Node, ...]]]:
    """``background`` → its colour and whether it paints an image (the rest is irrelevant)."""
    if not tokens or _wide_keyword(tokens):
        yield "background-color", tokens
        yield "background-image", tokens
        return
    colour: tuple[Node, ...] = (IdentToken(0, 0, "transparent"),)
    image: tuple[Node, ...] = (IdentToken(0, 0, "none"),)
    for token in tokens:
        if isinstance(token, URLToken) or (
            isinstance(token, FunctionBlock) and _IMAGE_FUNCTIONS.match(token.lower_name)
        ):
            image = (token,)
        elif isinstance(token, LiteralToken) and token.value == ",":
            image = UNKNOWN  # several layers: what shows through is layout's business
        elif parse_colour([token]) is not None:
            colour = (token,)
    yield "background-color", colour
    yield "background-image", image


def _font(tokens: tuple[Node, ...]) -> Iterable[tuple[str, tuple[Node, ...]]]:
    """``font`` → its size and weight (omitted parts reset to their initial values)."""
    if not tokens or _wide_keyword(tokens):
        yield "font-size", tokens
        yield "font-weight", tokens
        return
    if isinstance(tokens[0], IdentToken) and tokens[0].lower_value in _SYSTEM_FONTS:
        yield "font-size", UNKNOWN
        yield "font-weight", UNKNOWN
        return
    weight: tuple[Node, ...] = (IdentToken(0, 0, "normal"),)
    for token in tokens:
        if (
            isinstance(token, IdentToken) and token.lower_value in ("bold", "bolder", "lighter")
        ) or (isinstance(token, NumberToken) and token.is_integer and 1 <= token.value <= 1000):
            weight = (token,)
        elif isinstance(token, DimensionToken | PercentageToken) or (
            isinstance(token, IdentToken)
            and (token.lower_value in _SIZE_KEYWORDS or token.lower_value in ("larger", "smaller"))
        ):
            yield "font-size", (token,)
            yield "font-weight", weight
            return
    yield "font-size", UNKNOWN  # no size found: the declaration is invalid or beyond us
    yield "font-weight", UNKNOWN


def _value(css: str) -> tuple[Node, ...]:
    return tuple(
        t for t in tinycss2.parse_component_value_list(css) if t.type not in ("whitespace",)
    )


_BLUE_LINK = ("color", _value("#0000ee"), False)
_BOLD = ("font-weight", _value("bold"), False)
_HEADING_SIZE = {
    "h1": "2em",
    "h2": "1.5em",
    "h3": "1.17em",
    "h4": "1em",
    "h5": ".83em",
    "h6": ".67em",
}


def _user_agent(el: Element, styles: PageStyles) -> Iterable[tuple[str, tuple[Node, ...], bool]]:
    """Chromium's default styles that contrast depends on."""
    tag = tag_name(el)
    if tag in ("a", "area") and el.get("href") is not None:
        yield _BLUE_LINK  # :link is styled on the element itself, so it is not inherited
    elif tag == "mark":
        yield "color", _value("black"), False
        yield "background-color", _value("yellow"), False
    elif tag in _HEADING_SIZE:
        if tag == "h1" and any(tag_name(a) in _SECTIONING for a in el.iterancestors()):
            # nested <h1> shrinks with its sectioning depth: leave its size to layout
            yield "font-size", UNKNOWN, False
        else:
            yield "font-size", _value(_HEADING_SIZE[tag]), False
        yield _BOLD
    elif tag in ("b", "strong", "th"):
        yield _BOLD
    elif tag in ("small", "sub", "sup"):
        yield "font-size", _value("smaller"), False
    elif tag == "big":
        yield "font-size", _value("larger"), False
    if tag == "table" and styles.quirks:
        # quirks mode: tables do not inherit font size, weight or colour from outside
        yield "font-size", _value("medium"), False
        yield "font-weight", _value("normal"), False
        yield "color", UNKNOWN, False


def _hints(el: Element, body_link: str | None) -> Iterable[tuple[str, tuple[Node, ...], bool]]:
    """Presentational attributes, as the browser maps them to author-level CSS."""
    tag = tag_name(el)
    attrib = el.attrib
    if tag == "font":
        if "color" in attrib:
            colour = parse_legacy_colour(attrib["color"])
            yield "color", (_value(colour.hex()) if colour else UNKNOWN), False
        if "size" in attrib:
            yield "font-size", _font_size_attribute(attrib["size"]), False
    if tag == "body" and "text" in attrib:
        colour = parse_legacy_colour(attrib["text"])
        yield "color", (_value(colour.hex()) if colour else UNKNOWN), False
    if tag in ("a", "area") and body_link is not None and el.get("href") is not None:
        colour = parse_legacy_colour(body_link)
        yield "color", (_value(colour.hex()) if colour else UNKNOWN), False
    if "bgcolor" in attrib and tag in (
        "body",
        "table",
        "thead",
        "tbody",
        "tfoot",
        "tr",
        "td",
        "th",
    ):
        colour = parse_legacy_colour(attrib["bgcolor"])
        yield "background-color", (_value(colour.hex()) if colour else UNKNOWN), False
    if "background" in attrib and tag in (
        "body",
        "table",
        "thead",
        "tbody",
        "tfoot",
        "tr",
        "td",
        "th",
    ):
        yield "background-image", UNKNOWN, False  # a background picture


def _font_size_attribute(value: str) -> tuple[Node, ...]:
    text = value.strip()
    match = re.fullmatch(r"([+-]?)(\d+)", text)
    if not match:
        return UNKNOWN
    size = int(match.group(2))
    if match.group(1) == "+":
        size = 3 + size
    elif match.group(1) == "-":
        size = 3 - size
    size = max(1, min(7, size))
    return _value("48px" if size == 7 else _FONT_SIZE_ATTR[size])


def _body_attribute(doc: Doc, name: str) -> str | None:
    for body in doc.by_tag.get("body", ()):
        return body.get(name)
    return None


def _base_url(doc: Doc, url: str | None) -> str | None:
    """What the page's relative URLs resolve against: its first ``<base href>``, itself
    resolved against the page's URL (None when the page's URL is not known)."""
    if url is None:
        return None
    for base in doc.root.iter("base"):
        href = (base.get("href") or "").strip()
        if href:
            return absolute(url, href) or url
    return url


def _important_background(css: str) -> bool:
    """Some ``!important`` in the sheet sits in a declaration naming a background (found
    from each ``!important`` back to the start of its declaration)."""
    for match in _IMPORTANT.finditer(css):
        start = max(css.rfind(";", 0, match.start()), css.rfind("{", 0, match.start()))
        if "background" in css[start + 1 : match.start()].lower():
            return True
    return False


def _inert(el: Element) -> bool:
    """A <style> or <link> the browser does not apply: inside <template>, or inside
    <noscript>, whose markup is only text when scripts run."""
    return any(tag_name(a) in ("template", "noscript", "svg") for a in el.iterancestors())


def _media_applies(query: str) -> str:
    """``yes``, ``no`` or ``maybe`` (depends on the viewport) for a screen of any size."""
    text = query.strip().lower()
    if not text:
        return "yes"
    verdicts = set()
    for part in text.split(","):
        words = part.strip().split()
        if not words:
            verdicts.add("yes")
            continue
        if words[0] in ("only", "not"):
            if words[0] == "not":
                verdicts.add("maybe")
                continue
            words = words[1:]
        if not words or words[0].startswith("("):
            verdicts.add("maybe")
        elif words[0] not in _SCREEN_TYPES:
            verdicts.add("no")
        else:
            verdicts.add("yes" if len(words) == 1 else "maybe")
    if "yes" in verdicts:
        return "yes"
    return "maybe" if "maybe" in verdicts else "no"


def _quirks_mode(doc: Doc) -> bool:
    """Whether the page renders in quirks mode (no doctype, or a legacy one)."""
    info = doc.root.getroottree().docinfo
    if not doc.is_document:
        return False  # a fragment: judged as the standards-mode page it will sit in
    name = (info.root_name or "").lower() if info.doctype else ""
    if name != "html":
        return True
    public = (info.public_id or "").lower()
    system = info.system_url
    if not public:
        return False
    if public.startswith(("-//w3c//dtd html 4.01 transitional", "-//w3c//dtd html 4.01 frameset")):
        return system is None
    return public.startswith(
        ("-//w3c//dtd html 3", "-//w3c//dtd html 4.0 ", "-//ietf//", "-//w3o//", "html")
    )


# --------------------------------------------------------------------------- values


def length_px(tokens: Sequence[Node], parent_px: float, root_px: float = 16.0) -> float | None:
    """A ``font-size`` value in px (None when it depends on what statics cannot know)."""
    if len(tokens) != 1:
        return None
    token = tokens[0]
    if isinstance(token, IdentToken):
        word = token.lower_value
        if word in _SIZE_KEYWORDS:
            return _SIZE_KEYWORDS[word]
        if word == "larger":
            return parent_px * 1.2
        if word == "smaller":
            return parent_px / 1.2
        return None
    if isinstance(token, PercentageToken):
        return parent_px * token.value / 100
    if isinstance(token, NumberToken) and token.value == 0:
        return 0.0
    if isinstance(token, DimensionToken):
        unit = token.lower_unit
        if unit in _ABSOLUTE_UNITS:
            return token.value * _ABSOLUTE_UNITS[unit]
        if unit == "em":
            return token.value * parent_px
        if unit == "rem":
            return token.value * root_px
    return None


def weight_value(tokens: Sequence[Node], parent: int) -> int | None:
    """A ``font-weight`` value as a number (``bolder``/``lighter`` relative to the parent)."""
    if len(tokens) != 1:
        return None
    token = tokens[0]
    if isinstance(token, NumberToken):
        return int(token.value) if 1 <= token.value <= 1000 else None
    if not isinstance(token, IdentToken):
        return None
    word = token.lower_value
    if word == "normal":
        return 400
    if word == "bold":
        return 700
    if word == "bolder":
        return 400 if parent < 350 else 700 if parent < 550 else 900
    if word == "lighter":
        return 100 if parent < 550 else 400 if parent < 750 else 700
    return None
