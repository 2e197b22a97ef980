"""Settling a scan's link targets: each gets an outcome, from the crawl's answer or by
request (``crawler.verify``), within the verification's time budget; what the budget leaves
is unverified, with the reason.
"""

from __future__ import annotations

import asyncio
import contextlib
import dataclasses
from collections.abc import Callable, Iterator, Mapping
from typing import Any

from sqlmodel import Session

from checks.link_options import LinkOptions
from checks.link_table import (
    CRAWLER_DETAIL_KEYS,
    TargetWriter,
    pages_by_url,
    pending_chunks,
    result_from_page,
    reusable,
)
from crawler.verify import run_sync, verify
from crawler.verify_types import TargetIn, TargetResult, VerifyConfig
from govpatrol.core.budgets import CUT_LINK_VERIFY_TIME, CUT_SCAN_TIME, record_cut, seconds_left
from govpatrol.core.models import LinkOutcome, Scan
from govpatrol.core.urls import is_malformed

MALFORMED_TEXT = "地址无效，浏览器无法打开（缺少域名或端口不是数字）"

# -- the time budget ------------------------------------------------------------------------


@dataclasses.dataclass(frozen=True)
class TimeBudget:
    """How long verification may run, which budget that is (a key of scan.stats["cut"]) and
    the words each target it leaves unverified carries."""

    seconds: float
    reason: str
    limit_s: float
    text: str


def verify_budget(options: LinkOptions, scan: Scan | None) -> TimeBudget:
    """Link verification's own budget, or what is left of the whole scan's when that is less."""
    own = options.link_verify_budget_s
    left = seconds_left(scan.started_at if scan else None, options.scan_budget_s)
    if left < own:
        return scan_budget_spent(options, max(left, 0.0))
    return TimeBudget(
        own, CUT_LINK_VERIFY_TIME, own, f"链接核查时间预算（{own:g} 秒）已用完，未核查"
    )


def scan_budget_spent(options: LinkOptions, seconds: float = 0.0) -> TimeBudget:
    limit = options.scan_budget_s
    return TimeBudget(
        seconds, CUT_SCAN_TIME, limit, f"扫描总时间预算（{limit:g} 秒）已用完，未核查"
    )


def leave_unverified(session: Session, scan_id: int, budget: TimeBudget) -> int:
    """Every pending target of the scan becomes unverified with the budget's reason, recorded
    as a cut (for a scan whose budget ran out before or during verification). Commits;
    returns how many."""
    writer = TargetWriter(session, scan_id)
    count = 0
    for chunk in pending_chunks(session, scan_id, (LinkOutcome.pending,)):
        for _id, url, _kind, _internal, _outcome, detail in chunk:
            extra = {k: v for k, v in (detail or {}).items() if k in CRAWLER_DETAIL_KEYS}
            result = TargetResult(url, LinkOutcome.unverified, None, "budget", budget.text)
            writer.add(result, {**extra, "budget": budget.reason})
            count += 1
        writer.flush()  # before the next chunk is read: it must no longer be pending
    record_cut(session, scan_id, budget.reason, count, budget_s=budget.limit_s)
    session.commit()
    return count


# -- settling -------------------------------------------------------------------------------


@dataclasses.dataclass(frozen=True)
class Before:
    """What a target row said before this run."""

    outcome: str
    kind: str
    internal: bool


ResultHook = Callable[[TargetResult, Before], None]


def settle_pending(
    session: Session, scan_id: int, config: VerifyConfig, budget: TimeBudget | None = None
) -> dict[str, int]:
    """Give every pending target of the scan an outcome; returns counts by outcome. Targets
    still unsettled when ``budget`` runs out are unverified with its reason (``cut``)."""
    counts = run_sync(
        lambda: settle(
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


async def settle(
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
    writer = TargetWriter(session, scan_id)
    counts = {"ok": 0, "broken": 0, "unverified": 0, "from_crawl": 0, "requested": 0}
    in_flight: dict[str, tuple[dict[str, Any], Before]] = {}

    def keep(result: TargetResult, extra: Mapping[str, Any], before: Before) -> None:
        writer.add(result, extra)
        counts[result.outcome.value] += 1
        if on_result is not None:
            on_result(result, before)

    def targets() -> Iterator[TargetIn]:
        for chunk in pending_chunks(session, scan_id, outcomes):
            pages = pages_by_url(session, scan_id, [r[1] for r in chunk]) if reuse_pages else {}
            for _id, url, kind, internal, outcome, detail in chunk:
                # the crawler's own facts are kept; an earlier verdict's are replaced
                extra = {k: v for k, v in (detail or {}).items() if k in CRAWLER_DETAIL_KEYS}
                before = Before(_name(outcome), kind, internal)
                if is_malformed(url):  # no request can be made of it
                    keep(
                        TargetResult(url, LinkOutcome.broken, None, "bad_url", MALFORMED_TEXT),
                        extra,
                        before,
                    )
                    continue
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
