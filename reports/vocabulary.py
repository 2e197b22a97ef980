"""The words for the codes inside a finding's evidence, in Chinese (default) and English.

Checks store codes (``connection_refused``, ``soft_404``, ``static+axe``, ``offscreen`` …) so
that tools can read them; a webmaster reads words. Each table maps one family of codes; a
code no table knows is humanised by reports.evidence, never printed as it is.
"""

from __future__ import annotations

from collections.abc import Mapping

Words = Mapping[str, tuple[str, str]]

# How a link or request failed (crawler/errors.py, crawler/request_failures.py,
# crawler/verdicts.py, checks/link_findings.py).
FAILURES: Words = {
    "http": ("HTTP 错误状态", "HTTP error status"),
    "timeout": ("请求超时", "timed out"),
    "dns": ("域名无法解析", "domain name does not resolve"),
    "connection_refused": ("连接被拒绝", "connection refused"),
    "connection_reset": ("连接中断", "connection dropped"),
    "connection_error": ("无法连接", "could not connect"),
    "tls": ("证书/TLS 错误", "certificate / TLS error"),
    "redirect_loop": ("重定向循环", "redirect loop"),
    "too_many_redirects": ("重定向次数过多", "too many redirects"),
    "bad_redirect": ("重定向到无效地址", "redirects to an invalid address"),
    "soft_404": ("打开后是错误页面（软 404）", "opens an error page (soft 404)"),
    "empty_attachment": ("空文件（0 字节）", "empty file (0 bytes)"),
    "attachment_is_html": ("返回错误网页而非文件", "returns a web page instead of the file"),
    "bad_url": ("地址无效", "invalid address"),
    "unsupported_scheme": ("不支持的地址类型", "unsupported address scheme"),
    "ssrf_refused": ("内网地址，已拒绝访问", "private network address, refused"),
    "too_large": ("超过下载上限", "larger than the download limit"),
    "ignored": ("请求被忽略", "request ignored"),
    "error": ("访问出错", "request failed"),
    "challenge": ("反爬验证页", "bot-protection challenge"),
    "rate_limited": ("被限流", "rate limited"),
    "forbidden": ("禁止访问（403）", "forbidden (403)"),
    "robots": ("robots.txt 禁止抓取", "disallowed by robots.txt"),
    "missing_fragments": ("锚点不存在", "anchor missing"),
    "no_answer": ("连接后没有返回网页", "connected, but no page came back"),
    "no_resolver": ("本机未配置 DNS 解析服务", "no DNS resolver configured here"),
    "nxdomain": ("DNS 答复域名不存在", "the resolver says the name does not exist"),
    "servfail": ("DNS 解析服务未给出答复", "the resolver gave no answer"),
}

LINK_KINDS: Words = {
    "page": ("页面链接", "page link"),
    "attachment": ("附件链接", "attachment link"),
    "image": ("图片链接", "image link"),
    "script": ("脚本链接", "script link"),
    "style": ("样式表链接", "stylesheet link"),
    "frame": ("框架页链接", "frame link"),
    "external": ("外部链接", "external link"),
    "other": ("链接", "link"),
}

