"""color-contrast (WCAG 1.4.3) from the page's CSS: text styled by ``style=""``, embedded
``<style>`` sheets, the site's own linked sheets (when the page's source gives them) and
presentational attributes, judged as axe-core 4.x judges it.

An element is judged for the text directly inside it (axe's unit), against the background
of the element itself or, where it is transparent, of the nearest ancestor with an opaque
background (the canvas is white). Large text (≥ 18pt, or bold and ≥ 14pt) needs 3:1, other
text 4.5:1; the ratio uses WCAG 2.x relative luminance and is reported truncated to two
decimals, as axe does.

Nothing is reported from values :mod:`checks.a11y_static.cascade` calls unsettled, nor where
layout decides what the reader sees: a background image or gradient, a translucent colour,
``opacity``, filters and blend modes, positioned, transformed or negatively-margined boxes
(the text may sit off screen or over another background), text shadows and strokes, text
hidden or clipped by CSS, single characters (axe does not report those). A size or weight that is unsettled still allows a finding when
the ratio fails even the large-text threshold. The browser audit judges all the rest.
"""

from __future__ import annotations

import math
from dataclasses import dataclass
from typing import Any, NamedTuple

from lxml import etree
from tinycss2.ast import DimensionToken, IdentToken, NumberToken, PercentageToken

from checks.a11y_static.cascade import Declared, PageStyles, length_px, weight_value
from checks.a11y_static.colours import (
    BLACK,
    CURRENT_COLOR,
    WHITE,
    Rgba,
    contrast_ratio,
    parse_colour,
    reported_ratio,
)
from checks.a11y_static.document import Doc, Element, tag_name
from checks.a11y_static.rule import RuleInfo, rule
from checks.a11y_static.style_keys import StyleKeys

NORMAL_TEXT_RATIO = 4.5
LARGE_TEXT_RATIO = 3.0

# Text inside these is not judged: not rendered, replaced content, or form controls whose
# look comes from the platform's default styles.
_OUT_OF_SCOPE = frozenset(
    {
        "script",
        "style",
        "noscript",
        "template",
        "head",
        "title",
        "svg",
        "math",
        "canvas",
        "iframe",
        "object",
        "video",
        "audio",
        "select",
        "option",
        "optgroup",
        "textarea",
        "button",
        "input",
        "datalist",
    }
)
_STATIC_POSITIONS = frozenset({"static", "relative"})
_TRANSPARENT = object()  # a background that shows its parent's
_UNKNOWN = object()  # no earlier page judged an element of this style path

# Pages with none of these (nor a sheet that mentions colour or background) have default
# colours only: black, and link blue, on white pass.
_COLOUR_ATTRIBUTES = etree.XPath(
    "boolean(descendant-or-self::*["
    "@style[contains(translate(., 'CLOR', 'clor'), 'color')"
    " or contains(translate(., 'BACKGRND', 'backgrnd'), 'background')]"
    " or @bgcolor or self::font[@color] or self::body[@text or @link]])"
)
# In an open cascade only inline (or !important) declarations are settled, and the text's
# background must be the element's own: elements with an inline background are the only
# ones worth a look.
_INLINE_BACKGROUND = etree.XPath(
    "descendant-or-self::*[@style[contains(translate(., 'BACKGRND', 'backgrnd'), 'background')]]"
)

# Elements with a non-blank text node directly inside (their text or a child's tail): the
# only ones ``_own_text`` can accept, found by libxml2 rather than a walk in Python.
_WITH_OWN_TEXT = etree.XPath("descendant-or-self::*[text()[normalize-space()]]")


