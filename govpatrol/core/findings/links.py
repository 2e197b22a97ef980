"""The findings the link check (checks/links.py) emits."""

from govpatrol.core.findings.spec import FindingDoc, FindingSpec

BROKEN_LINK = FindingSpec(
    id="broken_link",
    check="links",
    indicator="links",
    severity="medium",
    title_zh="链接不可用",
    title_en="Broken link",
    hint_zh="修正或删除失效链接：核对地址、恢复被删除的页面或附件，外部链接失效时改为有效地址或撤下。"
    "首页链接优先处理。修复后可用“复检”确认。",
    hint_en="Fix or remove the link: correct the address, restore the deleted page or file, "
    "or replace/remove a dead external link. Fix home-page links first; run a recheck to confirm.",
    # The scorer counts broken links by target and page, not by this table (scoring/scorer.py).
    weight_note="每个失效目标每页计一次：首页链接按 `home_link_penalty`，其他链接按 "
    "`other_link_penalty`。",
    evidence=("status", "error", "kind", "text", "on_home", "tag", "attr", "redirects"),
    options=(
        "link_timeout_s",
        "link_verify_budget_s",
        "scan_budget_s",  # verification stops when the scan's own budget runs out first
        "max_link_targets",
        "home_link_penalty",
        "other_link_penalty",
    ),
    doc=FindingDoc(
        what="抓取到的每个页面上的链接（页面、图片、附件、外部网站）都会核查一次：返回 4xx/5xx、"
        "连接失败、超时或重定向过多的，在每个含有该链接的页面上记一条发现。浏览器根本无法打开的地址"
        "（只写了 `http://`、端口不是数字，如模板没有替换的 `:$PORT`）不发请求，直接记为地址无效。"
        "`on_home` 标出首页上的链接。",
        basis="失效链接让公众找不到要看的页面或要下载的附件；首页链接最显眼，扣分最重"
        "（每个首页链接 1 分、其他链接 0.1 分，是可配置的估计值）。",
        example="通知公告列表页上的附件“2024年工作要点.pdf”返回 404。",
        fix="核对链接地址；恢复被误删的页面或附件；外部网站已撤销的页面改为有效地址或删除链接。"
        "修复后运行复检确认。",
        false_positives="被防火墙、限流或 robots.txt 拦截的目标记为“未核实”，不算错链。"
        "只对巡检地址失效的链接（如只允许内网访问）可在发现中标记为误报。",
    ),
)

BROKEN_FRAGMENT = FindingSpec(
    id="broken_fragment",
    check="links",
    indicator="links",
    severity="low",
    title_zh="页内锚点失效",
    title_en="Broken in-page anchor",
    hint_zh="链接中的“#锚点”在目标页面上不存在：在目标页面补上对应的 id，或修改链接。",
    hint_en="The #fragment of the link has no matching id on the target page: "
    "add the id to the page or correct the link.",
    weight=0.02,
    evidence=("fragment", "text", "on_home"),
    options=("link_timeout_s",),
    doc=FindingDoc(
        what="链接带有“#锚点”，目标页面可以打开，但页面中没有 id（或 name）与之对应的元素。",
        basis="属于“链接可用性”：链接打开后不能定位到所指内容。权重很低（0.02 分），"
        "只提示，不影响合格判定。",
        example='目录页的“#第三章”链接指向的正文页中没有 `id="第三章"` 的元素。',
        fix="在目标页面为对应段落加上 id，或把链接改为页面中实际存在的锚点。",
        false_positives="由脚本在加载后才生成锚点的页面：巡检读取的是服务器返回的 HTML，"
        "看不到脚本生成的 id，可标记为误报。",
    ),
)

SPECS = (BROKEN_LINK, BROKEN_FRAGMENT)
