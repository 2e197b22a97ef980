"""``content_tampered`` and ``backdated_article``: what changed since the site's previous
complete scan that its webmaster would not have done (内容被篡改, 伪造发稿日期).

The page hook fingerprints the pages worth comparing — the home page and each column's first
list page — as one ``ListPage`` row each (``column_key="__pagetext__"``), so a page answering
304 next scan keeps its fingerprint: its own text as a shingle sketch (``extract.pagetext``:
the visible text outside links and list rows), its title, and the hosts it links to outside
its list rows. The site hook compares them with the previous complete scan
(``scoring.scans.previous_scan``; none, as on a site's first scan: nothing to say):

* ``content_tampered``, one finding per page and kind of change: the page's own text mostly
  replaced (estimated similarity below ``tampered_text_similarity``) while its template (the
  DOM skeleton of ``Page.template_key``) stayed the same — a redesign changes the template,
  a list moving on changes only its rows; a link to a host no page of the previous scan linked
  to, outside the site and not a government's; a title with nothing in common with the old
  title, the site's name or the column's name;
* ``backdated_article``, one finding per article: an article first seen in this scan (not
  crawled then, listed nowhere then, no item of the same title then) dated before the previous
  scan (by more than ``backdated_grace_days``), in a column whose first page was crawled then
  and did not list it although it is newer than that page's bottom row — it would have been
  shown. An article older than that row may have been on page 2 then; a column crawled now but
  not then says nothing; a column where most of the rows due then are new is a moved or
  rebuilt column, not backdating.

A machine cannot tell tampering from a redesign, nor backdating from an archive filed late:
every finding is ``needs_review``, deducts nothing and fails nothing until a person marks it
acknowledged (then the scorer counts it for its veto, scoring/scorer.py CONFIRMED_VETOES).
"""

from __future__ import annotations

import datetime as dt
import hashlib
from collections.abc import Iterable, Iterator, Mapping
from dataclasses import dataclass
from typing import Any

from sqlmodel import Session, col, select

from extract.cms import column_key
from extract.homepage import home_facts
from extract.lists import extract_list
from extract.pagetext import own_text, page_text, related, similarity
from govpatrol.core.findings.tampering import BACKDATED_ARTICLE, CONTENT_TAMPERED
from govpatrol.core.models import Document, LinkTarget, ListPage, Page, Scan
from govpatrol.core.types import Check, FindingData, ParsedPage, ScanContext, SiteContext
from govpatrol.core.urls import host_of, try_canonical
from scoring.scans import as_of as scan_day
from scoring.scans import previous_scan

TEXT_KEY = "__pagetext__"
MAX_HOSTS = 40  # hosts kept per page: an injected link farm needs only one to show
MIN_TEXT_CHARS = 30  # less own text than this says nothing about replacement
LISTED_ITEMS = 5  # rows of the previous first page a finding shows
# Hosts a government page links to as a matter of course, never an intruder's: government
# domains, the 党政机关网站 mark's registry (conac.cn) and the central state media and Party
# platforms a page reposts from. A new link to one of them is the site's own doing.
OFFICIAL_SUFFIXES = (
    ".gov.cn", ".gov", "conac.cn", "people.com.cn", "xinhuanet.com", "news.cn", "cctv.com",
    "cctv.cn", "china.com.cn", "gmw.cn", "cnr.cn", "chinadaily.com.cn", "qstheory.cn",
    "12371.cn", "12377.cn", "youth.cn", "ce.cn",
)  # fmt: skip
SKETCH_VERSION = 1  # how own text is sketched: fingerprints of another version are not compared

REASON_ZH = {
    "text_replaced": "页面文字大部分被替换",
    "new_domain": "出现新的外部域名链接",
    "title_changed": "标题被改为无关文字",
}


@dataclass(frozen=True)
class TamperingOptions:
    tampered_text_similarity: float
    backdated_grace_days: int


# -- the page hook: what the next scan compares ----------------------------------------------------


def _compared(page: ParsedPage, ctx: ScanContext) -> tuple[str | None, list[str]] | None:
    """(column key, list item URLs) of a page worth comparing: the home page (no column) and
    a column's first list page; None for every other page."""
    if page.is_home:
        return None, [item.url for item in home_facts(page, as_of=ctx.as_of).items]
    extraction = extract_list(page, as_of=ctx.as_of)
    if extraction is None or extraction.first_page is not None:
        return None  # not a list, or a later page of one (its pager links to page 1)
    return column_key(page.url), [item.url for item in extraction.items]


