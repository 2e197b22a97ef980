"""The dashboard's own words in Chinese (default) and English. Words shared with the reports
(scan statuses, triage states, severities, verdicts, check titles) come from reports.i18n."""

from __future__ import annotations

from reports.i18n import SCAN_STATUSES, SEVERITIES, STATES, VERDICTS, from_table

LABELS: dict[str, tuple[str, str]] = {
    "app": ("政务网站巡检", "govpatrol"),
    "sites": ("网站", "Sites"),
    "orgs": ("组织机构", "Organisations"),
    "users": ("用户管理", "Users"),
    "account": ("我的账户", "My account"),
    "api_docs": ("API 文档", "API docs"),
    "logout": ("退出", "Sign out"),
    "login": ("登录", "Sign in"),
    "username": ("用户名", "Username"),
    "password": ("密码", "Password"),
    "login_failed": ("用户名或密码错误", "Wrong username or password"),
    "login_throttled": (
        "登录失败次数过多，请 {minutes} 分钟后再试",
        "Too many failed sign-ins; try again in {minutes} minutes",
    ),
    "language": ("语言", "Language"),
    "address_zone": ("地址范围", "Address zone"),
    "address_zone_help": (
        "登记和保存时按域名当时解析到的地址确定；扫描、探测和链接核查只访问公网地址和此范围内的地址",
        "Fixed from what the name resolves to when the site is registered or saved; scans, "
        "probes and link checks reach public addresses and this zone only",
    ),
    "zone_public": ("仅公网", "public addresses only"),
    "zone_loopback": ("本机", "this host (loopback)"),
    "zone_private": ("内网", "private network"),
    "zone_shared": ("共享地址（100.64/10）", "shared address space (100.64/10)"),
    "name": ("名称", "Name"),
    "url": ("网址", "URL"),
    "org": ("组织", "Organisation"),
    "parent_org": ("上级组织", "Parent organisation"),
    "none": ("无", "none"),
    "last_scan": ("最近扫描", "Last scan"),
    "verdict": ("结论", "Verdict"),
    "reference_verdict": ("参考结论（非正式）", "For reference only (not official)"),
    "not_official": ("不作结论", "no verdict"),
    "points": ("得分", "Points"),
    "vetoes": ("单项否决", "Single vetoes"),
    "no_sites": ("暂无可查看的网站。", "No sites to show."),
    "add_site": ("登记网站", "Add a site"),
    "edit_site": ("编辑网站", "Edit site"),
    "save": ("保存", "Save"),
    "create": ("创建", "Create"),
    "delete": ("删除", "Delete"),
    "schedule": ("扫描计划", "Schedule"),
    "schedule_default": ("默认（周日夜间错峰）", "default (staggered over Sunday night)"),
    "cron_help": (
        "cron 表达式：分 时 日 月 周（北京时间）；填写后优先于上面的选择",
        "cron: minute hour day month weekday (Beijing time); when filled it overrides the picker",
    ),
    "schedule_days": ("每周", "Every week on"),
    "schedule_time": ("时间（北京时间）", "Time (Beijing time)"),
    "schedule_picker_help": (
        "不选星期且不填 cron 表达式时，使用默认时间（周日夜间错峰）",
        "No weekday and no cron line: the default slot (staggered over Sunday night)",
    ),
    "schedule_advanced": ("高级：cron 表达式", "Advanced: cron line"),
    "schedule_time_invalid": (
        "请为所选星期填写有效的时间（如 21:37）",
        "Give the picked weekdays a valid time (e.g. 21:37)",
    ),
    "day_mon": ("周一", "Mon"),
    "day_tue": ("周二", "Tue"),
    "day_wed": ("周三", "Wed"),
    "day_thu": ("周四", "Thu"),
    "day_fri": ("周五", "Fri"),
    "day_sat": ("周六", "Sat"),
    "day_sun": ("周日", "Sun"),
    "show_evidence": ("证据（{n} 项）", "Evidence ({n} items)"),
    "choose_triage": ("— 选择处理结果 —", "— choose —"),
    "triage_not_chosen": ("请先选择处理结果", "Choose a triage state first"),
    "next_run": ("下次扫描", "Next scan"),
    "inactive": ("已停用", "Inactive"),
    "active": ("启用", "Active"),
    "portal": ("门户网站", "Portal"),
    "government": ("政府门户（年报截止 3 月 31 日）", "Government's own site"),
    "config": ("高级配置（JSON）", "Advanced config (JSON)"),
    "config_help": (
        '如 {"thresholds": {"max_pages": 5000}, "scan_options": {"browser": false}}',
        'e.g. {"thresholds": {"max_pages": 5000}, "scan_options": {"browser": false}}',
    ),
    "config_invalid_json": ("配置不是有效的 JSON 对象", "Config is not a valid JSON object"),
    "scan_now": ("立即扫描", "Scan now"),
    "scan_started": ("已开始扫描 #{id}", "Scan #{id} started"),
    "scan_busy": ("该网站已有扫描在进行", "This site already has a scan going"),
    "progress": ("扫描进度", "Scan progress"),
    "stage": ("阶段", "Stage"),
    "pages": ("已抓取页面", "Pages"),
    "queued": ("队列", "Queue"),
    "errors": ("错误", "Errors"),
    "findings": ("发现问题", "Findings"),
    "rate": ("页/秒", "pages/s"),
    "history": ("扫描记录", "Scan history"),
    "trigger": ("触发", "Trigger"),
    "status": ("状态", "Status"),
    "started": ("开始", "Started"),
    "finished": ("结束", "Finished"),
    "report": ("报告", "Report"),
    "open_report": ("查看报告", "Open report"),
    "latest_report": ("最新报告", "Latest report"),
    "no_scans": ("尚未扫描。", "Not scanned yet."),
    "availability": ("可用性探测（24 小时）", "Availability probes (24 h)"),
    "probes": ("探测次数", "Probes"),
    "failures": ("失败", "Failures"),
    "last_probe": ("最近一次", "Latest"),
    "ok": ("正常", "OK"),
    "failed": ("失败", "Failed"),
    "scan": ("扫描", "Scan"),
    "site": ("网站", "Site"),
    "export": ("导出", "Export"),
    "filter": ("筛选", "Filter"),
    "all": ("全部", "All"),
    "check": ("检查项", "Check"),
    "severity": ("严重程度", "Severity"),
    "state": ("状态", "State"),
    "untriaged": ("未处理", "Not triaged"),
    "page": ("页面", "Page"),
    "target": ("目标", "Target"),
    "message": ("问题", "Problem"),
    "evidence": ("证据", "Evidence"),
    "triage": ("处理", "Triage"),
    "note": ("备注", "Note"),
    "clear_mark": ("撤销标记", "Clear mark"),
    "mark": ("标记", "Mark"),
    "triage_saved": ("已保存处理结果", "Triage saved"),
    "no_findings": ("没有符合条件的问题。", "No findings match."),
    "prev_page": ("上一页", "Previous"),
    "next_page": ("下一页", "Next"),
    "shown": ("第 {start}–{end} 条，共 {total} 条", "{start}–{end} of {total}"),
    "indicators": ("指标", "Indicators"),
    "overview": ("情况通报", "Overview"),
    "sub_sites": ("所属网站", "Sites"),
    "add_org": ("新增组织", "Add an organisation"),
    "org_created": ("已创建组织", "Organisation created"),
    "role": ("角色", "Role"),
    "role_admin": ("管理员", "Admin"),
    "role_supervisor": ("上级主管单位", "Supervisor"),
    "role_webmaster": ("网站管理员", "Webmaster"),
    "user_sites": ("负责的网站（网站管理员）", "Sites looked after (webmaster)"),
    "add_user": ("新增用户", "Add a user"),
    "edit_user": ("编辑用户", "Edit user"),
    "new_password": ("新密码（留空不变）", "New password (empty: unchanged)"),
    "user_created": ("已创建用户", "User created"),
    "user_saved": ("已保存用户", "User saved"),
    "user_deleted": ("已删除用户", "User deleted"),
    "site_saved": ("已保存网站", "Site saved"),
    "cannot_delete_self": ("不能删除自己的账户", "You cannot delete your own account"),
    "api_token": ("API 令牌", "API token"),
    "api_token_help": (
        "在请求头中使用 Authorization: Bearer <令牌>。生成新令牌会使旧令牌失效。",
        "Send Authorization: Bearer <token>. A new token replaces the old one.",
    ),
    "api_token_new": ("生成新令牌", "Generate a new token"),
    "api_token_shown_once": (
        "请立即复制保存，此令牌只显示这一次：",
        "Copy it now; it is shown only once:",
    ),
    "api_token_set": ("已设置令牌", "A token is set"),
    "api_token_none": ("尚未生成令牌", "No token yet"),
    "change_password": ("修改密码", "Change password"),
    "current_password": ("当前密码", "Current password"),
    "password_changed": ("密码已修改", "Password changed"),
    "wrong_password": ("当前密码不正确", "Current password is wrong"),
    "not_found": ("未找到该页面或您无权查看。", "Not found, or not yours to see."),
    "forbidden": ("您的角色无权执行此操作。", "Your role may not do this."),
    "error": ("出错了", "Something went wrong"),
    "back": ("返回", "Back"),
    "report_unavailable": ("报告暂不可用", "Report unavailable"),
    "endpoint": ("接口", "Endpoint"),
    "parameters": ("参数", "Parameters"),
    "body": ("请求体", "Body"),
    "openapi_json": ("OpenAPI 描述文件", "OpenAPI document"),
    "stage_crawl": ("抓取页面", "Crawling"),
    "stage_links": ("核查链接", "Verifying links"),
    "stage_browser": ("浏览器检测", "Browser audits"),
    "stage_site": ("站点检查", "Site checks"),
    "stage_score": ("评分", "Scoring"),
}

