"""Is a document a 行政规范性文件? Three answers — normative, not normative, needs review — each
with its basis (a code the reports put into words) and the reason in Chinese (docs/CHECKS.md,
"Normative documents").

The site's own word decides first: a 规范性文件 column, a 规范性文件登记号/统一编号, a number
reserved for them (…规〔2023〕5号), 规范性文件 in its metadata (文件类型, 主题分类, 体裁 …).
Without it, a page is normative when it has a 发文字号 **and** its title names a rule (办法,
规定, 细则, 实施意见, 若干措施 …) or transmits one (关于印发《…管理办法》的通知). A 发文字号
alone never is: most numbered 通知 of a bureau are work arrangements. What is genuinely
ambiguous — a numbered 意见 or 决定, a numbered 通知/公告 whose title or final clause reads like a
rule, a column or metadata that says 规范性文件 over a 批复 — is "needs review":
reported at low severity for a person to decide, never scored.
"""

from __future__ import annotations

import re
from collections.abc import Iterable, Sequence
from dataclasses import dataclass

from extract.docmeta import strip_title_marker

NORMATIVE = "normative"
NOT_NORMATIVE = "not_normative"
NEEDS_REVIEW = "needs_review"


@dataclass(frozen=True)
class NormativeDecision:
    """What the classifier decided, on which basis, and why in words.

    ``basis`` is a stable code (reports/labels ``normative_basis.*`` say it in each language);
    ``signal`` is the page's own word that decided (a column name, a number, a doc type).
    """

    decision: str  # normative | not_normative | needs_review
    basis: str
    reason: str
    signal: str | None = None

    @property
    def is_normative(self) -> bool:
        return self.decision == NORMATIVE

    @property
    def needs_review(self) -> bool:
        return self.decision == NEEDS_REVIEW


# ---- what a title says ---------------------------------------------------------------------
# Doc types that are rules (规章类文种) when the page has a 发文字号.
RULE_TYPES = (
    "实施细则", "实施办法", "实施意见", "暂行办法", "暂行规定", "管理办法", "管理规定",
    "若干规定", "若干措施", "若干意见", "若干政策", "政策措施", "办法", "规定", "细则", "规则",
    "规范", "准则", "规程", "标准", "措施",
)  # fmt: skip
# Doc types a legal officer cannot place from the title alone: a 意见 may be policy or
# guidance to lower offices, a 决定 may repeal rules or decide one case, a 通告 may bind the
# public or announce a road closure.
AMBIGUOUS_TYPES = ("指导意见", "意见", "决定", "通告", "命令")
# Never 行政规范性文件: answers to one body, letters, laws and regulations, reports, plans,
# internal rules (国办发〔2018〕37号 leaves 内部执行的管理规范、工作制度、会议纪要、工作方案、请示报告、
# 表彰奖惩、人事任免 out of 规范性文件 management).
NON_NORMATIVE_TYPES = (
    "批复", "复函", "函", "条例", "法", "公报", "通报", "报告", "纪要", "讲话", "总结", "要点",
    "计划", "方案", "规划", "名单", "公示", "工作规则", "议事规则", "会议规则", "工作制度",
    "请示", "答复", "简报", "倡议书", "决议", "处理意见", "审查意见", "答复意见", "指南",
)  # fmt: skip
NOTICE_TYPES = ("通知", "公告")

