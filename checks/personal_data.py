"""``personal_data_exposed``: unmasked 身份证号, bank cards and phone rosters, in pages and files.

The page hook scans each page's visible text (``extract.pii``; a regex on the raw HTML first
skips the pages without any long digit run, which is nearly all of them). The site hook
downloads the attachments link verification found working — bounded in number, size and
time — and scans their text (``crawler.attachments``): 低保 and 救助 lists leak in xls files
far more often than in pages.

What is reported: any valid ID number or bank card; mobile numbers only as a roster (at least
``MOBILE_ROSTER_MIN`` distinct numbers) or beside an ID or card, because one contact number
on a notice is published on purpose. Evidence holds counts and masked samples only; the raw
numbers are never stored, logged or put into a fingerprint.
"""

from __future__ import annotations

import datetime as dt
from collections import Counter
from collections.abc import Iterator
from dataclasses import dataclass, field
from typing import Any

from sqlmodel import Session, col, select

from crawler.attachments import Fetched, FetchLimits, extract_text, fetch_each
from crawler.netguard import FetchGuard
from extract.docmeta import visible_text
from extract.pii import BANK_CARD, ID_CARD, KINDS_ZH, MOBILE, PiiMatch, find_pii, may_contain
from govpatrol.core.findings.personal_data import PERSONAL_DATA_EXPOSED
from govpatrol.core.models import LinkOutcome, LinkSource, LinkTarget, Scan
from govpatrol.core.types import Check, FindingData, ParsedPage, ScanContext, SiteContext
from govpatrol.core.urls import extension

MOBILE_ROSTER_MIN = 3
SAMPLES_PER_KIND = 3
READABLE_EXTS = frozenset({".xls", ".xlsx", ".doc", ".docx", ".wps", ".et", ".pdf", ".txt", ".csv"})
DEFAULT_ATTACHMENT_LIMITS = {"max_files": 300, "max_bytes": 10 * 1024 * 1024, "budget_s": 300.0,
                             "concurrency": 4}  # fmt: skip


@dataclass
class Exposure:
    """What one page or file exposes: counts per kind and masked samples, nothing raw."""

    counts: dict[str, int] = field(default_factory=dict)
    samples: dict[str, list[str]] = field(default_factory=dict)

    @property
    def severe(self) -> bool:
        return bool(self.counts.get(ID_CARD) or self.counts.get(BANK_CARD))

    def summary_zh(self) -> str:
        return "、".join(f"{KINDS_ZH[k]} {n} 个" for k, n in self.counts.items())


def exposure(matches: list[PiiMatch]) -> Exposure | None:
    """The reportable part of what a text holds (see the module note on mobile numbers)."""
    distinct: dict[str, list[str]] = {}
    for m in matches:
        seen = distinct.setdefault(m.kind, [])
        if m.masked not in seen:
            seen.append(m.masked)
    severe = bool(distinct.get(ID_CARD) or distinct.get(BANK_CARD))
    if not severe and len(distinct.get(MOBILE, ())) < MOBILE_ROSTER_MIN:
        return None
    counts = Counter(m.kind for m in matches)
    kinds = [k for k in (ID_CARD, BANK_CARD, MOBILE) if counts.get(k)]
    return Exposure(
        counts={k: counts[k] for k in kinds},
        samples={k: distinct[k][:SAMPLES_PER_KIND] for k in kinds},
    )


def _finding(
    page: str, found: Exposure, *, target: str | None = None, **detail: Any
) -> FindingData:
    where = "附件" if target else "页面"
    return FindingData(
        check=PERSONAL_DATA_EXPOSED.id,
        page=page,
        target=target,
        message=f"{where}公开了未脱敏的个人信息：{found.summary_zh()}",
        severity=None if found.severe else "medium",
        detail={
            "source": "attachment" if target else "page",
            "kinds": list(found.counts),
            "counts": found.counts,
            "samples_masked": found.samples,
            **detail,
        },
    )


# -- attachments -------------------------------------------------------------------------------


@dataclass
class FileScan:
    format: str | None = None
    found: Exposure | None = None
    error: str | None = None


