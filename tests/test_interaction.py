"""interaction_unanswered: consultation channels, message lists and pages, the window, the veto.

Also home of ``scan_sample_portal``: one no-browser pipeline scan of a generated sample portal,
made once per test session and shared by the tests of the other duty checks.
"""

from __future__ import annotations

import datetime as dt
import json
from dataclasses import dataclass
from pathlib import Path

import pytest
from sqlmodel import Session, select

from checks.interaction import (
    InteractionCheck,
    InteractionOptions,
    judge_messages,
    merge_messages,
    reply_stats,
)
from extract.messages import ANSWERED, PENDING, Message, channel_of, page_messages
from extract.parse import build_parsed_page
from govpatrol.core.db import get_engine, init_db, make_engine
from govpatrol.core.models import Finding, LinkSource, ListPage, Scan, Site
from govpatrol.core.settings import Thresholds
from govpatrol.core.site_settings import options_of
from govpatrol.core.types import ParsedPage, ScanContext, SiteContext
from sampleportal.generate import generate_portal
from sampleportal.server import PortalServer
from sampleportal.truth import Truth, load_truth, site_path
from scan.pipeline import create_scan, run_scan
from scoring.scorer import score_scan
from tests.conftest import AS_OF

BASE = "http://127.0.0.1:9"


# -- one shared scan of the sample portal ------------------------------------------------------------


@dataclass
class PortalScan:
    truth: Truth
    base_url: str
    port: int
    db_url: str
    scan_id: int
    findings: list[Finding]

    def produced(self, check: str) -> set[tuple[str, str | None]]:
        """(page path, target) of the scan's findings, targets spelled as the truth does."""
        return {
            (site_path(f.page), self.spelled(f.target)) for f in self.findings if f.check == check
        }

    def expected(self, check: str) -> set[tuple[str, str | None]]:
        return {(f.page, f.target) for f in self.truth.expected(check)}

    def spelled(self, target: str | None) -> str | None:
        if target is None:
            return None
        if target.startswith(self.base_url.rstrip("/")):
            return site_path(target)
        return target.replace(f":{self.port}/", ":__PORT__/")


def scan_sample_portal(basetemp: Path) -> PortalScan:
    """Generate, serve and scan (no browser) the sample portal once per session directory."""
    root = basetemp / "duties-portal"
    marker = root / "scan.json"
    if not marker.exists():
        generate_portal(root, AS_OF)
        routes = json.loads((root / "routes.json").read_text("utf-8"))
        for route in routes["routes"]:
            if route["kind"] == "slow":
                route["delay_s"] = 0.5  # below the scan's 2 s timeout either way
        (root / "routes.json").write_text(json.dumps(routes, ensure_ascii=False), "utf-8")
        db_url = f"sqlite:///{root / 'store.db'}"
        with PortalServer(root) as server, Session(get_engine(db_url)) as session:
            site = Site(name="某市民政局", url=server.base_url,
                        config={"link_verify": {"retries": 0}})  # fmt: skip
            session.add(site)
            session.commit()
            options = {"browser": False, "thresholds": {"link_timeout_s": 2.0}}
            scan = create_scan(session, site, as_of=AS_OF, options=options)
            done = run_scan(scan.id, db_url=db_url)
            marker.write_text(json.dumps({"scan_id": done.id, "base_url": server.base_url,
                                          "port": server.port, "db_url": db_url}))  # fmt: skip
    meta = json.loads(marker.read_text())
    with Session(get_engine(meta["db_url"])) as session:
        findings = list(session.exec(select(Finding).where(Finding.scan_id == meta["scan_id"])))
    return PortalScan(load_truth(root), meta["base_url"], meta["port"], meta["db_url"],
                      meta["scan_id"], findings)  # fmt: skip


@pytest.fixture(scope="module")
def portal_scan(tmp_path_factory: pytest.TempPathFactory) -> PortalScan:
    return scan_sample_portal(tmp_path_factory.getbasetemp())


# -- pages ----------------------------------------------------------------------------------------------


def page(body: str, path: str = "/zmhd/jzxx/index.html", *, title: str = "局长信箱",
         crumbs: str = "首页 &gt; 政民互动 &gt; 局长信箱", nav: str | None = None) -> ParsedPage:  # fmt: skip
    html = (
        f"<html><head><meta charset='utf-8'><title>{title} - 某市民政局</title></head><body>"
        f"<div class='nav'><a href='/zmhd/jzxx/'>局长信箱</a><a href='/zmhd/zxft/'>在线访谈</a></div>"
        f"<div class='crumb'>当前位置：{crumbs}</div><div class='main'>{body}</div></body></html>"
    )
    parsed = build_parsed_page(BASE + path, BASE + path, 200, {"content-type": "text/html"},
                               html.encode())  # fmt: skip
    parsed.nav_text = nav
    return parsed


