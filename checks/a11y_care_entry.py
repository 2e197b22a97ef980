"""The 适老化 care-mode entry: evidence that a page links to a 无障碍/关怀版 (elderly) mode."""

from __future__ import annotations

import re

import lxml.html

# Words that name an accessible / elderly mode entry on Chinese government portals.
CARE_MODE_KEYWORDS = (
    "无障碍",
    "关怀版",
    "关爱版",
    "长者模式",
    "长者版",
    "长辈版",
    "老年模式",
    "老年版",
    "适老化",
    "大字版",
    "读屏",
)
# Toolbar scripts that put such an entry on the page when they run (seen on real portals:
# Hanweb's accessiblereading/load.js with id="barrierfree", barrier_free.js, aria.js).
_CARE_SCRIPT = re.compile(r"accessiblereading|barrier_?free|(?:^|/)aria\.js|(?:^|/)wza", re.I)
_ENTRY_MAX_CHARS = 16  # an entry is a short label; a news title mentioning 适老化 is not one


def find_care_entry(tree: lxml.html.HtmlElement) -> str | None:
    """Evidence of an entry to a 无障碍/关怀版 mode: a short control label, or a toolbar script."""
    root = tree.getroottree().getroot()
    for el in root.iter("a", "button", "input", "img", "span", "div", "li"):
        if (
            el.tag in ("span", "div", "li")
            and el.get("onclick") is None
            and el.get("role")
            not in (
                "button",
                "link",
            )
        ):
            continue
        label = " ".join(
            part
            for part in (
                el.text_content() if el.tag != "input" else "",
                el.get("title"),
                el.get("aria-label"),
                el.get("alt"),
                el.get("value") if el.tag == "input" else None,
            )
            if part
        )
        label = re.sub(r"\s+", " ", label).strip()
        if label and len(label) <= _ENTRY_MAX_CHARS and any(k in label for k in CARE_MODE_KEYWORDS):
            return label
    for script in root.iter("script"):
        src = script.get("src") or ""
        if _CARE_SCRIPT.search(src) or (script.get("id") or "").lower() == "barrierfree":
            return f"script {src or script.get('id')}"
    return None
