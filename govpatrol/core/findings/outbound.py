"""The finding the outbound-link check (checks/outbound.py) emits."""

from govpatrol.core.findings.spec import FindingDoc, FindingSpec

SUSPICIOUS_OUTBOUND_LINK = FindingSpec(
    id="suspicious_outbound_link",
    check="outbound",
    indicator="security",
    severity="high",
    title_zh="外链变异或暗链",
    title_en="Hijacked outbound link or hidden link farm",
    hint_zh="立即删除指向博彩、色情或已被出售（停放）域名的链接，定期核查友情链接；"
    "页面中隐藏的外部链接（暗链）多为网站被入侵后植入，应清除并排查服务器安全。",
    hint_en="Remove links to gambling, porn or parked domains and review outbound links "
    "regularly; hidden external links usually mean the site was compromised: remove them and "
    "audit the server.",
    weight=2.0,
    evidence=("reason", "reasons", "text", "hiding", "links", "count"),
    options=("link_timeout_s",),
    doc=FindingDoc(
        what="外部链接的域名现在提供博彩、色情或停放（待售）内容（外链变异）；"
        "或页面中有用样式隐藏的成批外部链接（暗链）。",
        basis="网站被篡改、植入暗链或链接到违法内容，属于安全防护不到位。",
        example="友情链接中某协会的旧域名已过期，被转卖后跳转到博彩网站。",
        fix="删除可疑链接，定期核查友情链接；发现暗链时清除并排查服务器安全。",
        false_positives="域名临时显示注册商的停放页（如续费期间）也会被认作停放域名，核实后可标记为误报。",
    ),
)

SPECS = (SUSPICIOUS_OUTBOUND_LINK,)
