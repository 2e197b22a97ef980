"""Rules on what a visitor must be able to control: timed refreshes, moving or blinking
text, and zoom."""

from __future__ import annotations

import re

from checks.a11y_static.document import Doc, Element
from checks.a11y_static.rule import RuleInfo, judge, rule, visible


@rule(
    RuleInfo(
        "meta-refresh",
        "critical",
        ("2.2.1",),
        "页面定时自动刷新或跳转（meta refresh）",
        "Delayed refresh under 20 hours must not be used",
        ("bc659a",),
    )
)
def meta_refresh(doc: Doc) -> tuple[int, list[Element]]:
    metas = [
        el
        for el in doc.tags("meta")
        if (el.get("http-equiv") or "").strip().lower() == "refresh"
        and el.get("content") is not None
    ]

    def fails(el: Element) -> bool:
        # axe: the first token (split on ; , or space) must be digits/dots to be a delay
        token = re.split(r"[;,\s]", (el.get("content") or "").strip())[0]
        if not re.fullmatch(r"[0-9.]+", token):
            return False
        delay = _number(token)
        return delay is not None and 0 < delay <= 72000

    return judge(metas, fails)


def _viewport_blocks_zoom(content: str) -> bool:
    """axe's meta-viewport: user-scalable=no (or 0…1) or maximum-scale below 2."""
    props: dict[str, str] = {}
    for part in re.split(r"[;,]", content):
        key, _, value = part.partition("=")
        key, value = key.strip().lower(), value.strip().lower()
        if not key or not value:
            continue
        if key == "maximum-scale" and value == "yes":
            value = "1"
        if key == "maximum-scale" and _number(value) is not None and _number(value) < 0:
            continue
        props[key] = value
    scalable = props.get("user-scalable")
    if scalable == "no":
        return True
    number = _number(scalable) if scalable is not None else None
    if number is not None and -1 < number < 1:
        return True
    maximum = _number(props.get("maximum-scale"))
    return maximum is not None and maximum < 2


def _number(value: str | None) -> float | None:
    match = re.match(r"^\s*(-?\d+(?:\.\d+)?|-?\.\d+)", value or "")
    return float(match.group(1)) if match else None


@rule(
    RuleInfo(
        "meta-viewport",
        "moderate",
        ("1.4.4",),
        "页面禁止用户缩放（viewport user-scalable=no / maximum-scale 过小）",
        "Zooming and scaling must not be disabled",
        ("b4f0c3",),
    )
)
def meta_viewport(doc: Doc) -> tuple[int, list[Element]]:
    metas = [el for el in doc.tags("meta") if (el.get("name") or "").strip().lower() == "viewport"]
    return judge(metas, lambda el: _viewport_blocks_zoom(el.get("content") or ""))


@rule(
    RuleInfo(
        "marquee",
        "serious",
        ("2.2.2",),
        "使用了无法暂停的滚动字幕（<marquee>）",
        "<marquee> elements are deprecated and must not be used",
    )
)
def marquee(doc: Doc) -> tuple[int, list[Element]]:
    return judge(visible(doc, doc.tags("marquee")), lambda el: True)


@rule(
    RuleInfo(
        "blink",
        "serious",
        ("2.2.2",),
        "使用了闪烁文字（<blink>）",
        "<blink> elements are deprecated and must not be used",
    )
)
def blink(doc: Doc) -> tuple[int, list[Element]]:
    return judge(visible(doc, doc.tags("blink")), lambda el: True)
