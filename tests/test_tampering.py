"""content_tampered and backdated_article: two real scans of a site on 127.0.0.1 whose pages
change between them, as a site's pages change between two weekly scans.

The first scan sees the site as it was; between the scans the server switches to the site as
it is now: the home page's own text replaced with an advertisement and a link to a new
outside host, the 通知公告 column's title rewritten, the 工作动态 list moved on by three rows and
holding one article dated inside the rows it showed then. What must stay quiet: the list's
ordinary churn, a new article older than everything the list showed then (it may have been on
page 2), a column that was not crawled then, an article re-published under a new address, an
article that was crawled then from elsewhere, a link to a host the site linked to before.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Iterator
from dataclasses import dataclass, field

import pytest
from sqlmodel import Session, select

from checks.tampering import TEXT_KEY, _is_official
from extract.pagetext import own_text, related, similarity, sketch
from extract.parse import parse_html
from govpatrol.core.db import get_engine
from govpatrol.core.models import Finding, ListPage, Scan, ScanStatus, Site
from govpatrol.core.settings import Thresholds
from reports.messages import ENGLISH
from scan.pipeline import create_scan, run_scan
from scoring.scorer import score_scan
from tests.loopback import Request, page, serve
from tests.loopback import servers as loopback_servers

THEN = dt.date(2026, 11, 15)
NOW = dt.date(2026, 11, 22)
OPTIONS = {"browser": False, "thresholds": {"link_timeout_s": 2.0}}

FOOTER = (
    "<div class='footer'><p>主办单位：示例市民政局　地址：示例市人民路1号　邮编：100000</p>"
    "<p>联系电话：0000-12345678　网站标识码：1234000001</p></div>"
)
WELCOME = (
    "示例市民政局是主管全市民政工作的市政府工作部门，负责全市社会救助、养老服务、儿童福利、"
    "婚姻登记、殡葬管理、社会组织登记管理和区划地名等工作，为群众提供优质便捷的民政服务。"
)
ADVERT = (
    "澳门新葡京娱乐场真人视讯百家乐老虎机，注册即送彩金，日赚千元不是梦，官方直营信誉保证，"
    "电子游艺捕鱼游戏体育投注应有尽有，全天候在线客服，充值提款秒到账，欢迎各位老板下载体验。"
)


def page_html(title: str, main: str, *, nav_extra: str = "", foot_extra: str = "") -> str:
    return (
        f"<!DOCTYPE html><html lang='zh-CN'><head><meta charset='utf-8'><title>{title}</title>"
        "</head><body><div class='header'><h2>示例市民政局</h2></div>"
        f"<div class='nav'><ul><li><a href='/'>首页</a></li><li><a href='/gzdt/'>工作动态</a></li>"
        f"<li><a href='/tzgg/'>通知公告</a></li>{nav_extra}</ul></div>"
        f"<div class='main'>{main}</div>{FOOTER}{foot_extra}</body></html>"
    )


def list_page(
    name: str, rows: list[tuple[str, str, str]], *, title: str | None = None, pager: str = ""
) -> str:
    items = "".join(
        f"<li><a href='{url}'>{text}</a><span class='date'>{day}</span></li>"
        for url, text, day in rows
    )
    crumbs = f"<div class='crumb'>当前位置：<a href='/'>首页</a> &gt; <a href='#'>{name}</a></div>"
    more = f"<div class='pager'><a href='{pager}'>下一页</a></div>" if pager else ""
    body = f"{crumbs}<h3>{name}</h3><ul class='list'>{items}</ul>{more}"
    return page_html(title or f"{name} - 示例市民政局", body)


def article_html(title: str, day: str) -> str:
    body = (
        f"<div class='crumb'>当前位置：<a href='/'>首页</a> &gt; <a href='/gzdt/'>工作动态</a></div>"
        f"<h1>{title}</h1><div class='info'>发布日期：{day}　来源：示例市民政局</div>"
        f"<div class='content'><p>{title}。本局认真贯彻落实上级部署，扎实推进各项民政工作。</p></div>"
    )
    return page_html(f"{title} - 示例市民政局", body)


def gzdt_row(n: int, day: dt.date) -> tuple[str, str, str]:
    return f"/gzdt/202611/t{day:%Y%m%d}_{n}.html", f"民政工作动态第{n}期", day.isoformat()


@dataclass
class Site2:
    """The site's pages, as a path → html map per state; the server answers from the current."""

    states: dict[str, dict[str, str]] = field(default_factory=dict)
    current: str = "then"

    def route(self, request: Request) -> None:
        path = request.path.split("?")[0]
        html = self.states[self.current].get(path)
        if html is None:
            request.html("<html><body><h1>404 页面不存在</h1></body></html>", status=404)
            return
        request.html(html)


