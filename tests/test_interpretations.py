"""政策解读 links: only links that relate to *this* document count (its title, the title's core or
its 发文字号 in the link text, or in the crawled 解读's title), never the site's navigation; and a
pair linked only one way is reported with the side that lacks the link, not as missing.

Page-level cases parse our own markup; site-level cases serve pages on 127.0.0.1, store the rows
in SQLite and run the document check's site hook; the real-pages corpus is read when present.
"""

from __future__ import annotations

import json
from pathlib import Path

import pytest

from extract.documents import DocumentMeta, extract_document
from extract.interpretations import MATCH_DOC_NUMBER, MATCH_TITLE, relation
from extract.parse import build_parsed_page
from govpatrol.core.types import FindingData
from reports.evidence import evidence_text
from reports.messages import finding_message
from tests.test_document_checks import article, crawl, judge, meta_block, served, store

__all__ = ["served", "store"]  # fixtures shared with the document check's tests

BASE = "http://www.example.gov.invalid"
OWN_URL = f"{BASE}/zwgk/gfxwj/202305/t20230510_1.html"
TITLE = "某市人民政府关于印发《某市物业管理办法》的通知"
NUMBER = "某府规〔2023〕2号"
FILLER = (
    "<p>各区人民政府，市政府各部门：现将《某市物业管理办法》印发给你们，请认真贯彻执行。</p>"
    "<p>第一条　为规范物业管理活动，维护业主和物业服务企业的合法权益，制定本办法。</p>"
    "<p>第二条　本办法适用于本市行政区域内的物业管理活动。</p>"
)
REAL = Path(__file__).resolve().parents[2] / "shared" / "real-pages"


def document(body: str = "", *, chrome: str = "", crumbs: str = "", footer: str = "") -> str:
    """A 规范性文件 page: our own markup, with the site's chrome around the article."""
    return (
        f"<html><head><meta charset='utf-8'><title>{TITLE}</title></head><body>"
        f"{chrome}{crumbs}<div class='article'>"
        f"<table class='xxgk'><tr><th>发文字号：</th><td>{NUMBER}</td></tr>"
        "<tr><th>发布日期：</th><td>2023-05-10</td></tr>"
        "<tr><th>成文日期：</th><td>2023-05-06</td></tr></table>"
        f"<h1>{TITLE}</h1><div class='content'>{FILLER}</div>{body}</div>{footer}"
        "</body></html>"
    )


def meta_of(html: str, url: str = OWN_URL) -> DocumentMeta:
    parsed = build_parsed_page(
        url, url, 200, {"content-type": "text/html; charset=utf-8"}, html.encode("utf-8")
    )
    meta = extract_document(parsed)
    assert meta is not None
    return meta


def links_of(html: str) -> list[tuple[str, str | None]]:
    """(path, match) of each 解读 link the page hook keeps."""
    meta = meta_of(html)
    assert meta.interpretation_urls == [link["url"] for link in meta.interpretation_links]
    return [
        (str(link["url"]).removeprefix(BASE), link["match"]) for link in meta.interpretation_links
    ]


# ---- what is not this document's 解读 ------------------------------------------------------------
def test_navigation_menu_links_to_the_interpretation_column_are_not_interpretations() -> None:
    nav = (
        "<nav><ul><li><a href='/'>首页</a></li><li><a href='/zwgk/zcjd/'>政策解读</a></li>"
        "<li><a href='/zwgk/zcjd/t20230511_7.html'>最新政策解读</a></li></ul></nav>"
    )
    # a menu without <nav>, named by a class many CMS templates use, and a Hanweb column URL
    menu = (
        "<div class='dh'><a href='/col/col1234/index.html'>政策解读</a>"
        "<a href='/zcjd/zcjd.html'>解读回应</a></div>"
    )
    # a side menu of column names (no chrome class): the column URL and the bare column name
    side = (
        "<aside class='side'><h2>政务公开</h2><ul><li><a href='/zwgk/zcjd/index.shtml'>"
        "政策解读</a></li><li><a href='/zwgk/channel_zcjd.html'>政策解读</a></li></ul></aside>"
    )
    assert links_of(document(chrome=nav + menu + side)) == []


