"""Colours as the contrast rule reads them: CSS colour values (tinycss2's CSS Color 3 parser:
names, hex, rgb(), rgba(), hsl(), hsla()), the legacy ``<font color>`` / ``bgcolor`` attribute
values, and WCAG 2.x contrast computed the way axe-core 4.x computes it."""

from __future__ import annotations

import math
import re
from collections.abc import Sequence
from dataclasses import dataclass

import tinycss2.color3
from tinycss2.ast import Node


@dataclass(frozen=True)
class Rgba:
    """sRGB channels in 0…1 and alpha in 0…1."""

    red: float
    green: float
    blue: float
    alpha: float

    @property
    def opaque(self) -> bool:
        return self.alpha >= 1.0

    @property
    def clear(self) -> bool:
        return self.alpha <= 0.0

    def hex(self) -> str:
        """``#rrggbb`` as axe's ``toHexString`` writes it (alpha left out)."""
        return "#" + "".join(f"{round(c * 255):02x}" for c in (self.red, self.green, self.blue))


# What a colour value may be besides a colour: ``currentcolor`` (the element's own ``color``).
CURRENT_COLOR = "currentcolor"
ColourValue = Rgba | str

WHITE = Rgba(1.0, 1.0, 1.0, 1.0)
BLACK = Rgba(0.0, 0.0, 0.0, 1.0)

_BARE_HEX = re.compile(r"[0-9a-fA-F]{6}|[0-9a-fA-F]{3}")


def parse_colour(value: str | Sequence[Node]) -> ColourValue | None:
    """A CSS colour (text, or a value's tokens) → :class:`Rgba`, ``currentcolor``, or None
    when it is not one colour this parser knows (CSS Color 4 syntax, system colours)."""
    if not isinstance(value, str):
        if len(value) != 1:
            return None
        parsed = tinycss2.color3.parse_color(value[0])
    else:
        parsed = tinycss2.color3.parse_color(value)
    if parsed is None:
        return None
    if isinstance(parsed, str):  # tinycss2 spells it currentColor
        return CURRENT_COLOR
    return Rgba(parsed.red, parsed.green, parsed.blue, parsed.alpha)


def parse_legacy_colour(value: str) -> Rgba | None:
    """A presentational colour attribute (``<font color="999999">``): what CSS accepts,
    plus the hex digits without ``#`` that browsers still honour. Anything stranger (the
    HTML "legacy colour" repair of junk values) is left unknown."""
    text = value.strip()
    if not text:
        return None
    if _BARE_HEX.fullmatch(text):
        text = "#" + text
    parsed = parse_colour(text)
    return parsed if isinstance(parsed, Rgba) else None


def relative_luminance(colour: Rgba) -> float:
    """WCAG 2.x relative luminance, with the 0.04045 sRGB knee axe-core uses."""

    def linear(channel: float) -> float:
        if channel <= 0.04045:
            return channel / 12.92
        return math.pow((channel + 0.055) / 1.055, 2.4)

    return (
        0.2126 * linear(colour.red) + 0.7152 * linear(colour.green) + 0.0722 * linear(colour.blue)
    )


def contrast_ratio(foreground: Rgba, background: Rgba) -> float:
    """(L1 + 0.05) / (L2 + 0.05) of two opaque colours, unrounded."""
    one, two = relative_luminance(foreground), relative_luminance(background)
    return (max(one, two) + 0.05) / (min(one, two) + 0.05)


def reported_ratio(ratio: float) -> float:
    """The ratio as axe reports it: truncated (not rounded) to two decimals."""
    return math.floor(ratio * 100) / 100