LIST_TABLE = """
<table><tr><th>信件标题</th><th>来信时间</th><th>回复时间</th><th>办理状态</th></tr>
<tr><td><a href='a1.html'>咨询低保申请</a></td><td>2026-06-01</td><td></td><td>未回复</td></tr>
<tr><td><a href='a2.html'>咨询养老补贴</a></td><td>2026-09-01 10:22</td><td>2026-09-03</td><td>已回复</td></tr>
<tr><td><a href='a3.html'>反映噪音问题</a></td><td>2026-10-10</td><td></td><td>办理中</td></tr>
</table>"""


def test_list_rows_with_a_header() -> None:
    found = page_messages(page(LIST_TABLE), as_of=AS_OF)
    assert [(m.url.rsplit("/", 1)[1], m.asked, m.answered, m.state) for m in found] == [
        ("a1.html", dt.date(2026, 6, 1), None, PENDING),
        ("a2.html", dt.date(2026, 9, 1), dt.date(2026, 9, 3), ANSWERED),
        ("a3.html", dt.date(2026, 10, 10), None, PENDING),
    ]
    assert all(m.source == "list" for m in found)


def test_list_rows_without_a_header_need_a_status() -> None:
    rows = (
        "<ul><li><a href='q1.html'>咨询社保转移</a><span>[已答复]</span><span>2026-05-06</span></li>"
        "<li><a href='q2.html'>咨询户籍迁移</a><span>[待回复]</span><span>2026-07-08</span></li></ul>"
        "<ul class='news'><li><a href='n1.html'>我市召开养老服务推进会</a><span>2026-11-01</span></li></ul>"
    )
    found = page_messages(page(rows), as_of=AS_OF)
    assert [(m.title, m.state) for m in found] == [
        ("咨询社保转移", ANSWERED),
        ("咨询户籍迁移", PENDING),
    ]


def test_detail_page_with_labels_in_paragraphs_and_in_a_table() -> None:
    answered = (
        "<h1>关于低保申请的咨询</h1><p>来信时间：2026-04-02 08:30</p><p>来信内容：请问如何申请？</p>"
        "<p>回复单位：某市民政局　回复时间：2026-04-09</p><p>回复内容：您好，可向街道提出申请。</p>"
    )
    [msg] = page_messages(page(answered, "/zmhd/jzxx/202604/t1.html"), as_of=AS_OF)
    assert (msg.asked, msg.answered, msg.unit, msg.state) == (
        dt.date(2026, 4, 2), dt.date(2026, 4, 9), "某市民政局", ANSWERED,
    )  # fmt: skip
    pending = (
        "<table><tr><th>留言标题</th><td>反映路灯不亮</td></tr><tr><th>留言时间</th><td>2026年3月5日</td></tr>"
        "<tr><th>办理状态</th><td>已受理</td></tr></table><p>留言内容：小区路灯长期不亮。</p>"
    )
    [msg] = page_messages(page(pending, "/zmhd/jzxx/202603/t2.html"), as_of=AS_OF)
    assert (msg.title, msg.asked, msg.answered, msg.status, msg.state) == (
        "反映路灯不亮", dt.date(2026, 3, 5), None, "已受理", PENDING,
    )  # fmt: skip


def test_a_question_without_any_reply_section_is_not_judged() -> None:
    body = "<h1>咨询事项</h1><p>留言时间：2026-02-01</p><p>留言内容：请问办理时限？</p>"
    [msg] = page_messages(page(body, "/zmhd/jzxx/t3.html"), as_of=AS_OF)
    assert msg.state is None  # the reply may live elsewhere: never a veto on a guess
    empty_box = body + "<p>答复内容：暂无</p>"
    [msg] = page_messages(page(empty_box, "/zmhd/jzxx/t3.html"), as_of=AS_OF)
    assert msg.state == PENDING


