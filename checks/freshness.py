"""栏目不更新, 空白栏目 and 首页不更新: the freshness single-veto indicators.

The page hook records what each page shows as ``ListPage`` rows: every column list page
(``extract.lists.extract_list``), the home page's dated items (``column_key="__home__"``)
and pages that only say 正在建设/暂无信息 (``column_key="__placeholder__"``). The site hook
groups the list pages into columns, names and categorises them (docs/CHECKS.md's keyword
table, which a site may extend), and judges each against its cadence:

* stale: ``as_of - newest > cadence``; 动态/要闻 columns and top-level 通知公告/政策文件
  columns are *time-boxed*, every stale column counts as *long-term*;
* blank: a column reached from navigation with no item at all, a 暂无信息 page, or only
  placeholder pages behind its items;
* the home page: no dated item within ``home_fresh_days`` (undated items do not count);
  a home page of navigation only is judged by the newest item of its second-level pages.

A column the webmaster marked as legitimately unchanged (a ``FindingState`` of state
``unchanged`` on its stale finding's fingerprint) is kept, flagged, and not reported.
"""

from __future__ import annotations

import datetime as dt
from collections import Counter
from collections.abc import Iterable, Iterator, Mapping, Sequence, Set
from dataclasses import dataclass, field
from typing import Any

from sqlalchemy import func, or_
from sqlmodel import Session, col, select

from extract.cms import column_key, same_page_key
from extract.columnname import content_category
from extract.homepage import home_facts
from extract.lists import extract_list, stored_items
from extract.placeholders import (
    PLACEHOLDER_MARKER_EMPTY,
    is_construction_notice,
    is_placeholder_page,
)
from govpatrol.core.findings.freshness import BLANK_COLUMN as BLANK
from govpatrol.core.findings.freshness import HOME_NOT_UPDATED as HOME
from govpatrol.core.findings.freshness import STALE_COLUMN as STALE
from govpatrol.core.models import Finding, FindingState, LinkSource, ListPage, SiteColumn
from govpatrol.core.types import (
    Check,
    FindingData,
    ParsedPage,
    ScanContext,
    SiteContext,
)

HOME_KEY = "__home__"
PLACEHOLDER_KEY = "__placeholder__"

# docs/CHECKS.md "Column categories"; a site adds or moves keywords with
# site.config["column_keywords"] = {"dynamic": [...], "notice": [...], ...}.
DEFAULT_KEYWORDS: dict[str, tuple[str, ...]] = {
    "dynamic": (
        "要闻", "动态", "新闻", "工作动态", "政务动态", "部门动态", "本地要闻", "区县动态",
        "基层动态", "工作进展", "图片新闻", "新闻中心", "媒体关注", "头条",
    ),
    "notice": (
        "通知公告", "公示公告", "通知", "公告", "公示", "政策文件", "政策法规", "法规文件",
        "规范性文件", "行政规范性文件", "部门文件", "政府文件", "文件发布", "政策解读",
    ),
    "personnel": (
        "人事信息", "人事任免", "人事招考", "招考录用", "公务员招录", "事业单位招聘",
        "规划计划", "发展规划", "专项规划", "工作计划", "年度计划", "计划总结",
    ),
    "budget": (
        "财政预决算", "预决算公开", "预决算", "部门预算", "部门决算", "财政预算", "财政决算",
        "预算公开", "决算公开", "三公经费",
    ),
    "none": (
        "机构职能", "领导信息", "政府信息公开指南", "政府信息公开制度", "专题", "专栏",
        "历史栏目", "年报", "年度报告",
    ),
}  # fmt: skip


def keyword_table(overrides: Mapping[str, Sequence[str]] | None) -> dict[str, tuple[str, ...]]:
    """The default keywords with a site's added or moved ones (a keyword listed under a
    category leaves every other category)."""
    table = {category: list(words) for category, words in DEFAULT_KEYWORDS.items()}
    for category, words in (overrides or {}).items():
        for word in words:
            for existing in table.values():
                if word in existing:
                    existing.remove(word)
            table.setdefault(category, []).append(word)
    return {category: tuple(words) for category, words in table.items()}


def name_category(name: str | None, table: Mapping[str, Sequence[str]]) -> tuple[str, str] | None:
    """(category, keyword) of the longest keyword in the name, "none" included (a "none"
    keyword means: never judged); None when no keyword is in the name."""
    if not name:
        return None
    best: tuple[str, str] | None = None
    for category, words in table.items():
        for word in words:
            if word in name and (best is None or len(word) > len(best[1])):
                best = (category, word)
    return best