def test_breadcrumbs_are_not_interpretations() -> None:
    # by its marker, whatever the URL looks like
    marked = (
        "<div class='loc'>当前位置：<a href='/'>首页</a> &gt; <a href='/zwgk/'>政务公开</a> &gt; "
        "<a href='/channel/zcwjjjd.shtml'>政策文件及解读专区</a></div>"
    )
    assert links_of(document(crumbs=marked)) == []
    # by its separators alone, in their own elements
    separated = (
        "<div class='where'><a href='/'>首页</a><span>&gt;</span>"
        "<a href='/zwgk/zcjd_list.shtml'>政策文件与解读</a><span>&gt;</span>"
        "<a href='/zwgk/zcjd/t1.shtml'>解读专栏</a></div>"
    )
    assert links_of(document(crumbs=separated)) == []


def test_a_short_interpretation_under_a_crumb_still_links_its_original() -> None:
    """A 解读 that is mostly a picture: the block holding the crumb holds the whole article
    (under 120 characters), and its 原文链接 is the page's own link, not a crumb."""
    interp = (
        "<html><head><meta charset='utf-8'><title>图解</title></head><body><div id='main'>"
        "<div class='crumb'>当前位置：<a href='/'>首页</a> &gt; <a href='/zwgk/zcjd/'>政策解读</a></div>"
        "<h1>一图读懂《某市物业管理办法》</h1><div class='info'>发布时间：2023-05-11</div>"
        "<p><img src='/tu.png' alt='图解'></p>"
        f"<p>原文链接：<a href='{OWN_URL.removeprefix(BASE)}'>{TITLE}</a></p></div></body></html>"
    )
    meta = meta_of(interp, f"{BASE}/zwgk/zcjd/202305/t20230511_3.html")
    assert meta.is_interpretation
    assert meta.original_urls == [OWN_URL]
    # the crumb's own links stay crumbs
    crumbed = interp.replace(
        "<a href='/zwgk/zcjd/'>政策解读</a>", f"<a href='{OWN_URL}'>{TITLE}</a>"
    )
    crumbed = crumbed.replace(
        f"<p>原文链接：<a href='{OWN_URL.removeprefix(BASE)}'>{TITLE}</a></p>", ""
    )
    assert meta_of(crumbed, f"{BASE}/zwgk/zcjd/202305/t20230511_3.html").original_urls == []


def test_header_and_footer_menus_are_not_interpretations() -> None:
    header = "<div class='header'><a href='/zcjd/t20230512_3.html'>点击查看政策解读</a></div>"
    footer = "<div id='footer'><a href='/zcjd/t20230512_4.html'>本站政策解读</a></div>"
    tagged = "<footer><a href='/zcjd/t20230512_5.html'>视频解读</a></footer>"
    role = "<div role='navigation'><a href='/zcjd/t20230512_6.html'>解读汇总</a></div>"
    assert links_of(document(chrome=header + role, footer=footer + tagged)) == []


def test_photo_columns_and_photo_stories_are_not_interpretations() -> None:
    body = (
        "<div class='box'><a href='/tpxw/'>图说</a> <a href='/tsxw/index.html'>图说新闻</a></div>"
        "<p><a href='/tpxw/202305/t20230509_8.html'>图说：市民政局开展养老服务专项检查</a></p>"
    )
    assert links_of(document(body)) == []


def test_lists_of_other_documents_are_not_interpretations() -> None:
    related = (
        "<div class='xgyd'><h3>相关阅读</h3><ul>"
        "<li><a href='/zcjd/202304/t20230401_1.html'>关于《某市供热管理办法》的政策解读</a></li>"
        "<li><a href='/zcjd/202304/t20230402_2.html'>一图读懂某府规〔2023〕1号</a></li>"
        "<li><a href='/zcjd/202304/t20230403_3.html'>图文解读</a></li></ul></div>"
        "<p><a href='/zcjd/202304/t20230404_4.html'>解读“惠民政策”，全市老百姓们，福利来了！</a></p>"
    )
    assert links_of(document(related)) == []


