"""``late_disclosure``: a document published more than 20 working days after it was made.

《政府信息公开条例》 Art. 26: information to be disclosed on the government's own initiative is
published within 20 working days of being formed (成文). The document check already stores
every document page's 成文日期 and 发布日期 (``Document`` rows); this site hook only compares
them, in working days (chinese-calendar; Mon–Fri fallback stated in the evidence).

Left out on purpose: documents made before the 条例 took effect (1 May 2008: a 1981 rule
republished online is an archive, not a late disclosure), a 发布日期 taken only from a
``<meta>`` tag (CMSs put the last edit there), and 发布日期 before 成文日期 (a data error
the metadata check is better placed to report).
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Iterator
from dataclasses import dataclass

from sqlmodel import select

from govpatrol.core.findings.disclosure import LATE_DISCLOSURE
from govpatrol.core.models import Document
from govpatrol.core.types import Check, FindingData, SiteContext
from govpatrol.core.workdays import late_count_evidence, unconfirmed_note, working_days_between

REGULATION_IN_FORCE = dt.date(2008, 5, 1)
# Published more than a year after it was made: usually an old document re-published (a
# policy library built later, a site moved to a new CMS), which the page alone cannot tell
# from a late one. Reported for a person to decide (needs_review), not counted.
REPUBLISHED_AFTER_DAYS = 365
REPUBLISHED_NOTE = "（相隔一年以上，可能是旧文件重新发布，待人工确认）"
# Where Document.extra["published_source"] says the 发布日期 came from; "meta" is not trusted.
TRUSTED_SOURCES = frozenset({"label", "info_line", None})


def lateness(doc: Document, limit: int) -> dict | None:
    """The evidence when ``doc`` was published more than ``limit`` working days late."""
    written, published = doc.written_date, doc.published_date
    if written is None or published is None or written < REGULATION_IN_FORCE:
        return None
    if published < written or (doc.extra or {}).get("published_source") not in TRUSTED_SOURCES:
        return None
    days, fallback = working_days_between(written, published)
    if days <= limit:
        return None
    calendar_days = (published - written).days
    review = {"needs_review": True} if republished(calendar_days) else {}
    return {
        "reason": "published_late",
        "title": doc.title,
        "doc_number": doc.doc_number,
        "written_date": written.isoformat(),
        "published_date": published.isoformat(),
        "working_days": days,
        "calendar_days": calendar_days,
        "max_working_days": limit,
        **late_count_evidence(written, published, days, fallback, limit),
        **review,
        # where 成文日期 and 发布日期 were read (a metadata field, the 落款 …)
        "sources": {
            key: where
            for key, where in ((doc.extra or {}).get("sources") or {}).items()
            if key in ("written_date", "published_date")
        },
    }


def republished(calendar_days: int) -> bool:
    """Made and published this far apart: more likely re-published than published late."""
    return calendar_days > REPUBLISHED_AFTER_DAYS


@dataclass(frozen=True)
class DisclosureOptions:
    """The thresholds the disclosure check reads."""

    late_disclosure_working_days: int


class DisclosureCheck(Check):
    name = "disclosure"
    findings = ("late_disclosure",)
    options_type = DisclosureOptions

    def on_site(self, ctx: SiteContext) -> Iterator[FindingData]:
        if ctx.session is None:
            return
        limit = self.options(ctx).late_disclosure_working_days
        rows = ctx.session.exec(
            select(Document).where(
                Document.scan_id == ctx.scan_id,
                Document.written_date.is_not(None),  # type: ignore[union-attr]
                Document.published_date.is_not(None),  # type: ignore[union-attr]
            )
        )
        for doc in rows:
            evidence = lateness(doc, limit)
            if evidence is None:
                continue
            yield FindingData(
                check=LATE_DISCLOSURE.id,
                page=doc.url,
                message=f"成文日期 {doc.written_date} 后 {evidence['working_days']} 个工作日才发布"
                f"（{doc.published_date}），超过 {limit} 个工作日"
                + unconfirmed_note(
                    evidence["fallback_years"], regardless=evidence["late_regardless"]
                )
                + (REPUBLISHED_NOTE if republished(evidence["calendar_days"]) else ""),
                detail=evidence,
            )
