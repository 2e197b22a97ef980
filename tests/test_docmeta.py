"""Document metadata in the layouts seen in practice, and where each field was read.

Label rows over value rows, labels split over inline tags, label variants, 生成日期 kept apart
from 成文日期, the 落款 date as the 成文日期 of a numbered document, the main heading over a
generic 名称 row, and ``DocumentMeta.sources`` carried into the findings and worded in reports.
"""

from __future__ import annotations

import datetime as dt
import json
from pathlib import Path

import pytest

from checks.disclosure import lateness
from checks.documents import document_row, field_findings
from extract.docmeta import date_line, extract_label_fields, visible_segments
from extract.documents import SOURCES, DocumentMeta, extract_document, meta_as_dict
from extract.parse import build_parsed_page
from reports.evidence import evidence_items
from reports.i18n import DOC_SOURCES

HTML = {"content-type": "text/html; charset=utf-8"}
URL = "http://www.example.gov.invalid/zwgk/gfxwj/202403/t20240308_1.html"
REAL = Path(__file__).resolve().parents[2] / "shared" / "real-pages"
INDEX = json.loads((REAL / "index.json").read_text(encoding="utf-8")) if REAL.exists() else []

BODY = (
    "<p>各区民政局，局属各单位：</p>"
    "<p>为进一步规范本市最低生活保障审核确认工作，保障困难群众基本生活，根据有关法律法规，"
    "结合本市实际，制定本办法。各单位要认真贯彻执行，执行中遇到的问题请及时反映。</p>"
    "<p>第一条 本办法适用于本市行政区域内的最低生活保障审核确认工作。</p>"
)
TITLE = "某市民政局关于印发《某市最低生活保障审核确认办法》的通知"


def page(
    meta_block: str, body: str = BODY, *, title: str = TITLE, heading: str | None = None
) -> str:
    shown = TITLE if heading is None else heading
    return (
        f"<!DOCTYPE html><html><head><meta charset='utf-8'><title>{title}_某市民政局</title></head>"
        "<body><div class='nav'><a href='/'>首页</a><a href='/zwgk/'>政务公开</a></div>"
        f"<div class='article'>{meta_block}<h1>{shown}</h1><div class='content'>{body}</div>"
        "<div class='related'><h3>相关文件</h3><ul><li><a href='/a.html'>某市民政局</a>"
        "<span>2025-01-05</span></li></ul></div></div>"
        "<div class='foot'>主办单位：某市民政局　地址：某市人民路1号</div></body></html>"
    )


def doc(html: str) -> DocumentMeta:
    meta = extract_document(build_parsed_page(URL, URL, 200, HTML, html.encode("utf-8")))
    assert meta is not None, "expected a document page"
    return meta


def fields_of(fragment: str) -> dict[str, str]:
    tree = build_parsed_page(URL, URL, 200, HTML, f"<html><body>{fragment}</body></html>".encode())
    return extract_label_fields(visible_segments(tree.tree)).values


# ---- labels in one row, values in the row below -----------------------------------------------
LABEL_ROW_TABLE = """
<table class="xxgk">
<thead><tr><th>索引号</th><th>发文字号</th><th>成文日期</th><th>发布日期</th></tr></thead>
<tbody><tr><td>11000000MB0000000X/2024-00012</td><td>某民规〔2024〕3号</td>
<td>2024年3月5日</td><td>2024年3月8日</td></tr>
<tr><th colspan="2">发布机构</th><th colspan="2">有效性</th></tr>
<tr><td colspan="2">某市民政局</td><td colspan="2">有效</td></tr></tbody>
</table>"""


def test_label_row_with_values_in_the_row_below_column_for_column() -> None:
    meta = doc(page(LABEL_ROW_TABLE))
    assert meta.index_no == "11000000MB0000000X/2024-00012"
    assert meta.doc_number == "某民规〔2024〕3号"
    assert meta.written_date == dt.date(2024, 3, 5)
    assert meta.published_date == dt.date(2024, 3, 8)
    # the second label row spans two columns per label: colspan counts
    assert meta.issuer == "某市民政局" and meta.validity == "effective"
    assert meta.sources["doc_number"] == "metadata" and meta.sources["written_date"] == "metadata"


