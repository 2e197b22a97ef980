"""The link table as verification reads and writes it: the scan's targets of an outcome in
chunks, the crawl's own answer for a page it fetched (a page is never fetched twice), and
results written back in batches.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Iterator, Mapping
from typing import Any

from sqlalchemy import and_, bindparam, update
from sqlmodel import Session, col, select

from crawler.verify_types import TargetResult
from govpatrol.core.models import LinkOutcome, LinkTarget, Page

CHUNK = 500  # rows read or written per statement
COMMIT_EVERY = 500  # verified targets per commit: other writers (heartbeat) are not blocked
CRAWLER_DETAIL_KEYS = ("robots_disallowed",)  # what the crawler puts in LinkTarget.detail


def pending_chunks(
    session: Session, scan_id: int, outcomes: tuple[LinkOutcome, ...]
) -> Iterator[list[Any]]:
    """(id, url, kind, internal, outcome, detail) rows in id order, CHUNK at a time."""
    last = 0
    while True:
        rows = session.exec(
            select(
                LinkTarget.id,
                LinkTarget.url,
                LinkTarget.kind,
                LinkTarget.internal,
                LinkTarget.outcome,
                LinkTarget.detail,
            )
            .where(
                LinkTarget.scan_id == scan_id,
                col(LinkTarget.outcome).in_(outcomes),
                col(LinkTarget.id) > last,
            )
            .order_by(col(LinkTarget.id))
            .limit(CHUNK)
        ).all()
        if not rows:
            return
        yield list(rows)
        last = rows[-1][0]


def pages_by_url(session: Session, scan_id: int, urls: list[str]) -> dict[str, Any]:
    pages = _page_rows(session, scan_id, urls)
    redirects = {
        url: row
        for url, row in pages.items()
        if row[4] == "redirect" and 300 <= (row[2] or 0) < 400
    }
    for url, row in redirects.items():
        final = _redirect_destination(session, scan_id, row)
        if final is None:
            del pages[url]  # not settled by the crawl: verified by request
        else:
            pages[url] = (url, final[1] or final[0], *final[2:])
    return pages


MAX_REDIRECT_HOPS = 10


def _redirect_destination(session: Session, scan_id: int, row: Any) -> Any | None:
    """The crawl's row of the page a redirect row leads to (the crawler stops a redirect into
    a page it already has, and records where it pointed), or None when that is unknown."""
    seen = {row[0]}
    for _ in range(MAX_REDIRECT_HOPS):
        target = row[1]
        if not target or target in seen:
            return None
        seen.add(target)
        found = _page_rows(session, scan_id, [target]).get(target)
        if found is None:
            return None
        if not (found[4] == "redirect" and 300 <= (found[2] or 0) < 400):
            return found
        row = found
    return None


def _page_rows(session: Session, scan_id: int, urls: list[str]) -> dict[str, Any]:
    rows = session.exec(
        select(
            Page.url,
            Page.final_url,
            Page.status,
            Page.error,
            Page.kind,
            Page.content_type,
            Page.bytes,
            Page.elapsed_ms,
            Page.fetched_at,
        ).where(Page.scan_id == scan_id, col(Page.url).in_(urls))
    ).all()
    return {row[0]: row for row in rows}


# Crawl failures taken as they are. Anything else (too many redirects, which Scrapy cannot
# tell from a loop, an ignored or unknown error) is verified by request for better evidence.
_CRAWL_FAILURES = frozenset({"dns", "connection_refused", "timeout", "tls", "connection_reset"})


def _failure_of(page: Any) -> str:
    return (page[3] or "").split(":", 1)[0].strip()


def reusable(page: Any) -> bool:
    """Whether the crawl's answer for a page settles its link target."""
    failed = page[4] == "failed" or page[2] is None
    return not failed or _failure_of(page) in _CRAWL_FAILURES


def result_from_page(page: Any, internal: bool = True) -> TargetResult:
    """The crawl's answer for a page it fetched, in the verifier's terms."""
    url, final_url, status, error, kind = page[0], page[1], page[2], page[3], page[4]
    result = TargetResult(
        url=url,
        outcome=LinkOutcome.ok,
        status=status,
        kind="ok",
        error=None,
        redirects=[final_url] if final_url and final_url != url else [],
        elapsed_ms=page[7] or 0.0,
        checked_at=aware(page[8]),
        content_type=page[5],
        bytes=page[6],
    )
    if kind == "soft404":
        return _with(result, LinkOutcome.broken, "soft_404", error or "错误页面")
    if kind == "challenge":
        return _with(result, LinkOutcome.unverified, "challenge", error or "反爬虫验证页")
    if kind == "failed" or status is None:
        failure = _failure_of(page)
        if failure in _CRAWL_FAILURES:
            return _with(result, LinkOutcome.broken, failure, error or failure)
        return _with(result, LinkOutcome.unverified, "error", error or "抓取未完成")
    if status in (429, 999):
        return _with(result, LinkOutcome.unverified, "rate_limited", f"HTTP {status}")
    if status == 401:
        return _with(result, LinkOutcome.ok, "auth_required", "需要登录（HTTP 401）")
    if status == 403 and not internal:
        return _with(result, LinkOutcome.unverified, "forbidden", "拒绝自动访问（HTTP 403）")
    if status >= 400:
        return _with(result, LinkOutcome.broken, "http", f"HTTP {status}")
    return result


def _with(result: TargetResult, outcome: LinkOutcome, kind: str, error: str) -> TargetResult:
    result.outcome, result.kind, result.error = outcome, kind, error
    return result


def aware(value: dt.datetime | None) -> dt.datetime:
    if value is None:
        return dt.datetime.now(dt.UTC)
    return value if value.tzinfo else value.replace(tzinfo=dt.UTC)


class TargetWriter:
    """Writes results back to their LinkTarget rows in executemany batches."""

    _statement = (
        update(LinkTarget.__table__)
        .where(
            and_(
                LinkTarget.__table__.c.scan_id == bindparam("b_scan"),
                LinkTarget.__table__.c.url == bindparam("b_url"),
            )
        )
        .values(
            outcome=bindparam("b_outcome"),
            status=bindparam("b_status"),
            error=bindparam("b_error"),
            detail=bindparam("b_detail"),
            checked_at=bindparam("b_checked"),
        )
    )

    def __init__(self, session: Session, scan_id: int) -> None:
        self.session = session
        self.scan_id = scan_id
        self._rows: list[dict[str, Any]] = []
        self._since_commit = 0

    def add(self, result: TargetResult, extra: Mapping[str, Any] | None = None) -> None:
        detail = {
            **(extra or {}),
            "kind": result.kind,
            "redirects": result.redirects,
            "elapsed_ms": result.elapsed_ms,
            "content_type": result.content_type,
            "bytes": result.bytes,
        }
        self._rows.append(
            {
                "b_scan": self.scan_id,
                "b_url": result.url,
                "b_outcome": result.outcome.name,
                "b_status": result.status,
                "b_error": result.error,
                "b_detail": detail,
                "b_checked": result.checked_at,
            }
        )
        if len(self._rows) >= CHUNK:
            self.flush()

    def flush(self) -> None:
        if self._rows:
            self.session.execute(self._statement, self._rows)
            self._since_commit += len(self._rows)
            self._rows = []
        if self._since_commit >= COMMIT_EVERY:
            self.session.commit()
            self._since_commit = 0
