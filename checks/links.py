"""Broken links (issue 3): every link target of a scan verified once, one finding per page.

The crawl records each distinct target (``LinkTarget``, outcome ``pending``) and every place
it was seen (``LinkSource``). The site hook settles every pending target: a page the crawl
fetched already keeps the crawl's answer (a page is never fetched twice), robots-disallowed
targets stay unverified, and the rest go through ``crawler.verify``. Then each broken target
yields one ``broken_link`` finding per page carrying it, and ``#fragment`` links into the
site's own pages are checked for a matching id (``broken_fragment``, low severity).

Rows are read in chunks and written back in batches, so a 20,000-page scan with hundreds of
thousands of sources runs in flat memory.
"""

from __future__ import annotations

import asyncio
import contextlib
import dataclasses
import datetime as dt
from collections.abc import Callable, Iterable, Iterator, Mapping
from itertools import groupby
from typing import Any

from sqlalchemy import and_, bindparam, delete, update
from sqlmodel import Session, col, select

from checks.registry import register
from crawler.netguard import FetchGuard
from crawler.verify import (
    FragmentResult,
    TargetIn,
    TargetResult,
    VerifyConfig,
    check_fragments,
    missing_fragments,
    run_sync,
    verify,
)
from extract.soft404 import NotFoundProfile
from govpatrol.core.budgets import CUT_LINK_VERIFY_TIME, CUT_SCAN_TIME, record_cut, seconds_left
from govpatrol.core.models import Finding, LinkOutcome, LinkSource, LinkTarget, Page, Scan, Site
from govpatrol.core.settings import Thresholds
from govpatrol.core.site_settings import site_settings
from govpatrol.core.types import Check, CheckInfo, FindingData, SiteContext

CHUNK = 500  # rows read or written per statement
COMMIT_EVERY = 500  # verified targets per commit: other writers (heartbeat) are not blocked
MAX_FRAGMENT_PAGES = 1000  # pages fetched once more for their anchors, at most
CRAWLER_DETAIL_KEYS = ("robots_disallowed",)
CRAWL_ANCHORS_CAP = 1000  # the crawler keeps at most this many anchors of a page  # what the crawler puts in LinkTarget.detail

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

BROKEN_LINK = CheckInfo(
    id="broken_link",
    title_zh="链接不可用",
    title_en="Broken link",
    severity="medium",
    indicator="links",
    hint_zh="修正或删除失效链接：核对地址、恢复被删除的页面或附件，外部链接失效时改为有效地址或撤下。"
    "首页链接优先处理。修复后可用“复检”确认。",
    hint_en="Fix or remove the link: correct the address, restore the deleted page or file, "
    "or replace/remove a dead external link. Fix home-page links first; run a recheck to "
    "confirm.",
)
BROKEN_FRAGMENT = CheckInfo(
    id="broken_fragment",
    title_zh="页内锚点失效",
    title_en="Broken in-page anchor",
    severity="low",
    indicator="links",
    hint_zh="链接中的“#锚点”在目标页面上不存在：在目标页面补上对应的 id，或修改链接。",
    hint_en="The #fragment of the link has no matching id on the target page: add the id to "
    "the page or correct the link.",
)


@register
class LinkCheck(Check):
    name = "links"
    infos = (BROKEN_LINK, BROKEN_FRAGMENT)
    order = 10  # link outcomes feed reports and other site checks: settle them first

    def on_site(self, ctx: SiteContext) -> Iterator[FindingData]:
        session = _session(ctx)
        config = verify_config(
            ctx.thresholds, ctx.scan, ctx.site_config, ctx.site_url, ctx.address_zone
        )
        budget = verify_budget(ctx.thresholds, ctx.scan)
        counts = settle_pending(session, ctx.scan_id, config, budget)
        _record_stats(session, ctx.scan_id, counts)
        session.commit()  # before yielding: the pipeline's writer uses another connection
        yield from broken_link_findings(session, ctx.scan_id)
        yield from fragment_findings(session, ctx.scan_id, config)


def _session(ctx: SiteContext) -> Session:
    if ctx.session is None:
        raise ValueError("the links check needs a store session")
    return ctx.session


# -- configuration ---------------------------------------------------------------------------


