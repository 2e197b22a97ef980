"""The official indicators findings feed (国办秘函〔2019〕19号), in the order reports list them.

A veto indicator (单项否决) fails a site on its own; a deduction indicator takes points off the
100, capped per indicator (scoring/scorer.py). ``other`` collects an id no spec names.
"""

from __future__ import annotations

from dataclasses import dataclass

INDICATORS_2019 = "《政府网站与政务新媒体检查指标》（国办秘函〔2019〕19号）"


@dataclass(frozen=True)
class Indicator:
    id: str
    veto: bool
    title_zh: str
    title_en: str
    basis: str  # the clause it comes from, as docs/checks/ cite it


_ALL = (
    Indicator(
        "site_unreachable",
        True,
        "站点无法访问",
        "Site unreachable",
        f"{INDICATORS_2019}单项否决指标“站点无法访问”：监测一周，每天 20 次以上，"
        "首页无法访问次数占比超过（含）5%。",
    ),
    Indicator(
        "home_not_updated",
        True,
        "首页不更新",
        "Home page not updated",
        f"{INDICATORS_2019}单项否决指标“首页不更新”：监测 2 周，首页无信息更新；"
        "首页仅为栏目导航的，检查二级页面。",
    ),
    Indicator(
        "stale_columns",
        True,
        "栏目不更新",
        "Columns not updated",
        f"{INDICATORS_2019}单项否决指标“栏目不更新”：动态、要闻类栏目 2 周未更新，通知公告、"
        "政策文件类栏目 6 个月未更新，合计超过（含）5 个；人事、规划计划类栏目 1 年未更新等"
        "应更新未更新栏目超过（含）10 个。",
    ),
    Indicator(
        "blank_columns",
        True,
        "空白栏目",
        "Blank columns",
        f"{INDICATORS_2019}单项否决指标“栏目不更新”之空白栏目：自开设后无信息的栏目超过（含）5 个。",
    ),
    Indicator(
        "interaction",
        True,
        "互动回应差",
        "Unanswered public messages",
        f"{INDICATORS_2019}单项否决指标“互动回应差”：未开设政务咨询类栏目，或一年内政务咨询类栏目"
        "留言超过 3 个月未回复。",
    ),
    Indicator(
        "expression",
        True,
        "严重表述错误",
        "Serious expression errors",
        f"{INDICATORS_2019}单项否决指标“严重表述错误”：网站出现严重错别字（例如，将党和国家"
        "领导人姓名写错）等严重表述错误。自动发现须经人工确认后才计入。",
    ),
    Indicator(
        "tampering",
        True,
        "内容被篡改",
        "Content tampered with",
        f"{INDICATORS_2019}列为单项否决的“页面被挂马、内容被篡改”且未及时处理。"
        "与上次完整巡检比较得出的发现须经人工确认后才计入。",
    ),
    Indicator(
        "backdating",
        True,
        "伪造发稿日期",
        "Backdated articles",
        f"{INDICATORS_2019}列为单项否决的“伪造发稿日期”。"
        "与上次完整巡检比较得出的发现须经人工确认后才计入。",
    ),
    Indicator(
        "hacked",
        True,
        "挂马与暗链",
        "Injected code and dark links",
        f"{INDICATORS_2019}单项否决指标：网站“发布或链接反动、暴力、色情等内容”，或“页面被挂马、"
        "内容被篡改”未及时处置。自动发现须经人工确认后才计入。",
    ),
    Indicator(
        "links",
        False,
        "链接不可用",
        "Broken links",
        f"{INDICATORS_2019}扣分指标“链接可用性”：首页和其他页面的链接（含图片、附件、外部链接）"
        "无法正常访问的，按个数扣分。",
    ),
    Indicator(
        "documents",
        False,
        "规范性文件信息与有效性",
        "Normative document metadata and validity",
        "《政府网站发展指引》（国办发〔2017〕47号）：政策文件应标注有效性等元数据；"
        f"{INDICATORS_2019}将规范性文件的有效性标注列为检查内容。",
    ),
    Indicator(
        "interpretation",
        False,
        "政策解读",
        "Policy interpretation",
        "《政府网站发展指引》（国办发〔2017〕47号）：政策文件与解读材料应同步起草、同步审签、"
        "同步发布，并相互关联。",
    ),
    Indicator(
        "accessibility",
        False,
        "无障碍与适老化",
        "Accessibility and elderly-friendliness",
        "《信息技术 互联网内容无障碍可访问性技术要求与测试方法》（GB/T 37668-2019）、WCAG 2.0/2.1 "
        "A 与 AA 级，以及工业和信息化部互联网应用适老化及无障碍改造的要求。",
    ),
    Indicator(
        "disclosure",
        False,
        "政府信息公开",
        "Government information disclosure",
        "《中华人民共和国政府信息公开条例》（国务院令第711号）第十二条（公开指南与目录）、"
        "第二十六条（20 个工作日内公开）、第四十九条至第五十条（年度报告）。",
    ),
    Indicator(
        "security",
        False,
        "安全与隐私",
        "Security and privacy",
        "《中华人民共和国个人信息保护法》与《政府网站发展指引》（国办发〔2017〕47号）的安全防护要求："
        "不得泄露个人信息，防止网页被篡改、植入暗链。",
    ),
    Indicator(
        "identity",
        False,
        "网站标识与安全访问",
        "Site identity and secure access",
        "《政府网站发展指引》（国办发〔2017〕47号）：网站页面底部功能区应清晰列明党政机关网站标识、"
        "政府网站标识码、网站主办单位及联系方式、ICP备案编号、公安机关备案标识；政府网站应使用以"
        "“.gov.cn”为后缀的英文域名。《推进互联网协议第六版（IPv6）规模部署行动计划》（2017年）"
        "要求政府网站支持 IPv6；HTTPS 与有效证书属网站安全防护要求，各项扣分权重为可配置的估计值。",
    ),
    Indicator("other", False, "其他问题", "Other findings", ""),
)

INDICATORS: dict[str, Indicator] = {indicator.id: indicator for indicator in _ALL}

VETO_INDICATORS: tuple[str, ...] = tuple(i.id for i in _ALL if i.veto)
DEDUCTION_INDICATORS: tuple[str, ...] = tuple(i.id for i in _ALL if not i.veto and i.id != "other")

INDICATOR_TITLES: dict[str, tuple[str, str]] = {i.id: (i.title_zh, i.title_en) for i in _ALL}
