"""What a browser audit of one page found: axe violations, the keyboard walk, pop-ups, ads,
and how the page's requests fared."""

from __future__ import annotations

import time
from dataclasses import dataclass, field
from typing import Any


@dataclass
class Violation:
    """One axe rule that failed on a page (all frames merged)."""

    rule: str
    impact: str | None
    nodes: int
    target: str  # sample selector; frames and shadow roots joined by " >>> "
    snippet: str
    help: str
    help_url: str
    tags: list[str] = field(default_factory=list)
    # what axe measured on the sample node, for rules that measure (color-contrast: the
    # colours, the ratio, the ratio required and the text size), in the static rule's keys
    evidence: dict[str, Any] = field(default_factory=dict)


@dataclass
class Sample:
    selector: str
    snippet: str


@dataclass
class TabWalk:
    """What the keyboard walk saw. ``completed``: focus came back round within the bound."""

    stops: int = 0
    completed: bool = False
    no_focus_indicator: int = 0
    no_focus_samples: list[Sample] = field(default_factory=list)
    unreachable: int = 0
    unreachable_samples: list[Sample] = field(default_factory=list)


@dataclass
class Popup:
    """Something that interrupts a visitor on load without being asked for."""

    kind: str  # overlay | dialog | window_open | alert | floating
    selector: str = ""
    snippet: str = ""
    coverage: float = 0.0  # share of the viewport covered (overlays)
    text: str = ""


@dataclass
class AdHit:
    kind: str  # script | frame | element
    where: str  # URL or selector
    reason: str


@dataclass
class PageAudit:
    url: str
    final_url: str | None = None
    status: int | None = None
    violations: list[Violation] = field(default_factory=list)
    tab_walk: TabWalk | None = None
    popups: list[Popup] = field(default_factory=list)
    ad_scripts: list[AdHit] = field(default_factory=list)
    care_mode_entry: str | None = None  # text of a 无障碍/关怀版 entry seen in the rendered DOM
    load_complete: bool = False
    # the page proved quiet early after load (``crawler.browser_settle``): the on-load checks
    # ran then rather than after the whole settle time
    settled_quiet: bool = False
    frames: int = 0
    error: str | None = None
    elapsed_s: float = 0.0
    # every request of the audit passed the SSRF guard: answered, refused, or failed
    requests_fulfilled: int = 0
    requests_refused: int = 0
    requests_failed: int = 0
    requests_skipped: int = 0  # fonts and media not fetched, images answered by their size
    refused_urls: list[str] = field(default_factory=list)  # the first few
    left_site: str | None = None  # where the page's main frame tried to go, audit ended
    # wall seconds of each step of the audit (tab, goto, load, settle, onload, axe, dom_rules,
    # keyboard), for the benchmark's breakdown of where browser time goes
    timings: dict[str, float] = field(default_factory=dict)


class Laps:
    """Wall seconds between successive ``lap`` calls, added up per step name into ``into``."""

    def __init__(self, into: dict[str, float]) -> None:
        self.into = into
        self.last = time.monotonic()

    def lap(self, step: str) -> None:
        now = time.monotonic()
        self.into[step] = round(self.into.get(step, 0.0) + now - self.last, 4)
        self.last = now
