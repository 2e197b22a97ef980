"""Public consultation messages (政务咨询: 局长信箱, 咨询投诉, 我要咨询, 留言, 12345 …).

The 2019 indicators veto a site whose consultation column holds a message of the last year
left unanswered for more than three months. What a site shows of a message, on its list
page and its detail page, is read here:

* ``channel_of(page)``: the consultation channel a page belongs to, from its breadcrumb,
  title or the link text that led to it — never 在线访谈, 调查征集, 网上信访 or 纪检举报;
* ``list_messages(page)``: rows of a message list (title link, 留言时间, 答复时间, status
  such as 未回复/办理中/已回复), with or without a header row naming the columns;
* ``detail_messages(page)``: a message's own page — labelled 留言时间/来信时间/提问时间,
  答复时间/回复时间, 答复单位, 办理状态 and whether a reply text is shown.

A message's state is ``answered`` (a reply date, an answered status or a reply text),
``pending`` (a pending status, or a detail page with a question and no reply at all) or
unknown; only the first two are ever judged.
"""

from __future__ import annotations

import datetime as dt
import re
from collections.abc import Iterable, Iterator
from dataclasses import asdict, dataclass
from typing import TYPE_CHECKING, Any

import lxml.html
from lxml import etree

from extract.dates import FUTURE_GRACE, iter_date_parts
from extract.docmeta import visible_text
from extract.parse import base_url_of
from govpatrol.core.urls import absolutize, canonical

if TYPE_CHECKING:
    from govpatrol.core.types import ParsedPage

CHANNEL_WORDS = ("信箱", "咨询", "留言", "12345", "问政", "民声", "来信", "写信", "诉求")
# Interaction that is not consultation (the indicators judge these elsewhere or not at all).
EXCLUDED_WORDS = ("访谈", "征集", "调查", "信访", "举报", "纪检", "问卷", "投票")
CHANNEL_NAME_MAX = 12  # channel names are short; longer texts are titles that mention 咨询
CRUMB_MAX = 160

ASKED_LABELS = (
    "留言时间", "来信时间", "提问时间", "咨询时间", "写信时间", "提交时间", "发信时间",
    "投诉时间", "诉求时间", "反映时间", "留言日期", "来信日期", "提问日期", "咨询日期",
)  # fmt: skip
ANSWERED_LABELS = (
    "答复时间", "回复时间", "办结时间", "反馈时间", "处理时间", "办理时间", "答复日期",
    "回复日期", "办结日期", "反馈日期",
)  # fmt: skip
STATUS_LABELS = ("办理状态", "处理状态", "回复状态", "答复状态", "信件状态", "留言状态", "状态")
UNIT_LABELS = (
    "答复单位", "回复单位", "办理单位", "答复部门", "回复部门", "承办单位", "处理单位",
    "办理部门", "答复机构", "回复机构",
)  # fmt: skip
REPLY_LABELS = (
    "答复内容", "回复内容", "答复意见", "回复意见", "办理结果", "处理结果", "部门回复",
    "回复信息", "办理情况", "答复情况", "回复情况",
)  # fmt: skip
TITLE_LABELS = ("信件标题", "留言标题", "咨询标题", "来信标题", "标题", "主题")
PENDING_WORDS = (
    "未回复", "未答复", "待回复", "待答复", "办理中", "处理中", "正在办理", "正在处理",
    "已受理", "待受理", "未办结", "未处理", "待处理", "已转办", "转办中", "未反馈",
)  # fmt: skip
ANSWERED_WORDS = ("已回复", "已答复", "已办结", "已处理", "已反馈", "已完成", "已办理")
_EMPTY_REPLY = ("暂无", "无", "未回复", "待回复", "尚未", "正在", "未答复", "待答复")

ANSWERED = "answered"
PENDING = "pending"