def _linked_hosts(page: ParsedPage, item_urls: Iterable[str]) -> dict[str, str]:
    """host → the first URL the page links there, list items left out (lists move on)."""
    items = {try_canonical(url) for url in item_urls} - {None}
    hosts: dict[str, str] = {}
    for link in page.links or ():
        if link.url in items or not link.url.startswith(("http://", "https://")):
            continue
        host = host_of(link.url)
        if host and host not in hosts and len(hosts) < MAX_HOSTS:
            hosts[host] = link.url
    return hosts


def fingerprint_row(page: ParsedPage, ctx: ScanContext) -> ListPage | None:
    compared = _compared(page, ctx)
    if compared is None:
        return None
    key, item_urls = compared
    text = page_text(own_text(page.tree, page.final_url or page.url, item_urls))
    return ListPage(
        scan_id=ctx.scan_id,
        url=page.url,
        column_key=TEXT_KEY,
        name=(page.title or "")[:200] or None,
        item_count=len(item_urls),
        items=[
            {
                "column": key,
                "sketch_version": SKETCH_VERSION,
                "sketch": list(text.sketch),
                "chars": text.chars,
                "excerpt": text.excerpt,
                "hosts": _linked_hosts(page, item_urls),
            }
        ],
    )


# -- the site hook ---------------------------------------------------------------------------------


@dataclass(frozen=True)
class Fingerprint:
    url: str
    title: str
    column: str | None
    sketch: tuple[int, ...]
    chars: int
    excerpt: str
    hosts: Mapping[str, str]

    @classmethod
    def of(cls, row: ListPage) -> Fingerprint:
        data: dict[str, Any] = (row.items or [{}])[0]
        current = data.get("sketch_version") == SKETCH_VERSION
        return cls(
            url=row.url,
            title=row.name or "",
            column=data.get("column"),
            sketch=tuple(data.get("sketch") or ()) if current else (),
            chars=int(data.get("chars") or 0),
            excerpt=data.get("excerpt") or "",
            hosts=data.get("hosts") or {},
        )


def _fingerprints(session: Session, scan_id: int) -> dict[str, Fingerprint]:
    rows = session.exec(
        select(ListPage).where(ListPage.scan_id == scan_id, ListPage.column_key == TEXT_KEY)
    )
    return {row.url: Fingerprint.of(row) for row in rows}


def _templates(session: Session, scan_id: int, urls: Iterable[str]) -> dict[str, str | None]:
    wanted = list(urls)
    found: dict[str, str | None] = {}
    for start in range(0, len(wanted), 500):  # stay under SQLite's bound-parameter limit
        rows = session.exec(
            select(Page.url, Page.template_key).where(
                Page.scan_id == scan_id, col(Page.url).in_(wanted[start : start + 500])
            )
        )
        found.update(dict(rows.all()))
    return found


def _external_hosts(session: Session, scan_id: int) -> set[str]:
    """Every outside host some page of the scan linked to."""
    rows = session.exec(
        select(LinkTarget.url).where(LinkTarget.scan_id == scan_id, LinkTarget.internal == False)  # noqa: E712
    )
    return {host_of(url) for url in rows}


def _bare(host: str) -> str:
    """The host (and port) without a leading ``www.``: one site, however it is linked."""
    return host.lower().removeprefix("www.")


def _is_official(host: str) -> bool:
    name = host.rsplit(":", 1)[0] if host.count(":") == 1 else host  # the port says nothing
    name = name.rstrip(".").lower().removeprefix("www.")
    return any(name == suffix.lstrip(".") or name.endswith("." + suffix.lstrip("."))
               for suffix in OFFICIAL_SUFFIXES)  # fmt: skip


def _column_names(session: Session, scan_id: int) -> dict[str, str]:
    rows = session.exec(
        select(ListPage.column_key, ListPage.name).where(
            ListPage.scan_id == scan_id, ~col(ListPage.column_key).startswith("__", autoescape=True)
        )
    )
    return {key: name for key, name in rows if name}


def _digest(*parts: object) -> str:
    return hashlib.sha256(repr(parts).encode("utf-8")).hexdigest()[:16]