def categorize(name: str | None, table: Mapping[str, Sequence[str]]) -> str | None:
    """dynamic | notice | personnel | budget | None: the category a column's name gives."""
    found = name_category(name, table)
    return None if found is None or found[0] == "none" else found[0]


def cadence_for(category: str | None, options: FreshnessOptions) -> int | None:
    return {
        "dynamic": options.dynamic_cadence_days,
        "notice": options.notice_cadence_days,
        "personnel": options.personnel_cadence_days,
        "budget": options.budget_cadence_days,
    }.get(category or "")


@dataclass(frozen=True)
class Cadence:
    """How often a column must update, and what said so: ``source`` is "site" (the site's
    ``column_cadence_days``), "name" (a keyword of the column's name) or "content" (what its
    items are, when the name says nothing); ``basis`` is the keyword or item title."""

    category: str | None
    days: int | None
    source: str | None = None
    basis: str | None = None


# A column inside a special-topic section (首页 > 专题专栏 > 疫情防控 > 工作动态) belongs to the
# 专题, which docs/CHECKS.md leaves unjudged whatever its sub-columns are called.
TOPIC_SECTION_WORDS = ("专题", "历史栏目")


def column_cadence(
    name: str,
    ids: Sequence[str],
    titles: Sequence[str],
    table: Mapping[str, Sequence[str]],
    options: FreshnessOptions,
    within: Sequence[str] = (),
) -> Cadence:
    """A column's cadence: the site's own setting first (its key, first page or name, else
    the longest keyword of the name it lists), then none inside a 专题 (``within``: the
    breadcrumb), then the category of the name, then the category of what the column holds."""
    found = name_category(name, table)
    category = None if found is None or found[0] == "none" else found[0]
    site = options.column_cadence_days
    exact = next((key for key in (*ids, name) if key in site), None)
    keyword = exact or max((key for key in site if key in name), key=len, default=None)
    if keyword is not None:
        return Cadence(category, site[keyword], "site", keyword)
    topic = next(
        (w for crumb in within if crumb != name for w in TOPIC_SECTION_WORDS if w in crumb), None
    )
    if topic is not None:
        return Cadence(None, None, "name", topic)
    if found is not None:
        return Cadence(category, cadence_for(category, options), "name", found[1])
    held = content_category(titles)
    if held is not None:
        held_category, example = held
        return Cadence(held_category, cadence_for(held_category, options), "content", example)
    return Cadence(None, None)


def staleness(
    newest: dt.date | None, item_count: int, cadence_days: int | None, as_of: dt.date
) -> tuple[bool, int | None]:
    """(stale, days since the newest item) of a column as of ``as_of``. Items without a
    visible date count as not updated (docs/CHECKS.md); an empty column is blank, not stale."""
    days = (as_of - newest).days if newest else None
    if cadence_days is None or not item_count:
        return False, days
    return days is None or days > cadence_days, days


def blank_reason(column: Column, placeholder_urls: Set[str]) -> str | None:
    """empty (no item at all), no_info (says 暂无信息), placeholder (正在建设 … as the
    column's page or behind every item); None when not blank or not in navigation."""
    if not column.from_nav:
        return None
    if column.item_count == 0:
        said = column.placeholder
        if not said or said == PLACEHOLDER_MARKER_EMPTY:
            return "empty"
        return "placeholder" if is_construction_notice(said) else "no_info"
    urls = column.item_urls()
    if urls and urls <= placeholder_urls:
        return "placeholder"
    return None


# ---------------------------------------------------------------------------------------
# Columns


@dataclass
class Column:
    """One column of the scan, built from its list pages."""

    key: str
    rows: list[ListPage] = field(default_factory=list)
    name: str = ""
    url: str = ""
    breadcrumb: list[str] = field(default_factory=list)
    parent_key: str | None = None
    from_nav: bool = False
    top_level: bool = False
    placeholder_page: str | None = None  # the column's page itself is a placeholder

    @property
    def item_count(self) -> int:
        return sum(row.item_count for row in self.rows)

    @property
    def newest_date(self) -> dt.date | None:
        """The newest date the column's lists show (visible dates only)."""
        dates = [row.newest_date for row in self.rows if row.newest_date]
        return max(dates) if dates else None

    @property
    def newest_url_date(self) -> dt.date | None:
        """The newest date its item URLs encode (t20240507_ …): evidence, never a verdict."""
        dates = [
            item["url_date"]
            for row in self.rows
            for item in row.items or ()
            if item.get("url_date")
        ]
        return dt.date.fromisoformat(max(dates)) if dates else None

    @property
    def placeholder(self) -> str | None:
        return self.placeholder_page or next(
            (r.placeholder for r in self.rows if r.placeholder), None
        )

    def item_urls(self) -> set[str]:
        return {item["url"] for row in self.rows for item in row.items or () if item.get("url")}


