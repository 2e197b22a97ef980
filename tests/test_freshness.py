"""checks.freshness on a small hand-built site and a real SQLite store: page hooks write
ListPage rows as the crawler would, the site hook judges columns and the home page."""

from __future__ import annotations

import datetime as dt
from collections.abc import Iterator
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import pytest
from sqlalchemy.engine import Engine
from sqlmodel import Session, select

from checks.freshness import (
    HOME_KEY,
    PLACEHOLDER_KEY,
    FreshnessCheck,
    FreshnessOptions,
    categorize,
    column_cadence,
    keyword_table,
    veto_counts,
)
from checks.table import all_checks
from extract.parse import build_parsed_page
from govpatrol.core.db import init_db, make_engine
from govpatrol.core.findings import SPECS
from govpatrol.core.models import (
    Finding,
    FindingState,
    LinkSource,
    ListPage,
    Scan,
    Site,
    SiteColumn,
)
from govpatrol.core.settings import Thresholds
from govpatrol.core.site_settings import options_of
from govpatrol.core.types import FindingData, ScanContext, SiteContext

SITE = "http://site.invalid/"
AS_OF = dt.date(2024, 6, 30)


# ---------------------------------------------------------------------------------------
# A small site


def _nav(links: dict[str, str]) -> str:
    return (
        '<div class="nav"><ul>'
        + "".join(f'<li><a href="{url}">{name}</a></li>' for url, name in links.items())
        + "</ul></div>"
    )


def _list_page(
    name: str,
    crumbs: list[str],
    rows: list[tuple[str, str]],
    extra: str = "",
    empty: str = "<div class='list'>暂无信息</div>",
) -> str:
    trail = " &gt; ".join(f'<a href="/c/{i}/">{c}</a>' for i, c in enumerate(crumbs))
    items = "".join(
        f'<li><a href="{url}">{name}第{i}条信息</a><span>{day}</span></li>'
        for i, (url, day) in enumerate(rows)
    )
    body = f"<ul class='list'>{items}</ul>" if rows else empty
    return (
        f"<html><head><title>{name}_示例市人民政府</title></head><body>"
        f'<div class="location">当前位置：<a href="/">首页</a> &gt; {trail}</div>'
        f'<div class="main">{body}{extra}</div><div class="footer">主办：示例市人民政府</div></body></html>'
    )  # fmt: skip


def _rows(folder: str, days: list[str]) -> list[tuple[str, str]]:
    return [
        (f"{folder}{d[:4]}{d[5:7]}/t{d.replace('-', '')}_{i}.html", d) for i, d in enumerate(days)
    ]


NAV = {
    "/xwzx/gzdt/": "工作动态",
    "/xwzx/tzgg/": "通知公告",
    "/zwgk/rsxx/": "人事信息",
    "/zwgk/jgzn/": "机构职能",
    "/zwgk/zcwj/": "政策文件",
    "/zwgk/ghjh/": "规划计划",
    "/zwgk/zxzx/": "在线咨询",
    "/zwgk/tjxx/": "统计信息",
    "/zwgk/rsrm/": "人事任免",
}
PLACEHOLDER_ARTICLE = (
    "<html><body><div class='location'>当前位置：<a href='/'>首页</a> &gt; <a href='/zwgk/ghjh/'>规划计划</a></div>"
    "<div class='content'><p>本栏目正在建设中</p></div></body></html>"
)  # fmt: skip


def _home(news: list[str] | None = None, undated: bool = False) -> str:
    rows = _rows("/xwzx/gzdt/", news or [])
    if undated:
        items = "".join(
            f'<li><a href="{u}">首页要闻{i}号标题</a></li>' for i, (u, _) in enumerate(rows)
        )
    else:
        items = "".join(
            f'<li><a href="{u}">首页要闻{i}号标题</a><span>{d}</span></li>'
            for i, (u, d) in enumerate(rows)
        )
    return f"<html><head><title>示例市人民政府</title></head><body>{_nav(NAV)}<div class='news'><ul>{items}</ul></div></body></html>"  # fmt: skip


