"""Accessibility rules decidable from the HTML alone, with axe-core's rule ids and semantics.

These run on every crawled page (the browser audit only sees a sample), so each rule is
what axe-core 4.x would decide without layout: the same selectors and the same "any"
checks (``alt`` / ``aria-label`` / ``aria-labelledby`` / ``title`` / ``<label>`` …), with
elements hidden from screen readers (``hidden``, ``aria-hidden="true"``, ``inert``, inline
``display:none`` / ``visibility:hidden``) inapplicable. Findings from here and from axe
merge by rule id. What needs layout (contrast, on-screen, CSS-hidden) is left to axe:
when in doubt a rule passes, because precision matters more than count.

The entry points are :func:`audit` (violations, one :class:`RuleResult` per rule) and
:func:`outcomes` (passed / failed / inapplicable per rule, as ACT test cases state them).
"""

from __future__ import annotations

import re
from collections import Counter
from collections.abc import Callable, Iterable, Iterator
from dataclasses import dataclass
from typing import Literal

import lxml.html
from lxml import etree

Element = lxml.html.HtmlElement
Outcome = Literal["passed", "failed", "inapplicable"]

STANDARD_SUFFIX = "GB/T 37668-2019"
WCAG_VERSION = "WCAG 2.1"

# WCAG 2.1 success criteria (A and AA) with the names of the official Chinese translation.
WCAG_SC_ZH: dict[str, str] = {
    "1.1.1": "非文本内容",
    "1.2.1": "纯音频和纯视频（预录制）",
    "1.2.2": "字幕（预录制）",
    "1.2.3": "音频描述或媒体替代（预录制）",
    "1.2.4": "字幕（直播）",
    "1.2.5": "音频描述（预录制）",
    "1.3.1": "信息和关系",
    "1.3.2": "有意义的序列",
    "1.3.3": "感官特征",
    "1.3.4": "方向",
    "1.3.5": "识别输入目的",
    "1.4.1": "颜色的使用",
    "1.4.2": "音频控制",
    "1.4.3": "对比度（最低限度）",
    "1.4.4": "调整文本大小",
    "1.4.5": "文本图像",
    "1.4.10": "重排",
    "1.4.11": "非文本对比度",
    "1.4.12": "文本间距",
    "1.4.13": "悬停或聚焦时显示的内容",
    "2.1.1": "键盘",
    "2.1.2": "无键盘陷阱",
    "2.1.4": "字符键快捷键",
    "2.2.1": "可调整的时间限制",
    "2.2.2": "暂停、停止、隐藏",
    "2.3.1": "三次闪光或低于阈值",
    "2.4.1": "跳过区块",
    "2.4.2": "页面标题",
    "2.4.3": "焦点顺序",
    "2.4.4": "链接目的（上下文中）",
    "2.4.5": "多种方式",
    "2.4.6": "标题和标签",
    "2.4.7": "焦点可见",
    "2.5.1": "指针手势",
    "2.5.2": "指针取消",
    "2.5.3": "标签中包含名称",
    "2.5.4": "动作激活",
    "3.1.1": "页面的语言",
    "3.1.2": "部分的语言",
    "3.2.1": "获得焦点时",
    "3.2.2": "输入时",
    "3.2.3": "一致的导航",
    "3.2.4": "一致的识别",
    "3.3.1": "错误识别",
    "3.3.2": "标签或说明",
    "3.3.3": "错误建议",
    "3.3.4": "错误预防（法律、财务、数据）",
    "4.1.1": "解析",
    "4.1.2": "名称、角色和值",
    "4.1.3": "状态消息",
}

_WCAG_TAG = re.compile(r"^wcag(\d)(\d)(\d+)$")


def criteria_from_tags(tags: Iterable[str]) -> tuple[str, ...]:
    """axe tags (``wcag111``, ``wcag1410``) → success criteria (``1.1.1``, ``1.4.10``)."""
    found = []
    for tag in tags:
        match = _WCAG_TAG.match(tag)
        if match:
            found.append(".".join(match.groups()))
    return tuple(found)


def wcag_label(criteria: Iterable[str]) -> str:
    """``WCAG 2.1 1.1.1 非文本内容`` (several joined by ``；``); best practices say so."""
    labels = [f"{WCAG_VERSION} {sc} {WCAG_SC_ZH.get(sc, '')}".rstrip() for sc in criteria]
    return "；".join(labels) if labels else "最佳实践（非 WCAG 条款）"


def standard_label(criteria: Iterable[str]) -> str:
    """``WCAG 2.1 1.1.1; GB/T 37668-2019``: what ``detail.standard`` of a finding says."""
    criteria = tuple(criteria)
    if not criteria:
        return STANDARD_SUFFIX
    return f"{WCAG_VERSION} {', '.join(criteria)}; {STANDARD_SUFFIX}"


@dataclass(frozen=True)
class RuleInfo:
    """One rule: axe's id and impact, the criteria it tests, a Chinese title for reports."""

    id: str
    impact: str  # critical | serious | moderate | minor (axe's scale)
    criteria: tuple[str, ...]
    title_zh: str
    help_en: str
    act: tuple[str, ...] = ()  # W3C ACT rule ids the rule implements


