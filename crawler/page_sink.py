"""What the spider records: the page rows, the link sources and targets (within the target
budget), what its budgets cut, its progress, and the crawl's summary when it closes.
"""

from __future__ import annotations

import datetime as dt
import os
import time
from collections import Counter
from collections.abc import Callable
from typing import Any

import scrapy
from scrapy.exceptions import CloseSpider
from sqlalchemy.engine import Engine
from sqlmodel import Session
from twisted.python.failure import Failure

from crawler.errors import classify_failure
from crawler.job import CrawlJob
from crawler.page_checker import PageChecker
from crawler.page_record import PageRecord
from crawler.reuse import PreviousScan
from extract.soft404 import NotFoundProfile
from govpatrol import RULES_VERSION
from govpatrol.core.budgets import (
    CUT_CRAWL_TIME,
    CUT_LINK_TARGETS,
    CUT_MAX_PAGES,
    CUT_PAGE_LINKS,
    CUT_ROBOTS,
    CUT_SCAN_TIME,
    EXAMPLES,
    RobotsRead,
    record_cut,
)
from govpatrol.core.models import LinkOutcome, LinkSource, LinkTarget, Page, Scan
from govpatrol.core.types import CheckedPage, LinkRef
from govpatrol.core.urls import CrawlScope, in_scope, link_kind
from govpatrol.core.writer import BatchWriter

PROGRESS_INTERVAL_S = 1.0
# Targets past max_link_targets listed as unverified (with the pages they are on) before
# further ones are only counted: examples for the webmaster, in bounded memory.
LISTED_OVER_BUDGET = 1000


