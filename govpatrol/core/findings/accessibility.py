"""The findings the accessibility check (checks/accessibility.py) emits."""

from govpatrol.core.findings.spec import FindingDoc, FindingSpec

_BROWSER_OPTIONS = ("browser_budget_pages", "browser_pages_per_template")
# the linked stylesheets the static contrast rule fetches (accessibility findings only)
_STYLESHEET_OPTIONS = ("stylesheet_max_per_scan", "stylesheet_timeout_s")

ACCESSIBILITY = FindingSpec(
    id="accessibility",
    check="accessibility",
    indicator="accessibility",
    severity="medium",
    title_zh="无障碍问题",
    title_en="Accessibility problem",
    hint_zh="按每条问题所列的规则和 WCAG 2.1 条款修改页面或模板：图片加 alt、链接和按钮给出文字、"
    '表单控件加 label、iframe 加 title、<html> 加 lang="zh-CN"；同一模板的问题改模板一次即可。',
    hint_en="Fix the page or its template per the rule and WCAG 2.1 criterion each finding names: "
    "alt on images, text on links and buttons, labels on form fields, title on iframes, "
    'lang="zh-CN" on <html>; a template problem is fixed once in the template.',
    weight=0.1,
    evidence=(
        "rule",
        "impact",
        "nodes",
        "selector",
        "snippet",
        "wcag",
        "standard",
        "help_url",
        "source",
        "template",
        "foreground",
        "background",
        "contrast_ratio",
        "required_ratio",
        "font_size",
        "bold",
    ),
    options=_BROWSER_OPTIONS + _STYLESHEET_OPTIONS,
    doc=FindingDoc(
        what="每个页面都运行静态规则（含根据页面内联样式、内嵌样式表和本站外链样式表计算的文字颜色对比度）；"
        "按页面模板抽样的页面再在浏览器中运行 axe-core"
        "（WCAG 2.0/2.1 A 与 AA 级规则）。每条发现写明规则、WCAG 条款和 GB/T 37668-2019。"
        "本站外链样式表（`<link rel=stylesheet>` 及其一层 `@import`，限本站主机）每次检测每个地址只下载一次，"
        "每次检测最多 `stylesheet_max_per_scan` 个，每个不超过 1 MB、`stylesheet_timeout_s` 秒。",
        basis="GB/T 37668-2019 与 WCAG 2.1：网页内容应能被读屏软件等辅助技术识别和操作。",
        example="首页轮播图的 `<img>` 没有 alt 属性（规则 `image-alt`，WCAG 1.1.1）。",
        fix="按规则说明修改页面；问题出在模板上的，改模板一次即可修复所有页面。",
        false_positives='纯装饰图片应使用 `alt=""` 而不是省略 alt；axe-core 标为“需复核”的结果不会记为发现。'
        "其他网站的样式表、下载失败或超出限额的样式表、背景图片、透明度等静态分析无法确定的颜色对比度"
        "不做静态判断，由浏览器抽样检测；"
        "浏览器检测过的页面以浏览器结果为准。确属误判的规则可标记为误报。",
    ),
)

ELDERLY_FRIENDLY = FindingSpec(
    id="elderly_friendly",
    check="accessibility",
    indicator="accessibility",
    severity="medium",
    title_zh="适老化问题",
    title_en="Elderly-friendliness (适老化) problem",
    hint_zh="首页提供“无障碍/关怀版（长者模式）”入口；去掉加载时的弹窗、飘窗和广告；"
    "保证所有控件可用 Tab 键依次到达且聚焦时有清晰的焦点框（勿全局设置 outline:none）。",
    hint_en="Offer an accessible/elderly (关怀版) mode entry on the home page; remove pop-ups, "
    "floating windows and ads shown on load; make every control reachable with Tab and show a "
    "visible focus indicator (never a global outline:none).",
    evidence=(
        "item",
        "keywords",
        "ads",
        "count",
        "where",
        "popups",
        "coverage",
        "stops",
        "without_indicator",
        "samples",
        "walk_completed",
        "source",
        "standard",
        "template",
        "template_pages",
        "wcag",
    ),
    options=_BROWSER_OPTIONS,
    doc=FindingDoc(
        what="首页没有无障碍、关怀版或长者模式的入口；页面加载时出现弹窗、飘窗或广告脚本；"
        "用 Tab 键无法依次到达每个控件，或控件聚焦时没有可见的焦点框。",
        basis="互联网应用适老化及无障碍改造的要求：提供适老化入口，不得有广告和诱导弹窗，支持键盘操作。",
        example="首页加载后弹出覆盖半屏的飘窗，且样式表全局设置了 `outline: none`。",
        fix="在首页提供关怀版入口；去掉加载时的弹窗和广告；为控件保留或设计清晰的焦点样式。",
        false_positives="入口以图片显示且没有文字或 alt 时识别不到，请给入口加上文字。",
    ),
)

ACCESSIBILITY_TEMPLATE = FindingSpec(
    id="accessibility_template",
    check="accessibility",
    indicator="accessibility",
    severity="low",
    title_zh="模板级无障碍问题（汇总）",
    title_en="Accessibility problem shared by a page template (roll-up)",
    hint_zh="同一 CMS 模板的多个页面有同一问题：修改模板即可一次修复；本条为汇总，不重复扣分。",
    hint_en="Many pages of one CMS template share this problem: fix the template once. "
    "A roll-up of page findings, not an extra deduction.",
    # A roll-up per (template, rule) repeating page findings already counted: listed, never
    # deducted twice.
    weight=0.0,
    evidence=(
        "rule",
        "impact",
        "selector",
        "snippet",
        "wcag",
        "standard",
        "template",
        "template_pages",
        "failing_pages",
        "sample_pages",
    ),
    options=_BROWSER_OPTIONS,
    doc=FindingDoc(
        what="同一页面模板的多个页面出现同一条无障碍规则的问题时，按（模板，规则）汇总为一条，"
        "列出出问题的页面数和示例页面。",
        basis="同 `accessibility`。本条只是汇总，权重为 0，不重复扣分。",
        example="300 个文章页共用的模板中，搜索框没有 label（规则 `label`）。",
        fix="修改 CMS 模板一次，所有使用该模板的页面随之修复。",
        false_positives="与对应的页面级发现相同。",
    ),
)

SPECS = (ACCESSIBILITY, ELDERLY_FRIENDLY, ACCESSIBILITY_TEMPLATE)