@dataclass(frozen=True)
class RuleResult:
    """A rule that failed on a page: how often, and one example to show the webmaster."""

    rule: str
    impact: str
    nodes: int
    selector: str
    snippet: str
    wcag: str
    standard: str
    title_zh: str
    help_en: str


# --------------------------------------------------------------------------- vocabularies


def _words(*lines: str) -> frozenset[str]:
    return frozenset(" ".join(lines).split())


# ARIA 1.2 states and properties (plus the 1.3 braille/description ones browsers ship).
ARIA_ATTRIBUTES = frozenset(
    "aria-" + name
    for name in _words(
        "activedescendant atomic autocomplete braillelabel brailleroledescription busy "
        "checked colcount colindex colindextext colspan controls current describedby "
        "description details disabled dropeffect errormessage expanded flowto grabbed "
        "haspopup hidden invalid keyshortcuts label labelledby level live modal multiline "
        "multiselectable orientation owns placeholder posinset pressed readonly relevant "
        "required roledescription rowcount rowindex rowindextext rowspan selected setsize "
        "sort valuemax valuemin valuenow valuetext"
    )
)

# Concrete ARIA 1.2 roles, graphics roles and the ARIA 1.3 additions browsers accept.
ARIA_ROLES = _words(
    "alert alertdialog application article banner blockquote button caption cell "
    "checkbox code columnheader combobox comment complementary contentinfo definition "
    "deletion dialog directory document emphasis feed figure form generic grid "
    "gridcell group heading img image insertion link list listbox listitem log main "
    "mark marquee math menu menubar menuitem menuitemcheckbox menuitemradio meter "
    "navigation none note option paragraph presentation progressbar radio radiogroup "
    "region row rowgroup rowheader scrollbar search searchbox sectionfooter "
    "sectionheader separator slider spinbutton status strong subscript suggestion "
    "superscript switch tab table tablist tabpanel term textbox time timer toolbar "
    "tooltip tree treegrid treeitem graphics-document graphics-object graphics-symbol"
)
ABSTRACT_ROLES = _words(
    "command composite input landmark range roletype section sectionhead select structure "
    "widget window"
)

# ISO 639-1 codes; three-letter primary subtags are accepted (ISO 639-2/3 is too large to
# list, and accepting one never produces a false failure).
ISO_639_1 = _words(
    "aa ab ae af ak am an ar as av ay az ba be bg bh bi bm bn bo br bs ca ce ch co cr "
    "cs cu cv cy da de dv dz ee el en eo es et eu fa ff fi fj fo fr fy ga gd gl gn gu "
    "gv ha he hi ho hr ht hu hy hz ia id ie ig ii ik in io is it iu iw ja ji jv jw ka "
    "kg ki kj kk kl km kn ko kr ks ku kv kw ky la lb lg li ln lo lt lu lv mg mh mi mk "
    "ml mn mo mr ms mt my na nb nd ne ng nl nn no nr nv ny oc oj om or os pa pi pl ps "
    "pt qu rm rn ro ru rw sa sc sd se sg sh si sk sl sm sn so sq sr ss st su sv sw ta "
    "te tg th ti tk tl tn to tr ts tt tw ty ug uk ur uz ve vi vo wa wo xh yi yo za zh "
    "zu"
)

# Attributes whose value is a list of ids an assistive technology follows.
_IDREF_ATTRIBUTES = (
    "aria-activedescendant",
    "aria-controls",
    "aria-describedby",
    "aria-details",
    "aria-errormessage",
    "aria-flowto",
    "aria-labelledby",
    "aria-owns",
)
_GLOBAL_ARIA = ("aria-label", "aria-labelledby", "aria-describedby", "aria-details")
_NOT_RENDERED = frozenset({"script", "style", "noscript", "template", "head", "title"})
_BUTTON_INPUTS = frozenset({"button", "submit", "reset"})
_HIDDEN_STYLE = re.compile(
    r"(?:^|;)\s*(?:display\s*:\s*none|visibility\s*:\s*(?:hidden|collapse))\s*(?:!important\s*)?(?:;|$)",
    re.IGNORECASE,
)
_SPACES = re.compile(r"\s+")
_HTML_TAG = re.compile(r"<html\b([^>]*)>", re.IGNORECASE)
_ATTRIBUTE = re.compile(r"""([\w:-]+)\s*=\s*(?:"([^"]*)"|'([^']*)'|([^\s"'>]+))""")


def _clean(value: str | None) -> str:
    """Collapse whitespace (incl. &nbsp; and the ideographic space U+3000) and trim."""
    return _SPACES.sub(" ", value).strip() if value else ""


def _tag(el: object) -> str:
    tag = getattr(el, "tag", None)
    return tag if isinstance(tag, str) else ""


def _input_type(el: Element) -> str:
    return (el.get("type") or "text").strip().lower()


# --------------------------------------------------------------------------- the document


