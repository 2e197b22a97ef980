"""The normative-document classifier as people meet it: pages of every class through the whole
extraction, the classifier report over the sample portal and the real pages (an artefact), and
the needs-review findings as the reports show them."""

from __future__ import annotations

import os
import re
from functools import partial
from pathlib import Path

import pytest

from extract.documents import extract_document
from extract.parse import build_parsed_page
from govpatrol.core.findings import SPECS
from govpatrol.core.models import Finding
from reports import i18n
from reports.evidence import evidence_rows
from reports.normative_report import DECISION_WORDS, main, write_report
from reports.render import environment
from reports.views import by_check, finding_view
from scoring.states import StatedFinding
from tests.test_documents import DOCUMENTS, REAL, REAL_DECISIONS, needs_real_pages

URL = "http://www.example.gov.invalid/zwgk/wj/202405/t20240510_1.html"
_CJK = re.compile(r"[\u3400-\u9fff\uff00-\uffef\u3000-\u303f]")
BODY = (
    "<p>各区民政局，局属各单位：</p><p>为进一步做好相关工作，保障困难群众基本生活，结合本市实际，"
    "现将有关事项通知如下。各单位要加强组织领导，明确责任分工，确保各项任务落到实处。</p>"
    "<p>一、提高认识。二、突出重点。三、请各单位于每季度末前将工作进展情况报送市民政局。</p>"
)


def page(title: str, rows: dict[str, str], body: str = BODY, crumbs: str = "政务公开") -> bytes:
    table = "".join(f"<tr><th>{k}：</th><td>{v}</td></tr>" for k, v in rows.items())
    html = (
        f"<html><head><meta charset='utf-8'><title>{title}</title></head><body>"
        f"<div class='crumb'>当前位置：<a href='/'>首页</a> &gt; <a href='/zwgk/'>{crumbs}</a></div>"
        f"<table class='xxgk'>{table}</table><h1>{title}</h1><div class='content'>{body}</div>"
        "</body></html>"
    )
    return html.encode("utf-8")


def meta_rows(number: str | None, **extra: str) -> dict[str, str]:
    rows = {"索引号": "11000000MB0000000X/2024-00012", "发布机构": "某市民政局",
            "成文日期": "2024年05月06日", "发布日期": "2024-05-10"}  # fmt: skip
    if number:
        rows["发文字号"] = number
    return {**rows, **extra}


def decided(html: bytes) -> tuple[str, str | None]:
    meta = extract_document(build_parsed_page(URL, URL, 200, {}, html))
    assert meta is not None
    return meta.normative_decision, meta.normative_basis


# ---- every class through the whole extraction ---------------------------------------------
@pytest.mark.parametrize(
    ("title", "rows", "body", "expected"),
    [
        # normative
        ("某市民政局关于印发《某市社区养老服务设施管理办法》的通知", meta_rows("某民发〔2024〕3号"), BODY,
         ("normative", "transmits_rule")),
        ("某市民政局关于调整低保标准的通知", meta_rows("某民发〔2024〕4号", 文件类型="行政规范性文件"), BODY,
         ("normative", "metadata")),
        ("某市民政局关于调整低保标准的通知", meta_rows("某民规〔2024〕1号"), BODY,
         ("normative", "rule_number")),
        ("某市临时救助实施细则", meta_rows(None, 规范性文件登记号="MZJ-2024-007"), BODY,
         ("normative", "registration_no")),
        # not normative: numbered work arrangements, a site that says it is not one
        ("某市民政局关于做好2024年防汛救灾工作的通知", meta_rows("某民发〔2024〕5号"), BODY,
         ("not_normative", "work_arrangement")),
        ("某市民政局关于开展殡葬领域突出问题专项整治行动的通知", meta_rows("某民发〔2024〕6号"), BODY,
         ("not_normative", "work_arrangement")),
        ("某市民政局关于印发2024年全市民政工作要点的通知", meta_rows("某民发〔2024〕7号"), BODY,
         ("not_normative", "non_normative_type")),
        ("某市民政局关于进一步推动社区工作者队伍建设的通知", meta_rows("某民发〔2024〕8号"), BODY,
         ("not_normative", "number_only")),
        ("某市社区养老服务设施管理办法", meta_rows("某民发〔2024〕9号", 是否规范性文件="否"), BODY,
         ("not_normative", "metadata_not_normative")),
        ("某市民政局关于公布第一批示范社区名单的通知", meta_rows("某民发〔2024〕10号"), BODY,
         ("not_normative", "routine_title")),
        # needs review: a number and an ambiguous doc type, or a rule-like notice
        ("某市民政局关于加强社会组织党建工作的意见", meta_rows("某民发〔2024〕11号"), BODY,
         ("needs_review", "ambiguous_type")),
        ("某市民政局关于养老服务补贴发放有关问题的通知", meta_rows("某民发〔2024〕12号"), BODY,
         ("needs_review", "rule_like_notice")),
        ("某市民政局关于养老服务补贴发放的通知", meta_rows("某民发〔2024〕13号"),
         BODY + "<p>本通知自2024年6月1日起施行。</p>", ("needs_review", "rule_like_notice")),
    ],
)  # fmt: skip
def test_each_class_through_the_extraction(title, rows, body, expected) -> None:
    assert decided(page(title, rows, body)) == expected


