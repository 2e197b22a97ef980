"""Group pages by the CMS template that rendered them, from the DOM skeleton alone.

A government CMS renders thousands of pages from a handful of templates (home, column
list, article, 信息公开 detail …). The browser audit samples a few pages per template, so
the key must stay the same across pages of one template and differ between templates:

* text, URLs and every attribute value are ignored, except ``class``/``id`` of the
  structural containers (``div``, ``table``, ``ul`` …) that a template author names;
  state tokens a script or the CMS toggles per page (``on``, ``cur``, ``active`` …) are
  dropped and digit runs are folded (``con_1``/``con_2`` tab panes are one pane);
* repeated siblings collapse: children are reduced to their distinct shapes in
  first-seen order, so a list of 3 items and a list of 25 (or rows alternating with
  separator rows) give the same shape;
* inline markup (``a``, ``span``, ``font``, ``img`` …) is not part of the skeleton and an
  editor's body text (a container holding several ``<p>``) is one opaque node, because
  article bodies differ in everything but their container;
* ``<head>``, scripts, styles and comments are skipped: they vary with the content
  (keywords, per-article metadata) while the rendered layout does not.

It runs on every crawled page, so it is a single recursive pass over the body with
short string signatures (long ones are hashed as they are built).
"""

from __future__ import annotations

import hashlib
import re

import lxml.html

# Subtrees that say nothing about the layout, or whose size tracks the content.
_SKIP = frozenset(
    {
        "head",
        "script",
        "style",
        "noscript",
        "template",
        "link",
        "meta",
        "title",
        "base",
        "option",
        "optgroup",
        "param",
        "source",
        "track",
        "wbr",
    }
)

# Containers whose class/id a template author chooses: they name the layout regions.
_STRUCTURAL = frozenset(
    {
        "body",
        "div",
        "section",
        "article",
        "header",
        "footer",
        "nav",
        "main",
        "aside",
        "ul",
        "ol",
        "dl",
        "table",
        "form",
        "iframe",
        "frame",
        "frameset",
        "center",
    }
)

# Elements kept in the skeleton as leaves: their inner markup is content, not layout.
_LEAF = frozenset(
    {
        "p",
        "h1",
        "h2",
        "h3",
        "h4",
        "h5",
        "h6",
        "iframe",
        "frame",
        "input",
        "select",
        "textarea",
        "button",
        "object",
        "embed",
        "video",
        "audio",
        "canvas",
        "svg",
        "marquee",
        "hr",
        "pre",
    }
)

# Everything else that is not a known block element is treated as inline and dropped.
_BLOCK = (
    _STRUCTURAL
    | _LEAF
    | frozenset(
        {
            "html",
            "li",
            "dt",
            "dd",
            "thead",
            "tbody",
            "tfoot",
            "tr",
            "td",
            "th",
            "caption",
            "colgroup",
            "fieldset",
            "legend",
            "figure",
            "figcaption",
            "blockquote",
            "address",
            "map",
            "details",
            "summary",
            "dialog",
            "menu",
        }
    )
)

# Class tokens that a page or its scripts switch on and off: not part of the template.
_STATE_TOKENS = frozenset(
    {
        "on",
        "active",
        "cur",
        "curr",
        "current",
        "now",
        "selected",
        "select",
        "hover",
        "focus",
        "open",
        "show",
        "hide",
        "hidden",
        "in",
        "first",
        "last",
        "odd",
        "even",
    }
)

# A container with at least this many direct <p> children, and more <p> than other blocks,
# is an editor's body (article text): one opaque node.
_BODY_TEXT_MIN_PARAGRAPHS = 2
_MAX_SIG = 96  # longer signatures are replaced by a digest while building
_DIGITS = re.compile(r"\d+")


def template_key(tree: lxml.html.HtmlElement) -> str:
    """A 20-hex-digit key shared by pages rendered from the same template."""
    root = tree.getroottree().getroot() if hasattr(tree, "getroottree") else tree
    body = root.find("body") if root.tag == "html" else None
    start = body if body is not None else root
    skeleton = _signature(start)
    return hashlib.blake2b(skeleton.encode("utf-8"), digest_size=10).hexdigest()


def _label(el: lxml.html.HtmlElement, tag: str) -> str:
    """``tag#id.class`` with the names a template author gave a structural element."""
    if tag not in _STRUCTURAL:
        return tag
    label = tag
    ident = el.get("id")
    if ident:
        label += "#" + _DIGITS.sub("0", ident.strip().lower())
    cls = el.get("class")
    if cls:
        tokens = sorted(
            {_DIGITS.sub("0", token) for token in cls.lower().split() if token not in _STATE_TOKENS}
        )
        if tokens:
            label += "." + ".".join(tokens)
    return label


def _signature(el: lxml.html.HtmlElement) -> str:
    tag = el.tag if isinstance(el.tag, str) else ""
    tag = tag.lower()
    label = _label(el, tag)
    if tag in _LEAF:
        return label
    parts: dict[str, None] = {}  # insertion-ordered set: distinct child shapes
    paragraphs = blocks = 0
    for child in el:
        ctag = child.tag
        if not isinstance(ctag, str):
            continue  # comments, processing instructions, entities
        ctag = ctag.lower()
        if ctag in _SKIP or ctag not in _BLOCK:
            continue
        if ctag == "p":
            paragraphs += 1
        else:
            blocks += 1
        parts[_signature(child)] = None
    if paragraphs >= _BODY_TEXT_MIN_PARAGRAPHS and paragraphs > blocks and tag != "body":
        return label + "{text}"
    if not parts:
        return label
    inner = ",".join(parts)
    if len(inner) > _MAX_SIG:
        inner = hashlib.blake2b(inner.encode("utf-8"), digest_size=8).hexdigest()
    return f"{label}({inner})"