# ---- what is --------------------------------------------------------------------------------------
def test_links_naming_the_document_are_its_interpretations_with_the_reason() -> None:
    body = (
        "<p>相关解读：<a href='/zcjd/202305/t20230511_1.html'>一图读懂《某市物业管理办法》</a></p>"
        "<p><a href='/zcjd/202305/t20230511_2.html'>某府规[2023]2号文件解读</a></p>"
        # a list cuts the text short; the tooltip keeps the whole title
        "<ul class='list'><li><a href='/zcjd/202305/t20230511_3.html' "
        "title='关于《某市物业管理办法》的政策解读'>关于《某市物业管理…的政策解读</a></li></ul>"
    )
    assert links_of(document(body)) == [
        ("/zcjd/202305/t20230511_1.html", MATCH_TITLE),
        ("/zcjd/202305/t20230511_2.html", MATCH_DOC_NUMBER),
        ("/zcjd/202305/t20230511_3.html", MATCH_TITLE),
    ]


def test_generic_link_under_this_pages_label_is_a_candidate_for_the_site_hook() -> None:
    body = (
        "<div class='xgjd'><h3>相关解读</h3><ul>"
        "<li><a href='/zcjd/202305/t20230511_5.html'>图文解读</a></li>"
        "<li><a href='/zcjd/202305/t20230511_6.html'>市住建局负责同志就物业新规答记者问</a></li>"
        "</ul></div>"
    )
    assert links_of(document(body)) == [
        ("/zcjd/202305/t20230511_5.html", None),
        ("/zcjd/202305/t20230511_6.html", None),
    ]


def test_an_articles_own_header_is_not_page_chrome() -> None:
    html = (
        document()
        .replace(
            "<div class='article'>",
            "<article><header><p>相关解读：<a href='/zcjd/202305/t20230511_9.html'>"
            "《某市物业管理办法》政策解读</a></p></header><div class='article'>",
        )
        .replace("</body>", "</article></body>")
    )
    assert links_of(html) == [("/zcjd/202305/t20230511_9.html", MATCH_TITLE)]


def test_many_generic_links_are_a_sidebar_but_named_ones_still_count() -> None:
    generic = "".join(
        f"<li><a href='/zcjd/202305/t2023051{i}_{i}.html'>图文解读</a></li>" for i in range(4)
    )
    body = (
        f"<div><h3>解读</h3><ul>{generic}</ul></div>"
        "<p>相关解读：<a href='/zcjd/202305/t20230519_9.html'>《某市物业管理办法》解读</a></p>"
    )
    assert links_of(document(body)) == [("/zcjd/202305/t20230519_9.html", MATCH_TITLE)]


@pytest.mark.parametrize(
    ("text", "expected"),
    [
        ("关于《某市物业管理办法》的政策解读", MATCH_TITLE),
        ("某市物业管理办法政策解读", MATCH_TITLE),
        ("关于印发某市物业管理办法的通知的解读…", MATCH_TITLE),
        ("某府规（2023）第2号解读", MATCH_DOC_NUMBER),
        ("〔2023〕2号解读", None),  # many issuers share a bare number
        ("关于《某市供热管理办法》的政策解读", None),
        ("物业管理", None),
    ],
)
def test_relation(text: str, expected: str | None) -> None:
    assert relation(text, TITLE, NUMBER) == expected


def test_a_column_of_documents_and_their_interpretations_is_not_a_interpretation_column() -> None:
    # a numberless notice under 政策文件及解读 is a document, not a 解读
    html = document(
        crumbs="<div class='crumb'>当前位置：<a href='/'>首页</a> &gt; "
        "<a href='/zcwjjjd/'>政策文件及解读</a></div>"
    ).replace(f"<tr><th>发文字号：</th><td>{NUMBER}</td></tr>", "")
    meta = meta_of(html)
    assert meta.column_name == "政策文件及解读" and not meta.is_interpretation


# ---- the site hook: pairing, one-way links, evidence -------------------------------------------------
def _interp(title: str, published: str, body: str = "") -> str:
    return article(title, f"<p>发布日期：{published}</p>", body)


def _doc(core: str, number: str, published: str, body: str = "") -> str:
    return article(core, meta_block(number, published, published, "有效"), body)


def _by_page(findings: list[FindingData], base: str) -> dict[tuple[str, str], FindingData]:
    return {(f.check, f.page.removeprefix(base)): f for f in findings}