def standard_site() -> dict[str, str]:
    """The pages of the site: URL -> HTML (the home page first)."""
    return {
        SITE: _home(["2024-06-25", "2024-06-20", "2024-06-11"]),
        # dynamic, 29 days: stale (time-boxed); its page 2 is older
        SITE + "xwzx/gzdt/": _list_page("工作动态", ["新闻中心", "工作动态"], _rows("/xwzx/gzdt/", ["2024-05-20", "2024-06-01", "2024-05-11"])),
        SITE + "xwzx/gzdt/index_1.html": _list_page("工作动态", ["新闻中心", "工作动态"], _rows("/xwzx/gzdt/", ["2024-04-01", "2024-03-01", "2024-02-01"])),
        # notice, 60 days: fresh
        SITE + "xwzx/tzgg/": _list_page("通知公告", ["新闻中心", "通知公告"], _rows("/xwzx/tzgg/", ["2024-05-01", "2024-04-01", "2024-03-01"]), extra='<a href="/xwzx/tzgg/gsgg/">公示公告</a>'),
        # a notice sub-column, 273 days: stale, long-term only (not top level)
        SITE + "xwzx/tzgg/gsgg/": _list_page("公示公告", ["新闻中心", "通知公告", "公示公告"], _rows("/xwzx/tzgg/gsgg/", ["2023-10-01", "2023-09-01", "2023-08-01"])),
        # personnel, 546 days: stale, long-term only
        SITE + "zwgk/rsxx/": _list_page("人事信息", ["政务公开", "人事信息"], _rows("/zwgk/rsxx/", ["2023-01-01", "2022-12-01", "2022-11-01"])),
        # never judged
        SITE + "zwgk/jgzn/": _list_page("机构职能", ["政务公开", "机构职能"], _rows("/zwgk/jgzn/", ["2019-01-01", "2018-12-01", "2018-11-01"])),
        # blank: an empty list
        SITE + "zwgk/zcwj/": _list_page("政策文件", ["政务公开", "政策文件"], [], empty="<ul class='list'></ul>"),
        # blank: only placeholder articles behind its rows
        SITE + "zwgk/ghjh/": _list_page("规划计划", ["政务公开", "规划计划"], _rows("/zwgk/ghjh/", ["2024-01-02", "2023-12-01"])),
        SITE + "zwgk/ghjh/202401/t20240102_0.html": PLACEHOLDER_ARTICLE,
        SITE + "zwgk/ghjh/202312/t20231201_1.html": PLACEHOLDER_ARTICLE,
        # blank: the column's own page is a placeholder
        SITE + "zwgk/zxzx/": "<html><body><div class='con'><p>正在建设中……</p></div></body></html>",
        # blank: says 暂无信息
        SITE + "zwgk/tjxx/": _list_page("统计信息", ["政务公开", "统计信息"], []),
        # personnel, items without any visible date: stale (not updated), not blank
        SITE + "zwgk/rsrm/": _list_page("人事任免", ["政务公开", "人事任免"], [], empty="<ul>" + "".join(
            f'<li><a href="/zwgk/rsrm/art_{i}.html">关于某某同志任职的通知（{i}）</a></li>' for i in range(4)
        ) + "</ul>"),
        # empty, but no navigation reaches it: not judged blank
        SITE + "other/empty/": _list_page("其他栏目", ["其他栏目"], []),
    }  # fmt: skip


# ---------------------------------------------------------------------------------------
# A store and a crawl


