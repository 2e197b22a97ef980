"""DocumentCheck end to end: pages served on 127.0.0.1, fetched, parsed, stored in SQLite, judged."""

from __future__ import annotations

import datetime as dt
import threading
from collections.abc import Iterator
from dataclasses import replace
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from pathlib import Path

import httpx
import pytest
from sqlmodel import Session, select

from checks.documents import DocumentCheck, add_years, document_register
from extract.parse import build_parsed_page
from govpatrol.core.db import init_db, make_engine
from govpatrol.core.models import Document, Scan, Site
from govpatrol.core.settings import Thresholds
from govpatrol.core.types import FindingData, ScanContext, SiteContext
from govpatrol.core.workdays import calendar_years

AS_OF = dt.date(2026, 11, 22)
FILLER = (
    "<p>为规范相关管理工作，保障公民、法人和其他组织的合法权益，根据有关法律法规，结合本市实际，"
    "制定本办法。本办法适用于本市行政区域内的相关活动，市主管部门负责组织实施。</p>"
    "<p>各区人民政府、市政府各部门要按照职责分工，加强协调配合，确保各项措施落到实处。</p>"
)


def meta_block(number: str | None, written: str, published: str, validity: str | None, rows: str = "",
               *, index_no: str = "11440100/2026-001") -> str:  # fmt: skip
    cells = [
        ("索引号", index_no),
        ("发布机构", "某市人民政府"),
        ("成文日期", written),
        ("发布日期", published),
    ]
    if number is not None:
        cells.append(("发文字号", number))
    if validity is not None:
        cells.append(("有效性", validity))
    html = "".join(f"<tr><th>{k}：</th><td>{v}</td></tr>" for k, v in cells if v is not None)
    return f"<table class='xxgk'>{html}{rows}</table>"


def article(title: str, block: str, body: str = "", *, crumbs: str = "") -> str:
    crumb = (
        f"<div class='position'>当前位置：<a href='/'>首页</a> &gt; {crumbs}</div>"
        if crumbs
        else ""
    )
    return (
        f"<html><head><meta charset='utf-8'><title>{title}</title></head><body>{crumb}"
        f"<div class='article'>{block}<h1>{title}</h1><div class='content'>{FILLER}{body}</div></div>"
        "</body></html>"
    )


def interp_link(path: str) -> str:
    return f"<p>相关解读：<a href='{path}'>《本文件》政策解读材料</a></p>"


def original_link(path: str) -> str:
    return f"<p>原文链接：<a href='{path}'>政策原文</a></p>"