def test_site_hook_pairs_confirms_and_reports_one_way_links(served, store) -> None:
    base, pages = served
    pages.update(
        {
            # a generic link, confirmed by the 解读's title; the pair links both ways
            "/gfxwj/a.html": _doc("某市物业管理办法", "某府规〔2026〕1号", "2026-09-01",
                                  "<p>相关解读：<a href='/zcjd/a1.html'>图文解读</a></p>"),
            "/zcjd/a1.html": _interp("《某市物业管理办法》政策解读", "2026-09-02",
                                     "<p>原文链接：<a href='/gfxwj/a.html'>政策原文</a></p>"),
            # a generic link confirmed only because the 解读 links back
            "/gfxwj/b.html": _doc("某市供热管理办法", "某府规〔2026〕2号", "2026-09-01",
                                  "<p>相关解读：<a href='/zcjd/b1.html'>图文解读</a></p>"),
            "/zcjd/b1.html": _interp("一图读懂供热新规", "2026-09-02",
                                     "<p>原文链接：<a href='/gfxwj/b.html'>政策原文</a></p>"),
            # the document links its 解读 by name; the 解读 links no 原文: one-way
            "/gfxwj/c.html": _doc("某市燃气管理办法", "某府规〔2026〕3号", "2026-09-01",
                                  "<p>相关解读：<a href='/zcjd/c1.html'>《某市燃气管理办法》政策解读</a></p>"),
            "/zcjd/c1.html": _interp("《某市燃气管理办法》政策解读", "2026-09-02"),
            # the 解读 links the document (late); the document links no 解读: one-way, still late
            "/gfxwj/d.html": _doc("某市养犬管理规定", "某府规〔2026〕4号", "2026-09-01"),
            "/zcjd/d1.html": _interp("《某市养犬管理规定》政策解读", "2026-09-15",
                                     "<p>原文链接：<a href='/gfxwj/d.html'>某市养犬管理规定</a></p>"),
            # a generic link to another document's 解读: no interpretation of its own
            "/gfxwj/e.html": _doc("某市停车管理办法", "某府规〔2026〕5号", "2026-09-01",
                                  "<p>相关解读：<a href='/zcjd/e1.html'>政策解读</a></p>"),
            "/zcjd/e1.html": _interp("《某市共享单车管理办法》政策解读", "2026-09-02",
                                     "<p>原文链接：<a href='/gfxwj/x.html'>政策原文</a></p>"),
            # a generic link to a page that was not crawled: neither confirmed nor reported
            "/gfxwj/f.html": _doc("某市城市绿化管理办法", "某府规〔2026〕6号", "2026-09-01",
                                  "<p>相关解读：<a href='/zcjd/f1.html'>图文解读</a></p>"),
        }
    )  # fmt: skip
    ctx = crawl(base, pages, store)
    findings = judge(ctx, store)
    interp_findings = {
        (f.check, f.page.removeprefix(base), f.detail.get("reason") or f.detail["interpretation"])
        for f in findings
        if f.check in ("missing_interpretation", "late_interpretation")
    }
    assert interp_findings == {
        ("missing_interpretation", "/zcjd/c1.html", "interpretation_lacks_link"),
        ("missing_interpretation", "/gfxwj/d.html", "original_lacks_link"),
        ("late_interpretation", "/gfxwj/d.html", base + "/zcjd/d1.html"),
        ("missing_interpretation", "/gfxwj/e.html", "no_interpretation"),
    }
    by_page = _by_page(findings, base)

    lacks_back = by_page[("missing_interpretation", "/zcjd/c1.html")]
    assert (
        lacks_back.severity == "low" and lacks_back.detail["one_way"] == "interpretation_lacks_link"
    )
    assert lacks_back.detail["document"] == base + "/gfxwj/c.html"
    assert lacks_back.detail["interpretation_link"] == {
        "url": base + "/zcjd/c1.html",
        "text": "《某市燃气管理办法》政策解读",
        "match": "title",
    }
    assert "解读页没有链接回政策原文" in lacks_back.message

    lacks_forward = by_page[("missing_interpretation", "/gfxwj/d.html")]
    assert (
        lacks_forward.severity == "low" and lacks_forward.detail["one_way"] == "original_lacks_link"
    )
    assert lacks_forward.detail["interpretation"] == base + "/zcjd/d1.html"
    assert "文件页没有链接到该解读" in lacks_forward.message
    late = by_page[("late_interpretation", "/gfxwj/d.html")]
    assert late.detail["one_way"] == "original_lacks_link" and late.detail["working_days"] > 3

    missing = by_page[("missing_interpretation", "/gfxwj/e.html")]
    assert missing.severity is None
    assert missing.detail["unrelated_links"] == [
        {"url": base + "/zcjd/e1.html", "text": "政策解读"}
    ]


