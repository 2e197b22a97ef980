"""Waiting in tests without sleeping blindly: poll a condition, with a bound."""

from __future__ import annotations

import time
from collections.abc import Callable
from typing import TypeVar

T = TypeVar("T")


def wait_for(
    condition: Callable[[], T], what: str, timeout_s: float = 60.0, every_s: float = 0.1
) -> T:
    """The first truthy value of ``condition()``, polled every ``every_s`` seconds; an
    AssertionError naming ``what`` when none comes within ``timeout_s``."""
    deadline = time.monotonic() + timeout_s
    while time.monotonic() < deadline:
        value = condition()
        if value:
            return value
        time.sleep(every_s)
    raise AssertionError(f"not reached within {timeout_s:.0f} s: {what}")


def wait_while_progressing(
    done: Callable[[], T | None],
    progress: Callable[[], object],
    what: str,
    *,
    stall_s: float = 120.0,
    limit_s: float = 1200.0,
    every_s: float = 0.2,
) -> T:
    """The first value of ``done()`` that is not None, polled every ``every_s`` seconds, for
    as long as the work shows progress: an AssertionError naming ``what`` once ``progress()``
    returned the same value for ``stall_s`` seconds, or after ``limit_s`` in all.

    For waits whose length is the machine's load, not the code's: a loaded machine makes the
    work slow, not silent, so a fixed bound either fails it or has to be far too long."""
    started = last_change = time.monotonic()
    seen = progress()
    while True:
        value = done()
        if value is not None:
            return value
        now = time.monotonic()
        if now - started > limit_s:
            raise AssertionError(f"not reached within {limit_s:.0f} s: {what}")
        if now - last_change > stall_s:
            raise AssertionError(f"no progress for {stall_s:.0f} s: {what}")
        time.sleep(every_s)
        current = progress()
        if current != seen:
            seen, last_change = current, time.monotonic()