# (check, reason) first, then the reason alone: "missing" means different things per check.
REASONS: Words = {
    "blank_column:empty": ("栏目没有任何信息", "the column has no items"),
    "blank_column:no_info": ("栏目只显示“暂无信息”之类的提示", "the column only says it has none"),
    "blank_column:placeholder": ("信息全部是“正在建设”等占位页面", "every item is a placeholder"),
    "missing_validity_label:empty": ("有效性字段为空", "the validity field is empty"),
    "missing_validity_label:missing": ("未标注有效性", "no validity label"),
    "repeal_date_passed": ("废止日期已过", "repeal date passed"),
    "valid_until_passed": ("有效期已届满", "validity period ended"),
    "title_marker_disagrees": ("标题标识与有效性字段不一致", "title marker disagrees"),
    "future_effective_date": ("生效日期尚未到来", "takes effect in the future"),
    "effective_date_reached": ("生效日期已到", "effective date reached"),
    "period_expired": ("正文所定有效期已届满", "stated period ended"),
    "default_period_expired": ("默认有效期已届满（地方惯例）", "default period ended"),
    "no_interpretation": ("未关联政策解读", "no linked interpretation"),
    "no_backlink": ("解读页未链接原文", "interpretation does not link back"),
    "original_lacks_link": (
        "单向关联：文件页未链接解读",
        "one-way: the document does not link its interpretation",
    ),
    "interpretation_lacks_link": (
        "单向关联：解读页未链接原文",
        "one-way: the interpretation does not link the document",
    ),
    "published_late": ("发布过晚", "published late"),
    "replied_late": ("答复过晚", "answered late"),
    "unanswered": ("至今未答复", "still unanswered"),
    "no_channel": ("没有咨询渠道", "no consultation channel"),
    "missing_required_page:missing": ("未找到", "not found"),
    "incomplete": ("内容不全", "incomplete"),
    "previous_year_missing": ("上一年度报告未发布", "last year's report missing"),
    "no_search": ("没有站内搜索", "no site search"),
    "no_result": ("检索不到本站文件", "finds nothing"),
    "http_error": ("搜索返回错误状态", "search returns an error status"),
    "missing_required_page:error": ("搜索无法访问", "search unreachable"),
    "content_tampered:text_replaced": (
        "页面文字大部分被替换",
        "most of the page's text was replaced",
    ),
    "content_tampered:new_domain": ("出现新的外部域名链接", "links to a new outside host"),
    "content_tampered:title_changed": ("标题被改为无关文字", "the title changed to unrelated text"),
    "hidden_links": ("隐藏的外部链接（暗链）", "hidden external links (link farm)"),
    "gambling": ("博彩/赌博内容", "gambling content"),
    "porn": ("色情内容", "pornographic content"),
    "parked": ("域名出售/停放页面", "a parked or for-sale domain"),
    "missing_site_identity:missing": ("页脚未列明", "not shown in the footer"),
    "missing_site_identity:invalid": ("格式不正确", "malformed"),
    "not_offered": ("未提供 HTTPS", "HTTPS not offered"),
    "cannot_tell": ("无法确认，需人工复核", "cannot tell: needs review"),
    "expired": ("证书已过期", "certificate expired"),
    "not_yet_valid": ("证书尚未生效", "certificate not yet valid"),
    "name_mismatch": ("证书与域名不符", "certificate does not match the name"),
    "self_signed": ("自签名证书", "self-signed certificate"),
    "unknown_issuer": ("证书签发链无法验证", "certificate chain cannot be verified"),
    "invalid_certificate": ("证书无效", "certificate invalid"),
    "expiring": ("证书即将到期", "certificate expiring soon"),
    "no_aaaa": ("没有 IPv6（AAAA）解析", "no IPv6 (AAAA) record"),
    "active": ("脚本、样式或框架（浏览器会拦截）", "scripts, styles or frames (blocked)"),
    "passive": ("图片或音视频", "images or media"),
}

IMPACTS: Words = {
    "critical": ("非常严重", "critical"),
    "serious": ("严重", "serious"),
    "moderate": ("中等", "moderate"),
    "minor": ("轻微", "minor"),
}

HIDINGS: Words = {
    "offscreen": ("移出屏幕外", "moved off-screen"),
    "zero_size": ("尺寸或字号为零", "zero size or font size"),
    "hidden": ("样式设为不显示", "styled not to display"),
}

