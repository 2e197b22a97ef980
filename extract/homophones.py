"""Which common characters sound like a character of the rule packs: a small shipped table.

The expression rules generate one-character variants of names and formulations by sound
(same pinyin, ignoring tone). pypinyin's character dictionary says how every character reads,
but loading it costs about 55 MB in each process that builds the matcher (the crawl and its
check worker both do). Only the characters of the rule packs need an answer, so the answer for
them is computed once and shipped as ``rulepacks/homophones.json``:

    .venv/bin/python -m extract.homophones      # after editing a rule pack

tests/test_expression.py fails when the shipped table no longer matches the packs or pypinyin.
"""

from __future__ import annotations

import json
import re
import unicodedata
from collections.abc import Iterable
from functools import cache
from pathlib import Path

PACK_DIR = Path(__file__).parent / "rulepacks"
TABLE_FILE = PACK_DIR / "homophones.json"
_CJK = re.compile(r"[\u4e00-\u9fff]")
_TONE_MARKS = dict.fromkeys(map(ord, "\u0300\u0301\u0304\u030c"))


def pack_characters(pack_dir: Path = PACK_DIR) -> set[str]:
    """Every CJK character written in the rule packs (a superset of those varied)."""
    return {
        ch
        for path in sorted(pack_dir.glob("*.toml"))
        for ch in _CJK.findall(path.read_text("utf-8"))
    }


def _toneless(reading: str) -> str:
    return unicodedata.normalize(
        "NFC", unicodedata.normalize("NFD", reading).translate(_TONE_MARKS)
    )


def _is_common(ch: str) -> bool:
    """In GB 2312: the characters an input method offers first, so the ones typos are made of."""
    try:
        ch.encode("gb2312")
    except UnicodeEncodeError:
        return False
    return True


def compute(chars: Iterable[str]) -> dict[str, str]:
    """character → the common characters read like it (itself left out), from pypinyin.

    pypinyin is imported here only: building the table is a maintainer's step and a test's."""
    from pypinyin.pinyin_dict import pinyin_dict

    by_sound: dict[str, set[str]] = {}
    for code, readings in pinyin_dict.items():
        ch = chr(code)
        if "\u4e00" <= ch <= "\u9fff" and _is_common(ch):
            for reading in readings.split(","):
                by_sound.setdefault(_toneless(reading), set()).add(ch)
    table: dict[str, str] = {}
    for ch in sorted(set(chars)):
        readings = pinyin_dict.get(ord(ch), "")
        sounds: set[str] = set()
        for reading in readings.split(",") if readings else ():
            sounds |= by_sound.get(_toneless(reading), set())
        table[ch] = "".join(sorted(sounds - {ch}))
    return table


@cache
def _shipped() -> dict[str, str]:
    return json.loads(TABLE_FILE.read_text("utf-8"))


def sound_alikes(ch: str) -> frozenset[str]:
    """The common characters read like ``ch`` (tone ignored); empty for a character the
    packs do not use (the table holds those only)."""
    return frozenset(_shipped().get(ch, ""))


def write_table(path: Path = TABLE_FILE) -> int:
    """Recompute the table for the packs' characters and write it; the number of characters."""
    table = compute(pack_characters())
    text = json.dumps(table, ensure_ascii=False, indent=0, sort_keys=True)
    path.write_text(text + "\n", encoding="utf-8")
    return len(table)


if __name__ == "__main__":
    print(f"{TABLE_FILE}: {write_table()} characters")
