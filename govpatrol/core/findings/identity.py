"""The finding the site-identity check (checks/identity.py) emits."""

from govpatrol.core.findings.spec import FindingDoc, FindingSpec

MISSING_SITE_IDENTITY = FindingSpec(
    id="missing_site_identity",
    check="identity",
    indicator="identity",
    severity="medium",
    title_zh="网站标识或安全访问不规范",
    title_en="Site identity or secure access missing",
    hint_zh="在每个页面模板的底部列明网站标识码、ICP备案编号、公安机关备案号、党政机关网站标识"
    "和主办单位及联系方式；使用 .gov.cn 域名；提供 HTTPS 并使用与域名相符、未过期的证书，"
    "页面中的脚本、样式、图片等资源也通过 HTTPS 加载；为网站域名配置 IPv6（AAAA）解析。",
    hint_en="Show the site identification code, the ICP record number, the public-security "
    "record number, the Party and government website mark and the sponsor with a contact at "
    "the bottom of every page template; use a .gov.cn domain; offer HTTPS with a certificate "
    "that matches the name and has not expired, load scripts, styles and images over HTTPS "
    "too; give the site's name an IPv6 (AAAA) record.",
    # per finding: a footer item is counted once per template that lacks it, so a site-wide
    # gap in a site of many templates reaches the indicator's cap (10) only slowly
    weight=0.5,
    severity_weights=(("high", 2.0), ("low", 0.0)),
    evidence=(
        "item",
        "reason",
        "shown",
        "template",
        "template_pages",
        "sample_pages",
        "host",
        "port",
        "error",
        "status",
        "not_after",
        "days_left",
        "warn_days",
        "verify_message",
        "addresses",
        "resources",
        "count",
        "needs_review",
    ),
    options=("certificate_warn_days", "link_timeout_s"),
    doc=FindingDoc(
        what="每个页面模板（同一 DOM 骨架的页面为一组，每组报告一次并给出示例页面）的页脚是否列明："
        "网站标识码（10 位：6 位行政区划代码加 4 位数字，国务院部门为 bm 加 8 位数字）、ICP备案编号、"
        "公安机关备案号（14 位数字）、党政机关网站标识（conac.cn 的标识脚本、链接或图片）、"
        "主办单位及其联系方式（电话、电子邮箱、地址或“联系我们”）。全角字符与空格先统一再识别。"
        "每个网站一次：域名是否以 .gov.cn 结尾；是否提供 HTTPS，证书是否与域名相符、未过期"
        "（30 天内到期为提醒，低严重度，不扣分）；HTTPS 页面是否通过 http:// 加载脚本、样式、"
        "框架（中）或图片、音视频（低）；域名是否有 IPv6（AAAA）解析。`detail.item` 说明是哪一项。",
        basis="《政府网站发展指引》（国办发〔2017〕47号）对网页底部功能区、域名和安全防护的要求；"
        "《推进互联网协议第六版（IPv6）规模部署行动计划》对政府网站支持 IPv6 的要求。",
        example="某局网站文章页模板的页脚只有“主办单位”和 ICP 备案号，缺少网站标识码和公安机关备案号；"
        "网站证书 20 天后到期。",
        fix="在 CMS 的页面模板（而不是逐页）中补齐页脚各项；向证书机构续期或更换证书；"
        "把资源地址改为 https:// 或相对地址；联系网络运营商开通 IPv6 解析。",
        false_positives="页脚由外部脚本或框架写入、或页面没有可识别的页脚时不作判断；"
        "网址为 IP 地址或 localhost 时不判断域名、HTTPS 和 IPv6；"
        "DNS 无应答、连接超时或证书链无法在本机补全时只记为“需人工复核”（低严重度，不扣分）。"
        "标识以不常见的方式呈现（如整张图片）时可能识别不到，核实后可标记为误报。",
    ),
)

SPECS = (MISSING_SITE_IDENTITY,)