_NEWS_COLUMN_RE = re.compile(r"要闻|动态|新闻|资讯|头条|快讯|图片|视频|媒体|工作信息|简报")
# A column named 规范性文件 that holds something else: its 解读, its 清理 results, drafts.
_NOT_RULE_COLUMN_RE = re.compile(r"解读|清理|备案|征求|草案|意见征集")
# Titles of routine business: never a rule, whatever the number.
_ROUTINE_TITLE_RE = re.compile(
    r"表彰|通报批评|任免|任职|免职|处分|召开|举办|放假|值班|招聘|招考|录用"
    r"|采购|招标|中标|成交|培训班|评选|名单|拟推荐|公示"
)
# Drafts for comment are not (yet) documents at all.
_DRAFT_RE = re.compile(r"征求意见|征集意见|意见征集|草案|送审稿")
# 关于做好/开展/组织…的通知: a work arrangement (docs/CHECKS.md), even when it mentions 规范.
_WORK_VERB_RE = re.compile(
    r"关于(?:进一步|认真|切实|全力|扎实|继续|全面|深入)?"
    r"(?:做好|开展|组织|召开|举办|举行|启动|部署|报送|上报|填报|推荐|申报|征集|评选|下达|拨付"
    r"|分配|公布|成立)"
)
# Campaigns, meetings, inspections: work too, unless the title also reads like a rule
# (关于规范…经营活动的通知 is left to a person).
_WORK_NOUN_RE = re.compile(
    r"专项行动|专项整治|专项检查|专项治理|集中整治|大排查|排查|督查|检查|考核|验收|调研|统计|普查"
    r"|竞赛|比赛|演练|宣传周|宣传月|活动|会议|培训|领导小组|工作专班|组成人员|工作要点|工作安排"
)
# A numbered 通知/公告 whose title reads like a rule for the public: needs a person.
_RULE_LIKE_TITLE_RE = re.compile(
    r"有关问题|若干问题|几个问题|具体问题|有关政策|(?:调整|提高|明确|统一|执行).{0,12}(?:标准|政策|范围|价格|收费)"
    r"|(?:加强|严格).{0,12}管理(?!工作)|规范.{0,16}(?:管理|行为|活动|秩序|程序|收费)|进一步规范|建立.{0,12}(?:制度|机制)|实行|停止执行|废止|修改|禁止"
)
# The transmitted document: 关于印发《…》的通知, or without brackets 关于印发…的通知.
_TRANSMIT_BRACKETS_RE = re.compile(r"(?:印发|转发|颁布|发布|公布)(?:.*?)《([^》]{2,80})》")
_TRANSMIT_PLAIN_RE = re.compile(r"(?:印发|转发|颁布|发布)(.{2,80}?)的(?:通知|公告|通告)$")
_TYPE_SUFFIX_STRIP = "》」』”\"'）)】］] 　"
# Numbers of letters, telegrams, appointments and replies: not normative documents.
_NON_NORMATIVE_NUMBER_RE = re.compile(r"函|电|任|复|纪要|\[\s*\]|明传")
_DECREE_NUMBER_RE = re.compile(r"令.*第|第.*号令")
# 京政规〔2023〕N号: numbering reserved for 规范性文件.
_RULE_NUMBER_RE = re.compile(r"规[〔\[［(（【]")
# Registration labels that can only mean a 规范性文件's (统一登记号 is the 备案 number).
_RULE_REGISTRATION_LABEL_RE = re.compile(r"规范性文件|统一登记号")
# Metadata labels that can state the page is not a 规范性文件: 是否规范性文件：否.
_FLAG_LABELS = ("是否规范性文件", "是否为规范性文件", "是否行政规范性文件")


def doc_type(title: str, types: Sequence[str]) -> str | None:
    """The doc type ``title`` ends with (办法（试行） counts as 办法), longest first."""
    core = title.rstrip(_TYPE_SUFFIX_STRIP)
    core = re.sub(r"[（(][^（()）]{1,12}[)）]$", "", core).rstrip(_TYPE_SUFFIX_STRIP)
    for word in sorted(types, key=len, reverse=True):  # 办法 before 法, 工作规则 before 规则
        if core.endswith(word):
            return word
    return None


# Every doc type a title can end in (what a 解读's title never ends in).
DOCUMENT_TYPES = NON_NORMATIVE_TYPES + RULE_TYPES + AMBIGUOUS_TYPES + NOTICE_TYPES
_ALL_TYPES = DOCUMENT_TYPES


def _transmitted(title: str) -> str | None:
    m = _TRANSMIT_BRACKETS_RE.search(title) or _TRANSMIT_PLAIN_RE.search(title)
    return m.group(1) if m else None


def title_type(title: str) -> tuple[str | None, bool]:
    """(the doc type that counts, whether it is a transmitted document's): a 通知 that
    印发/转发 another document takes that document's type, unwrapped as often as it nests."""
    own = doc_type(title, _ALL_TYPES)
    transmits = False
    for _ in range(3):
        if own not in NOTICE_TYPES:
            break
        inner = _transmitted(title)
        if not inner:
            break
        inner_type = doc_type(inner, _ALL_TYPES)
        if inner_type is None:
            break
        own, title, transmits = inner_type, inner, True
    return own, transmits


# ---- the decision --------------------------------------------------------------------------
def _says_normative(metadata: Iterable[tuple[str, str]]) -> tuple[str | None, bool]:
    """(the metadata value that says 规范性文件, whether a field says it is not one)."""
    for label, value in metadata:
        value = (value or "").strip()
        if label in _FLAG_LABELS:
            if value.startswith("否"):
                return None, True
            if value.startswith("是"):
                return f"{label}：{value}", False
        elif "规范性文件" in value and not re.search(r"非规范性|解读|清理", value):
            return f"{label}：{value}", False
    return None, False


