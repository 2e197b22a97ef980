"""The findings the freshness check (checks/freshness.py) emits."""

from govpatrol.core.findings.spec import FindingDoc, FindingSpec

STALE_COLUMN = FindingSpec(
    id="stale_column",
    check="freshness",
    indicator="stale_columns",
    severity="high",
    title_zh="栏目不更新",
    title_en="Column not updated",
    hint_zh="在该栏目发布新信息；确实没有新信息可发布的栏目，可在巡检结果中标记为“合理未更新”，"
    "或按规定整合、关停栏目。",
    hint_en="Publish new items in the column. A column with genuinely nothing new can be marked "
    "'legitimately unchanged' in the findings, or merged or closed as the rules allow.",
    evidence=(
        "column",
        "category",
        "newest_date",
        "url_newest_date",
        "cadence_days",
        "cadence_source",
        "cadence_basis",
        "days_since",
        "days_overdue",
        "timeboxed",
        "top_level",
    ),
    options=(
        "dynamic_cadence_days",
        "notice_cadence_days",
        "personnel_cadence_days",
        "budget_cadence_days",
        "column_cadence_days",
        "stale_timeboxed_veto",
        "stale_longterm_veto",
    ),
    doc=FindingDoc(
        what="按栏目名称归类（动态要闻类 14 天、通知公告与政策文件类 6 个月、人事与规划计划类 1 年、"
        "财政预决算类 1 年）；名称看不出类别时，看栏目里的信息（如多为“部门预算”“部门决算公开”，"
        "按财政预决算类每年更新）；网站可按栏目名称或关键词自定义更新周期（`column_cadence_days`）。"
        "读取栏目列表中最新一条信息的日期，超过更新周期的栏目记一条发现；`cadence_source` 说明周期"
        "依据的是栏目名称、栏目内容还是网站设置。"
        "`timeboxed` 标出时限类栏目（动态要闻类和一级的通知公告、政策文件类栏目）。",
        basis="栏目长期不更新，公众看到的是过时的信息，也说明栏目无人维护。单项否决："
        "时限类栏目超期合计超过（含）5 个，或应更新而未更新的栏目超过（含）10 个。",
        example="“工作动态”栏目最新一条信息发布于 30 天前，超过 14 天的周期 16 天。",
        fix="在栏目中发布新信息；长期无内容可发的栏目按规定整合或关停。",
        false_positives="确实没有新信息的栏目（如当年无人事任免）可在管理后台标记为“确无更新”，"
        "该标记会保留并在报告中注明，不再计入否决。列表日期识别错误时可标记为误报。",
    ),
)

BLANK_COLUMN = FindingSpec(
    id="blank_column",
    check="freshness",
    indicator="blank_columns",
    severity="high",
    title_zh="空白栏目",
    title_en="Blank column",
    hint_zh="为栏目补充实际内容，或从导航中撤下并关停该栏目；不要用“暂无信息”“正在建设”等页面占位。",
    hint_en="Give the column real content, or take it out of the navigation and close it; "
    "do not leave 'no information' or 'under construction' placeholders.",
    evidence=("column", "from_nav", "item_count", "placeholder", "reason"),
    options=("blank_column_veto",),
    doc=FindingDoc(
        what="栏目页没有任何信息：列表为空、页面写着“暂无信息”“暂无数据”，或只有“正在建设”"
        "“升级改版中”之类的占位页。由各子栏目区块和“更多”链接组成的栏目页、频道页（如“新闻中心”）"
        "不是栏目，不判空白；页面模板中只在列表为空时才显示的“暂无数据”、隐藏的提示不算。",
        basis="空白栏目让公众点进去一无所获，是无人维护的“僵尸栏目”。单项否决：空白栏目超过（含）"
        "5 个，网站即为不合格。",
        example="导航中的“专题专栏”打开后只显示“栏目建设中”。",
        fix="为栏目补充实际内容，或从导航中撤下并关停该栏目。",
        false_positives="列表由脚本加载、服务器返回的 HTML 中没有条目的栏目可能被判为空白，"
        "可标记为误报。",
    ),
)

HOME_NOT_UPDATED = FindingSpec(
    id="home_not_updated",
    check="freshness",
    indicator="home_not_updated",
    severity="high",
    title_zh="首页不更新",
    title_en="Home page not updated",
    hint_zh="在首页信息列表中及时发布带发布日期的信息（首页信息须显示日期，无日期的视为未更新）。",
    hint_en="Publish dated items on the home page regularly; items shown without a date count "
    "as not updated.",
    evidence=(
        "newest_date",
        "days_since",
        "fresh_days",
        "dated_items",
        "navigation_only",
        "placeholder",
    ),
    options=("home_fresh_days",),
    doc=FindingDoc(
        what="读取首页信息列表中带日期的条目，最新一条早于 14 天前时记一条发现；首页只是栏目导航时，"
        "改看各二级页面中最新的一条。没有显示日期的条目视为未更新。",
        basis="首页是网站的门面，长期不更新说明网站疏于维护。单项否决：监测 2 周首页无信息更新，"
        "网站即为不合格。",
        example="首页“要闻”列表的最新日期是 21 天前，其余条目都没有日期。",
        fix="在首页信息列表中及时发布信息，并为每条信息显示发布日期。",
        false_positives="日期以图片或脚本显示时巡检读不到，会按无日期处理；"
        "请改为文字日期，确属误判的可标记为误报。",
    ),
)

SPECS = (STALE_COLUMN, BLANK_COLUMN, HOME_NOT_UPDATED)
