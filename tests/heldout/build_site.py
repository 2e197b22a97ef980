"""Writes the held-out portal (tests/heldout/site/, tests/heldout/quiet/) and its truth.json.

The portal is deliberately unlike the sample portal's templates: each column is written in the
markup of one CMS family seen on real Chinese government sites (TRS table rows with
createPageHTML paging, Hanweb <datastore> records, ul/li with <span> dates, dl/dt/dd rows,
div cards with 03-15 / 2024.03.15 / [2024-03-15] dates, rows split into groups of five, Vue and
layui templates with 暂无数据 in an inactive branch). The truth is written from docs/CHECKS.md,
column by column, never from what the code makes of a page.

Run ``python tests/heldout/build_site.py`` after changing this file; the pages and the truth
are committed, so the evaluation (tests/test_heldout_columns.py) reads plain files.
"""

from __future__ import annotations

import datetime as dt
import html
import json
import shutil
from dataclasses import dataclass, field
from pathlib import Path

HERE = Path(__file__).resolve().parent
AS_OF = dt.date(2026, 11, 20)
SITE_NAME = "青岚区人民政府"

NAV = (
    ("首页", "/"),
    ("新闻中心", "/xwzx/"),
    ("政务公开", "/zwgk/"),
    ("通知公告", "/col/col1234/index.html"),
    ("规划计划", "/zwgk/ghjh/"),
    ("机构职能", "/zwgk/jgzn/"),
)
NEWS_SIDE = (
    ("工作动态", "/xwzx/gzdt/"),
    ("部门动态", "/xwzx/bmdt/"),
    ("图片新闻", "/xwzx/tpxw/"),
    ("乡镇动态", "/xwzx/xzdt/"),
    ("本地要闻", "/xwzx/bdyw/"),
    ("基层动态", "/xwzx/jcdt/"),
    ("媒体关注", "/xwzx/mtgz/"),
    ("政务动态", "/xwzx/zwdt/"),
    ("区县动态", "/xwzx/qxdt/"),
)
OPEN_SIDE = (
    ("通知公告", "/col/col1234/index.html"),
    ("公示公告", "/zwgk/gsgg/"),
    ("政策文件", "/zwgk/zcwj/"),
    ("政策解读", "/zwgk/zcjd/"),
    ("人事信息", "/zwgk/rsxx/"),
    ("规划计划", "/zwgk/ghjh/"),
    ("财政预决算", "/zwgk/czyjs/"),
    ("部门预算", "/zwgk/bmys/"),
    ("部门决算", "/zwgk/bmjs/"),
    ("财政资金信息", "/zwgk/czzj/"),
    ("机构职能", "/zwgk/jgzn/"),
    ("法规文件", "/zwgk/flwj/"),
    ("人事任免", "/zwgk/rsrm/"),
    ("公示", "/zwgk/gs/"),
    ("政府信息公开年报", "/zwgk/xxgknb/"),
    ("专项规划", "/zwgk/zxgh/"),
    ("政策法规", "/zwgk/zcfg/"),
)


def d(text: str) -> dt.date:
    return dt.date.fromisoformat(text)


@dataclass
class Item:
    title: str
    date: dt.date
    url: str = ""
    kind: str = "document"  # what the article page is (document | interpretation)
    body: str = ""


@dataclass
class Column:
    key: str  # its folder
    name: str
    parent: tuple[str, str]  # (section name, section URL)
    style: str
    items: list[Item]
    first_page: str = ""
    category: str | None = None
    cadence_days: int | None = None
    cadence_source: str | None = None  # name | content | None
    expected: list[str] = field(default_factory=list)  # finding ids on its first page
    per_page: int = 100
    side: tuple[tuple[str, str], ...] = NEWS_SIDE
    shows_dates: bool = True
    url_style: str = "trs"  # trs (t20261116_N.html) | hanweb | plain (no date in the URL)
    encoding: str = "utf-8"
    item_pages: str = "article"  # article | placeholder (正在建设 behind every item)
    related: bool = False  # its articles end with 相关新闻: four dated sibling links
    hot: bool = False  # its list pages carry a 热点信息 box of the site's newest items
    hot_items: list[Item] = field(default_factory=list)


def page(
    title: str, crumbs: list[tuple[str, str]], main: str, side=(), extra_head="", nav_links=NAV
) -> str:
    nav = "".join(f'<li><a href="{u}">{n}</a></li>' for n, u in nav_links)
    crumb = " &gt; ".join(f'<a href="{u}">{n}</a>' for n, u in crumbs)
    side_html = ""
    if side:
        links = "".join(f'<li><a href="{u}">{n}</a></li>' for n, u in side)
        side_html = (
            f'<div class="sidebar"><h2>{html.escape(crumbs[-1][0])}</h2><ul>{links}</ul></div>'
        )
    return f"""<!DOCTYPE html>
<html lang="zh-CN"><head><meta charset="utf-8">
<title>{html.escape(title)}_{SITE_NAME}</title>{extra_head}
</head><body>
<div class="top"><div class="logo"><a href="/"><img src="/images/logo.png" alt="{SITE_NAME}"></a></div>
<ul class="mainnav">{nav}</ul></div>
<div class="location">当前位置：{crumb}</div>
<div class="wrap">{side_html}<div class="content">{main}</div></div>
<div class="footer"><p>主办：{SITE_NAME}办公室 联系电话：0791-8888888</p>
<p>网站标识码：3601990001 赣ICP备12345678号 <a href="{nav_links[-1][1]}">关于我们</a></p></div>
</body></html>
"""


# --- list markup, one function per CMS family -------------------------------------------------


def rows_trs_table(items: list[Item], col: Column) -> str:
    rows = "".join(
        f'<tr><td class="bt"><a href="{i.url}" target="_blank" title="{i.title}">{i.title}</a></td>'
        f'<td class="rq" align="right">{i.date:%Y-%m-%d}</td></tr>\n'
        for i in items
    )
    return f'<table class="listtable" width="100%" cellpadding="0" cellspacing="0">\n{rows}</table>'


def rows_hanweb(items: list[Item], col: Column) -> str:
    records = "".join(
        f'<record><![CDATA[\n<li><a href="{i.url}" title="{i.title}" target="_blank">{i.title}</a>'
        f"<span>{i.date:%Y-%m-%d}</span></li>\n]]></record>\n"
        for i in items
    )
    return (
        '<div id="1234"><script type="text/xml"><datastore>\n'
        '<nextgroup><![CDATA[<a href="/module/web/jpage/dataproxy.jsp?page=1&appid=1&webid=1'
        '&path=/&columnid=1234&unitid=5678&permissiontype=0"></a>]]></nextgroup>\n'
        f"<recordset>\n{records}</recordset></datastore></script>"
        '<script language="javascript" src="/module/web/jpage/jpage.js"></script>'
        "<script>var pageCount = 1;</script></div>"
    )


