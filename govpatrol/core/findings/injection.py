"""The findings the injection check (checks/injection.py) emits: dark links and injected code."""

from govpatrol.core.findings.spec import FindingDoc, FindingSpec

_REVIEW_NOTE = "待人工确认前不扣分、不否决；人工确认（已确认）后触发“挂马与暗链”单项否决。"

HIDDEN_LINK = FindingSpec(
    id="hidden_link",
    check="injection",
    indicator="hacked",
    severity="high",
    title_zh="暗链：隐藏的外部链接（待人工确认）",
    title_en="Dark link: hidden link to another site (needs review)",
    hint_zh="打开页面源代码找到所列片段：确属被植入的暗链，立即删除、排查服务器与内容管理系统的"
    "安全漏洞并修改口令，再把发现标记为“已确认”（确认后计入单项否决）；属于网站自己的菜单或"
    "合作单位链接的，标记为误报并写明理由。",
    hint_en="Find the listed snippet in the page source: if it was planted, remove it, audit the "
    "server and the CMS, change passwords and mark the finding acknowledged (a confirmed dark "
    "link fails the site); if it is the site's own menu or a partner's link, mark it a false "
    "positive with the reason.",
    weight_note=_REVIEW_NOTE,
    evidence=(
        "technique",
        "target_host",
        "selector",
        "snippet",
        "links",
        "target_verdict",
        "needs_review",
    ),
    doc=FindingDoc(
        what="页面中指向其他网站、访客却看不见的链接（暗链）：链接或它的上级元素被移出屏幕"
        "（position:absolute 加上 -1000px 以下的 left/top、text-indent:-9999px）、尺寸为零"
        "（宽和高都为 0 且 overflow:hidden、font-size:0）、文字颜色与背景相同（背景不是图片），"
        "放在高度或速度为 0 的 <marquee> 里，或由脚本写入页面（document.write、innerHTML，"
        "含 unescape/atob/String.fromCharCode 解码后写入的）。行内样式和页面内 <style> 规则都用"
        "CSS 解析器（tinycss2、cssselect2）读取并按选择器匹配。下拉菜单、选项卡、折叠面板和轮播图"
        "也会用的隐藏方式——display:none、visibility:hidden、只有高度（或宽度）为 0、opacity:0、"
        "列表项里移出屏幕的下级列表——只有链接文字或地址宣传博彩、色情、办证等内容时才算。指向本站（同一注册域名或附加域名）、其他政府网站（.gov.cn）的链接，"
        "统计、分享、党政机关标识和无障碍工具的链接，以及 <noscript> 中的后备内容都不算。每个页面"
        "每个外部域名一个发现，给出隐藏方式、选择器、代码片段，以及按链接文字判断的内容类别"
        "（博彩、色情、域名停放）。",
        basis="《政府网站与政务新媒体检查指标》（国办秘函〔2019〕19号）单项否决指标：发布或链接"
        "反动、暴力、色情等内容，页面被挂马、内容被篡改；《政府网站发展指引》要求防止网页被篡改、"
        "植入暗链。",
        example='文章页底部有 <div style="position:absolute;left:-9999px"><a href="http://'
        '某博彩网站/">百家乐</a></div>，访客看不见，搜索引擎却能读到。',
        fix="删除被植入的代码，排查服务器和内容管理系统的漏洞，修改口令，再标记为“已确认”；"
        "下次扫描看不到该链接即为已整改。自动发现一律先列为“待人工确认”，不扣分、不否决。",
        false_positives="网站自己的菜单或合作单位的链接放在移出屏幕的容器里（如视觉隐藏的辅助"
        "文字），或用同色文字做设计效果时可能被误报，标记为误报并写明理由即可。",
    ),
)

INJECTED_CODE = FindingSpec(
    id="injected_code",
    check="injection",
    indicator="hacked",
    severity="high",
    title_zh="疑似挂马：外来脚本、隐藏框架或对搜索引擎区别对待（待人工确认）",
    title_en="Suspected injected code: foreign script, hidden frame or cloaking (needs review)",
    hint_zh="核对所列脚本、框架或跳转：确属被植入的，立即删除、排查服务器与内容管理系统并修改口令，"
    "再把发现标记为“已确认”（确认后计入单项否决）；属于网站有意引用的，标记为误报并写明理由。",
    hint_en="Check the listed script, frame or redirect: if it was planted, remove it, audit the "
    "server and the CMS, change passwords and mark the finding acknowledged (confirmed injected "
    "code fails the site); if the site uses it on purpose, mark it a false positive with the "
    "reason.",
    weight_note=_REVIEW_NOTE,
    evidence=(
        "technique",
        "target_host",
        "snippet",
        "template_pages",
        "pages_with_it",
        "visitor",
        "differences",
        "needs_review",
    ),
    options=("link_timeout_s",),
    doc=FindingDoc(
        what="不属于网站模板的代码：① 外来域名的 <script src>（或脚本写入的脚本）只出现在同一"
        "页面模板的少数页面上（模板至少 4 个页面，出现的页面不超过五分之一），其余页面没有；"
        "跳转到外来网址的内联脚本同样比较；② 先检查 document.referrer 是否来自百度、搜狗、360 等"
        "搜索引擎再跳转到外来网址的脚本（典型挂马），出现在任何页面都算；③ 指向外来域名的 0×0"
        "（或 1×1）或被样式隐藏的 iframe/frame，出现在任何页面都算；④ 对搜索引擎区别对待"
        "（cloaking）：首页和最多 4 个其他模板的页面（合计不超过 5 个）分别以浏览器、Baiduspider "
        "和带百度搜索来源（Referer）的访客身份重新请求，只请求本站主机，跳转到外部主机时只记录"
        "不跟随；任一身份得到跳转到外部网站、多出外部链接，或标题不同且正文大部分不同的页面即报告。"
        "统计、分享、党政机关标识和网站自己的无障碍工具（百度统计、CNZZ、51.la、WebTrends、"
        "conac.cn、JiaThis、百度分享、wza/assist 等）不算，其他政府网站（.gov.cn）的脚本也不算。",
        basis="《政府网站与政务新媒体检查指标》（国办秘函〔2019〕19号）单项否决指标：页面被挂马、"
        "内容被篡改；《政府网站发展指引》要求加强安全防护，防止网页被篡改、植入恶意代码。",
        example='某文章页多了 <script>if(document.referrer.indexOf("baidu")>0)location.href='
        '"http://某博彩网站/"</script>，从百度搜索进入的访客被带到博彩网站，直接访问却看不出异常。',
        fix="删除被植入的代码，排查服务器和内容管理系统的漏洞，修改口令，再标记为“已确认”；"
        "下次扫描看不到即为已整改。自动发现一律先列为“待人工确认”，不扣分、不否决。",
        false_positives="只在少数页面引用的第三方组件（如某个专题页的地图、视频插件），或按访客"
        "身份返回不同版式的页面，可能被误报，标记为误报并写明理由即可。",
    ),
)

SPECS = (HIDDEN_LINK, INJECTED_CODE)
