"""The rule packs of ``expression_error``: data files shipped with the code, read and checked here.

Three packs (TOML, one file each, in this folder): ``leaders.toml`` (who held which title of
the Party and the State, from when to when), ``formulations.toml`` (fixed political
formulations and names of state organs) and ``typos.toml`` (known confusion typos, wrong →
right). Every entry names its ``source`` (the document or reference that establishes it) and its
validity period (``valid_from``, and ``valid_to`` unless it still holds): a pack is public data
a webmaster can check, so a rule nobody can trace back is refused at load, as is a malformed
one, with the file and the entry named.
"""

from __future__ import annotations

import datetime as dt
import tomllib
from collections.abc import Mapping
from dataclasses import dataclass
from functools import cache
from pathlib import Path
from typing import Any

PACK_DIR = Path(__file__).parent


class RulePackError(ValueError):
    """A rule pack that cannot be used, with the file and entry at fault."""


@dataclass(frozen=True)
class Validity:
    """When a rule applies: from ``valid_from`` to ``valid_to`` inclusive (None: still holds)."""

    valid_from: dt.date
    valid_to: dt.date | None

    def holds_on(self, day: dt.date) -> bool:
        return self.valid_from <= day and (self.valid_to is None or day <= self.valid_to)


@dataclass(frozen=True)
class TitleForms:
    """How a title stands next to a name: before it in full (国务院总理李强), after it in short
    (李强总理); ``after_unique`` says the short form names this one office only."""

    title: str
    before: tuple[str, ...]
    after: tuple[str, ...]
    after_unique: bool


@dataclass(frozen=True)
class Tenure:
    """One person holding one title over one period."""

    id: str
    name: str
    title: str
    validity: Validity
    source: str


@dataclass(frozen=True)
class Formulation:
    id: str
    text: str
    validity: Validity
    source: str


@dataclass(frozen=True)
class Typo:
    id: str
    wrong: str
    right: str
    validity: Validity
    source: str


@dataclass(frozen=True)
class RulePacks:
    titles: Mapping[str, TitleForms]
    tenures: tuple[Tenure, ...]
    formulations: tuple[Formulation, ...]
    typos: tuple[Typo, ...]

    def correct_terms(self) -> frozenset[str]:
        """Every right text the packs know: a variant equal to one of them is no error."""
        return frozenset(
            {t.name for t in self.tenures}
            | {f.text for f in self.formulations}
            | {t.right for t in self.typos}
        )


# -- validation ------------------------------------------------------------------------------------


class _Entry:
    """One table of a pack file, read field by field with errors that name it."""

    def __init__(self, file: str, kind: str, index: int, raw: Any) -> None:
        if not isinstance(raw, dict):
            raise RulePackError(f"{file}: {kind} #{index + 1} is not a table")
        self.raw = raw
        self.where = f"{file}: {kind} #{index + 1} ({raw.get('id', 'no id')})"

    def text(self, key: str) -> str:
        value = self.raw.get(key)
        if not isinstance(value, str) or not value.strip():
            raise RulePackError(f"{self.where}: '{key}' must be a non-empty string")
        return value.strip()

    def date(self, key: str, *, required: bool) -> dt.date | None:
        value = self.raw.get(key)
        if value is None and not required:
            return None
        # TOML's bare dates load as datetime.date; a quoted string or a datetime is refused
        if not isinstance(value, dt.date) or isinstance(value, dt.datetime):
            raise RulePackError(f"{self.where}: '{key}' must be a date such as 2023-03-11")
        return value

    def validity(self) -> Validity:
        start = self.date("valid_from", required=True)
        end = self.date("valid_to", required=False)
        assert start is not None
        if end is not None and end < start:
            raise RulePackError(f"{self.where}: valid_to {end} is before valid_from {start}")
        return Validity(start, end)

    def only(self, *keys: str) -> None:
        unknown = set(self.raw) - set(keys)
        if unknown:
            raise RulePackError(f"{self.where}: unknown key(s) {', '.join(sorted(unknown))}")