@dataclass
class Store:
    engine: Engine
    site_id: int
    config: dict[str, Any] = field(default_factory=dict)

    def new_scan(self) -> int:
        with Session(self.engine) as session:
            scan = Scan(site_id=self.site_id, as_of=AS_OF)
            session.add(scan)
            session.commit()
            return scan.id

    def ctx(self, scan_id: int, session: Session | None = None, **kw: Any) -> SiteContext:
        return SiteContext(
            scan_id=scan_id,
            site_id=self.site_id,
            site_url=SITE,
            site_name="示例市人民政府",
            as_of=kw.pop("as_of", AS_OF),
            thresholds=kw.pop("thresholds", Thresholds()),
            site_config=self.config,
            session=session,
        )

    def crawl(self, pages: dict[str, str], scan_id: int) -> None:
        """What the spider does for each page: run the page hook, store links and rows."""
        check = FreshnessCheck()
        ctx: ScanContext = self.ctx(scan_id)
        with Session(self.engine) as session:
            for url, html in pages.items():
                headers = {"content-type": "text/html; charset=utf-8"}
                page = build_parsed_page(url, url, 200, headers, html.encode(), is_home=url == SITE)
                session.add_all(check.on_page(page, ctx))
                session.add_all(
                    LinkSource(
                        scan_id=scan_id,
                        page_url=page.url,
                        target_url=link.url,
                        text=link.text or None,
                        on_home=page.is_home,
                    )
                    for link in page.links
                )
            session.commit()

    def judge(self, scan_id: int, **kw: Any) -> tuple[list[FindingData], dict[str, SiteColumn]]:
        """Run the site hook and persist what it yields, as the pipeline does."""
        with Session(self.engine) as session:
            out = list(FreshnessCheck().on_site(self.ctx(scan_id, session, **kw)))
            findings = [r for r in out if isinstance(r, FindingData)]
            columns = [r for r in out if isinstance(r, SiteColumn)]
            assert len(findings) + len(columns) == len(out)
            for f in findings:
                session.add(
                    Finding(
                        scan_id=scan_id,
                        check=f.check,
                        page=f.page,
                        message=f.message,
                        detail=f.detail,
                        fingerprint=f.fingerprint(SITE),
                    )
                )
            session.add_all(columns)
            session.commit()
            return findings, {c.name: c for c in columns}


@pytest.fixture
def store(tmp_path: Path) -> Iterator[Store]:
    engine = make_engine(f"sqlite:///{tmp_path / 'govpatrol.db'}")
    init_db(engine)
    with Session(engine) as session:
        site = Site(name="示例市人民政府", url=SITE)
        session.add(site)
        session.commit()
        site_id = site.id
    yield Store(engine, site_id)
    engine.dispose()


def _by(findings: list[FindingData], check: str) -> dict[str, FindingData]:
    return {f.detail.get("column", f.page): f for f in findings if f.check == check}


# ---------------------------------------------------------------------------------------
# Tests


def test_in_the_table_with_its_specs() -> None:
    assert any(isinstance(c, FreshnessCheck) for c in all_checks())
    for check_id, indicator in (
        ("stale_column", "stale_columns"),
        ("blank_column", "blank_columns"),
        ("home_not_updated", "home_not_updated"),
    ):
        record = SPECS[check_id]
        assert record.indicator == indicator and record.title_zh and record.hint_en


def test_page_hook_rows(store: Store) -> None:
    scan_id = store.new_scan()
    store.crawl(standard_site(), scan_id)
    with Session(store.engine) as session:
        rows = {r.url: r for r in session.exec(select(ListPage).where(ListPage.scan_id == scan_id))}
    home = rows[SITE]
    assert (home.column_key, home.dated_count, home.newest_date) == (
        HOME_KEY,
        3,
        dt.date(2024, 6, 25),
    )
    page2 = rows[SITE + "xwzx/gzdt/index_1.html"]
    assert page2.column_key == SITE + "xwzx/gzdt/" and page2.name == "工作动态"
    assert page2.breadcrumb == ["首页", "新闻中心", "工作动态"]
    assert page2.items[0] == {
        "title": "工作动态第0条信息",
        "url": SITE + "xwzx/gzdt/202404/t20240401_0.html",
        "date": "2024-04-01",
        "url_date": "2024-04-01",
    }
    assert rows[SITE + "zwgk/zcwj/"].placeholder == "（空列表）"
    assert rows[SITE + "other/empty/"].placeholder == "暂无信息"
    assert rows[SITE + "zwgk/zxzx/"].placeholder == "正在建设中……"
    placeholder = rows[SITE + "zwgk/ghjh/202401/t20240102_0.html"]
    assert (placeholder.column_key, placeholder.placeholder) == (
        PLACEHOLDER_KEY,
        "本栏目正在建设中",
    )


