"""The labels of the reports, the exports and the dashboard: one table per language.

``zh.LABELS`` and ``en.LABELS`` hold the same keys (``section.name``). Chinese is the default:
any language but English reads the Chinese table, as every page and report did before the
tables were merged. A missing key raises KeyError, so a typo fails the tests instead of
printing a key or a Chinese word in an English page.
"""

from __future__ import annotations

from reports.labels import en, zh

LANGS = ("zh", "en")


def label(key: str, lang: str) -> str:
    """The label ``key`` (``section.name``) in ``lang``."""
    return (en.LABELS if lang == "en" else zh.LABELS)[key]


def pairs(section: str) -> dict[str, tuple[str, str]]:
    """The labels of ``section`` as ``name → (Chinese, English)``, in the table's order: the
    shape reports.i18n.from_table and the exports read."""
    prefix = section + "."
    return {
        key.removeprefix(prefix): (text, en.LABELS[key])
        for key, text in zh.LABELS.items()
        if key.startswith(prefix)
    }
