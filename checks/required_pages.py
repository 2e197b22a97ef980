"""``missing_required_page``: the pages every government site must carry (条例, 2019 indicators).

* 政府信息公开指南 — and whether it gives the office's address, hours, phone, fax and an online
  way to apply (a guide published only as an attachment is found, not judged for contents);
* 政府信息公开目录 (or its 2019 successor, 法定主动公开内容);
* 政府信息公开年报 — any at all, and after 31 January the previous year's (31 March for a
  government's own site, ``ctx.is_government``);
* a working site search: the site hook submits ONE query — a known document's title —
  through the search form found on the home page, and expects a result linking it.

The page hook stores what it needs as ``ListPage`` rows: the home page's search form
(``column_key="__search__"``) and the contact facts of each guide page (``"__guide__"``).
Everything else comes from the link texts, titles and list items the crawl stored. A link
whose target turned out broken is no evidence that a page exists.
"""

from __future__ import annotations

import datetime as dt
import re
from collections.abc import Iterable, Iterator
from dataclasses import dataclass
from typing import Any
from urllib.parse import urlencode, urlsplit

import httpx
import lxml.html
from sqlalchemy import or_
from sqlmodel import Session, col, select
from w3lib.encoding import html_to_unicode

from crawler.netguard import REFUSED_TEXT, FetchGuard, GuardRefused, guarded_client
from extract.docmeta import visible_text
from extract.parse import base_url_of, parse_html
from govpatrol.core.findings.required_pages import MISSING_REQUIRED_PAGE
from govpatrol.core.models import (
    Document,
    LinkOutcome,
    LinkSource,
    LinkTarget,
    ListPage,
    Page,
    Scan,
)
from govpatrol.core.settings import USER_AGENT
from govpatrol.core.types import Check, FindingData, ParsedPage, ScanContext, SiteContext
from govpatrol.core.urls import absolutize, canonical, is_reserved_url

SEARCH_KEY = "__search__"
GUIDE_KEY = "__guide__"
SEARCH_MAX_BYTES = 2 * 1024 * 1024
GUIDE_WORDS = ("信息公开指南", "公开指南")
CATALOG_WORDS = ("信息公开目录", "公开目录", "主动公开目录", "法定主动公开内容")
# 2025年度政府信息公开工作报告 names the report without 年度报告 or 年报
REPORT_WORDS = ("年度报告", "年报", "信息公开工作报告")


# -- the guide's contents ------------------------------------------------------------------

GUIDE_ITEMS: dict[str, tuple[str, re.Pattern[str]]] = {
    "address": ("地址", re.compile(
        r"(?:地址|地点|办公地点|受理地点|通讯地址|通信地址|联系地址)\s*[:：]\s*\S{4,}"
        r"|[\u4e00-\u9fff]{2,}(?:路|街|大道|大街|巷)\s*\d+\s*号")),
    "hours": ("办公时间", re.compile(
        r"(?:办公|受理|工作|接待|服务)时间\s*[:：]"
        r"|\d{1,2}\s*[:：]\s*\d{2}\s*[-—–~至到]+\s*\d{1,2}\s*[:：]\s*\d{2}")),
    "phone": ("联系电话", re.compile(
        r"(?:电话|联系电话|咨询电话)[^\d传]{0,6}[\d（(][\d\-－（）() ]{6,}")),
    "fax": ("传真", re.compile(r"传真(?:号码)?[^\d]{0,4}[\d（(][\d\-－（）() ]{6,}")),
    "online": ("网上申请渠道", re.compile(
        r"网上申请|在线申请|网络申请|互联网申请|申请平台|电子邮箱|电子信箱|电子邮件|[Ee]-?mail|@")),
}  # fmt: skip


# Labels spaced out to line up (传　　真：, 地&nbsp;&nbsp;址：) are read without their spaces.
_CJK_GAP = re.compile(r"(?<=[\u4e00-\u9fff])[\s\u3000]+(?=[\u4e00-\u9fff])")


def guide_facts(text: str) -> dict[str, bool]:
    """Which of the five contact items a guide's text gives."""
    text = _CJK_GAP.sub("", text)
    return {key: bool(pattern.search(text)) for key, (_, pattern) in GUIDE_ITEMS.items()}