class Doc:
    """One parsed page and the indexes every rule shares (built once per page)."""

    def __init__(self, tree: Element, source: str | None = None) -> None:
        root = tree.getroottree().getroot()
        self.root: Element = root
        self._source = source
        self.is_document = _tag(root) == "html"
        self.by_tag: dict[str, list[Element]] = {}
        # id values as strings (no element proxies: lxml.html makes those slowly)
        self.id_counts: Counter[str] = Counter(v.strip() for v in _ID_VALUES(root) if v.strip())
        self._id_cache: dict[str, list[Element]] = {}
        self._html_attrs: dict[str, str | None] = {}
        self.labels_for: dict[str, list[Element]] = {}
        self.with_role: list[Element] = []
        self.with_aria: list[Element] = []
        self.with_lang: list[Element] = []
        self._hidden_roots: set[Element] = set()
        self._hidden_cache: dict[Element, bool] = {}
        # libxml2 filters in C: Python only touches the elements a rule may look at.
        for el in root.iter(*_INDEXED_TAGS):
            self.by_tag.setdefault(el.tag, []).append(el)
        for el in _ATTRIBUTED(root):
            attrib = el.attrib
            if "role" in attrib:
                self.with_role.append(el)
            if "lang" in attrib or "xml:lang" in attrib:
                self.with_lang.append(el)
            if any(key.startswith("aria-") for key in attrib):
                self.with_aria.append(el)
            if self._hides_itself(el, attrib):
                self._hidden_roots.add(el)
        self._hidden_roots.update(root.iter(*_NOT_RENDERED))
        for el in self.by_tag.get("input", ()):
            if _input_type(el) == "hidden":
                self._hidden_roots.add(el)
        for el in self.by_tag.get("label", ()):
            target = (el.get("for") or "").strip()
            if target:
                self.labels_for.setdefault(target, []).append(el)

    @staticmethod
    def _hides_itself(el: Element, attrib: dict) -> bool:
        if "hidden" in attrib or "inert" in attrib:
            return True
        if (attrib.get("aria-hidden") or "").strip().lower() == "true":
            return True
        style = attrib.get("style")
        return bool(style) and _HIDDEN_STYLE.search(style) is not None

    def by_id(self, ident: str) -> list[Element]:
        """Elements whose id is ``ident`` (looked up on demand: few rules need them)."""
        if ident not in self._id_cache:
            found = _BY_ID(self.root, ident=ident) if self.id_counts.get(ident) else []
            self._id_cache[ident] = [el for el in found if (el.get("id") or "").strip() == ident]
        return self._id_cache[ident]

    def html_attr(self, name: str) -> str | None:
        """An attribute of <html> as a browser sees it. libxml2 drops the attributes of an
        ``<html>`` tag that follows stray text (JSP directives, BOM junk); HTML5 parsers
        merge them into the root, so they are read back from the source."""
        value = self.root.get(name)
        if value is not None or not self._source:
            return value
        if name not in self._html_attrs:
            self._html_attrs[name] = None
            for tag in _HTML_TAG.finditer(self._source, 0, 200_000):
                for attr in _ATTRIBUTE.finditer(tag.group(1)):
                    if attr.group(1).lower() == name and self._html_attrs[name] is None:
                        self._html_attrs[name] = next(
                            v for v in attr.group(2, 3, 4) if v is not None
                        )
        return self._html_attrs[name]

    def tags(self, *names: str) -> Iterator[Element]:
        for name in names:
            yield from self.by_tag.get(name, ())

    def hidden(self, el: Element) -> bool:
        """Hidden from screen readers (by markup; stylesheets are the browser audit's job)."""
        path = []
        node: Element | None = el
        result = False
        while node is not None:
            cached = self._hidden_cache.get(node)
            if cached is not None:
                result = cached
                break
            if node in self._hidden_roots:
                result = True
                path.append(node)
                break
            path.append(node)
            node = node.getparent()
        for seen in path:
            self._hidden_cache[seen] = result
        return result

    # ----------------------------------------------------------------- accessible names

    def labelledby_text(self, el: Element) -> str:
        """Text of the elements ``aria-labelledby`` points at (hidden ones count, per accname)."""
        refs = (el.get("aria-labelledby") or "").split()
        texts = []
        for ref in refs:
            targets = self.by_id(ref)
            if targets:
                target = targets[0]
                texts.append(_clean(target.get("aria-label")) or self.content_text(target, True))
        return _clean(" ".join(texts))

    def content_text(self, el: Element, include_hidden: bool = False) -> str:
        """Name from content: text, ``alt`` of images, ``aria-label`` of descendants."""
        parts: list[str] = [el.text or ""]
        for child in el:
            tag = _tag(child)
            if (
                tag
                and tag not in _NOT_RENDERED
                and (include_hidden or child not in self._hidden_roots)
            ):
                parts.append(self._child_name(child, include_hidden))
            parts.append(child.tail or "")
        return _clean(" ".join(parts))

    def _child_name(self, child: Element, include_hidden: bool) -> str:
        own = _clean(child.get("aria-label"))
        if own:
            return own
        tag = _tag(child)
        if tag in ("img", "area") or (tag == "input" and _input_type(child) == "image"):
            return _clean(child.get("alt")) or _clean(child.get("title"))
        if tag == "input":
            return _clean(child.get("value"))
        if tag == "svg":
            return self.svg_title(child) or _clean(child.get("title"))
        return self.content_text(child, include_hidden) or _clean(child.get("title"))

    def svg_title(self, el: Element) -> str:
        for child in el:
            if _tag(child) == "title":
                return _clean(child.text_content())
        return ""

    def label_text(self, el: Element) -> tuple[bool, bool]:
        """(implicit label with text, explicit label[for] that names it or is hidden)."""
        implicit = False
        for anc in el.iterancestors("label"):
            implicit = bool(self._label_content(anc, el))
            break
        explicit = False
        ident = (el.get("id") or "").strip()
        for label in self.labels_for.get(ident, ()) if ident else ():
            # axe: a label[for] hidden by CSS/markup still counts as the explicit label
            if self.hidden(label) or self._label_content(label, el):
                explicit = True
                break
        return implicit, explicit

    def _label_content(self, label: Element, control: Element) -> str:
        """A label's text without the control it labels (its own value is not its name)."""
        parts: list[str] = [label.text or ""]
        for child in label:
            tag = _tag(child)
            if (
                child is not control
                and tag not in _NOT_RENDERED
                and child not in self._hidden_roots
            ):
                # another control inside the label contributes its value, not its label
                parts.append(self._child_name(child, False))
            parts.append(child.tail or "")
        return _clean(" ".join(parts))

    def first_title(self) -> Element | None:
        """``document.title``'s element: the first <title> that is not inside an <svg>."""
        for el in self.by_tag.get("title", ()):
            if not any(_tag(a) == "svg" for a in el.iterancestors()):
                return el
        return None


