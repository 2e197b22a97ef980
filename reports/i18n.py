"""Every label the reports and exports print, in Chinese (default) and English.

One table, so a missing translation is a KeyError in the tests rather than a Chinese word in
an English report. Check titles and fix hints come from the finding specs (govpatrol/core/findings/); an
id no spec names is shown as itself.
"""

from __future__ import annotations

import re
from collections.abc import Mapping

from govpatrol.core.findings import FindingSpec
from scoring.scorer import FAIL, PASS, indicator_titles

LANGS = ("zh", "en")

LABELS: dict[str, tuple[str, str]] = {
    # report frame
    "site_report": ("网站巡检报告", "Website inspection report"),
    "org_overview": ("网站巡检情况通报", "Website inspection bulletin"),
    "site": ("网站", "Site"),
    "scan": ("巡检", "Scan"),
    "as_of": ("评估日期", "Judged as of"),
    "started": ("开始时间", "Started"),
    "finished": ("结束时间", "Finished"),
    "status": ("状态", "Status"),
    "trigger": ("触发方式", "Trigger"),
    "pages_crawled": ("抓取页面", "Pages crawled"),
    "link_targets": ("链接目标", "Link targets"),
    "browser_audited": ("浏览器检测页面", "Pages audited in a browser"),
    "generated": ("生成时间", "Generated"),
    "partial_scan": (
        "本次巡检不完整（{status}），不是网站的正式结论，不计入总览、排名和趋势。"
        "运行完成的检查：{checks}。未复查、未抓取的问题不算已整改。",
        "This scan is incomplete ({status}): it is not the site's official result and counts in "
        "no overview, ranking or trend. Checks run to the end: {checks}. Findings not rechecked "
        "or on pages not crawled are not counted as fixed.",
    ),
    "only_checks_scan": (
        "本次巡检仅部分检查（只运行了：{checks}），不是网站的正式结论，不计入总览、排名和趋势。",
        "This scan ran only some checks ({checks}): it is not the site's official result and "
        "counts in no overview, ranking or trend.",
    ),
    "no_checks": ("无", "none"),
    "no_scan": ("该网站尚无已完成的巡检。", "This site has no completed scan yet."),
    # verdict
    "verdict": ("结论", "Verdict"),
    "points": ("得分", "Points"),
    "vetoes": ("单项否决", "Single vetoes"),
    "no_veto": ("无单项否决", "No single veto"),
    "points_not_official": (
        "存在单项否决，得分仅供参考，不作为正式分数。",
        "A single veto fired: the points are for information only, not the official score.",
    ),
    "pass_mark_rule": ("低于 {mark:g} 分为不合格", "below {mark:g} points fails"),
    "bonus": ("加分", "Bonus"),
    # changes
    "changes": ("与上次巡检相比", "Since the previous scan"),
    "previous_scan": ("上次巡检", "Previous scan"),
    "no_previous": ("没有可比较的上次巡检。", "No previous scan to compare with."),
    "check": ("检查项", "Check"),
    "total": ("合计", "Total"),
    "fixed_list": ("已整改的问题", "Fixed findings"),
    "not_seen_list": (
        "本次未复查的问题（不算已整改）",
        "Findings this scan did not recheck (not counted as fixed)",
    ),
    # trend
    "trend": ("近12周得分趋势", "Points over the last 12 weeks"),
    "trend_empty": ("暂无历史得分。", "No earlier points yet."),
    # score table
    "score_table": ("指标得分明细", "Score by indicator"),
    "indicator": ("指标", "Indicator"),
    "kind": ("类型", "Type"),
    "kind_veto": ("单项否决", "Single veto"),
    "kind_deduction": ("扣分", "Deduction"),
    "rule": ("规则", "Rule"),
    "count": ("数量", "Count"),
    "count_paren": ("（数量 {n}）", " (count {n})"),
    "breakdown": ("计算", "Calculation"),
    "deducted": ("扣分", "Deducted"),
    "max": ("上限", "Cap"),
    "fired": ("触发", "Fired"),
    "not_fired": ("未触发", "Not fired"),
    "estimate_note": (
        "标 * 的扣分权重为可配置的估计值（2019年指标的逐项扣分未经原文核实），可按单位要求调整。",
        "Weights marked * are configurable estimates (the 2019 table's per-item deductions were "
        "not verified from the primary text) and can be adjusted.",
    ),
    "cap_applied": ("已封顶", "capped"),
    "probes_summary": (
        "探测 {probes} 次，失败 {failures} 次（{ratio}）",
        "{failures} of {probes} probes failed ({ratio})",
    ),
    "probes_insufficient": (
        "探测 {probes}/{required} 次，数据不足未判定",
        "{probes}/{required} probes: too few to decide",
    ),
    "stale_summary": (
        "时限类 {timeboxed} 个，长期 {longterm} 个",
        "time-boxed {timeboxed}, long-term {longterm}",
    ),
    "points_formula": ("100 − 扣分合计", "100 − total deductions"),
    # findings
    "findings": ("问题清单", "Findings"),
    "filter": (
        "筛选：输入关键词（页面、目标、说明…）",
        "Filter: type words (page, target, message…)",
    ),
    "filter_state": ("状态", "State"),
    "all_states": ("全部状态", "All states"),
    "shown": ("显示", "Showing"),
    "where": ("位置", "Where"),
    "what": ("问题", "What"),
    "evidence": ("证据", "Evidence"),
    "how_to_fix": ("整改建议", "How to fix"),
    "severity": ("严重程度", "Severity"),
    "state": ("状态", "State"),
    "target": ("目标", "Target"),
    "page": ("页面", "Page"),
    "note": ("备注", "Note"),
    "none_found": ("未发现问题。", "Nothing found."),
    "more_pages": ("等 {n} 个页面", "and {n} pages in all"),
    # links
    "links_section": ("链接可用性", "Links"),
    "by_page": ("按页面", "By page"),
    "by_target": ("按链接目标", "By target"),
    "unverified": ("无法核实的链接", "Links that could not be verified"),
    "unverified_note": (
        "以下链接因反爬验证、限流或 robots.txt 限制未能核实，不计为不可用链接，请人工抽查。",
        "These links hit bot protection, rate limits or robots.txt: they are not counted as "
        "broken; check them by hand.",
    ),
    "found_on": ("所在页面", "Found on"),
    "broken_targets": ("个不可用链接", "broken links"),
    "pages_count": ("个页面", "pages"),
    # columns
    "columns_section": ("栏目更新情况", "Columns"),
    "column": ("栏目", "Column"),
    "category": ("类别", "Category"),
    "cadence": ("更新周期", "Cadence"),
    "days": ("天", "days"),
    "newest": ("最新信息", "Newest item"),
    "items": ("条目", "Items"),
    "col_state": ("情况", "State"),
    "col_fresh": ("正常更新", "Up to date"),
    "col_stale": ("超期 {n} 天未更新", "{n} days overdue"),
    "col_blank": ("空白栏目", "Blank"),
    "col_unchanged": ("确无更新（已标注）", "Legitimately unchanged (marked)"),
    "col_not_judged": ("不考核", "Not judged"),
    "no_columns": ("本次巡检未识别到栏目。", "No columns were recognised in this scan."),
    # documents
    "documents_section": ("规范性文件", "Normative documents"),
    "register": ("规范性文件库", "Document register"),
    "title": ("标题", "Title"),
    "doc_number": ("发文字号", "Document number"),
    "written": ("成文日期", "Written"),
    "published": ("发布日期", "Published"),
    "effective": ("施行日期", "In force from"),
    "validity": ("有效性", "Validity"),
    "interpretation": ("解读", "Interpretation"),
    "yes": ("是", "yes"),
    "no": ("否", "no"),
    "no_documents": ("本次巡检未识别到规范性文件。", "No normative documents were recognised."),
    # accessibility
    "a11y_section": ("无障碍与适老化", "Accessibility"),
    "template": ("页面模板", "Page template"),
    "no_template": ("未分组的页面", "Pages without a template group"),
    "a11y_rule": ("规则", "Rule"),
    "impact": ("影响", "Impact"),
    "other_section": ("其他检查", "Other checks"),
    # overview
    "org": ("单位", "Organisation"),
    "overall": ("一、总体情况", "1. Overall"),
    "main_problems": ("二、主要问题", "2. Main problems"),
    "requirements": ("三、整改要求", "3. Rectification requirements"),
    "rank": ("排名", "Rank"),
    "change": ("较上期", "Change"),
    "report_link": ("报告", "Report"),
    "open_report": ("查看", "Open"),
    "not_scanned": ("未巡检", "Not scanned"),
    "no_complete_scan": (
        "尚无完整巡检，不作结论（不完整或仅部分检查的巡检不计入）",
        "No complete scan yet, so no verdict (incomplete and partial-check scans do not count)",
    ),
    "overall_text": (
        "本次共巡检网站 {total} 个，合格 {passed} 个，不合格 {failed} 个（其中单项否决 {vetoed} 个），"
        "未巡检 {unscanned} 个；合格率 {rate}。",
        "{total} sites inspected: {passed} passed, {failed} failed ({vetoed} by a single veto), "
        "{unscanned} not scanned; pass rate {rate}.",
    ),
    "requirements_text": (
        "请各网站主办单位对照本通报及各网站巡检报告逐项整改，于 {deadline}（{n} 个工作日内）前完成，"
        "并将整改情况报送主管单位。整改完成后系统将在下次巡检中复核。",
        "Each site's owner shall fix every item listed here and in its site report by {deadline} "
        "(within {n} working days) and report back; the next scan verifies the fixes.",
    ),
    "deadline_fallback": (
        "（节假日数据不可用，按周一至周五计算）",
        "(holiday data unavailable: counted Monday to Friday)",
    ),
    "no_problems": ("各网站均未发现问题。", "No problems found on any site."),
    "new_count": ("新增", "new"),
    "fixed_count": ("已整改", "fixed"),
    "sites_in_org": ("所属网站", "Sites"),
    # exports
    "ledger_sheet": ("整改台账", "Ledger"),
    "score_sheet": ("指标得分", "Score"),
    "ledger_title": (
        "{site}网站问题整改台账（评估日期 {day}）",
        "{site} website rectification ledger (as of {day})",
    ),
}