def build_site(foreign: str, known: str) -> Site2:
    """``foreign``: an outside host the site never linked to; ``known``: one it did."""
    then_rows = [
        gzdt_row(n, THEN - dt.timedelta(days=n + 2)) for n in range(1, 11)
    ]  # 11-12 … 11-03
    older = [gzdt_row(n, THEN - dt.timedelta(days=n + 2)) for n in range(11, 16)]  # page 2
    then: dict[str, str] = {}
    then["/"] = page_html(
        "示例市民政局",
        f"<div class='intro'><p>{WELCOME}</p></div>"
        f"<div class='news'><ul>{''.join(f'<li><a href={u}>{t}</a><span>{d}</span></li>' for u, t, d in then_rows[:5])}</ul></div>"
        "<div class='links'><a href='/zt/old.html'>专题：去年的工作回顾</a></div>",
    )  # fmt: skip
    then["/gzdt/"] = list_page("工作动态", then_rows, pager="/gzdt/index_1.html")
    then["/gzdt/index_1.html"] = list_page("工作动态", older)
    then["/tzgg/"] = list_page(
        "通知公告", [("/tzgg/202611/t20261110_1.html", "关于做好冬季救助工作的通知", "2026-11-10")]
    )
    then["/tzgg/202611/t20261110_1.html"] = article_html("关于做好冬季救助工作的通知", "2026-11-10")
    then["/zt/old.html"] = article_html("去年的工作回顾", "2026-11-04").replace(
        "</p></div>", f"</p><p><a href='http://{known}/'>合作单位</a></p></div>", 1
    )
    for url, text, day in then_rows + older:
        then[url] = article_html(text, day)

    now = dict(then)
    fresh = [gzdt_row(30 + n, NOW - dt.timedelta(days=n)) for n in range(1, 4)]  # after THEN
    backdated = ("/gzdt/202611/t20261106_90.html", "关于表彰先进集体的决定", "2026-11-06")
    too_old = ("/gzdt/202610/t20261020_91.html", "十月份民政工作简报", "2026-10-20")
    moved = ("/gzdt/202611/t20261108_92.html", then_rows[4][1], then_rows[4][2])  # same title
    crawled = ("/zt/old.html", "去年的工作回顾", "2026-11-04")  # an item crawled then
    rows_now = [*fresh, backdated, moved, crawled, *then_rows[:7], too_old]
    now["/gzdt/"] = list_page("工作动态", rows_now, pager="/gzdt/index_1.html")
    for url, text, day in [*fresh, backdated, too_old, moved]:
        now[url] = article_html(text, day)
    now["/"] = (
        then["/"]
        .replace(WELCOME, ADVERT)
        .replace(
            "网站标识码：1234000001</p>",
            f"网站标识码：1234000001 <a href='http://{foreign}/'>友情赞助</a>"
            f" <a href='http://{known}/'>合作单位</a></p>",
        )
    )
    # a column the first scan never saw, with an article dated long before it
    now["/"] = now["/"].replace("<li><a href='/tzgg/'>通知公告</a></li>",
                                "<li><a href='/tzgg/'>通知公告</a></li><li><a href='/xxgk/'>信息公开</a></li>")  # fmt: skip
    now["/xxgk/"] = list_page(
        "信息公开", [("/xxgk/202611/t20261109_1.html", "信息公开工作要点", "2026-11-09")]
    )
    now["/xxgk/202611/t20261109_1.html"] = article_html("信息公开工作要点", "2026-11-09")
    now["/tzgg/"] = then["/tzgg/"].replace(
        "<title>通知公告 - 示例市民政局</title>", "<title>澳门新葡京娱乐场官方网站</title>"
    )
    return Site2({"then": then, "now": now})