class Measurement(NamedTuple):
    """One judged element: its colours, the ratio (truncated) and what it needed.

    A named tuple rather than a frozen dataclass: every judged element of every page gets
    one (most from an earlier page's answer), and a tuple is built four times faster than a
    frozen dataclass sets its seven fields one by one."""

    element: Element
    foreground: Rgba
    background: Rgba
    ratio: float
    required: float
    font_size_px: float
    bold: bool

    def values(self) -> tuple[Rgba, Rgba, float, float, float, bool]:
        """Everything but the element: what another element of the same style path gets."""
        return (
            self.foreground,
            self.background,
            self.ratio,
            self.required,
            self.font_size_px,
            self.bold,
        )

    @property
    def fails(self) -> bool:
        return not self.ratio > self.required

    def evidence(self) -> dict[str, Any]:
        return {
            "foreground": self.foreground.hex(),
            "background": self.background.hex(),
            "contrast_ratio": reported_ratio(self.ratio),
            "required_ratio": self.required,
            "font_size": round(self.font_size_px, 1),
            "bold": self.bold,
        }


@dataclass
class ContrastAnalysis:
    judged: list[Measurement]

    @property
    def failures(self) -> list[Measurement]:
        return [m for m in self.judged if m.fails]


def analyse(doc: Doc) -> ContrastAnalysis:
    """The page's contrast measurements, computed once per page (kept on the ``Doc``)."""
    cached = doc.memo.get("contrast")
    if isinstance(cached, ContrastAnalysis):
        return cached
    analysis = ContrastAnalysis(_measure(doc))
    doc.memo["contrast"] = analysis
    return analysis


def evidence(doc: Doc, el: Element) -> dict[str, Any]:
    """What the finding shows of a failing element: colours, ratio, threshold, text size."""
    for measurement in analyse(doc).judged:
        if measurement.element is el:
            return measurement.evidence()
    return {}


COLOR_CONTRAST_INFO = RuleInfo(
    "color-contrast",
    "serious",
    ("1.4.3",),
    "文字与背景颜色对比度不足",
    "Elements must meet minimum color contrast ratio thresholds",
    ("afw4f7",),
    evidence=evidence,
)


@rule(COLOR_CONTRAST_INFO)
def color_contrast(doc: Doc) -> tuple[int, list[Element]]:
    analysis = analyse(doc)
    return len(analysis.judged), [m.element for m in analysis.failures]


def _measure(doc: Doc) -> list[Measurement]:
    # which sheets apply (linked ones fetched through the page's source); nothing is parsed
    # before a question
    styles = PageStyles(doc, doc.stylesheets, doc.url)
    if not (styles.sheets_mention_colour or _COLOUR_ATTRIBUTES(doc.root)):
        return []  # default colours only: black, and link blue, on white pass
    if styles.open and not styles.may_settle_background:
        # CSS not seen may style any element: only an element's own inline background is
        # settled, so only elements with one can be judged (the sheets stay unparsed when
        # there are none)
        candidates = _INLINE_BACKGROUND(doc.root)
    else:
        # only elements with a text node of their own can have the two characters judged
        candidates = _WITH_OWN_TEXT(doc.root)
    computed = _Computed(styles)
    # elements with the same style path as one judged on an earlier page of the template
    # get that page's answer (None: the sheets' selectors look beyond the path); built at
    # the first element judged, as it parses the sheets
    keys: StyleKeys | object | None = _UNKNOWN
    judged: list[Measurement] = []
    for el in candidates:
        if not isinstance(el.tag, str) or not _own_text(el) or doc.hidden(el):
            continue
        if keys is _UNKNOWN:
            keys = StyleKeys.of(doc, styles)
        if not isinstance(keys, StyleKeys):
            measurement = computed.judge(el)
        else:
            outcome = keys.outcome(el, _UNKNOWN)
            if outcome is _UNKNOWN:
                measurement = computed.judge(el)
                keys.remember(el, measurement and measurement.values())
            else:
                measurement = Measurement(el, *outcome) if outcome else None  # type: ignore[misc]
        if measurement is not None:
            judged.append(measurement)
    return judged


