"""The finding the interaction check (checks/interaction.py) emits."""

from govpatrol.core.findings.spec import FindingDoc, FindingSpec

INTERACTION_UNANSWERED = FindingSpec(
    id="interaction_unanswered",
    check="interaction",
    indicator="interaction",
    severity="high",
    title_zh="互动回应差（留言超过3个月未答复）",
    title_en="Public messages left unanswered",
    hint_zh="及时答复政务咨询类栏目中的留言，3个月内必须回应；确实无法办理的也应答复说明。"
    "网站应开设局长信箱、咨询投诉等政务咨询渠道。",
    hint_en="Answer every message in the consultation columns within three months, even when "
    "the request cannot be met; the site must offer a consultation channel.",
    evidence=(
        "reason",
        "title",
        "asked",
        "answered",
        "unit",
        "days",
        "limit_days",
        "status",
        "stats",
        "channels",
    ),
    options=("unanswered_days", "interaction_window_days"),
    doc=FindingDoc(
        what="在政务咨询类栏目（局长信箱、咨询投诉、我要咨询、留言等）中读取最近 365 天的留言，"
        "超过 3 个月（90 天）仍未答复的记一条发现；网站没有任何咨询渠道时也记一条。"
        "在线访谈、调查征集、网上信访、纪检举报不在其列。",
        basis="留言长期无人答复，公众的诉求得不到回应。单项否决：未开设政务咨询类栏目，"
        "或一年内留言超过 3 个月未回复，网站即为不合格。",
        example="“局长信箱”中 2024 年 2 月的一条留言状态仍为“办理中”，已过 120 天。",
        fix="答复每一条留言，确实无法办理的也答复说明；开设政务咨询渠道。",
        false_positives="答复内容只在登录后可见、列表中状态未更新时会被判为未答复：请让列表显示答复状态，"
        "或标记为误报。",
    ),
)

SPECS = (INTERACTION_UNANSWERED,)