@dataclass
class Scans:
    base: str
    first: int
    second: int
    findings: list[Finding]


@pytest.fixture(scope="module")
def scans(tmp_path_factory: pytest.TempPathFactory) -> Iterator[Scans]:
    db_url = f"sqlite:///{tmp_path_factory.mktemp('tamper') / 'govpatrol.db'}"
    elsewhere = serve(
        {"/": page("<html><head><title>赞助</title></head><body>赞助商</body></html>")}
    )
    partner = serve(
        {"/": page("<html><head><title>合作单位</title></head><body>合作</body></html>")}
    )
    with loopback_servers(elsewhere, partner) as (foreign, known):
        site = build_site(foreign.base_url.split("//")[1].rstrip("/"),
                          known.base_url.split("//")[1].rstrip("/"))  # fmt: skip
        with loopback_servers(serve({}, fallback=site.route)) as (server,):
            with Session(get_engine(db_url), expire_on_commit=False) as session:
                row = Site(name="示例市民政局", url=server.base_url)
                session.add(row)
                session.commit()
            ids = []
            for state, day in (("then", THEN), ("now", NOW)):
                site.current = state
                with Session(get_engine(db_url), expire_on_commit=False) as session:
                    created = create_scan(session, row, trigger="test", as_of=day, options=OPTIONS)
                done = run_scan(created.id, db_url=db_url)
                assert done.status == ScanStatus.done, done.error
                ids.append(done.id)
    with Session(get_engine(db_url)) as session:
        first = session.get(Scan, ids[0])
        assert first is not None and first.complete, "the baseline must be a complete scan"
        earlier = session.exec(select(Finding).where(Finding.scan_id == ids[0])).all()
        assert not [f for f in earlier if f.check in ("content_tampered", "backdated_article")]
        texts = session.exec(
            select(ListPage.url).where(ListPage.scan_id == ids[0], ListPage.column_key == TEXT_KEY)
        ).all()
        assert {u.removeprefix(server.base_url.rstrip("/")) for u in texts} >= {
            "/",
            "/gzdt/",
            "/tzgg/",
        }
        findings = list(session.exec(select(Finding).where(Finding.scan_id == ids[1])))
    yield Scans(server.base_url.rstrip("/"), ids[0], ids[1], findings)


def _of(scans: Scans, check: str) -> list[Finding]:
    return [f for f in scans.findings if f.check == check]


def _where(scans: Scans, check: str, reason: str | None = None) -> set[str]:
    return {
        f.page.removeprefix(scans.base)
        for f in _of(scans, check)
        if reason is None or reason in f.detail.get("reasons", ())
    }


def test_the_home_page_text_replaced_under_the_same_template_is_reported(scans: Scans) -> None:
    assert _where(scans, "content_tampered", "text_replaced") == {"/"}
    (found,) = [f for f in _of(scans, "content_tampered") if "text_replaced" in f.detail["reasons"]]
    assert found.detail["similarity"] < Thresholds().tampered_text_similarity
    assert "示例市民政局是主管" in found.detail["before_excerpt"]
    assert "新葡京" in found.detail["after_excerpt"]
    assert found.detail["previous_scan_id"] == scans.first
    assert found.detail["previous_scan_date"] == THEN.isoformat()
    assert found.detail["needs_review"] is True


def test_a_link_to_a_new_outside_host_is_reported_and_a_known_one_is_not(scans: Scans) -> None:
    assert _where(scans, "content_tampered", "new_domain") == {"/"}
    (found,) = [f for f in _of(scans, "content_tampered") if "new_domain" in f.detail["reasons"]]
    hosts = [item["host"] for item in found.detail["new_domains"]]
    assert len(hosts) == 1, hosts  # the partner was linked from /zt/old.html then


def test_a_title_rewritten_to_unrelated_text_is_reported(scans: Scans) -> None:
    assert _where(scans, "content_tampered", "title_changed") == {"/tzgg/"}
    (found,) = [f for f in _of(scans, "content_tampered") if "title_changed" in f.detail["reasons"]]
    assert found.detail["title_before"] == "通知公告 - 示例市民政局"
    assert found.detail["title_after"] == "澳门新葡京娱乐场官方网站"