def _own_text(el: Element) -> bool:
    """At least two characters of text directly inside the element (axe leaves a single
    character to review: an icon font glyph, a bullet, a separator)."""
    text = (el.text or "").strip()
    for child in el:
        text += (child.tail or "").strip()
        if len(text) >= 2:
            return True
    return len(text) >= 2


class _Computed:
    """Computed values of the longhands contrast needs, with their settledness."""

    def __init__(self, styles: PageStyles) -> None:
        self.styles = styles
        self._colour: dict[Element, tuple[Rgba | None, bool]] = {}
        self._size: dict[Element, tuple[float | None, bool]] = {}
        self._weight: dict[Element, tuple[int | None, bool]] = {}
        self._blocked: dict[Element, bool] = {}
        self._backgrounds: dict[Element, Rgba | None] = {}
        self._inherited_cache: dict[str, dict[Element, Declared | None]] = {}

    def _own(self, el: Element, name: str) -> Declared | None:
        return self.styles.declared(el).get(name)

    def _undeclared_settled(self) -> bool:
        """An undeclared property is inherited or initial only when no unseen sheet could
        declare it."""
        return not self.styles.open

    # ----------------------------------------------------------------- inherited

    def colour(self, el: Element) -> tuple[Rgba | None, bool]:
        if el in self._colour:
            return self._colour[el]
        parent = self.styles.parent(el)
        inherited = self.colour(parent) if parent is not None else (BLACK, True)
        own = self._own(el, "color")
        if own is None:
            result = (inherited[0], inherited[1] and self._undeclared_settled())
        elif not own.tokens:
            result = (None, False)
        elif own.keyword in ("inherit", "unset", "currentcolor"):
            result = (inherited[0], inherited[1] and own.settled)
        elif own.keyword == "initial":
            result = (BLACK, own.settled)
        else:
            value = parse_colour(list(own.tokens))
            result = (value if isinstance(value, Rgba) else None, own.settled)
        self._colour[el] = result
        return result

    def font_size(self, el: Element) -> tuple[float | None, bool]:
        if el in self._size:
            return self._size[el]
        parent = self.styles.parent(el)
        inherited = self.font_size(parent) if parent is not None else (16.0, True)
        own = self._own(el, "font-size")
        if own is None or own.keyword in ("inherit", "unset"):
            settled = inherited[1] and (own.settled if own else self._undeclared_settled())
            result = (inherited[0], settled)
        elif own.keyword == "initial":
            result = (16.0, own.settled)
        elif not own.tokens or inherited[0] is None:
            result = (None, False)
        else:
            root_px, root_settled = (16.0, True)
            if parent is not None:  # rem: the root element's size, not the default
                root_px, root_settled = self.font_size(self.styles.doc.root)
            if root_px is None:
                root_px, root_settled = 16.0, False
            px = length_px(own.tokens, inherited[0], root_px)
            relative = px is not None and _relative(own)
            basis_settled = root_settled if _root_relative(own) else inherited[1]
            result = (px, own.settled and (basis_settled or not relative))
        self._size[el] = result
        return result

    def font_weight(self, el: Element) -> tuple[int | None, bool]:
        if el in self._weight:
            return self._weight[el]
        parent = self.styles.parent(el)
        inherited = self.font_weight(parent) if parent is not None else (400, True)
        own = self._own(el, "font-weight")
        if own is None or own.keyword in ("inherit", "unset"):
            settled = inherited[1] and (own.settled if own else self._undeclared_settled())
            result = (inherited[0], settled)
        elif own.keyword == "initial":
            result = (400, own.settled)
        elif not own.tokens or inherited[0] is None:
            result = (None, False)
        else:
            weight = weight_value(own.tokens, inherited[0])
            relative = own.keyword in ("bolder", "lighter")
            result = (weight, own.settled and (inherited[1] or not relative))
        self._weight[el] = result
        return result

    def _inherited(self, el: Element, name: str) -> Declared | None:
        """The declaration an inherited property takes its value from: the element's own,
        else its parent's (memoised: every judged element asks along the same chain)."""
        cache = self._inherited_cache.setdefault(name, {})
        if el in cache:
            return cache[el]
        own = self._own(el, name)
        if own is None or own.keyword in ("inherit", "unset"):
            parent = self.styles.parent(el)
            found = self._inherited(parent, name) if parent is not None else None
        else:
            found = own
        cache[el] = found
        return found

    # ----------------------------------------------------------------- judging

    def judge(self, el: Element) -> Measurement | None:
        # the cheap questions first: most elements of an open cascade fail them
        foreground, fg_settled = self.colour(el)
        if foreground is None or not fg_settled or not foreground.opaque:
            return None  # translucent text blends with what is behind it: layout's call
        found = self._background(el)
        if found is None:
            return None
        background = found
        if self._chain_blocked(el) or self._text_altered(el):
            return None
        ratio = contrast_ratio(foreground, background)
        if reported_ratio(ratio) == 1.0:
            return None  # same colours: axe asks for review (text hidden on purpose?)
        size, size_settled = self.font_size(el)
        weight, weight_settled = self.font_weight(el)
        if size is None or weight is None or size <= 0:
            return None
        bold = weight >= 700
        points = math.ceil(72 * size) / 96
        small = (bold and points < 14) or (not bold and points < 18)
        required = NORMAL_TEXT_RATIO if small else LARGE_TEXT_RATIO
        if not (size_settled and weight_settled) and not ratio <= LARGE_TEXT_RATIO:
            return None  # the text might be large: only a ratio that fails 3:1 is certain
        return Measurement(el, foreground, background, ratio, required, size, bold)

    def _background(self, el: Element) -> Rgba | None:
        """The opaque colour behind the element's text: its own, or, where that is
        transparent, its parent's (the canvas is white); None when it is not settled, an
        image, or translucent. Memoised: the elements of one box share their walk."""
        if el in self._backgrounds:
            return self._backgrounds[el]
        own = self._own_background(el)
        if own is _TRANSPARENT:
            parent = self.styles.parent(el)
            if parent is not None:
                found = self._background(parent)
            else:
                found = WHITE if self._undeclared_settled() else None
        else:
            found = own if isinstance(own, Rgba) else None
        self._backgrounds[el] = found
        return found

    def _own_background(self, node: Element) -> Rgba | object | None:
        """The element's own background: an opaque colour, ``_TRANSPARENT`` (look behind
        it), or None (an image, a translucent layer, or not settled)."""
        image = self._own(node, "background-image")
        colour = self._own(node, "background-color")
        if (image is None or colour is None) and not self._undeclared_settled():
            return None
        if image is not None and (not image.settled or image.keyword not in ("none", "initial")):
            return None
        if colour is None or colour.keyword == "initial":
            return _TRANSPARENT
        if not colour.settled or not colour.tokens:
            return None
        if colour.keyword in ("inherit", "unset", "revert", "revert-layer"):
            return None
        value = parse_colour(list(colour.tokens))
        if value == CURRENT_COLOR:
            value = self.colour(node)[0]
        if not isinstance(value, Rgba):
            return None
        if value.opaque:
            return value
        return _TRANSPARENT if value.clear else None  # a translucent layer: layout's call

    def _chain_blocked(self, el: Element) -> bool:
        """The element or an ancestor takes its text out of what a colour pair describes:
        not judged content (form controls, replaced elements), disabled, hidden, blended
        (opacity, filters), or moved (positioned or transformed boxes, negative margins,
        boxes too small for text): the text may be off screen or over another background.
        Memoised along the chain."""
        if el in self._blocked:
            return self._blocked[el]
        parent = self.styles.parent(el)
        blocked = self._blocks_itself(el) or (parent is not None and self._chain_blocked(parent))
        self._blocked[el] = blocked
        return blocked

    def _blocks_itself(self, el: Element) -> bool:
        if tag_name(el) in _OUT_OF_SCOPE:
            return True
        if el.get("disabled") is not None or (el.get("aria-disabled") or "") == "true":
            return True
        declared = self.styles.declared(el)
        if _keyword(declared, "display") == "none":
            return True
        if _keyword(declared, "content-visibility") == "hidden":
            return True
        opacity = declared.get("opacity")
        if opacity is not None and not _is_number(opacity, 1.0):
            return True
        for name in ("filter", "backdrop-filter", "mix-blend-mode"):
            value = declared.get(name)
            if value is not None and value.keyword not in ("none", "normal", "initial"):
                return True
        position = declared.get("position")
        if position is not None and position.keyword not in _STATIC_POSITIONS:
            return True
        transform = declared.get("transform")
        if transform is not None and transform.keyword != "none":
            return True
        if any(_negative(declared[m]) for m in ("margin-left", "margin-top") if m in declared):
            return True
        return any(
            name in declared and _tiny(declared[name])
            for name in ("height", "width", "max-height", "max-width")
        )

    def _text_altered(self, el: Element) -> bool:
        """The text itself is hidden or painted beyond a colour pair: ``visibility``,
        shadows, strokes, clipping, an off-screen ``text-indent``."""
        visibility = self._inherited(el, "visibility")
        if visibility is not None and visibility.keyword not in ("visible", "initial"):
            return True
        shadow = self._inherited(el, "text-shadow")
        if shadow is not None and shadow.keyword not in ("none", "initial"):
            return True
        indent = self._inherited(el, "text-indent")
        if indent is not None and indent.keyword != "initial" and _negative(indent):
            return True
        own = self.styles.declared(el)
        for name in ("-webkit-text-fill-color", "-webkit-text-stroke", "-webkit-text-stroke-width"):
            value = own.get(name)
            if value is None or value.keyword in ("initial", "unset", "currentcolor"):
                continue
            if name != "-webkit-text-fill-color" and _zero(value):
                continue  # a stroke of no width (editors paste "-webkit-text-stroke-width: 0px")
            return True
        return any(
            name in own and own[name].keyword not in ("auto", "none", "initial", "unset")
            for name in ("clip", "clip-path")
        )