STATES: dict[str, tuple[str, str]] = {
    "new": ("新发现", "New"),
    "open": ("仍存在", "Still open"),
    "fixed": ("已整改", "Fixed"),
    "not_rechecked": ("未复查", "Not rechecked"),
    "not_crawled": ("未抓取", "Page not crawled"),
    "acknowledged": ("已确认", "Acknowledged"),
    "false_positive": ("误报", "False positive"),
    "unchanged": ("确无更新", "Legitimately unchanged"),
}

# The checks (checks/table.py names) a scan runs, as a reader names them: what an incomplete scan ran.
CHECK_NAMES: dict[str, tuple[str, str]] = {
    "availability": ("可用性", "availability"),
    "links": ("链接", "links"),
    "freshness": ("栏目更新", "column freshness"),
    "documents": ("规范性文件", "normative documents"),
    "disclosure": ("政府信息公开", "information disclosure"),
    "interaction": ("互动回应", "interaction"),
    "required_pages": ("必备栏目与站内搜索", "required pages and site search"),
    "accessibility": ("无障碍与适老化", "accessibility"),
    "personal_data": ("个人信息保护", "personal data"),
    "outbound": ("外链与暗链", "outbound and hidden links"),
}

SEVERITIES: dict[str, tuple[str, str]] = {
    "high": ("高", "High"),
    "medium": ("中", "Medium"),
    "low": ("低", "Low"),
}

