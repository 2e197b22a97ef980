"""The CSS cascade as far as a page alone can tell it, for the contrast rule.

The page's own CSS is read with a real parser (tinycss2) and matched with a real selector
engine (cssselect2): ``<style>`` sheets (with their ``@media`` blocks), ``style=""``
attributes, the presentational attributes browsers still map to CSS (``<font color size>``,
``bgcolor``, ``<body text link>``) and the few user-agent defaults contrast depends on (link
blue, heading sizes, bold elements, ``<mark>``). The cascade orders them by origin,
``!important``, specificity and source order, then longhands inherit as CSS says.

Every value carries whether it is **settled**: whether anything the analysis cannot see could
still change it. A page that links a stylesheet we did not fetch (``<link rel=stylesheet>``,
``@import``) has an *open* cascade: that sheet may style any element, so only a declaration
it cannot beat is settled (an inline ``style=""`` declaration, or an ``!important`` one), and
a property the page leaves undeclared is unknown rather than inherited or initial. Rules under
a media query that depends on the viewport make the properties they set unsettled too. The
contrast rule reports only from settled values: where the cascade is out of reach, the browser
audit judges.
"""

from __future__ import annotations

import re
from collections.abc import Iterable, Sequence
from dataclasses import dataclass

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
    URLToken,
)

from checks.a11y_static.colours import parse_colour, parse_legacy_colour
from checks.a11y_static.document import Doc, Element, tag_name

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


@dataclass(frozen=True)
class _Candidate:
    rank: tuple[int, int, tuple[int, int, int], int]  # important, layer, specificity, order
    tokens: tuple[Node, ...]
    conditional: bool  # under a media query or @supports the analysis cannot evaluate


@dataclass(frozen=True)
class _Rule:
    declarations: tuple[tuple[str, tuple[Node, ...], bool], ...]  # longhand, value, !important
    conditional: bool


class PageStyles:
    """The page's own CSS, parsed once, and each element's declared longhands on demand."""

    def __init__(self, doc: Doc) -> None:
        self.doc = doc
        self.quirks = _quirks_mode(doc)
        self._matcher: cssselect2.Matcher | None = None
        self._wrappers: dict[Element, cssselect2.ElementWrapper] = {}
        self._declared: dict[Element, dict[str, Declared]] = {}
        self._inline_styles: dict[str, tuple[tuple[str, tuple[Node, ...], bool], ...]] = {}
        self._body_link = _body_attribute(doc, "link")
        self._sheets: list[str] = []
        self._parsed = False
        self.open = False  # a stylesheet we do not see may style any element
        for el in doc.root.iter("style", "link"):
            if _inert(el) or _media_applies(el.get("media") or "") == "no":
                continue
            if el.tag == "link":
                rel = (el.get("rel") or "").lower().split()
                if (
                    "stylesheet" in rel
                    and "alternate" not in rel
                    and (el.get("href") or "").strip()
                ):
                    self.open = True
                continue
            css = el.text_content()
            self._sheets.append(css)
            if "@import" in css.lower():
                self.open = True  # an imported sheet we do not fetch
        # Whether a sheet may hold an !important background, the only kind of sheet rule
        # that settles a background an unseen sheet could otherwise set. A text pre-filter
        # (a false yes costs time, never a finding); the parser decides what it declares.
        self.may_settle_background = any(_important_background(css) for css in self._sheets)

    # ----------------------------------------------------------------- the page's sheets

    def _parse_sheets(self) -> None:
        """Parse every sheet once, on the first question about an element."""
        self._parsed = True
        order = 0
        for css in self._sheets:
            order = self._add_sheet(css, order, conditional=False)

    def _add_sheet(self, css: str, order: int, conditional: bool) -> int:
        rules = tinycss2.parse_stylesheet(css, skip_comments=True, skip_whitespace=True)
        return self._add_rules(rules, order, conditional)

    def _add_rules(self, rules: Iterable[Node], order: int, conditional: bool) -> int:
        for node in rules:
            if isinstance(node, QualifiedRule):
                order = self._add_rule(node, order, conditional)
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
                    order = self._add_rules(inner, order, conditional or applies == "maybe")
        return order

    def _add_rule(self, node: QualifiedRule, order: int, conditional: bool) -> int:
        declarations = tuple(_longhands(node.content))
        if not declarations:
            return order  # a rule that sets nothing contrast reads costs no matching
        try:
            selectors = cssselect2.compile_selector_list(node.prelude)
        except (cssselect2.SelectorError, NotImplementedError):
            return order  # browsers drop a rule whose selector they cannot parse
        if self._matcher is None:
            self._matcher = cssselect2.Matcher()
        payload = _Rule(declarations, conditional)
        for selector in selectors:
            if selector.pseudo_element is None:  # ::before / ::first-line style other boxes
                self._matcher.add_selector(selector, payload)
        return order + 1

    # ----------------------------------------------------------------- declared values

    def declared(self, el: Element) -> dict[str, Declared]:
        """The element's winning declaration per longhand (absent: nothing declares it)."""
        found = self._declared.get(el)
        if found is None:
            found = self._resolve(el)
            self._declared[el] = found
        return found

    def _resolve(self, el: Element) -> dict[str, Declared]:
        if not self._parsed:
            self._parse_sheets()
        candidates: dict[str, list[_Candidate]] = {}

        def add(layer: int, specificity: tuple[int, int, int], order: int, decl, cond) -> None:
            name, tokens, important = decl
            rank = (int(important) if layer >= _SHEET else 0, layer, specificity, order)
            candidates.setdefault(name, []).append(_Candidate(rank, tokens, cond))

        for decl in _user_agent(el, self):
            add(_USER_AGENT, _NO_SPECIFICITY, 0, decl, False)
        for decl in _hints(el, self._body_link):
            add(_HINT, _NO_SPECIFICITY, 0, decl, False)
        if self._matcher is not None:
            for specificity, order, _pseudo, rule in self._matcher.match(self._wrapper(el)):
                for decl in rule.declarations:
                    add(_SHEET, specificity, order, decl, rule.conditional)
        style = el.get("style")
        if style:
            for decl in self._inline(style):
                add(_INLINE, _NO_SPECIFICITY, 0, decl, False)
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
            settled = False  # a rule of the unseen sheet may outrank it
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
