"""``interaction_unanswered`` (互动回应差, a single-veto indicator).

The page hook reads every page of a consultation channel (局长信箱, 咨询投诉, 我要咨询, 留言,
12345 …; never 在线访谈, 调查征集, 网上信访, 纪检举报) with ``extract.messages`` and stores
the messages it shows as one ``ListPage`` row per page (``column_key="__messages__"``,
``items`` = the messages), so a page answering 304 next scan keeps them.

The site hook merges what list and detail pages say of each message and reports:

* a message of the last ``interaction_window_days`` still unanswered (a pending status, or an
  empty reply box) more than ``unanswered_days`` after it was left (reason ``unanswered``);
* a message of the window answered more than ``unanswered_days`` after it was left — it lay
  unanswered for over three months all the same (reason ``replied_late``);
* a site with no consultation channel at all (reason ``no_channel``): no link, page title or
  message page names one.

Reply times (working days, chinese-calendar) — median, maximum, share over five working
days — go into every finding's ``detail["stats"]`` and the scan's ``stats["interaction"]``.
"""

from __future__ import annotations

import datetime as dt
import statistics
from collections.abc import Iterable, Iterator
from dataclasses import dataclass, field
from typing import Any

from sqlalchemy import or_
from sqlmodel import Session, col, select

from extract.messages import (
    ANSWERED,
    CHANNEL_WORDS,
    PENDING,
    Message,
    channel_of,
    is_channel_name,
    page_messages,
)
from govpatrol.core.findings.interaction import INTERACTION_UNANSWERED
from govpatrol.core.models import LinkSource, ListPage, Page, Scan
from govpatrol.core.types import Check, FindingData, ParsedPage, ScanContext, SiteContext
from govpatrol.core.workdays import working_days_between

MESSAGES_KEY = "__messages__"
REPLY_TARGET_WORKING_DAYS = 5  # the reply-time statistic's yardstick (local practice)
MAX_STORED = 200  # messages kept per page row
MAX_LISTED_CHANNELS = 20


# -- merging what list and detail pages say --------------------------------------------------


def _merge_pair(a: Message, b: Message) -> Message:
    """One message from two sightings; the detail page wins on what it shows."""
    first, second = (a, b) if a.source == "detail" else (b, a)
    states = {first.state, second.state}
    merged = Message(
        url=first.url,
        title=first.title or second.title,
        asked=first.asked or second.asked,
        answered=first.answered or second.answered,
        status=first.status or second.status,
        # Any sign of an answer wins: a list's 已回复 beside an empty reply box is answered.
        state=ANSWERED if ANSWERED in states else (PENDING if PENDING in states else None),
        unit=first.unit or second.unit,
        source=first.source,
    )
    if merged.answered:
        merged.state = ANSWERED
    return merged


def merge_messages(messages: Iterable[Message]) -> list[Message]:
    """One entry per message URL, list rows and detail pages combined."""
    by_url: dict[str, Message] = {}
    for message in messages:
        known = by_url.get(message.url)
        by_url[message.url] = message if known is None else _merge_pair(known, message)
    return list(by_url.values())


# -- judging ------------------------------------------------------------------------------------


@dataclass
class Judgement:
    overdue: list[tuple[Message, str, int]] = field(default_factory=list)  # (msg, reason, days)
    stats: dict[str, Any] = field(default_factory=dict)


def reply_stats(messages: Iterable[Message], target: int = REPLY_TARGET_WORKING_DAYS) -> dict:
    """Working days from question to answer: count, median, max, share over ``target``."""
    days = []
    fallback = False
    for m in messages:
        if m.asked and m.answered and m.answered >= m.asked:
            count, fell_back = working_days_between(m.asked, m.answered)
            days.append(count)
            fallback = fallback or fell_back
    if not days:
        return {"count": 0, "median": None, "max": None, "over_target_share": None,
                "target_working_days": target}  # fmt: skip
    return {
        "count": len(days),
        "median": statistics.median(days),
        "max": max(days),
        "over_target_share": round(sum(d > target for d in days) / len(days), 4),
        "target_working_days": target,
        "calendar": "mon_fri_fallback" if fallback else "chinese_calendar",
    }


def judge_messages(
    messages: list[Message],
    as_of: dt.date,
    options: InteractionOptions,
    channels: list[str],
) -> Judgement:
    """Overdue messages of the window, and the statistics of the window's messages."""
    start = as_of - dt.timedelta(days=options.interaction_window_days)
    limit = options.unanswered_days
    window = [m for m in messages if m.asked and start <= m.asked <= as_of]
    result = Judgement()
    for m in window:
        assert m.asked is not None
        if m.answered and (m.answered - m.asked).days > limit:
            result.overdue.append((m, "replied_late", (m.answered - m.asked).days))
        elif not m.answered and m.state == PENDING and (as_of - m.asked).days > limit:
            result.overdue.append((m, "unanswered", (as_of - m.asked).days))
    states = [m.state for m in window]
    result.stats = {
        "channels": channels,
        "messages": len(messages),
        "in_window": len(window),
        "answered": states.count(ANSWERED),
        "pending": states.count(PENDING),
        "unknown": states.count(None),
        "overdue": len(result.overdue),
        "window_days": options.interaction_window_days,
        "unanswered_days": limit,
        "reply_working_days": reply_stats(window),
    }
    return result