def _keyword(declared: dict[str, Declared], name: str) -> str:
    value = declared.get(name)
    return value.keyword if value is not None else ""


def _is_number(value: Declared, expected: float) -> bool:
    """The value is the number ``expected`` (or that share as a percentage)."""
    if len(value.tokens) != 1:
        return False
    token = value.tokens[0]
    if isinstance(token, NumberToken):
        return float(token.value) == expected
    if isinstance(token, PercentageToken):
        return float(token.value) == expected * 100
    return False


def _negative(value: Declared) -> bool:
    """Any negative length in the value (or one the analysis cannot read)."""
    if not value.tokens:
        return True
    numbers = (getattr(token, "value", None) for token in value.tokens)
    return any(isinstance(n, int | float) and n < 0 for n in numbers)


def _zero(value: Declared) -> bool:
    return len(value.tokens) == 1 and getattr(value.tokens[0], "value", None) == 0


def _tiny(value: Declared) -> bool:
    """A box size that leaves no room for a line of text (the 1px "visually hidden" box)."""
    if len(value.tokens) != 1:
        return False
    token = value.tokens[0]
    if isinstance(token, NumberToken) or (
        isinstance(token, DimensionToken) and token.lower_unit == "px"
    ):
        return token.value < 2
    return False


def _root_relative(value: Declared) -> bool:
    token = value.tokens[0]
    return isinstance(token, DimensionToken) and token.lower_unit == "rem"


def _relative(value: Declared) -> bool:
    """A font size relative to the parent's (so only as settled as the parent's)."""
    token = value.tokens[0]
    if isinstance(token, PercentageToken):
        return True
    if isinstance(token, IdentToken):
        return token.lower_value in ("larger", "smaller")
    return isinstance(token, DimensionToken) and token.lower_unit in ("em", "rem")