# How a dark link is hidden or how injected code shows itself (checks/injection.py).
TECHNIQUES: Words = {
    "offscreen": ("移出屏幕", "moved off-screen"),
    "text_indent": ("文字缩进移出屏幕", "text indented off-screen"),
    "zero_size": ("尺寸为零", "zero size"),
    "font_size_zero": ("字号为零", "zero font size"),
    "same_colour": ("文字与背景同色", "text the colour of its background"),
    "transparent": ("完全透明", "fully transparent"),
    "collapsed": ("高度或宽度为零（折叠）", "collapsed to zero height or width"),
    "menu": ("移出屏幕的下拉菜单", "a drop-down menu parked off-screen"),
    "marquee": ("静止或零高度的滚动框", "a still or zero-height marquee"),
    "display_none": ("不显示（display:none）", "not displayed (display:none)"),
    "visibility_hidden": ("不可见（visibility:hidden）", "invisible (visibility:hidden)"),
    "script_write": ("由脚本写入", "written by a script"),
    "hidden_iframe": ("隐藏或 0×0 的框架", "a hidden or 0×0 frame"),
    "search_redirect": ("从搜索引擎来的访客被跳转", "visitors from search engines redirected"),
    "foreign_script": ("模板外的外来脚本", "a foreign script not in the page template"),
    "redirect": ("模板外的跳转脚本", "a redirecting script not in the page template"),
    "cloaking": ("对搜索引擎区别对待", "cloaking: search engines served another page"),
}
HIDDEN_VIA: Words = {"css": ("样式", "CSS"), "script": ("脚本", "a script")}
VISITORS: Words = {
    "baiduspider": ("百度爬虫（Baiduspider）", "Baiduspider"),
    "search_referer": ("从百度搜索进入的访客", "a visitor from a Baidu search"),
}
CLOAKING_DIFFERENCES: Words = {
    "foreign_redirect": ("跳转到外部网站", "redirected to another site"),
    "foreign_links": ("多出外部链接", "extra links to other sites"),
    "content": ("标题和正文大部分不同", "another title and mostly other text"),
}
TARGET_VERDICTS: Words = {
    "gambling": ("博彩/赌博", "gambling"),
    "porn": ("色情", "porn"),
    "parked": ("域名出售/停放", "a parked domain"),
}

# How a finding was detected (accessibility) or where personal data was found.
SOURCES: Words = {
    "static": ("静态规则", "static rules"),
    "axe": ("浏览器检测（axe-core）", "browser audit (axe-core)"),
    "static+axe": ("静态规则和浏览器检测", "static rules and browser audit"),
    "browser": ("浏览器检测", "browser audit"),
    "static+browser": ("静态规则和浏览器检测", "static rules and browser audit"),
    "page": ("页面", "page"),
    "attachment": ("附件", "attachment"),
    "field": ("有效性字段", "validity field"),
    "title_marker": ("标题标识", "title marker"),
    "badge": ("页面标识", "badge on the page"),
    "detail": ("留言详情页", "message page"),
    "list": ("留言列表", "message list"),
}

# What a column's cadence was taken from (checks/freshness.py Cadence.source).
CADENCE_SOURCES: Words = {
    "name": ("栏目名称", "the column's name"),
    "content": ("栏目内容（信息标题）", "what the column holds (its item titles)"),
    "site": ("网站设置的栏目更新周期", "the site's own column cadences"),
}

# What a 适老化 or required-page finding is about (detail.item).
ITEMS: Words = {
    "care_mode_entry": ("无障碍/关怀版入口", "accessible / elderly-care mode entry"),
    "ad_script": ("广告脚本或广告位", "ad scripts or ad slots"),
    "popup_on_load": ("打开时的弹窗/飘窗", "pop-ups on load"),
    "focus_not_visible": ("焦点标识", "visible focus"),
    "keyboard_unreachable": ("键盘可达", "keyboard access"),
    "guide": ("政府信息公开指南", "disclosure guide"),
    "catalog": ("政府信息公开目录", "disclosure catalogue"),
    "annual_report": ("政府信息公开工作年度报告", "annual disclosure report"),
    "search": ("站内搜索", "site search"),
    # the site's identity (missing_site_identity)
    "site_code": ("网站标识码", "site identification code"),
    "icp": ("ICP备案编号", "ICP record number"),
    "police_record": ("公安机关备案号", "public-security record number"),
    "conac_mark": ("党政机关网站标识", "Party and government website mark"),
    "sponsor": ("主办单位", "sponsor"),
    "sponsor_contact": ("主办单位联系方式", "sponsor's contact"),
    "gov_domain": (".gov.cn 域名", ".gov.cn domain"),
    "https": ("HTTPS 访问", "HTTPS"),
    "certificate": ("HTTPS 证书", "HTTPS certificate"),
    "mixed_content": ("HTTPS 页面中的 http:// 资源", "http:// resources on HTTPS pages"),
    "ipv6": ("IPv6 解析", "IPv6"),
    # what a popup or an ad is
    "overlay": ("遮罩弹窗", "overlay"),
    "floating": ("飘窗", "floating window"),
    "dialog": ("对话框", "dialog"),
    "script": ("广告脚本", "ad script"),
    "slot": ("广告位", "ad slot"),
    "iframe": ("广告框架", "ad frame"),
}