def rows_ul_span(items: list[Item], col: Column) -> str:
    lis = "".join(
        f'<li><a href="{i.url}" target="_blank">{i.title}</a><span class="date">{i.date:%Y-%m-%d}</span></li>\n'
        for i in items
    )
    return f'<ul class="news-list">\n{lis}</ul>'


def rows_ul_undated(items: list[Item], col: Column) -> str:
    lis = "".join(f'<li>· <a href="{i.url}" target="_blank">{i.title}</a></li>\n' for i in items)
    return f'<ul class="town-list">\n{lis}</ul>'


def rows_dl(items: list[Item], col: Column) -> str:
    return "".join(
        f'<dl class="row"><dt><a href="{i.url}" target="_blank">{i.title}</a></dt>'
        f"<dd>{i.date:%Y-%m-%d}</dd></dl>\n"
        for i in items
    )


def rows_dl_pairs(items: list[Item], col: Column) -> str:
    pairs = "".join(
        f'<dt><a href="{i.url}">{i.title}</a></dt><dd class="time">发布日期：{i.date:%Y-%m-%d}</dd>\n'
        for i in items
    )
    return f'<dl class="personnel">\n{pairs}</dl>'


def rows_card_md(items: list[Item], col: Column) -> str:
    return "".join(
        f'<div class="news-card"><div class="txt"><a href="{i.url}">{i.title}</a>'
        f'<p>{i.title}。详情请点击查看全文。</p></div><em class="day">{i.date:%m-%d}</em></div>\n'
        for i in items
    )


def rows_card_dot(items: list[Item], col: Column) -> str:
    return "".join(
        f'<div class="pic-card"><a href="{i.url}"><img src="/images/pic{n}.png" alt="{i.title}"></a>'
        f'<div class="info"><a href="{i.url}">{i.title}</a><span>{i.date:%Y.%m.%d}</span></div></div>\n'
        for n, i in enumerate(items)
    )


def rows_bracket_groups(items: list[Item], col: Column) -> str:
    groups = []
    for start in range(0, len(items), 5):
        lis = "".join(
            f'<li><a href="{i.url}" target="_blank">{i.title}</a> <font color="#999">[{i.date:%Y-%m-%d}]</font></li>\n'
            for i in items[start : start + 5]
        )
        groups.append(f'<ul class="gl-list">\n{lis}</ul>')
    return '<div class="list-box">' + '<div class="line"></div>\n'.join(groups) + "</div>"


def rows_bracket(items: list[Item], col: Column) -> str:
    lis = "".join(
        f'<li><span class="r">[{i.date:%Y-%m-%d}]</span><a href="{i.url}">{i.title}</a></li>\n'
        for i in items
    )
    return f'<ul class="yjs">\n{lis}</ul>'


def rows_vue(items: list[Item], col: Column) -> str:
    lis = "".join(
        f'<li class="item"><a href="{i.url}">{i.title}</a><span class="time">{i.date:%Y-%m-%d}</span></li>\n'
        for i in items
    )
    return (
        '<div id="app"><ul class="jd-list" v-if="list.length">\n'
        f"{lis}</ul>\n"
        '<div class="no-data" v-else><img src="/images/empty.png" alt=""><p>暂无数据</p></div>\n'
        '<div class="pager" v-show="total > 20"><a href="javascript:;">下一页</a></div></div>\n'
        '<script src="/js/vue.min.js"></script>'
        "<script>new Vue({el:'#app',data:{list:[1],total:5}})</script>"
    )


def rows_layui(items: list[Item], col: Column) -> str:
    lis = "".join(
        f'<li><a href="{i.url}" target="_blank">{i.title}</a><span>{i.date:%Y-%m-%d}</span></li>\n'
        for i in items
    )
    return (
        f'<ul class="file-list" id="fileList">\n{lis}</ul>\n'
        '<script type="text/html" id="fileTpl">\n{{# if(d.list.length === 0){ }}\n'
        '<div class="layui-none">暂无数据</div>\n{{# } else { }}\n'
        '{{# layui.each(d.list, function(i, item){ }}<li><a href="{{item.url}}">{{item.title}}</a>'
        "<span>{{item.date}}</span></li>{{# }); }}\n{{# } }}\n</script>\n"
        '<div id="laypage"></div>'
    )


def rows_yearless_bracket(items: list[Item], col: Column) -> str:
    lis = "".join(
        f'<li><a href="{i.url}">{i.title}</a><span class="rq">[{i.date:%m-%d}]</span></li>\n'
        for i in items
    )
    return f'<ul class="bdyw">\n{lis}</ul>'


def rows_catalogue(items: list[Item], col: Column) -> str:
    """An 信息公开目录 table: a header row, then 索引号 (which holds a year), title, 文号, date."""
    head = "<tr><th>序号</th><th>索引号</th><th>名称</th><th>文号</th><th>发布日期</th></tr>\n"
    rows = "".join(
        f"<tr><td>{n}</td><td>11360199MB0000001X/{i.date.year}-{100 + n:05d}</td>"
        f'<td class="mc"><a href="{i.url}" title="{i.title}">{i.title}</a></td>'
        f"<td>青府发〔{i.date.year}〕{n + 3}号</td><td>{i.date:%Y-%m-%d}</td></tr>\n"
        for n, i in enumerate(items, 1)
    )
    return f'<table class="xxgk-table" border="1">\n{head}{rows}</table>'


def rows_cn_dates(items: list[Item], col: Column) -> str:
    lis = "".join(
        f'<li><span class="fr">{i.date.year}年{i.date.month:02d}月{i.date.day:02d}日</span>'
        f'<a href="{i.url}">{i.title}</a></li>\n'
        for i in items
    )
    return f'<ul class="rsrm">\n{lis}</ul>'


def rows_slash(items: list[Item], col: Column) -> str:
    lis = "".join(
        f'<li><a href="{i.url}" target="_blank">{i.title}</a><span>{i.date:%Y/%m/%d}</span></li>\n'
        for i in items
    )
    return f'<ul class="mtgz">\n{lis}</ul>'


PINNED_MARK = '<i class="top">[置顶]</i>'


def rows_pinned(items: list[Item], col: Column) -> str:
    """The first row is pinned (置顶) and old; a 暂无信息 block the template keeps hidden."""
    lis = "".join(
        f'<li>{PINNED_MARK if n == 0 else ""}<a href="{i.url}">{i.title}</a>'
        f'<span class="date">{i.date:%Y-%m-%d}</span></li>\n'
        for n, i in enumerate(items)
    )
    return (
        f'<ul class="gs-list">\n{lis}</ul><div class="nodata" style="display:none">暂无信息</div>'
    )


def rows_timestamp_first(items: list[Item], col: Column) -> str:
    rows = "".join(
        f'<tr><td class="time" width="160">{i.date:%Y-%m-%d} 10:{n:02d}:05</td>'
        f'<td><a href="{i.url}" target="_blank">{i.title}</a></td></tr>\n'
        for n, i in enumerate(items)
    )
    return f'<table class="zwdt">\n{rows}</table>'