_SEP = re.compile(r"\s*(?:>|›|»|→|＞|〉|/|\\|-|_|\||–|—)\s*")
# Compiled once: these run on every crawled page.
# The class and id attributes tested, then their elements (``..``; the union comes back in
# document order): three times faster than testing every element for the two attributes
# (``//*[@class or @id][contains(@class, …)]``), which was itself 2.5x faster than without
# that guard.
_CRUMB_HOLDERS = etree.XPath(
    "//@class[contains(.,'crumb') or contains(.,'position') or contains(.,'location')"
    " or contains(.,'dqwz') or contains(.,'weizhi') or contains(.,'mianbao')]/.."
    " | //@id[contains(.,'crumb') or contains(.,'position') or contains(.,'location')]/.."
)
_CRUMB_TEXTS = etree.XPath("//text()[contains(., '位置')]")
# the whole text at once, before the text nodes one by one: 4x faster on pages without it
_MENTIONS_POSITION = etree.XPath("contains(string(/), '位置')")
_CRUMB_LABEL = re.compile(r"(?:当前|所在|您的|你的)?位置\s*[:：]?")
_NEXT_LABEL = re.compile(r"[\u4e00-\u9fff]{2,6}\s*[:：]")


def _alternation(labels: Iterable[str]) -> str:
    return "|".join(sorted(map(re.escape, labels), key=len, reverse=True))


_LABEL_RE = {
    role: re.compile(rf"(?:{_alternation(labels)})\s*[:：]?")
    for role, labels in (
        ("asked", ASKED_LABELS),
        ("answered", ANSWERED_LABELS),
        ("status", STATUS_LABELS),
        ("unit", UNIT_LABELS),
        ("reply", REPLY_LABELS),
        ("title", TITLE_LABELS),
    )
}
_PENDING_RE = re.compile(_alternation(PENDING_WORDS))
_ANSWERED_RE = re.compile(_alternation(ANSWERED_WORDS))


@dataclass
class Message:
    """One public message as a page shows it."""

    url: str  # its own page (for a list row: the link; for a detail page: the page)
    title: str = ""
    asked: dt.date | None = None
    answered: dt.date | None = None
    status: str | None = None  # the status wording shown (未回复, 已办结 …)
    state: str | None = None  # answered | pending | None (not shown)
    unit: str | None = None
    source: str = "detail"  # detail | list

    def to_dict(self) -> dict[str, Any]:
        data = asdict(self)
        data["asked"] = self.asked.isoformat() if self.asked else None
        data["answered"] = self.answered.isoformat() if self.answered else None
        return data

    @classmethod
    def from_dict(cls, data: dict[str, Any]) -> Message:
        data = dict(data)
        for key in ("asked", "answered"):
            data[key] = dt.date.fromisoformat(data[key]) if data.get(key) else None
        return cls(**data)


# -- channels ---------------------------------------------------------------------------------


def is_channel_name(text: str | None) -> bool:
    """A short name of a consultation channel (局长信箱, 我要咨询, 12345热线 …)."""
    name = (text or "").strip()
    if not name or len(name) > CHANNEL_NAME_MAX:
        return False
    return any(w in name for w in CHANNEL_WORDS) and not any(w in name for w in EXCLUDED_WORDS)


def breadcrumb(tree: lxml.html.HtmlElement) -> list[str]:
    """The page's 当前位置 trail as names (首页 › 政民互动 › 局长信箱)."""
    holders = _CRUMB_HOLDERS(tree)
    if not holders and _MENTIONS_POSITION(tree):
        for node in _CRUMB_TEXTS(tree)[:3]:
            owner = node.getparent()  # a tail's owner is the element (or comment) before it
            if owner is not None and node.is_tail:
                owner = owner.getparent()
            if owner is not None and isinstance(owner.tag, str):
                holders.append(owner)
    for holder in holders[:5]:
        text = " ".join(holder.text_content().split())
        if len(text) > CRUMB_MAX:
            continue  # a layout wrapper that happens to be called "position"
        text = _CRUMB_LABEL.sub("", text)
        names = [n.strip() for n in _SEP.split(text) if n.strip()]
        if len(names) >= 2:
            return names
    return []