def test_site_hook_judges_every_column(store: Store) -> None:
    scan_id = store.new_scan()
    store.crawl(standard_site(), scan_id)
    findings, columns = store.judge(scan_id)

    stale = _by(findings, "stale_column")
    assert set(stale) == {"工作动态", "公示公告", "人事信息", "人事任免"}
    dyn = stale["工作动态"]
    assert dyn.page == SITE + "xwzx/gzdt/" and dyn.key == (SITE + "xwzx/gzdt/",)
    assert dyn.detail == {
        "column": "工作动态",
        "column_key": SITE + "xwzx/gzdt/",
        "category": "dynamic",
        "newest_date": "2024-06-01",
        "cadence_days": 14,
        "cadence_source": "name",
        "cadence_basis": "工作动态",
        "days_since": 29,
        "days_overdue": 15,
        "timeboxed": True,
        "top_level": True,
        "url_newest_date": "2024-06-01",
    }
    assert "29 天未更新" in dyn.message
    assert stale["公示公告"].detail["timeboxed"] is False  # a notice sub-column
    assert stale["公示公告"].detail["category"] == "notice"
    assert stale["人事信息"].detail["timeboxed"] is False
    assert stale["人事信息"].detail["days_overdue"] == 546 - 365
    undated = stale["人事任免"]
    assert (undated.detail["newest_date"], undated.detail["days_overdue"]) == (None, None)
    assert (
        undated.message == "栏目「人事任免」的信息均未显示发布日期，视为未更新（应在 365 天内更新）"
    )

    blank = _by(findings, "blank_column")
    assert {name: f.detail["reason"] for name, f in blank.items()} == {
        "政策文件": "empty",
        "统计信息": "no_info",
        "规划计划": "placeholder",
        "在线咨询": "placeholder",
    }
    assert blank["政策文件"].message == "栏目「政策文件」没有任何信息"
    assert blank["统计信息"].message == "栏目「统计信息」只显示“暂无信息”，没有任何信息"
    assert "正在建设中" in blank["在线咨询"].message
    assert blank["规划计划"].message == "栏目「规划计划」的信息全部是“正在建设”等占位页面"
    assert not _by(findings, "home_not_updated")

    # a SiteColumn for every column, fresh ones too
    assert set(columns) == {
        "工作动态", "通知公告", "公示公告", "人事信息", "机构职能", "政策文件", "规划计划", "在线咨询",
        "统计信息", "人事任免", "其他栏目",
    }  # fmt: skip
    tzgg = columns["通知公告"]
    assert (tzgg.is_stale, tzgg.category, tzgg.cadence_days, tzgg.from_nav) == (
        False,
        "notice",
        183,
        True,
    )
    assert columns["公示公告"].parent_key == SITE + "xwzx/tzgg/"
    assert columns["公示公告"].from_nav  # linked from a navigation column's page
    assert columns["工作动态"].item_count == 6  # both pages of the column
    assert columns["工作动态"].newest_date == dt.date(2024, 6, 1)
    assert columns["机构职能"].category is None and not columns["机构职能"].is_stale
    assert columns["其他栏目"].is_blank is False and columns["其他栏目"].from_nav is False
    assert columns["政策文件"].is_blank and not columns["政策文件"].is_stale

    with Session(store.engine) as session:
        assert veto_counts(session, scan_id) == {
            "stale_timeboxed": 1,
            "stale_longterm": 4,
            "blank": 4,
            "home_not_updated": False,
        }


