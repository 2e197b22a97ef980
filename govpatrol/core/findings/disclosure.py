"""The finding the disclosure check (checks/disclosure.py) emits."""

from govpatrol.core.findings.spec import FindingDoc, FindingSpec

LATE_DISCLOSURE = FindingSpec(
    id="late_disclosure",
    check="disclosure",
    indicator="disclosure",
    severity="low",
    title_zh="政府信息公开不及时",
    title_en="Information disclosed late",
    hint_zh="主动公开的政府信息应自形成之日起20个工作日内公开（《政府信息公开条例》第二十六条）；"
    "请缩短审核发布流程，并核对页面标注的成文日期与发布日期是否准确。",
    hint_en="Publish information within 20 working days of the date it was made "
    "(OGI Regulations Art. 26); shorten the review process and check the dates shown.",
    weight=0.1,
    evidence=(
        "reason",
        "title",
        "doc_number",
        "written_date",
        "published_date",
        "working_days",
        "calendar_days",
        "max_working_days",
        "fallback",
        "calendar",
        "fallback_years",
        "needs_review",
        "sources",
    ),
    options=("late_disclosure_working_days",),
    doc=FindingDoc(
        what="文件页的发布日期晚于成文日期超过 20 个工作日。工作日按 chinese-calendar 和本单位载入的国务院节假日安排计算；"
        "某年没有任何来源时仅按周一至周五计算、注明年份，并标为待人工确认（不计分）。"
        "相隔一年以上的（多为旧文件在政策文件库或新网站中重新发布），同样标为待人工确认。"
        "元数据没有成文日期的编号公文，以正文末尾落款的日期为成文日期（证据中注明读取位置）。",
        basis="《政府信息公开条例》第二十六条：属于主动公开范围的政府信息，应当自该政府信息形成或者"
        "变更之日起 20 个工作日内予以公开。",
        example="成文日期 2024 年 3 月 1 日，发布日期 2024 年 4 月 15 日，相隔 30 个工作日。",
        fix="缩短审核发布流程；核对页面标注的成文日期与发布日期是否准确。",
        false_positives="页面把后来的修改日期显示为发布日期、或把旧文件迁移到新网站时重新记了发布日期，"
        "都会显得公开不及时：请更正日期，或标记为误报。",
    ),
)

SPECS = (LATE_DISCLOSURE,)