def _is_guide(page: ParsedPage) -> bool:
    heading = page.tree.xpath("normalize-space((//h1 | //h2)[1])")
    texts = (page.title or "", heading or "")
    return any(w in t for t in texts for w in GUIDE_WORDS)


# -- the search form ----------------------------------------------------------------------------

_SEARCH_HINT = re.compile(r"search|sousuo|jsearch|query|seek|find|\bss\b|检索|搜索", re.I)
_QUERY_NAMES = (
    "q", "query", "keyword", "keywords", "searchword", "searchWord", "kw", "wd", "key",
    "word", "sw", "qt", "searchKey", "searchkey", "text", "content", "title",
)  # fmt: skip
_TEXT_TYPES = ("", "text", "search")


@dataclass
class SearchForm:
    """How the home page's search is submitted (None action: only a script can submit it)."""

    action: str | None
    method: str = "get"
    field: str | None = None
    hidden: dict[str, str] | None = None
    encoding: str = "utf-8"

    def to_dict(self) -> dict[str, Any]:
        return dict(self.__dict__)


def _form_score(form: lxml.html.HtmlElement) -> int:
    if form.xpath(".//input[@type='password'] | .//textarea"):
        return -1  # a login or a letter form, not a search
    attrs = " ".join(form.get(a) or "" for a in ("role", "class", "id", "name", "action"))
    buttons = " ".join(
        form.xpath(".//button//text() | .//input[@type='submit']/@value | .//input/@alt")
    )
    inputs = " ".join(form.xpath(".//input/@placeholder | .//input/@name | .//input/@class"))
    return sum(bool(_SEARCH_HINT.search(s)) for s in (attrs, buttons, inputs))


def _query_input(form: lxml.html.HtmlElement) -> lxml.html.HtmlElement | None:
    texts = [
        i
        for i in form.iter("input")
        if (i.get("type") or "").lower() in _TEXT_TYPES and i.get("name")
    ]
    for name in _QUERY_NAMES:
        for field in texts:
            if field.get("name") == name:
                return field
    return texts[0] if texts else None


def search_form(page: ParsedPage) -> SearchForm | None:
    """The home page's search form; ``action=None`` when a search box has no usable form."""
    forms = [(f, _form_score(f)) for f in page.tree.iter("form")]
    forms = [(f, s) for f, s in forms if s > 0 and _query_input(f) is not None]
    if forms:
        form = max(forms, key=lambda pair: pair[1])[0]
        field = _query_input(form)
        assert field is not None
        base = base_url_of(page.tree, page.final_url)
        action = absolutize(base, form.get("action") or "") or page.final_url
        hidden = {
            i.get("name"): i.get("value") or ""
            for i in form.iter("input")
            if (i.get("type") or "").lower() == "hidden" and i.get("name")
        }
        charset = (form.get("accept-charset") or "").split(",")[0].strip() or page.encoding
        return SearchForm(action, (form.get("method") or "get").lower(), field.get("name"),
                          hidden, charset or "utf-8")  # fmt: skip
    boxes = page.tree.xpath(
        "//input[contains(@placeholder,'搜索') or contains(@placeholder,'检索') or "
        "contains(@class,'search') or contains(@id,'search') or contains(@name,'search')]"
    )
    return SearchForm(None) if boxes else None


# -- one search request --------------------------------------------------------------------------

_NO_RESULT = re.compile(
    r"没有找到|未找到|未能找到|没有搜索到|无搜索结果|无相关|找不到|共\s*0\s*条|0\s*条结果|暂无(?:相关)?(?:结果|数据|信息)"
)
_NORMALIZE = re.compile(r"[\s\u3000]+")


@dataclass
class SearchOutcome:
    result: str  # found | no_result | http_error | error | inconclusive
    status: int | None = None
    error: str | None = None
    url: str | None = None


