"""Rules on the page's language: ``lang`` on <html> and on the parts in another language."""

from __future__ import annotations

from checks.a11y_static.document import Doc, Element, clean, tag_name
from checks.a11y_static.rule import RuleInfo, judge, rule, visible
from checks.a11y_static.vocabulary import ISO_639_1


@rule(
    RuleInfo(
        "html-has-lang",
        "serious",
        ("3.1.1",),
        "页面未声明语言（<html> 缺少 lang 属性）",
        "<html> element must have a lang attribute",
        ("b5c3f8",),
    )
)
def html_has_lang(doc: Doc) -> tuple[int, list[Element]]:
    if not doc.is_document:
        return 0, []
    root = doc.root
    lang, xml_lang = doc.html_attr("lang"), doc.html_attr("xml:lang")
    if lang is not None and not lang.strip() and clean(xml_lang):
        return 1, [root]  # HTML (not XHTML) ignores xml:lang when lang is present but empty
    return 1, [] if (clean(lang) or clean(xml_lang)) else [root]


def _valid_lang(value: str) -> bool:
    base = value.strip().split("-")[0].lower()
    if len(base) == 2:
        return base in ISO_639_1
    return len(base) == 3 and base.isascii() and base.isalpha()


@rule(
    RuleInfo(
        "html-lang-valid",
        "serious",
        ("3.1.1",),
        "<html> 的 lang 属性值无效",
        "<html> element must have a valid value for the lang attribute",
        ("bf051a",),
    )
)
def html_lang_valid(doc: Doc) -> tuple[int, list[Element]]:
    if not doc.is_document:
        return 0, []
    values = [v for v in (doc.html_attr("lang"), doc.html_attr("xml:lang")) if v]
    if not values:
        return 0, []
    return 1, [] if all(_valid_lang(v) for v in values) else [doc.root]


@rule(
    RuleInfo(
        "valid-lang",
        "serious",
        ("3.1.2",),
        "元素的 lang 属性值无效",
        "lang attribute must have a valid value",
        ("de46e4",),
    )
)
def valid_lang_rule(doc: Doc) -> tuple[int, list[Element]]:
    found = doc.with_lang if doc.is_document else []

    def fails(el: Element) -> bool:
        if not clean(el.text_content()):
            return False  # axe: no text, nothing to pronounce
        values = [v for v in (el.get("lang"), el.get("xml:lang")) if v]
        return any(not _valid_lang(v) for v in values)

    candidates = (el for el in found if tag_name(el) != "html")
    return judge(visible(doc, candidates), fails)


@rule(
    RuleInfo(
        "html-xml-lang-mismatch",
        "moderate",
        ("3.1.1",),
        "<html> 的 lang 与 xml:lang 不一致",
        "HTML elements with lang and xml:lang must have the same base language",
        ("5b7ae0",),
    )
)
def html_xml_lang_mismatch(doc: Doc) -> tuple[int, list[Element]]:
    lang, xml_lang = doc.html_attr("lang"), doc.html_attr("xml:lang")
    if not doc.is_document or not lang or not xml_lang:
        return 0, []
    if not (_valid_lang(lang) and _valid_lang(xml_lang)):
        return 0, []

    def base(v: str) -> str:
        return v.strip().split("-")[0].lower()

    return 1, [] if base(lang) == base(xml_lang) else [doc.root]
