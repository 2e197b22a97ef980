"""The finding the availability check (checks/availability.py) emits."""

from govpatrol.core.findings.spec import FindingDoc, FindingSpec

SITE_UNREACHABLE = FindingSpec(
    id="site_unreachable",
    check="availability",
    indicator="site_unreachable",
    severity="high",
    title_zh="网站无法访问",
    title_en="Site unreachable",
    hint_zh="检查服务器、网络线路、域名解析和证书是否正常，必要时增加冗余或监控告警；"
    "一周内首页访问失败次数占比达到 5% 即单项否决。",
    hint_en="Check the server, network, DNS and certificate; add redundancy or alerting. "
    "Failures reaching 5 % of a week's home-page probes is a single veto.",
    evidence=(
        "probes",
        "failures",
        "required",
        "ratio",
        "threshold",
        "insufficient",
        "window",
        "recent_errors",
    ),
    options=(
        "probe_timeout_s",
        "probes_per_day_min",
        "unreachable_window_days",
        "unreachable_veto_ratio",
    ),
    doc=FindingDoc(
        what="调度器每小时探测网站首页（超时 15 秒），统计最近 7 天的失败次数。超时、连接错误、"
        "域名解析失败和 5xx 状态都算失败。失败占探测次数的比例达到 5% 时记一条发现；"
        "探测次数不足（每天少于 20 次）时发现注明“探测次数不足”，不据此否决。",
        basis="网站打不开，公众就得不到任何信息和服务。这是单项否决指标：一周内首页无法访问的次数"
        "占比超过（含）5%，网站即为不合格。",
        example="一周 168 次探测中有 12 次超时或返回 502：失败占比 7.1%，否决。",
        fix="排查服务器负载、网络线路、域名解析和证书有效期；为首页增加缓存或冗余，"
        "并设置可用性告警，故障时第一时间处理。",
        false_positives="巡检服务器自身的网络故障也会表现为失败：`recent_errors` 列出最近的错误，"
        "若同一时段所有网站都失败，问题在巡检一侧。拦截巡检地址的防火墙同样会造成失败，"
        "应将巡检地址加入白名单。",
    ),
)

SPECS = (SITE_UNREACHABLE,)