def site_pages(year: int | None = None) -> dict[str, str]:
    """The planted cases; every normative document links a 解读 unless the case says otherwise."""
    full = meta_block
    return {
        "/gfxwj/a.html": article("某市物业管理办法", full("某府规〔2026〕1号", "2026-09-25", "2026-09-30", "有效"),
                                 interp_link("/zcjd/a1.html")),
        "/zcjd/a1.html": article("《某市物业管理办法》政策解读", "<p>发布日期：2026-10-09</p>",
                                 original_link("/gfxwj/a.html")),
        "/gfxwj/b.html": article("某市供热管理办法", full("某府规〔2026〕2号", "2026-09-28", "2026-09-30", "现行有效"),
                                 interp_link("/zcjd/b1.html")),
        "/zcjd/b1.html": article("《某市供热管理办法》政策解读", "<p>发布日期：2026-10-12</p>",
                                 original_link("/gfxwj/b.html")),
        "/gfxwj/c.html": article("某市燃气管理办法", full("某府规〔2026〕3号", "2026-05-01", "2026-05-06", "有效",
                                 "<tr><th>废止日期：</th><td>2025年01月01日</td></tr>"), interp_link("/zcjd/x.html")),
        "/gfxwj/d.html": article("某市养犬管理规定", full("某府规〔2026〕4号", "2026-05-01", "2026-05-06", "有效",
                                 "<tr><th>有效期至：</th><td>2026-06-30</td></tr>"), interp_link("/zcjd/x.html")),
        "/gfxwj/e.html": article("某市停车管理办法", full("某府规〔2021〕5号", "2021-12-01", "2021-12-06", "有效"),
                                 "<p>本办法自2022年1月1日起施行，有效期3年。</p>" + interp_link("/zcjd/x.html")),
        "/gfxwj/f.html": article("【已失效】某市出租汽车管理办法", full("某府规〔2026〕6号", "2026-05-01",
                                 "2026-05-06", "有效"), interp_link("/zcjd/x.html")),
        "/gfxwj/g.html": article("某市共享单车管理办法", full("某府规〔2026〕7号", "2026-05-01", "2026-05-06", "失效",
                                 "<tr><th>生效日期：</th><td>2027-01-01</td></tr>"), interp_link("/zcjd/x.html")),
        "/gfxwj/h.html": article("某市城市绿化管理办法", full("某府规〔2026〕8号", "2026-05-01", "2026-05-06", None),
                                 interp_link("/zcjd/x.html")),
        "/gfxwj/i.html": article("某市户外广告管理办法", full("某府规〔2026〕9号", "2026-05-01", "2026-05-06", ""),
                                 interp_link("/zcjd/x.html")),
        "/gfxwj/j.html": article("关于做好物业服务收费工作的通知", full(None, "2026-05-01", "2026-05-06", "有效"),
                                 interp_link("/zcjd/x.html"),
                                 crumbs="<a href='/zwgk/'>政务公开</a> &gt; <a href='/gfxwj/'>行政规范性文件</a>"),
        "/gfxwj/k.html": article("某市市容环境卫生管理办法", full("某府规〔2026〕11号", "2026-05-01", "2026-05-06", "有效")),
        "/gfxwj/l.html": article("某市夜间经济发展暂行办法", full("某府规〔2023〕12号", "2023-05-25", "2023-06-01", "有效"),
                                 interp_link("/zcjd/x.html")),
        "/xwzx/m.html": article("市政府常务会议研究有效推进营商环境建设", "<p>发布时间：2026-11-20</p>",
                                "<p>会议要求对已废止的文件及时清理，确保政策有效衔接。</p>",
                                crumbs="<a href='/xwzx/'>政务要闻</a>"),
        "/zcjd/n1.html": article("一图读懂《某市节约用水办法》", "<p>发布日期：2026-05-08</p>"),
        "/gfxwj/o.html": article("某市城市道路管理办法", full("某府规〔2026〕15号", "2026-05-01", "2026-05-06", "有效",
                                 index_no=None), interp_link("/zcjd/x.html")),
    }  # fmt: skip


EXPECTED = {
    ("late_interpretation", "/gfxwj/b.html", "/zcjd/b1.html"),
    ("validity_inconsistent", "/gfxwj/c.html", "repeal_date_passed"),
    ("validity_inconsistent", "/gfxwj/d.html", "valid_until_passed"),
    ("validity_inconsistent", "/gfxwj/e.html", "period_expired"),
    ("validity_inconsistent", "/gfxwj/f.html", "title_marker_disagrees"),
    ("validity_inconsistent", "/gfxwj/g.html", "future_effective_date"),
    ("missing_validity_label", "/gfxwj/h.html", "missing"),
    ("missing_validity_label", "/gfxwj/i.html", "empty"),
    ("missing_document_fields", "/gfxwj/j.html", "medium"),
    ("missing_document_fields", "/gfxwj/o.html", "low"),
    ("missing_interpretation", "/gfxwj/k.html", "no_interpretation"),
    ("missing_interpretation", "/zcjd/n1.html", "no_backlink"),
}


# ---- a real HTTP server and a real store -------------------------------------------------------
@pytest.fixture
def served() -> Iterator[tuple[str, dict[str, str]]]:
    pages: dict[str, str] = {}

    class Handler(BaseHTTPRequestHandler):
        def do_GET(self) -> None:
            body = pages.get(self.path)
            data = (body or "<html><body>404</body></html>").encode("utf-8")
            self.send_response(200 if body else 404)
            self.send_header("Content-Type", "text/html; charset=utf-8")
            self.send_header("Content-Length", str(len(data)))
            self.end_headers()
            self.wfile.write(data)

        def log_message(self, *args: object) -> None:
            return

    server = ThreadingHTTPServer(("127.0.0.1", 0), Handler)
    thread = threading.Thread(
        target=server.serve_forever, kwargs={"poll_interval": 0.02}, daemon=True
    )
    thread.start()
    try:
        yield f"http://127.0.0.1:{server.server_address[1]}", pages
    finally:
        server.shutdown()
        server.server_close()