def build_columns(rows: Iterable[ListPage], nav_targets: Mapping[str, str]) -> list[Column]:
    """Group list pages by column key; pick each column's first page, name, parent.

    ``nav_targets`` are the home page's links (URL → link text): a column they reach is
    in the navigation, and the URL they use is its first page (stable across scans, so
    the findings' fingerprints are)."""
    nav_keys = {column_key(url): url for url in nav_targets}
    columns: dict[str, Column] = {}
    for row in rows:
        columns.setdefault(row.column_key, Column(row.column_key)).rows.append(row)
    for column in columns.values():
        first = min(column.rows, key=lambda r: _first_page_rank(r.url, column.key, nav_targets))
        column.url = first.url
        names = Counter(r.name for r in column.rows if r.name)
        nav_url = nav_keys.get(column.key)
        column.name = (
            first.name
            or (names.most_common(1)[0][0] if names else "")
            or (nav_targets.get(nav_url, "") if nav_url else "")
        ) or column.key
        column.breadcrumb = list(first.breadcrumb or [])
        column.from_nav = nav_url is not None
    _link_parents(columns)
    for column in columns.values():
        column.top_level = column.from_nav or column.parent_key is None
    return list(columns.values())


def _first_page_rank(url: str, key: str, nav_targets: Mapping[str, str]) -> tuple:
    """Page 1 first (the URL the navigation uses, else the plainest spelling)."""
    page_one = same_page_key(url) == same_page_key(key)
    return (not page_one, url not in nav_targets, len(url), url)


def _link_parents(columns: dict[str, Column]) -> None:
    """Parent by the breadcrumb's previous crumb (a column of that name), else by URL
    folder (…/zwgk/zwdt/zwyw/ sits under …/zwgk/zwdt/)."""
    by_name: dict[str, list[str]] = {}
    for column in columns.values():
        by_name.setdefault(column.name, []).append(column.key)
    folders = sorted((k for k in columns if k.endswith("/")), key=len, reverse=True)
    for column in columns.values():
        crumbs = [c for c in column.breadcrumb if c != column.name]
        parent = None
        if crumbs and len(by_name.get(crumbs[-1], ())) == 1:
            parent = by_name[crumbs[-1]][0]
        if parent is None:
            parent = next(
                (f for f in folders if f != column.key and column.key.startswith(f)), None
            )
        column.parent_key = parent if parent != column.key else None


# ---------------------------------------------------------------------------------------
# The check


@dataclass(frozen=True)
class FreshnessOptions:
    """The thresholds the freshness check reads."""

    dynamic_cadence_days: int
    notice_cadence_days: int
    personnel_cadence_days: int
    budget_cadence_days: int
    column_cadence_days: dict[str, int]
    home_fresh_days: int


