"""Normative documents (行政规范性文件), their 政策解读, and the non-normative traps.

One document per case of docs/CHECKS.md, each carrying only the finding it plants (every
other document is complete, labelled consistently, and has an on-time 解读 that links back).
Dates are relative to as_of; the 解读 timing cases use working days from chinese-calendar
(Mon–Fri fallback), and the holiday cases pick the latest long break (国庆 2026 when as_of
is late enough) so calendar days and working days disagree.
"""

from __future__ import annotations

import datetime as dt
import posixpath
from dataclasses import dataclass, field
from html import escape
from typing import Any

from sampleportal.article import document_main, meta_block, news_main
from sampleportal.columns import ColumnPlan
from sampleportal.days import (
    add_working_days,
    ago,
    cn_date,
    last_long_break,
    late_regardless,
    previous_workday,
    unconfirmed_years,
    working_days_between,
)
from sampleportal.listing import Item
from sampleportal.model import PageSpec
from sampleportal.normative_traps import plan_normative_traps
from sampleportal.portal import Portal
from sampleportal.text import SITE_NAME
from sampleportal.truth import Document

VALIDITY_NORMAL = {
    "有效": "effective",
    "现行有效": "effective",
    "全文有效": "effective",
    "部分失效": "partially_invalid",
    "已修改": "amended",
    "已废止": "repealed",
    "失效": "expired",
    "已失效": "expired",
    "尚未生效": "not_yet_effective",
}
_MARKER_NORMAL = {"【有效】": "effective", "【已失效】": "expired"}


@dataclass
class Case:
    key: str
    core: str  # the rule's own name: 某市…办法
    layout: str
    published: int  # days before as_of
    validity: str | None = "有效"  # None: no field; "": an empty field
    marker: str | None = None
    column: str = "gfxwj"
    numbered: bool = True
    number_kind: str = "规"  # 某民规〔…〕 reserved for 规范性文件; 发 an ordinary 发文字号
    wrapper: bool = True  # titled "关于印发《core》的通知"
    repeal: int | None = None  # days before as_of (negative: future)
    valid_until: int | None = None
    effective: int | None = None
    period_years: int | None = None  # "有效期X年" in the body
    written_gap: int = 3  # calendar days from 成文 to 发布
    interp: str = "ontime"  # ontime | late | holiday_ontime | none | no_backlink
    doc_links_interp: bool = True  # False: only the 解读 links the pair (one-way)
    navigation_traps: bool = False  # 政策解读/图说 columns, a 政策文件及解读 crumb, 相关阅读
    comments: tuple[str, ...] = ()
    registration: bool = False
    base_href: bool = False
    written_shown: bool = True  # 成文日期 in the metadata block (else only in the 落款, if signed)
    signed: bool = True  # the body ends with the 落款: office name, then the 成文日期
    generated: bool = False  # a 生成日期 (the CMS's date, a day after publication) is shown
    expect: list[tuple[str, dict]] = field(default_factory=list)  # (check, detail)


