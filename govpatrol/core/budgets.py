"""Budgets for everything a site controls, and the record of what they cut.

A site decides how large its robots.txt is, how many links a page carries, how many
distinct targets its pages point to and how slowly it answers. Left unbounded, one hostile
page costs a scan gigabytes or hours (issue #18: a 19 MB robots.txt of 950,000 rules took
241 s and 1.5 GiB; a page of 1,000,000 links 2.6 GiB). Each bound is a threshold
(``govpatrol.core.settings.Thresholds``); what it cuts is never dropped silently but recorded
under one key of the scan's stats::

    scan.stats["cut"] = {"<reason>": {"count": N, ...detail}}

so reports can say that a scan was cut, and by which budget.
"""

from __future__ import annotations

import datetime as dt
import re
from dataclasses import dataclass
from itertools import islice
from typing import Any

from sqlmodel import Session

from govpatrol.core.models import Scan

# The reasons, as keys of scan.stats["cut"].
CUT_ROBOTS = "robots_txt"  # robots.txt read only up to its byte or rule budget
CUT_PAGE_LINKS = "page_links"  # links of a page beyond max_links_per_page not taken
CUT_LINK_TARGETS = "link_targets"  # targets beyond max_link_targets not verified
CUT_MAX_PAGES = "max_pages"  # pages beyond max_pages not crawled
CUT_CRAWL_TIME = "crawl_time"  # the crawl's time budget (time_budget_s) ran out
CUT_LINK_VERIFY_TIME = "link_verify_time"  # link verification's budget ran out
CUT_SCAN_TIME = "scan_time"  # the whole scan's budget (scan_budget_s) ran out

EXAMPLES = 5  # URLs kept as examples of what a cut hit

_ROBOTS_RULE = re.compile(rb"^[ \t]*(?:dis)?allow[ \t]*:", re.IGNORECASE | re.MULTILINE)
# Start tags of the elements extract.parse takes links from (LINK_ATTRS); inside scripts it
# also counts strings that look like tags, which only makes the cut come earlier.
_LINK_TAG = re.compile(
    r"<(?:a|area|img|iframe|frame|link|script|object|embed|source|video|audio)(?=[\s/>])",
    re.IGNORECASE,
)


@dataclass(frozen=True)
class RobotsRead:
    """The part of a robots.txt body that is read, and what was left unread."""

    body: bytes
    rules: int  # Allow/Disallow lines in ``body``
    rules_cut: int  # Allow/Disallow lines received but left unread
    bytes_received: int  # what the download kept (it stops past the byte budget)
    stopped: bool = False  # the download stopped at the budget: the file is larger still

    @property
    def cut(self) -> bool:
        return self.stopped or len(self.body) < self.bytes_received


def bound_robots(
    body: bytes, max_bytes: int, max_rules: int, *, stopped: bool = False
) -> RobotsRead:
    """The first ``max_bytes`` of a robots.txt, ending at a line's end, and of that no more
    than ``max_rules`` Allow/Disallow rules. A rule is matched against every URL the crawl
    meets, so each one costs the whole crawl; what follows is ignored, as Google ignores a
    robots.txt past 500 KiB. ``stopped``: the download ended at the budget, not the file."""
    head = body[:max_bytes]
    if len(body) > max_bytes:
        head = head[: head.rfind(b"\n") + 1]  # a rule cut mid-line would be a different rule
    beyond = next(islice(_ROBOTS_RULE.finditer(head), max(max_rules, 0), None), None)
    if beyond is not None:
        head = head[: beyond.start()]
    rules = sum(1 for _ in _ROBOTS_RULE.finditer(head))
    rules_cut = sum(1 for _ in _ROBOTS_RULE.finditer(body, len(head)))
    return RobotsRead(head, rules, rules_cut, len(body), stopped)


@dataclass
class LinkCap:
    """At most ``max_links`` links taken from one page. ``apply`` ends the page's markup
    before the first link-bearing tag past the budget, so neither the crawl's parse nor the
    check worker's ever builds a tree of a million links; ``cut`` then counts the tags
    left out."""

    max_links: int
    cut: int = 0

    def apply(self, text: str) -> str:
        if text.count("<") <= self.max_links:
            # Every link tag starts with "<": a page with no more of those than the budget
            # (nearly every page) cannot be cut. Counting them is ~3 µs a page; the
            # case-blind tag search below ~0.4 ms, paid by the crawl and the check worker.
            return text
        tags = _LINK_TAG.finditer(text)
        beyond = next(islice(tags, max(self.max_links, 0), None), None)
        if beyond is None:
            return text
        self.cut = 1 + sum(1 for _ in tags)
        return text[: beyond.start()]


def record_cut(session: Session, scan_id: int, reason: str, count: int, **detail: Any) -> None:
    """Add a cut to ``scan.stats["cut"]`` (counts of the same reason add up; the caller
    commits)."""
    if count <= 0:
        return
    scan = session.get(Scan, scan_id)
    if scan is None:
        return
    stats = dict(scan.stats or {})
    cuts = dict(stats.get("cut") or {})
    before = cuts.get(reason) or {}
    cuts[reason] = {**before, **detail, "count": int(before.get("count", 0)) + count}
    stats["cut"] = cuts
    scan.stats = stats
    session.add(scan)


def seconds_left(started_at: dt.datetime | None, budget_s: float) -> float:
    """Seconds left of a budget that started at ``started_at`` (a stored time, naive when
    SQLite gives it back: the store writes UTC)."""
    if started_at is None:
        return budget_s
    if started_at.tzinfo is None:
        started_at = started_at.replace(tzinfo=dt.UTC)
    return budget_s - (dt.datetime.now(dt.UTC) - started_at).total_seconds()
