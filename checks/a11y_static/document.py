"""One parsed page as the static rules see it: the shared indexes, what is hidden from
screen readers, and accessible names (built once per page, read by every rule)."""

from __future__ import annotations

import re
from collections import Counter
from collections.abc import Iterator
from typing import Any

import lxml.html
from lxml import etree

Element = lxml.html.HtmlElement

NOT_RENDERED = frozenset({"script", "style", "noscript", "template", "head", "title"})
_HIDDEN_STYLE = re.compile(
    r"(?:^|;)\s*(?:display\s*:\s*none|visibility\s*:\s*(?:hidden|collapse))\s*(?:!important\s*)?(?:;|$)",
    re.IGNORECASE,
)
_SPACES = re.compile(r"\s+")
_HTML_TAG = re.compile(r"<html\b([^>]*)>", re.IGNORECASE)
_ATTRIBUTE = re.compile(r"""([\w:-]+)\s*=\s*(?:"([^"]*)"|'([^']*)'|([^\s"'>]+))""")


def clean(value: str | None) -> str:
    """Collapse whitespace (incl. &nbsp; and the ideographic space U+3000) and trim."""
    return _SPACES.sub(" ", value).strip() if value else ""


def tag_name(el: object) -> str:
    tag = getattr(el, "tag", None)
    return tag if isinstance(tag, str) else ""


def input_type(el: Element) -> str:
    return (el.get("type") or "text").strip().lower()


class Doc:
    """One parsed page and the indexes every rule shares (built once per page)."""

    def __init__(
        self,
        tree: Element,
        source: str | None = None,
        stylesheets: Any = None,
        url: str | None = None,
    ) -> None:
        root = tree.getroottree().getroot()
        self.root: Element = root
        self._source = source
        # the page's linked sheets (a checks.a11y_static.cascade.StylesheetSource, not named
        # here: the cascade imports this module) and its URL, for the contrast rule's
        # cascade; None: the linked sheets are not seen
        self.stylesheets = stylesheets
        self.url = url
        self.is_document = tag_name(root) == "html"
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
        # what one rule computes for the whole page once (the contrast rule's analysis)
        self.memo: dict[str, object] = {}
        self._parents: dict[Element, Element | None] = {}
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
        self._hidden_roots.update(root.iter(*NOT_RENDERED))
        for el in self.by_tag.get("input", ()):
            if input_type(el) == "hidden":
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

    def parent(self, el: Element) -> Element | None:
        """``el.getparent()``, asked of lxml once per element whichever rule walks up."""
        if el in self._parents:
            return self._parents[el]
        parent = self._parents[el] = el.getparent()
        return parent

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
            node = self.parent(node)
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
                texts.append(clean(target.get("aria-label")) or self.content_text(target, True))
        return clean(" ".join(texts))

    def content_text(self, el: Element, include_hidden: bool = False) -> str:
        """Name from content: text, ``alt`` of images, ``aria-label`` of descendants."""
        parts: list[str] = [el.text or ""]
        for child in el:
            tag = tag_name(child)
            if (
                tag
                and tag not in NOT_RENDERED
                and (include_hidden or child not in self._hidden_roots)
            ):
                parts.append(self._child_name(child, include_hidden))
            parts.append(child.tail or "")
        return clean(" ".join(parts))

    def _child_name(self, child: Element, include_hidden: bool) -> str:
        own = clean(child.get("aria-label"))
        if own:
            return own
        tag = tag_name(child)
        if tag in ("img", "area") or (tag == "input" and input_type(child) == "image"):
            return clean(child.get("alt")) or clean(child.get("title"))
        if tag == "input":
            return clean(child.get("value"))
        if tag == "svg":
            return self.svg_title(child) or clean(child.get("title"))
        return self.content_text(child, include_hidden) or clean(child.get("title"))

    def svg_title(self, el: Element) -> str:
        for child in el:
            if tag_name(child) == "title":
                return clean(child.text_content())
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
            tag = tag_name(child)
            if child is not control and tag not in NOT_RENDERED and child not in self._hidden_roots:
                # another control inside the label contributes its value, not its label
                parts.append(self._child_name(child, False))
            parts.append(child.tail or "")
        return clean(" ".join(parts))

    def first_title(self) -> Element | None:
        """``document.title``'s element: the first <title> that is not inside an <svg>."""
        for el in self.by_tag.get("title", ()):
            if not any(tag_name(a) == "svg" for a in el.iterancestors()):
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
