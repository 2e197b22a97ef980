"""The labels the reports and exports print, in Chinese (default) and English: lookups over the
label table of each language (reports/labels/), plus the evidence keys' labels.

A missing label is a KeyError in the tests rather than a Chinese word in an English report.
Check titles and fix hints come from the finding specs (govpatrol/core/findings/); an id no spec
names is shown as itself.
"""

from __future__ import annotations

import re
from collections.abc import Mapping

from govpatrol.core.findings import FindingSpec
from reports import labels
from scoring.scorer import FAIL, PASS, indicator_titles

LANGS = labels.LANGS

# The small tables, ``key → (Chinese, English)``, read from the label table of each language
# (reports/labels/); the reports, the exports and the dashboard look them up with from_table.
LABELS = labels.pairs("report")
STATES = labels.pairs("state")
# The checks (checks/table.py names) a scan runs, as a reader names them: what an incomplete scan ran.
CHECK_NAMES = labels.pairs("check_name")
SEVERITIES = labels.pairs("severity")
_VERDICT_WORDS = labels.pairs("verdict")
VERDICTS: dict[str, tuple[str, str]] = {PASS: _VERDICT_WORDS["pass"], FAIL: _VERDICT_WORDS["fail"]}
SCAN_STATUSES = labels.pairs("scan_status")
CATEGORIES = labels.pairs("category")
VALIDITY = labels.pairs("validity")
# Where a document field was read (a document finding's detail.sources).
DOC_SOURCES = labels.pairs("doc_source")
# Why a page was (not) judged a 行政规范性文件: extract/normative.py's basis codes in words.
NORMATIVE_BASES = labels.pairs("normative_basis")
# Deduction weights a score line names when it is not the check's own (scoring/scorer.py).
WEIGHT_KEYS = labels.pairs("weight")