TRIGGERS: dict[str, tuple[str, str]] = {
    "manual": ("手动", "Manual"),
    "schedule": ("计划", "Scheduled"),
    "api": ("API", "API"),
    "demo": ("演示", "Demo"),
    "test": ("测试", "Test"),
}

ROLE_KEYS = {"admin": "role_admin", "supervisor": "role_supervisor", "webmaster": "role_webmaster"}


def t(key: str, lang: str = "zh", **values: object) -> str:
    zh, en = LABELS[key]
    text = en if lang == "en" else zh
    return text.format(**values) if values else text


def status_label(status: str | None, lang: str) -> str:
    return from_table(SCAN_STATUSES, str(status) if status else None, lang)


def state_label(state: str | None, lang: str) -> str:
    if state == "untriaged":
        return t("untriaged", lang)
    return from_table(STATES, state, lang)


def severity_label(severity: str | None, lang: str) -> str:
    return from_table(SEVERITIES, severity, lang)


def verdict_label(verdict: str | None, lang: str) -> str:
    return from_table(VERDICTS, verdict, lang) if verdict else "—"


def role_label(role: str, lang: str) -> str:
    return t(ROLE_KEYS[role], lang) if role in ROLE_KEYS else role


def zone_label(zone: str | None, lang: str) -> str:
    """``Site.address_zone`` in words: "public" or zone names, comma separated."""
    names = [z for z in (zone or "public").split(",") if z]
    return "、".join(t(f"zone_{z}", lang) if f"zone_{z}" in LABELS else z for z in names)


def stage_label(stage: str | None, lang: str) -> str:
    key = f"stage_{stage}"
    return t(key, lang) if key in LABELS else (stage or "")


def trigger_label(trigger: str | None, lang: str) -> str:
    return from_table(TRIGGERS, trigger, lang)