def test_marked_unchanged_column_is_kept_but_not_reported(store: Store) -> None:
    first = store.new_scan()
    store.crawl(standard_site(), first)
    findings, _ = store.judge(first)
    personnel = _by(findings, "stale_column")["人事信息"]
    with Session(store.engine) as session:
        session.add(
            FindingState(
                site_id=store.site_id, fingerprint=personnel.fingerprint(SITE), state="unchanged"
            )
        )
        session.commit()
    second = store.new_scan()
    store.crawl(standard_site(), second)
    findings, columns = store.judge(second)
    stale = _by(findings, "stale_column")
    assert "人事信息" not in stale and "工作动态" in stale
    assert columns["人事信息"].marked_unchanged and not columns["人事信息"].is_stale
    assert columns["人事信息"].days_overdue == 181
    # fingerprints are stable across scans: the same column, the same fingerprint
    assert stale["工作动态"].fingerprint(SITE) == _by(store.judge(first)[0], "stale_column")[
        "工作动态"
    ].fingerprint(SITE)


def test_thresholds_and_site_keywords(store: Store) -> None:
    store.config = {"column_keywords": {"dynamic": ["机构职能"], "none": ["人事信息"]}}
    scan_id = store.new_scan()
    store.crawl(standard_site(), scan_id)
    findings, columns = store.judge(scan_id, thresholds=Thresholds(dynamic_cadence_days=40))
    stale = _by(findings, "stale_column")
    assert "工作动态" not in stale  # 29 days < 40
    assert stale["机构职能"].detail["category"] == "dynamic"
    assert "人事信息" not in stale and columns["人事信息"].category is None


def test_home_page_not_updated(store: Store) -> None:
    scan_id = store.new_scan()
    store.crawl({SITE: _home(["2024-06-10", "2024-05-01"])}, scan_id)
    findings, _ = store.judge(scan_id)
    (home,) = [f for f in findings if f.check == "home_not_updated"]
    assert home.page == SITE and home.key == (HOME_KEY,)
    assert home.detail == {
        "newest_date": "2024-06-10",
        "days_since": 20,
        "fresh_days": 14,
        "dated_items": 2,
        "navigation_only": False,
        "placeholder": None,
    }
    fresh = store.new_scan()
    store.crawl({SITE: _home(["2024-06-10"])}, fresh)
    assert not [
        f
        for f in store.judge(fresh, as_of=dt.date(2024, 6, 24))[0]
        if f.check == "home_not_updated"
    ]


def test_home_items_without_dates_count_as_not_updated(store: Store) -> None:
    scan_id = store.new_scan()
    store.crawl({SITE: _home(["2024-06-29", "2024-06-28"], undated=True)}, scan_id)
    findings, _ = store.judge(scan_id)
    (home,) = [f for f in findings if f.check == "home_not_updated"]
    assert home.detail["newest_date"] is None and home.detail["navigation_only"] is False
    assert home.message == "首页没有显示发布日期的信息"


def test_placeholder_home_page(store: Store) -> None:
    scan_id = store.new_scan()
    store.crawl(
        {SITE: "<html><body><div class='con'><p>网站升级改版中，敬请期待</p></div></body></html>"},
        scan_id,
    )
    (home,) = [f for f in store.judge(scan_id)[0] if f.check == "home_not_updated"]
    assert home.detail["placeholder"] == "网站升级改版中，敬请期待"
    assert home.detail["navigation_only"] is True and home.detail["newest_date"] is None


def test_navigation_only_home_uses_second_level_pages(store: Store) -> None:
    pages = {
        SITE: f"<html><body>{_nav(NAV)}</body></html>",
        SITE + "xwzx/gzdt/": _list_page("工作动态", ["新闻中心", "工作动态"], _rows("/xwzx/gzdt/", ["2024-06-25"])),
        SITE + "xwzx/tzgg/": _list_page("通知公告", ["新闻中心", "通知公告"], _rows("/xwzx/tzgg/", ["2024-05-25"])),
    }  # fmt: skip
    scan_id = store.new_scan()
    store.crawl(pages, scan_id)
    assert not [f for f in store.judge(scan_id)[0] if f.check == "home_not_updated"]
    later = store.new_scan()
    store.crawl(pages, later)
    findings, _ = store.judge(later, as_of=dt.date(2024, 7, 20))
    (home,) = [f for f in findings if f.check == "home_not_updated"]
    assert home.detail["navigation_only"] is True and home.detail["newest_date"] == "2024-06-25"
    assert home.message.startswith("首页及二级页面已 25 天未更新")