# Elements carrying any attribute a rule or the hidden test reads (one pass, in C). The
# ``@style and (…)`` guard spares the three translate() calls on the many elements without
# a style attribute: a third less time on real pages.
_ATTRIBUTED = etree.XPath(
    "descendant-or-self::*[@role or @lang or @hidden or @inert"
    " or @*[starts-with(name(), 'aria-') or name() = 'xml:lang']"
    " or @style and (contains(translate(@style, 'NOE', 'noe'), 'none')"
    " or contains(translate(@style, 'HIDEN', 'hiden'), 'hidden')"
    " or contains(translate(@style, 'COLAPSE', 'colapse'), 'collapse'))]"
)
_ID_VALUES = etree.XPath("descendant-or-self::*/@id")
_BY_ID = etree.XPath("descendant-or-self::*[@id and normalize-space(@id) = $ident]")

_INDEXED_TAGS = frozenset(
    {
        "label",
        "a",
        "area",
        "img",
        "input",
        "button",
        "select",
        "textarea",
        "iframe",
        "frame",
        "svg",
        "title",
        "meta",
        "marquee",
        "blink",
        "h1",
        "h2",
        "h3",
        "h4",
        "h5",
        "h6",
        "body",
        "map",
    }
)


# --------------------------------------------------------------------------- shared checks


def _explicit_role(el: Element) -> str:
    """The first role token a browser recognises ('' when none)."""
    for token in (el.get("role") or "").lower().split():
        if token in ARIA_ROLES or token.startswith("doc-"):
            return token
    return ""


def _focusable(el: Element) -> bool:
    tag = _tag(el)
    tabindex = (el.get("tabindex") or "").strip()
    if tabindex.lstrip("-").isdigit():
        return True
    if tag in ("a", "area"):
        return el.get("href") is not None
    if tag in ("button", "select", "textarea", "input"):
        return el.get("disabled") is None and not (tag == "input" and _input_type(el) == "hidden")
    if tag in ("iframe", "summary"):
        return True
    return (el.get("contenteditable") or "false").lower() in ("", "true")


def _presentational(el: Element) -> bool:
    """role=none/presentation that a browser honours (not on focusable or ARIA-named ones)."""
    if _explicit_role(el) not in ("none", "presentation"):
        return False
    return not _focusable(el) and not any(el.get(a) for a in _GLOBAL_ARIA)


def _named_by_aria(doc: Doc, el: Element) -> bool:
    return bool(_clean(el.get("aria-label"))) or bool(doc.labelledby_text(el))


def _has_title(el: Element) -> bool:
    return bool(_clean(el.get("title")))


def _name_not_required(el: Element) -> bool:
    """axe's no-explicit-name-required-matches: a non-focusable element whose explicit role
    needs no name (e.g. ``<img role="separator">``) is not judged by the naming rules."""
    role = _explicit_role(el)
    if not role or role in ("none", "presentation"):
        return False
    return role not in _NAME_REQUIRED_ROLES and not _focusable(el)


_NAME_REQUIRED_ROLES = _words(
    "alertdialog button checkbox dialog gridcell img link menuitem menuitemcheckbox "
    "menuitemradio meter option progressbar radio radiogroup row scrollbar searchbox "
    "slider spinbutton switch tab tabpanel textbox tree treegrid treeitem combobox "
    "listbox columnheader rowheader"
)