def test_the_match_found_by_the_site_hook_is_the_evidence_of_lateness(served, store) -> None:
    base, pages = served
    pages["/gfxwj/a.html"] = _doc(
        "某市物业管理办法", "某府规〔2026〕1号", "2026-09-01",
        "<p>相关解读：<a href='/zcjd/a1.html'>图文解读</a></p>",
    )  # fmt: skip
    pages["/zcjd/a1.html"] = _interp(
        "某府规〔2026〕1号文件解读",
        "2026-09-20",
        "<p>原文链接：<a href='/gfxwj/a.html'>原文</a></p>",
    )
    findings = judge(crawl(base, pages, store), store)
    late = [f for f in findings if f.check == "late_interpretation"]
    assert len(late) == 1 and late[0].detail["one_way"] is None
    assert late[0].detail["interpretation_link"]["match"] == "target_doc_number"
    assert not [f for f in findings if f.check == "missing_interpretation"]


def test_one_way_evidence_reads_as_words_in_both_languages() -> None:
    detail = {
        "reason": "interpretation_lacks_link",
        "one_way": "interpretation_lacks_link",
        "document": f"{BASE}/gfxwj/c.html",
        "document_title": "某市燃气管理办法",
        "interpretation_link": {"url": f"{BASE}/zcjd/c1.html", "text": "图文解读",
                                "match": "target_title"},
    }  # fmt: skip
    zh = evidence_text(detail, "zh", "missing_interpretation")
    en = evidence_text(detail, "en", "missing_interpretation")
    assert (
        "单向关联：解读页未链接原文" in zh and "解读页标题含本文件标题" in zh and "图文解读" in zh
    )
    assert "the interpretation's title names the document" in en and "Side lacking the link" in en
    for text in (zh, en):
        assert "lacks_link" not in text and "target_title" not in text
    english = "".join(
        part for part, _ in finding_message("missing_interpretation", detail, "单向关联", "en")
    )
    assert "does not link back" in english


# ---- real pages ------------------------------------------------------------------------------------
# The 解读 links each real document page carries, by reading the markup: the 万载 statistical
# bulletin links its 图文解读 by name; the 邯郸 page's 政策解读 is a menu entry.
REAL_INTERPRETATIONS = {
    "doc-jxjyh-wanzai-tjgb2022.html": [
        "http://www.wanzai.gov.cn/wzxrmzf/tjjjdhy/202307/bb8049063e11403994c3d01d8813a11a.shtml"
    ],
}


def test_real_document_pages_carry_only_their_own_interpretation_links() -> None:
    if not REAL.exists():
        pytest.skip("shared/real-pages is not beside the checkout")
    checked = 0
    for entry in json.loads((REAL / "index.json").read_text("utf-8")):
        if entry["kind"] != "document":
            continue
        url = (entry.get("source_url_if_known") or f"{BASE}/real/t1.html").split(" ")[0]
        parsed = build_parsed_page(
            url, url, 200, {"content-type": "text/html; charset=utf-8"},
            (REAL / entry["file"]).read_bytes(),
        )  # fmt: skip
        meta = extract_document(parsed)
        if meta is None:
            continue
        checked += 1
        assert meta.interpretation_urls == REAL_INTERPRETATIONS.get(entry["file"], []), entry[
            "file"
        ]
    assert checked >= 12
    # the 邯郸 page's menu links the 政策解读 column: seen, and not taken
    assert "政策解读" in (REAL / "doc-trs-hd-jyj-2020.html").read_text("utf-8")