# Every evidence key (finding.detail, and the keys of the dicts inside it) a check emits:
# tests/test_evidence_labels.py fails when a check adds a key that has no label here.
EVIDENCE_KEYS: dict[str, tuple[str, str]] = {
    # links
    "status": ("状态码", "HTTP status"),
    "error": ("错误", "Error"),
    "kind": ("类型", "Kind"),
    "text": ("链接文字", "Link text"),
    "on_home": ("位于首页", "On the home page"),
    "tag": ("元素", "Element"),
    "attr": ("属性", "Attribute"),
    "redirects": ("重定向", "Redirects"),
    "fragment": ("锚点", "Anchor"),
    "url": ("地址", "Address"),
    # what a budget cut (scan.stats["cut"])
    "pages": ("涉及页面", "Pages concerned"),
    "listed": ("列为未核实的链接数", "Links listed as unverified"),
    # columns and the home page
    "column": ("栏目", "Column"),
    "category": ("栏目类别", "Column category"),
    "newest_date": ("最新信息日期", "Newest item"),
    "url_newest_date": ("地址中的最新日期", "Newest date in item addresses"),
    "cadence_days": ("更新周期（天）", "Cadence (days)"),
    "cadence_source": ("更新周期依据", "Cadence taken from"),
    "cadence_basis": ("依据的名称或信息", "Keyword or item it rests on"),
    "days_since": ("距今天数", "Days since"),
    "days_overdue": ("超期天数", "Days overdue"),
    "timeboxed": ("时限类栏目", "Time-boxed column"),
    "top_level": ("一级栏目", "Top-level column"),
    "placeholder": ("页面提示", "What the page says"),
    "item_count": ("信息条数", "Items"),
    "from_nav": ("位于导航", "In the navigation"),
    "fresh_days": ("时限（天）", "Limit (days)"),
    "dated_items": ("有日期的条目", "Dated items"),
    "navigation_only": ("仅导航首页", "Navigation-only home page"),
    # documents
    "title": ("标题", "Title"),
    "doc_number": ("发文字号", "Document number"),
    "doc_number_raw": ("发文字号原文", "Document number as written"),
    "validity": ("有效性", "Validity"),
    "validity_raw": ("有效性原文", "Validity as written"),
    "validity_label": ("有效性字段名", "Validity field name"),
    "validity_source": ("有效性来源", "Validity taken from"),
    "title_marker": ("标题标识", "Title marker"),
    "title_marker_validity": ("标题标识的有效性", "Validity of the title marker"),
    "written_date": ("成文日期", "Date written"),
    "published_date": ("发布日期", "Date published"),
    "effective_date": ("施行日期", "In force from"),
    "effective_text": ("施行日期原文", "In-force clause"),
    "repeal_date": ("废止日期", "Repealed on"),
    "valid_until": ("有效期至", "Valid until"),
    "as_of": ("评估日期", "Judged as of"),
    "period_years": ("正文所定有效期（年）", "Stated period (years)"),
    "period_text": ("有效期原文", "Period clause"),
    "default_years": ("默认有效期（年）", "Default period (years)"),
    "provisional": ("暂行或试行", "Provisional"),
    "basis": ("起算依据", "Counted from"),
    "basis_date": ("起算日期", "Start date"),
    "ends": ("届满日期", "Ended on"),
    "shown_labels": ("页面所列字段", "Fields shown"),
    "shown_fields": ("页面所列信息", "Metadata shown"),
    "sources": ("各要素的读取位置", "Where each field was read"),
    "index_no": ("索引号", "Index number"),
    "issuer": ("发布机构", "Issuer"),
    "registration_no": ("规范性文件登记号", "Registration number"),
    "missing": ("缺少", "Missing"),
    "recommended_missing": ("建议补充", "Recommended, missing"),
    "interpretations_linking_back": ("链接到本文件的解读", "Interpretations linking here"),
    "interpretation": ("解读页面", "Interpretation"),
    "interpretation_title": ("解读标题", "Interpretation title"),
    "interpretation_link": ("文件页上的解读链接", "Interpretation link on the document"),
    "match": ("判定相关的依据", "Judged related because"),
    "one_way": ("缺少链接的一侧", "Side lacking the link"),
    "document": ("政策原文", "Original document"),
    "document_title": ("原文标题", "Original's title"),
    "unrelated_links": ("指向其他文件解读的链接", "Links to other documents' interpretations"),
    "published": ("文件发布日期", "Document published"),
    "interpretation_published": ("解读发布日期", "Interpretation published"),
    "working_days": ("相隔工作日", "Working days between"),
    "calendar_days": ("相隔自然日", "Calendar days between"),
    "max_working_days": ("时限（工作日）", "Limit (working days)"),
    "fallback": ("工作日未经确认（缺少节假日安排）", "Working days unconfirmed (no holiday data)"),
    "calendar": ("工作日计算", "Working days counted by"),
    "fallback_years": ("仅按周一至周五计算的年份", "Years counted Monday to Friday only"),
    "late_regardless": (
        "无论节假日如何安排均已超期",
        "Late whatever those years' holiday notices say",
    ),
    "normative_reason": ("规范性文件判定依据", "Why judged a normative document"),
    "needs_review": ("待人工确认", "Needs review"),
    # accessibility and elderly-friendliness
    "rule": ("规则", "Rule"),
    "impact": ("影响程度", "Impact"),
    "nodes": ("涉及元素数", "Elements"),
    "selector": ("选择器", "Selector"),
    "snippet": ("代码片段", "Snippet"),
    "wcag": ("WCAG 条款", "WCAG criterion"),
    "standard": ("标准", "Standard"),
    "help": ("规则说明", "Rule description"),
    "help_url": ("规则说明链接", "Rule reference"),
    "source": ("检测方式", "Detected by"),
    "template": ("页面模板", "Page template"),
    "template_pages": ("同模板页面数", "Pages sharing the template"),
    "failing_pages": ("存在问题的页面数", "Failing pages"),
    "sample_pages": ("示例页面", "Example pages"),
    "reused_from_scan": ("沿用的巡检结果", "Result reused from scan"),
    "item": ("检查项", "Item"),
    "keywords": ("关键词", "Keywords"),
    "ads": ("广告", "Ads"),
    "count": ("数量", "Count"),
    "where": ("位置", "Where"),
    "popups": ("弹窗", "Pop-ups"),
    "coverage": ("遮挡比例", "Share of the screen covered"),
    "stops": ("可聚焦控件", "Focusable controls"),
    "without_indicator": ("无焦点标识的控件", "Controls without a focus indicator"),
    "samples": ("示例元素", "Example elements"),
    "walk_completed": ("键盘遍历完成", "Keyboard walk completed"),
    "foreground": ("文字颜色", "Text colour"),
    "background": ("背景颜色", "Background colour"),
    "contrast_ratio": ("对比度", "Contrast ratio"),
    "required_ratio": ("要求的对比度", "Required ratio"),
    "font_size": ("字号（像素）", "Font size (px)"),
    "bold": ("粗体", "Bold"),
    # availability
    "probes": ("探测次数", "Probes"),
    "failures": ("失败次数", "Failures"),
    "required": ("判定所需探测次数", "Probes required"),
    "ratio": ("失败占比", "Failure ratio"),
    "threshold": ("否决线", "Veto line"),
    "insufficient": ("探测次数不足", "Too few probes"),
    "window": ("统计期间", "Period"),
    "recent_errors": ("最近的错误", "Recent errors"),
    # interaction
    "asked": ("留言日期", "Asked on"),
    "answered": ("答复日期", "Answered on"),
    "unit": ("答复单位", "Answering office"),
    "days": ("天数", "Days"),
    "limit_days": ("时限（天）", "Limit (days)"),
    "stats": ("留言统计", "Message statistics"),
    "interaction_unanswered.status": ("页面所示状态", "State shown"),
    "stats.answered": ("已答复", "Answered"),
    "channels": ("咨询渠道", "Consultation channels"),
    "messages": ("留言总数", "Messages"),
    "in_window": ("统计期内留言", "Messages in the period"),
    "pending": ("未答复", "Unanswered"),
    "unknown": ("状态不明", "State unknown"),
    "overdue": ("超期", "Overdue"),
    "window_days": ("统计期（天）", "Period (days)"),
    "unanswered_days": ("答复时限（天）", "Answer limit (days)"),
    "reply_working_days": ("答复用时（工作日）", "Reply time (working days)"),
    "median": ("中位数", "Median"),
    "max": ("最长", "Longest"),
    "over_target_share": ("超过目标的比例", "Share over target"),
    "target_working_days": ("目标（工作日）", "Target (working days)"),
    # required pages
    "year": ("缺少的年度", "Missing year"),
    "deadline": ("截止日期", "Deadline"),
    "newest_year": ("已发布的最新年度", "Newest year published"),
    "query": ("检索词", "Search words"),
    "expected": ("应检索到的页面", "Page it should find"),
    "action": ("搜索地址", "Search address"),
    "result_url": ("搜索结果页", "Result page"),
    # personal data
    "kinds": ("信息类型", "Kinds"),
    "counts": ("数量", "Counts"),
    "samples_masked": ("示例（已脱敏）", "Examples (masked)"),
    "format": ("文件格式", "File format"),
    # outbound links
    "reason": ("原因", "Reason"),
    "reasons": ("原因", "Reasons"),
    "hiding": ("隐藏方式", "How it is hidden"),
    "links": ("隐藏的链接", "Hidden links"),
    "hijacked": ("指向不良内容的链接", "Links to harmful content"),
    "final_url": ("最终地址", "Final address"),
    "redirected_host": ("跳转到其他域名", "Redirected to another host"),
    "note": ("说明", "Note"),
    # site identity
    "shown": ("页面所示", "As shown"),
    "host": ("域名", "Host name"),
    "port": ("端口", "Port"),
    "not_after": ("证书到期日", "Certificate expires"),
    "days_left": ("剩余天数", "Days left"),
    "warn_days": ("提醒期限（天）", "Warning period (days)"),
    "verify_message": ("证书校验结果", "Certificate check result"),
    "addresses": ("IPv6 地址", "IPv6 addresses"),
    "resources": ("通过 http:// 加载的资源", "Resources loaded over http://"),
    "active": ("会被浏览器拦截", "Blocked by browsers"),
    "page": ("所在页面", "On page"),
    # serious expression errors
    "expression_rule": ("表述规则", "Expression rule"),
    "rule_kind": ("错误类型", "Kind of error"),
    "wrong_text": ("错误写法", "Wrong text"),
    "right_text": ("正确写法", "Right text"),
    "sentence": ("原句", "Sentence"),
    "rule_source": ("规则依据", "Rule based on"),
    "occurrences": ("本页出现次数", "Occurrences on the page"),
    # tampering and backdating, against the previous complete scan
    "similarity": ("文字相似度", "Text similarity"),
    "text_threshold": ("判定阈值", "Threshold"),
    "before_excerpt": ("上次的页面文字", "Page text before"),
    "after_excerpt": ("本次的页面文字", "Page text now"),
    "title_before": ("上次的标题", "Title before"),
    "title_after": ("本次的标题", "Title now"),
    "new_domains": ("新出现的外部域名", "New outside hosts"),
    "previous_scan_id": ("上次巡检编号", "Previous scan"),
    "previous_scan_date": ("上次巡检日期", "Previous scan date"),
    "column_url": ("栏目地址", "Column address"),
    "previous_oldest": ("上次第一页最下面一条的日期", "Bottom row of the first page then"),
    "previous_items": ("上次第一页列出的条目", "Rows the first page listed then"),
    "date": ("日期", "Date"),
    # dark links and injected code
    "technique": ("手法", "Technique"),
    "techniques": ("全部手法", "All techniques"),
    "target_host": ("外部域名", "Foreign host"),
    "target_verdict": ("按链接文字判断的内容", "What the link text advertises"),
    "written_by_script": ("由脚本写入", "Written by a script"),
    "pages_with_it": ("含有它的页面数", "Pages carrying it"),
    "visitor": ("访问身份", "Visitor"),
    "differences": ("不同之处", "What differs"),
    "via": ("隐藏途径", "Hidden through"),
    "obfuscated": ("脚本先解码再写入", "Decoded by the script first"),
    # link targets (the crawler's own detail)
    "robots_disallowed": ("robots.txt 禁止抓取", "Disallowed by robots.txt"),
}


