"""Document extraction: real government pages (shared/real-pages) and layouts they lack."""

from __future__ import annotations

import datetime as dt
import json
from pathlib import Path

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

import extract.documents as documents
import extract.interpretations as interpretations
from extract.docmeta import (
    body_clauses,
    find_doc_number,
    normalize_validity,
    parse_date,
    title_marker,
)
from extract.documents import DocumentMeta, extract_document
from extract.normative import classify_normative
from extract.parse import build_parsed_page
from tests.spies import count_calls

REAL = Path(__file__).resolve().parents[2] / "shared" / "real-pages"
INDEX = json.loads((REAL / "index.json").read_text(encoding="utf-8")) if REAL.exists() else []
needs_real_pages = pytest.mark.skipif(
    not REAL.exists(), reason="shared/real-pages is not beside the checkout"
)
HTML = {"content-type": "text/html; charset=utf-8"}
BASE = "http://www.example.gov.invalid"


def parse(
    html: str, url: str = f"{BASE}/zwgk/gfxwj/202305/t20230510_1.html", *, is_home: bool = False
):
    return build_parsed_page(url, url, 200, HTML, html.encode("utf-8"), is_home=is_home)


def doc(html: str, **kwargs) -> DocumentMeta:
    meta = extract_document(parse(html, **kwargs))
    assert meta is not None, "expected a document page"
    return meta


BODY = (
    "<p>为进一步规范本市相关管理工作，保障当事人合法权益，根据有关法律法规规定，结合本市实际，"
    "制定本办法。各区、各部门要认真贯彻执行，执行中遇到的问题请及时向市政府反映。</p>"
    "<p>第一条 本办法适用于本市行政区域内的相关管理活动。第二条 市主管部门负责统筹协调，"
    "各区主管部门负责本辖区内的具体实施工作，其他有关部门按照各自职责做好相关工作。</p>"
)


def page(
    title: str, meta_block: str = "", body: str = BODY, *, head: str = "", crumbs: str = ""
) -> str:
    crumb = (
        f'<div class="weizhi">当前位置：<a href="/">首页</a> &gt; {crumbs}</div>' if crumbs else ""
    )
    return (
        f"<!DOCTYPE html><html><head><meta charset='utf-8'><title>{title}_某市人民政府</title>{head}"
        f"</head><body><div class='nav'><a href='/'>首页</a><a href='/xxgk/'>信息公开</a></div>{crumb}"
        f"<div class='detail'>{meta_block}<h1 class='title'>{title}</h1><div class='content'>{body}</div>"
        f"</div><div class='foot'>主办：某市人民政府办公室</div></body></html>"
    )


# ---- the real pages ---------------------------------------------------------------------------
def _real_page(entry: dict):
    url = (entry.get("source_url_if_known") or f"{BASE}/page.html").split(" ")[0]
    body = (REAL / entry["file"]).read_bytes()
    return build_parsed_page(url, url, 200, HTML, body)


DOCUMENTS = [e for e in INDEX if e["kind"] == "document"]
# The classifier's decision on each real document page, by the corrected docs/CHECKS.md
# ("Normative documents"). The annotator (real-pages/README.md) counted every general 国发/国办发
# 意见/通知/决定 as normative; the corrected rule is stricter: a number alone never decides, a
# 意见/指导意见/决定 or a 通知 about 有关问题 is left to a person, and 关于开展…工作的通知 (a
# one-off 治理 campaign, gbf2019-3) is a work arrangement — not repeatedly applicable, so not
# normative under 国办发〔2018〕37号 either.
REAL_DECISIONS = {
    "doc-govcn-frag-gf2019-5.html": "needs_review",  # 国发 …的意见
    "doc-govcn-frag-gbf2019-6.html": "needs_review",  # 国办发 …的指导意见
    "doc-govcn-frag-gf2018-43.html": "needs_review",  # 国发 …的决定
    "doc-govcn-frag-gbf2018-115.html": "needs_review",  # 国办发 …的指导意见
    "doc-govcn-frag-gbf2019-3.html": "not_normative",  # 关于开展…治理工作的通知
    "doc-govcn-frag-gf1981-88.html": "needs_review",  # 关于…几个问题的通知
    "doc-govcn-frag-gh2018-159.html": "not_normative",  # 批复
    "doc-govcn-frag-gl707.html": "not_normative",  # 国令: a 行政法规
    "doc-govcn-frag-gf2004-18.html": "not_normative",  # 印发《国务院工作规则》: internal rules
    "doc-trs-hd-jyj-2020.html": "not_normative",  # 印发《…实施方案》, 文号：无
    "doc-jxjyh-yichun-tjgb2022.html": "not_normative",  # 统计公报
    "doc-jxjyh-wanzai-tjgb2022.html": "not_normative",
    "doc-jxjyh-wanzai-tjgb2015.html": "not_normative",
    "doc-hanweb-sdnyj-dtyw-2026.html": "not_normative",  # 动态要闻
    "doc-founder-kepu-szxw-2023.html": "not_normative",  # news reprint
}
OTHERS = [e for e in INDEX if e["kind"] != "document"]