def classify_normative(
    title: str | None,
    doc_number: str | None,
    *,
    registration_no: str | None = None,
    registration_label: str | None = None,
    column_name: str | None = None,
    is_interpretation: bool = False,
    metadata: Iterable[tuple[str, str]] = (),
    rule_clause: str | None = None,
) -> NormativeDecision:
    """The decision for one document page from the signals docs/CHECKS.md names.

    ``registration_label``: the label the registration number was shown under; a generic one
    (登记编号, 统一编号) is a 规范性文件's number only on a page whose title is not routine
    business. ``metadata``: (label, value) of the page's classification fields (文件类型,
    主题分类, 体裁, 是否规范性文件 …). ``rule_clause``: the body's own 施行/有效期 clause, if any.
    """
    title = strip_title_marker(title or "")
    column = column_name or ""
    number = doc_number or ""
    if is_interpretation:
        return _no("interpretation", "政策解读页（解读材料不是规范性文件）")
    declared, declared_not = _says_normative(metadata)
    if declared_not:
        return _no("metadata_not_normative", "页面元数据注明不是规范性文件")
    if number and _DECREE_NUMBER_RE.search(number):
        return _no("decree_number", f"令号 {number}：行政法规或规章，不是行政规范性文件", number)
    if column and _NEWS_COLUMN_RE.search(column) and "规范性文件" not in column:
        return _no("news_column", f"所在栏目“{column}”为新闻动态类", column)
    if _DRAFT_RE.search(title):
        return _no("draft", "征求意见稿或草案，尚未成为正式文件")
    kind, transmits = title_type(title)
    generic_label = not _RULE_REGISTRATION_LABEL_RE.search(registration_label or "规范性文件")
    if generic_label and (kind in NON_NORMATIVE_TYPES or _ROUTINE_TITLE_RE.search(title)):
        registration_no = None  # a 公示's 登记编号 is not a 规范性文件登记号
    site_says = _site_says(kind, number, registration_no, declared, column)
    if site_says is not None:
        return site_says
    return _from_title(title, kind, transmits, number, rule_clause)


def _site_says(
    kind: str | None, number: str, registration_no: str | None, declared: str | None, column: str
) -> NormativeDecision | None:
    """The site's own word: a registration number, a 规 number, metadata, a column."""
    if registration_no:
        return _yes("registration_no", f"有规范性文件登记号 {registration_no}", registration_no)
    if number and _RULE_NUMBER_RE.search(number):
        return _yes("rule_number", f"发文字号 {number} 为规范性文件编号（X规〔年〕号）", number)
    non_rule = kind in NON_NORMATIVE_TYPES
    if declared:
        if non_rule:
            return _review(
                "declared_but_type", f"元数据注明“{declared}”，但标题文种为“{kind}”", kind
            )
        return _yes("metadata", f"页面元数据注明“{declared}”", declared)
    if "规范性文件" in column and not _NOT_RULE_COLUMN_RE.search(column):
        if non_rule:
            return _review("column_but_type", f"位于“{column}”栏目，但标题文种为“{kind}”", kind)
        return _yes("rule_column", f"位于“{column}”栏目", column)
    return None


def _from_title(
    title: str, kind: str | None, transmits: bool, number: str, rule_clause: str | None
) -> NormativeDecision:
    """A 发文字号 and a rule's doc type make a normative document; a number alone does not."""
    if kind in NON_NORMATIVE_TYPES:
        return _no("non_normative_type", f"标题文种为“{kind}”，不是行政规范性文件", kind)
    if _ROUTINE_TITLE_RE.search(title):
        return _no("routine_title", "标题表明为事务性文件（表彰、任免、会议、招聘、采购等）")
    if not number:
        return _no("no_doc_number", "无发文字号，也无规范性文件栏目、登记号等标识")
    if _NON_NORMATIVE_NUMBER_RE.search(number):
        return _no("letter_number", f"发文字号 {number} 为函、电报、任免或批复类编号", number)
    if kind in RULE_TYPES:
        if transmits:
            return _yes("transmits_rule", f"发文字号 {number}，印发的文件文种为“{kind}”", kind)
        return _yes("rule_type", f"发文字号 {number}，标题文种为“{kind}”", kind)
    work = f"发文字号 {number}，标题表明为工作安排（开展、做好、部署、专项行动等）"
    if _WORK_VERB_RE.search(title):
        return _no("work_arrangement", work, number)
    if kind in AMBIGUOUS_TYPES:
        return _review("ambiguous_type", f"发文字号 {number}，标题文种为“{kind}”，需人工判断", kind)
    # A notice reads like a rule by its title (over campaign words), else by its final clause.
    if kind in NOTICE_TYPES and _RULE_LIKE_TITLE_RE.search(title):
        return _review(
            "rule_like_notice", f"有发文字号的“{kind}”，标题涉及规范性事项，需人工判断", kind
        )
    if _WORK_NOUN_RE.search(title):
        return _no("work_arrangement", work, number)
    if kind in NOTICE_TYPES and rule_clause:
        return _review(
            "rule_like_notice", f"有发文字号的“{kind}”，正文载明施行日期或有效期，需人工判断", kind
        )
    return _no(
        "number_only",
        f"仅有发文字号 {number}，标题未表明规章类文种（发文字号本身不构成规范性文件）",
        number,
    )


def _yes(basis: str, reason: str, signal: str | None = None) -> NormativeDecision:
    return NormativeDecision(NORMATIVE, basis, reason, signal)


def _no(basis: str, reason: str, signal: str | None = None) -> NormativeDecision:
    return NormativeDecision(NOT_NORMATIVE, basis, reason, signal)


def _review(basis: str, reason: str, signal: str | None = None) -> NormativeDecision:
    return NormativeDecision(NEEDS_REVIEW, basis, reason, signal)