def _pick(pair: tuple[str, str], lang: str) -> str:
    return pair[1] if lang == "en" else pair[0]


def t(key: str, lang: str = "zh", **values: object) -> str:
    """A label; ``values`` fill its ``{placeholders}``. Unknown keys raise (tests catch them)."""
    text = labels.label(f"report.{key}", lang)
    return text.format(**values) if values else text


def from_table(table: Mapping[str, tuple[str, str]], key: str | None, lang: str) -> str:
    """A translated value from one of the small tables, or the key itself when unknown."""
    pair = table.get(key or "")
    if pair is None:
        return key or ""
    return _pick(pair, lang)


# A Chinese term an English title keeps in brackets for reference: "Elderly-friendliness
# (适老化) problem". The English report says it without.
_CJK_ASIDE = re.compile(r"\s*[(（][^()（）]*[\u3400-\u9fff][^()（）]*[)）]")


def check_title(check: str, lang: str, infos: Mapping[str, FindingSpec]) -> str:
    info = infos.get(check)
    if info is None:
        return check
    return _CJK_ASIDE.sub("", info.title_en) if lang == "en" else info.title_zh


def weight_label(key: str, lang: str) -> str:
    """``home_link_penalty`` → 首页链接; ``check:low`` or ``low`` → the severity."""
    if key in WEIGHT_KEYS:
        return _pick(WEIGHT_KEYS[key], lang)
    return from_table(SEVERITIES, key.rsplit(":", 1)[-1], lang)


def check_hint(check: str, lang: str, infos: Mapping[str, FindingSpec]) -> str:
    info = infos.get(check)
    if info is None:
        return ""
    return info.hint_en if lang == "en" else info.hint_zh


def indicator_title(indicator: str, lang: str) -> str:
    return _pick(indicator_titles(indicator), lang)