@pytest.mark.parametrize("entry", DOCUMENTS, ids=[e["file"] for e in DOCUMENTS])
def test_real_document_pages_match_annotations(entry: dict) -> None:
    meta = extract_document(_real_page(entry))
    assert meta is not None
    assert meta.normative_decision == REAL_DECISIONS[entry["file"]], meta.normative_reason
    # Never normative where the annotator says it is not; where the annotator says it is, the
    # page is at least left to a person (see REAL_DECISIONS for the one exception).
    if not entry["is_normative"]:
        assert meta.normative_decision == "not_normative", meta.normative_reason
    assert meta.doc_number == entry["doc_number"]
    assert meta.written_date == parse_date(entry["written_date"])
    assert meta.published_date == parse_date(entry["published_date"])
    assert meta.validity_raw == entry["validity_label"]  # null everywhere: no page shows one
    assert meta.validity is None and meta.title_marker is None and meta.badge is None
    assert meta.title == entry["title"]
    if entry.get("index_no"):
        assert meta.index_no == entry["index_no"]


@pytest.mark.parametrize("entry", OTHERS, ids=[e["file"] for e in OTHERS])
def test_real_list_home_and_challenge_pages_are_not_documents(entry: dict) -> None:
    assert extract_document(_real_page(entry)) is None


@needs_real_pages
def test_real_page_traps() -> None:
    by_file = {e["file"]: _real_page(e) for e in DOCUMENTS}
    # 文号：无 is shown but is no number; commented-out 成文日期/有效期 rows are not read.
    trs = extract_document(by_file["doc-trs-hd-jyj-2020.html"])
    assert trs is not None and trs.doc_number_raw == "无" and trs.doc_number is None
    assert "成文日期" not in trs.fields and "有效期" not in trs.fields
    assert trs.issuer == "邯郸市教育局" and trs.topic == "教育"
    # Hanweb's <meta name="effectiveTime" content="0"> is not a validity label.
    hanweb = extract_document(by_file["doc-hanweb-sdnyj-dtyw-2026.html"])
    assert hanweb is not None and hanweb.validity_raw is None
    assert hanweb.column_name == "动态要闻" and hanweb.breadcrumb == [
        "首页",
        "新闻动态",
        "动态要闻",
    ]
    # Visible 发布日期 wins over a later <meta name="PubDate"> re-publish stamp.
    old = extract_document(by_file["doc-jxjyh-wanzai-tjgb2015.html"])
    assert old is not None and old.published_source == "label"
    # A 1981 rule re-published in 2018 keeps both dates apart.
    rule = extract_document(by_file["doc-govcn-frag-gf1981-88.html"])
    assert rule is not None and (rule.written_date.year, rule.published_date.year) == (1981, 2018)
    assert not rule.has_validity_label
    # 有效 inside a title (有效发挥) is no validity marker.
    title_trap = extract_document(by_file["doc-govcn-frag-gbf2019-6.html"])
    assert title_trap is not None and title_trap.title_marker is None
    # The statistical bulletin's 图文解读 is found as its interpretation link.
    bulletin = extract_document(by_file["doc-jxjyh-wanzai-tjgb2022.html"])
    assert bulletin is not None and bulletin.interpretation_urls == [
        "http://www.wanzai.gov.cn/wzxrmzf/tjjjdhy/202307/bb8049063e11403994c3d01d8813a11a.shtml"
    ]
    # A navigation link to the 政策解读 column is not an interpretation of this document.
    assert trs.interpretation_urls == []