@pytest.fixture
def store(tmp_path: Path) -> Iterator[Session]:
    engine = make_engine(f"sqlite:///{tmp_path / 'store.db'}")
    init_db(engine)
    with Session(engine, expire_on_commit=False) as session:
        yield session
    engine.dispose()


def crawl(
    base: str, pages: dict[str, str] | list[str], session: Session, as_of: dt.date = AS_OF
) -> ScanContext:
    """Fetch every page, run the page hook, persist its rows: what the crawler does."""
    site = session.exec(select(Site).where(Site.url == base + "/")).first()
    if site is None:
        site = Site(name="某市人民政府", url=base + "/")
        session.add(site)
        session.commit()
    scan = Scan(site_id=site.id, as_of=as_of)
    session.add(scan)
    session.commit()
    ctx = ScanContext(
        scan_id=scan.id, site_id=site.id, site_url=site.url, site_name=site.name, as_of=as_of
    )
    check = DocumentCheck()
    with httpx.Client(trust_env=False, timeout=10.0) as client:
        for path in pages:
            response = client.get(base + path)
            assert response.status_code == 200, path
            parsed = build_parsed_page(
                base + path,
                str(response.url),
                response.status_code,
                dict(response.headers),
                response.content,
                is_home=path in ("/", "/index.html"),
            )
            session.add_all(check.on_page(parsed, ctx))
    session.commit()
    return ctx


def judge(
    ctx: ScanContext, session: Session, thresholds: Thresholds | None = None
) -> list[FindingData]:
    site_ctx = SiteContext(
        **{**ctx.__dict__, "thresholds": thresholds or ctx.thresholds}, session=session
    )
    return [r for r in DocumentCheck().on_site(site_ctx) if isinstance(r, FindingData)]


def summary(findings: list[FindingData], base: str) -> set[tuple[str, str, str]]:
    out = set()
    for f in findings:
        path = f.page.removeprefix(base)
        if f.check == "late_interpretation":
            third = f.detail["interpretation"].removeprefix(base)
        elif f.check == "missing_document_fields":
            third = f.severity or "medium"
        else:
            third = f.detail["reason"]
        out.add((f.check, path, third))
    return out


# ---- tests ------------------------------------------------------------------------------------
def test_planted_cases_give_exactly_the_expected_findings(served, store) -> None:
    base, pages = served
    pages.update(site_pages())
    ctx = crawl(base, pages, store)
    findings = judge(ctx, store)
    assert summary(findings, base) == EXPECTED

    by_key = {(f.check, f.page.removeprefix(base)): f for f in findings}
    late = by_key[("late_interpretation", "/gfxwj/b.html")]
    # 30 Sep → 12 Oct 2026: 12 calendar days, 4 working days (National Day off, Sat 10 Oct worked).
    assert (late.detail["working_days"], late.detail["calendar_days"]) == (4, 12)
    assert late.detail["calendar"] == "chinese_calendar" and late.detail["max_working_days"] == 3
    period = next(f for f in findings if f.detail.get("reason") == "period_expired")
    assert period.detail["period_years"] == 3 and period.detail["basis_date"] == "2022-01-01"
    assert period.detail["ends"] == "2025-01-01" and "有效期3年" in period.detail["period_text"]
    marker = next(f for f in findings if f.detail.get("reason") == "title_marker_disagrees")
    assert marker.detail["title_marker"] == "已失效" and marker.detail["validity_raw"] == "有效"
    fields = by_key[("missing_document_fields", "/gfxwj/j.html")]
    assert fields.detail["missing"] == ["doc_number"] and fields.detail["missing_zh"] == [
        "发文字号"
    ]
    assert fields.severity is None
    low = by_key[("missing_document_fields", "/gfxwj/o.html")]
    assert low.detail["recommended_missing"] == ["index_no"] and low.severity == "low"