@dataclass
class _Baseline:
    scan: Scan
    day: dt.date

    def detail(self) -> dict[str, Any]:
        return {"previous_scan_id": self.scan.id, "previous_scan_date": self.day.isoformat()}


class TamperingCheck(Check):
    name = "tampering"
    findings = (CONTENT_TAMPERED.id, BACKDATED_ARTICLE.id)
    options_type = TamperingOptions

    def on_page(self, page: ParsedPage, ctx: ScanContext) -> Iterator[ListPage]:
        row = fingerprint_row(page, ctx)
        if row is not None:
            yield row

    def on_site(self, ctx: SiteContext) -> Iterator[FindingData]:
        session, scan = ctx.session, ctx.scan
        if session is None or scan is None:
            return
        previous = previous_scan(session, scan)
        if previous is None or previous.id is None:
            return  # the site's first complete scan: nothing to compare with
        baseline = _Baseline(previous, scan_day(previous))
        options: TamperingOptions = self.options(ctx)
        yield from _tampered(ctx, session, baseline, options)
        yield from _backdated(ctx, session, baseline, options)


# -- content_tampered ------------------------------------------------------------------------------


def _tampered(
    ctx: SiteContext, session: Session, baseline: _Baseline, options: TamperingOptions
) -> Iterator[FindingData]:
    assert baseline.scan.id is not None
    now = _fingerprints(session, ctx.scan_id)
    before = _fingerprints(session, baseline.scan.id)
    urls = sorted(set(now) & set(before))
    if not urls:
        return
    templates_now = _templates(session, ctx.scan_id, urls)
    templates_before = _templates(session, baseline.scan.id, urls)
    own_hosts = {host_of(ctx.site_url), *((ctx.site.extra_hosts or []) if ctx.site else [])}
    known_hosts = _external_hosts(session, baseline.scan.id) | own_hosts
    own_names = {_bare(host) for host in own_hosts}  # example.cn and www.example.cn alike
    names = _column_names(session, ctx.scan_id)
    for url in urls:
        new, old = now[url], before[url]
        template = templates_now.get(url)
        same_template = template is not None and template == templates_before.get(url)
        score = similarity(old.sketch, new.sketch)
        if (
            same_template
            and score is not None
            and min(old.chars, new.chars) >= MIN_TEXT_CHARS
            and score < options.tampered_text_similarity
        ):
            yield _tamper_finding(
                url, "text_replaced", baseline, (new.excerpt,),
                similarity=round(score, 3),
                text_threshold=options.tampered_text_similarity,
                before_excerpt=old.excerpt,
                after_excerpt=new.excerpt,
            )  # fmt: skip
        hosts = sorted(
            host
            for host in set(new.hosts) - set(old.hosts) - known_hosts
            if not _is_official(host) and _bare(host) not in own_names
        )
        if hosts:
            yield _tamper_finding(
                url, "new_domain", baseline, tuple(hosts),
                new_domains=[{"host": host, "url": new.hosts[host]} for host in hosts],
            )  # fmt: skip
        column_name = names.get(new.column or "", "")
        if (
            old.title
            and new.title
            and old.title != new.title
            and not related(new.title, (old.title, ctx.site_name, column_name))
        ):
            yield _tamper_finding(
                url, "title_changed", baseline, (new.title,),
                title_before=old.title,
                title_after=new.title,
            )  # fmt: skip


def _tamper_finding(
    url: str, reason: str, baseline: _Baseline, identity: tuple[str, ...], **evidence: Any
) -> FindingData:
    return FindingData(
        check=CONTENT_TAMPERED.id,
        page=url,
        message=f"{REASON_ZH[reason]}（与{baseline.day.isoformat()}的巡检相比，待人工确认）",
        # what changed identifies it: a false-positive mark on one change leaves the next open
        key=(reason, _digest(*identity)),
        detail={"reasons": [reason], **evidence, **baseline.detail(), "needs_review": True},
    )


# -- backdated_article -----------------------------------------------------------------------------


@dataclass(frozen=True)
class _Shown:
    """The first page of a column in the previous scan: what it listed, and its bottom row."""

    url: str
    items: list[dict[str, Any]]
    bottom: dt.date  # the date of its last dated row: anything older may have been on page 2


def _day(value: object) -> dt.date | None:
    try:
        return dt.date.fromisoformat(str(value)[:10]) if value else None
    except ValueError:
        return None


