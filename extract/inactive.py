"""Markup a visitor never sees as written: inactive client-side template branches and
hidden elements.

Pages built with Vue, Angular, layui, art-template or Handlebars ship both branches of a
condition in their HTML: the rows, and the 暂无数据 shown only when there are none
(``<li v-if="!list.length">暂无数据</li>``, ``{{if list.length == 0}}暂无数据{{/if}}``,
``<template>``, ``<script type="text/html">``). Such text says nothing about the page, so
whoever reads a page's notices (extract.placeholders) asks ``shown_as_written`` first.
"""

from __future__ import annotations

import re

import lxml.html

# Attributes that make an element conditional (rendered or shown only when a script says so).
_CONDITIONAL_ATTRIBUTES = frozenset(
    {
        "v-if", "v-else", "v-else-if", "v-show",  # Vue
        "ng-if", "ng-show", "ng-hide", "ng-switch-when", "ng-switch-default",  # AngularJS
        "*ngif", "[hidden]",  # Angular
        "x-if", "x-show",  # Alpine
        "wx:if", "wx:elif", "wx:else",  # mini-program markup pasted into pages
        "hidden",  # HTML's own
    }
)  # fmt: skip
# Class names front-end kits use to hide an element until a script shows it.
_HIDDEN_CLASSES = frozenset(
    {"hide", "hidden", "d-none", "layui-hide", "is-hidden", "ng-hide", "van-hide"}
)
_TEMPLATE_TAGS = frozenset({"template", "script", "noscript", "textarea"})
_HIDING_STYLE = re.compile(r"display\s*:\s*none|visibility\s*:\s*hidden", re.I)
# A conditional or loop directive of a text template: {{#if}} {{else}} {{/if}} (Handlebars,
# Mustache {{^list}}), {{if …}} {{each}} (art-template), {{# if(…){ }} (layui laytpl),
# {% if %} and <% if %> (templates left unrendered).
_TEMPLATE_DIRECTIVE = re.compile(
    r"\{\{\s*[#/^]|\{\{\s*(?:if|else|each)\b|\{%-?\s*(?:if|else|elif|for)\b|<%[^%]*\b(?:if|else)\b"
)
_DIRECTIVE_SCOPE = 3  # the text's element and two above: the template block it sits in


def _conditional(element: lxml.html.HtmlElement) -> bool:
    if element.tag in _TEMPLATE_TAGS:
        return True
    if any(name.lower() in _CONDITIONAL_ATTRIBUTES for name in element.attrib):
        return True
    if _HIDING_STYLE.search(element.get("style") or ""):
        return True
    classes = (element.get("class") or "").lower().split()
    return any(name in _HIDDEN_CLASSES for name in classes)


def shown_as_written(element: lxml.html.HtmlElement) -> bool:
    """Whether the text of ``element`` shows as it is written: not inside a template, a
    conditional or hidden element, nor inside a text template's ``{{if}} … {{/if}}``."""
    chain = [element, *element.iterancestors()]
    if any(isinstance(node.tag, str) and _conditional(node) for node in chain):
        return False
    for node in chain[:_DIRECTIVE_SCOPE]:
        if node.tag in ("body", "html"):
            break
        if _TEMPLATE_DIRECTIVE.search(node.text_content()):
            return False
    return True