def _load(path: Path) -> dict[str, Any]:
    try:
        return tomllib.loads(path.read_text("utf-8"))
    except (OSError, tomllib.TOMLDecodeError) as exc:
        raise RulePackError(f"{path.name}: {exc}") from exc


def _unique_ids(file: str, ids: list[str]) -> None:
    seen: set[str] = set()
    for entry_id in ids:
        if entry_id in seen:
            raise RulePackError(f"{file}: id {entry_id!r} is used twice")
        seen.add(entry_id)


def _titles(file: str, raw: Any) -> dict[str, TitleForms]:
    if not isinstance(raw, dict) or not raw:
        raise RulePackError(f"{file}: [titles] is missing")
    titles = {}
    for title, forms in raw.items():
        entry = _Entry(file, "title", 0, forms)
        entry.where = f"{file}: title {title}"
        entry.only("before", "after", "after_unique")
        before, after = forms.get("before"), forms.get("after", [])
        if (
            not isinstance(before, list)
            or not before
            or not all(isinstance(b, str) for b in before)
        ):
            raise RulePackError(f"{entry.where}: 'before' must list the full forms")
        if not isinstance(after, list) or not all(isinstance(a, str) for a in after):
            raise RulePackError(f"{entry.where}: 'after' must list the short forms")
        if not isinstance(forms.get("after_unique", False), bool):
            raise RulePackError(f"{entry.where}: 'after_unique' must be true or false")
        titles[title] = TitleForms(
            title, tuple(before), tuple(after), forms.get("after_unique", False)
        )
    return titles


def _entries(file: str, data: dict[str, Any], kind: str) -> list[_Entry]:
    raw = data.get(kind)
    if not isinstance(raw, list) or not raw:
        raise RulePackError(f"{file}: no [[{kind}]] entries")
    entries = [_Entry(file, kind, i, item) for i, item in enumerate(raw)]
    _unique_ids(file, [e.text("id") for e in entries])
    return entries


def _leaders(path: Path) -> tuple[dict[str, TitleForms], tuple[Tenure, ...]]:
    data = _load(path)
    titles = _titles(path.name, data.get("titles"))
    tenures = []
    for e in _entries(path.name, data, "tenure"):
        e.only("id", "name", "title", "valid_from", "valid_to", "source")
        title = e.text("title")
        if title not in titles:
            raise RulePackError(f"{e.where}: title {title!r} is not one of [titles]")
        tenures.append(Tenure(e.text("id"), e.text("name"), title, e.validity(), e.text("source")))
    return titles, tuple(tenures)


def _formulations(path: Path) -> tuple[Formulation, ...]:
    out = []
    for e in _entries(path.name, _load(path), "formulation"):
        e.only("id", "text", "valid_from", "valid_to", "source")
        text = e.text("text")
        if len(text) < 5:  # shorter ones have one-character variants that are ordinary words
            raise RulePackError(f"{e.where}: a formulation needs at least 5 characters")
        out.append(Formulation(e.text("id"), text, e.validity(), e.text("source")))
    return tuple(out)


def _typos(path: Path) -> tuple[Typo, ...]:
    out = []
    for e in _entries(path.name, _load(path), "typo"):
        e.only("id", "wrong", "right", "valid_from", "valid_to", "source")
        wrong, right = e.text("wrong"), e.text("right")
        if wrong == right:
            raise RulePackError(f"{e.where}: 'wrong' and 'right' are the same")
        out.append(Typo(e.text("id"), wrong, right, e.validity(), e.text("source")))
    return tuple(out)


def load_packs(folder: Path = PACK_DIR) -> RulePacks:
    """Read and check the three packs in ``folder``; raises RulePackError naming what is wrong."""
    titles, tenures = _leaders(folder / "leaders.toml")
    return RulePacks(
        titles=titles,
        tenures=tenures,
        formulations=_formulations(folder / "formulations.toml"),
        typos=_typos(folder / "typos.toml"),
    )


@cache
def shipped_packs() -> RulePacks:
    """The packs shipped in this folder, read once per process."""
    return load_packs()