def _title_key(title: object) -> str:
    return "".join(str(title or "").split())


def _first_pages(rows: Iterable[ListPage]) -> dict[str, _Shown]:
    """Each column's first page (of its list pages, the shortest URL: ``index.html`` before
    ``index_1.html``) with the rows it listed, if any was dated."""
    first: dict[str, ListPage] = {}
    for row in rows:
        held = first.get(row.column_key)
        if held is None or (len(row.url), row.url) < (len(held.url), held.url):
            first[row.column_key] = row
    shown: dict[str, _Shown] = {}
    for key, row in first.items():
        dates = [d for d in (_day(item.get("date")) for item in row.items or ()) if d]
        if dates:
            shown[key] = _Shown(row.url, list(row.items or ()), dates[-1])
    return shown


def _lists(session: Session, scan_id: int) -> list[ListPage]:
    return list(
        session.exec(
            select(ListPage).where(
                ListPage.scan_id == scan_id,
                ~col(ListPage.column_key).startswith("__", autoescape=True),
            )
        )
    )


def _backdated(
    ctx: SiteContext, session: Session, baseline: _Baseline, options: TamperingOptions
) -> Iterator[FindingData]:
    assert baseline.scan.id is not None
    then_rows = _lists(session, baseline.scan.id)
    shown = _first_pages(then_rows)
    if not shown:
        return
    crawled = {
        url for url in session.exec(select(Page.url).where(Page.scan_id == baseline.scan.id))
    }
    listed_then = {
        try_canonical(item["url"])
        for row in then_rows
        for item in row.items or ()
        if item.get("url")
    } - {None}
    titles_then = {
        _title_key(item.get("title")) for row in then_rows for item in row.items or ()
    } - {""}
    known = crawled | listed_then
    latest = baseline.day - dt.timedelta(days=options.backdated_grace_days)
    columns: dict[str, list[ListPage]] = {}
    for row in _lists(session, ctx.scan_id):
        columns.setdefault(row.column_key, []).append(row)
    for key, rows in sorted(columns.items()):
        then = shown.get(key)
        if then is None:
            continue  # the column's first page was not crawled then: nothing to say
        due: dict[str, tuple[dict[str, Any], dt.date]] = {}  # rows the first page had to show
        for row in rows:
            for item in row.items or ():
                day = _day(item.get("date"))
                url = try_canonical(item["url"]) if item.get("url") else None
                if url and day and then.bottom < day < baseline.day:
                    due.setdefault(url, (item, day))
        new = {
            url: (item, day)
            for url, (item, day) in due.items()
            if url not in known and _title_key(item.get("title")) not in titles_then
        }
        if not new or (len(new) > 1 and 2 * len(new) > len(due)):
            continue  # nothing new, or a moved or rebuilt column: most rows due then are new
        name = next((r.name for r in rows if r.name), None) or key
        published = _published(session, ctx.scan_id, list(new))
        for url, (item, day) in sorted(new.items()):
            day = max(day, published.get(url) or day)  # the article's own date, if later
            if day >= latest:
                continue
            yield _backdated_finding(url, item, day, name, key, then, baseline)


def _published(session: Session, scan_id: int, urls: list[str]) -> dict[str, dt.date]:
    rows = session.exec(
        select(Document.url, Document.published_date).where(
            Document.scan_id == scan_id, col(Document.url).in_(urls[:500])
        )
    )
    return {url: day for url, day in rows if day}


def _backdated_finding(
    url: str,
    item: Mapping[str, Any],
    day: dt.date,
    column: str,
    key: str,
    then: _Shown,
    baseline: _Baseline,
) -> FindingData:
    title = str(item.get("title") or "")
    listed = [
        {"title": str(row.get("title") or ""), "date": row.get("date")}
        for row in then.items[:LISTED_ITEMS]
    ]
    return FindingData(
        check=BACKDATED_ARTICLE.id,
        page=url,
        message=(
            f"文章“{title}”标注的发布日期为{day.isoformat()}，早于上次巡检"
            f"（{baseline.day.isoformat()}），但当时“{column}”第一页并未列出（待人工确认）"
        ),
        key=(key,),
        detail={
            "title": title,
            "column": column,
            "column_url": key,
            "published_date": day.isoformat(),
            **baseline.detail(),
            "previous_oldest": then.bottom.isoformat(),
            "previous_items": listed,
            "needs_review": True,
        },
    )