def test_label_value_pairs_in_one_row_are_not_a_label_row() -> None:
    """「发布机构 | 国务院 | 主题分类 | 综合政务」 alternates: each value is beside its label."""
    values = fields_of(
        "<table><tr><td>发布机构</td><td>国务院</td><td>主题分类</td><td>综合政务</td></tr>"
        "<tr><td>发文字号</td><td>国发〔2019〕5号</td><td>成文日期</td><td>2019年01月27日</td></tr>"
        "</table>"
    )
    assert values["发布机构"] == "国务院" and values["主题分类"] == "综合政务"
    assert values["发文字号"] == "国发〔2019〕5号" and values["成文日期"] == "2019年01月27日"


def test_a_list_table_header_gives_no_values() -> None:
    """A header over many rows is a list of documents, not one document's metadata."""
    rows = "".join(
        f"<tr><td>某民发〔2024〕{n}号</td><td>2024-03-0{n}</td></tr>" for n in range(1, 5)
    )
    values = fields_of(f"<table><tr><th>文号</th><th>发布日期</th></tr>{rows}</table>")
    assert values == {"文号": "", "发布日期": ""}


def test_an_empty_cell_under_a_label_is_an_empty_value() -> None:
    values = fields_of(
        "<table><tr><th>索引号</th><th>文号</th></tr><tr><td>A-2024-1</td><td></td></tr></table>"
    )
    assert values == {"索引号": "A-2024-1", "文号": ""}


# ---- labels spread over inline tags -------------------------------------------------------------
def test_labels_split_by_inline_tags_are_read_as_one() -> None:
    values = fields_of(
        "<table><tr><td>索<span></span>引号</td><td>A-2024-7</td></tr>"
        "<tr><td><b>发<span>文</span>字号：</b></td><td>某民规〔2024〕7号</td></tr></table>"
        "<p>成<font>文</font>日期：2024年3月5日</p>"
        "<div><span>发</span><span>布</span><span>机构：</span><span>某市民政局</span></div>"
    )
    assert values["索引号"] == "A-2024-7"
    assert values["发文字号"] == "某民规〔2024〕7号"
    assert values["成文日期"] == "2024年3月5日"
    assert values["发布机构"] == "某市民政局"


def test_a_split_label_keeps_reading_the_rest_of_its_line() -> None:
    values = fields_of("<p>发<i>文</i>字号：某民规〔2024〕7号　成文日期：2024年3月5日</p>")
    assert values == {"发文字号": "某民规〔2024〕7号", "成文日期": "2024年3月5日"}


def test_split_text_that_spells_no_label_is_not_one() -> None:
    """Words that only start like a label (发<b>展</b>…), and block boundaries, are no label."""
    values = fields_of("<p>发<b>展</b>规划：略</p><p>索</p><p>引号：A-1</p>")
    assert values == {}


def test_hidden_text_between_the_pieces_of_a_label_is_not_read() -> None:
    values = fields_of('<p>文<span style="display:none">件</span>号：某民规〔2024〕9号</p>')
    assert values == {"文号": "某民规〔2024〕9号"}


# ---- label variants -----------------------------------------------------------------------------
def test_more_label_variants() -> None:
    meta = doc(
        page(
            "<div class='info'><p>信息索引：A-2024-9</p><p>发文单位：某市民政局</p>"
            "<p>文号：某民规〔2024〕9号</p><p>印发日期：2024年3月4日</p>"
            "<p>公开日期：2024年3月8日</p></div>"
        )
    )
    assert meta.index_no == "A-2024-9" and meta.issuer == "某市民政局"
    assert (meta.written_date, meta.published_date) == (dt.date(2024, 3, 4), dt.date(2024, 3, 8))


