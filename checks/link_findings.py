"""The findings of the links check: one broken_link per page carrying a broken target, and
one broken_fragment per ``#fragment`` link into the site's own pages that names no anchor.
"""

from __future__ import annotations

import dataclasses
import datetime as dt
from collections.abc import Iterator
from itertools import groupby
from typing import Any

from sqlalchemy import and_
from sqlmodel import Session, col, select

from checks.link_table import CHUNK, aware
from crawler.fragments import FragmentResult, check_fragments, missing_fragments
from crawler.verify import run_sync
from crawler.verify_types import TargetResult, VerifyConfig
from govpatrol.core.findings.links import BROKEN_FRAGMENT, BROKEN_LINK
from govpatrol.core.models import LinkOutcome, LinkSource, LinkTarget, Page
from govpatrol.core.types import FindingData

KIND_LABELS = {
    "page": "页面链接",
    "attachment": "附件链接",
    "image": "图片链接",
    "script": "脚本链接",
    "style": "样式表链接",
    "frame": "框架页链接",
    "external": "外部链接",
    "other": "链接",
}
FAILURE_TEXT = {
    "timeout": "无法访问（请求超时）",
    "dns": "无法访问（域名无法解析）",
    "connection_refused": "无法连接（连接被拒绝）",
    "connection_reset": "无法访问（连接中断）",
    "connection_error": "无法连接",
    "tls": "无法访问（证书/TLS 错误）",
    "redirect_loop": "陷入重定向循环",
    "too_many_redirects": "重定向次数过多",
    "bad_redirect": "重定向到无效地址",
    "soft_404": "打开后是错误页面（如“页面不存在”）",
    "empty_attachment": "是空文件（0 字节）",
    "attachment_is_html": "返回错误网页而非文件",
    "bad_url": "地址无效",
}


MAX_FRAGMENT_PAGES = 1000  # pages fetched once more for their anchors, at most
CRAWL_ANCHORS_CAP = 1000  # the crawler keeps at most this many anchors of a page


# -- findings --------------------------------------------------------------------------------


def link_message(target_kind: str, internal: bool, failure: str, status: int | None) -> str:
    """The Chinese finding message: "附件链接返回 404", "外部链接无法连接（连接被拒绝）" …"""
    label = _label(target_kind, internal, failure)
    if failure == "http" and status is not None:
        return f"{label}返回 {status}"
    return f"{label}{FAILURE_TEXT.get(failure, '无法访问')}"


def _shown_kind(kind: str, internal: bool) -> str:
    return "external" if not internal and kind in ("page", "other") else kind


def _label(kind: str, internal: bool, failure: str) -> str:
    if failure == "bad_url" and kind in ("page", "other", "external"):
        return "链接"  # an address without a host is no more outside the site than in it
    return KIND_LABELS.get(_shown_kind(kind, internal), "链接")


@dataclasses.dataclass(frozen=True)
class BrokenTarget:
    """What a broken_link finding says about its target."""

    url: str
    kind: str
    internal: bool
    status: int | None
    error: str | None
    failure: str
    redirects: list[str]
    checked_at: dt.datetime | None

    @classmethod
    def from_row(cls, row: Any) -> BrokenTarget:
        _id, url, kind, internal, status, error, detail, checked_at = row
        detail = detail or {}
        return cls(
            url,
            kind,
            internal,
            status,
            error,
            detail.get("kind") or "http",
            detail.get("redirects") or [],
            checked_at,
        )

    @classmethod
    def from_result(cls, result: TargetResult, kind: str, internal: bool) -> BrokenTarget:
        return cls(
            result.url,
            kind,
            internal,
            result.status,
            result.error,
            result.kind,
            result.redirects,
            result.checked_at,
        )


def _broken_targets(session: Session, scan_id: int) -> Iterator[BrokenTarget]:
    last = 0
    while True:
        rows = session.exec(
            select(
                LinkTarget.id,
                LinkTarget.url,
                LinkTarget.kind,
                LinkTarget.internal,
                LinkTarget.status,
                LinkTarget.error,
                LinkTarget.detail,
                LinkTarget.checked_at,
            )
            .where(
                LinkTarget.scan_id == scan_id,
                LinkTarget.outcome == LinkOutcome.broken,
                col(LinkTarget.id) > last,
            )
            .order_by(col(LinkTarget.id))
            .limit(CHUNK)
        ).all()
        if not rows:
            return
        yield from (BrokenTarget.from_row(row) for row in rows)
        last = rows[-1][0]