def rows_date_in_link(items: list[Item], col: Column) -> str:
    lis = "".join(
        f'<li><a href="{i.url}"><span class="date">{i.date:%Y-%m-%d}</span>{i.title}</a></li>\n'
        for i in items
    )
    return f'<ul class="qx-list">\n{lis}</ul>'


def rows_blank(items: list[Item], col: Column) -> str:

    return '<ul class="news-list"></ul><div class="nodata">暂无信息</div>'


STYLES = {
    "trs_table": rows_trs_table,
    "hanweb": rows_hanweb,
    "ul_span": rows_ul_span,
    "ul_undated": rows_ul_undated,
    "dl": rows_dl,
    "dl_pairs": rows_dl_pairs,
    "card_md": rows_card_md,
    "card_dot": rows_card_dot,
    "bracket_groups": rows_bracket_groups,
    "bracket": rows_bracket,
    "vue": rows_vue,
    "layui": rows_layui,
    "blank": rows_blank,
    "yearless_bracket": rows_yearless_bracket,
    "catalogue": rows_catalogue,
    "cn_dates": rows_cn_dates,
    "slash": rows_slash,
    "pinned": rows_pinned,
    "timestamp_first": rows_timestamp_first,
    "date_in_link": rows_date_in_link,
}


# --- the columns ----------------------------------------------------------------------------

NEWS = ("新闻中心", "/xwzx/")
OPEN = ("政务公开", "/zwgk/")


def dated(titles_dates: list[tuple[str, str]], kind: str = "document") -> list[Item]:
    return [Item(title, d(day), kind=kind) for title, day in titles_dates]