class PageSink:
    """The spider's records (``crawler.spider.SiteSpider`` holds the state it reads)."""

    job: CrawlJob
    scope: CrawlScope
    engine: Engine
    writer: BatchWriter
    page_checks: PageChecker
    previous: PreviousScan
    robots_read: RobotsRead | None
    not_found: NotFoundProfile | None
    enqueued: set[str]
    targets_seen: set[str]
    targets_pending: int
    cut_pages: int
    cut_counts: Counter[str]
    cut_examples: dict[str, list[str]]
    robots_blocked: set[str]
    stats_counts: Counter[str]
    started: float
    last_progress: float
    home_error: str | None
    parent_pid: int | None
    _robots_allow: Callable[[str], bool]

    def _store_checked(self, page: PageRecord, checked: CheckedPage, *, home: bool) -> None:
        self.stats_counts["check_errors"] += checked.errors
        page.template_key, page.anchors = checked.template_key, checked.anchors
        for finding in checked.findings:
            self.writer.add(finding)
        for model, values in checked.rows:
            self.writer.add_row(model, values)
        page.kind = "home" if home else checked.kind or "other"

    def page_failed(self, failure: Failure) -> None:
        request = failure.request
        meta = request.meta
        kind, message = classify_failure(failure)
        self.stats_counts["pages"] += 1
        if meta.get("gp_home"):
            self.home_error = f"无法访问首页：{message}"
        self._store_page(
            PageRecord(
                scan_id=self.job.scan_id,
                url=meta["gp_url"],
                final_url=None,
                status=None,
                depth=meta["gp_depth"],
                referrer=meta["gp_referrer"],
                kind="failed",
                error=f"{kind}: {message}",
            )
        )

    def _store_page(self, page: PageRecord) -> None:
        self._write_page(page)
        if page.kind in ("error", "failed", "soft404", "challenge"):
            self.stats_counts["errors"] += 1
        self._progress()

    def _write_page(self, page: PageRecord) -> None:
        self.writer.add_row(Page, page.values())

    def _store_links(self, page_url: str, is_home: bool, links: list[LinkRef]) -> None:
        kept = self._store_targets(page_url, links)
        self.writer.add_rows(
            LinkSource, self._source_rows(page_url, is_home, links if kept is None else kept)
        )

    def _store_targets(self, page_url: str, links: list[LinkRef]) -> list[LinkRef] | None:
        """Records the targets seen for the first time. Returns None when every link keeps
        its place, else the links that do: one whose target is past every budget is only
        counted, its link row is not stored."""
        targets = []
        kept: list[LinkRef] | None = None
        for index, link in enumerate(links):
            if link.url not in self.targets_seen:
                target = self._new_target(link, page_url)
                if target is None:
                    if kept is None:
                        kept = links[:index]
                    continue
                targets.append(target)
            if kept is not None:
                kept.append(link)
        self.writer.add_rows(LinkTarget, targets)
        return kept

    def _source_rows(
        self, page_url: str, is_home: bool, links: list[LinkRef]
    ) -> list[dict[str, Any]]:
        scan_id = self.job.scan_id
        return [
            {
                "scan_id": scan_id,
                "page_url": page_url,
                "target_url": link.url,
                "fragment": link.fragment,
                "text": link.text or None,
                "tag": link.tag,
                "attr": link.attr,
                "on_home": is_home,
            }
            for link in links
        ]

    def _new_target(self, link: LinkRef, page_url: str) -> dict[str, Any] | None:
        """The row of a target seen for the first time: pending (to verify) within
        ``max_link_targets``, then unverified with the reason for the next
        ``LISTED_OVER_BUDGET``, then None (the link is only counted)."""
        over_budget = self.targets_pending >= self.job.thresholds.max_link_targets
        if over_budget:
            self._cut(CUT_LINK_TARGETS, page_url, 1)
            if len(self.targets_seen) - self.targets_pending >= LISTED_OVER_BUDGET:
                return None
        self.targets_seen.add(link.url)
        internal = in_scope(link.url, self.scope)
        row = {
            "scan_id": self.job.scan_id,
            "url": link.url,
            "kind": link_kind(link.url, link.tag, internal),
            "internal": internal,
            "outcome": LinkOutcome.pending,
            "status": None,
            "error": None,
            "detail": {},
            "checked_at": None,
        }
        if over_budget:
            limit = self.job.thresholds.max_link_targets
            row["outcome"] = LinkOutcome.unverified
            row["error"] = f"本次扫描的链接目标超过上限（{limit:,} 个），未核查"
            row["detail"] = {"kind": "budget", "budget": CUT_LINK_TARGETS}
            return row
        self.targets_pending += 1
        if internal and not self._robots_allow(link.url):
            row["detail"] = {"robots_disallowed": True}
        return row

    # -- budgets --------------------------------------------------------------------------

    def _cut(self, reason: str, url: str, count: int) -> None:
        self.cut_counts[reason] += count
        examples = self.cut_examples.setdefault(reason, [])
        if len(examples) < EXAMPLES and url not in examples:
            examples.append(url)

    def _record_cuts(self, session: Session, close_reason: str) -> None:
        """What the crawl's budgets cut, into scan.stats["cut"] (govpatrol.core.budgets)."""
        t = self.job.thresholds
        scan_id = self.job.scan_id
        if self.robots_read is not None:
            read = self.robots_read
            record_cut(
                session,
                scan_id,
                CUT_ROBOTS,
                read.rules_cut or 1,
                rules_read=read.rules,
                bytes_read=len(read.body),
                # the download stopped at the budget: how large the file is, it did not say
                bytes_total=None if read.stopped else read.bytes_received,
                max_bytes=t.robots_max_bytes,
                max_rules=t.robots_max_rules,
                unread=not read.body,
            )
        limits = {
            CUT_PAGE_LINKS: t.max_links_per_page,
            CUT_LINK_TARGETS: t.max_link_targets,
            CUT_MAX_PAGES: t.max_pages,
        }
        for reason, limit in limits.items():
            detail: dict[str, Any] = {"limit": limit, "examples": self.cut_examples.get(reason)}
            if reason == CUT_PAGE_LINKS:
                detail["pages"] = self.cut_pages
            if reason == CUT_LINK_TARGETS:
                detail["listed"] = len(self.targets_seen) - self.targets_pending
            record_cut(session, scan_id, reason, self.cut_counts[reason], **detail)
        if close_reason == "closespider_timeout":
            # the crawl's budget is capped by the scan's (crawler.run): name the one that ended
            scan_budget = t.scan_budget_s <= t.time_budget_s
            record_cut(
                session,
                scan_id,
                CUT_SCAN_TIME if scan_budget else CUT_CRAWL_TIME,
                max(len(self.enqueued) - self.stats_counts["pages"], 1),
                budget_s=t.scan_budget_s if scan_budget else t.time_budget_s,
            )

    # -- progress and the end -------------------------------------------------------------

    def _progress(self, *, final: bool = False) -> None:
        now = time.monotonic()
        if not final and now - self.last_progress < PROGRESS_INTERVAL_S:
            return
        self.last_progress = now
        if not final and self.parent_pid is not None and os.getppid() != self.parent_pid:
            # the scan process died: stop instead of crawling on for nobody
            raise CloseSpider("parent_died")
        self.writer.flush()
        elapsed = max(now - self.started, 1e-6)
        queued = max(len(self.enqueued) - self.stats_counts["pages"] + 1, 0) if not final else 0
        stats = {
            "pages": self.stats_counts["pages"],
            "queued": queued,
            "errors": self.stats_counts["errors"],
            "findings": self.writer.findings,
            "link_targets": len(self.targets_seen),
            "pages_per_s": round(self.stats_counts["pages"] / elapsed, 1),
        }
        with Session(self.engine) as session:
            scan = session.get(Scan, self.job.scan_id)
            if scan is not None:
                scan.stats = {**(scan.stats or {}), **stats}
                scan.heartbeat_at = dt.datetime.now(dt.UTC)
                session.add(scan)
                session.commit()

    def on_closed(self, spider: scrapy.Spider, reason: str) -> None:
        self.page_checks.close()
        self.previous.close()
        try:
            self.writer.close()  # every row committed before the crawl's summary says so
        except RuntimeError as exc:
            # rows the store refused: the scan fails with the reason, never looks complete
            self.home_error = f"扫描结果写入数据库失败：{exc}"
        self._progress(final=True)
        crawl = {
            "close_reason": reason,
            "robots_blocked": len(self.robots_blocked),
            "skipped_trap": self.stats_counts["skipped_trap"],
            "skipped_max_pages": self.cut_counts[CUT_MAX_PAGES],
            "check_errors": self.stats_counts["check_errors"],
            "check_worker_deaths": self.page_checks.worker_deaths,
            "check_timeouts": self.page_checks.timeouts,
            "reused_pages": self.stats_counts["reused"],
            # the revalidation pass (crawler.revalidate): asked, answered 304, its wall time
            "revalidated": self.stats_counts["revalidated"],
            "revalidated_unchanged": self.stats_counts["revalidated_unchanged"],
            "revalidation_ms": self.stats_counts["revalidation_ms"],
            "queued_compact": self.stats_counts["queued_compact"],
            "queued_on_disk": self.stats_counts["queued_on_disk"],
            "reused_from_scan": self.previous.scan_id,
            "home_error": self.home_error,
            "elapsed_s": round(time.monotonic() - self.started, 2),
        }
        with Session(self.engine) as session:
            scan = session.get(Scan, self.job.scan_id)
            if scan is not None:
                scan.stats = {
                    **(scan.stats or {}),
                    "crawl": crawl,
                    "rules_version": RULES_VERSION,
                    "not_found_profile": self.not_found.to_dict() if self.not_found else None,
                }
                session.add(scan)
                self._record_cuts(session, reason)
                session.commit()
        self.engine.dispose()
