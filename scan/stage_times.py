"""Where a scan's time goes: wall and CPU seconds of each stage (the crawl, each site check,
scoring), kept in ``scan.stats["stages"]`` so a slow scan can be read without a profiler.

CPU counts every thread of this process and the child processes it has waited for: the
crawl's page-check worker is joined when the crawl ends, so its CPU falls in the crawl's
stage, as does a crawl run in a child process."""

from __future__ import annotations

import contextlib
import resource
import time
from collections.abc import Iterator


def cpu_seconds() -> float:
    """User and system CPU of this process and its waited-for children, so far."""
    own = resource.getrusage(resource.RUSAGE_SELF)
    children = resource.getrusage(resource.RUSAGE_CHILDREN)
    return own.ru_utime + own.ru_stime + children.ru_utime + children.ru_stime


class StageTimes:
    """Stage name → {"wall_s", "cpu_s"}, in the order the stages ran."""

    def __init__(self) -> None:
        # what the process spent before the scan started (interpreter start, imports,
        # the command's own preflight), so the stages add up to the whole; every scan
        # command (govpatrol scan, run-scan) is a process of its own
        self.stages: dict[str, dict[str, float]] = {"before": {"cpu_s": round(cpu_seconds(), 3)}}

    @contextlib.contextmanager
    def stage(self, name: str) -> Iterator[None]:
        wall, cpu = time.perf_counter(), cpu_seconds()
        try:
            yield
        finally:
            self.stages[name] = {
                "wall_s": round(time.perf_counter() - wall, 3),
                "cpu_s": round(cpu_seconds() - cpu, 3),
            }