def test_a_column_that_says_normative_decides_unless_the_title_says_otherwise() -> None:
    rule = page("某市民政局关于做好低保工作的通知", meta_rows(None), crumbs="行政规范性文件")
    assert decided(rule) == ("normative", "rule_column")
    reply = page("某市民政局关于同意设立某协会的批复", meta_rows(None), crumbs="行政规范性文件")
    assert decided(reply) == ("needs_review", "column_but_type")
    news = page(
        "某市民政局关于做好低保工作的通知", meta_rows("某民规〔2024〕2号"), crumbs="工作动态"
    )
    assert decided(news) == ("not_normative", "news_column")


# ---- the classifier report ----------------------------------------------------------------
def artefacts_dir(tmp_path: Path) -> Path:
    """Where artefacts go: ``$GOVPATROL_ARTEFACTS`` when set (CI keeps it), else pytest's tmp."""
    folder = os.environ.get("GOVPATROL_ARTEFACTS")
    return Path(folder) if folder else tmp_path


def table_rows(text: str) -> dict[str, tuple[str, str, str]]:
    """page → (title, decision words, reason) from the Markdown table."""
    rows = {}
    for line in text.splitlines():
        cells = [c.strip() for c in re.split(r"(?<!\\)\|", line)[1:-1]]
        if len(cells) == 5 and cells[0] not in ("page", "---"):
            rows[cells[0].replace("\\", "")] = (cells[1], cells[3], cells[4])
    return rows


def test_classifier_report_over_the_sample_portal_and_real_pages(portal_dir, truth, tmp_path):
    out = artefacts_dir(tmp_path) / "normative-classification.md"
    text = write_report(out, site=portal_dir / "site", real=REAL)
    assert out.read_text("utf-8") == text
    rows = table_rows(text)
    # every truth document appears with the truth's decision
    for doc in truth["documents"]:
        assert doc["path"] in rows, doc["path"]
        assert rows[doc["path"]][1] == DECISION_WORDS[doc["decision"]], doc
        assert rows[doc["path"]][2], doc  # with a reason
    # and no other page of the portal is taken for a normative (or doubtful) document
    truth_paths = {d["path"] for d in truth["documents"]}
    others = {page: row[1] for page, row in rows.items() if page.startswith("/")}
    assert {
        p for p, words in others.items() if p not in truth_paths and "not normative" not in words
    } == set()
    assert any(d["decision"] == "needs_review" for d in truth["documents"])
    if REAL.exists():
        for entry in DOCUMENTS:
            assert rows[entry["file"]][1] == DECISION_WORDS[REAL_DECISIONS[entry["file"]]]
        assert "## real pages" in text
    assert "## sample portal" in text and "| page | title | 文号 | decision | reason |" in text


@needs_real_pages
def test_classifier_report_command(tmp_path) -> None:
    out = tmp_path / "real.md"
    assert main(["--real-pages", str(REAL), "--out", str(out)]) == 0
    text = out.read_text("utf-8")
    assert "国发〔2019〕5号" in text and DECISION_WORDS["needs_review"] in text
    assert "sample portal" not in text
    with pytest.raises(SystemExit):
        main(["--out", str(out)])


# ---- needs review in the reports ----------------------------------------------------------
def review_finding(needs_review: bool) -> Finding:
    detail = {"reason": "missing", "shown_labels": ["发文字号"],
              "normative_reason": "有发文字号的“通知”，标题涉及规范性事项，需人工判断",
              "normative_basis": "rule_like_notice", "normative_signal": "通知"}  # fmt: skip
    if needs_review:
        detail["needs_review"] = True
    return Finding(scan_id=1, check="missing_validity_label", severity="low" if needs_review else "medium",
                   page=URL, message="规范性文件未标注有效性", detail=detail, fingerprint="f" * 32)  # fmt: skip


@pytest.mark.parametrize("lang", ["zh", "en"])
def test_a_needs_review_finding_is_labelled_and_says_why(lang: str) -> None:
    items = {
        i.key: i for i in evidence_rows(review_finding(True).detail, lang, "missing_validity_label")
    }
    reason = items["normative_reason"]
    plain = "".join(text for line in reason.lines for text, quoted in line if not quoted)
    quoted = "".join(text for line in reason.lines for text, quoted in line if quoted)
    assert quoted == "通知"  # the page's own word, quoted
    if lang == "en":
        assert not _CJK.search(plain) and "reads like a rule" in plain
        assert items["needs_review"].label == "Needs review"
    else:
        assert "内容像规范性事项" in plain and items["needs_review"].label == "待人工确认"
    assert "normative_basis" not in items and "normative_signal" not in items

    views = [
        finding_view(StatedFinding(review_finding(flag), "new"), lang, SPECS)
        for flag in (True, False)
    ]
    if lang == "en":
        said = ["".join(text for text, _ in v.said) for v in views]
        assert "needs review" in said[0] and "needs review" not in said[1]
    assert [v.needs_review for v in views] == [True, False]
    template = environment().from_string(
        "{% import 'macros.html.j2' as m with context %}{% for g in groups %}{{ m.check_group(g) }}{% endfor %}"
    )
    html = template.render(groups=by_check(views[:1], lang, SPECS), t=partial(i18n.t, lang=lang),
                           colon="：" if lang == "zh" else ": ")  # fmt: skip
    assert i18n.t("needs_review", lang) in html and i18n.t("needs_review_note", lang) in html
    plain_html = template.render(groups=by_check(views[1:], lang, SPECS), t=partial(i18n.t, lang=lang),
                                 colon="：" if lang == "zh" else ": ")  # fmt: skip
    assert i18n.t("needs_review", lang) not in plain_html
