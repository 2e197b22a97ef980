"""Rules on accessible names: links, buttons, form controls and frames must say what they are."""

from __future__ import annotations

from checks.a11y_static.document import Doc, Element, clean, input_type, tag_name
from checks.a11y_static.rule import RuleInfo, judge, rule, visible
from checks.a11y_static.semantics import (
    has_title,
    name_not_required,
    named_by_aria,
    presentational,
)

_BUTTON_INPUTS = frozenset({"button", "submit", "reset"})


@rule(
    RuleInfo(
        "link-name",
        "serious",
        ("2.4.4", "4.1.2"),
        "链接没有可识别的文字（链接名称为空）",
        "Links must have discernible text",
        ("c487ae",),
    )
)
def link_name(doc: Doc) -> tuple[int, list[Element]]:
    links = (el for el in visible(doc, doc.tags("a")) if el.get("href") is not None)
    return judge(
        links,
        lambda el: not (doc.content_text(el) or named_by_aria(doc, el) or has_title(el)),
    )


@rule(
    RuleInfo(
        "button-name",
        "critical",
        ("4.1.2",),
        "按钮没有可识别的文字",
        "Buttons must have discernible text",
        ("97a4e1",),
    )
)
def button_name(doc: Doc) -> tuple[int, list[Element]]:
    def fails(el: Element) -> bool:
        if doc.content_text(el) or named_by_aria(doc, el) or has_title(el):
            return False
        implicit, explicit = doc.label_text(el)
        return not (implicit or explicit or presentational(el))

    buttons = (el for el in visible(doc, doc.tags("button")) if not name_not_required(el))
    return judge(buttons, fails)


@rule(
    RuleInfo(
        "input-button-name",
        "critical",
        ("4.1.2",),
        "输入型按钮（input button/submit/reset）没有可识别的文字",
        "Input buttons must have discernible text",
        ("97a4e1",),
    )
)
def input_button_name(doc: Doc) -> tuple[int, list[Element]]:
    def fails(el: Element) -> bool:
        value = el.get("value")
        if value is None and input_type(el) in ("submit", "reset"):
            return False  # the browser's default label ("Submit"/"Reset") names it
        if clean(value) or named_by_aria(doc, el) or has_title(el):
            return False
        implicit, explicit = doc.label_text(el)
        return not (implicit or explicit or presentational(el))

    inputs = (
        el
        for el in visible(doc, doc.tags("input"))
        if input_type(el) in _BUTTON_INPUTS and not name_not_required(el)
    )
    return judge(inputs, fails)


def _control_fails(doc: Doc, el: Element, *, placeholder: bool) -> bool:
    implicit, explicit = doc.label_text(el)
    if implicit or explicit or named_by_aria(doc, el) or has_title(el):
        return False
    if placeholder and clean(el.get("placeholder")):
        return False
    return not presentational(el)


@rule(
    RuleInfo(
        "label",
        "critical",
        ("4.1.2",),
        "表单输入框缺少标签（label）",
        "Form elements must have labels",
        ("e086e5",),
    )
)
def label(doc: Doc) -> tuple[int, list[Element]]:
    skip = {"hidden", "image", "button", "submit", "reset"}
    controls = (
        el
        for el in visible(doc, doc.tags("input", "textarea"))
        if tag_name(el) == "textarea" or input_type(el) not in skip
    )
    return judge(controls, lambda el: _control_fails(doc, el, placeholder=True))


@rule(
    RuleInfo(
        "select-name",
        "critical",
        ("4.1.2",),
        "下拉选择框缺少标签",
        "Select element must have an accessible name",
        ("e086e5",),
    )
)
def select_name(doc: Doc) -> tuple[int, list[Element]]:
    return judge(
        visible(doc, doc.tags("select")),
        lambda el: _control_fails(doc, el, placeholder=False),
    )


@rule(
    RuleInfo(
        "frame-title",
        "serious",
        ("4.1.2",),
        "框架（iframe/frame）缺少标题（title）",
        "Frames must have an accessible name",
        ("cae760",),
    )
)
def frame_title(doc: Doc) -> tuple[int, list[Element]]:
    def tabbable(el: Element) -> bool:
        tabindex = (el.get("tabindex") or "").strip()
        try:
            return int(tabindex) >= 0
        except ValueError:
            return True

    frames = (el for el in visible(doc, doc.tags("iframe", "frame")) if tabbable(el))
    return judge(frames, lambda el: not (has_title(el) or named_by_aria(doc, el)))