def _sources(session: Session, scan_id: int, target_url: str) -> Iterator[Any]:
    """(page_url, text, tag, attr, on_home) of one target, each page once."""
    seen: set[str] = set()
    last = 0
    while True:
        rows = session.exec(
            select(
                LinkSource.id,
                LinkSource.page_url,
                LinkSource.text,
                LinkSource.tag,
                LinkSource.attr,
                LinkSource.on_home,
            )
            .where(
                LinkSource.scan_id == scan_id,
                LinkSource.target_url == target_url,
                col(LinkSource.id) > last,
            )
            .order_by(col(LinkSource.id))
            .limit(CHUNK * 4)
        ).all()
        if not rows:
            return
        for row in rows:
            if row[1] not in seen:
                seen.add(row[1])
                yield row[1:]
        last = rows[-1][0]


def findings_for_target(
    session: Session, scan_id: int, target: BrokenTarget
) -> Iterator[FindingData]:
    """One broken_link finding per page carrying a broken target."""
    message = link_message(target.kind, target.internal, target.failure, target.status)
    checked = aware(target.checked_at).isoformat() if target.checked_at else None
    for page_url, text, tag, attr, on_home in _sources(session, scan_id, target.url):
        yield FindingData(
            check=BROKEN_LINK.id,
            page=page_url,
            target=target.url,
            message=message,
            severity="high" if on_home else "medium",
            detail={
                "status": target.status,
                # a code (timeout, dns, soft_404 …), None when the status says it all
                "error": None if target.failure == "http" else target.failure,
                "error_text": target.error,
                "text": text,
                "on_home": bool(on_home),
                "kind": _shown_kind(target.kind, target.internal),
                "tag": tag,
                "attr": attr,
                "redirects": target.redirects,
                "checked_at": checked,
            },
        )


def broken_link_findings(session: Session, scan_id: int) -> Iterator[FindingData]:
    for target in _broken_targets(session, scan_id):
        yield from findings_for_target(session, scan_id, target)


# -- fragments -------------------------------------------------------------------------------


def _fragment_targets(session: Session, scan_id: int) -> Iterator[tuple[str, set[str]]]:
    """(internal page that loads, fragments linked to it), at most MAX_FRAGMENT_PAGES."""
    rows = session.exec(
        select(LinkSource.target_url, LinkSource.fragment)
        .join(
            LinkTarget,
            and_(
                col(LinkTarget.scan_id) == col(LinkSource.scan_id),
                col(LinkTarget.url) == col(LinkSource.target_url),
            ),
        )
        .where(
            LinkSource.scan_id == scan_id,
            col(LinkSource.fragment).is_not(None),
            LinkTarget.internal == True,  # noqa: E712  (SQL, not Python truthiness)
            LinkTarget.outcome == LinkOutcome.ok,
        )
        .distinct()
        .order_by(col(LinkSource.target_url))
    ).all()
    for count, (url, group) in enumerate(groupby(rows, key=lambda r: r[0])):
        if count >= MAX_FRAGMENT_PAGES:
            return
        yield url, {fragment for _, fragment in group if fragment}


def _crawled_anchors(session: Session, scan_id: int, url: str) -> list[str] | None:
    """The anchors the crawl recorded for a page, or None when it has no complete list."""
    anchors = session.exec(
        select(Page.anchors).where(Page.scan_id == scan_id, Page.url == url)
    ).first()
    if not anchors or len(anchors) >= CRAWL_ANCHORS_CAP:
        return None  # not crawled, no ids recorded, or a list the crawler cut short
    return list(anchors)


def _missing_fragments(
    session: Session, scan_id: int, config: VerifyConfig
) -> Iterator[tuple[str, list[str]]]:
    """(page, fragments it lacks): from the crawl's anchor lists, else one GET per page."""
    to_fetch: list[tuple[str, set[str]]] = []
    for url, fragments in _fragment_targets(session, scan_id):
        anchors = _crawled_anchors(session, scan_id, url)
        if anchors is None:
            to_fetch.append((url, fragments))
            continue
        missing = missing_fragments(fragments, set(anchors))
        if missing:
            yield url, missing
    if not to_fetch:
        return

    async def collect() -> list[FragmentResult]:
        return [r async for r in check_fragments(to_fetch, config) if r.missing]

    for result in run_sync(collect):
        yield result.url, result.missing


def fragment_findings(
    session: Session, scan_id: int, config: VerifyConfig
) -> Iterator[FindingData]:
    for url, missing in _missing_fragments(session, scan_id, config):
        for fragment in missing:
            rows = session.exec(
                select(LinkSource.page_url, LinkSource.text, LinkSource.on_home)
                .where(
                    LinkSource.scan_id == scan_id,
                    LinkSource.target_url == url,
                    LinkSource.fragment == fragment,
                )
                .distinct()
            ).all()
            for page_url, text, on_home in rows:
                yield FindingData(
                    check=BROKEN_FRAGMENT.id,
                    page=page_url,
                    target=url,
                    message=f"页内锚点 #{fragment} 在目标页面上不存在",
                    detail={"fragment": fragment, "text": text, "on_home": bool(on_home)},
                    key=(fragment,),
                )