class FreshnessCheck(Check):
    """Column freshness (栏目不更新), blank columns (空白栏目), home page updates (首页不更新)."""

    name = "freshness"
    findings = ("stale_column", "blank_column", "home_not_updated")
    options_type = FreshnessOptions

    # -- page hook ----------------------------------------------------------------------

    def on_page(self, page: ParsedPage, ctx: ScanContext) -> Iterator[ListPage]:
        if page.is_home:
            yield self._home_row(page, ctx)
            return
        extraction = extract_list(page, as_of=ctx.as_of)
        if extraction is not None:
            yield ListPage(
                scan_id=ctx.scan_id,
                url=page.url,
                column_key=column_key(extraction.first_page or page.url),
                name=extraction.column_name or page.nav_text,
                breadcrumb=extraction.breadcrumb,
                item_count=len(extraction.items),
                dated_count=extraction.dated_count,
                newest_date=extraction.newest_date,
                placeholder=extraction.placeholder,
                items=stored_items(extraction.items),
            )
            return
        placeholder = is_placeholder_page(page)
        if placeholder:
            yield ListPage(
                scan_id=ctx.scan_id,
                url=page.url,
                column_key=PLACEHOLDER_KEY,
                name=page.nav_text or page.title or None,
                placeholder=placeholder,
            )

    def _home_row(self, page: ParsedPage, ctx: ScanContext) -> ListPage:
        facts = home_facts(page, as_of=ctx.as_of)
        newest_first = sorted(facts.items, key=lambda item: item.date or dt.date.min, reverse=True)
        return ListPage(
            scan_id=ctx.scan_id,
            url=page.url,
            column_key=HOME_KEY,
            name="首页",
            item_count=facts.article_rows,
            dated_count=len(facts.items),
            newest_date=newest_first[0].date if newest_first else None,
            placeholder=facts.placeholder,
            items=stored_items(newest_first),
        )

    # -- site hook ----------------------------------------------------------------------

    def on_site(self, ctx: SiteContext) -> Iterator[Any]:
        session = ctx.session
        if session is None:
            return
        # Other checks keep a row per page of their own here ("__identity__", "__pagetext__"
        # …): reading them would cost this check memory in proportion to the site (100 MB at
        # 21,000 pages) for rows it skips, so only lists and its own keys are read.
        own_or_list = or_(
            func.substr(ListPage.column_key, 1, 2) != "__",
            col(ListPage.column_key).in_((HOME_KEY, PLACEHOLDER_KEY)),
        )
        query = select(ListPage).where(ListPage.scan_id == ctx.scan_id, own_or_list)
        rows = list(session.exec(query))
        home = next((r for r in rows if r.column_key == HOME_KEY), None)
        placeholders = {r.url: r for r in rows if r.column_key == PLACEHOLDER_KEY}
        lists = [r for r in rows if not r.column_key.startswith("__")]
        nav_targets = _home_targets(session, ctx.scan_id)
        nav_keys = {column_key(url) for url in nav_targets}
        columns = build_columns(lists, nav_targets)
        known = {c.key for c in columns}
        for url, row in placeholders.items():
            key = column_key(url)
            if key in nav_keys and key not in known:
                column = Column(key, name=nav_targets.get(url) or row.name or key, url=url)
                column.placeholder_page = row.placeholder
                column.from_nav = column.top_level = True
                columns.append(column)
        _mark_second_level_nav(session, ctx.scan_id, columns)
        judge = _Judge(ctx, placeholders=set(placeholders), options=self.options(ctx))
        yield from judge.columns(columns)
        if home is not None:
            yield from judge.home(home, columns, nav_keys)


def _home_targets(session: Session, scan_id: int) -> dict[str, str]:
    """Every link target of the home page, with its link text (the navigation)."""
    query = select(LinkSource.target_url, LinkSource.text).where(
        LinkSource.scan_id == scan_id,
        LinkSource.on_home == True,  # noqa: E712
    )
    targets: dict[str, str] = {}
    for url, text in session.exec(query):
        if text and not targets.get(url):
            targets[url] = text
        else:
            targets.setdefault(url, "")
    return targets


def _mark_second_level_nav(session: Session, scan_id: int, columns: list[Column]) -> None:
    """Columns linked from the pages of navigation columns (their sub-navigation) are
    reached from navigation too."""
    nav_pages = [row.url for c in columns if c.from_nav for row in c.rows]
    if not nav_pages:
        return
    reached: set[str] = set()
    for start in range(0, len(nav_pages), 500):
        chunk = nav_pages[start : start + 500]
        query = select(LinkSource.target_url).where(
            LinkSource.scan_id == scan_id, LinkSource.page_url.in_(chunk)
        )
        reached.update(column_key(url) for url in session.exec(query))
    for column in columns:
        if not column.from_nav and column.key in reached:
            column.from_nav = True