def scan_file(fetched: Fetched, as_of: dt.date) -> FileScan:
    """Runs in a download thread: the file's text is scanned and dropped there."""
    if fetched.error or fetched.status != 200:
        return FileScan(error=fetched.error or f"HTTP {fetched.status}")
    if fetched.truncated:
        return FileScan(error="larger than the download limit: not read")
    text = extract_text(fetched.body, fetched.final_url)
    if text.error or not text.text:
        return FileScan(text.format, error=text.error or "no text")
    return FileScan(text.format, exposure(find_pii(text.text, today=as_of)))


def attachment_limits(ctx: SiteContext, options: PersonalDataOptions) -> tuple[int, FetchLimits]:
    """(max files, download limits): ``site.config["attachments"]`` overrides the defaults."""
    conf = {**DEFAULT_ATTACHMENT_LIMITS, **((ctx.site_config or {}).get("attachments") or {})}
    limits = FetchLimits(
        max_bytes=int(conf["max_bytes"]),
        timeout_s=options.link_timeout_s,
        concurrency=int(conf["concurrency"]),
        budget_s=float(conf["budget_s"]),
    )
    return int(conf["max_files"]), limits


def readable_attachments(session: Session, scan_id: int, limit: int) -> list[str]:
    """Attachments that answered fine, the site's own first, in a stable order."""
    rows = session.exec(
        select(LinkTarget.url, LinkTarget.internal)
        .where(
            LinkTarget.scan_id == scan_id,
            LinkTarget.kind == "attachment",
            LinkTarget.outcome == LinkOutcome.ok,
        )
        .order_by(col(LinkTarget.internal).desc(), LinkTarget.url)
    ).all()
    return [url for url, _ in rows if extension(url) in READABLE_EXTS][:limit]


def pages_linking(session: Session, scan_id: int, url: str) -> list[str]:
    rows = session.exec(
        select(LinkSource.page_url)
        .where(LinkSource.scan_id == scan_id, LinkSource.target_url == url)
        .distinct()
        .order_by(LinkSource.page_url)
    )
    return list(rows)


# -- the check ------------------------------------------------------------------------------------


@dataclass(frozen=True)
class PersonalDataOptions:
    """The thresholds the personal-data check reads: attachments are fetched with the link timeout."""

    link_timeout_s: float


class PersonalDataCheck(Check):
    name = "personal_data"
    findings = ("personal_data_exposed",)
    options_type = PersonalDataOptions

    def on_page(self, page: ParsedPage, ctx: ScanContext) -> Iterator[FindingData]:
        if not may_contain(page.text):
            return
        body = page.tree.find("body")
        text = visible_text(body if body is not None else page.tree, breaks=True)
        found = exposure(find_pii(text.replace("\x00", "\n"), today=ctx.as_of))
        if found is not None:
            yield _finding(page.url, found)

    def on_site(self, ctx: SiteContext) -> Iterator[FindingData]:
        session = ctx.session
        if session is None:
            return
        max_files, limits = attachment_limits(ctx, self.options(ctx))
        urls = readable_attachments(session, ctx.scan_id, max_files)
        stats: Counter[str] = Counter()
        exposed: list[tuple[str, FileScan]] = []
        guard = FetchGuard(ctx.site_url, zones=ctx.address_zone)
        for url, result in fetch_each(urls, limits, lambda f: scan_file(f, ctx.as_of), guard=guard):
            stats["checked"] += 1
            stats["read" if result.error is None else "unreadable"] += 1
            if result.found is not None:
                exposed.append((url, result))
        stats["not_reached"] = len(urls) - stats["checked"]
        stats["exposed"] = len(exposed)
        scan = session.get(Scan, ctx.scan_id)
        if scan is not None:
            scan.stats = {**(scan.stats or {}), "personal_data": {"attachments": dict(stats)}}
            session.add(scan)
        # Committed before anything is yielded: the pipeline's writer stores findings on
        # another connection, and a write this session had flushed would hold SQLite's lock
        # until the writer's busy timeout ran out ("database is locked").
        session.commit()
        for url, result in sorted(exposed, key=lambda pair: pair[0]):
            assert result.found is not None
            for page in pages_linking(session, ctx.scan_id, url):
                yield _finding(page, result.found, target=url, format=result.format)
