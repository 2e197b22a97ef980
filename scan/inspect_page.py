"""What govpatrol reads from one page, and why: the analysis behind ``govpatrol inspect``.

Nothing here decides anything of its own. The page is decoded and parsed as the crawler does
(``extract.parse.build_parsed_page``), then read by the same functions a scan calls: the
soft-404 and bot-challenge recognisers, the freshness check's page hook and its cadence,
staleness and blank rules, the document extraction, normative classification and the document
check's per-document findings. A page seen alone lacks what a scan knows of its site (the
site's own not-found page, the navigation that reaches a column, the 解读 pages linking back,
the site's own settings), so the result says where it assumed: a column is judged as if the
navigation reached it, and thresholds are the defaults.

The result is the JSON document of docs/inspect.md (``govpatrol.inspect/1``, schema in
docs/inspect.schema.json): add fields freely, rename or remove none without a version bump.
"""

from __future__ import annotations

import datetime as dt
import re
from collections.abc import Iterable
from typing import Any
from urllib.parse import urlsplit

from checks.documents import DocumentOptions, document_row, field_findings, validity_findings
from checks.documents import judged as review_marked
from checks.freshness import (
    PLACEHOLDER_KEY,
    FreshnessCheck,
    FreshnessOptions,
    blank_reason,
    build_columns,
    column_cadence,
    keyword_table,
    staleness,
)
from extract.documents import DocumentMeta, extract_document, meta_as_dict
from extract.homepage import home_facts
from extract.linkblocks import page_blocks, page_of
from extract.lists import ListItem, block_items, extract_list
from extract.parse import build_parsed_page
from extract.placeholders import PLACEHOLDER_MARKER_EMPTY
from extract.soft404 import challenge_reason, is_error_page
from govpatrol.core.findings import SPECS
from govpatrol.core.settings import Thresholds
from govpatrol.core.site_settings import options_of
from govpatrol.core.types import FindingData, ParsedPage, ScanContext
from scan.inspect_fetch import FetchedPage

INSPECT_FORMAT = "govpatrol.inspect/1"
KINDS = ("list", "channel", "document", "interpretation", "error_page", "other")
# A page with this many blocks of at least CHANNEL_BLOCK_ROWS dated rows, and no one list
# among them, is a channel (section) page: several columns' newest items side by side.
CHANNEL_MIN_BLOCKS = 2
CHANNEL_BLOCK_ROWS = 3
_ROOT_INDEX = re.compile(r"^/(?:(?:index|default|home)\.(?:s?html?|jsp|aspx?|php))?$", re.I)


def inspect_page(
    fetched: FetchedPage, as_of: dt.date, thresholds: Thresholds | None = None
) -> dict[str, Any]:
    """The ``govpatrol.inspect/1`` document of one page, judged as of ``as_of``."""
    thresholds = thresholds or Thresholds()
    page = build_parsed_page(
        fetched.url,
        fetched.final_url,
        fetched.status,
        fetched.headers,
        fetched.body,
        is_home=_is_home(fetched.final_url),
    )
    error = _error_page(page)
    listing = None if page.is_home else _list_section(page, as_of, thresholds)
    meta = None if page.is_home else extract_document(page)
    document = _document_section(meta, as_of, thresholds) if meta is not None else None
    read_as_one = (listing is not None and listing["is_column"]) or meta is not None
    channel = None if read_as_one and not page.is_home else _channel_section(page, as_of)
    kind, reason = _kind(page, error, listing, meta, channel)
    return {
        "format": INSPECT_FORMAT,
        "url": page.url,
        "final_url": page.final_url,
        "source": fetched.source,
        "status": page.status,
        "encoding": page.encoding,
        "truncated": fetched.truncated,
        "title": page.title,
        "as_of": as_of.isoformat(),
        "kind": kind,
        "kind_reason": reason,
        "error_page": error,
        "list": listing,
        "channel": channel,
        "document": document,
    }


def _is_home(url: str) -> bool:
    """The site's root page (what a scan starts from); a file:// page never is."""
    parts = urlsplit(url)
    return (
        parts.scheme in ("http", "https")
        and not parts.query
        and bool(_ROOT_INDEX.match(parts.path or "/"))
    )


# -- the page's kind -------------------------------------------------------------------------


