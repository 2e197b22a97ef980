"""Is a document a 行政规范性文件, and why (in words for the report)? From its title's
doc type, its 发文字号, a registration number and the column it sits in (docs/CHECKS.md)."""

from __future__ import annotations

import re
from collections.abc import Sequence

from extract.docmeta import strip_title_marker

_NEWS_COLUMN_RE = re.compile(r"要闻|动态|新闻|资讯|头条|快讯|图片|视频|媒体|工作信息|简报")
# Doc types a title ends with, longest first (指导意见 before 意见).
_RULE_TYPES = (
    "实施细则", "实施办法", "实施意见", "指导意见", "暂行办法", "暂行规定", "管理办法", "若干规定",
    "若干措施", "办法", "规定", "细则", "规则", "意见", "决定", "规范", "标准", "准则", "规程",
    "守则", "措施", "通告", "命令",
)  # fmt: skip
_NON_NORMATIVE_TYPES = (
    "批复", "复函", "函", "条例", "法", "公报", "通报", "报告", "纪要", "讲话", "总结", "要点",
    "计划", "方案", "规划", "名单", "公示", "工作规则", "议事规则", "请示", "答复",
)  # fmt: skip
_NON_NORMATIVE_WORDS = re.compile(
    r"表彰|任免|召开|举办|放假|征求意见|征集意见|草案|招聘|招考|采购|中标|成交|培训班|评选|名单"
)
_TRANSMIT_RE = re.compile(r"(?:印发|转发|颁布|发布)(?:.*?)《([^》]{2,80})》")
_TYPE_SUFFIX_STRIP = "》」』”\"'）)】］] 　"
# Numbers of letters, decrees, telegrams, appointments: not normative documents.
_NON_NORMATIVE_NUMBER_RE = re.compile(r"函|令|电|任|复|纪要|\[\s*\]|明传")
# 京政规〔2023〕N号: numbering reserved for 规范性文件.
_RULE_NUMBER_RE = re.compile(r"规[〔\[［(（【]")


def _ends_with(title: str, words: Sequence[str]) -> str | None:
    core = title.rstrip(_TYPE_SUFFIX_STRIP)
    core = re.sub(r"[（(][^（()）]{1,12}[)）]$", "", core)  # 办法（试行）, 意见（暂行）
    for word in sorted(words, key=len, reverse=True):  # 办法 before 法, 工作规则 before 规则
        if core.endswith(word):
            return word
    return None


def classify_normative(
    title: str | None,
    doc_number: str | None,
    *,
    registration_no: str | None = None,
    column_name: str | None = None,
    is_interpretation: bool = False,
) -> tuple[bool, str]:
    """(is a 行政规范性文件, the reason in words) from the signals docs/CHECKS.md names.

    A 规范性文件 column or a registration number decides; otherwise a 发文字号 plus a title
    naming a rule. Never: 解读 pages, news columns, 批复/函, 行政法规 (条例, 令), statistical
    bulletins, internal work rules and plans, drafts for comment.
    """
    title = strip_title_marker(title or "")
    column = column_name or ""
    if is_interpretation:
        return False, "政策解读页（解读材料不是规范性文件）"
    if doc_number and "令" in doc_number and "第" in doc_number:
        return False, f"令号 {doc_number}：行政法规或规章，不是行政规范性文件"
    own_type = _ends_with(title, _NON_NORMATIVE_TYPES + _RULE_TYPES + ("通知", "公告"))
    inner = _TRANSMIT_RE.search(title)
    if own_type in ("通知", "公告") and inner:
        inner_type = _ends_with(inner.group(1), _NON_NORMATIVE_TYPES + _RULE_TYPES)
        own_type = inner_type or own_type
    if own_type in _NON_NORMATIVE_TYPES:
        return False, f"标题文种为“{own_type}”，不是行政规范性文件"
    if column and _NEWS_COLUMN_RE.search(column) and "规范性文件" not in column:
        return False, f"所在栏目“{column}”为新闻动态类"
    if "规范性文件" in column:
        return True, f"位于“{column}”栏目"
    if registration_no:
        return True, f"有规范性文件登记号 {registration_no}"
    if not doc_number:
        return False, "无发文字号"
    if _NON_NORMATIVE_WORDS.search(title):
        return False, "标题表明为事务性文件（表彰、会议、征求意见稿等）"
    if _RULE_NUMBER_RE.search(doc_number):
        return True, f"发文字号 {doc_number} 为规范性文件编号（X规〔年〕号）"
    if _NON_NORMATIVE_NUMBER_RE.search(doc_number):
        return False, f"发文字号 {doc_number} 为函、电报或任免类编号"
    if own_type in _RULE_TYPES:
        return True, f"发文字号 {doc_number}，标题文种为“{own_type}”"
    if own_type in ("通知", "公告"):
        return True, f"发文字号 {doc_number}，面向社会的“{own_type}”"
    return False, f"有发文字号 {doc_number}，但标题未表明规范性文种"