def _submit(
    form: SearchForm, query: str, timeout_s: float, guard: FetchGuard
) -> tuple[int, str, str]:
    """(status, final URL, decoded body) of one submission, at most SEARCH_MAX_BYTES read;
    the action and every redirect hop pass the site's SSRF guard."""
    assert form.action is not None and form.field is not None
    params = {**(form.hidden or {}), form.field: query}
    try:  # the form's own encoding: GBK sites expect GBK-encoded queries
        body = urlencode(params, encoding=form.encoding, errors="strict")
    except (LookupError, UnicodeEncodeError):
        body = urlencode(params)
    headers = {"User-Agent": USER_AGENT, "Accept": "text/html,*/*;q=0.8"}
    if form.method == "post":
        headers["Content-Type"] = "application/x-www-form-urlencoded"
        method, url, content = "POST", form.action, body.encode("ascii")
    else:
        joiner = "&" if urlsplit(form.action).query else "?"
        method, url, content = "GET", form.action + joiner + body, None
    with (
        guarded_client(guard, follow_redirects=True, max_redirects=5, timeout=timeout_s) as client,
        client.stream(method, url, content=content, headers=headers) as response,
    ):
        data = bytearray()
        for chunk in response.iter_bytes():
            data += chunk
            if len(data) > SEARCH_MAX_BYTES:
                break
        _, text = html_to_unicode(response.headers.get("content-type"), bytes(data))
        return response.status_code, str(response.url), text


def run_search(
    form: SearchForm,
    query: str,
    target_url: str,
    timeout_s: float,
    guard: FetchGuard | None = None,
) -> SearchOutcome:
    """Submit ``query`` once; "found" when a result links the document or names it.
    ``guard`` defaults to that of the site the document is on; a search action it refuses
    is inconclusive, not an error of the site."""
    if form.action is None or form.field is None:
        return SearchOutcome("inconclusive", error="search box without a form (script-driven)")
    if is_reserved_url(form.action):
        return SearchOutcome("error", error="reserved host (RFC 6761)", url=form.action)
    try:
        status, url, text = _submit(form, query, timeout_s, guard or FetchGuard(target_url))
    except GuardRefused:
        return SearchOutcome("inconclusive", error=REFUSED_TEXT, url=form.action)
    except (httpx.HTTPError, OSError, ValueError) as exc:
        return SearchOutcome("error", error=f"{type(exc).__name__}: {exc}"[:200], url=form.action)
    if status >= 400:
        return SearchOutcome("http_error", status, f"HTTP {status}", url)
    tree = parse_html(text)
    wanted = _NORMALIZE.sub("", query)
    target = canonical(target_url)
    base = base_url_of(tree, url)
    for anchor in tree.iter("a"):
        href = absolutize(base, anchor.get("href") or "")
        text = _NORMALIZE.sub("", anchor.text_content() + (anchor.get("title") or ""))
        if (href and canonical(href) == target) or (wanted and wanted in text):
            return SearchOutcome("found", status, url=url)
    body = tree.find("body")
    shown = visible_text(body if body is not None else tree)
    if _NO_RESULT.search(shown):
        return SearchOutcome("no_result", status, "搜索结果页显示无结果", url)
    return SearchOutcome("inconclusive", status, "结果页未列出该文件（可能由脚本加载）", url)


# -- evidence in the store -------------------------------------------------------------------------


def _linked_texts(session: Session, scan_id: int, words: Iterable[str]) -> list[tuple[str, str]]:
    """(link text, target) of links whose text holds one of ``words`` and that are not broken."""
    query = (
        select(LinkSource.text, LinkSource.target_url)
        .join(
            LinkTarget,
            (LinkTarget.url == LinkSource.target_url) & (LinkTarget.scan_id == LinkSource.scan_id),
            isouter=True,
        )
        .where(
            LinkSource.scan_id == scan_id,
            or_(*[col(LinkSource.text).contains(w) for w in words]),
            or_(LinkTarget.outcome.is_(None), LinkTarget.outcome != LinkOutcome.broken),  # type: ignore[union-attr]
        )
        .distinct()
    )
    return [(text or "", url) for text, url in session.exec(query)]


def _titles(session: Session, scan_id: int, words: Iterable[str]) -> list[tuple[str, str]]:
    query = select(Page.title, Page.url).where(
        Page.scan_id == scan_id, or_(*[col(Page.title).contains(w) for w in words])
    )
    return [(title or "", url) for title, url in session.exec(query)]


_YEAR = re.compile(r"((?:19|20)\d{2})\s*年")
_CN_YEAR = re.compile(r"([〇○零一二三四五六七八九]{4})\s*年")
_CN_DIGITS = str.maketrans("〇○零一二三四五六七八九", "000123456789")