def verify_config(
    thresholds: Thresholds | None = None,
    scan: Scan | None = None,
    site_config: Mapping[str, Any] | None = None,
    site_url: str | None = None,
    address_zone: str = "public",
) -> VerifyConfig:
    """The verifier's settings for a site: the link timeout threshold, the not-found page the
    crawl learned (``scan.stats["not_found_profile"]``) and ``site.config["link_verify"]``
    overrides (per_host_concurrency, per_host_interval_s … for fragile servers); the SSRF
    guard is the site's (its registered ``address_zone``), and no setting replaces it."""
    thresholds = thresholds or Thresholds()
    profile = NotFoundProfile.from_dict(
        ((scan.stats if scan else None) or {}).get("not_found_profile")
    )
    config = VerifyConfig(
        timeout_s=thresholds.link_timeout_s,
        profile=profile,
        guard=FetchGuard(site_url, zones=address_zone),
    )
    overrides = dict((site_config or {}).get("link_verify") or {})
    known = {f.name for f in dataclasses.fields(VerifyConfig)} - {
        "profile",
        "head_first_kinds",
        "guard",
    }
    unknown = set(overrides) - known
    if unknown:
        raise ValueError(f"unknown link_verify setting(s): {', '.join(sorted(unknown))}")
    typed = {k: type(getattr(config, k))(v) for k, v in overrides.items()}
    return dataclasses.replace(config, **typed)


# -- the time budget ------------------------------------------------------------------------


@dataclasses.dataclass(frozen=True)
class TimeBudget:
    """How long verification may run, which budget that is (a key of scan.stats["cut"]) and
    the words each target it leaves unverified carries."""

    seconds: float
    reason: str
    limit_s: float
    text: str


def verify_budget(thresholds: Thresholds, scan: Scan | None) -> TimeBudget:
    """Link verification's own budget, or what is left of the whole scan's when that is less."""
    own = thresholds.link_verify_budget_s
    left = seconds_left(scan.started_at if scan else None, thresholds.scan_budget_s)
    if left < own:
        return scan_budget_spent(thresholds, max(left, 0.0))
    return TimeBudget(
        own, CUT_LINK_VERIFY_TIME, own, f"链接核查时间预算（{own:g} 秒）已用完，未核查"
    )


def scan_budget_spent(thresholds: Thresholds, seconds: float = 0.0) -> TimeBudget:
    limit = thresholds.scan_budget_s
    return TimeBudget(
        seconds, CUT_SCAN_TIME, limit, f"扫描总时间预算（{limit:g} 秒）已用完，未核查"
    )


def leave_unverified(session: Session, scan_id: int, budget: TimeBudget) -> int:
    """Every pending target of the scan becomes unverified with the budget's reason, recorded
    as a cut (for a scan whose budget ran out before or during verification). Commits;
    returns how many."""
    writer = _TargetWriter(session, scan_id)
    count = 0
    for chunk in _pending_chunks(session, scan_id, (LinkOutcome.pending,)):
        for _id, url, _kind, _internal, _outcome, detail in chunk:
            extra = {k: v for k, v in (detail or {}).items() if k in CRAWLER_DETAIL_KEYS}
            result = TargetResult(url, LinkOutcome.unverified, None, "budget", budget.text)
            writer.add(result, {**extra, "budget": budget.reason})
            count += 1
        writer.flush()  # before the next chunk is read: it must no longer be pending
    record_cut(session, scan_id, budget.reason, count, budget_s=budget.limit_s)
    session.commit()
    return count


# -- settling pending targets -------------------------------------------------------------


