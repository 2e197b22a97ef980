"""The points trend as an inline SVG: no chart library, no script, prints as crisply as text."""

from __future__ import annotations

import datetime as dt
from collections.abc import Callable
from dataclasses import dataclass

from markupsafe import Markup, escape

from scoring.scorer import PASS


@dataclass(frozen=True)
class TrendPoint:
    day: dt.date
    points: float
    verdict: str


_PASS_COLOUR = "#1a7f37"
_FAIL_COLOUR = "#c62828"


def trend_svg(
    points: list[TrendPoint],
    *,
    end: dt.date,
    weeks: int = 12,
    pass_mark: float = 60.0,
    label: str = "",
    verdict_label: Callable[[str], str] = str,
    width: int = 720,
    height: int = 220,
) -> Markup:
    """A line of points per scan over ``weeks`` weeks ending ``end``, with the pass mark."""
    left, right, top, bottom = 40, 16, 16, 30
    plot_w, plot_h = width - left - right, height - top - bottom
    start = end - dt.timedelta(weeks=weeks)
    span = max((end - start).days, 1)
    y_max = max([100.0, *(p.points for p in points)])
    y_max = float(int((y_max + 9.999) // 10 * 10))  # round up to a multiple of 10

    def x(day: dt.date) -> float:
        return left + plot_w * (day - start).days / span

    def y(value: float) -> float:
        return top + plot_h * (1 - max(0.0, value) / y_max)

    parts = [
        f'<svg xmlns="http://www.w3.org/2000/svg" class="trend" viewBox="0 0 {width} {height}" '
        f'width="{width}" height="{height}" role="img" aria-label="{escape(label)}">',
        f"<title>{escape(label)}</title>",
    ]
    for value in range(0, int(y_max) + 1, 20):
        yy = y(value)
        parts.append(
            f'<line x1="{left}" y1="{yy:.1f}" x2="{width - right}" y2="{yy:.1f}" '
            'stroke="#e3e6ea" stroke-width="1"/>'
            f'<text x="{left - 6}" y="{yy + 4:.1f}" text-anchor="end" font-size="11" '
            f'fill="#667085">{value}</text>'
        )
    yy = y(pass_mark)
    parts.append(
        f'<line x1="{left}" y1="{yy:.1f}" x2="{width - right}" y2="{yy:.1f}" '
        f'stroke="{_FAIL_COLOUR}" stroke-width="1" stroke-dasharray="5 4"/>'
    )
    ordered = sorted(points, key=lambda p: p.day)
    if len(ordered) > 1:
        path = " ".join(f"{x(p.day):.1f},{y(p.points):.1f}" for p in ordered)
        parts.append(f'<polyline points="{path}" fill="none" stroke="#1f5fa8" stroke-width="2"/>')
    last_label_x = -1e9
    for p in ordered:
        px, py = x(p.day), y(p.points)
        colour = _PASS_COLOUR if p.verdict == PASS else _FAIL_COLOUR
        text = f"{p.day.isoformat()} {p.points:g} {verdict_label(p.verdict)}"
        parts.append(
            f'<circle cx="{px:.1f}" cy="{py:.1f}" r="4.5" fill="{colour}">'
            f"<title>{escape(text)}</title></circle>"
        )
        if px - last_label_x >= 42:  # keep date labels from overlapping
            last_label_x = px
            parts.append(
                f'<text x="{px:.1f}" y="{py - 9:.1f}" text-anchor="middle" font-size="11" '
                f'fill="{colour}">{p.points:g}</text>'
                f'<text x="{px:.1f}" y="{height - 10}" text-anchor="middle" font-size="11" '
                f'fill="#667085">{p.day:%m-%d}</text>'
            )
    parts.append("</svg>")
    return Markup("".join(parts))
