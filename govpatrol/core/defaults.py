"""Default factories for the store's rows that cost nothing to inspect.

Pydantic asks ``inspect.signature`` of a field's default factory every time a table row is
built without that field (to learn whether the factory wants the validated data). For
``list`` and ``dict`` that means parsing their text signatures: about 140 µs per field per
row, which made building one ``ListPage`` or ``Document`` row cost 0.3–0.5 ms on every
crawled page. These factories carry their (empty) signature with them, which
``inspect.signature`` returns at once; what they make is unchanged.
"""

from __future__ import annotations

import datetime as dt
import inspect
from collections.abc import Callable
from typing import Any, TypeVar

from govpatrol.core.clock import utcnow

_NO_PARAMETERS = inspect.Signature()
T = TypeVar("T")


def _inspected(make: Callable[[], T]) -> Callable[[], T]:
    def factory() -> T:
        return make()

    factory.__signature__ = _NO_PARAMETERS  # type: ignore[attr-defined]
    factory.__name__ = factory.__qualname__ = getattr(make, "__name__", "factory")
    return factory


new_list: Callable[[], list[Any]] = _inspected(list)
new_dict: Callable[[], dict[str, Any]] = _inspected(dict)
now: Callable[[], dt.datetime] = _inspected(utcnow)