# --------------------------------------------------------------------------- the rules

RuleFn = Callable[[Doc], tuple[int, list[Element]]]
RULES: dict[str, tuple[RuleInfo, RuleFn]] = {}


def _rule(info: RuleInfo) -> Callable[[RuleFn], RuleFn]:
    def add(fn: RuleFn) -> RuleFn:
        RULES[info.id] = (info, fn)
        return fn

    return add


def _judge(
    elements: Iterable[Element], fails: Callable[[Element], bool]
) -> tuple[int, list[Element]]:
    applicable = 0
    failed: list[Element] = []
    for el in elements:
        applicable += 1
        if fails(el):
            failed.append(el)
    return applicable, failed


def _visible(doc: Doc, elements: Iterable[Element]) -> Iterator[Element]:
    return (el for el in elements if not doc.hidden(el))


@_rule(
    RuleInfo(
        "image-alt",
        "critical",
        ("1.1.1",),
        "图片缺少替代文本（alt）",
        "Images must have alternative text",
        ("23a2a8",),
    )
)
def _image_alt(doc: Doc) -> tuple[int, list[Element]]:
    def fails(el: Element) -> bool:
        alt = el.get("alt")
        if alt is not None and alt != "" and alt.isspace():
            return True  # axe's alt-space-value: alt=" " is neither a name nor decorative
        if alt is not None:
            return False
        return not (_named_by_aria(doc, el) or _has_title(el) or _presentational(el))

    images = (el for el in _visible(doc, doc.tags("img")) if not _name_not_required(el))
    return _judge(images, fails)


@_rule(
    RuleInfo(
        "input-image-alt",
        "critical",
        ("1.1.1", "4.1.2"),
        "图片按钮缺少替代文本",
        "Image buttons must have alternative text",
        ("59796f",),
    )
)
def _input_image_alt(doc: Doc) -> tuple[int, list[Element]]:
    inputs = (
        el
        for el in _visible(doc, doc.tags("input"))
        if _input_type(el) == "image" and not _name_not_required(el)
    )
    return _judge(
        inputs,
        lambda el: not (_clean(el.get("alt")) or _named_by_aria(doc, el) or _has_title(el)),
    )


@_rule(
    RuleInfo(
        "area-alt",
        "critical",
        ("2.4.4", "4.1.2"),
        "图像热区（area）缺少替代文本",
        "Active <area> elements must have alternative text",
        ("c487ae",),
    )
)
def _area_alt(doc: Doc) -> tuple[int, list[Element]]:
    areas = (
        el
        for el in doc.tags("area")
        if el.get("href") is not None and any(_tag(a) == "map" for a in el.iterancestors())
    )
    return _judge(
        areas,
        lambda el: not (_clean(el.get("alt")) or _named_by_aria(doc, el) or _has_title(el)),
    )


def _in_svg(el: Element) -> bool:
    return _tag(el) == "svg" or any(_tag(a) == "svg" for a in el.iterancestors())


@_rule(
    RuleInfo(
        "role-img-alt",
        "serious",
        ("1.1.1",),
        'role="img" 的元素缺少替代文本',
        "[role='img'] elements must have alternative text",
        ("23a2a8",),
    )
)
def _role_img_alt(doc: Doc) -> tuple[int, list[Element]]:
    candidates = (
        el
        for el in doc.with_role
        if el.get("role") == "img"
        and _tag(el) not in ("img", "area", "input", "object")
        and not _in_svg(el)
    )
    return _judge(
        _visible(doc, candidates), lambda el: not (_named_by_aria(doc, el) or _has_title(el))
    )


@_rule(
    RuleInfo(
        "svg-img-alt",
        "serious",
        ("1.1.1",),
        "SVG 图像缺少替代文本",
        "<svg> elements with an img role must have alternative text",
        ("7d6734",),
    )
)
def _svg_img_alt(doc: Doc) -> tuple[int, list[Element]]:
    if not doc.by_tag.get("svg"):
        return 0, []
    candidates = (
        el
        for el in doc.with_role
        if (
            el.get("role") in ("img", "graphics-symbol")
            or (_tag(el) == "svg" and el.get("role") == "graphics-document")
        )
        and _in_svg(el)
    )
    return _judge(
        _visible(doc, candidates),
        lambda el: not (doc.svg_title(el) or _named_by_aria(doc, el) or _has_title(el)),
    )


@_rule(
    RuleInfo(
        "html-has-lang",
        "serious",
        ("3.1.1",),
        "页面未声明语言（<html> 缺少 lang 属性）",
        "<html> element must have a lang attribute",
        ("b5c3f8",),
    )
)
def _html_has_lang(doc: Doc) -> tuple[int, list[Element]]:
    if not doc.is_document:
        return 0, []
    root = doc.root
    lang, xml_lang = doc.html_attr("lang"), doc.html_attr("xml:lang")
    if lang is not None and not lang.strip() and _clean(xml_lang):
        return 1, [root]  # HTML (not XHTML) ignores xml:lang when lang is present but empty
    return 1, [] if (_clean(lang) or _clean(xml_lang)) else [root]