def report_year(text: str) -> int | None:
    """The year of a 政府信息公开年度报告 named by ``text``; None for other texts."""
    if not any(w in text for w in REPORT_WORDS):
        return None
    short = len(_NORMALIZE.sub("", text)) <= 16  # "2025年年度报告" in a 年报 column
    if "信息公开" not in text and not short:
        return None
    text = _CN_YEAR.sub(lambda m: m.group(1).translate(_CN_DIGITS) + "年", text)
    match = _YEAR.search(text) or re.search(r"(?<!\d)((?:19|20)\d{2})(?!\d)", text)
    return int(match.group(1)) if match else None


def report_years(session: Session, scan_id: int) -> dict[int, str]:
    """Year → URL of every annual report the site links, titles or lists."""
    found: dict[int, str] = {}
    texts = _linked_texts(session, scan_id, REPORT_WORDS) + _titles(session, scan_id, REPORT_WORDS)
    rows = session.exec(
        select(ListPage).where(
            ListPage.scan_id == scan_id, ~col(ListPage.column_key).startswith("__", autoescape=True)
        )
    )
    for row in rows:
        if row.name and any(w in row.name for w in (*REPORT_WORDS, "信息公开")):
            texts += [
                (item.get("title") or "", item.get("url") or row.url) for item in row.items or ()
            ]
    for text, url in texts:
        year = report_year(text)
        if year is not None:
            found.setdefault(year, url)
    return dict(sorted(found.items()))


def _known_document(session: Session, scan_id: int) -> tuple[str, str] | None:
    """(title, url) of a document the site published: what its search must find."""
    rows = session.exec(
        select(Document.title, Document.url)
        .where(Document.scan_id == scan_id, Document.title.is_not(None))  # type: ignore[union-attr]
        .order_by(Document.is_normative.desc(), Document.published_date.desc(), Document.url)  # type: ignore[attr-defined]
    )
    for title, url in rows:
        title = re.sub(r"^[【\[].{1,6}?[】\]]", "", title or "").strip()
        if 6 <= len(title) <= 40:
            return title, url
    return None


# -- the check ----------------------------------------------------------------------------------------


def _finding(page: str, item: str, reason: str, message: str, **detail: Any) -> FindingData:
    return FindingData(
        check=MISSING_REQUIRED_PAGE.id,
        page=page,
        message=message,
        detail={"item": item, "reason": reason, **detail},
        key=(item,),
    )


@dataclass(frozen=True)
class RequiredPagesOptions:
    """The thresholds the required-pages check reads: the site search is tried with the link timeout."""

    link_timeout_s: float