@needs_real_pages
def test_extraction_reads_each_real_page_once_and_resolves_few_links(
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    """What keeps extraction cheap on every page of a large site (bench/checks.py times it):
    the visible text is walked once, lists and home pages are dropped before the body, the
    breadcrumb and the links are read, and of a document's links only the few that could
    be a 解读 or 原文 link get their URL resolved."""
    calls = count_calls(monkeypatch, documents, "visible_segments", "body_clauses", "page_links")
    resolutions = count_calls(monkeypatch, interpretations, "absolutize")
    links = resolved = 0
    for entry in INDEX:
        parsed = _real_page(entry)
        calls.clear()
        resolutions.clear()
        meta = extract_document(parsed)
        assert calls["visible_segments"] == 1, entry["file"]
        if entry["kind"] != "document":
            assert meta is None and calls["body_clauses"] == calls["page_links"] == 0
            continue
        assert meta is not None and calls["page_links"] == 1, entry["file"]
        links += sum(1 for a in parsed.tree.iter("a") if a.get("href"))
        resolved += resolutions["absolutize"]
    assert links > 200 and resolved * 20 < links  # 2 of 265 when written


# ---- normalisation --------------------------------------------------------------------------
@pytest.mark.parametrize(
    ("text", "expected"),
    [
        ("有效", "effective"),
        ("现行有效", "effective"),
        ("全文有效", "effective"),
        ("部分失效", "partially_invalid"),
        ("部分废止", "partially_invalid"),
        ("已修改", "amended"),
        ("已被修改", "amended"),
        ("废止", "repealed"),
        ("已废止", "repealed"),
        ("全文废止", "repealed"),
        ("失效", "expired"),
        ("已失效", "expired"),
        ("全文失效", "expired"),
        ("尚未生效", "not_yet_effective"),
        ("待生效", "not_yet_effective"),
        (" 【已失效】 ", "expired"),
        ("已废止（2023年5月1日）", "repealed"),
        ("有 效", "effective"),
        ("", None),
        ("有效期内", None),
        ("有效衔接", None),
        ("0", None),
    ],
)
def test_normalize_validity(text: str, expected: str | None) -> None:
    assert normalize_validity(text) == expected


@pytest.mark.parametrize(
    ("text", "expected"),
    [
        ("国发〔2023〕5号", "国发〔2023〕5号"),
        ("京政办发[2023]5号", "京政办发[2023]5号"),
        ("某府规〔2023〕第5号", "某府规〔2023〕第5号"),
        ("某政发（2023）12号", "某政发（2023）12号"),
        ("某某发 〔２０２２〕 ８ 号", "某某发〔2022〕8号"),
        ("国令第707号", "国令第707号"),
        ("国家税务总局公告2023年第5号", "国家税务总局公告2023年第5号"),
        ("联系电话：0791-12345678", None),
        ("2023年5月1日", None),
    ],
)
def test_find_doc_number(text: str, expected: str | None) -> None:
    assert find_doc_number(text) == expected


@pytest.mark.parametrize(
    ("title", "number", "kwargs", "expected"),
    [
        # normative: a number and a rule's doc type, or the site's own word
        ("某市人民政府关于印发《某市物业管理办法》的通知", "某府〔2023〕5号", {}, "normative"),
        ("某市人民政府办公室关于加强农村住房建设管理的实施意见", "某府办发〔2023〕7号", {}, "normative"),
        ("某市支持中小企业发展的若干措施", "某府发〔2023〕8号", {}, "normative"),
        ("某市停车收费管理规定", "某府规〔2023〕1号", {}, "normative"),
        ("某市停车收费管理规定", None, {"registration_no": "SYZD-2023-0001"}, "normative"),
        ("关于做好春季防汛工作的通知", None, {"column_name": "行政规范性文件"}, "normative"),
        ("关于调整救助标准的通知", "某民发〔2023〕2号",
         {"metadata": [("文件类型", "行政规范性文件")]}, "normative"),
        # not normative: a number alone, work arrangements, answers, laws, plans, news
        ("某市人民政府关于开展城镇小区配套幼儿园治理工作的通知", "某府发〔2023〕3号", {}, "not_normative"),
        ("关于做好2024年春节期间安全生产工作的通知", "某民发〔2024〕3号", {}, "not_normative"),
        ("关于开展养老机构安全隐患专项行动的通知", "某民发〔2024〕4号", {}, "not_normative"),
        ("关于印发某市民政局2024年工作要点的通知", "某民发〔2024〕5号", {}, "not_normative"),
        ("关于印发《2023年安全生产工作方案》的通知", "某安办〔2023〕2号", {}, "not_normative"),
        ("关于公布2024年度示范养老机构名单的通知", "某民发〔2024〕8号", {}, "not_normative"),
        ("关于进一步推动社区工作者队伍建设的通知", "某民发〔2024〕9号", {}, "not_normative"),
        ("某市人民政府关于某县总体规划的批复", "某府函〔2023〕9号", {}, "not_normative"),
        ("某市物业管理条例", "某市人民政府令第12号", {}, "not_normative"),
        ("某市2022年国民经济和社会发展统计公报", None, {}, "not_normative"),
        ("某市人民政府关于印发《某市人民政府工作规则》的通知", "某府发〔2023〕1号", {}, "not_normative"),
        ("关于公开征求《某市养犬管理规定（征求意见稿）》意见的公告", None, {}, "not_normative"),
        ("关于召开全市安全生产工作会议的通知", "某府办发〔2023〕9号", {}, "not_normative"),
        ("市长调研城市更新工作时强调要有效推进", None, {"column_name": "政务要闻"}, "not_normative"),
        ("关于某事项的意见", "某府函〔2023〕8号", {}, "not_normative"),
        ("《某市物业管理办法》政策解读", None, {"is_interpretation": True}, "not_normative"),
        ("某市物业管理办法", "某府发〔2023〕8号",
         {"metadata": [("是否规范性文件", "否")]}, "not_normative"),
        ("关于公开征求意见的通知", None, {"column_name": "规范性文件"}, "not_normative"),
        ("某市养老服务补贴管理办法", None, {}, "not_normative"),
        ("咨询孤儿基本生活费发放标准", None, {"column_name": "咨询投诉"}, "not_normative"),
        # needs review: what the title and number cannot settle
        ("关于加强社会组织管理的意见", "某民发〔2024〕9号", {}, "needs_review"),
        ("关于废止部分文件的决定", "某府发〔2024〕2号", {}, "needs_review"),
        ("关于调整城乡居民最低生活保障标准的通知", "某民发〔2024〕6号", {}, "needs_review"),
        ("国家税务总局关于个人所得税有关问题的公告", "国家税务总局公告2023年第5号", {}, "needs_review"),
        ("关于养老服务补贴发放的通知", "某民发〔2024〕11号",
         {"rule_clause": "本通知自2024年1月1日起施行。"}, "needs_review"),
        ("关于规范养老机构经营活动的通知", "某民发〔2024〕12号", {}, "needs_review"),
        ("关于加强养老机构安全管理工作的通知", "某民发〔2024〕15号", {}, "not_normative"),
        ("关于养老机构安全检查的通知", "某民发〔2024〕13号",
         {"rule_clause": "本通知自印发之日起执行。"}, "not_normative"),
        ("关于转发省民政厅关于调整低保标准的通知的通知", "某民发〔2024〕14号", {}, "needs_review"),
        ("关于同意设立某协会的批复", None, {"column_name": "行政规范性文件"}, "needs_review"),
    ],
)  # fmt: skip
def test_classify_normative(title: str, number: str | None, kwargs: dict, expected: str) -> None:
    decision = classify_normative(title, number, **kwargs)
    assert decision.decision == expected, decision.reason
    assert decision.reason and decision.basis
    assert decision.is_normative is (expected == "normative")
    assert decision.needs_review is (expected == "needs_review")


# ---- layouts absent from the real pages --------------------------------------------------------
def test_table_layout_with_validity_row_and_spaced_labels() -> None:
    block = (
        "<table class='xxgk'><tr><th>索&nbsp;引&nbsp;号：</th><td>11440100/2023-00012</td>"
        "<th>发布机构：</th><td>某市住房和城乡建设局</td></tr>"
        "<tr><th>发 文 字 号：</th><td>某建规〔2023〕3号</td><th>成文日期：</th><td>2023年05月04日</td></tr>"
        "<tr><th>发布日期：</th><td>2023-05-10</td><th>有 效 性：</th><td>现行有效</td></tr>"
        "<tr><th>主题分类：</th><td>城乡建设</td><th>统一编号：</th><td>SYZD-2023-0007</td></tr></table>"
    )
    meta = doc(page("某市住房和城乡建设局关于印发《某市物业管理办法》的通知", block))
    assert (meta.index_no, meta.issuer, meta.doc_number) == (
        "11440100/2023-00012",
        "某市住房和城乡建设局",
        "某建规〔2023〕3号",
    )
    assert meta.written_date == dt.date(2023, 5, 4) and meta.published_date == dt.date(2023, 5, 10)
    assert (meta.validity_raw, meta.validity, meta.validity_label) == (
        "现行有效",
        "effective",
        "有效性",
    )
    assert meta.registration_no == "SYZD-2023-0007" and meta.topic == "城乡建设"
    assert meta.is_normative and meta.has_validity_label


def test_dl_dd_layout_with_validity_and_repeal_date() -> None:
    block = (
        "<dl class='meta'><dt>发文机关</dt><dd>某市人民政府</dd><dt>发文字号</dt><dd>某府规〔2019〕2号</dd>"
        "<dt>成文日期</dt><dd>2019-03-01</dd><dt>发布日期</dt><dd>2019-03-05</dd>"
        "<dt>时效性</dt><dd>有效</dd><dt>废止日期</dt><dd>2024年3月1日</dd></dl>"
    )
    meta = doc(page("某市城市供水管理办法", block))
    assert meta.validity == "effective" and meta.validity_label == "时效性"
    assert meta.repeal_date == dt.date(2024, 3, 1)
    assert meta.doc_number == "某府规〔2019〕2号" and meta.issuer == "某市人民政府"


def test_jiangxi_style_label_font_div_with_validity() -> None:
    block = (
        "<div class='meta-data'><dl>"
        "<dd><label><font>索 引 号：</font></label><div class='display-block'> 014717475N/2023-01 </div></dd>"
        "<dd><label><font>文　　号：</font></label><div class='display-block'>宜府发〔2023〕4号</div></dd>"
        "<dd><label><font>成文日期：</font></label><div class='display-block'>2023-02-01</div></dd>"
        "<dd><label><font>发布日期：</font></label><div class='display-block'>2023-02-03</div></dd>"
        "<dd><label><font>效力状态：</font></label><div class='display-block'>部分失效</div></dd>"
        "</dl></div>"
    )
    meta = doc(page("宜春市人民政府关于加强耕地保护的实施意见", block))
    assert meta.validity == "partially_invalid" and meta.validity_raw == "部分失效"
    assert meta.doc_number == "宜府发〔2023〕4号" and meta.index_no == "014717475N/2023-01"


def test_p_strong_rows_and_commented_out_rows() -> None:
    block = (
        "<div class='top'><p><strong>索引号</strong>：000014348/2020-1</p>"
        "<p><strong>发布机构</strong>：某市教育局</p><p><strong>文号</strong>：某教发〔2020〕9号</p>"
        "<!--<p><strong>有效性</strong>：有效</p>-->"
        "<p><strong>成文日期</strong>：2020年08月01日</p><p><strong>发布日期</strong>：2020年08月02日</p>"
        "<p style='display:none'><strong>有效性</strong>：有效</p></div>"
    )
    meta = doc(page("某市教育局关于加强校外培训机构管理的若干规定", block))
    assert (
        meta.validity_raw is None and not meta.has_validity_label
    )  # comment and hidden row ignored
    assert meta.doc_number == "某教发〔2020〕9号" and meta.written_date == dt.date(2020, 8, 1)
    assert meta.is_normative


def test_inline_labels_in_one_text_line() -> None:
    block = (
        "<div class='info'>发布机构：某县人民政府办公室　发文字号：某府办发〔2022〕8号　"
        "成文日期：2022年3月1日　发布日期：2022年3月3日　有效性：已废止</div>"
    )
    meta = doc(page("某县人民政府办公室关于印发《某县政府投资项目管理办法》的通知", block))
    assert meta.issuer == "某县人民政府办公室"
    assert meta.doc_number == "某府办发〔2022〕8号"
    assert (meta.written_date, meta.published_date) == (dt.date(2022, 3, 1), dt.date(2022, 3, 3))
    assert meta.validity == "repealed" and meta.validity_raw == "已废止"


def test_inline_label_with_value_in_following_span() -> None:
    block = "<div class='info'><span>发文字号：<b>某府发〔2021〕6号</b></span><span>发布时间：<i>2021-06-01 09:30</i></span></div>"
    meta = doc(page("某市人民政府关于促进民营经济发展的若干措施", block))
    assert meta.doc_number == "某府发〔2021〕6号" and meta.published_date == dt.date(2021, 6, 1)


def test_title_marker_and_badge() -> None:
    block = "<p>发文字号：某府规〔2018〕1号</p><p>发布日期：2018-01-02</p>"
    marked = doc(page("【已失效】某市出租汽车管理办法", block))
    assert (marked.title_marker, marked.title_marker_validity) == ("已失效", "expired")
    assert (
        marked.validity == "expired"
        and marked.validity_source == "title"
        and marked.has_validity_label
    )
    assert title_marker("关于有效发挥担保作用的意见") is None
    assert title_marker("某市暂行办法（试行）") is None

    badge_page = page("某市出租汽车管理办法", block).replace(
        "<h1 class='title'>", "<span class='doc-status'>已废止</span><h1 class='title'>"
    )
    badged = doc(badge_page)
    assert (
        badged.badge == "已废止"
        and badged.validity == "repealed"
        and badged.validity_source == "badge"
    )


def test_related_list_status_words_are_not_a_badge() -> None:
    block = "<p>发文字号：某府规〔2018〕1号</p><p>发布日期：2018-01-02</p>"
    html = page("某市出租汽车管理办法", block).replace(
        "<div class='foot'>",
        "<div class='related'><ul><li><a href='/a.html'>某市客运管理办法</a><span>有效</span></li></ul></div>"
        "<div class='foot'>",
    )
    meta = doc(html)
    assert meta.badge is None and not meta.has_validity_label


def test_status_badges_of_linked_rows_are_not_this_documents() -> None:
    """A 相关文件 box whose rows carry <span class="yxx">有效</span>: the class says status, but
    the word is the linked document's (held-out corpus, b2-02)."""
    block = "<p>发文字号：某民发〔2024〕33号</p><p>发布日期：2024-11-04</p>"
    box = (
        "<div class='xgwj'><h4>相关文件</h4><ul><li><a href='/a.html'>某市道路挖掘管理办法</a>"
        "<span class='yxx'>有效</span></li></ul></div>"
    )
    meta = doc(page("某市社会救助经办服务规程", block, BODY + box))
    assert meta.badge is None and not meta.has_validity_label


def test_a_linked_number_under_the_title_is_another_documents() -> None:
    """A 解读 whose 相关文件 link shows the 原文's 文号 carries no 文号 of its own, so it stays a
    解读 (held-out corpus, b2-10)."""
    body = BODY + "<div>相关文件：<a href='/zwgk/gfxwj/1.html'>某财社〔2024〕15号</a></div>"
    title = "关于《某市困难群众基本生活救助资金管理办法》的解读"
    meta = doc(page(title, "<span>发布日期：2024-10-21</span>", body))
    assert meta.doc_number is None and meta.is_interpretation


def test_heading_wrapped_with_a_line_break_is_read_whole() -> None:
    """「…关于印发<br>某某办法的通知」: one heading in two text nodes, the 文号 under it, and a
    落款 of office and date in one paragraph (held-out corpus, b4-01)."""
    title = "某市人民政府办公室关于印发某市困难群众医疗救助实施办法的通知"
    html = page(
        title,
        "",
        "<p style='text-align:center'>某政办发〔2024〕21号</p><p>发布时间：2024-08-06</p>"
        + BODY
        + "<p style='text-align:right'>某市人民政府办公室<br>2024年7月31日</p>",
    ).replace(
        f"<h1 class='title'>{title}</h1>",
        "<h1 class='title'>某市人民政府办公室关于印发<br>某市困难群众医疗救助实施办法的通知</h1>",
    )
    meta = doc(html)
    assert meta.title == title
    assert meta.doc_number == "某政办发〔2024〕21号"
    assert meta.written_date == dt.date(2024, 7, 31) and meta.sources["written_date"] == "signature"
    assert meta.is_normative


def test_heading_after_a_title_marker_keeps_its_number() -> None:
    """【现行有效】 before the heading: the 文号 printed under it is still found (rt-03)."""
    title = "【现行有效】某市孤儿基本生活保障实施细则"
    body = "<p style='text-align:center'>某民规〔2022〕4号</p>" + BODY
    meta = doc(page(title, "<span>发布日期：2022-05-16</span>", body))
    assert meta.doc_number == "某民规〔2022〕4号" and meta.validity == "effective"


def test_empty_validity_field_and_placeholder_number() -> None:
    block = (
        "<table><tr><td>发文字号：</td><td>无</td><td>有效性：</td><td></td></tr>"
        "<tr><td>成文日期：</td><td>2023-01-01</td><td>发布日期：</td><td>2023-01-03</td></tr></table>"
    )
    meta = doc(page("关于做好某项工作的通知", block, crumbs="<a href='/gfxwj/'>规范性文件</a>"))
    assert meta.validity_raw == "" and not meta.has_validity_label
    assert meta.doc_number is None and meta.doc_number_raw == "无"
    assert meta.column_name == "规范性文件" and meta.is_normative


def test_yes_no_validity_and_validity_period_field() -> None:
    block = (
        "<ul class='meta'><li>发文字号：某府规〔2023〕2号</li><li>是否有效：否</li>"
        "<li>有效期：2023年1月1日至2027年12月31日</li><li>发布日期：2022-12-20</li></ul>"
    )
    meta = doc(page("某市城市道路管理规定", block))
    assert meta.validity == "expired" and meta.validity_label == "是否有效"
    assert (meta.effective_date, meta.valid_until) == (dt.date(2023, 1, 1), dt.date(2027, 12, 31))


def test_body_period_and_effective_clauses() -> None:
    body = BODY + (
        "<p>第九条 申请人取得的许可证有效期3年，期满需要延续的，应当提前申请。</p>"
        "<p>第十条 本办法自2023年3月1日起施行，有效期5年。</p>"
    )
    block = (
        "<p>发文字号：某府规〔2023〕2号</p><p>成文日期：2023-02-01</p><p>发布日期：2023-02-03</p>"
    )
    meta = doc(page("某市机动车停放服务收费管理暂行办法", block, body))
    assert meta.period_years == 5 and "本办法" in (meta.period_text or "")
    assert meta.effective_date == dt.date(2023, 3, 1) and meta.effective_source == "body"
    assert meta.provisional


def test_effective_on_issue_and_chinese_numeral_period() -> None:
    clauses = body_clauses("本意见自印发之日起施行，有效期两年。")
    assert (clauses.period_years, clauses.effective_event) == (2, "印发")
    block = (
        "<p>发文字号：某府发〔2023〕2号</p><p>成文日期：2023-02-01</p><p>发布日期：2023-02-08</p>"
    )
    body = BODY + "<p>本意见自印发之日起施行，有效期至2025年12月31日。</p>"
    meta = doc(page("某市人民政府关于支持中小企业发展的意见", block, body))
    assert meta.effective_date == dt.date(2023, 2, 1) and meta.effective_source == "body:written"
    assert meta.valid_until == dt.date(2025, 12, 31)
    assert body_clauses("该证书有效期3年。").period_years is None  # not about the document itself


def test_hanweb_effective_time_meta_is_ignored() -> None:
    head = "<meta name='effectiveTime' content='0'><meta name='ArticleTitle' content='某市促进就业若干措施'>"
    meta = doc(page("某市促进就业若干措施", "<p>发布日期：2023-06-01</p>", head=head))
    assert meta.validity_raw is None and meta.validity is None


def test_doc_number_printed_under_the_title() -> None:
    body = "<p style='text-align:center'>某府规〔2023〕6号</p>" + BODY
    meta = doc(
        page("某市人民政府关于加强城市绿化管理的规定", "<span>发布日期：2023-04-02</span>", body)
    )
    assert meta.doc_number == "某府规〔2023〕6号" and meta.is_normative


def test_breadcrumb_names_the_column() -> None:
    crumbs = "<a href='/zwgk/'>政务公开</a> &gt; <a href='/zwgk/gfxwj/'>行政规范性文件</a>"
    meta = doc(page("关于调整最低工资标准的通知", "<p>发布日期：2023-07-01</p>", crumbs=crumbs))
    assert meta.breadcrumb == ["首页", "政务公开", "行政规范性文件"]
    assert meta.column_name == "行政规范性文件" and meta.is_normative
    passed = extract_document(
        parse(page("关于调整最低工资标准的通知", "<p>发布日期：2023-07-01</p>")),
        column_name="工作动态",
    )
    assert passed is not None and passed.column_name == "工作动态" and not passed.is_normative


def test_news_page_with_validity_words_is_not_normative() -> None:
    body = BODY + "<p>会议强调，要有效推进各项工作，对已废止的文件及时清理，确保政策有效衔接。</p>"
    meta = doc(page("市政府召开常务会议研究部署有效推进营商环境建设", "<p>发布时间：2023-05-06</p>", body,
                    crumbs="<a href='/xwzx/'>新闻中心</a> &gt; <a href='/xwzx/zwyw/'>政务要闻</a>"))  # fmt: skip
    assert not meta.is_normative and meta.validity is None and meta.title_marker is None


# ---- 解读 links -------------------------------------------------------------------------------
def test_document_links_to_its_interpretation_not_to_the_column() -> None:
    block = "<p>发文字号：某府规〔2023〕2号</p><p>发布日期：2023-02-03</p>"
    body = BODY + (
        "<div class='xgjd'><h3>相关解读</h3><ul><li><a href='/zcjd/202302/t20230206_9.html'>"
        "市住建局负责同志就物业新规答问</a></li></ul></div>"
        "<p>图解：<a href='/zcjd/202302/t20230207_10.html'>一图读懂《某市物业管理办法》</a></p>"
    )
    html = page("某市物业管理办法", block, body).replace(
        "<a href='/xxgk/'>信息公开</a>",
        "<a href='/xxgk/'>信息公开</a><a href='/zcjd/'>政策解读</a>",
    )
    meta = doc(html)
    assert meta.interpretation_urls == [
        f"{BASE}/zcjd/202302/t20230206_9.html",
        f"{BASE}/zcjd/202302/t20230207_10.html",
    ]


def test_a_named_interpretation_link_under_the_text_counts_whatever_its_box_is_called() -> None:
    """「<div class="con-bottom">相关解读：<a>《本办法》政策解读</a>」: a link naming this document
    is its own, though ``bottom`` is a footer's class word too; a generic one there is not
    (held-out corpus, b5-02)."""
    block = "<p>发文字号：某民规〔2025〕11号</p><p>发布日期：2025-11-05</p>"
    named = "<a href='/zcjd/1.html'>《某市居民最低生活保障资金管理办法》政策解读</a>"
    generic = "<a href='/zcjd/2.html'>图文解读</a>"
    body = BODY + f"<div class='con-bottom'>相关解读：{named}</div>"
    meta = doc(page("某市居民最低生活保障资金管理办法", block, body))
    assert meta.interpretation_urls == [f"{BASE}/zcjd/1.html"]
    body = BODY + f"<div class='con-bottom'>相关解读：{generic}</div>"
    assert doc(page("某市居民最低生活保障资金管理办法", block, body)).interpretation_urls == []


def test_a_picture_link_is_read_by_its_alt_text() -> None:
    """「<a><img alt="一图读懂《本办法》"></a>」: the picture is the 解读's link (b7-01)."""
    block = "<p>发文字号：某民规〔2025〕5号</p><p>发布日期：2025-04-23</p>"
    picture = (
        "<a href='/zcjd/3.html'><img src='/t.jpg' alt='一图读懂《某市养老护理员岗位补贴办法》'></a>"
    )
    meta = doc(
        page("某市养老护理员岗位补贴办法", block, BODY + f"<div class='tujie'>{picture}</div>")
    )
    assert meta.interpretation_urls == [f"{BASE}/zcjd/3.html"]


def test_an_interpretation_showing_its_originals_number_is_still_one() -> None:
    """信息公开 tables of 解读 pages often repeat the 原文's 文号; the title decides (b5-01), while
    a numbered 通知 about 解读 work stays a document."""
    block = "<p>文号：某民规〔2025〕12号</p><p>发布日期：2025-11-20</p>"
    meta = doc(page("一图读懂《某市特困人员照料护理标准》", block))
    assert meta.is_interpretation and not meta.is_normative
    numbered = "<p>文号：某民发〔2025〕3号</p><p>发布日期：2025-11-20</p>"
    meta = doc(page("关于做好2025年政策解读工作的通知", numbered))
    assert not meta.is_interpretation


def test_interpretation_page_links_back_to_its_original() -> None:
    body = (
        BODY + "<p>原文链接：<a href='../../gfxwj/202302/t20230203_1.html'>某市物业管理办法</a></p>"
    )
    url = f"{BASE}/zcjd/202302/t20230206_9.html"
    meta = doc(page("《某市物业管理办法》政策解读", "<p>发布日期：2023-02-06</p>", body), url=url)
    assert meta.is_interpretation and not meta.is_normative
    assert meta.original_urls == [f"{BASE}/gfxwj/202302/t20230203_1.html"]

    named = (
        BODY
        + "<p>详见<a href='/gfxwj/202302/t20230203_1.html'>关于印发《某市物业管理办法》的通知</a></p>"
    )
    meta = doc(page("一图读懂《某市物业管理办法》", "<p>发布日期：2023-02-06</p>", named), url=url)
    assert meta.original_urls == [f"{BASE}/gfxwj/202302/t20230203_1.html"]

    orphan = doc(page("《某市物业管理办法》政策解读", "<p>发布日期：2023-02-06</p>"), url=url)
    assert orphan.is_interpretation and orphan.original_urls == []


# ---- not documents ----------------------------------------------------------------------------
def test_list_and_home_pages_are_not_documents() -> None:
    rows = "".join(
        f"<li><a href='/gfxwj/2023{m:02d}/t2023{m:02d}01_{m}.html'>某市第{m}号管理办法</a><span>2023-{m:02d}-01</span></li>"
        for m in range(1, 13)
    )
    listing = (
        "<html><head><title>规范性文件_某市人民政府</title></head><body>"
        "<div class='weizhi'>当前位置：<a href='/'>首页</a> &gt; <a href='/gfxwj/'>规范性文件</a></div>"
        f"<ul class='list'>{rows}</ul></body></html>"
    )
    assert extract_document(parse(listing, url=f"{BASE}/gfxwj/index.html")) is None
    table_rows = "".join(
        f"<tr><td>{m}</td><td><a href='/a{m}.html'>关于某事项的通知{m}</a></td><td>某府发〔2023〕{m}号</td><td>2023-01-{m:02d}</td></tr>"
        for m in range(1, 11)
    )
    catalogue = (
        "<html><head><title>信息公开目录</title></head><body><table><tr><th>序号</th><th>名称</th>"
        f"<th>文号</th><th>发布日期</th></tr>{table_rows}</table></body></html>"
    )
    assert extract_document(parse(catalogue, url=f"{BASE}/xxgk/index.html")) is None
    home = page("某市人民政府", "<p>发布日期：2023-02-03</p>")
    assert extract_document(parse(home, url=f"{BASE}/", is_home=True)) is None


def test_sidebar_of_other_interpretations_is_not_this_documents() -> None:
    sidebar = "".join(
        f"<li><a href='/zcjd/2023/t2023010{i}_{i}.html'>《某市第{i}项管理规定》政策解读</a></li>"
        for i in range(1, 7)
    )
    body = (
        BODY
        + "<p>相关解读：<a href='/zcjd/2023/t20230210_9.html'>《某市物业管理办法》政策解读</a></p>"
    )
    html = page(
        "某市物业管理办法", "<p>发文字号：某府规〔2023〕2号</p><p>发布日期：2023-02-03</p>", body
    )
    html = html.replace(
        "<div class='foot'>",
        f"<div class='side'><h3>热点解读</h3><ul>{sidebar}</ul></div><div class='foot'>",
    )
    assert doc(html).interpretation_urls == [f"{BASE}/zcjd/2023/t20230210_9.html"]


def test_policy_column_link_is_not_the_original() -> None:
    html = page("《某市物业管理办法》政策解读", "<p>发布日期：2023-02-06</p>").replace(
        "<a href='/xxgk/'>信息公开</a>",
        "<a href='/xxgk/'>信息公开</a><a href='/zcwj/'>政策文件</a>",
    )
    meta = doc(html, url=f"{BASE}/zcjd/202302/t20230206_9.html")
    assert meta.is_interpretation and meta.original_urls == []


def test_chinese_numeral_dates_and_unknown_trailing_labels() -> None:
    block = "<p>成文日期：二〇二三年十二月三十一日</p><p>发布机构：某市财政局　浏览次数：128</p><p>发布日期：2024-01-05</p>"
    meta = doc(page("某市财政局关于规范政府采购管理的若干规定", block))
    assert meta.written_date == dt.date(2023, 12, 31)
    assert meta.issuer == "某市财政局"


def test_inline_line_ending_with_an_empty_label() -> None:
    block = (
        "<div class='doc-info'>发文字号：某府规〔2023〕5号　发布日期：2023年5月6日　有效性：</div>"
    )
    meta = doc(page("某市城市道路挖掘管理办法", block))
    assert meta.validity_raw == "" and meta.doc_number == "某府规〔2023〕5号"
    assert meta.published_date == dt.date(2023, 5, 6)


def test_title_from_heading_when_the_title_tag_is_only_the_site_name() -> None:
    html = page("《某市物业管理办法》政策解读", "<p>发布日期：2023-02-06</p>").replace(
        "<title>《某市物业管理办法》政策解读_某市人民政府</title>", "<title>某市人民政府</title>"
    )
    meta = doc(html)
    assert meta.title == "《某市物业管理办法》政策解读" and meta.is_interpretation


_PIECES = [
    "发文字号：", "有效性", "：", "有效", "已失效", "【已废止】", "成文日期", "2023年5月6日", "2023-13-45",
    "二〇二三年十二月三十一日", "国发〔2023〕5号", "<p>", "</p>", "<td>", "</td>", "<tr>", "<table>",
    "<dl><dt>", "</dt><dd>", "</dd></dl>", "<!--", "-->", "<a href='/x.html'>", "</a>", "<br>",
    "<span style='display:none'>", "</span>", "&nbsp;", "　", "本办法自2023年1月1日起施行，有效期五年。",
    "相关解读", "政策解读", "原文链接", "《某市办法》", "当前位置：", "&gt;", "<script>var a='有效性：有效';</script>",
]  # fmt: skip


@settings(max_examples=100, deadline=None)
@given(st.lists(st.sampled_from(_PIECES), max_size=60))
def test_arbitrary_markup_never_breaks_extraction(pieces: list[str]) -> None:
    html = (
        f"<html><head><title>某市管理办法</title></head><body>{''.join(pieces)}{BODY}</body></html>"
    )
    meta = extract_document(parse(html))
    assert meta is None or isinstance(meta, DocumentMeta)
    if meta is not None:
        assert meta.validity in (None, "effective", "partially_invalid", "amended", "repealed",
                                 "expired", "not_yet_effective")  # fmt: skip