def test_rows_stored_for_documents_news_and_interpretations(served, store) -> None:
    base, pages = served
    pages.update(site_pages())
    ctx = crawl(base, pages, store)
    rows = {
        r.url.removeprefix(base): r
        for r in store.exec(select(Document).where(Document.scan_id == ctx.scan_id))
    }
    assert set(rows) == set(pages)
    assert not rows["/xwzx/m.html"].is_normative and rows["/xwzx/m.html"].validity is None
    assert rows["/zcjd/a1.html"].is_interpretation
    assert rows["/zcjd/a1.html"].original_urls == [base + "/gfxwj/a.html"]
    assert rows["/gfxwj/a.html"].interpretation_urls == [base + "/zcjd/a1.html"]
    assert rows["/gfxwj/c.html"].repeal_date == dt.date(2025, 1, 1)
    assert rows["/gfxwj/i.html"].validity_raw == "" and rows["/gfxwj/h.html"].validity_raw is None


def test_thresholds_come_from_the_context(served, store) -> None:
    base, pages = served
    pages.update(site_pages())
    ctx = crawl(base, pages, store)
    relaxed = replace(Thresholds(), interpretation_max_working_days=4)
    got = summary(judge(ctx, store, relaxed), base)
    assert ("late_interpretation", "/gfxwj/b.html", "/zcjd/b1.html") not in got
    # No assumed validity period unless a site switches one on (docs/CHECKS.md).
    assert ("validity_inconsistent", "/gfxwj/l.html", "default_period_expired") not in got
    assumed = replace(Thresholds(), default_validity_years=5, provisional_validity_years=2)
    findings = judge(ctx, store, assumed)
    default = next(f for f in findings if f.detail.get("reason") == "default_period_expired")
    assert default.page == base + "/gfxwj/l.html"  # 暂行办法 of June 2023: 2 years ended 2025
    assert default.severity == "low" and default.detail["default_years"] == 2
    longer = replace(assumed, provisional_validity_years=5)
    assert ("validity_inconsistent", "/gfxwj/l.html", "default_period_expired") not in summary(
        judge(ctx, store, longer), base
    )
    strict = replace(Thresholds(), interpretation_max_working_days=1)
    assert ("late_interpretation", "/gfxwj/a.html", "/zcjd/a1.html") in summary(
        judge(ctx, store, strict), base
    )


def test_fingerprints_are_stable_across_scans(served, store) -> None:
    base, pages = served
    pages.update(site_pages())
    first_ctx = crawl(base, pages, store)
    second_ctx = crawl(base, pages, store, as_of=AS_OF + dt.timedelta(days=7))
    assert first_ctx.scan_id != second_ctx.scan_id and first_ctx.site_id == second_ctx.site_id
    first, second = judge(first_ctx, store), judge(second_ctx, store)
    site_url = base + "/"
    prints = [f.fingerprint(site_url) for f in first]
    assert len(set(prints)) == len(prints) == len(EXPECTED)
    assert set(prints) == {f.fingerprint(site_url) for f in second}


def test_mon_fri_fallback_is_stated(served, store) -> None:
    base, pages = served
    year = calendar_years()[1] + 1
    march = dt.date(year, 3, 1)
    friday = march + dt.timedelta(days=(4 - march.weekday()) % 7)
    thursday = friday + dt.timedelta(days=6)  # Mon–Thu after: 4 working days by Mon–Fri
    pages["/gfxwj/p.html"] = article(
        "某市公共资源交易管理办法",
        meta_block(f"某府规〔{year}〕1号", friday.isoformat(), friday.isoformat(), "有效"),
        interp_link("/zcjd/p1.html"),
    )
    pages["/zcjd/p1.html"] = article(
        "《某市公共资源交易管理办法》政策解读",
        f"<p>发布日期：{thursday}</p>",
        original_link("/gfxwj/p.html"),
    )
    ctx = crawl(base, pages, store, as_of=dt.date(year, 12, 1))
    late = [f for f in judge(ctx, store) if f.check == "late_interpretation"]
    assert len(late) == 1
    assert late[0].detail["calendar"] == "mon_fri_fallback" and late[0].detail[
        "fallback_years"
    ] == [year]
    assert late[0].detail["working_days"] == 4 and "周一至周五" in late[0].message
    # a lateness counted on weekdays alone is not a verdict: a person confirms it first
    assert late[0].detail["needs_review"] is True and "待人工确认" in late[0].message


