"""The finding the personal-data check (checks/personal_data.py) emits."""

from govpatrol.core.findings.spec import FindingDoc, FindingSpec

PERSONAL_DATA_EXPOSED = FindingSpec(
    id="personal_data_exposed",
    check="personal_data",
    indicator="security",
    severity="high",
    title_zh="泄露个人隐私信息",
    title_en="Personal data exposed",
    hint_zh="公示名单等信息中的身份证号、银行卡号、手机号码等个人信息应脱敏"
    "（如 110101********1234、138****5678）后发布；请立即处理页面和附件，并排查同类信息。",
    hint_en="Mask ID, bank-card and phone numbers (e.g. 110101********1234, 138****5678) in "
    "published lists; fix the page or file now and check similar ones.",
    weight=2.0,
    evidence=("kinds", "counts", "samples_masked", "source", "format"),
    options=("link_timeout_s",),
    doc=FindingDoc(
        what="在页面和附件（表格、文档）中查找未脱敏的 18 位身份证号（按 GB 11643 校验码核对）、"
        "手机号码和银行卡号（按 Luhn 校验）。发现中的示例已脱敏。",
        basis="《个人信息保护法》：公开个人信息须有法定依据并限于必要范围；公示名单中的身份证号、"
        "手机号等应脱敏。",
        example="低保公示名单附件中列出了完整的身份证号码。",
        fix="立即撤下或替换为脱敏后的页面和附件，并排查同类信息。",
        false_positives="恰好通过校验的长数字（如某些订单号、编码）可能被认作身份证号或银行卡号，"
        "核实后可标记为误报。",
    ),
)

SPECS = (PERSONAL_DATA_EXPOSED,)
