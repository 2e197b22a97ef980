"""Where a browser audit's time goes, step by step (issue 24): wall seconds of each step
(``PageAudit.timings``) and the CPU seconds Chromium's process tree and this process spent
in it, per audited page, on the spread sample of a generated portal, all on 127.0.0.1.

    .venv/bin/python bench/a11y_steps.py [--pages 30] [--extra-pages 200] [--tabs 1]

With one tab (the default) the steps of one page never overlap another's, so each step's
CPU is its own; with more, the CPU of a step includes what the other tabs did meanwhile.
"""

from __future__ import annotations

import argparse
import sys
import tempfile
import time
from pathlib import Path
from typing import ClassVar

sys.path.insert(0, str(Path(__file__).resolve().parents[1]))

import psutil

from bench.a11y import AS_OF, sample_paths
from bench.common import static_server
from checks.a11y_rendered import rendered_dom_rules
from crawler import browser, browser_results
from crawler.browser import audit_pages_sync
from sampleportal.generate import generate_portal


def _tree_cpu(me: psutil.Process) -> float:
    total = 0.0
    for child in me.children(recursive=True):
        try:
            times = child.cpu_times()
        except psutil.Error:  # a renderer that ended meanwhile
            continue
        total += times.user + times.system
    return total


class _CpuLaps(browser_results.Laps):
    """``Laps`` that also adds up, per step, the CPU of Chromium's tree and of this process."""

    me = psutil.Process()
    cpu: ClassVar[dict[str, list[float]]] = {}  # step → [Chromium's, this process's], summed

    def __init__(self, into: dict[str, float]) -> None:
        super().__init__(into)
        self.tree, self.own = _tree_cpu(self.me), time.process_time()

    def lap(self, step: str) -> None:
        super().lap(step)
        tree, own = _tree_cpu(self.me), time.process_time()
        spent = self.cpu.setdefault(step, [0.0, 0.0])
        spent[0] += tree - self.tree
        spent[1] += own - self.own
        self.tree, self.own = tree, own


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--pages", type=int, default=30)
    parser.add_argument("--extra-pages", type=int, default=200)
    parser.add_argument("--tabs", type=int, default=1)
    args = parser.parse_args()
    browser.Laps = _CpuLaps  # type: ignore[misc]  # the audit's clock, as crawler.browser names it
    with tempfile.TemporaryDirectory(prefix="bench-a11y-steps-") as work:
        portal = Path(work) / "portal"
        generate_portal(portal, AS_OF, extra_pages=args.extra_pages)
        paths = sample_paths(portal / "site", args.pages)
        with static_server(portal) as base:
            started = time.perf_counter()
            audits = audit_pages_sync(
                [base + p for p in paths], tabs=args.tabs, dom_rules=rendered_dom_rules()
            )
            wall = time.perf_counter() - started
    count = len(audits)
    walls: dict[str, float] = {}
    for audit in audits:
        for step, seconds in audit.timings.items():
            walls[step] = walls.get(step, 0.0) + seconds
    quiet = sum(1 for a in audits if a.settled_quiet)
    errors = sum(1 for a in audits if a.error)
    print(
        f"{count} pages, {args.tabs} tab(s), {wall:.1f}s wall, {errors} errors, "
        f"{quiet} settled quiet early, {sum(len(a.violations) for a in audits)} violations"
    )
    print("| step | wall s per page | Chromium CPU s per page | govpatrol CPU s per page |")
    print("|---|---|---|---|")
    for step, seconds in walls.items():
        chromium, own = _CpuLaps.cpu.get(step, [0.0, 0.0])
        print(f"| {step} | {seconds / count:.3f} | {chromium / count:.3f} | {own / count:.3f} |")


if __name__ == "__main__":
    main()