def _kind(
    page: ParsedPage,
    error: dict[str, Any],
    listing: dict[str, Any] | None,
    meta: DocumentMeta | None,
    channel: dict[str, Any] | None,
) -> tuple[str, dict[str, Any]]:
    """(kind, reason): the first that holds, in the order a scan's page kinds take precedence
    (the freshness check's list row before the document check's, scan.page_checks.kind_of).
    The reason is a code with the values its sentence names (docs/inspect.md)."""
    if error["is_error_page"]:
        return "error_page", _reason("error_page", detail=error["reason"])
    if error["bot_challenge"]:
        return "other", _reason("bot_challenge", detail=error["bot_challenge"])
    if page.is_home:
        return "channel", _reason("home")
    if listing is not None and listing["is_column"]:
        if listing["item_count"]:
            values = {"items": listing["item_count"], "dated": listing["dated_count"]}
            return "list", _reason("list_items", **values)
        said = listing["placeholder"]
        if said and said != PLACEHOLDER_MARKER_EMPTY:
            return "list", _reason("list_placeholder", placeholder=said)
        return "list", _reason("list_empty")
    if meta is not None:
        if meta.is_interpretation:
            return "interpretation", _reason("interpretation")
        shown = list(meta.fields)[:6]
        if shown:
            return "document", _reason("document_fields", labels=shown)
        return "document", _reason("document_text")
    if channel is not None:
        return "channel", _reason("channel_blocks", blocks=channel["blocks"])
    if listing is not None:  # a page that only says 正在建设 / 暂无信息
        return "other", _reason("placeholder_page", placeholder=listing["placeholder"])
    return "other", _reason("nothing")


def _reason(code: str, **values: Any) -> dict[str, Any]:
    return {"code": code, "values": values}


# -- error page --------------------------------------------------------------------------------


def _error_page(page: ParsedPage) -> dict[str, Any]:
    """The soft-404 verdict from the page's own status and words (a scan also compares it with
    the site's own not-found page, which one page alone cannot show), and whether it is a
    bot-protection interstitial instead."""
    reason = is_error_page(page.status, page.title, page.text, tree=page.tree)
    challenge = challenge_reason(
        page.status, page.headers, page.text, title=page.title, tree=page.tree
    )
    return {"is_error_page": reason is not None, "reason": reason, "bot_challenge": challenge}


# -- column list -------------------------------------------------------------------------------


def _list_section(
    page: ParsedPage, as_of: dt.date, thresholds: Thresholds
) -> dict[str, Any] | None:
    """What the freshness check records of this page, and how it would judge the column."""
    ctx = ScanContext(
        scan_id=0, site_id=0, site_url=page.url, site_name="", as_of=as_of, thresholds=thresholds
    )
    rows = list(FreshnessCheck().on_page(page, ctx))
    if not rows:
        return None
    row = rows[0]
    extraction = extract_list(page, as_of=as_of) if row.column_key != PLACEHOLDER_KEY else None
    is_column = extraction is not None
    column = build_columns([row], {})[0]
    column.from_nav = True  # assumed: one page cannot show the navigation that reaches it
    options = options_of(thresholds, FreshnessOptions)
    titles = [item.title for item in extraction.items] if extraction is not None else []
    cadence = column_cadence(
        column.name,
        (column.key, column.url),
        titles,
        keyword_table(None),
        options,
        column.breadcrumb,
    )
    blank = blank_reason(column, set()) if is_column else None
    stale, days = staleness(column.newest_date, column.item_count, cadence.days, as_of)
    items = extraction.items if extraction is not None else []
    return {
        "is_column": is_column,
        "column_name": column.name if is_column else row.name,
        "column_key": row.column_key if is_column else None,
        "breadcrumb": list(row.breadcrumb or []),
        "first_page": extraction.first_page if extraction else None,
        "pagination": list(extraction.pagination) if extraction else [],
        "placeholder": row.placeholder,
        "item_count": len(items),
        "dated_count": sum(1 for item in items if item.date),
        "newest_date": _iso(row.newest_date),
        "items": [_item(item) for item in items],
        "cadence": {
            "category": cadence.category,
            "max_days": cadence.days,
            "source": _CADENCE_SOURCES.get(cadence.source or "", "none"),
            "keyword": cadence.basis,
        },
        "stale": _stale_verdict(is_column, blank, stale, days, cadence.days, len(items)),
        "blank": {
            "verdict": "blank" if blank else "not_blank",
            "reason": blank,
            "assumes_navigation": True,
        },
    }


# checks.freshness.Cadence.source → the documented words of docs/inspect.md
_CADENCE_SOURCES = {"site": "site_setting", "name": "name", "content": "content"}


def _item(item: ListItem) -> dict[str, Any]:
    return {
        "title": item.title,
        "url": item.url,
        "date": _iso(item.date),
        "date_text": item.date_text,
        "url_date": _iso(item.url_date),
    }