def test_the_list_moving_on_is_no_tampering(scans: Scans) -> None:
    assert "/gzdt/" not in _where(scans, "content_tampered")
    assert "/xxgk/" not in _where(scans, "content_tampered")


def test_only_the_article_dated_inside_the_rows_shown_then_is_backdated(scans: Scans) -> None:
    assert _where(scans, "backdated_article") == {"/gzdt/202611/t20261106_90.html"}
    (found,) = _of(scans, "backdated_article")
    assert found.detail["published_date"] == "2026-11-06"
    assert found.detail["column"] == "工作动态"
    assert found.detail["previous_oldest"] == "2026-11-03"
    assert found.detail["previous_items"][0]["title"] == "民政工作动态第1期"
    assert found.detail["needs_review"] is True


def test_every_finding_says_itself_in_english(scans: Scans) -> None:
    for f in _of(scans, "content_tampered") + _of(scans, "backdated_article"):
        line = "".join(text for text, _ in ENGLISH[f.check](f.detail))
        assert line and "needs review" in line.lower(), line


def test_they_fail_the_site_only_once_a_person_acknowledges_them(scans: Scans) -> None:
    found = _of(scans, "content_tampered") + _of(scans, "backdated_article")
    rows = [{"check": f.check, "severity": f.severity, "page": f.page, "target": f.target,
             "detail": f.detail, "fingerprint": f.fingerprint} for f in found]  # fmt: skip
    untouched = score_scan(rows, [], thresholds=Thresholds(), is_portal=False, as_of=NOW)
    assert not {"tampering", "backdating"} & set(untouched.vetoes)
    assert untouched.indicator("tampering").extra["awaiting_review"] == 3
    tampered = next(f for f in found if f.check == "content_tampered")
    backdated = next(f for f in found if f.check == "backdated_article")
    confirmed = score_scan(rows, [], thresholds=Thresholds(), is_portal=False, as_of=NOW,
                           triage={tampered.fingerprint: "acknowledged",
                                   backdated.fingerprint: "acknowledged"})  # fmt: skip
    assert {"tampering", "backdating"} <= set(confirmed.vetoes)
    assert confirmed.verdict == "不合格"


# -- the pieces, without a scan ---------------------------------------------------------------------


def test_own_text_leaves_out_links_list_rows_and_bare_dates() -> None:
    tree = parse_html(
        "<html><body><div class='nav'><a href='/'>首页</a></div><h3>工作动态</h3>"
        "<ul><li><a href='/a.html'>甲文章</a><p>甲文章的摘要会随列表更换</p><span>2026-11-12</span></li>"
        "<li><a href='/b.html'>乙文章</a><p>乙文章的摘要</p><span>2026-11-11</span></li></ul>"
        "<p>共 12 页</p><div class='footer'>主办单位：示例市民政局</div></body></html>"
    )
    text = own_text(tree, "http://127.0.0.1/gzdt/",
                    ["http://127.0.0.1/a.html", "http://127.0.0.1/b.html"])  # fmt: skip
    assert text == ["工作动态", "共 12 页", "主办单位：示例市民政局"]


def test_similarity_is_exact_for_short_texts_and_none_for_no_text() -> None:
    same = sketch(WELCOME)
    assert similarity(same, same) == 1.0
    assert similarity(sketch(WELCOME), sketch(ADVERT)) < 0.05
    assert (
        similarity(sketch("页面访问量 123 次" + WELCOME), sketch("页面访问量 456 次" + WELCOME))
        == 1.0
    )
    assert similarity((), same) is None


def test_a_title_is_related_when_it_keeps_the_site_or_column_name() -> None:
    assert related("通知公告", ["通知公告 - 示例市民政局"])
    assert related("示例市民政局门户网站", ["首页", "示例市民政局"])
    assert not related("澳门新葡京娱乐场官方网站", ["通知公告 - 示例市民政局", "示例市民政局"])


def test_official_hosts_are_government_the_mark_registry_and_state_media_only() -> None:
    for host in ("www.mca.gov.cn", "bszs.conac.cn", "www.news.cn", "cpc.people.com.cn:443"):
        assert _is_official(host), host
    for host in ("casino-example.com", "fakegov.cn", "notpeople.com.cn", "127.0.0.1:8080"):
        assert not _is_official(host), host