def test_generated_date_is_never_the_written_date() -> None:
    """生成日期 beside a 发布日期 stays apart from 成文日期 (it is the CMS's date)."""
    both = doc(
        page(
            "<dl><dt>索引号：</dt><dd>A-2024-1</dd><dt>文号：</dt><dd>某民规〔2024〕1号</dd>"
            "<dt>生成日期：</dt><dd>2024-03-09</dd><dt>发布日期：</dt><dd>2024-03-08</dd></dl>",
            body="<p>正文内容较短。</p>",
        )
    )
    assert both.written_date is None and both.published_date == dt.date(2024, 3, 8)
    alone = doc(
        page(
            "<dl><dt>索引号：</dt><dd>A-2024-2</dd><dt>发布机构：</dt><dd>某市民政局</dd>"
            "<dt>生成日期：</dt><dd>2024-03-09</dd></dl>"
        )
    )
    assert alone.written_date is None and alone.published_date == dt.date(2024, 3, 9)
    assert alone.sources["published_date"] == "metadata"


# ---- the signature date (落款) --------------------------------------------------------------------
NUMBERED = (
    "<div class='info'><p>索引号：A-2024-3</p><p>发文字号：某民规〔2024〕3号</p>"
    "<p>发布日期：2024年3月8日</p></div>"
)
SIGNED = (
    BODY + "<p style='text-align:right'>某市民政局</p><p style='text-align:right'>2024年3月5日</p>"
)


def test_signature_date_is_the_written_date_of_a_numbered_document() -> None:
    meta = doc(page(NUMBERED, SIGNED))
    assert meta.written_date == dt.date(2024, 3, 5)
    assert meta.sources["written_date"] == "signature"
    assert meta.sources["doc_number"] == "metadata"


@pytest.mark.parametrize(
    "closing",
    [
        "<p>某市民政局<br>二〇二四年三月五日</p>",
        "<p>某市民政局　　2024年3月5日</p>",
        "<p>某市民政局　某市财政局</p><p>2024年3月5日</p><p>（此件公开发布）</p>",
        "<div class='sign'><p>某市人民政府办公室</p><p>2024年3月5日</p></div>",
    ],
)
def test_signature_layouts(closing: str) -> None:
    assert doc(page(NUMBERED, BODY + closing)).written_date == dt.date(2024, 3, 5)


def test_no_signature_date_without_a_number_or_after_publication() -> None:
    unnumbered = NUMBERED.replace(
        "<p>发文字号：某民规〔2024〕3号</p>", "<p>发布机构：某市民政局</p>"
    )
    meta = doc(page(unnumbered, SIGNED))
    assert meta.doc_number is None and meta.written_date is None
    late = SIGNED.replace("2024年3月5日", "2024年3月20日")
    assert doc(page(NUMBERED, late)).written_date is None  # signed after it was published?


def test_a_date_that_follows_no_office_name_is_no_signature() -> None:
    closing = "<p>特此通知。</p><p>2024年3月5日</p><p>联系人：张三</p>"
    assert doc(page(NUMBERED, BODY + closing)).written_date is None


def test_a_shown_written_date_wins_over_the_signature() -> None:
    shown = NUMBERED.replace("<p>发布日期", "<p>成文日期：2024年3月1日</p><p>发布日期")
    meta = doc(page(shown, SIGNED))
    assert meta.written_date == dt.date(2024, 3, 1) and meta.sources["written_date"] == "metadata"


def test_date_line() -> None:
    assert date_line("2024年3月5日") == dt.date(2024, 3, 5)
    assert date_line(" 二〇二四年三月五日 ") == dt.date(2024, 3, 5)
    assert date_line("（2024-03-05）") == dt.date(2024, 3, 5)
    assert date_line("于2024年3月5日印发") is None
    assert date_line("某民规〔2024〕5号") is None


# ---- the title: main heading over a generic 名称 row ---------------------------------------------
NOTICE = "某市民政局养老服务设备采购项目公开招标公告"


def test_main_heading_wins_over_a_generic_name_row() -> None:
    block = (
        "<table><tr><td>名称</td><td>养老服务设备</td></tr>"
        "<tr><td>索引号</td><td>A-2024-5</td></tr><tr><td>发布机构</td><td>某市民政局</td></tr>"
        "<tr><td>发布日期</td><td>2024-03-08</td></tr></table>"
    )
    meta = doc(page(block, title=NOTICE, heading=NOTICE))
    assert meta.title == NOTICE and meta.sources["title"] == "heading"
    assert meta.fields["名称"] == "养老服务设备"  # still shown as evidence