def _valid_lang(value: str) -> bool:
    base = value.strip().split("-")[0].lower()
    if len(base) == 2:
        return base in ISO_639_1
    return len(base) == 3 and base.isascii() and base.isalpha()


@_rule(
    RuleInfo(
        "html-lang-valid",
        "serious",
        ("3.1.1",),
        "<html> 的 lang 属性值无效",
        "<html> element must have a valid value for the lang attribute",
        ("bf051a",),
    )
)
def _html_lang_valid(doc: Doc) -> tuple[int, list[Element]]:
    if not doc.is_document:
        return 0, []
    values = [v for v in (doc.html_attr("lang"), doc.html_attr("xml:lang")) if v]
    if not values:
        return 0, []
    return 1, [] if all(_valid_lang(v) for v in values) else [doc.root]


@_rule(
    RuleInfo(
        "valid-lang",
        "serious",
        ("3.1.2",),
        "元素的 lang 属性值无效",
        "lang attribute must have a valid value",
        ("de46e4",),
    )
)
def _valid_lang_rule(doc: Doc) -> tuple[int, list[Element]]:
    found = doc.with_lang if doc.is_document else []

    def fails(el: Element) -> bool:
        if not _clean(el.text_content()):
            return False  # axe: no text, nothing to pronounce
        values = [v for v in (el.get("lang"), el.get("xml:lang")) if v]
        return any(not _valid_lang(v) for v in values)

    candidates = (el for el in found if _tag(el) != "html")
    return _judge(_visible(doc, candidates), fails)


@_rule(
    RuleInfo(
        "html-xml-lang-mismatch",
        "moderate",
        ("3.1.1",),
        "<html> 的 lang 与 xml:lang 不一致",
        "HTML elements with lang and xml:lang must have the same base language",
        ("5b7ae0",),
    )
)
def _html_xml_lang_mismatch(doc: Doc) -> tuple[int, list[Element]]:
    lang, xml_lang = doc.html_attr("lang"), doc.html_attr("xml:lang")
    if not doc.is_document or not lang or not xml_lang:
        return 0, []
    if not (_valid_lang(lang) and _valid_lang(xml_lang)):
        return 0, []

    def base(v: str) -> str:
        return v.strip().split("-")[0].lower()

    return 1, [] if base(lang) == base(xml_lang) else [doc.root]


@_rule(
    RuleInfo(
        "document-title",
        "serious",
        ("2.4.2",),
        "页面缺少标题（<title>）",
        "Documents must have <title> element to aid in navigation",
        ("2779a5",),
    )
)
def _document_title(doc: Doc) -> tuple[int, list[Element]]:
    if not doc.is_document:
        return 0, []
    title = doc.first_title()
    ok = title is not None and bool(_clean(title.text_content()))
    return 1, [] if ok else [doc.root]


@_rule(
    RuleInfo(
        "link-name",
        "serious",
        ("2.4.4", "4.1.2"),
        "链接没有可识别的文字（链接名称为空）",
        "Links must have discernible text",
        ("c487ae",),
    )
)
def _link_name(doc: Doc) -> tuple[int, list[Element]]:
    links = (el for el in _visible(doc, doc.tags("a")) if el.get("href") is not None)
    return _judge(
        links,
        lambda el: not (doc.content_text(el) or _named_by_aria(doc, el) or _has_title(el)),
    )


@_rule(
    RuleInfo(
        "button-name",
        "critical",
        ("4.1.2",),
        "按钮没有可识别的文字",
        "Buttons must have discernible text",
        ("97a4e1",),
    )
)
def _button_name(doc: Doc) -> tuple[int, list[Element]]:
    def fails(el: Element) -> bool:
        if doc.content_text(el) or _named_by_aria(doc, el) or _has_title(el):
            return False
        implicit, explicit = doc.label_text(el)
        return not (implicit or explicit or _presentational(el))

    buttons = (el for el in _visible(doc, doc.tags("button")) if not _name_not_required(el))
    return _judge(buttons, fails)


@_rule(
    RuleInfo(
        "input-button-name",
        "critical",
        ("4.1.2",),
        "输入型按钮（input button/submit/reset）没有可识别的文字",
        "Input buttons must have discernible text",
        ("97a4e1",),
    )
)
def _input_button_name(doc: Doc) -> tuple[int, list[Element]]:
    def fails(el: Element) -> bool:
        value = el.get("value")
        if value is None and _input_type(el) in ("submit", "reset"):
            return False  # the browser's default label ("Submit"/"Reset") names it
        if _clean(value) or _named_by_aria(doc, el) or _has_title(el):
            return False
        implicit, explicit = doc.label_text(el)
        return not (implicit or explicit or _presentational(el))

    inputs = (
        el
        for el in _visible(doc, doc.tags("input"))
        if _input_type(el) in _BUTTON_INPUTS and not _name_not_required(el)
    )
    return _judge(inputs, fails)


def _control_fails(doc: Doc, el: Element, *, placeholder: bool) -> bool:
    implicit, explicit = doc.label_text(el)
    if implicit or explicit or _named_by_aria(doc, el) or _has_title(el):
        return False
    if placeholder and _clean(el.get("placeholder")):
        return False
    return not _presentational(el)


