"""What a scan's budgets cut (``scan.stats["cut"]``, see govpatrol/core/budgets.py), in words for the
site report, Chinese by default and English complete.

Only numbers and budget settings are shown, never a crawled URL: the words cannot carry
anything a site wrote.
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass
from typing import Any

from reports import labels

# reason → (Chinese, English) from the label table of each language (reports/labels/);
# placeholders are the cut's count and detail
WORDS = labels.pairs("cut_reason")
_FRAME = labels.pairs("cut")
TITLE = _FRAME["title"]
SKIPPED = _FRAME["skipped"]
UNKNOWN = _FRAME["unknown"]


@dataclass(frozen=True)
class CutSummary:
    title: str
    lines: list[str]


def cut_summary(stats: Mapping[str, Any] | None, lang: str = "zh") -> CutSummary | None:
    """The scan's cuts as sentences, or None when nothing was cut."""
    cuts = (stats or {}).get("cut") or {}
    if not cuts:
        return None
    pick = 1 if lang == "en" else 0
    lines = [_sentence(reason, cut or {}, pick) for reason, cut in sorted(cuts.items())]
    return CutSummary(TITLE[pick], lines)


def _sentence(reason: str, cut: Mapping[str, Any], pick: int) -> str:
    values = {key: _shown(value) for key, value in cut.items()}
    names = cut.get("skipped_checks")
    values["skipped"] = SKIPPED[pick].format(names=", ".join(map(str, names))) if names else ""
    words = WORDS.get(f"{reason}_unread" if cut.get("unread") else reason)
    if words is not None:
        try:
            return words[pick].format(**values)
        except KeyError:  # recorded without some detail (another version): say what is known
            pass
    return UNKNOWN[pick].format(reason=reason, count=values.get("count", "?"))


def _shown(value: Any) -> Any:
    """Counts with thousands separators, seconds without a needless ``.0``."""
    if isinstance(value, bool):
        return value
    if isinstance(value, int):
        return f"{value:,}"
    if isinstance(value, float):
        return f"{value:,g}"
    return value
