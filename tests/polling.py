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