def test_a_qa_series_on_one_page() -> None:
    body = (
        "<div><p>提问时间：2026-01-05</p><p>问：如何办理？</p><p>答复时间：2026-01-07</p><p>答复内容：请到窗口办理。</p></div>"
        "<div><p>提问时间：2026-02-06</p><p>问：何时发放？</p><p>办理状态：未回复</p></div>"
    )
    found = page_messages(page(body, "/zmhd/wyzx/qa.html", title="我要咨询"), as_of=AS_OF)
    assert [(m.url.rsplit("/", 1)[1], m.asked, m.state) for m in found] == [
        ("qa.html#1", dt.date(2026, 1, 5), ANSWERED),
        ("qa.html#2", dt.date(2026, 2, 6), PENDING),
    ]


@pytest.mark.parametrize(
    ("crumbs", "title", "nav", "expected"),
    [
        ("首页 &gt; 政民互动 &gt; 局长信箱", "局长信箱", None, "局长信箱"),
        ("首页 › 互动交流 › 咨询投诉 › 留言详情", "详情", None, "咨询投诉"),
        ("首页 &gt; 政民互动 &gt; 在线访谈", "在线访谈", None, None),
        ("首页 &gt; 政民互动 &gt; 调查征集", "调查征集", None, None),
        ("首页 &gt; 网上信访", "网上信访", None, None),
        ("首页 &gt; 纪检举报", "纪检举报", None, None),
        ("首页 &gt; 信箱 &gt; 纪检监察举报", "举报", None, None),
        ("首页 &gt; 新闻中心", "12345热线", None, "12345热线"),
        ("首页 &gt; 新闻中心", "工作动态", "我要咨询", "我要咨询"),
        ("首页 &gt; 新闻中心", "市民政局召开养老政策咨询委员会全体会议", None, None),
    ],
)
def test_which_pages_belong_to_a_consultation_channel(crumbs, title, nav, expected) -> None:
    assert channel_of(page("<p>x</p>", title=title, crumbs=crumbs, nav=nav)) == expected


# -- merging and judging --------------------------------------------------------------------------------


def msg(url: str, asked: str, answered: str | None = None, state: str | None = None,
        source: str = "list") -> Message:  # fmt: skip
    return Message(url, "t", dt.date.fromisoformat(asked),
                   dt.date.fromisoformat(answered) if answered else None, None, state,
                   source=source)  # fmt: skip


def test_merging_list_and_detail() -> None:
    merged = merge_messages([
        msg("u1", "2026-05-01", state=ANSWERED),
        msg("u1", "2026-05-01", state=PENDING, source="detail"),  # an empty box beside 已回复
        msg("u2", "2026-05-02", state=PENDING),
        msg("u2", "2026-05-02", "2026-06-01", source="detail"),
    ])  # fmt: skip
    by_url = {m.url: m for m in merged}
    assert by_url["u1"].state == ANSWERED and by_url["u1"].source == "detail"
    assert by_url["u2"].state == ANSWERED and by_url["u2"].answered == dt.date(2026, 6, 1)


def test_window_and_three_months() -> None:
    as_of = dt.date(2026, 11, 22)
    messages = [
        msg("late", "2026-03-01", "2026-06-15", ANSWERED),  # 106 days to answer
        msg("on-time", "2026-03-01", "2026-05-30", ANSWERED),  # 90 days: not more than 90
        msg("open", "2026-08-20", state=PENDING),  # 94 days unanswered
        msg("young", "2026-08-25", state=PENDING),  # 89 days
        msg("old", "2025-11-21", state=PENDING),  # 366 days: outside the window
        msg("edge", "2025-11-22", state=PENDING),  # 365 days: inside
        msg("unknown", "2026-01-01"),  # no state shown: not judged
    ]
    judged = judge_messages(
        messages, as_of, options_of(Thresholds(), InteractionOptions), ["局长信箱"]
    )
    assert sorted((m.url, reason, days) for m, reason, days in judged.overdue) == [
        ("edge", "unanswered", 365), ("late", "replied_late", 106), ("open", "unanswered", 94),
    ]  # fmt: skip
    assert judged.stats["in_window"] == 6 and judged.stats["unknown"] == 1
    custom = judge_messages(
        messages, as_of, options_of(Thresholds(unanswered_days=120), InteractionOptions), []
    )
    assert [m.url for m, _, _ in custom.overdue] == ["edge"]