@_rule(
    RuleInfo(
        "label",
        "critical",
        ("4.1.2",),
        "表单输入框缺少标签（label）",
        "Form elements must have labels",
        ("e086e5",),
    )
)
def _label(doc: Doc) -> tuple[int, list[Element]]:
    skip = {"hidden", "image", "button", "submit", "reset"}
    controls = (
        el
        for el in _visible(doc, doc.tags("input", "textarea"))
        if _tag(el) == "textarea" or _input_type(el) not in skip
    )
    return _judge(controls, lambda el: _control_fails(doc, el, placeholder=True))


@_rule(
    RuleInfo(
        "select-name",
        "critical",
        ("4.1.2",),
        "下拉选择框缺少标签",
        "Select element must have an accessible name",
        ("e086e5",),
    )
)
def _select_name(doc: Doc) -> tuple[int, list[Element]]:
    return _judge(
        _visible(doc, doc.tags("select")),
        lambda el: _control_fails(doc, el, placeholder=False),
    )


@_rule(
    RuleInfo(
        "frame-title",
        "serious",
        ("4.1.2",),
        "框架（iframe/frame）缺少标题（title）",
        "Frames must have an accessible name",
        ("cae760",),
    )
)
def _frame_title(doc: Doc) -> tuple[int, list[Element]]:
    def tabbable(el: Element) -> bool:
        tabindex = (el.get("tabindex") or "").strip()
        try:
            return int(tabindex) >= 0
        except ValueError:
            return True

    frames = (el for el in _visible(doc, doc.tags("iframe", "frame")) if tabbable(el))
    return _judge(frames, lambda el: not (_has_title(el) or _named_by_aria(doc, el)))


@_rule(
    RuleInfo(
        "duplicate-id-aria",
        "critical",
        ("4.1.2",),
        "被 ARIA 或 <label> 引用的 id 重复",
        "IDs used in ARIA and labels must be unique",
        ("3ea0c8",),
    )
)
def _duplicate_id_aria(doc: Doc) -> tuple[int, list[Element]]:
    referenced: set[str] = set()
    for el in doc.with_aria:
        for attr in _IDREF_ATTRIBUTES:
            referenced.update((el.get(attr) or "").split())
    referenced.update(doc.labels_for)
    applicable = 0
    failed: list[Element] = []
    for ident in referenced:
        count = doc.id_counts.get(ident, 0)
        applicable += count
        if count > 1:
            failed.extend(doc.by_id(ident))  # axe fails every holder of a shared id
    return applicable, failed


@_rule(
    RuleInfo(
        "meta-refresh",
        "critical",
        ("2.2.1",),
        "页面定时自动刷新或跳转（meta refresh）",
        "Delayed refresh under 20 hours must not be used",
        ("bc659a",),
    )
)
def _meta_refresh(doc: Doc) -> tuple[int, list[Element]]:
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

    return _judge(metas, fails)


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


@_rule(
    RuleInfo(
        "meta-viewport",
        "moderate",
        ("1.4.4",),
        "页面禁止用户缩放（viewport user-scalable=no / maximum-scale 过小）",
        "Zooming and scaling must not be disabled",
        ("b4f0c3",),
    )
)
def _meta_viewport(doc: Doc) -> tuple[int, list[Element]]:
    metas = [el for el in doc.tags("meta") if (el.get("name") or "").strip().lower() == "viewport"]
    return _judge(metas, lambda el: _viewport_blocks_zoom(el.get("content") or ""))


@_rule(
    RuleInfo(
        "marquee",
        "serious",
        ("2.2.2",),
        "使用了无法暂停的滚动字幕（<marquee>）",
        "<marquee> elements are deprecated and must not be used",
    )
)
def _marquee(doc: Doc) -> tuple[int, list[Element]]:
    return _judge(_visible(doc, doc.tags("marquee")), lambda el: True)


@_rule(
    RuleInfo(
        "blink",
        "serious",
        ("2.2.2",),
        "使用了闪烁文字（<blink>）",
        "<blink> elements are deprecated and must not be used",
    )
)
def _blink(doc: Doc) -> tuple[int, list[Element]]:
    return _judge(_visible(doc, doc.tags("blink")), lambda el: True)


@_rule(
    RuleInfo(
        "aria-valid-attr",
        "critical",
        ("4.1.2",),
        "使用了不存在的 ARIA 属性",
        "ARIA attributes must conform to valid names",
        ("5f99a7",),
    )
)
def _aria_valid_attr(doc: Doc) -> tuple[int, list[Element]]:
    return _judge(
        _visible(doc, doc.with_aria),
        lambda el: any(k.startswith("aria-") and k not in ARIA_ATTRIBUTES for k in el.attrib),
    )