def _stale_verdict(
    is_column: bool,
    blank: str | None,
    stale: bool,
    days: int | None,
    cadence_days: int | None,
    item_count: int,
) -> dict[str, Any]:
    """stale | fresh | not_judged, with the reason's code and values."""
    values: dict[str, Any] = {"days": days, "max_days": cadence_days}
    if not is_column or blank is not None or not item_count:
        verdict, code = "not_judged", "no_items"
    elif cadence_days is None:
        verdict, code = "not_judged", "no_cadence"
    elif stale and days is None:
        verdict, code = "stale", "undated"
    elif stale:
        verdict, code = "stale", "overdue"
    else:
        verdict, code = "fresh", "within"
    return {"verdict": verdict, "days_since": days, "reason": _reason(code, **values)}


# -- channel and home pages --------------------------------------------------------------------


def _channel_section(page: ParsedPage, as_of: dt.date) -> dict[str, Any] | None:
    """The dated blocks of a home or channel page (read as the freshness check reads a home
    page); None for a page with fewer than ``CHANNEL_MIN_BLOCKS`` of them that is no home."""
    if page.is_home:
        facts = home_facts(page, as_of=as_of)
        blocks, items = None, facts.items
    else:
        src = page_of(page, as_of)
        significant = [
            block
            for block in page_blocks(src)
            if block.weight > 0 and block.dated >= CHANNEL_BLOCK_ROWS
        ]
        if len(significant) < CHANNEL_MIN_BLOCKS:
            return None
        blocks = len(significant)
        items = [
            item
            for block in significant
            for item in block_items(src, block, as_of, dated_only=True)
        ]
    dates = [item.date for item in items if item.date]
    return {
        "is_home": page.is_home,
        "blocks": blocks,
        "dated_items": len(items),
        "newest_date": _iso(max(dates, default=None)),
    }


# -- document ----------------------------------------------------------------------------------


def _document_section(meta: DocumentMeta, as_of: dt.date, thresholds: Thresholds) -> dict[str, Any]:
    fields = _jsonable(meta_as_dict(meta))
    doc = document_row(meta, scan_id=0, final_url=meta.url)
    options = options_of(thresholds, DocumentOptions)
    decision = _normative_decision(meta, fields)
    # as the scan reports them: on a page the classifier left to a person (needs_review),
    # low severity with detail.needs_review, which the scorer leaves out
    validity_issues = list(review_marked(doc, validity_findings(doc, as_of, options)))
    judged = decision != "not_normative" and not meta.is_interpretation
    findings = [*validity_issues, *review_marked(doc, field_findings(doc))] if judged else []
    return {
        "fields": fields,
        "sources": _sources(meta),
        "validity": _validity(meta, validity_issues, judged),
        "normative": {"decision": decision, "reason": meta.normative_reason or ""},
        "is_interpretation": meta.is_interpretation,
        "interpretation_links": list(meta.interpretation_urls),
        "original_links": list(meta.original_urls),
        "findings": [_finding(f) for f in findings],
    }


def _normative_decision(meta: DocumentMeta, fields: dict[str, Any]) -> str:
    """normative | not_normative | needs_review. A three-valued decision on DocumentMeta
    (a string field ``normative_decision``) is passed through as it is."""
    decided = fields.get("normative_decision")
    if isinstance(decided, str) and decided:
        return decided
    return "normative" if meta.is_normative else "not_normative"


def _sources(meta: DocumentMeta) -> dict[str, str]:
    """Where each field came from, as the extraction recorded it (extract.documents.SOURCES)."""
    return {str(name): str(source) for name, source in meta.sources.items() if source}


def _validity(meta: DocumentMeta, issues: list[FindingData], judged: bool) -> dict[str, Any]:
    checks = {issue.check for issue in issues}
    if "missing_validity_label" in checks:
        verdict = "missing_label"
    elif "validity_inconsistent" in checks:
        verdict = "inconsistent"
    else:
        verdict = "consistent"
    return {
        "value": meta.validity,
        "raw": meta.validity_raw,
        "label": meta.validity_label,
        "source": meta.sources.get("validity"),
        "verdict": verdict,
        "judged": judged,
        "issues": [_finding(issue) for issue in issues],
    }


def _finding(finding: FindingData) -> dict[str, Any]:
    spec = SPECS.get(finding.check)
    return {
        "check": finding.check,
        "severity": finding.severity or (spec.severity if spec else "medium"),
        "message": finding.message,
        "detail": _jsonable(finding.detail),
    }


# -- helpers -----------------------------------------------------------------------------------


def _iso(day: dt.date | None) -> str | None:
    return day.isoformat() if day else None


def _jsonable(value: Any) -> Any:
    """Dates as ISO strings, tuples and sets as lists, every map's keys as strings."""
    if isinstance(value, dt.date):
        return value.isoformat()
    if isinstance(value, dict):
        return {str(k): _jsonable(v) for k, v in value.items()}
    if isinstance(value, list | tuple | set | frozenset):
        items: Iterable[Any] = (
            sorted(value, key=str) if isinstance(value, set | frozenset) else value
        )
        return [_jsonable(v) for v in items]
    return value