def test_reply_statistics_count_working_days() -> None:
    # 2025-09-30 → 2025-10-09: nine calendar days across the 1–8 October holiday, one
    # working day (9 October).
    stats = reply_stats([
        msg("a", "2025-09-30", "2025-10-09", ANSWERED),
        msg("b", "2026-03-02", "2026-03-03", ANSWERED),
        msg("c", "2026-03-02", "2026-03-16", ANSWERED),
        msg("d", "2026-03-02", state=PENDING),
    ])  # fmt: skip
    assert stats["count"] == 3 and stats["median"] == 1 and stats["max"] == 10
    assert stats["over_target_share"] == round(1 / 3, 4)


# -- the site hook on a real store ------------------------------------------------------------------------


def store_with(
    tmp_path: Path, pages: list[ParsedPage], links: list[tuple[str, str]]
) -> tuple[Session, SiteContext]:
    engine = make_engine(f"sqlite:///{tmp_path / 'store.db'}")
    init_db(engine)
    session = Session(engine, expire_on_commit=False)
    site = Site(name="某市民政局", url=BASE + "/")
    session.add(site)
    session.commit()
    scan = Scan(site_id=site.id, as_of=AS_OF)
    session.add(scan)
    session.commit()
    ctx = ScanContext(scan_id=scan.id, site_id=site.id, site_url=site.url, site_name=site.name,
                      as_of=AS_OF)  # fmt: skip
    check = InteractionCheck()
    for parsed in pages:
        session.add_all(check.on_page(parsed, ctx))
    for text, target in links:
        session.add(LinkSource(scan_id=scan.id, page_url=BASE + "/", target_url=target, text=text))
    session.commit()
    return session, SiteContext(**vars(ctx), session=session)


def test_site_hook_reports_overdue_messages_and_records_stats(tmp_path: Path) -> None:
    session, ctx = store_with(tmp_path, [page(LIST_TABLE)], [("局长信箱", BASE + "/zmhd/jzxx/")])
    findings = list(InteractionCheck().on_site(ctx))
    session.commit()
    assert [
        (f.page.removeprefix(BASE), f.detail["reason"], f.detail["days"]) for f in findings
    ] == [
        ("/zmhd/jzxx/a1.html", "unanswered", 174),
    ]
    stats = session.get(Scan, ctx.scan_id).stats["interaction"]
    assert stats["channels"] == ["局长信箱"] and stats["pending"] == 2
    assert findings[0].detail["stats"]["reply_working_days"]["count"] == 1
    assert session.exec(select(ListPage.column_key)).all() == ["__messages__"]
    session.close()


def test_site_hook_without_any_channel(tmp_path: Path) -> None:
    links = [
        ("在线访谈", BASE + "/zxft/"),
        ("网上信访", BASE + "/xf/"),
        ("工作动态", BASE + "/dt/"),
    ]
    session, ctx = store_with(tmp_path, [], links)
    [finding] = list(InteractionCheck().on_site(ctx))
    assert finding.detail["reason"] == "no_channel" and finding.page == BASE + "/"
    session.close()
    other = tmp_path / "other"
    other.mkdir()
    session, ctx = store_with(other, [], [("我要写信", BASE + "/xx/")])
    assert list(InteractionCheck().on_site(ctx)) == []  # a channel elsewhere: nothing to judge
    session.close()


def test_one_overdue_message_vetoes_the_site() -> None:
    finding = {
        "check": "interaction_unanswered",
        "severity": "high",
        "page": "p",
        "fingerprint": "f",
    }
    score = score_scan([finding], [], thresholds=Thresholds(), is_portal=False, as_of=AS_OF)
    assert score.verdict == "不合格" and score.vetoes == ["interaction"]


# -- the sample portal ----------------------------------------------------------------------------------


def test_sample_portal_precision_and_recall(portal_scan: PortalScan) -> None:
    check = "interaction_unanswered"
    assert portal_scan.produced(check) == portal_scan.expected(check)
    by_page = {site_path(f.page): f.detail for f in portal_scan.findings if f.check == check}
    for expected in portal_scan.truth.expected(check):
        detail = by_page[expected.page]
        assert {k: detail[k] for k in expected.detail} == expected.detail


def test_sample_portal_stats_cover_both_channels(portal_scan: PortalScan) -> None:
    with Session(get_engine(portal_scan.db_url)) as session:
        stats = session.get(Scan, portal_scan.scan_id).stats["interaction"]
    assert stats["channels"] == ["咨询投诉", "局长信箱"]
    assert stats["overdue"] == 2 and stats["pending"] == 3
    replies = stats["reply_working_days"]
    assert replies["count"] >= 12 and replies["median"] <= 5 and replies["max"] > 60