@_rule(
    RuleInfo(
        "aria-roles",
        "critical",
        ("4.1.2",),
        "role 属性的值不是有效的 ARIA 角色",
        "ARIA roles used must conform to valid values",
        ("674b10",),
    )
)
def _aria_roles(doc: Doc) -> tuple[int, list[Element]]:
    found = (el for el in doc.with_role if (el.get("role") or "").strip())

    def fails(el: Element) -> bool:
        tokens = el.get("role", "").lower().split()
        if any(t in ABSTRACT_ROLES for t in tokens):
            return True
        return not any(t in ARIA_ROLES or t.startswith("doc-") for t in tokens)

    return _judge(_visible(doc, found), fails)


@_rule(
    RuleInfo(
        "aria-hidden-body",
        "critical",
        ("1.3.1", "4.1.2"),
        '<body> 设置了 aria-hidden="true"，整页对读屏软件不可见',
        "aria-hidden='true' must not be present on the document body",
    )
)
def _aria_hidden_body(doc: Doc) -> tuple[int, list[Element]]:
    bodies = doc.by_tag.get("body", [])[:1] if doc.is_document else []
    return _judge(bodies, lambda el: (el.get("aria-hidden") or "").strip() == "true")


@_rule(
    RuleInfo(
        "server-side-image-map",
        "minor",
        ("2.1.1",),
        "使用了服务器端图像映射（img ismap）",
        "Server-side image maps must not be used",
    )
)
def _server_side_image_map(doc: Doc) -> tuple[int, list[Element]]:
    images = (el for el in _visible(doc, doc.tags("img")) if el.get("ismap") is not None)
    return _judge(images, lambda el: True)


_HEADINGS = ("h1", "h2", "h3", "h4", "h5", "h6")


@_rule(
    RuleInfo(
        "empty-heading",
        "minor",
        (),
        "标题元素（h1–h6）内容为空",
        "Headings should not be empty",
        ("ffd0e9",),
    )
)
def _empty_heading(doc: Doc) -> tuple[int, list[Element]]:
    headings = (el for el in doc.tags(*_HEADINGS) if _explicit_role(el) in ("", "heading"))
    by_role = (
        el for el in doc.with_role if el.get("role") == "heading" and _tag(el) not in _HEADINGS
    )

    def candidates() -> Iterator[Element]:
        yield from headings
        yield from by_role

    return _judge(
        _visible(doc, candidates()),
        lambda el: not (doc.content_text(el) or _named_by_aria(doc, el) or _has_title(el)),
    )


# --------------------------------------------------------------------------- reporting

_PAGE_LEVEL = frozenset({"html", "body", "meta"})
SNIPPET_MAX = 240


def css_selector(doc: Doc, el: Element) -> str:
    """A short CSS selector for one element: from the nearest unique id, else from <html>."""
    steps: list[str] = []
    node: Element | None = el
    while node is not None and _tag(node):
        tag = _tag(node)
        ident = (node.get("id") or "").strip()
        if ident and doc.id_counts.get(ident) == 1 and re.fullmatch(r"[A-Za-z][\w-]*", ident):
            steps.append(f"#{ident}")
            break
        parent = node.getparent()
        if parent is None:
            steps.append(tag)
            break
        same = [sib for sib in parent if _tag(sib) == tag]
        steps.append(tag if len(same) == 1 else f"{tag}:nth-of-type({same.index(node) + 1})")
        node = parent
    return " > ".join(reversed(steps))


def snippet(el: Element) -> str:
    """The element's HTML as a webmaster would search for it (start tag for big elements)."""
    tag = _tag(el)
    small = tag not in _PAGE_LEVEL and sum(1 for _ in el.iter()) <= 40
    if small:
        text = lxml.html.tostring(el, encoding="unicode", with_tail=False)
    else:
        attrs = "".join(f' {k}="{v}"' for k, v in el.attrib.items())
        text = f"<{tag}{attrs}>"
    text = _clean(text)
    return text if len(text) <= SNIPPET_MAX else text[: SNIPPET_MAX - 1] + "…"


def outcomes(
    tree: Element, rules: Iterable[str] | None = None, source: str | None = None
) -> dict[str, Outcome]:
    """Per rule: ``failed`` (any element fails), ``passed`` or ``inapplicable``."""
    doc = Doc(tree, source)
    result: dict[str, Outcome] = {}
    for rule_id in rules or RULES:
        _info, fn = RULES[rule_id]
        applicable, failed = fn(doc)
        result[rule_id] = "failed" if failed else ("passed" if applicable else "inapplicable")
    return result


def audit(tree: Element, source: str | None = None) -> list[RuleResult]:
    """The rules a page fails: one result per rule, with a sample selector and snippet.
    ``source``, the decoded HTML, lets ``<html lang>`` be read the way browsers do."""
    doc = Doc(tree, source)
    results: list[RuleResult] = []
    for info, fn in RULES.values():
        _applicable, failed = fn(doc)
        if not failed:
            continue
        sample = failed[0]
        results.append(
            RuleResult(
                rule=info.id,
                impact=info.impact,
                nodes=len(failed),
                selector=css_selector(doc, sample),
                snippet=snippet(sample),
                wcag=wcag_label(info.criteria),
                standard=standard_label(info.criteria),
                title_zh=info.title_zh,
                help_en=info.help_en,
            )
        )
    return results