def columns() -> list[Column]:
    gzdt = dated(
        [
            ("区政府召开第三十二次常务会议", "2026-11-16"),
            ("我区开展政府网站404页面规范化检查", "2026-11-12"),
            ("区领导督导冬季安全生产工作", "2026-11-06"),
            ("青岚区召开优化营商环境推进会", "2026-10-30"),
            ("区政府与省农科院签署合作协议", "2026-10-24"),
            ("全区秋冬季森林防火工作会议召开", "2026-10-18"),
            ("区政务服务中心推行“一窗通办”", "2026-10-11"),
            ("我区举办2026年农民丰收节", "2026-09-23"),
            ("区人大常委会视察民生实事项目", "2026-09-15"),
            ("青岚区启动城市更新三年行动", "2026-09-02"),
            ("区政府专题研究防汛救灾工作", "2026-08-20"),
            ("我区召开重点项目调度会", "2026-08-08"),
            ("区委理论学习中心组举行集体学习", "2026-07-25"),
            ("青岚区举行重大项目集中开工仪式", "2026-07-10"),
            ("区政府召开半年经济运行分析会", "2026-07-02"),
        ]
    )
    bmdt = dated(
        [
            ("区教体局开展秋季开学安全检查", "2026-10-01"),
            ("区卫健委举办健康义诊进社区活动", "2026-09-20"),
            ("区住建局推进老旧小区改造", "2026-09-08"),
            ("区市场监管局开展食品安全抽检", "2026-08-27"),
            ("区人社局举办秋季招聘会", "2026-08-12"),
            ("区农业农村局部署秋粮收购", "2026-07-30"),
            ("区交通运输局开展道路隐患排查", "2026-07-15"),
            ("区民政局走访慰问困难群众", "2026-06-28"),
        ]
    )
    tpxw = dated(
        [
            ("航拍青岚湖湿地公园秋色", "2026-11-12"),
            ("第二届青岚马拉松鸣枪开跑", "2026-11-02"),
            ("青岚古镇夜景提升工程完工", "2026-10-21"),
            ("青岚区新建城市书房开放", "2026-10-09"),
            ("丰收时节稻浪金黄", "2026-09-26"),
            ("青岚湖大桥主体合龙", "2026-09-12"),
        ]
    )
    xzdt = [
        Item(title, d(day))
        for title, day in [
            ("东岭镇开展人居环境整治", "2026-11-10"),
            ("西湖街道举办邻里节", "2026-11-03"),
            ("南塘乡推进高标准农田建设", "2026-10-25"),
            ("北山镇召开村级换届工作会", "2026-10-17"),
            ("青岚街道开展消防演练", "2026-10-05"),
            ("梅林镇发展特色茶产业", "2026-09-28"),
        ]
    ]
    tzgg = dated(
        [
            ("关于2026年清明节假期安排的通知", "2026-03-02"),
            ("关于青岚区政府网站系统维护的公告", "2026-02-24"),
            ("关于调整网上办事大厅入口的通知", "2026-02-20"),
            ("关于开展2026年度春季植树活动的通知", "2026-02-11"),
            ("关于公布区级行政许可事项清单的公告", "2026-01-26"),
            ("青岚区政府信息不存在告知书（2026第3号）", "2026-01-12"),
            ("关于2026年元旦放假安排的通知", "2025-12-28"),
            ("关于开展冬季用电安全检查的通知", "2025-12-10"),
            ("关于征集2026年民生实事项目的公告", "2025-11-25"),
        ]
    )
    # fifteen rows, newest first, printed as three groups of five
    gsgg_days = [
        "2026-09-10", "2026-09-03", "2026-08-27", "2026-08-20", "2026-08-13",
        "2026-08-06", "2026-07-30", "2026-07-23", "2026-07-16", "2026-07-09",
        "2026-07-02", "2026-06-25", "2026-06-18", "2026-06-11", "2026-06-04",
    ]  # fmt: skip
    gsgg = dated(
        [
            (f"青岚区建设项目环境影响评价审批公示（第{16 - n}批）", day)
            for n, day in enumerate(gsgg_days, 1)
        ]
    )
    zcjd = dated(
        [
            ("《青岚区促进民营经济发展若干措施》政策解读", "2026-10-20"),
            ("《青岚区城市更新实施办法》图文解读", "2026-09-18"),
            ("《青岚区养老服务补贴管理办法》政策解读", "2026-08-06"),
            ("《青岚区农村宅基地管理办法》解读", "2026-06-15"),
            ("《青岚区人才引进实施细则》政策解读", "2026-04-22"),
        ],
        kind="interpretation",
    )
    zcwj = dated(
        [
            ("青岚区人民政府关于印发《青岚区促进民营经济发展若干措施》的通知", "2026-07-01"),
            ("青岚区人民政府办公室关于做好2026年防汛工作的通知", "2026-05-12"),
            ("青岚区人民政府关于印发《青岚区城市更新实施办法》的通知", "2026-04-08"),
            ("青岚区人民政府办公室关于开展安全生产大检查的通知", "2026-03-15"),
            ("青岚区人民政府关于印发《青岚区养老服务补贴管理办法》的通知", "2026-02-02"),
            ("青岚区人民政府关于印发2026年政府工作要点的通知", "2026-01-18"),
        ]
    )
    bmys = dated(
        [
            ("青岚区财政局2026年部门预算", "2026-02-10"),
            ("青岚区教育体育局2026年部门预算", "2026-02-10"),
            ("青岚区财政局2025年部门预算", "2025-02-14"),
            ("青岚区教育体育局2025年部门预算", "2025-02-13"),
        ]
    )
    bmjs = dated(
        [
            ("青岚区财政局2024年部门决算", "2025-08-20"),
            ("青岚区教育体育局2024年部门决算", "2025-08-19"),
            ("青岚区财政局2023年部门决算", "2024-08-22"),
        ]
    )
    czzj = dated(
        [
            ("青岚区2025年区级部门预算公开", "2025-09-30"),
            ("青岚区2024年区级部门决算公开", "2025-08-28"),
            ("青岚区2024年“三公”经费决算情况说明", "2025-08-28"),
            ("青岚区2025年第一批衔接资金分配表", "2025-05-06"),
            ("青岚区2024年区级部门预算公开", "2024-09-20"),
        ]
    )
    rsxx = dated(
        [
            ("青岚区人民政府关于张某某等同志职务任免的通知", "2025-10-11"),
            ("青岚区2025年公开招聘事业单位工作人员拟聘用人员公示", "2025-08-03"),
            ("青岚区人民政府关于李某某同志任职的通知", "2025-04-16"),
            ("青岚区2025年公开招聘事业单位工作人员公告", "2025-03-01"),
        ]
    )
    czyjs = dated(
        [
            ("关于青岚区2025年预算执行情况和2026年预算草案的报告", "2026-03-31"),
            ("青岚区2026年政府预算公开", "2026-02-05"),
            ("关于青岚区2024年财政决算的报告", "2025-09-01"),
            ("青岚区2025年政府预算公开", "2025-02-08"),
        ]
    )
    jgzn = dated(
        [
            ("青岚区人民政府办公室主要职责", "2019-03-12"),
            ("青岚区人民政府办公室内设机构", "2019-03-12"),
            ("青岚区人民政府办公室领导分工", "2021-06-01"),
        ]
    )
    # year-less dates across the turn of the year, URLs without a date: 12-28 is 2025's
    bdyw = dated(
        [
            ("青岚区召开2026年经济工作会议", "2026-01-05"),
            ("青岚区举行新年音乐会", "2025-12-28"),
            ("区政府召开年终工作总结会", "2025-12-15"),
            ("青岚区冬季招聘会举行", "2025-11-30"),
            ("区领导调研重点企业", "2025-11-02"),
        ]
    )
    # dates only in the URLs (t20261117_N.html), none shown: not updated, by docs/CHECKS.md
    jcdt = dated(
        [
            ("东岭社区开展垃圾分类宣传", "2026-11-17"),
            ("西湖社区成立志愿服务队", "2026-11-09"),
            ("南塘村修缮村级文化活动室", "2026-10-28"),
            ("北山村举办农民运动会", "2026-10-15"),
        ]
    )
    mtgz = dated(
        [
            ("《江西日报》：青岚区打造“15分钟便民生活圈”", "2026-11-09"),
            ("新华网：青岚湖湿地迎来首批越冬候鸟", "2026-10-30"),
            ("人民网：青岚区农村电商助农增收", "2026-10-12"),
            ("江西新闻联播关注青岚区城市更新", "2026-09-21"),
        ]
    )
    flwj = dated(
        [
            ("青岚区人民政府关于印发《青岚区公共资源交易管理办法》的通知", "2026-04-10"),
            ("青岚区人民政府关于调整区级议事协调机构的通知", "2026-03-02"),
            ("青岚区人民政府关于印发《青岚区政府投资项目管理办法》的通知", "2025-12-19"),
            ("青岚区人民政府关于公布区级权责清单的通知", "2025-10-08"),
        ]
    )
    rsrm = dated(
        [
            ("青岚区人民政府关于王某某等同志职务任免的通知", "2026-06-30"),
            ("青岚区人民政府关于赵某某同志免职的通知", "2026-03-18"),
            ("青岚区人民政府关于刘某某等同志职务任免的通知", "2025-12-05"),
        ]
    )
    gs = dated(
        [
            ("青岚区政府信息公开申请办理指引（长期有效）", "2024-05-06"),
            ("青岚区2026年度拟表彰先进集体和个人名单公示", "2026-10-28"),
            ("青岚区2026年第三季度双随机抽查结果公示", "2026-10-09"),
            ("青岚区2026年度城乡低保对象名单公示", "2026-08-21"),
        ]
    )
    nb = dated(
        [
            ("青岚区人民政府2025年政府信息公开工作年度报告", "2026-01-20"),
            ("青岚区人民政府2024年政府信息公开工作年度报告", "2025-01-22"),
            ("青岚区人民政府2023年政府信息公开工作年度报告", "2024-01-25"),
        ]
    )
    zwdt = dated(
        [
            ("区政府召开第三十一次常务会议", "2026-11-19"),
            ("青岚区开展消防安全专项整治", "2026-11-13"),
            ("区政府与驻区高校举行座谈会", "2026-11-04"),
            ("青岚区召开乡村振兴推进会", "2026-10-26"),
        ]
    )
    # three undated rows, each behind it a page that only says 正在建设: a blank column
    zxgh = [
        Item(title, d("2026-01-01"))
        for title in (
            "青岚区“十五五”专项规划编制情况",
            "青岚区国土空间专项规划",
            "青岚区综合交通专项规划",
        )
    ]
    qxdt = dated(
        [
            ("区政务公开办通报部分网站链接失效问题整改情况", "2026-11-18"),
            ("东岭镇开展冬季征兵宣传", "2026-11-11"),
            ("西湖街道推进老旧小区加装电梯", "2026-11-01"),
            ("南塘乡举办农产品展销会", "2026-10-19"),
        ]
    )
    cols = [
        Column("xwzx/gzdt", "工作动态", NEWS, "trs_table", gzdt, category="dynamic",
               cadence_days=14, cadence_source="name", per_page=10, related=True),
        Column("xwzx/bmdt", "部门动态", NEWS, "card_md", bmdt, category="dynamic",
               cadence_days=14, cadence_source="name", expected=["stale_column"], related=True, hot=True),
        Column("xwzx/tpxw", "图片新闻", NEWS, "card_dot", tpxw, category="dynamic",
               cadence_days=14, cadence_source="name"),
        Column("xwzx/xzdt", "乡镇动态", NEWS, "ul_undated", xzdt, category="dynamic",
               cadence_days=14, cadence_source="name", expected=["stale_column"], shows_dates=False,
               url_style="plain"),
        Column("col/col1234", "通知公告", OPEN, "hanweb", tzgg, category="notice",
               cadence_days=183, cadence_source="name", expected=["stale_column"], side=OPEN_SIDE, related=True, hot=True),
        Column("zwgk/gsgg", "公示公告", OPEN, "bracket_groups", gsgg, category="notice",
               cadence_days=183, cadence_source="name", side=OPEN_SIDE),
        Column("zwgk/zcjd", "政策解读", OPEN, "vue", zcjd, category="notice",
               cadence_days=183, cadence_source="name", side=OPEN_SIDE),
        Column("zwgk/zcwj", "政策文件", OPEN, "layui", zcwj, category="notice",
               cadence_days=183, cadence_source="name", side=OPEN_SIDE),
        Column("zwgk/rsxx", "人事信息", OPEN, "dl_pairs", rsxx, category="personnel",
               cadence_days=365, cadence_source="name", expected=["stale_column"], side=OPEN_SIDE),
        Column("zwgk/ghjh", "规划计划", OPEN, "blank", [], category="personnel",
               cadence_days=365, cadence_source="name", expected=["blank_column"], side=OPEN_SIDE),
        Column("zwgk/czyjs", "财政预决算", OPEN, "bracket", czyjs, category="budget",
               cadence_days=365, cadence_source="name", side=OPEN_SIDE),
        Column("zwgk/bmys", "部门预算", OPEN, "ul_span", bmys, category="budget",
               cadence_days=365, cadence_source="name", side=OPEN_SIDE),
        Column("zwgk/bmjs", "部门决算", OPEN, "dl", bmjs, category="budget",
               cadence_days=365, cadence_source="name", expected=["stale_column"], side=OPEN_SIDE, hot=True),
        Column("zwgk/czzj", "财政资金信息", OPEN, "trs_table", czzj, category="budget",
               cadence_days=365, cadence_source="content", expected=["stale_column"], side=OPEN_SIDE),
        Column("zwgk/jgzn", "机构职能", OPEN, "ul_span", jgzn, category=None,
               cadence_days=None, cadence_source="name", side=OPEN_SIDE),
        Column("xwzx/zwdt", "政务动态", NEWS, "timestamp_first", zwdt, category="dynamic",
               cadence_days=14, cadence_source="name", related=True),
        Column("zwgk/zxgh", "专项规划", OPEN, "ul_undated", zxgh, category="personnel",
               cadence_days=365, cadence_source="name", expected=["blank_column"],
               shows_dates=False, item_pages="placeholder", side=OPEN_SIDE),
        Column("xwzx/qxdt", "区县动态", NEWS, "date_in_link", qxdt, category="dynamic",
               cadence_days=14, cadence_source="name"),
        Column("xwzx/bdyw", "本地要闻", NEWS, "yearless_bracket", bdyw, category="dynamic",
               cadence_days=14, cadence_source="name", expected=["stale_column"],
               url_style="plain"),
        Column("xwzx/jcdt", "基层动态", NEWS, "ul_undated", jcdt, category="dynamic",
               cadence_days=14, cadence_source="name", expected=["stale_column"],
               shows_dates=False),
        Column("xwzx/mtgz", "媒体关注", NEWS, "slash", mtgz, category="dynamic",
               cadence_days=14, cadence_source="name", encoding="gbk"),
        Column("zwgk/flwj", "法规文件", OPEN, "catalogue", flwj, category="notice",
               cadence_days=183, cadence_source="name", expected=["stale_column"],
               side=OPEN_SIDE, hot=True),
        Column("zwgk/rsrm", "人事任免", OPEN, "cn_dates", rsrm, category="personnel",
               cadence_days=365, cadence_source="name", side=OPEN_SIDE),
        Column("zwgk/gs", "公示", OPEN, "pinned", gs, category="notice",
               cadence_days=183, cadence_source="name", side=OPEN_SIDE),
        Column("zwgk/xxgknb", "政府信息公开年报", OPEN, "ul_span", nb, category=None,
               cadence_days=None, cadence_source="name", side=OPEN_SIDE),
    ]  # fmt: skip

    serial = 3200
    for col in cols:
        col.first_page = "/col/col1234/index.html" if col.style == "hanweb" else f"/{col.key}/"
        for item in col.items:
            serial += 1
            if col.style == "hanweb":
                item.url = f"/art/{item.date.year}/{item.date.month}/{item.date.day}/art_1234_{serial}.html"
            elif col.url_style == "plain":
                item.url = f"/{col.key}/n{serial}.html"
            else:
                item.url = f"/{col.key}/{item.date:%Y%m}/t{item.date:%Y%m%d}_{serial}.html"
    return cols


