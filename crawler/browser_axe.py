"""axe-core in a page: the bundle and its version, ``runPartial`` in every frame (cross-origin
frames included), merged by ``finishRun`` into one list of violations."""

from __future__ import annotations

import contextlib
import re
from pathlib import Path
from typing import Any

from playwright.async_api import Error as PlaywrightError
from playwright.async_api import Frame, Page

from crawler.browser_results import Laps, Violation
from crawler.browser_static import RenderedDomRules, rendered_dom_violations

AXE_TAGS = ("wcag2a", "wcag2aa", "wcag21a", "wcag21aa")
# Bump when what the browser audit reports changes, so reused results of older scans expire.
# 2: requests pass the SSRF guard; earlier audits may hold what a page fetched from inside.
# 3: color-contrast violations carry axe's measurements (colours, ratio, text size).
# 4: the rules the static rules implement are judged by them on the rendered DOM.
# 5: the keyboard walk goes on through a frame (it called the controls after one unreachable).
BROWSER_CHECKS_VERSION = "5"
SNIPPET_MAX = 240


def _axe_path() -> Path:
    import axe_playwright_python

    return Path(axe_playwright_python.__file__).with_name("axe.min.js")


_AXE_SOURCE: str | None = None


def axe_source() -> str:
    """axe-core's bundle as shipped by the ``axe-playwright-python`` package (read once)."""
    global _AXE_SOURCE
    if _AXE_SOURCE is None:
        _AXE_SOURCE = _axe_path().read_text(encoding="utf-8")
    return _AXE_SOURCE


def axe_init_script() -> str:
    """axe-core for every new document of a tab, except the ``about:blank`` the tab passes
    through between two audits (``crawler.browser._Tab.forget_visitor``): nothing is audited
    there, and running the 570 KB bundle on it cost Chromium ~0.015 CPU-s a page. Child
    frames at about:blank keep it: axe walks every frame of an audited page."""
    return (
        "if (!(window === window.top && location.href === 'about:blank')) {\n"
        + axe_source()
        + "\n}"
    )


def axe_version() -> str:
    match = re.search(r"axe v(\d+\.\d+\.\d+)", axe_source()[:200])
    return match.group(1) if match else "unknown"


def ruleset_version() -> str:
    """Identifies what an audit checked: reused results must come from the same rule set."""
    return f"axe-{axe_version()};{','.join(AXE_TAGS)};gp-{BROWSER_CHECKS_VERSION}"


_JS_AXE_FRAMES = "(context) => axe.utils.getFrameContexts(context || document)"
_JS_AXE_PARTIAL = "([context, options]) => axe.runPartial(context || document, options)"
_JS_AXE_FINISH = "([partials, options]) => axe.finishRun(partials, options)"
# null where the page replaced ``axe`` (the caller adds it again and walks the frames)
_JS_AXE_RUN = """(options) => (typeof window.axe === 'object' && !!window.axe.runPartial)
    ? axe.run(document, {...options, iframes: false}) : null"""
_JS_SHADOW_SELECT = "(selector) => axe.utils.shadowSelect(selector)"


_JS_AXE_META = "(tags) => axe.getRules(tags).map(r => [r.ruleId, r.help, r.helpUrl, r.tags])"
_META: dict[str, dict[str, Any]] = {}  # axe's help, help URL and tags per rule (read once)


def _axe_options(dom_rules: RenderedDomRules | None) -> dict[str, Any]:
    return {
        "runOnly": {"type": "tag", "values": list(AXE_TAGS)},
        # rules judged on the rendered DOM by the caller's rules instead
        "rules": dom_rules.axe_rules_off() if dom_rules else {},
        "resultTypes": ["violations"],
        "elementRef": False,
        "xpath": False,
        "ancestry": False,
    }