def channel_of(page: ParsedPage) -> str | None:
    """The consultation channel a page belongs to, or None (also for excluded channels)."""
    crumbs = breadcrumb(page.tree)
    for index, name in enumerate(crumbs):
        if is_channel_name(name):
            deeper = crumbs[index + 1 :]
            if any(w in n for n in deeper for w in EXCLUDED_WORDS):
                return None
            return name
    if any(w in n for n in crumbs for w in EXCLUDED_WORDS):
        return None
    for text in (*_SEP.split(page.title or ""), page.nav_text or ""):
        if is_channel_name(text):
            return text.strip()
    return None


# -- dates, statuses ----------------------------------------------------------------------------


def dates_in(text: str, as_of: dt.date) -> list[dt.date]:
    """Every date in ``text``; a year-less one is the latest such day not after ``as_of``."""
    out = []
    for parts in iter_date_parts(text, as_of=as_of):
        if parts.year is not None:
            day = parts.on(parts.year)
        else:
            day = parts.on(as_of.year)
            if day is not None and day > as_of + FUTURE_GRACE:
                day = parts.on(as_of.year - 1)
        if day is not None:
            out.append(day)
    return out


def state_of(text: str) -> tuple[str | None, str | None]:
    """(status wording, state) from a short text; a text naming both states says neither."""
    pending = _PENDING_RE.search(text)
    answered = _ANSWERED_RE.search(text)
    if pending and not answered:
        return pending.group(0), PENDING
    if answered and not pending:
        return answered.group(0), ANSWERED
    return None, None


# -- detail pages ---------------------------------------------------------------------------------


def _page_text(tree: lxml.html.HtmlElement) -> str:
    body = tree.find("body")
    return visible_text(body if body is not None else tree, breaks=True).replace("\x00", "\n")


def _value_after(text: str, end: int) -> str:
    """The value shown after a label: the first non-empty line, cut at the next label."""
    for line in text[end : end + 300].split("\n"):
        line = line.strip(" \t\u3000\xa0:：")
        if line:
            return _NEXT_LABEL.split(line, maxsplit=1)[0].strip()
    return ""


def _labelled(text: str, role: str) -> str | None:
    match = _LABEL_RE[role].search(text)
    return _value_after(text, match.end()) if match else None


def _reply_shown(text: str) -> bool | None:
    """True: a reply text is shown; False: its place is empty (暂无回复); None: no such place."""
    shown = None
    for match in _LABEL_RE["reply"].finditer(text):
        value = text[match.end() : match.end() + 200].strip(" \t\n\u3000\xa0:：")
        if len(value) >= 6 and not value.startswith(_EMPTY_REPLY):
            return True
        shown = False
    return shown


def _message_from(text: str, url: str, fallback_title: str, as_of: dt.date) -> Message | None:
    asked_value = _labelled(text, "asked")
    asked = dates_in(asked_value, as_of) if asked_value else []
    if not asked:
        return None
    answered_value = _labelled(text, "answered")
    answered = dates_in(answered_value, as_of) if answered_value else []
    status_value = _labelled(text, "status")
    status, state = state_of(status_value) if status_value else (None, None)
    reply = _reply_shown(text)
    if answered or reply:
        state = ANSWERED
    elif state is None:
        # Only what the page says counts: a status word somewhere, or an empty reply box.
        # A page that shows no reply section at all may keep it elsewhere: not judged.
        status, state = state_of(text)
        if state is None and reply is False:
            state = PENDING
    unit = _labelled(text, "unit")
    title = (_labelled(text, "title") or fallback_title)[:200]
    return Message(
        url=url,
        title=title,
        asked=asked[0],
        answered=answered[0] if answered else None,
        status=status,
        state=state,
        unit=unit[:60] if unit else None,
        source="detail",
    )


def detail_messages(page: ParsedPage, *, as_of: dt.date) -> list[Message]:
    """The message(s) a detail page shows; several when one page holds a Q&A series."""
    text = _page_text(page.tree)
    starts = [m.start() for m in _LABEL_RE["asked"].finditer(text)]
    if not starts:
        return []
    heading = page.tree.xpath("normalize-space((//h1 | //h2)[1])") or page.title
    if len(starts) == 1:
        found = _message_from(text, page.url, heading, as_of)
        return [found] if found else []
    out = []
    bounds = [0, *starts[1:], len(text)]
    for n in range(len(starts)):
        found = _message_from(
            text[bounds[n] : bounds[n + 1]], f"{page.url}#{n + 1}", heading, as_of
        )
        if found:
            out.append(found)
    return out