# --- soft 404s and their tricky neighbours ----------------------------------------------------

ERROR_PAGES = {
    # path: (title, body) — each answered 200, as many CMSs answer a dead article
    "/art/2025/6/3/art_1234_2999.html": (
        "页面不存在",
        '<div class="err"><h1>抱歉，您访问的页面不存在！</h1><p>可能原因：网址有误、网页已删除或已过期。</p>'
        '<p><a href="/">返回首页</a></p></div>',
    ),
    "/xwzx/gzdt/202605/t20260506_2998.html": (
        "error-404",
        '<div class="box404"><img src="/images/404.png" alt=""><p><a href="/">返回首页</a>'
        ' <a href="javascript:history.back()">返回上一页</a></p></div>',
    ),
    "/zwgk/zcwj/202601/t20260105_2997.html": (
        "提示信息",
        '<div class="tip"><p>对不起，您访问的链接已失效。</p><p>5秒后自动返回<a href="/">首页</a></p></div>',
    ),
    "/xwzx/bmdt/202607/t20260701_2996.html": (
        "找不到页面",
        '<div class="nf"><h2>找不到您要访问的页面</h2><p>您要访问的页面不存在，地址中可能存在键入错误，'
        '或该页面已被删除。</p><p><a href="/">返回首页</a></p></div>',
    ),
    "/zwgk/flwj/202512/t20251230_2995.html": (
        "提示信息",
        '<div class="main-tip"><h3>提示信息</h3><p>抱歉，您访问的页面不存在或已被删除！</p>'
        '<p><a href="/">返回首页</a></p></div>',
    ),
    "/xwzx/mtgz/202609/t20260902_2994.html": (
        "信息提示",
        '<p class="msg">该信息已被删除，3秒后返回首页。</p>'
        "<script>setTimeout(function(){location.href='/'},3000)</script>",
    ),
    "/xwzx/qxdt/202611/t20261101_2993.html": (
        "404 Not Found",
        "<center><h1>404 Not Found</h1></center><hr><center>nginx</center>",
    ),
    "/zwgk/gsgg/202608/t20260806_2992.html": (
        "温馨提示",
        '<div class="e404"><h2>抱歉，您访问的页面不存在或已被删除</h2><p>您可能感兴趣的内容：</p><ul>'
        '<li><a href="/xwzx/gzdt/">工作动态</a></li><li><a href="/col/col1234/index.html">通知公告</a></li>'
        '<li><a href="/zwgk/zcwj/">政策文件</a></li><li><a href="/zwgk/zcjd/">政策解读</a></li>'
        '<li><a href="/zwgk/gsgg/">公示公告</a></li><li><a href="/xwzx/tpxw/">图片新闻</a></li></ul>'
        '<p><a href="/">返回首页</a></p></div>',
    ),
}
# error pages answered inside the site's full template (header, navigation, footer)
TEMPLATED_ERRORS = {
    "/zwgk/flwj/202512/t20251230_2995.html",
    "/zwgk/gsgg/202608/t20260806_2992.html",
}
# the article that links each error page ("相关链接"), by the error page
ERROR_LINKED_FROM = {
    "/art/2025/6/3/art_1234_2999.html": "关于开展2026年度春季植树活动的通知",
    "/xwzx/gzdt/202605/t20260506_2998.html": "区政府召开第三十二次常务会议",
    "/zwgk/zcwj/202601/t20260105_2997.html": "青岚区人民政府关于印发2026年政府工作要点的通知",
    "/xwzx/bmdt/202607/t20260701_2996.html": "区教体局开展秋季开学安全检查",
    "/zwgk/flwj/202512/t20251230_2995.html": "青岚区人民政府关于调整区级议事协调机构的通知",
    "/xwzx/mtgz/202609/t20260902_2994.html": "人民网：青岚区农村电商助农增收",
    "/xwzx/qxdt/202611/t20261101_2993.html": "东岭镇开展冬季征兵宣传",
    "/zwgk/gsgg/202608/t20260806_2992.html": "青岚区建设项目环境影响评价审批公示（第14批）",
}
ARTICLE_BODIES = {
    "青岚区政府信息不存在告知书（2026第3号）": (
        "<p>申请人：</p><p>本机关于2026年1月5日收到您提出的政府信息公开申请。经查，您申请获取的"
        "信息本机关未制作、未获取，该政府信息不存在。根据《中华人民共和国政府信息公开条例》第三十六条"
        "第（四）项的规定，特此告知。</p>"
    ),
    "关于青岚区政府网站系统维护的公告": (
        "<p>为提升网站服务能力，区政府网站将于2026年2月28日22:00至次日6:00进行系统维护。维护期间"
        "部分页面可能无法访问，由此带来的不便，敬请谅解。</p>"
    ),
    "我区开展政府网站404页面规范化检查": (
        "<p>近日，区政务公开办对全区各部门网站开展404错误页面规范化检查。检查发现，部分网站在用户访问"
        "已删除的内容时，仍返回“页面不存在”的空白提示，没有提供返回首页和站内搜索入口。</p>"
        "<p>检查要求，各部门网站要按照国家标准设置统一的404页面，页面应提示“您访问的页面不存在或链接已失效”，"
        "并提供返回首页链接；同时要定期检测链接，及时清理失效链接，避免出现错误页面（error-404）。</p>"
        "<p>下一步，区政务公开办将把错误页面设置情况纳入季度检查。</p>"
    ),
    "关于调整网上办事大厅入口的通知": (
        "<p>各有关单位、广大办事群众：</p><p>因系统升级，区网上办事大厅入口自2026年3月1日起调整至省政务服务网"
        "青岚区分站。原入口地址停止使用，收藏夹中的旧地址将不再更新，如链接已失效请联系区政务服务中心，"
        "电话：0791-8666666。</p><p>特此通知。</p>"
    ),
}