def test_categories() -> None:
    table = keyword_table(None)
    assert categorize("县区动态", table) == "dynamic"
    assert categorize("通知公告", table) == "notice"
    assert categorize("人事任免通知", table) == "personnel"  # the longest keyword wins
    assert categorize("政府信息公开指南", table) is None
    assert categorize("扶贫专题", table) is None
    assert categorize("联系我们", table) is None
    moved = keyword_table({"none": ["通知"], "dynamic": ["重点工作"]})
    assert categorize("重点工作", moved) == "dynamic"
    assert categorize("会议通知", moved) is None
    assert categorize("通知公告", moved) == "notice"


def test_a_column_inside_a_special_topic_is_not_judged() -> None:
    table, options = keyword_table(None), options_of(Thresholds(), FreshnessOptions)
    topic = ["首页", "专题专栏", "疫情防控", "工作动态"]
    cadence = column_cadence("工作动态", (), [], table, options, topic)
    assert (cadence.category, cadence.days, cadence.basis) == (None, None, "专题")
    # the same name elsewhere is a dynamic column, and a site's own cadence still wins
    plain = column_cadence("工作动态", (), [], table, options, ["首页", "新闻中心", "工作动态"])
    assert (plain.category, plain.days) == ("dynamic", 14)
    own = options_of(Thresholds(column_cadence_days={"工作动态": 30}), FreshnessOptions)
    assert column_cadence("工作动态", (), [], table, own, topic).days == 30


# ---------------------------------------------------------------------------------------
# The sample portal: every page over HTTP, judged against its truth


def test_sample_portal_against_truth(portal_dir: Path, truth: dict, tmp_path: Path) -> None:
    import httpx

    from sampleportal.server import PortalServer
    from sampleportal.truth import site_path

    engine = make_engine(f"sqlite:///{tmp_path / 'portal.db'}")
    init_db(engine)
    as_of = dt.date.fromisoformat(truth["as_of"])
    server = PortalServer(portal_dir).start()  # our own instance: no shared server state
    try:
        base = server.base_url
        with Session(engine) as session:
            site = Site(name=truth["site_name"], url=base)
            session.add(site)
            session.commit()
            scan = Scan(site_id=site.id, as_of=as_of)
            session.add(scan)
            session.commit()
            site_id, scan_id = site.id, scan.id
        store = Store(engine, site_id)
        check = FreshnessCheck()
        ctx = ScanContext(scan_id, site_id, base, truth["site_name"], as_of)
        pages = ["/", *[p for p in truth["pages"] if p != "/"]]
        headers = {"User-Agent": "govpatrol-freshness-test"}
        with httpx.Client(timeout=5, headers=headers) as client, Session(engine) as session:
            for path in pages:
                response = client.get(base.rstrip("/") + path)
                if response.status_code != 200 or "html" not in response.headers.get(
                    "content-type", ""
                ):
                    continue
                url = str(response.url)
                page = build_parsed_page(
                    url, url, 200, dict(response.headers), response.content, is_home=path == "/"
                )
                rows = list(check.on_page(page, ctx))
                session.add_all(rows)
                # The hook reads the links of the home page and of list pages only.
                if any(not r.column_key.startswith(PLACEHOLDER_KEY) for r in rows):
                    session.add_all(
                        LinkSource(
                            scan_id=scan_id,
                            page_url=page.url,
                            target_url=link.url,
                            on_home=page.is_home,
                        )
                        for link in page.links
                    )
            session.commit()
        findings, columns = store.judge(scan_id, as_of=as_of)
    finally:
        server.stop()
        engine.dispose()

    expected = {(f["check"], f["page"]): f["detail"] for f in truth["findings"]
                if f["check"] in ("stale_column", "blank_column", "home_not_updated")}  # fmt: skip
    produced = {(f.check, site_path(f.page)): f.detail for f in findings}
    assert set(produced) == set(expected)
    for key, detail in expected.items():
        assert {k: produced[key].get(k) for k in detail} == detail, key
    by_url = {site_path(c.url): c for c in columns.values()}
    for column in truth["columns"]:
        got = by_url[column["path"]]
        shown = column["newest_date"] if column["date_format"] else None
        assert (got.name, got.category, got.cadence_days) == (
            column["name"], column["category"], column["cadence_days"],
        )  # fmt: skip
        assert (str(got.newest_date) if got.newest_date else None) == shown, column["name"]
        assert (got.is_stale, got.is_blank, got.from_nav) == (
            column["stale"], column["blank"], column["in_nav"],
        ), column["name"]  # fmt: skip