# -- list pages ------------------------------------------------------------------------------------


def _header_roles(cells: list[str]) -> dict[int, str]:
    roles: dict[int, str] = {}
    for i, cell in enumerate(cells):
        text = "".join(cell.split())
        if "状态" in text:
            roles[i] = "status"
        elif any(w in text for w in ("答复", "回复", "办结", "反馈")) and any(
            w in text for w in ("时间", "日期")
        ):
            roles[i] = "answered"
        elif any(w in text for w in ("时间", "日期")):
            roles[i] = "asked"
    return roles


def _cells(row: lxml.html.HtmlElement) -> list[str]:
    return [" ".join(c.text_content().split()) for c in row if c.tag in ("td", "th")]


def _row_link(row: lxml.html.HtmlElement, base: str) -> tuple[str, str] | None:
    hrefs: dict[str, str] = {}
    for anchor in row.iter("a"):
        url = absolutize(base, anchor.get("href") or "")
        text = " ".join(anchor.text_content().split()) or (anchor.get("title") or "").strip()
        if url and text:
            hrefs.setdefault(canonical(url), text)
    if len(hrefs) != 1:
        return None
    return next(iter(hrefs.items()))


def _row_message(
    row: lxml.html.HtmlElement, roles: dict[int, str], base: str, as_of: dt.date
) -> Message | None:
    link = _row_link(row, base)
    if link is None:
        return None
    url, title = link
    cells = _cells(row)
    by_role: dict[str, str] = {}
    for i, cell in enumerate(cells):
        if i in roles:
            by_role.setdefault(roles[i], cell)
    text = " ".join(cells) if cells else " ".join(row.text_content().split())
    if by_role:
        asked = dates_in(by_role.get("asked", ""), as_of)
        answered = dates_in(by_role.get("answered", ""), as_of)
        status, state = state_of(by_role.get("status", ""))
    else:
        found = dates_in(text, as_of)
        asked, answered = found[:1], [d for d in found[1:2] if d >= found[0]]
        status, state = state_of(text)
    if not asked or (state is None and not roles):
        return None  # a dated link without any status is a news row, not a message
    if answered:
        state = ANSWERED
    return Message(url, title[:200], asked[0], answered[0] if answered else None, status, state,
                   source="list")  # fmt: skip


def _table_rows(
    table: lxml.html.HtmlElement,
) -> Iterator[tuple[lxml.html.HtmlElement, dict[int, str]]]:
    roles: dict[int, str] = {}
    for row in table.iter("tr"):
        if row.xpath("ancestor::table[1]") != [table]:
            continue  # rows of a nested table belong to that table
        cells = _cells(row)
        if not row.xpath(".//a[@href]") and cells:
            found = _header_roles(cells)
            if found:
                roles = found
            continue
        yield row, roles


def list_messages(page: ParsedPage, *, as_of: dt.date) -> list[Message]:
    """The messages a list page shows, one per row that links a message and dates it."""
    base = base_url_of(page.tree, page.final_url)
    out: list[Message] = []
    seen: set[str] = set()
    for table in page.tree.iter("table"):
        for row, roles in _table_rows(table):
            found = _row_message(row, roles, base, as_of)
            if found and found.url not in seen:
                seen.add(found.url)
                out.append(found)
    for row in page.tree.xpath("//li | //dl"):
        if row.xpath(".//li | .//dl | .//table"):
            continue
        found = _row_message(row, {}, base, as_of)
        if found and found.url not in seen:
            seen.add(found.url)
            out.append(found)
    return [m for m in out if m.url != page.url]


def page_messages(page: ParsedPage, *, as_of: dt.date) -> list[Message]:
    """Everything a consultation page shows: its list rows and its own message(s).

    A list whose rows carry their own 留言时间 labels is a list, not a Q&A series: its rows
    are taken once, from the links."""
    rows = list_messages(page, as_of=as_of)
    own = detail_messages(page, as_of=as_of)
    if rows and len(own) > 1:
        own = []
    return rows + own
