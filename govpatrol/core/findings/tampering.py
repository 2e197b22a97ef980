"""The findings the tampering check (checks/tampering.py) emits: what changed since the
site's previous complete scan that a webmaster did not do (内容被篡改, 伪造发稿日期)."""

from govpatrol.core.findings.spec import FindingDoc, FindingSpec

_AWAITING = "待人工确认前不扣分、不否决；人工确认（已确认）后触发“{}”单项否决。"

CONTENT_TAMPERED = FindingSpec(
    id="content_tampered",
    check="tampering",
    indicator="tampering",
    severity="high",
    title_zh="页面疑似被篡改（待人工确认）",
    title_en="Page possibly tampered with (needs review)",
    hint_zh="对照“上次/本次”摘录核实页面：确非本单位所改的，立即恢复页面、排查网站后台账号和"
    "服务器，并把发现标记为“已确认”（确认后计入单项否决）；属于正常改版或正常更新的，"
    "标记为误报并写明理由。",
    hint_en="Compare the before and after excerpts: if the change was not the office's own, "
    "restore the page, check the CMS accounts and the server, and mark the finding "
    "acknowledged (a confirmed one fails the site); if it was a redesign or an ordinary "
    "update, mark it a false positive with the reason.",
    weight_note=_AWAITING.format("内容被篡改"),
    evidence=(
        "reasons",
        "similarity",
        "text_threshold",
        "before_excerpt",
        "after_excerpt",
        "title_before",
        "title_after",
        "new_domains",
        "previous_scan_id",
        "previous_scan_date",
        "needs_review",
    ),
    options=("tampered_text_similarity",),
    doc=FindingDoc(
        what="把首页和每个栏目的第一页与本站上次完整巡检时的同一页面比较（首次巡检不作判断）："
        "① 页面模板（DOM 骨架）没变，而页面自身文字（链接以外、列表各行以外的可见文字，不含单独的"
        "日期和数字）与上次相比大部分被替换——估计相似度低于 `tampered_text_similarity`（默认 0.2）；"
        "列表页只比较列表以外的文字，栏目正常更新、列表换了新条目不算；② 页面出现上次没有的外部"
        "域名链接，且该域名不是本站域名（含不带 www. 的写法）、不是政府域名（.gov.cn、.gov）、党政机关网站标识（conac.cn）或中央重点新闻网站（人民网、新华网、央视网等），上次巡检时全站也从未链接过，列表条目"
        "本身的链接不计；③ 标题换成了与原标题、网站名称、栏目名称都毫无关联的文字。每个页面每种"
        "情况一条发现，附上次与本次的摘录、相似度、新出现的域名、上次巡检的编号和日期。",
        basis="《政府网站与政务新媒体检查指标》（国办秘函〔2019〕19号）把“页面被挂马、内容被篡改”"
        "且未及时处理列为单项否决；《政府网站发展指引》（国办发〔2017〕47号）要求防止网页被篡改。",
        example="首页的“通知公告”区、页脚都还在，但正文区的介绍文字整段换成了博彩广告；或首页"
        "底部新出现指向 xx-casino.com 的链接；或栏目页标题由“通知公告－某市民政局”变成"
        "“澳门新葡京娱乐场”。",
        fix="核实后恢复页面，排查后台账号、服务器和网页防篡改措施，再把发现标记为“已确认”；下次"
        "巡检与本次比较时不再出现即为已处理。自动发现一律先列为“待人工确认”，不扣分、不否决；经"
        "人工确认后才按单项否决计。",
        false_positives="网站改版（模板改变时不比较文字，但标题可能整体更换）、首页专题内容整体"
        "更换、新增合作媒体或商业服务的链接都可能被报告。标记为误报并写明理由即可。",
    ),
)

BACKDATED_ARTICLE = FindingSpec(
    id="backdated_article",
    check="tampering",
    indicator="backdating",
    severity="medium",
    title_zh="疑似伪造发稿日期（待人工确认）",
    title_en="Possibly backdated article (needs review)",
    hint_zh="核实这篇文章实际发布的时间：确属补发后倒填日期的，按实际发布时间更正发布日期，并把"
    "发现标记为“已确认”（确认后计入单项否决）；属于历史文件补录、原文章改地址重发等正常情况的，"
    "标记为误报并写明理由。",
    hint_en="Check when the article was really published: if it was posted late under an "
    "earlier date, correct its date to the real one and mark the finding acknowledged (a "
    "confirmed one fails the site); if it is an archive document added later or an article "
    "moved to a new address, mark it a false positive with the reason.",
    weight_note=_AWAITING.format("伪造发稿日期"),
    evidence=(
        "title",
        "column",
        "column_url",
        "published_date",
        "previous_scan_id",
        "previous_scan_date",
        "previous_oldest",
        "previous_items",
        "needs_review",
    ),
    options=("backdated_grace_days",),
    doc=FindingDoc(
        what="与本站上次完整巡检比较（首次巡检不作判断）：一篇文章本次第一次出现（上次巡检没有抓取"
        "到它，上次各列表也没有列出它，也没有同标题的条目），它的发布日期却早于上次巡检的日期"
        "（早于 `backdated_grace_days`，默认 7 天以上），而它所在栏目的第一页上次已经抓取、当时"
        "并没有列出它——按它的日期，它本应排在当时第一页所列的条目之间（比当时第一页最下面一条"
        "更新）。上次只抓取了第一页时，当时在第二页的文章比第一页最下面一条更旧，不报告；栏目上次"
        "没有抓取、日期比当时第一页所有条目都旧、原文章换地址重发（同标题）的，也不报告；一个栏目"
        "里这样的文章占当时应显示条目的一半以上时，视为栏目整体改版迁移，不报告。每篇文章一条"
        "发现，附栏目、日期和上次第一页的条目摘录。",
        basis="《政府网站与政务新媒体检查指标》（国办秘函〔2019〕19号）把“伪造发稿日期”列为"
        "单项否决。",
        example="上次巡检（11 月 15 日）时“工作动态”第一页列出 11 月 1 日至 11 月 14 日的 20 篇"
        "文章；本次出现一篇日期为 11 月 6 日的新文章，上次第一页并没有它。",
        fix="核实实际发布时间，按实际时间更正发布日期，再把发现标记为“已确认”。自动发现一律先列为"
        "“待人工确认”，不扣分、不否决；经人工确认后才按单项否决计。",
        false_positives="补录历史文件、列表按成文日期排序、文章撤下后修改再发布（地址和标题都变了）"
        "等情况可能被报告。标记为误报并写明理由即可。",
    ),
)

SPECS = (CONTENT_TAMPERED, BACKDATED_ARTICLE)