def _pending_chunks(
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


def _pages_by_url(session: Session, scan_id: int, urls: list[str]) -> dict[str, Any]:
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
        checked_at=_aware(page[8]),
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


def _aware(value: dt.datetime | None) -> dt.datetime:
    if value is None:
        return dt.datetime.now(dt.UTC)
    return value if value.tzinfo else value.replace(tzinfo=dt.UTC)


class _TargetWriter:
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


@dataclasses.dataclass(frozen=True)
class _Before:
    """What a target row said before this run."""

    outcome: str
    kind: str
    internal: bool


ResultHook = Callable[[TargetResult, _Before], None]


def settle_pending(
    session: Session, scan_id: int, config: VerifyConfig, budget: TimeBudget | None = None
) -> dict[str, int]:
    """Give every pending target of the scan an outcome; returns counts by outcome. Targets
    still unsettled when ``budget`` runs out are unverified with its reason (``cut``)."""
    counts = run_sync(
        lambda: _settle(
            session,
            scan_id,
            config,
            (LinkOutcome.pending,),
            reuse_pages=True,
            budget_s=budget.seconds if budget else None,
        )
    )
    if counts.pop("timed_out") and budget is not None:
        cut = leave_unverified(session, scan_id, budget)
        counts["unverified"] += cut
        counts["cut"] = cut
    return counts


async def _settle(
    session: Session,
    scan_id: int,
    config: VerifyConfig,
    outcomes: tuple[LinkOutcome, ...],
    *,
    reuse_pages: bool,
    on_result: ResultHook | None = None,
    budget_s: float | None = None,
) -> dict[str, int]:
    """Settle the scan's targets whose outcome is one of ``outcomes``, for at most
    ``budget_s`` seconds (``timed_out`` in the counts: 1 when that ended it, the targets not
    settled by then keep their outcome).

    DB reads happen lazily as the verifier pulls targets, so at most a chunk of rows and the
    verifier's window of targets in flight are in memory.
    """
    writer = _TargetWriter(session, scan_id)
    counts = {"ok": 0, "broken": 0, "unverified": 0, "from_crawl": 0, "requested": 0}
    in_flight: dict[str, tuple[dict[str, Any], _Before]] = {}

    def keep(result: TargetResult, extra: Mapping[str, Any], before: _Before) -> None:
        writer.add(result, extra)
        counts[result.outcome.value] += 1
        if on_result is not None:
            on_result(result, before)

    def targets() -> Iterator[TargetIn]:
        for chunk in _pending_chunks(session, scan_id, outcomes):
            pages = _pages_by_url(session, scan_id, [r[1] for r in chunk]) if reuse_pages else {}
            for _id, url, kind, internal, outcome, detail in chunk:
                # the crawler's own facts are kept; an earlier verdict's are replaced
                extra = {k: v for k, v in (detail or {}).items() if k in CRAWLER_DETAIL_KEYS}
                before = _Before(_name(outcome), kind, internal)
                if url in pages and reusable(pages[url]):
                    counts["from_crawl"] += 1
                    keep(
                        result_from_page(pages[url], internal), {**extra, "source": "crawl"}, before
                    )
                    continue
                in_flight[url] = (extra, before)
                counts["requested"] += 1
                yield TargetIn(url, kind, internal, not extra.get("robots_disallowed"))

    counts["timed_out"] = 0
    try:
        # the verifier's generator is closed on the way out: its requests in flight end then
        async with (
            asyncio.timeout(budget_s),
            contextlib.aclosing(verify(targets(), config, dedupe=False)) as results,
        ):
            async for result in results:  # rows are unique by URL
                extra, before = in_flight.pop(result.url)
                keep(result, extra, before)
    except TimeoutError:
        counts["timed_out"] = 1
    writer.flush()
    session.commit()
    return counts


def _name(outcome: Any) -> str:
    return outcome.value if isinstance(outcome, LinkOutcome) else str(outcome)


def _record_stats(session: Session, scan_id: int, counts: Mapping[str, Any]) -> None:
    scan = session.get(Scan, scan_id)
    if scan is not None:
        scan.stats = {**(scan.stats or {}), "links": dict(counts)}
        session.add(scan)


# -- findings --------------------------------------------------------------------------------


def link_message(target_kind: str, internal: bool, failure: str, status: int | None) -> str:
    """The Chinese finding message: "附件链接返回 404", "外部链接无法连接（连接被拒绝）" …"""
    label = KIND_LABELS.get(_shown_kind(target_kind, internal), "链接")
    if failure == "http" and status is not None:
        return f"{label}返回 {status}"
    return f"{label}{FAILURE_TEXT.get(failure, '无法访问')}"


def _shown_kind(kind: str, internal: bool) -> str:
    return "external" if not internal and kind in ("page", "other") else kind


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
    checked = _aware(target.checked_at).isoformat() if target.checked_at else None
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


# -- recheck ---------------------------------------------------------------------------------


class _Recheck:
    """Brings a scan's broken_link findings in line with fresh verdicts, target by target."""

    def __init__(self, session: Session, scan_id: int, site_url: str) -> None:
        self.session = session
        self.scan_id = scan_id
        self.site_url = site_url
        self.counts = {
            "fixed": 0,
            "still_broken": 0,
            "newly_broken": 0,
            "now_unverified": 0,
            "still_unverified": 0,
            "confirmed_ok": 0,
            "findings_deleted": 0,
            "findings_added": 0,
        }

    def __call__(self, result: TargetResult, before: _Before) -> None:
        was_broken = before.outcome == LinkOutcome.broken.value
        now = result.outcome
        if was_broken:
            self.counts["findings_deleted"] += self._delete(result.url)
        if now == LinkOutcome.broken:
            self.counts["still_broken" if was_broken else "newly_broken"] += 1
            target = BrokenTarget.from_result(result, before.kind, before.internal)
            self._add(findings_for_target(self.session, self.scan_id, target))
        elif now == LinkOutcome.ok:
            self.counts["fixed" if was_broken else "confirmed_ok"] += 1
        else:
            self.counts["now_unverified" if was_broken else "still_unverified"] += 1

    def _delete(self, target_url: str) -> int:
        outcome = self.session.execute(
            delete(Finding).where(
                col(Finding.scan_id) == self.scan_id,
                col(Finding.check) == BROKEN_LINK.id,
                col(Finding.target) == target_url,
            )
        )
        return int(getattr(outcome, "rowcount", 0) or 0)

    def _add(self, findings: Iterable[FindingData]) -> None:
        info = {BROKEN_LINK.id: BROKEN_LINK, BROKEN_FRAGMENT.id: BROKEN_FRAGMENT}
        for data in findings:
            self.session.add(
                Finding(
                    scan_id=self.scan_id,
                    check=data.check,
                    severity=data.severity or info[data.check].severity,
                    page=data.page,
                    target=data.target,
                    message=data.message,
                    detail=data.detail,
                    fingerprint=data.fingerprint(self.site_url),
                )
            )
            self.counts["findings_added"] += 1


def _scan_site(session: Session, scan_id: int) -> tuple[Scan, Site]:
    scan = session.get(Scan, scan_id)
    if scan is None:
        raise LookupError(f"scan {scan_id} does not exist")
    site = session.get(Site, scan.site_id)
    if site is None:
        raise LookupError(f"site {scan.site_id} of scan {scan_id} does not exist")
    return scan, site


def _recheck_fragments(session: Session, scan_id: int, config: VerifyConfig) -> int:
    """Deletes broken_fragment findings whose anchor now exists; returns how many."""
    rows = session.exec(
        select(Finding.id, Finding.target, Finding.detail).where(
            Finding.scan_id == scan_id, Finding.check == BROKEN_FRAGMENT.id
        )
    ).all()
    wanted: dict[str, dict[str, list[int]]] = {}  # page URL → fragment → finding ids
    for finding_id, target, detail in rows:
        fragment = (detail or {}).get("fragment")
        if target and fragment:
            wanted.setdefault(target, {}).setdefault(fragment, []).append(finding_id)
    if not wanted:
        return 0
    items = [(url, set(fragments)) for url, fragments in wanted.items()]

    async def collect() -> list[FragmentResult]:
        return [r async for r in check_fragments(items, config)]

    fixed: list[int] = []
    for result in run_sync(collect):
        if result.error or not result.checked:
            continue  # the page did not load: nothing is confirmed either way
        for fragment, ids in wanted[result.url].items():
            if fragment not in result.missing:
                fixed.extend(ids)
    for start in range(0, len(fixed), CHUNK):
        session.execute(delete(Finding).where(col(Finding.id).in_(fixed[start : start + CHUNK])))
    return len(fixed)


def recheck_scan(
    session: Session, scan_id: int, config: VerifyConfig | None = None
) -> dict[str, Any]:
    """Verify a scan's broken and unverified targets again, all by request (that is how a
    webmaster confirms a fix), and update the scan's findings: a fixed target's findings are
    deleted, a newly broken one's added. Commits; returns what changed."""
    scan, site = _scan_site(session, scan_id)
    config = config or verify_config(
        site_settings(site, scan), scan, site.config, site.url, site.address_zone
    )
    hook = _Recheck(session, scan_id, site.url)
    counts = run_sync(
        lambda: _settle(
            session,
            scan_id,
            config,
            (LinkOutcome.broken, LinkOutcome.unverified),
            reuse_pages=False,
            on_result=hook,
        )
    )
    fragments_fixed = _recheck_fragments(session, scan_id, config)
    summary: dict[str, Any] = {
        "scan_id": scan_id,
        "rechecked": counts["requested"],
        **hook.counts,
        "fragments_fixed": fragments_fixed,
        "checked_at": dt.datetime.now(dt.UTC).isoformat(),
    }
    scan = session.get(Scan, scan_id)
    if scan is not None:
        links = {**((scan.stats or {}).get("links") or {}), "recheck": summary}
        scan.stats = {**(scan.stats or {}), "links": links}
        session.add(scan)
    session.commit()
    return summary