PLACEHOLDER_MAIN = '<div class="building"><img src="/images/empty.png" alt=""><p>该栏目正在建设中，敬请期待！</p></div>'


def article_page(
    col: Column, item: Item, links: list[tuple[str, str]], nav_links=NAV, siblings=()
) -> str:
    body = ARTICLE_BODIES.get(item.title) or (
        f"<p>{item.title}。{item.date.month}月{item.date.day}日，相关工作按计划有序推进，"
        "各有关单位负责同志参加。会议强调，要坚持问题导向，压实工作责任，确保各项任务落到实处。</p>"
        "<p>会议对下一阶段工作作了具体部署。</p>"
    )
    related = ""
    if links:
        related = (
            '<div class="related"><h4>相关链接：</h4><ul>'
            + "".join(f'<li><a href="{u}">{t}</a></li>' for t, u in links)
            + "</ul></div>"
        )
    if siblings:
        related += (
            '<div class="xgxw"><h4>相关新闻</h4><ul>'
            + "".join(
                f'<li><a href="{i.url}">{i.title}</a><span>{i.date:%Y-%m-%d}</span></li>'
                for i in siblings
            )
            + "</ul></div>"
        )
    main = (
        f'<div class="article"><h1 class="title">{item.title}</h1>'
        f'<div class="info">发布时间：{item.date:%Y-%m-%d} 来源：{SITE_NAME}办公室 '
        "<span>字体：[大 中 小]</span></div>"
        f'<div class="TRS_Editor">{body}</div>{related}'
        '<div class="print"><a href="javascript:window.print()">打印本页</a> '
        '<a href="javascript:window.close()">关闭窗口</a></div></div>'
    )
    crumbs = [("首页", "/"), col.parent, (col.name, col.first_page)]
    return page(item.title, crumbs, main, nav_links=nav_links)


def list_pages(col: Column) -> list[tuple[str, str, list[Item]]]:
    """(path, html, items shown) for each page of the column."""
    chunks = [col.items[i : i + col.per_page] for i in range(0, len(col.items), col.per_page)] or [
        []
    ]
    out = []
    crumbs = [("首页", "/"), col.parent, (col.name, col.first_page)]
    for number, chunk in enumerate(chunks):
        rows = STYLES[col.style](chunk, col)
        pager = ""
        if col.style == "trs_table" and len(chunks) > 1:
            pager = (
                f'<div class="page"><script>var currentPage = {number};'
                f"var countPage = {len(chunks)};"
                'createPageHTML(countPage, currentPage, "index", "html");</script></div>'
            )
        main = f'<div class="column-title"><h2>{col.name}</h2></div>{rows}{pager}'
        if col.hot_items:
            main = f'<div class="list-main">{main}</div>' + (
                '<div class="right-box"><h3>热点信息</h3><ul>'
                + "".join(
                    f'<li><a href="{i.url}">{i.title}</a><span>{i.date:%m-%d}</span></li>'
                    for i in col.hot_items
                )
                + "</ul></div>"
            )
        path = f"/{col.key}/index.html" if number == 0 else f"/{col.key}/index_{number}.html"
        extra = '<script src="/js/trs_page.js"></script>' if col.style == "trs_table" else ""
        out.append((path, page(col.name, crumbs, main, col.side, extra), chunk))
    return out


def box(name: str, url: str, items: list[Item], fmt: str | None = "%m-%d", empty: str = "") -> str:
    lis = "".join(
        f'<li><a href="{i.url}" title="{i.title}">{i.title}</a>'
        + (f"<span>{i.date:{fmt}}</span>" if fmt else "")
        + "</li>"
        for i in items
    )
    inner = f"<ul>{lis}</ul>" if items else f'<p class="empty">{empty}</p>'
    return (
        f'<div class="box"><div class="box-hd"><h3><a href="{url}">{name}</a></h3>'
        f'<a class="more" href="{url}">更多&gt;&gt;</a></div><div class="box-bd">{inner}</div></div>'
    )


