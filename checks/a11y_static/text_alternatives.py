"""Rules on text alternatives: images, image buttons, image-map areas, role="img", SVG,
and server-side image maps."""

from __future__ import annotations

from checks.a11y_static.document import Doc, Element, clean, input_type, tag_name
from checks.a11y_static.rule import RuleInfo, judge, rule, visible
from checks.a11y_static.semantics import (
    has_title,
    name_not_required,
    named_by_aria,
    presentational,
)


@rule(
    RuleInfo(
        "image-alt",
        "critical",
        ("1.1.1",),
        "图片缺少替代文本（alt）",
        "Images must have alternative text",
        ("23a2a8",),
    )
)
def image_alt(doc: Doc) -> tuple[int, list[Element]]:
    def fails(el: Element) -> bool:
        alt = el.get("alt")
        if alt is not None and alt != "" and alt.isspace():
            return True  # axe's alt-space-value: alt=" " is neither a name nor decorative
        if alt is not None:
            return False
        return not (named_by_aria(doc, el) or has_title(el) or presentational(el))

    images = (el for el in visible(doc, doc.tags("img")) if not name_not_required(el))
    return judge(images, fails)


@rule(
    RuleInfo(
        "input-image-alt",
        "critical",
        ("1.1.1", "4.1.2"),
        "图片按钮缺少替代文本",
        "Image buttons must have alternative text",
        ("59796f",),
    )
)
def input_image_alt(doc: Doc) -> tuple[int, list[Element]]:
    inputs = (
        el
        for el in visible(doc, doc.tags("input"))
        if input_type(el) == "image" and not name_not_required(el)
    )
    return judge(
        inputs,
        lambda el: not (clean(el.get("alt")) or named_by_aria(doc, el) or has_title(el)),
    )


@rule(
    RuleInfo(
        "area-alt",
        "critical",
        ("2.4.4", "4.1.2"),
        "图像热区（area）缺少替代文本",
        "Active <area> elements must have alternative text",
        ("c487ae",),
    )
)
def area_alt(doc: Doc) -> tuple[int, list[Element]]:
    areas = (
        el
        for el in doc.tags("area")
        if el.get("href") is not None and any(tag_name(a) == "map" for a in el.iterancestors())
    )
    return judge(
        areas,
        lambda el: not (clean(el.get("alt")) or named_by_aria(doc, el) or has_title(el)),
    )


def _in_svg(el: Element) -> bool:
    return tag_name(el) == "svg" or any(tag_name(a) == "svg" for a in el.iterancestors())


@rule(
    RuleInfo(
        "role-img-alt",
        "serious",
        ("1.1.1",),
        'role="img" 的元素缺少替代文本',
        "[role='img'] elements must have alternative text",
        ("23a2a8",),
    )
)
def role_img_alt(doc: Doc) -> tuple[int, list[Element]]:
    candidates = (
        el
        for el in doc.with_role
        if el.get("role") == "img"
        and tag_name(el) not in ("img", "area", "input", "object")
        and not _in_svg(el)
    )
    return judge(visible(doc, candidates), lambda el: not (named_by_aria(doc, el) or has_title(el)))


@rule(
    RuleInfo(
        "svg-img-alt",
        "serious",
        ("1.1.1",),
        "SVG 图像缺少替代文本",
        "<svg> elements with an img role must have alternative text",
        ("7d6734",),
    )
)
def svg_img_alt(doc: Doc) -> tuple[int, list[Element]]:
    if not doc.by_tag.get("svg"):
        return 0, []
    candidates = (
        el
        for el in doc.with_role
        if (
            el.get("role") in ("img", "graphics-symbol")
            or (tag_name(el) == "svg" and el.get("role") == "graphics-document")
        )
        and _in_svg(el)
    )
    return judge(
        visible(doc, candidates),
        lambda el: not (doc.svg_title(el) or named_by_aria(doc, el) or has_title(el)),
    )


@rule(
    RuleInfo(
        "server-side-image-map",
        "minor",
        ("2.1.1",),
        "使用了服务器端图像映射（img ismap）",
        "Server-side image maps must not be used",
    )
)
def server_side_image_map(doc: Doc) -> tuple[int, list[Element]]:
    images = (el for el in visible(doc, doc.tags("img")) if el.get("ismap") is not None)
    return judge(images, lambda el: True)