# Fields named in a finding's lists (missing document fields, a guide's missing items).
FIELDS: Words = {
    "title": ("标题", "title"),
    "doc_number": ("发文字号", "document number"),
    "written_date": ("成文日期", "date written"),
    "published_date": ("发布日期", "date published"),
    "effective_date": ("施行日期", "date in force"),
    "index_no": ("索引号", "index number"),
    "issuer": ("发布机构", "issuer"),
    "registration_no": ("规范性文件登记号", "registration number"),
    "valid_until": ("有效期至", "valid until"),
    "repeal_date": ("废止日期", "date repealed"),
    "validity": ("有效性", "validity"),
    "address": ("地址", "address"),
    "hours": ("办公时间", "office hours"),
    "phone": ("联系电话", "phone"),
    "fax": ("传真", "fax"),
    "online": ("网上申请渠道", "online application channel"),
}

PII_KINDS: Words = {
    "id_card": ("身份证号", "ID card numbers"),
    "mobile": ("手机号码", "mobile numbers"),
    "bank_card": ("银行卡号", "bank card numbers"),
}

# Why a link on a document page is taken as its 解读 (checks/documents.py).
INTERPRETATION_MATCHES: Words = {
    "title": ("链接文字含本文件标题", "the link text names the document's title"),
    "doc_number": ("链接文字含本文件发文字号", "the link text gives the document's number"),
    "target_title": ("解读页标题含本文件标题", "the interpretation's title names the document"),
    "target_doc_number": (
        "解读页标题含本文件发文字号",
        "the interpretation's title gives the document's number",
    ),
    "links_back": ("解读页链接了本文件", "the interpretation links the document"),
}

# Which page of a one-way document–解读 pair lacks the link.
ONE_WAY_SIDES: Words = {
    "original_lacks_link": ("文件页（原文）", "the document page"),
    "interpretation_lacks_link": ("解读页", "the interpretation page"),
}

CALENDARS: Words = {
    "chinese_calendar": ("按法定节假日和调休计算", "official holidays and make-up days"),
    "mon_fri_fallback": (
        "仅按周一至周五计算（缺少官方节假日安排，未经确认）",
        "Monday to Friday only (no official holiday arrangement: unconfirmed)",
    ),
}

# Rule texts some checks store in English for tools (validity_inconsistent's detail.rule).
RULE_TEXTS: Words = {
    "local practice (configurable): default_validity_years / provisional_validity_years": (
        "地方惯例（可配置）：默认有效期 / 暂行、试行文件有效期",
        "local practice (configurable): default and provisional validity periods",
    ),
}

# What kind of serious expression error a rule found (extract/expression.py).
EXPRESSION_KINDS: Words = {
    "name": ("领导人姓名写错", "a leader's name miswritten"),
    "term": ("卸任后仍称现职", "a title used after its holder left it"),
    "formulation": ("规范表述写错", "a fixed formulation miswritten"),
    "typo": ("易混错别字", "a known confusion typo"),
}

STANDARDS: Words = {
    "《互联网网站适老化通用设计规范》": (
        "《互联网网站适老化通用设计规范》",
        "Age-friendly design guideline for websites (MIIT)",
    ),
}
