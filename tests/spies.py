"""Counting the calls code under test makes, so a test can assert *why* the code is cheap.

The engineering standard keeps timing out of unit tests (a loaded machine makes any bound
flaky, and bench/checks.py measures the speed). What makes a hook cheap is usually that it
skips work: a pre-filter returns before the expensive step, a lazy value is computed for a
few elements only. Those skips are behaviour, and counting calls observes them exactly.
"""

from __future__ import annotations

import functools
from collections import Counter
from collections.abc import Callable
from typing import Any

import pytest


def _counted(calls: Counter[str], name: str, real: Callable[..., Any]) -> Callable[..., Any]:
    @functools.wraps(real)
    def wrapper(*args: Any, **kwargs: Any) -> Any:
        calls[name] += 1
        return real(*args, **kwargs)

    return wrapper


def count_calls(monkeypatch: pytest.MonkeyPatch, owner: object, *names: str) -> Counter[str]:
    """Wrap ``owner.<name>`` for each name (the real function still runs) and return the
    live counter of their calls. Patch the module that *calls* the function: a module that
    did ``from x import f`` looks ``f`` up in its own namespace."""
    calls: Counter[str] = Counter()
    for name in names:
        monkeypatch.setattr(owner, name, _counted(calls, name, getattr(owner, name)))
    return calls


def record_calls(
    monkeypatch: pytest.MonkeyPatch, owner: object, name: str
) -> list[tuple[Any, Any]]:
    """Wrap ``owner.<name>`` (the real function still runs) and return the live list of
    (first argument, result) of each call, in the order the calls return. The first
    argument is the element asked about, or the instance when the name is a method patched
    on its class, so a test can assert that nothing is asked twice, which a count alone
    does not show. The list keeps lxml's element proxies alive, so one node is always the
    same Python object in it."""
    seen: list[tuple[Any, Any]] = []
    real = getattr(owner, name)

    @functools.wraps(real)
    def wrapper(*args: Any, **kwargs: Any) -> Any:
        result = real(*args, **kwargs)
        seen.append((args[0] if args else None, result))
        return result

    monkeypatch.setattr(owner, name, wrapper)
    return seen