async def run_axe(
    page: Page, dom_rules: RenderedDomRules | None, laps: Laps
) -> tuple[list[Violation], int]:
    """axe-core in the page and every frame below it (``dom_rules``' rules judged on the
    same frames' rendered DOM instead): the violations, and how many frames were audited.
    ``laps``: where axe's and the rendered-DOM rules' seconds are recorded."""
    options = _axe_options(dom_rules)
    audited: list[Frame] = [page.main_frame]
    raw = None
    if len(page.frames) == 1:
        # no frame below the page: one axe.run, without the partial results' trip through
        # Python and back (what runPartial + finishRun would merge is this run's result)
        frames = 1
        raw = await page.main_frame.evaluate(_JS_AXE_RUN, options)
    if raw is None:  # frames to walk, or ``axe`` clobbered by the page
        partials: list[Any] = []
        audited = []
        frames = await _partial_tree(page.main_frame, None, options, partials, audited, 0)
        raw = await page.main_frame.evaluate(_JS_AXE_FINISH, [partials, options])
    violations = [_violation(v) for v in raw.get("violations", [])]
    laps.lap("axe")
    if dom_rules is not None:
        if not _META:
            for rule, help_text, help_url, tags in await page.main_frame.evaluate(
                _JS_AXE_META, list(AXE_TAGS)
            ):
                _META[rule] = {"help": help_text, "helpUrl": help_url, "tags": tags}
        violations += await rendered_dom_violations(audited, dom_rules, _META)
        laps.lap("dom_rules")
    return violations, frames


async def _partial_tree(
    frame: Frame,
    context: Any,
    options: dict[str, Any],
    partials: list[Any],
    audited: list[Frame],
    depth: int,
) -> int:
    """runPartial in ``frame``, then in each child frame in axe's order (finishRun needs it)."""
    await _inject_axe(frame)
    contexts = await frame.evaluate(_JS_AXE_FRAMES, context)
    partials.append(await frame.evaluate(_JS_AXE_PARTIAL, [context, options]))
    audited.append(frame)
    count = 1
    for entry in contexts:
        child: Frame | None = None
        if depth < 4:
            with contextlib.suppress(PlaywrightError):
                handle = await frame.evaluate_handle(_JS_SHADOW_SELECT, entry["frameSelector"])
                element = handle.as_element()
                child = await element.content_frame() if element is not None else None
        if child is None:
            partials.append(None)  # axe reports the frame as not audited
            continue
        mark, seen = len(partials), len(audited)
        try:
            count += await _partial_tree(
                child, entry["frameContext"], options, partials, audited, depth + 1
            )
        except PlaywrightError:  # a frame that went away mid-audit: drop all it added
            del partials[mark:]
            del audited[seen:]
            partials.append(None)
    return count


async def _inject_axe(frame: Frame) -> None:
    if not await frame.evaluate("() => typeof window.axe === 'object' && !!window.axe.runPartial"):
        await frame.evaluate(axe_source())


def _flatten_target(target: Any) -> str:
    if isinstance(target, list):
        return " >>> ".join(_flatten_target(part) for part in target)
    return str(target)


def _violation(raw: dict[str, Any]) -> Violation:
    nodes = raw.get("nodes") or []
    first = nodes[0] if nodes else {}
    snippet = re.sub(r"\s+", " ", first.get("html") or "").strip()
    if len(snippet) > SNIPPET_MAX:
        snippet = snippet[: SNIPPET_MAX - 1] + "…"
    return Violation(
        rule=raw["id"],
        impact=raw.get("impact"),
        nodes=len(nodes),
        target=_flatten_target(first.get("target") or []),
        snippet=snippet,
        help=raw.get("help") or "",
        help_url=raw.get("helpUrl") or "",
        tags=list(raw.get("tags") or []),
        evidence=_contrast_evidence(first) if raw["id"] == "color-contrast" else {},
    )


_PX = re.compile(r"\(([\d.]+)px\)")
_RATIO = re.compile(r"^([\d.]+)")


def _contrast_evidence(node: dict[str, Any]) -> dict[str, Any]:
    """axe's color-contrast data of one node, in the keys the static rule writes:
    ``fontSize`` "10.5pt (14px)" → 14.0, ``expectedContrastRatio`` "4.5:1" → 4.5."""
    data: dict[str, Any] = {}
    for check in node.get("any") or []:
        if check.get("id") == "color-contrast" and isinstance(check.get("data"), dict):
            data = check["data"]
    if not data:
        return {}
    found: dict[str, Any] = {}
    if data.get("fgColor"):
        found["foreground"] = str(data["fgColor"])
    if data.get("bgColor"):
        found["background"] = str(data["bgColor"])
    if isinstance(data.get("contrastRatio"), int | float):
        found["contrast_ratio"] = float(data["contrastRatio"])
    expected = _RATIO.match(str(data.get("expectedContrastRatio") or ""))
    if expected:
        found["required_ratio"] = float(expected.group(1))
    size = _PX.search(str(data.get("fontSize") or ""))
    if size:
        found["font_size"] = round(float(size.group(1)), 1)
    if data.get("fontWeight"):
        found["bold"] = data["fontWeight"] == "bold"
    return found