def _cases(as_of: dt.date) -> list[Case]:
    three_years = (as_of - dt.date(as_of.year - 3, as_of.month, min(as_of.day, 28))).days
    return [
        Case("clean", "某市最低生活保障审核确认办法", "bd1", 25),
        Case(
            "missing_validity",
            "某市特困人员认定办法",
            "dl",
            35,
            validity=None,
            expect=[("missing_validity_label", {"reason": "missing"})],
        ),
        Case(
            "empty_validity",
            "某市临时救助实施细则",
            "p_strong",
            45,
            validity="",
            expect=[("missing_validity_label", {"reason": "empty"})],
        ),
        Case(
            "repeal_passed",
            "某市困难残疾人生活补贴发放管理规定",
            "div_rows",
            400,
            repeal=30,
            expect=[("validity_inconsistent", {"reason": "repeal_date_passed"})],
        ),
        Case(
            "valid_until_passed",
            "某市养老机构等级评定管理办法",
            "inline",
            380,
            valid_until=10,
            expect=[("validity_inconsistent", {"reason": "valid_until_passed"})],
        ),
        Case(
            "period_expired",
            "某市居家养老服务补贴管理办法",
            "bd1",
            three_years + 55,
            validity="现行有效",
            effective=three_years + 40,
            period_years=3,
            expect=[("validity_inconsistent", {"reason": "period_expired"})],
        ),
        Case(
            "marker_disagrees",
            "某市社区社会组织登记管理办法",
            "dl",
            200,
            marker="【已失效】",
            expect=[("validity_inconsistent", {"reason": "title_marker_disagrees"})],
        ),
        Case(
            "future_effective",
            "某市殡葬服务收费管理规定",
            "p_strong",
            5,
            validity="失效",
            effective=-20,
            wrapper=False,
            expect=[("validity_inconsistent", {"reason": "future_effective_date"})],
        ),
        Case(
            "missing_number",
            "某市儿童福利机构管理实施办法",
            "div_rows",
            55,
            numbered=False,
            expect=[("missing_document_fields", {"missing": ["doc_number"]})],
        ),
        Case(
            "late_disclosure",
            "某市慈善组织公开募捐管理办法",
            "bd1",
            70,
            validity="部分失效",
            written_gap=45,
            expect=[("late_disclosure", {"reason": "published_late"})],
        ),
        Case("repealed", "某市婚姻登记服务规范", "dl", 500, validity="已废止", repeal=60),
        Case(
            "expired_marker",
            "某市流浪乞讨人员救助管理办法",
            "inline",
            600,
            validity="已失效",
            marker="【已失效】",
            valid_until=100,
        ),
        Case(
            "marker_only",
            "某市社会救助家庭经济状况核对办法",
            "bd1",
            80,
            validity=None,
            marker="【有效】",
        ),
        Case("late_interp", "某市经济困难老年人补贴实施办法", "bd1", 0, interp="late"),
        Case(
            "holiday_ontime",
            "某市孤儿基本生活保障办法",
            "p_strong",
            0,
            validity="全文有效",
            interp="holiday_ontime",
        ),
        Case(
            "no_interp",
            "某市养老服务设施布局管理办法",
            "div_rows",
            60,
            interp="none",
            expect=[("missing_interpretation", {"reason": "no_interpretation"})],
        ),
        Case(
            "no_backlink",
            "某市社会工作者职业水平补贴办法",
            "inline",
            65,
            interp="no_backlink",
            expect=[],  # the 解读 page carries the one-way finding (_plan_interpretation)
        ),
        Case(
            "original_lacks_link",
            "某市低收入人口动态监测管理办法",
            "dl",
            0,
            interp="late",
            doc_links_interp=False,
            expect=[
                (
                    "missing_interpretation",
                    {"reason": "original_lacks_link", "one_way": "original_lacks_link"},
                )
            ],
        ),
        Case(
            "navigation_traps",
            "某市社区养老服务驿站运营管理办法",
            "bd1",
            40,
            column="zcwj",
            interp="none",
            navigation_traps=True,
            expect=[("missing_interpretation", {"reason": "no_interpretation"})],
        ),
        Case(
            "commented_period",
            "某市区划地名管理办法",
            "p_strong",
            90,
            comments=(
                "<p><strong>有效期至</strong>：{past}</p>",
                "<p><strong>有效性</strong>：失效</p>",
            ),
        ),
        Case(
            "policy_column",
            "某市最低生活保障边缘家庭认定办法（试行）",
            "bd1",
            100,
            column="zcwj",
            registration=True,
            base_href=True,
        ),
        Case("amended", "某市志愿服务记录管理办法", "dl", 300, validity="已修改", wrapper=False),
        Case(
            "not_yet_effective",
            "某市困境儿童分类保障办法",
            "div_rows",
            8,
            validity="尚未生效",
            effective=-30,
            wrapper=False,
        ),
        *_layout_cases(),
    ]


def _layout_cases() -> list[Case]:
    """Metadata in the other layouts seen in practice, each complete (no finding) unless the
    case plants one: what a reader must find wherever the page shows it."""
    return [
        Case("label_rows", "某市社会救助申请审核确认办法", "label_rows", 110),
        Case("split_labels", "某市养老服务补贴发放管理办法", "split_labels", 120),
        # a numbered document whose 成文日期 is only in its 落款: no field missing
        Case("signature_only", "某市社区养老服务驿站管理办法", "dl", 130, written_shown=False),
        # 生成日期 is shown, 成文日期 nowhere: 成文日期 is missing, whatever 生成日期 says
        Case(
            "generated_not_written",
            "某市社会组织评估管理办法",
            "dl",
            140,
            written_shown=False,
            signed=False,
            generated=True,
            expect=[("missing_document_fields", {"missing": ["written_date"]})],
        ),
    ]


