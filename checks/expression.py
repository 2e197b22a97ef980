"""``expression_error``: serious expression errors (严重表述错误) in a page's visible text and title.

The rules come from the shipped rule packs (extract/rulepacks/) and are matched by
``extract.expression``: a leader's name miswritten next to the title, a title used after its
holder left it, a fixed formulation or an organ's name with a character wrong, a known confusion
typo. One finding per page and per wrong text (with how often it occurs), showing the sentence,
the wrong and the right text and the rule's source.

Every finding is ``needs_review``: a machine cannot tell a typo from a quotation with certainty,
so it deducts nothing and fails nothing until a person marks it acknowledged (the scorer then
counts it for the 严重表述错误 veto). A person marking it a false positive quiets the same
wrong text of the same rule on the whole site in later scans (``allow_key``, read back through
``ScanContext.allowed``), not only on that page.
"""

from __future__ import annotations

import copy
import datetime as dt
from collections.abc import Iterator
from dataclasses import dataclass

from extract.docmeta import visible_text
from extract.documents import extract_document
from extract.expression import ExpressionError, expression_errors
from govpatrol.core.findings.expression import EXPRESSION_ERROR
from govpatrol.core.types import Check, FindingData, ParsedPage, ScanContext

KIND_ZH = {
    "name": "领导人姓名写错",
    "term": "卸任后仍称现职",
    "formulation": "规范表述写错",
    "typo": "易混错别字",
}


def allow_key(rule: str, wrong: str) -> str:
    """What a false-positive mark quiets on the whole site: this rule's this wrong text."""
    return f"{rule}\x1f{wrong}"


def _page_text(page: ParsedPage, *, without_links: bool) -> str:
    body = page.tree.find("body")
    root = body if body is not None else page.tree
    if without_links:
        root = copy.deepcopy(root)
        for link in list(root.iter("a")):
            link.drop_tree()  # the tail after the link stays: it is the page's own text
    # block boundaries come back as NUL (extract.docmeta); as line breaks no pattern spans them
    text = visible_text(root, breaks=True).replace("\x00", "\n")
    return f"{page.title}\n{text}"


def _published(page: ParsedPage) -> dt.date | None:
    """The article's own publication date; None for lists, home pages and undated pages."""
    if page.is_home:
        return None
    meta = extract_document(page)
    return meta.published_date if meta is not None else None


def _finding(page: ParsedPage, error: ExpressionError, published: dt.date | None) -> FindingData:
    return FindingData(
        check=EXPRESSION_ERROR.id,
        page=page.url,
        message=f"{KIND_ZH[error.kind]}（待人工确认）：“{error.wrong}”应为“{error.right}”",
        key=(error.rule, error.wrong),
        detail={
            "expression_rule": error.rule,
            "rule_kind": error.kind,
            "wrong_text": error.wrong,
            "right_text": error.right,
            "sentence": error.sentence,
            "rule_source": error.source,
            "occurrences": error.count,
            "published": published.isoformat() if published else None,
            "needs_review": True,
            "allow_key": allow_key(error.rule, error.wrong),
        },
    )


@dataclass(frozen=True)
class ExpressionOptions:
    """No threshold: what counts as an error is the rule packs' content, not a number."""


class ExpressionCheck(Check):
    name = "expression"
    findings = ("expression_error",)
    options_type = ExpressionOptions

    def on_page(self, page: ParsedPage, ctx: ScanContext) -> Iterator[FindingData]:
        allowed = set(ctx.allowed.get(EXPRESSION_ERROR.id, ()))
        dated: list[dt.date | None] = []

        def published() -> dt.date | None:
            if not dated:  # read once, and only for a page with a match
                dated.append(_published(page))
            return dated[0]

        errors = expression_errors(
            _page_text(page, without_links=False),
            as_of=ctx.as_of,
            published=published,
            unlinked_text=lambda: _page_text(page, without_links=True),
        )
        for error in errors:
            if allow_key(error.rule, error.wrong) not in allowed:
                yield _finding(page, error, published())