def _finding(m: Message, reason: str, days: int, limit: int, stats: dict) -> FindingData:
    page, _, part = m.url.partition("#")
    if reason == "replied_late":
        message = f"留言（{m.asked}）在 {days} 天后才答复（{m.answered}），超过 {limit} 天"
    else:
        message = f"留言（{m.asked}）至今 {days} 天未答复，超过 {limit} 天"
    return FindingData(
        check=INTERACTION_UNANSWERED.id,
        page=page,
        message=message,
        detail={
            "reason": reason,
            "title": m.title,
            "asked": m.asked.isoformat() if m.asked else None,
            "answered": m.answered.isoformat() if m.answered else None,
            "status": m.status,
            "unit": m.unit,
            "days": days,
            "limit_days": limit,
            "stats": stats,
        },
        key=(part,) if part else (),
    )


# -- the store ------------------------------------------------------------------------------------


def _stored_messages(session: Session, scan_id: int) -> tuple[list[Message], list[str]]:
    rows = session.exec(
        select(ListPage).where(ListPage.scan_id == scan_id, ListPage.column_key == MESSAGES_KEY)
    ).all()
    channels = sorted({r.name for r in rows if r.name})
    messages = [Message.from_dict(item) for r in rows for item in r.items or ()]
    return messages, channels


def channel_names(session: Session, scan_id: int) -> list[str]:
    """Consultation channels linked or titled anywhere on the site."""
    words = [col(LinkSource.text).contains(w) for w in CHANNEL_WORDS]
    texts = session.exec(
        select(LinkSource.text).where(LinkSource.scan_id == scan_id, or_(*words)).distinct()
    ).all()
    titles = session.exec(
        select(Page.title).where(
            Page.scan_id == scan_id, or_(*[col(Page.title).contains(w) for w in CHANNEL_WORDS])
        )
    ).all()
    parts = [t for t in texts if t] + [
        p for t in titles if t for p in t.replace("_", "-").split("-")
    ]
    return sorted({p.strip() for p in parts if is_channel_name(p)})


def _record_stats(session: Session, scan_id: int, stats: dict[str, Any]) -> None:
    scan = session.get(Scan, scan_id)
    if scan is not None:
        scan.stats = {**(scan.stats or {}), "interaction": stats}
        session.add(scan)


# -- the check --------------------------------------------------------------------------------------


@dataclass(frozen=True)
class InteractionOptions:
    """The thresholds the interaction check reads."""

    unanswered_days: int
    interaction_window_days: int


class InteractionCheck(Check):
    name = "interaction"
    findings = ("interaction_unanswered",)
    options_type = InteractionOptions

    def on_page(self, page: ParsedPage, ctx: ScanContext) -> Iterator[ListPage]:
        channel = channel_of(page)
        if channel is None:
            return
        found = page_messages(page, as_of=ctx.as_of)
        if not found:
            return
        asked = [m.asked for m in found if m.asked]
        yield ListPage(
            scan_id=ctx.scan_id,
            url=page.url,
            column_key=MESSAGES_KEY,
            name=channel,
            item_count=len(found),
            dated_count=len(asked),
            newest_date=max(asked) if asked else None,
            items=[m.to_dict() for m in found[:MAX_STORED]],
        )

    def on_site(self, ctx: SiteContext) -> Iterator[FindingData]:
        if ctx.session is None:
            return
        stored, channels = _stored_messages(ctx.session, ctx.scan_id)
        # Channels whose pages were read name themselves; otherwise the links that name one.
        all_channels = channels or channel_names(ctx.session, ctx.scan_id)[:MAX_LISTED_CHANNELS]
        messages = merge_messages(stored)
        judged = judge_messages(messages, ctx.as_of, self.options(ctx), all_channels)
        stats = judged.stats
        if not messages:
            stats["note"] = (
                "找到咨询渠道，但未能读取公开的留言列表（可能在外部平台或需登录）"
                if all_channels
                else "未找到任何政务咨询渠道"
            )
        _record_stats(ctx.session, ctx.scan_id, stats)
        limit = self.options(ctx).unanswered_days
        for message, reason, days in sorted(judged.overdue, key=lambda x: x[0].url):
            yield _finding(message, reason, days, limit, stats)
        if not all_channels:
            yield FindingData(
                check=INTERACTION_UNANSWERED.id,
                page=ctx.site_url,
                message="网站未开设政务咨询渠道（局长信箱、咨询投诉、我要咨询、留言等）",
                detail={"reason": "no_channel", "stats": stats},
                key=("no_channel",),
            )
