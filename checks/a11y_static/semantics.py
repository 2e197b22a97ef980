"""What an element is to assistive technology: its role, whether it takes focus, and
whether markup names it (the checks the naming rules share)."""

from __future__ import annotations

from checks.a11y_static.document import Doc, Element, clean, input_type, tag_name
from checks.a11y_static.vocabulary import ARIA_ROLES, words

_GLOBAL_ARIA = ("aria-label", "aria-labelledby", "aria-describedby", "aria-details")


def explicit_role(el: Element) -> str:
    """The first role token a browser recognises ('' when none)."""
    for token in (el.get("role") or "").lower().split():
        if token in ARIA_ROLES or token.startswith("doc-"):
            return token
    return ""


def focusable(el: Element) -> bool:
    tag = tag_name(el)
    tabindex = (el.get("tabindex") or "").strip()
    if tabindex.lstrip("-").isdigit():
        return True
    if tag in ("a", "area"):
        return el.get("href") is not None
    if tag in ("button", "select", "textarea", "input"):
        return el.get("disabled") is None and not (tag == "input" and input_type(el) == "hidden")
    if tag in ("iframe", "summary"):
        return True
    return (el.get("contenteditable") or "false").lower() in ("", "true")


def presentational(el: Element) -> bool:
    """role=none/presentation that a browser honours (not on focusable or ARIA-named ones)."""
    if explicit_role(el) not in ("none", "presentation"):
        return False
    return not focusable(el) and not any(el.get(a) for a in _GLOBAL_ARIA)


def named_by_aria(doc: Doc, el: Element) -> bool:
    return bool(clean(el.get("aria-label"))) or bool(doc.labelledby_text(el))


def has_title(el: Element) -> bool:
    return bool(clean(el.get("title")))


def name_not_required(el: Element) -> bool:
    """axe's no-explicit-name-required-matches: a non-focusable element whose explicit role
    needs no name (e.g. ``<img role="separator">``) is not judged by the naming rules."""
    role = explicit_role(el)
    if not role or role in ("none", "presentation"):
        return False
    return role not in _NAME_REQUIRED_ROLES and not focusable(el)


_NAME_REQUIRED_ROLES = words(
    "alertdialog button checkbox dialog gridcell img link menuitem menuitemcheckbox "
    "menuitemradio meter option progressbar radio radiogroup row scrollbar searchbox "
    "slider spinbutton switch tab tabpanel textbox tree treegrid treeitem combobox "
    "listbox columnheader rowheader"
)