def test_document_register(served, store) -> None:
    base, pages = served
    pages.update(site_pages())
    ctx = crawl(base, pages, store)
    register = document_register(store, ctx.scan_id)
    paths = [e.url.removeprefix(base) for e in register]
    assert set(paths) == {p for p in pages if p.startswith("/gfxwj/")}
    assert [e.published_date for e in register] == sorted(
        (e.published_date for e in register), reverse=True
    )
    by_path = dict(zip(paths, register, strict=True))
    assert (
        by_path["/gfxwj/g.html"].validity == "expired"
        and by_path["/gfxwj/b.html"].validity_raw == "现行有效"
    )
    assert by_path["/gfxwj/a.html"].doc_number == "某府规〔2026〕1号"
    effective = document_register(store, ctx.scan_id, only_effective=True)
    assert all(e.validity == "effective" for e in effective) and len(effective) < len(register)


def test_add_years_handles_leap_day() -> None:
    assert add_years(dt.date(2024, 2, 29), 1) == dt.date(2025, 2, 28)
    assert add_years(dt.date(2023, 3, 1), 5) == dt.date(2028, 3, 1)


# ---- the generated sample portal: every planted document case, served over HTTP -----------
_DOC_CHECKS = {
    "missing_validity_label",
    "validity_inconsistent",
    "missing_document_fields",
    "missing_interpretation",
    "late_interpretation",
}


def test_sample_portal_documents_and_findings_match_its_truth(portal, truth, store) -> None:
    base = portal.base_url.rstrip("/")
    ctx = crawl(base, truth["pages"], store, dt.date.fromisoformat(truth["as_of"]))
    rows = {
        r.url.removeprefix(base): r
        for r in store.exec(select(Document).where(Document.scan_id == ctx.scan_id))
    }
    for expected in truth["documents"]:
        row = rows.get(expected["path"])
        assert row is not None, expected["path"]
        got = (
            row.is_normative,
            (row.extra or {}).get("normative_decision"),
            row.is_interpretation,
            row.doc_number,
            row.validity,
            row.validity_raw,
        )
        want = (
            expected["normative"],
            expected["decision"],
            expected.get("is_interpretation", False),
            expected["doc_number"],
            expected["validity"],
            expected["validity_raw"],
        )
        assert got == want, expected["case"]
        assert row.title == expected["title"], expected["case"]  # the heading, not a 名称 row
        assert _iso_or_none(row.written_date) == expected["written_date"], expected["case"]
        assert _iso_or_none(row.published_date) == expected["published_date"], expected["case"]
        if expected.get("interpretation"):
            assert base + expected["interpretation"] in row.interpretation_urls, expected["case"]
        elif expected["normative"]:
            # no 解读 link of its own: menus, crumbs, 相关阅读 and 图说 links are not one
            assert row.interpretation_urls == [], expected["case"]
    documents = {d["path"] for d in truth["documents"]}
    extra = [
        p for p, r in rows.items() if p not in documents and (r.is_normative or r.is_interpretation)
    ]
    assert extra == []

    findings = judge(ctx, store)
    got = {(f.check, f.page.removeprefix(base), f.detail.get("reason", "")) for f in findings}
    want = {
        (f["check"], f["page"], f["detail"].get("reason", ""))
        for f in truth["findings"]
        if f["check"] in _DOC_CHECKS
    }
    assert got == want  # precision and recall 1.0 over the planted cases
    # needs review exactly where the truth says so, low severity, with the basis; every
    # finding says why its page was judged
    review = {
        (f.check, f.page.removeprefix(base)) for f in findings if f.detail.get("needs_review")
    }
    assert review == {
        (f["check"], f["page"]) for f in truth["findings"] if f["detail"].get("needs_review")
    }
    assert review, "the truth plants a needs-review document"
    for f in findings:
        assert f.detail["normative_reason"], f
        if f.detail.get("needs_review"):
            assert f.severity == "low" and f.detail["normative_basis"] == "rule_like_notice"


def _iso_or_none(day: dt.date | None) -> str | None:
    return day.isoformat() if day else None
