"""Traps for the normative-document classifier and the validity period (docs/CHECKS.md,
"Normative documents"):

* numbered work notices — 关于做好…工作的通知, 关于开展…专项行动的通知, 关于印发…工作要点的
  通知 — with a 〔year〕N号 number and no validity label: work arrangements, so no
  missing_validity_label and no missing_interpretation;
* rules labelled 有效 for 7 years (and a 暂行办法 for 3) that state no period: no
  validity_inconsistent, since no period is assumed unless a site switches one on;
* a rule in 政策文件 with an ordinary 发 number and no 解读: normative because it transmits a
  办法, so missing_interpretation is reported;
* one numbered 通知 that adjusts a 标准 and states when it takes effect, with no validity label
  and no 解读: the classifier cannot settle it, so its findings are "needs review" (low
  severity, ``detail.needs_review``), never scored.
"""

from __future__ import annotations

import datetime as dt
from typing import Any, Protocol

from sampleportal.article import document_main, meta_block
from sampleportal.days import ago, cn_date, previous_workday
from sampleportal.listing import Item
from sampleportal.model import PageSpec
from sampleportal.portal import Portal
from sampleportal.text import SITE_NAME
from sampleportal.truth import Document


class DocumentPlanner(Protocol):
    """What these traps use of sampleportal.documents.DocumentPlanner (which calls them)."""

    portal: Portal
    as_of: dt.date

    def _number(self, year: int, kind: str = "规") -> str: ...
    def _path(self, column: str, date: dt.date) -> str: ...
    def _crumbs(self, column: str) -> list[tuple[str, str | None]]: ...
    def _add_item(self, column: str, item: Item) -> None: ...
    def plan_rule(
        self, key: str, core: str, layout: str, published: int, **options: Any
    ) -> None: ...


# (case, title after the site name, metadata layout, days before as_of)
_WORK_NOTICES = (
    ("work_notice:do_well", "关于做好{year}年冬春季社会救助工作的通知", "bd1", 18),
    ("work_notice:campaign", "关于开展养老机构消防安全专项行动的通知", "dl", 27),
    ("work_notice:key_points", "关于印发{year}年全市民政工作要点的通知", "p_strong", 40),
)
_WORK_BODY = (
    "各区民政局，局属各单位：",
    "为认真落实年度重点任务，切实保障困难群众基本生活，现将有关事项通知如下。",
    "一、提高认识，加强组织领导。各单位要明确责任分工，细化工作安排，确保各项任务按时完成。",
    "二、突出重点，抓好工作落实。各单位要加强摸底排查，及时发现和解决群众反映的突出问题。",
    "三、及时报送，做好总结。请各单位于每季度末前将工作进展情况报送市民政局相关处室。",
)
_REVIEW_BODY = (
    "各区民政局：",
    "经市人民政府同意，现就调整城乡居民最低生活保障标准有关事项通知如下。",
    "一、城乡居民最低生活保障标准统一调整为每人每月一千一百元。",
    "二、各区要按照调整后的标准及时发放保障金，做好政策宣传和解释工作。",
    "三、本通知自{start}起执行。",
)


def plan_normative_traps(planner: DocumentPlanner) -> None:
    """Plant the traps into the 政策文件 (work notices, the needs-review notice) and 规范性文件
    (long-effective rules) columns, with their truth."""
    for case, title, layout, days in _WORK_NOTICES:
        _plan_notice(planner, case, title, layout, days, _WORK_BODY, decision="not_normative")
    _plan_notice(planner, "needs_review:standard_notice",
                 "关于调整城乡居民最低生活保障标准的通知", "div_rows", 33, _REVIEW_BODY,
                 decision="needs_review")  # fmt: skip
    _plan_long_effective(planner)


def _plan_notice(
    planner: DocumentPlanner,
    case: str,
    title: str,
    layout: str,
    days: int,
    body: tuple[str, ...],
    *,
    decision: str,
) -> None:
    portal, truth = planner.portal, planner.portal.truth
    as_of = planner.as_of
    published = previous_workday(ago(as_of, days))
    written = previous_workday(published - dt.timedelta(days=2))
    full_title = SITE_NAME + title.format(year=as_of.year)
    number = planner._number(written.year, "发")
    values: dict[str, str | dt.date | None] = {
        "index_no": f"11000000MB0000000X/{written.year}-{portal.next_id():05d}",
        "subject": "民政",
        "issuer": SITE_NAME,
        "written": written,
        "doc_number": number,
        "published": published,
    }
    text = "".join(f"<p>{p.format(start=cn_date(published))}</p>\n" for p in body)
    text += f'<p class="sign">{SITE_NAME}</p>\n<p class="sign">{cn_date(written)}</p>\n'
    path = planner._path("zcwj", published)
    main = document_main(full_title, meta_block(layout, full_title, values), text)
    portal.add(PageSpec(path, full_title, planner._crumbs("zcwj"), main, kind="document"))
    planner._add_item("zcwj", Item(full_title, path, published, number))
    if decision == "needs_review":
        review = {"needs_review": True, "normative_basis": "rule_like_notice"}
        truth.expect("missing_validity_label", path, key={"case": case},
                     detail={"reason": "missing", **review})  # fmt: skip
        truth.expect("missing_interpretation", path, key={"case": case},
                     detail={"reason": "no_interpretation", **review})  # fmt: skip
    truth.documents.append(
        Document(
            path=path,
            title=full_title,
            normative=False,
            doc_number=number,
            written_date=written.isoformat(),
            published_date=published.isoformat(),
            validity=None,
            validity_raw=None,
            title_marker=None,
            interpretation=None,
            layout=layout,
            column="政策文件",
            case=case,
            decision=decision,
        )
    )


def _plan_long_effective(planner: DocumentPlanner) -> None:
    """Rules labelled 有效 long past 5 (暂行: 2) years that state no period: consistent."""
    as_of = planner.as_of
    seven_years = (as_of - _years_before(as_of, 7)).days + 20
    three_years = (as_of - _years_before(as_of, 3)).days + 20
    planner.plan_rule("long_effective", "某市地名标志设置管理办法", "dl", seven_years)
    planner.plan_rule("long_effective_provisional", "某市社区养老服务驿站运营暂行办法", "p_strong",
                      three_years, validity="现行有效")  # fmt: skip
    # In the 政策文件 column with an ordinary 发 number: normative by the transmitted 办法
    # alone, so its missing 解读 is reported. (No 解读 page: one would shift the 解读 column's
    # pages, whose later pages must stay reachable only through the TRS pager.)
    planner.plan_rule("transmits_rule", "某市养老服务机构综合监管办法", "bd1", 140, column="zcwj",
                      number_kind="发", interp="none",
                      expect=[("missing_interpretation", {"reason": "no_interpretation"})])  # fmt: skip


def _years_before(day: dt.date, years: int) -> dt.date:
    return day.replace(year=day.year - years, day=min(day.day, 28))