def tabbed_section(tabs: list[tuple[str, str, list[Item]]]) -> str:
    """A layui tab box: one pane per child column, only the first shown, each with an image
    更多 link; the tab titles are not links."""
    titles = "".join(
        (f'<li class="layui-this">{name}</li>' if n == 0 else f"<li>{name}</li>")
        for n, (name, _, _) in enumerate(tabs)
    )
    panes = "".join(
        f'<div class="layui-tab-item{" layui-show" if n == 0 else ""}"><ul>'
        + "".join(
            f'<li><a href="{i.url}">{i.title}</a><span>{i.date:%Y-%m-%d}</span></li>' for i in items
        )
        + f'</ul><a class="more" href="{url}"><img src="/images/empty.png" alt="更多"></a></div>'
        for n, (_, url, items) in enumerate(tabs)
    )
    return (
        f'<div class="layui-tab"><ul class="layui-tab-title">{titles}</ul>'
        f'<div class="layui-tab-content">{panes}</div></div>'
    )


def write_site(root: Path) -> dict:
    cols = columns()
    by_name = {c.name: c for c in cols}
    files: dict[str, str] = {}
    encodings: dict[str, str] = {}
    pages: list[dict] = []

    # home: a news box with year-less dates, a notice box, a navigation of every column
    home_items = by_name["工作动态"].items[:6]
    home_main = (
        '<div class="focus">'
        + box("要闻动态", "/xwzx/gzdt/", home_items)
        + box("通知公告", "/col/col1234/index.html", by_name["通知公告"].items[:5], "%Y-%m-%d")
        + '</div><div class="quick"><h3>信息公开</h3><ul>'
        + "".join(f'<li><a href="{u}">{n}</a></li>' for n, u in OPEN_SIDE + NEWS_SIDE)
        + "</ul></div>"
    )
    files["/index.html"] = page("首页", [("首页", "/")], home_main)
    pages.append({"path": "/", "kind": "channel", "error_page": False,
                  "newest_date": home_items[0].date.isoformat()})  # fmt: skip

    # 新闻中心: a section page, one box per child column, each with 更多
    news_main = "".join(
        box(name, url, by_name[name].items[:4], "%Y-%m-%d" if by_name[name].shows_dates else None)
        for name, url in NEWS_SIDE
    )
    files["/xwzx/index.html"] = page("新闻中心", [("首页", "/"), NEWS], news_main, NEWS_SIDE)
    pages.append({"path": "/xwzx/", "kind": "channel", "error_page": False})

    # 政务公开: a channel page, a sub-navigation and boxes, one of which says 暂无信息
    open_main = (
        box("通知公告", "/col/col1234/index.html", by_name["通知公告"].items[:5], "%Y-%m-%d")
        + box("政策文件", "/zwgk/zcwj/", by_name["政策文件"].items[:5], "%Y-%m-%d")
        + box("部门预算", "/zwgk/bmys/", by_name["部门预算"].items[:3], "%Y-%m-%d")
        + box("规划计划", "/zwgk/ghjh/", [], empty="暂无信息")
    )
    files["/zwgk/index.html"] = page("政务公开", [("首页", "/"), OPEN], open_main, OPEN_SIDE)
    pages.append({"path": "/zwgk/", "kind": "channel", "error_page": False})

    files["/zwgk/zcfg/index.html"] = page(
        "政策法规", [("首页", "/"), OPEN, ("政策法规", "/zwgk/zcfg/")],
        tabbed_section(
            [("通知公告", "/col/col1234/index.html", by_name["通知公告"].items[:6]),
             ("法规文件", "/zwgk/flwj/", by_name["法规文件"].items[:4])]
        ),
        OPEN_SIDE,
    )  # fmt: skip
    pages.append({"path": "/zwgk/zcfg/", "kind": "channel", "error_page": False})

    column_truth = []
    findings = []
    for col in cols:
        if col.hot:
            col.hot_items = by_name["工作动态"].items[:5]
        for number, (path, text, shown) in enumerate(list_pages(col)):
            files[path] = text
            encodings[path] = col.encoding
            dates = [i.date for i in shown] if col.shows_dates else []
            pages.append(
                {
                    "path": path,
                    "kind": "list",
                    "error_page": False,
                    "item_count": len(shown),
                    "dated_count": len(dates),
                    "newest_date": max(dates).isoformat() if dates else None,
                    "column": col.first_page,
                    "page_number": number + 1,
                }
            )
        for item in col.items:
            links = [("返回" + col.name, col.first_page)]
            for target, title in ERROR_LINKED_FROM.items():
                if title == item.title:
                    links.append(("原文链接", target))
                    findings.append({"check": "broken_link", "page": item.url, "target": target})
            if col.item_pages == "placeholder":
                files[item.url] = page(item.title, [("首页", "/"), col.parent], PLACEHOLDER_MAIN)
                pages.append({"path": item.url, "kind": "other", "error_page": False})
                continue
            siblings = [i for i in col.items if i is not item][:4] if col.related else ()
            files[item.url] = article_page(col, item, links, siblings=siblings)
            encodings[item.url] = col.encoding
            pages.append({"path": item.url, "kind": item.kind, "error_page": False})
        newest = max((i.date for i in col.items), default=None)
        column_truth.append(
            {
                "first_page": col.first_page,
                "name": col.name,
                "markup": col.style,
                "category": col.category,
                "cadence_days": col.cadence_days,
                "cadence_source": col.cadence_source,
                "newest_date": newest.isoformat() if newest and col.shows_dates else None,
                "expected": col.expected,
                # blank only because of the pages behind its items: one page cannot show it
                "judged_by_scan_only": col.item_pages == "placeholder",
            }
        )
        for check in col.expected:
            findings.append({"check": check, "page": col.first_page, "target": None})

    for path, (title, body) in ERROR_PAGES.items():
        files[path] = (
            f'<!DOCTYPE html><html><head><meta charset="utf-8"><title>{title}</title></head>'
            f"<body>{body}</body></html>\n"
        )
        if path in TEMPLATED_ERRORS:  # the site's whole template round the message
            files[path] = page(title, [("首页", "/"), ("提示信息", path)], body)
        pages.append({"path": path, "kind": "error_page", "error_page": True})

    _write(root, files, encodings)
    return {"pages": pages, "columns": column_truth, "findings": findings}