# ---------------------------------------------------------------------------------------
# Cadence from the name, from what a column holds, from the site; section pages


def _titled_list(name: str, crumbs: list[str], folder: str, rows: list[tuple[str, str]]) -> str:
    """A list page whose items carry the given (title, date) pairs."""
    items = "".join(
        f'<li><a href="{folder}{d[:4]}{d[5:7]}/t{d.replace("-", "")}_{i}.html">{title}</a>'
        f"<span>{d}</span></li>"
        for i, (title, d) in enumerate(rows)
    )
    trail = " &gt; ".join(f'<a href="/c/{i}/">{c}</a>' for i, c in enumerate(crumbs))
    return (
        f"<html><head><title>{name}_示例市人民政府</title></head><body>"
        f'<div class="location">当前位置：<a href="/">首页</a> &gt; {trail}</div>'
        f"<div class='main'><ul class='list'>{items}</ul></div></body></html>"
    )


def _section(boxes: dict[str, tuple[str, list[str]]]) -> str:
    """A section page: one box per child column (folder → name, dates), each with 更多."""
    html = ""
    for folder, (name, days) in boxes.items():
        rows = "".join(
            f'<li><a href="{url}">{name}第{i}条</a><span>{d}</span></li>'
            for i, (url, d) in enumerate(_rows(folder, days))
        )
        listing = f"<ul>{rows}</ul>" if days else "<p>暂无信息</p>"
        html += (
            f'<div class="box"><div class="tit"><h3>{name}</h3>'
            f'<a class="more" href="{folder}">更多</a></div>{listing}</div>'
        )
    return (
        "<html><head><title>新闻中心_示例市人民政府</title></head><body>"
        '<div class="location">当前位置：<a href="/">首页</a> &gt; <a href="/xwzx/">新闻中心</a></div>'
        f'<div class="main">{html}</div></body></html>'
    )


BUDGET_NAV = {
    "/zwgk/bmys/": "部门预算",
    "/zwgk/bmjs/": "部门决算",
    "/zwgk/cwgk/": "财务公开",
    "/zwgk/tzgg/": "通知公告",
    "/xwzx/": "新闻中心",
}