def _interp_dates(as_of: dt.date, case: Case, published: dt.date) -> tuple[dt.date, dt.date]:
    """(document published, 解读 published) for the case's timing."""
    if case.interp in ("late", "holiday_ontime"):
        pair = last_long_break(ago(as_of, 20), ago(as_of, 365))
        if pair and add_working_days(pair[0], 6)[0] > as_of:
            pair = None
        if pair is None:  # no calendar data: a Friday and the Monday after it
            friday = ago(as_of, 30)
            friday -= dt.timedelta(days=(friday.weekday() - 4) % 7)
            pair = (friday, friday + dt.timedelta(days=3))
        doc = pair[0]
        if case.interp == "late":
            return doc, add_working_days(doc, 6)[0]
        return doc, pair[1]
    return published, min(add_working_days(published, 1)[0], as_of)


class DocumentPlanner:
    def __init__(self, portal: Portal, plans: dict[str, ColumnPlan]) -> None:
        self.portal = portal
        self.plans = plans
        self.as_of = portal.as_of
        self.serial = 0
        self.navigation_trap_path: str | None = None

    # -- helpers -------------------------------------------------------------------------
    def _path(self, column: str, date: dt.date) -> str:
        n = self.portal.next_id()
        return f"{self.plans[column].dir}/{date:%Y%m}/t{date:%Y%m%d}_{n}.html"

    def _crumbs(self, column: str) -> list[tuple[str, str | None]]:
        return self.plans[column].crumbs()

    def _add_item(self, column: str, item: Item) -> None:
        self.plans[column].items.append(item)

    def _number(self, year: int, kind: str = "规") -> str:
        self.serial += 1
        return f"某民{kind}〔{year}〕{self.serial}号"

    # -- planning ------------------------------------------------------------------------
    def plan(self) -> None:
        for case in _cases(self.as_of):
            self._plan_case(case)
        self._plan_traps()
        self._plan_generic_name_row()
        for key in ("gfxwj", "zcwj", "zcjd", "tzgg"):
            self.plans[key].items.sort(key=lambda it: it.date or dt.date.min, reverse=True)

    def plan_rule(self, key: str, core: str, layout: str, published: int, **options: Any) -> None:
        """One more normative document case (sampleportal/normative_traps.py plants some)."""
        self._plan_case(Case(key, core, layout, published, **options))

    def _plan_case(self, case: Case) -> None:
        as_of, truth = self.as_of, self.portal.truth
        published = previous_workday(ago(as_of, case.published))
        published, interp_date = _interp_dates(as_of, case, published)
        written = previous_workday(published - dt.timedelta(days=case.written_gap))
        effective = ago(as_of, case.effective) if case.effective is not None else None
        title = f"{SITE_NAME}关于印发《{case.core}》的通知" if case.wrapper else case.core
        full_title = (case.marker or "") + title
        number = self._number(written.year, case.number_kind) if case.numbered else None
        path = self._path(case.column, published)
        jd_path = None if case.interp == "none" else self._path("zcjd", interp_date)
        values: dict[str, str | dt.date | None] = {
            "index_no": f"11000000MB0000000X/{written.year}-{self.portal.next_id():05d}",
            "subject": "民政、扶贫、救灾",
            "issuer": SITE_NAME,
            "written": written if case.written_shown else None,
            "doc_number": number,
            "published": published,
            "generated": published + dt.timedelta(days=1) if case.generated else None,
            "effective": effective,
            "valid_until": ago(as_of, case.valid_until) if case.valid_until is not None else None,
            "repeal_date": ago(as_of, case.repeal) if case.repeal is not None else None,
            "registration_no": f"MZJ-{written.year}-{self.serial:03d}"
            if case.registration
            else None,
            "validity": case.validity,
        }
        meta = meta_block(case.layout, full_title, values)
        related = ""
        head: list[str] = []
        if jd_path and case.doc_links_interp:
            href = jd_path
            if case.base_href:
                head.append('<base href="/xxgk/zcjd/">')
                href = posixpath.relpath(jd_path, "/xxgk/zcjd")
                truth.good(
                    path, jd_path, "base_href: resolves against <base href>, not the page URL"
                )
            related = (
                '<div class="related"><h3>相关解读</h3><ul>'
                f'<li><a href="{href}">关于《{escape(case.core)}》的政策解读</a></li></ul></div>\n'
            )
        comments = [c.format(past=cn_date(ago(as_of, 30))) for c in case.comments]
        body = self._body(case, effective or published, written)
        main = document_main(full_title, meta, body, related=related, comments=comments)
        spec = PageSpec(
            path,
            full_title,
            self._crumbs(case.column),
            main,
            kind="document",
            head_extra=head,
            date=published.isoformat(),
        )
        self.portal.add(spec)
        if case.navigation_traps:
            self.navigation_trap_path = path
        self._add_item(case.column, Item(full_title, path, published, number))
        for check, detail in case.expect:
            page = path
            truth.expect(check, page, key={"case": case.key}, detail=detail)
        if case.interp in ("late",):
            days, fallback = working_days_between(published, interp_date)
            unknown = unconfirmed_years(published, interp_date) if fallback else []
            # counted Mon–Fri for a year without a holiday source: left to a person, unless
            # late whatever that year's notice says (3: the interpretation deadline)
            review = bool(unknown) and not late_regardless(days, 3, unknown)
            truth.expect(
                "late_interpretation",
                path,
                key={"case": case.key},
                detail={
                    "published": published.isoformat(),
                    "interpretation": jd_path,
                    "interpretation_published": interp_date.isoformat(),
                    "working_days": days,
                    "calendar_days": (interp_date - published).days,
                    "fallback": fallback,
                    **({"needs_review": True} if review else {}),
                },
            )
        if jd_path:
            self._plan_interpretation(case, path, title, jd_path, interp_date, published)
        truth.documents.append(
            Document(
                path=path,
                title=full_title,
                normative=True,
                doc_number=number,
                # shown in the metadata, or read from the 落款 of a numbered document
                written_date=written.isoformat()
                if case.written_shown or (case.signed and number)
                else None,
                published_date=published.isoformat(),
                validity=VALIDITY_NORMAL.get(case.validity or "")
                or _MARKER_NORMAL.get(case.marker or ""),
                validity_raw=case.validity,
                title_marker=case.marker,
                interpretation=jd_path if case.doc_links_interp else None,
                layout=case.layout,
                column=self.plans[case.column].spec.name,
                case=case.key,
            )
        )

    def _body(self, case: Case, start: dt.date, written: dt.date) -> str:
        topic = case.core.removeprefix("某市").removesuffix("（试行）")
        for suffix in (
            "实施细则",
            "实施办法",
            "管理办法",
            "管理规定",
            "办法",
            "规定",
            "细则",
            "规范",
        ):
            topic = topic.removesuffix(suffix)
        clauses = [
            f"第一条　为规范{topic}相关工作，根据有关法律法规，结合本市实际，制定本办法。",
            "第二条　本办法适用于本市行政区域内的相关工作。",
            "第三条　市民政局负责全市相关工作的统筹协调和监督管理。",
            "第四条　各区民政部门负责本辖区相关工作的组织实施。",
        ]
        if case.period_years:
            last = f"第五条　本办法自{cn_date(start)}起施行，有效期{case.period_years}年。"
        else:
            last = f"第五条　本办法自{cn_date(start)}起施行。"
        clauses.append(last)
        ps = "".join(f'<p id="tiaokuan{i}">{c}</p>\n' for i, c in enumerate(clauses, 1))
        head = (
            f"<p>各区民政局，局属各单位：</p>\n<p>现将《{case.core}》印发给你们，请认真贯彻执行。</p>\n"
            if case.wrapper
            else ""
        )
        sign = (
            f'<p class="sign">{SITE_NAME}</p>\n<p class="sign">{cn_date(written)}</p>\n'
            if case.signed
            else ""
        )
        return head + ps + sign

    def _plan_interpretation(
        self, case: Case, doc_path: str, doc_title: str, path: str, date: dt.date, doc_date: dt.date
    ) -> None:
        truth = self.portal.truth
        title = f"关于《{case.core}》的政策解读"
        paragraphs = [
            f"一、起草背景：为贯彻落实有关工作部署，{SITE_NAME}起草了《{case.core}》。",
            "二、主要内容：明确了适用范围、职责分工、工作程序和监督管理等内容。",
            "三、施行时间：与原文一致。",
        ]
        main = news_main(title, date, SITE_NAME, paragraphs)
        extras = []
        if case.interp != "no_backlink":
            frag = "#tiaokuan2" if case.key == "clean" else ""
            extras.append(
                f'<p class="origin">原文链接：<a href="{doc_path}{frag}">{escape(doc_title)}</a></p>\n'
            )
            if frag:
                truth.good(path, doc_path, "fragment #tiaokuan2 exists on the target page")
        else:
            # The document links this 解读 but not back: one-way, the 解读 page lacks the link.
            truth.expect(
                "missing_interpretation",
                path,
                key={"case": case.key},
                detail={
                    "reason": "interpretation_lacks_link",
                    "one_way": "interpretation_lacks_link",
                    "document": doc_path,
                },
            )
        spec = PageSpec(
            path, title, self._crumbs("zcjd"), main, extras=extras, date=date.isoformat()
        )
        self.portal.add(spec)
        self._add_item("zcjd", Item(title, path, date))
        truth.documents.append(
            Document.plain(
                path,
                title,
                date.isoformat(),
                is_interpretation=True,
                interprets=doc_path,
                column="政策解读",
                case=f"interpretation:{case.interp}",
            )
        )
        if case.interp == "holiday_ontime":
            days, fallback = working_days_between(doc_date, date)
            truth.notes["holiday_interpretation"] = (
                f"{doc_path} published {doc_date}, its 解读 {date}: {(date - doc_date).days} "
                f"calendar days but {days} working day(s){' (Mon–Fri fallback)' if fallback else ''}"
                " — on time; a calendar-day count would call it late."
            )

    # -- non-normative traps -------------------------------------------------------------
    def _plan_traps(self) -> None:
        as_of, truth = self.as_of, self.portal.truth
        last_year = as_of.year - 1
        traps = [
            ("reply", f"{SITE_NAME}关于同意设立某市养老服务协会的批复", "bd1", 20, "复"),
            ("statistics", f"{last_year}年某市民政事业发展统计公报", "dl", 50, None),
            ("work_plan", f"{SITE_NAME}{as_of.year}年工作要点", "div_rows", 15, "发"),
        ]
        for key, title, layout, days, kind in traps:
            published = previous_workday(ago(as_of, days))
            written = previous_workday(published - dt.timedelta(days=2))
            shown_written = None if key == "statistics" else written  # 公报 show one date
            number = self._number(written.year, kind) if kind else None
            values: dict[str, str | dt.date | None] = {
                "index_no": f"11000000MB0000000X/{written.year}-{self.portal.next_id():05d}",
                "subject": "统计公报" if key == "statistics" else "民政",
                "issuer": SITE_NAME,
                "written": shown_written,
                "doc_number": number,
                "published": published,
            }
            body = "".join(f"<p>{p}</p>\n" for p in self.portal.text.paragraphs(3))
            path = self._path("zcwj", published)
            main = document_main(title, meta_block(layout, title, values), body)
            self.portal.add(PageSpec(path, title, self._crumbs("zcwj"), main, kind="document"))
            self._add_item("zcwj", Item(title, path, published, number))
            truth.documents.append(
                Document(
                    path=path,
                    title=title,
                    normative=False,
                    doc_number=number,
                    written_date=shown_written.isoformat() if shown_written else None,
                    published_date=published.isoformat(),
                    validity=None,
                    validity_raw=None,
                    title_marker=None,
                    interpretation=None,
                    layout=layout,
                    column="政策文件",
                    case=f"trap:{key}",
                )
            )
        self._plan_commented_notice()
        self._plan_validity_words_news()
        self._plan_navigation_traps()
        plan_normative_traps(self)

    def _plan_commented_notice(self) -> None:
        """A notice whose only 有效期/有效性 rows are inside HTML comments."""
        as_of = self.as_of
        published = previous_workday(ago(as_of, 12))
        title = f"关于开展{as_of.year}年“敬老月”活动的通知"
        path = self._path("tzgg", published)
        body = self.portal.text.paragraphs(3)
        main = news_main(title, published, SITE_NAME, body, back="../index.html")
        past = cn_date(ago(as_of, 40))
        comment = (
            f"<!--<p><strong>有效期</strong>：{past}</p>-->\n"
            "<!--<p><strong>有效性</strong>：有效</p>-->\n"
        )
        spec = PageSpec(
            path, title, self._crumbs("tzgg"), main, extras=[comment], date=published.isoformat()
        )
        self.portal.add(spec)
        self._add_item("tzgg", Item(title, path, published))
        self.portal.truth.documents.append(
            Document.plain(
                path,
                title,
                published.isoformat(),
                column="通知公告",
                case="trap:validity_only_in_comment",
            )
        )

    def _plan_validity_words_news(self) -> None:
        """A work-news article whose text says 有效 and 废止 (never a validity label)."""
        plan = self.plans["gzdt"]
        item = plan.items[1]
        spec = self.portal.page(item.path)
        spec.extras.append(
            "<p>会议要求，要推动各项救助政策有效衔接，对不适应当前工作要求的制度及时提出"
            "修改或者废止的建议，确保政策落地见效。</p>\n"
        )
        self.portal.truth.documents.append(
            Document.plain(
                item.path,
                item.title,
                item.date.isoformat() if item.date else None,
                column="工作动态",
                case="trap:news_with_validity_words",
            )
        )

    def _plan_navigation_traps(self) -> None:
        """A document with no 解读 of its own whose page is full of links that say 解读 or 图说:
        a column menu to the 政策解读 and 图说 columns, a breadcrumb through 政策文件及解读, and a
        相关阅读 box of other documents' 解读 and a photo story. None is its interpretation."""
        if self.navigation_trap_path is None:
            return
        spec = self.portal.page(self.navigation_trap_path)
        spec.crumbs = [
            ("首页", "/"),
            ("政务公开", "/xxgk/index.html"),
            ("政策文件及解读", self.plans["zcwj"].spec.path),
            ("正文", None),
        ]
        spec.sidebar = (
            "<h2>政务公开</h2><ul>"
            f'<li><a href="{self.plans["zcjd"].spec.path}">政策解读</a></li>'
            f'<li><a href="{self.plans["tpxw"].spec.path}">图说民政</a></li>'
            f'<li><a href="{self.plans["gfxwj"].spec.path}">规范性文件</a></li></ul>'
        )
        # the two newest: they sit on the 解读 column's first list page, so linking them here
        # leaves the pages only its pager reaches as they were
        interps = [d for d in self.portal.truth.documents if d.is_interpretation]
        others = sorted(interps, key=lambda d: d.published_date or "", reverse=True)[:2]
        photo = self.plans["tpxw"].items[0]
        rows = "".join(f'<li><a href="{d.path}">{escape(d.title)}</a></li>' for d in others)
        rows += f'<li><a href="{photo.path}">图说：{escape(photo.title)}</a></li>'
        spec.extras.append(f'<div class="xgyd"><h3>相关阅读</h3><ul>{rows}</ul></div>\n')

    def _plan_generic_name_row(self) -> None:
        """A procurement notice whose metadata table has a 名称 row naming the goods: the
        page's heading is its title, not the row."""
        as_of = self.as_of
        published = previous_workday(ago(as_of, 18))
        title = f"{SITE_NAME}养老服务设备采购项目公开招标公告"
        index_no = f"11000000MB0000000X/{published.year}-{self.portal.next_id():05d}"
        block = (
            '<table class="xxgk-table">\n'
            f"<tr><th>索引号</th><td>{index_no}</td><th>发布机构</th><td>{SITE_NAME}</td></tr>\n"
            '<tr><th>名称</th><td colspan="3">养老服务设备</td></tr>\n'
            f'<tr><th>发布日期</th><td colspan="3">{cn_date(published)}</td></tr>\n</table>\n'
        )
        body = (
            "<p>一、项目名称：养老服务设备采购项目。</p>\n"
            "<p>二、采购内容：社区养老服务站点所需的康复训练和适老化设备一批。</p>\n"
            "<p>三、投标人资格要求：具有独立承担民事责任的能力，具有良好的商业信誉。</p>\n"
            "<p>四、获取招标文件：请于公告发布之日起五个工作日内在政府采购网获取。</p>\n"
        )
        path = self._path("tzgg", published)
        main = document_main(title, block, body)
        spec = PageSpec(path, title, self._crumbs("tzgg"), main, date=published.isoformat())
        self.portal.add(spec)
        self._add_item("tzgg", Item(title, path, published))
        self.portal.truth.documents.append(
            Document.plain(
                path,
                title,
                published.isoformat(),
                layout="generic_name_row",
                column="通知公告",
                case="trap:generic_name_row",
            )
        )


def plan_documents(portal: Portal, plans: dict[str, ColumnPlan]) -> None:
    DocumentPlanner(portal, plans).plan()