def write_quiet(root: Path) -> dict:
    """A second, small portal whose home page went quiet: its items show no date, and its one
    column's newest item is two months old (home_not_updated, stale_column)."""
    items = [
        Item("青岚镇召开秋季防火工作会", d("2026-09-01")),
        Item("青岚镇开展河道清淤", d("2026-08-15")),
        Item("青岚镇举办农技培训班", d("2026-07-20")),
    ]
    for n, item in enumerate(items):
        item.url = f"/gzdt/{item.date:%Y%m}/t{item.date:%Y%m%d}_{n + 1}.html"
    col = Column("gzdt", "工作动态", ("首页", "/"), "ul_span", items, first_page="/gzdt/")
    files = {}
    home = (
        '<div class="news"><h3>镇务要闻</h3><ul>'
        + "".join(f'<li><a href="{i.url}">{i.title}</a></li>' for i in items)
        + '</ul><a class="more" href="/gzdt/">更多</a></div>'
    )
    nav = (("首页", "/"), ("工作动态", "/gzdt/"))
    files["/index.html"] = page("青岚镇人民政府", [("首页", "/")], home, nav_links=nav)
    main = f'<div class="column-title"><h2>{col.name}</h2></div>{rows_ul_span(items, col)}'
    crumbs = [("首页", "/"), (col.name, "/gzdt/")]
    files["/gzdt/index.html"] = page(col.name, crumbs, main, nav_links=nav)
    for item in items:
        files[item.url] = article_page(col, item, [], nav_links=nav)
    _write(root, files)
    pages = [
        {"path": "/", "kind": "channel", "error_page": False, "newest_date": None},
        {"path": "/gzdt/index.html", "kind": "list", "error_page": False, "item_count": 3,
         "dated_count": 3, "newest_date": "2026-09-01", "column": "/gzdt/", "page_number": 1},
    ] + [{"path": i.url, "kind": "document", "error_page": False} for i in items]  # fmt: skip
    column_truth = [
        {"first_page": "/gzdt/", "name": "工作动态", "markup": "ul_span", "category": "dynamic",
         "cadence_days": 14, "cadence_source": "name", "newest_date": "2026-09-01",
         "expected": ["stale_column"]},
    ]  # fmt: skip
    findings = [
        {"check": "home_not_updated", "page": "/", "target": None},
        {"check": "stale_column", "page": "/gzdt/", "target": None},
    ]
    return {"pages": pages, "columns": column_truth, "findings": findings}


def write_navigation_home(root: Path, dynamic_days: list[str], notice_days: list[str]) -> dict:
    """A portal whose home page is navigation only (icon entries, no item): docs/CHECKS.md
    judges its home by the newest item of its second-level pages."""
    nav = (("首页", "/"), ("工作动态", "/gzdt/"), ("通知公告", "/tzgg/"))
    dynamic = Column("gzdt", "工作动态", ("首页", "/"), "dl", [], first_page="/gzdt/")
    notice = Column("tzgg", "通知公告", ("首页", "/"), "trs_table", [], first_page="/tzgg/")
    dynamic.items = [Item(f"青岚街道工作动态（{day}）", d(day)) for day in dynamic_days]
    notice.items = [Item(f"青岚街道关于做好相关工作的通知（{day}）", d(day)) for day in notice_days]
    files: dict[str, str] = {}
    entries = "".join(
        f'<a class="entry" href="{u}"><img src="/images/logo.png" alt=""><span>{n}</span></a>'
        for n, u in (*nav[1:], ("机构概况", "/gzdt/"), ("办事服务", "/tzgg/"))
    )
    files["/index.html"] = page(
        "青岚街道办事处", [("首页", "/")], f'<div class="entries">{entries}</div>', nav_links=nav
    )
    pages: list[dict] = [{"path": "/", "kind": "channel", "error_page": False, "newest_date": None}]
    columns_truth, findings = [], []
    newest_second_level = max(d(day) for day in dynamic_days + notice_days)
    for col, cadence, category in ((dynamic, 14, "dynamic"), (notice, 183, "notice")):
        for n, item in enumerate(col.items):
            item.url = f"/{col.key}/{item.date:%Y%m}/t{item.date:%Y%m%d}_{n + 1}.html"
            files[item.url] = article_page(col, item, [], nav_links=nav)
            pages.append({"path": item.url, "kind": "document", "error_page": False})
        main = f'<div class="column-title"><h2>{col.name}</h2></div>{STYLES[col.style](col.items, col)}'
        crumbs = [("首页", "/"), (col.name, col.first_page)]
        files[f"/{col.key}/index.html"] = page(col.name, crumbs, main, nav_links=nav)
        newest = max(i.date for i in col.items)
        stale = (AS_OF - newest).days > cadence
        pages.append({"path": f"/{col.key}/index.html", "kind": "list", "error_page": False,
                      "item_count": len(col.items), "dated_count": len(col.items),
                      "newest_date": newest.isoformat(), "column": col.first_page,
                      "page_number": 1})  # fmt: skip
        columns_truth.append({"first_page": col.first_page, "name": col.name, "markup": col.style,
                              "category": category, "cadence_days": cadence,
                              "cadence_source": "name", "newest_date": newest.isoformat(),
                              "expected": ["stale_column"] if stale else []})  # fmt: skip
        if stale:
            findings.append({"check": "stale_column", "page": col.first_page, "target": None})
    if (AS_OF - newest_second_level).days > 14:
        findings.append({"check": "home_not_updated", "page": "/", "target": None})
    _write(root, files)
    return {"pages": pages, "columns": columns_truth, "findings": findings}


def _write(root: Path, files: dict[str, str], encodings: dict[str, str] | None = None) -> None:
    if root.exists():
        shutil.rmtree(root)
    for path, text in files.items():
        target = root / path.lstrip("/")
        target.parent.mkdir(parents=True, exist_ok=True)
        if (encodings or {}).get(path) == "gbk":  # as older CMSs still publish
            target.write_bytes(text.replace('charset="utf-8"', 'charset="gb2312"').encode("gbk"))
        else:
            target.write_text(text, encoding="utf-8")
    (root / "robots.txt").write_text("User-agent: *\nDisallow:\n", encoding="utf-8")
    for path in ASSETS:
        target = root / path.lstrip("/")
        target.parent.mkdir(parents=True, exist_ok=True)
        target.write_bytes(PIXEL_PNG if path.endswith(".png") else b"/* template script */\n")


# every image and script the templates name, so that no link but the planted ones is broken
ASSETS = (
    "/images/logo.png", "/images/empty.png", "/images/404.png",
    *(f"/images/pic{n}.png" for n in range(8)),
    "/js/vue.min.js", "/js/trs_page.js", "/module/web/jpage/jpage.js",
)  # fmt: skip
# a transparent 1x1 PNG
PIXEL_PNG = bytes.fromhex(
    "89504e470d0a1a0a0000000d49484452000000010000000108060000001f15c489"
    "0000000d49444154789c6360000002000154a24f5d0000000049454e44ae426082"
)


def main() -> None:
    truth = {
        "as_of": AS_OF.isoformat(),
        "rules": "docs/CHECKS.md",
        "sites": {
            "site": write_site(HERE / "site"),
            "quiet": write_quiet(HERE / "quiet"),
            # navigation-only home pages: fresh second-level pages, then quiet ones
            "navhome": write_navigation_home(
                HERE / "navhome", ["2026-11-15", "2026-11-02", "2026-10-21"], ["2026-10-02"]
            ),
            "navquiet": write_navigation_home(
                HERE / "navquiet", ["2026-10-20", "2026-10-08", "2026-09-15"], ["2026-08-01"]
            ),
        },
    }
    (HERE / "truth.json").write_text(
        json.dumps(truth, ensure_ascii=False, indent=1) + "\n", encoding="utf-8"
    )


if __name__ == "__main__":
    main()