class RequiredPagesCheck(Check):
    name = "required_pages"
    findings = ("missing_required_page",)
    options_type = RequiredPagesOptions

    def on_page(self, page: ParsedPage, ctx: ScanContext) -> Iterator[ListPage]:
        if page.is_home:
            form = search_form(page)
            yield ListPage(scan_id=ctx.scan_id, url=page.url, column_key=SEARCH_KEY,
                           name="站内搜索", items=[form.to_dict()] if form else [])  # fmt: skip
        if _is_guide(page):
            body = page.tree.find("body")
            text = visible_text(body if body is not None else page.tree)
            facts: dict[str, Any] = guide_facts(text)
            facts["attachments"] = sum(1 for link in page.links or () if _is_file(link.url))
            yield ListPage(scan_id=ctx.scan_id, url=page.url, column_key=GUIDE_KEY,
                           name=page.title, items=[facts])  # fmt: skip

    def on_site(self, ctx: SiteContext) -> Iterator[FindingData]:
        session = ctx.session
        if session is None:
            return
        stats: dict[str, Any] = {}
        yield from self._guide(ctx, session, stats)
        yield from self._catalog(ctx, session, stats)
        yield from self._annual_report(ctx, session, stats)
        yield from self._search(ctx, session, stats)
        scan = session.get(Scan, ctx.scan_id)
        if scan is not None:
            scan.stats = {**(scan.stats or {}), "required_pages": stats}
            session.add(scan)

    # -- the four items --

    def _guide(self, ctx: SiteContext, session: Session, stats: dict) -> Iterator[FindingData]:
        rows = session.exec(
            select(ListPage).where(
                ListPage.scan_id == ctx.scan_id, ListPage.column_key == GUIDE_KEY
            )
        ).all()
        linked = _linked_texts(session, ctx.scan_id, GUIDE_WORDS)
        if not rows and not linked:
            stats["guide"] = None
            yield _finding(ctx.site_url, "guide", "missing", "未找到政府信息公开指南")
            return
        if not rows:
            stats["guide"] = {"url": linked[0][1], "judged": False}
            return  # linked (perhaps as a file) but not read: found, not judged
        best = max(
            rows,
            key=lambda r: (sum(bool(v) for k, v in r.items[0].items() if k in GUIDE_ITEMS), r.url),
        )
        facts = best.items[0]
        missing = [k for k in GUIDE_ITEMS if not facts.get(k)]
        stats["guide"] = {"url": best.url, "judged": True, "missing": missing}
        if missing and not facts.get("attachments"):
            names = "、".join(GUIDE_ITEMS[k][0] for k in missing)
            yield _finding(best.url, "guide", "incomplete", f"政府信息公开指南未写明{names}",
                           missing=missing, missing_zh=[GUIDE_ITEMS[k][0] for k in missing])  # fmt: skip

    def _catalog(self, ctx: SiteContext, session: Session, stats: dict) -> Iterator[FindingData]:
        found = _linked_texts(session, ctx.scan_id, CATALOG_WORDS) + _titles(
            session, ctx.scan_id, CATALOG_WORDS
        )
        stats["catalog"] = found[0][1] if found else None
        if not found:
            yield _finding(
                ctx.site_url, "catalog", "missing", "未找到政府信息公开目录（法定主动公开内容）"
            )

    def _annual_report(
        self, ctx: SiteContext, session: Session, stats: dict
    ) -> Iterator[FindingData]:
        years = report_years(session, ctx.scan_id)
        deadline = dt.date(ctx.as_of.year, 3 if ctx.is_government else 1, 31)
        wanted = ctx.as_of.year - 1
        stats["annual_report"] = {"years": sorted(years), "deadline": deadline.isoformat()}
        if not years:
            yield _finding(
                ctx.site_url, "annual_report", "missing", "未找到政府信息公开工作年度报告"
            )
        elif ctx.as_of > deadline and wanted not in years:
            yield _finding(
                ctx.site_url,
                "annual_report",
                "previous_year_missing",
                f"已过{deadline.month}月{deadline.day}日，仍未发布{wanted}年政府信息公开工作年度报告",
                year=wanted,
                deadline=deadline.isoformat(),
                newest_year=max(years),
            )

    def _search(self, ctx: SiteContext, session: Session, stats: dict) -> Iterator[FindingData]:
        row = session.exec(
            select(ListPage).where(
                ListPage.scan_id == ctx.scan_id, ListPage.column_key == SEARCH_KEY
            )
        ).first()
        if row is None:
            stats["search"] = {"result": "not_checked", "note": "首页未解析"}
            return
        if not row.items:
            stats["search"] = {"result": "no_search"}
            yield _finding(row.url, "search", "no_search", "首页未提供站内搜索")
            return
        form = SearchForm(**row.items[0])
        known = _known_document(session, ctx.scan_id)
        if known is None:
            stats["search"] = {"result": "not_checked", "note": "无可供检索的已知文件"}
            return
        title, url = known
        guard = FetchGuard(ctx.site_url, zones=ctx.address_zone)
        outcome = run_search(form, title, url, self.options(ctx).link_timeout_s, guard)
        evidence = {"query": title, "expected": url, "action": form.action,
                    "status": outcome.status, "error": outcome.error, "result_url": outcome.url}  # fmt: skip
        stats["search"] = {"result": outcome.result, **evidence}
        if outcome.result in ("found", "inconclusive"):
            return
        message = {
            "no_result": f"站内搜索检索不到本站文件《{title}》",
            "http_error": f"站内搜索不可用（HTTP {outcome.status}）",
            "error": f"站内搜索无法访问（{outcome.error}）",
        }[outcome.result]
        yield _finding(row.url, "search", outcome.result, message, **evidence)


def _is_file(url: str) -> bool:
    return urlsplit(url).path.lower().endswith((".pdf", ".doc", ".docx", ".wps", ".ofd"))