def budget_site() -> dict[str, str]:
    home = f"<html><head><title>示例市人民政府</title></head><body>{_nav(BUDGET_NAV)}</body></html>"
    return {
        SITE: home,
        # named 部门预算: 162 days since the last one, fresh on a yearly cadence
        SITE + "zwgk/bmys/": _list_page("部门预算", ["政务公开", "部门预算"], _rows("/zwgk/bmys/", ["2024-01-20", "2023-01-18", "2022-01-25"])),
        # named 部门决算: 487 days, overdue by a year's cadence
        SITE + "zwgk/bmjs/": _list_page("部门决算", ["政务公开", "部门决算"], _rows("/zwgk/bmjs/", ["2023-03-01", "2022-03-02"])),
        # a name that says nothing, items that are budgets and final accounts: 456 days
        SITE + "zwgk/cwgk/": _titled_list("财务公开", ["政务公开", "财务公开"], "/zwgk/cwgk/", [
            ("示例市民政局2023年部门预算公开", "2023-04-01"),
            ("示例市民政局2022年部门决算公开", "2022-08-15"),
            ("示例市民政局2022年部门预算", "2022-03-30"),
            ("2021年度“三公”经费决算情况说明", "2021-08-20"),
        ]),
        # a notice column carrying one budget notice stays a notice column: 40 days, fresh
        SITE + "zwgk/tzgg/": _titled_list("通知公告", ["政务公开", "通知公告"], "/zwgk/tzgg/", [
            ("关于2024年部门预算编制工作的通知", "2024-05-21"),
            ("关于开展安全生产检查的通知", "2024-04-02"),
            ("关于做好防汛工作的通知", "2024-03-12"),
        ]),
        # a section page: a stale child box and an empty one; no column of its own
        SITE + "xwzx/": _section({
            "/xwzx/gzdt/": ("工作动态", ["2023-05-01", "2023-04-01", "2023-03-01"]),
            "/xwzx/tpxw/": ("图片新闻", []),
        }),
    }  # fmt: skip


def test_budget_columns_are_judged_yearly_by_name_or_content(store: Store) -> None:
    scan_id = store.new_scan()
    store.crawl(budget_site(), scan_id)
    findings, columns = store.judge(scan_id)
    stale = _by(findings, "stale_column")
    assert set(stale) == {"部门决算", "财务公开"}
    by_name = stale["部门决算"].detail
    assert (by_name["category"], by_name["cadence_days"], by_name["days_overdue"]) == (
        "budget",
        365,
        487 - 365,
    )
    assert (by_name["cadence_source"], by_name["cadence_basis"]) == ("name", "部门决算")
    by_content = stale["财务公开"].detail
    assert (by_content["category"], by_content["cadence_days"]) == ("budget", 365)
    assert by_content["cadence_source"] == "content"
    assert by_content["cadence_basis"] == "示例市民政局2023年部门预算公开"
    assert (columns["部门预算"].category, columns["部门预算"].cadence_days) == ("budget", 365)
    assert not columns["部门预算"].is_stale
    assert columns["通知公告"].category == "notice" and not columns["通知公告"].is_stale
    # the section page is no column: neither stale on its box's dates nor blank for its
    # empty box
    assert "新闻中心" not in columns
    assert not _by(findings, "blank_column")


def test_a_site_names_its_own_column_cadences(store: Store) -> None:
    scan_id = store.new_scan()
    store.crawl(budget_site(), scan_id)
    own = {"部门预算": 90, SITE + "zwgk/cwgk/": 1000, "决算": 600}
    findings, columns = store.judge(scan_id, thresholds=Thresholds(column_cadence_days=own))
    stale = _by(findings, "stale_column")
    assert set(stale) == {"部门预算"}
    detail = stale["部门预算"].detail
    assert (detail["cadence_days"], detail["cadence_source"], detail["cadence_basis"]) == (
        90,
        "site",
        "部门预算",
    )
    assert detail["category"] == "budget"  # the category still says what the name means
    assert columns["财务公开"].cadence_days == 1000  # its key, exactly
    assert columns["部门决算"].cadence_days == 600  # a keyword of its name


def test_site_cadences_are_typed_where_they_are_entered() -> None:
    assert Thresholds.typed({"column_cadence_days": "部门预算:400, 年报:380"}) == {
        "column_cadence_days": {"部门预算": 400, "年报": 380}
    }
    assert Thresholds.from_overrides(
        {"column_cadence_days": '{"预决算公开": 365}'}
    ).column_cadence_days == {"预决算公开": 365}
    for bad in ("部门预算", {"部门预算": 0}, {"部门预算": "often"}, ["部门预算", 365]):
        with pytest.raises(ValueError, match="column_cadence_days"):
            Thresholds.typed({"column_cadence_days": bad})
