"""The finding the required-pages check (checks/required_pages.py) emits."""

from govpatrol.core.findings.spec import FindingDoc, FindingSpec

MISSING_REQUIRED_PAGE = FindingSpec(
    id="missing_required_page",
    check="required_pages",
    indicator="disclosure",
    severity="medium",
    title_zh="缺少必备的政务公开页面或功能",
    title_en="Required disclosure page or function missing",
    hint_zh="按《政府信息公开条例》开设政府信息公开指南（写明受理机构地址、办公时间、电话、传真、"
    "网上申请渠道）、政府信息公开目录和年度报告（部门每年1月31日前、政府3月31日前发布上一年度报告），"
    "并保证站内搜索能检索到本站信息。",
    hint_en="Publish a disclosure guide (address, hours, phone, fax, online application), a "
    "disclosure catalogue and the annual report (departments by 31 January, governments by "
    "31 March), and keep the site search able to find the site's own documents.",
    weight=2.0,
    evidence=(
        "item",
        "reason",
        "missing",
        "year",
        "deadline",
        "newest_year",
        "query",
        "expected",
        "action",
        "result_url",
    ),
    options=("link_timeout_s",),
    doc=FindingDoc(
        what="找不到政府信息公开指南（或指南缺少地址、办公时间、电话、传真、网上申请渠道）、"
        "政府信息公开目录、政府信息公开年报；过了 1 月 31 日（部门）或 3 月 31 日（政府）仍没有上一年度的年报；"
        "或站内搜索检索不到本站的页面。",
        basis="《政府信息公开条例》第十二条（公开指南和公开目录）、第四十九条至第五十条（年度报告）。",
        example="2025 年 2 月巡检，某局网站的年报栏目最新一份是 2023 年度。",
        fix="开设缺少的页面并写全要素；按期发布年报；修复站内搜索。",
        false_positives="页面名称与常见写法差别很大（如把公开指南放在“办事指南”下）时可能找不到，"
        "请使用规范的栏目名称，或标记为误报。",
    ),
)

SPECS = (MISSING_REQUIRED_PAGE,)