def test_a_specific_or_agreeing_title_row_is_kept() -> None:
    specific = (
        "<table><tr><td>文件名称</td><td>某市最低生活保障审核确认办法</td></tr>"
        "<tr><td>索引号</td><td>A-2024-6</td></tr><tr><td>发布机构</td><td>某市民政局</td></tr></table>"
    )
    assert doc(page(specific)).title == "某市最低生活保障审核确认办法"
    agreeing = specific.replace("文件名称", "名称")
    meta = doc(page(agreeing))
    assert meta.title == "某市最低生活保障审核确认办法" and meta.sources["title"] == "metadata"


def test_a_logo_heading_never_overrides_a_name_row() -> None:
    block = (
        "<table><tr><td>名称</td><td>某市最低生活保障审核确认办法</td></tr>"
        "<tr><td>索引号</td><td>A-2024-8</td></tr><tr><td>发布机构</td><td>某市民政局</td></tr></table>"
    )
    html = page(block, title="某市民政局", heading="某市民政局")
    assert doc(html).title == "某市最低生活保障审核确认办法"


# ---- sources: kept, stored, worded ----------------------------------------------------------------
def test_sources_are_known_codes_and_kept_in_the_meta_dict() -> None:
    meta = doc(page(NUMBERED, SIGNED))
    assert set(meta.sources.values()) <= set(SOURCES)
    assert set(SOURCES) == set(DOC_SOURCES)  # every code has its words
    assert meta_as_dict(meta)["sources"] == meta.sources
    assert meta.sources["title"] == "heading" and meta.sources["published_date"] == "metadata"


def test_sources_reach_the_findings_and_reports_in_both_languages() -> None:
    meta = doc(page(NUMBERED, SIGNED))
    row = document_row(meta, scan_id=1)
    [finding] = list(field_findings(row))  # no 发布机构: recommended, low severity
    sources = finding.detail["sources"]
    assert sources["written_date"] == "signature"
    zh = dict(evidence_items(finding.detail, "zh", "missing_document_fields"))
    en = dict(evidence_items(finding.detail, "en", "missing_document_fields"))
    assert "成文日期：正文末尾落款" in zh["各要素的读取位置"]
    assert "发文字号：元数据字段" in zh["各要素的读取位置"]
    assert "date written: signature at the end of the body" in en["Where each field was read"]
    assert (
        "signature" not in zh["各要素的读取位置"]
        and "written_date" not in en["Where each field was read"]
    )


def test_late_disclosure_says_where_its_dates_were_read() -> None:
    late_body = SIGNED.replace("2024年3月5日", "2024年1月5日")
    row = document_row(doc(page(NUMBERED, late_body)), scan_id=1)
    evidence = lateness(row, 20)
    assert evidence is not None
    assert evidence["sources"] == {"written_date": "signature", "published_date": "metadata"}


# ---- real pages: the 落款 agrees with the 成文日期 shown in the metadata table -------------------
@pytest.mark.skipif(not REAL.exists(), reason="shared/real-pages is not beside the checkout")
def test_real_signature_dates_agree_with_the_metadata() -> None:
    from extract.documents import signature_date

    agreed = 0
    for entry in INDEX:
        if entry["kind"] != "document" or not entry.get("written_date"):
            continue
        url = (entry.get("source_url_if_known") or URL).split(" ")[0]
        parsed = build_parsed_page(url, url, 200, HTML, (REAL / entry["file"]).read_bytes())
        signed = signature_date(visible_segments(parsed.tree), None)
        if signed is not None:
            assert signed.isoformat() == entry["written_date"], entry["file"]
            agreed += 1
    assert agreed >= 5


def test_in_force_from_signing_runs_from_the_signature_date() -> None:
    body = SIGNED.replace("</p><p style", "本办法自印发之日起施行。</p><p style", 1)
    meta = doc(page(NUMBERED, body))
    assert meta.effective_date == dt.date(2024, 3, 5) and meta.effective_source == "body:written"
    assert meta.sources["effective_date"] == "body"