VERDICTS: dict[str, tuple[str, str]] = {PASS: (PASS, "Pass"), FAIL: (FAIL, "Fail")}

SCAN_STATUSES: dict[str, tuple[str, str]] = {
    "queued": ("排队中", "Queued"),
    "running": ("进行中", "Running"),
    "done": ("已完成", "Done"),
    "partial": ("未完整完成", "Partial"),
    "failed": ("失败", "Failed"),
}

CATEGORIES: dict[str, tuple[str, str]] = {
    "dynamic": ("动态要闻类", "News / dynamics"),
    "notice": ("通知公告、政策文件类", "Notices / policies"),
    "personnel": ("人事、规划计划类", "Personnel / plans"),
}

VALIDITY: dict[str, tuple[str, str]] = {
    "effective": ("有效", "Effective"),
    "partially_invalid": ("部分失效", "Partially invalid"),
    "amended": ("已修改", "Amended"),
    "repealed": ("已废止", "Repealed"),
    "expired": ("已失效", "Expired"),
    "not_yet_effective": ("尚未生效", "Not yet effective"),
    "": ("未标注", "Not labelled"),
}

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
    "missing": ("缺少", "Missing"),
    "recommended_missing": ("建议补充", "Recommended, missing"),
    "interpretations_linking_back": ("链接到本文件的解读", "Interpretations linking here"),
    "interpretation": ("解读页面", "Interpretation"),
    "interpretation_title": ("解读标题", "Interpretation title"),
    "published": ("文件发布日期", "Document published"),
    "interpretation_published": ("解读发布日期", "Interpretation published"),
    "working_days": ("相隔工作日", "Working days between"),
    "calendar_days": ("相隔自然日", "Calendar days between"),
    "max_working_days": ("时限（工作日）", "Limit (working days)"),
    "fallback": ("缺少节假日数据", "Holiday data missing"),
    "calendar": ("工作日计算", "Working days counted by"),
    "fallback_years": ("无节假日数据的年份", "Years without holiday data"),
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
    # link targets (the crawler's own detail)
    "robots_disallowed": ("robots.txt 禁止抓取", "Disallowed by robots.txt"),
}


def _pick(pair: tuple[str, str], lang: str) -> str:
    return pair[1] if lang == "en" else pair[0]


def t(key: str, lang: str = "zh", **values: object) -> str:
    """A label; ``values`` fill its ``{placeholders}``. Unknown keys raise (tests catch them)."""
    text = _pick(LABELS[key], lang)
    return text.format(**values) if values else text


def from_table(table: Mapping[str, tuple[str, str]], key: str | None, lang: str) -> str:
    """A translated value from one of the small tables, or the key itself when unknown."""
    pair = table.get(key or "")
    if pair is None:
        return key or ""
    return _pick(pair, lang)


# Deduction weights a score line names when it is not the check's own (scoring/scorer.py).
WEIGHT_KEYS: dict[str, tuple[str, str]] = {
    "home_link_penalty": ("首页链接", "home-page links"),
    "other_link_penalty": ("其他链接", "other links"),
}

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