@dataclass
class _Judge:
    ctx: SiteContext
    placeholders: set[str]
    options: FreshnessOptions

    def __post_init__(self) -> None:
        config = self.ctx.site_config or {}
        self.table = keyword_table(config.get("column_keywords"))
        self.unchanged = self._unchanged_fingerprints()

    def _unchanged_fingerprints(self) -> set[str]:
        session = self.ctx.session
        assert session is not None
        query = select(FindingState.fingerprint).where(
            FindingState.site_id == self.ctx.site_id, FindingState.state == "unchanged"
        )
        return set(session.exec(query))

    def columns(self, columns: list[Column]) -> Iterator[Any]:
        for column in sorted(columns, key=lambda c: c.key):
            yield from self._column(column)

    def _cadence(self, column: Column) -> Cadence:
        titles = [item.get("title") or "" for row in column.rows for item in row.items or ()]
        ids = (column.key, column.url)
        return column_cadence(column.name, ids, titles, self.table, self.options, column.breadcrumb)

    def _column(self, column: Column) -> Iterator[Any]:
        judged = self._cadence(column)
        category, cadence = judged.category, judged.days
        newest = column.newest_date
        blank = blank_reason(column, self.placeholders)
        record = SiteColumn(
            scan_id=self.ctx.scan_id,
            key=column.key,
            name=column.name,
            url=column.url,
            parent_key=column.parent_key,
            category=category,
            cadence_days=cadence,
            newest_date=newest,
            item_count=column.item_count,
            from_nav=column.from_nav,
            is_blank=blank is not None,
        )
        if blank is not None:
            yield self._blank_finding(column, blank)
        else:
            stale, days = staleness(newest, column.item_count, cadence, self.ctx.as_of)
            if stale:
                assert cadence is not None
                finding = self._stale_finding(column, judged, cadence, newest, days)
                record.days_overdue = days - cadence if days is not None else None
                if finding.fingerprint(self.ctx.site_url) in self.unchanged:
                    record.marked_unchanged = True
                else:
                    record.is_stale = True
                    yield finding
        yield record

    def _blank_finding(self, column: Column, reason: str) -> FindingData:
        said = column.placeholder
        if reason == "empty":
            message = f"栏目「{column.name}」没有任何信息"
        elif said:
            message = f"栏目「{column.name}」只显示“{said}”，没有任何信息"
        else:
            message = f"栏目「{column.name}」的信息全部是“正在建设”等占位页面"
        return FindingData(
            check=BLANK.id,
            page=column.url,
            message=message,
            detail={
                "column": column.name,
                "column_key": column.key,
                "reason": reason,
                "placeholder": said,
                "item_count": column.item_count,
                "from_nav": column.from_nav,
            },
            key=(column.key,),
        )

    def _stale_finding(
        self,
        column: Column,
        judged: Cadence,
        cadence: int,
        newest: dt.date | None,
        days: int | None,
    ) -> FindingData:
        category = judged.category
        timeboxed = category == "dynamic" or (category == "notice" and column.top_level)
        if newest is None:
            message = f"栏目「{column.name}」的信息均未显示发布日期，视为未更新（应在 {cadence} 天内更新）"
        else:
            message = (
                f"栏目「{column.name}」已 {days} 天未更新（最新信息 {newest.isoformat()}，"
                f"应在 {cadence} 天内更新）"
            )
        url_newest = column.newest_url_date
        return FindingData(
            check=STALE.id,
            page=column.url,
            message=message,
            detail={
                "column": column.name,
                "column_key": column.key,
                "category": category,
                "newest_date": newest.isoformat() if newest else None,
                "cadence_days": cadence,
                "cadence_source": judged.source,
                "cadence_basis": judged.basis,
                "days_since": days,
                "days_overdue": days - cadence if days is not None else None,
                "timeboxed": timeboxed,
                "top_level": column.top_level,
                "url_newest_date": url_newest.isoformat() if url_newest else None,
            },
            key=(column.key,),
        )

    def home(self, home: ListPage, columns: list[Column], nav_keys: set[str]) -> Iterator[Any]:
        fresh_days = self.options.home_fresh_days
        navigation_only = home.item_count == 0
        newest = home.newest_date
        if navigation_only:
            second_level = [c.newest_date for c in columns if c.key in nav_keys and c.newest_date]
            newest = max(second_level) if second_level else None
        days = (self.ctx.as_of - newest).days if newest else None
        if days is not None and days <= fresh_days:
            return
        if newest is None:
            message = "首页没有显示发布日期的信息" + (
                "（二级页面也没有）" if navigation_only else ""
            )
        else:
            where = "首页及二级页面" if navigation_only else "首页"
            message = f"{where}已 {days} 天未更新（最新信息 {newest.isoformat()}）"
        yield FindingData(
            check=HOME.id,
            page=home.url,
            message=message,
            detail={
                "newest_date": newest.isoformat() if newest else None,
                "days_since": days,
                "fresh_days": fresh_days,
                "dated_items": home.dated_count,
                "navigation_only": navigation_only,
                # a home page that only says 升级改版中 also counts as unreachable
                "placeholder": home.placeholder,
            },
            key=(HOME_KEY,),
        )


def veto_counts(session: Session, scan_id: int) -> dict[str, Any]:
    """What the freshness vetoes count in one scan: time-boxed and long-term stale
    columns (every stale column is long-term), blank columns, the home page."""
    query = select(Finding.check, Finding.detail).where(
        Finding.scan_id == scan_id,
        Finding.check.in_((STALE.id, BLANK.id, HOME.id)),  # type: ignore[attr-defined]
    )
    stale_timeboxed = stale_longterm = blank = 0
    home = False
    for check, detail in session.exec(query):
        if check == STALE.id:
            stale_longterm += 1
            stale_timeboxed += bool((detail or {}).get("timeboxed"))
        elif check == BLANK.id:
            blank += 1
        else:
            home = True
    return {
        "stale_timeboxed": stale_timeboxed,
        "stale_longterm": stale_longterm,
        "blank": blank,
        "home_not_updated": home,
    }
