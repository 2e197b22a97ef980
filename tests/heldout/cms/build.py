"""Write the held-out 某县人民政府 site of tests/test_heldout_cms.py into ./site.

Each column imitates one of the CMS markups of shared/real-pages (TRS table + createPageHTML,
Hanweb datastore/CDATA, PowerEasy, PHPCMS, TurboCMS, enorth in GBK, a frameset, a list built by
script, a 下一页 pager) and each page plants one trap or one real problem; truth.json says which.
Run it again after an edit (``python tests/heldout/cms/build.py``); the test reads the output.
``__STRANGER__`` in a page is replaced by the test's second server (a stranger's host).
"""

from __future__ import annotations

import shutil
from pathlib import Path

SITE = Path(__file__).with_name("site")
NAME = "某县人民政府"

HEAD = """<!DOCTYPE html>
<html lang="zh-CN"><head><meta charset="{charset}"><title>{title}</title>
<meta name="viewport" content="width=device-width, initial-scale=1">
<style>body{{background:#ffffff}} .skip{{position:absolute;left:-10000px;top:auto}} .skip:focus{{left:0}}
.sub{{display:none}} .nav li:hover .sub{{display:block}}</style>
{extra_head}</head><body>
<a class="skip" href="#main">跳转到主要内容</a>
<div class="top"><a href="javascript:void(0);" onclick="aria.start()">无障碍</a>
<a href="/ghb/index.html">关怀版</a><script src="/assist/assist.js"></script></div>
<form class="search" action="/search/index.html" method="get"><input type="text" name="kw" placeholder="请输入关键词">
<button type="submit">搜索</button></form>
<ul class="nav"><li><a href="/">首页</a></li>
<li><a href="/zwgk/zwyw/">政务要闻</a><ul class="sub"><li><a href="/Category_12/Index.aspx">工作动态</a></li>
<li><a href="/news-list-bmdt.html">部门动态</a></li></ul></li>
<li><a href="/col/col1234/index.html">通知公告</a></li>
<li><a href="/zwgk/gfxwj/">规范性文件</a></li><li><a href="/zwgk/zcjd/">政策解读</a></li>
<li><a href="/zwgk/xxgk/">政府信息公开</a></li>
<li class="more"><a href="/zwgk/xxgk/">友情链接</a><ul style="position:absolute;left:-9999px"><li><a href="http://__STRANGER__/news/">人民网</a></li>
<li><a href="http://__STRANGER__/news/xh.html">新华网</a></li></ul></li></ul>
<div id="main">
"""

FOOT = """</div>
<div class="footer"><p>主办单位：某县人民政府办公室　联系电话：0795-4521234　<a href="mailto:xxgk@mx.example.gov.cn">联系我们</a></p>
<p><span>网站标识码：</span><span>3609220001</span>　<span>赣ICP备05001234号</span>　<img src="/images/ga.png" alt="公安备案">赣公网安备 36092202000123号</p>
<p><span id="_ideConac"><a href="/zwgk/xxgk/"><img src="/images/red.png" alt="党政机关"></a></span></p>
<script>var _hmt = _hmt || [];(function(){{var hm = document.createElement("script");
hm.src = "https://hm.baidu.com/hm.js?3b2d9f0e7c1a";var s = document.getElementsByTagName("script")[0];
s.parentNode.insertBefore(hm, s);}})();</script>
{extra_foot}</div></body></html>
"""


def page(
    title: str, body: str, *, charset: str = "utf-8", extra_head: str = "", extra_foot: str = ""
) -> str:
    return (
        HEAD.format(charset=charset, title=title, extra_head=extra_head)
        + body
        + FOOT.format(extra_foot=extra_foot)
    )


def write(path: str, text: str, encoding: str = "utf-8") -> None:
    file = SITE / path.lstrip("/")
    if path.endswith("/"):
        file = file / "index.html"
    file.parent.mkdir(parents=True, exist_ok=True)
    file.write_bytes(text.encode(encoding))


def article(
    title: str, date: str, body: str, *, crumb: str, extra_foot: str = "", meta: str = ""
) -> str:
    return page(
        f"{title}_{NAME}",
        f"""<div class="crumb">当前位置：<a href="/">首页</a> &gt; {crumb}</div>
<h1>{title}</h1><div class="info">发布时间：{date}　来源：{NAME}办公室</div>{meta}
<div class="content">{body}</div>""",
        extra_foot=extra_foot,
    )


NEWS_BODY = "<p>{title}。会议要求，各乡镇、各部门要认真贯彻落实县委县政府部署，压实责任，确保各项工作落到实处。</p>"


def news(
    path: str, title: str, date: str, crumb: str, *, body: str = "", extra_foot: str = ""
) -> None:
    write(
        path,
        article(
            title, date, body or NEWS_BODY.format(title=title), crumb=crumb, extra_foot=extra_foot
        ),
    )


# ---------------------------------------------------------------- home (TRS, table layout)
def home() -> None:
    rows = [
        ("/zwgk/zwyw/202611/t20261118_2301.html", "县政府召开第45次常务会议", "2026-11-18"),
        ("/zwgk/zwyw/202611/t20261116_2300.html", "我县开展冬季安全生产大检查", "2026-11-16"),
        ("/zwgk/zwyw/202611/t20261112_2299.html", "全县秋冬种工作现场推进会召开", "2026-11-12"),
    ]
    trs = "".join(
        f'<tr><td><a href="{u}" target="_blank">{t}</a></td><td class="date">{d}</td></tr>'
        for u, t, d in rows
    )
    body = f"""<img src="/images/banner.jpg">
<table class="news"><tr><th colspan="2">政务要闻 <a href="/zwgk/zwyw/">更多</a></th></tr>{trs}</table>
<table class="links"><tr><td><a href="/col/col1234/index.html">通知公告</a></td>
<td><a href="/n3/n13/index.html">图片新闻</a></td><td><a href="/hot/index.shtml">热点新闻</a></td>
<td><a href="/gsgg/index.html">公示公告</a></td><td><a href="/rsrm/index.html">人事任免</a></td>
<td><a href="/zwgk/zfwj/">政府文件</a></td><td><a href="/ghjh/zxgh/">专项规划</a></td>
<td><a href="/hdjl/jzxx/">局长信箱</a></td>
<td><a href="/zwgk/czyjs/">财政预决算</a></td><td><a href="/xwzx/">新闻中心</a></td>
<td><a href="/ztzl/">专题专栏</a></td></tr></table>
<ul class="service"><li><a href="/zwgk/tzgg/bsznold.html">办事指南（旧版）</a></li>
<li><a href="/protected/yqfk.html">疫情防控专题</a></li>
<li><a href="/api/weather.html">天气预报</a></li>
<li><a href="/private/stats.html">内部统计</a></li>
<li><a href="tel:0795-4521234">值班电话</a></li>
<li><a href="#main">回到正文</a></li>
<li><a href=" /zwgk/zwyw/ ">政务要闻（更多）</a></li>
<li><a href="\\zwgk\\xxgk\\zn.html">信息公开指南</a></li>
<li><a href="/login/">网上办事登录</a></li>
<li><a href="/zwgk/xxgk/zn.html#lxfs">联系方式</a></li>
<li><a href="#top">返回顶部</a></li><li><a href="#">收藏本站</a></li>
<li><a href="/index.htm">网站首页（旧址）</a></li><li><a href="/old/tzgg/notice.html">旧版通知公告</a></li></ul>
<div class="tab" style="display:none"><a href="http://__STRANGER__/news/">人民网</a></div>
<table class="partners" bgcolor="#003366"><tr><td><a style="color:#ffffff" href="http://__STRANGER__/news/hz.html">合作媒体</a></td></tr></table>"""
    write("/index.html", page(NAME, body))


# ---------------------------------------------------------------- 政务要闻: TRS table + createPageHTML
def trs_zwyw() -> None:
    items = [  # not sorted: the newest is the third row
        ("202611", "t20261116_2300", "我县开展冬季安全生产大检查", "11-16"),
        ("202611", "t20261112_2299", "全县秋冬种工作现场推进会召开", "11-12"),
        ("202611", "t20261118_2301", "县政府召开第45次常务会议", "11-18"),
        ("202610", "t20261030_2290", "县领导调研重点项目建设", "10-30"),
        ("202610", "t20261025_2288", "我县举行2026年消防演练", "10-25"),
    ]
    older = [
        ("202610", "t20261015_2280", "全县文明城市创建推进会召开", "10-15"),
        ("202609", "t20260928_2270", "我县召开国庆假期安全工作会", "09-28"),
    ]

    def table(rows: list[tuple[str, str, str, str]]) -> str:
        out = []
        for n, (month, stem, title, md) in enumerate(rows, 1):
            out.append(
                f'<tr><td><a href="./{month}/{stem}.html" target="_blank"><span>{title}</span></a></td>'
                f'<td><span class="STYLE12">{md}</span></td></tr>'
            )
            if n % 5 == 0:
                out.append('<tr height="1"><td colspan="2" class="GroupBlankLine"></td></tr>')
        return "".join(out)

    pager = """<script language="JavaScript">
var currentPage = {cur};var countPage = 2
function createPageHTML(_nPageCount, _nCurrIndex, _sPageName, _sPageExt){{
 if(_nPageCount == null || _nPageCount<=1){{ return; }}
 var nCurrIndex = _nCurrIndex || 0;
 if(nCurrIndex == 0) document.write("首页 上一页 ");
 else document.write("<a href=\\""+_sPageName+"."+_sPageExt+"\\">首页</a> ");
 if(nCurrIndex == _nPageCount-1) document.write("下一页 尾页");
 else document.write("<a href=\\""+_sPageName+"_" + (nCurrIndex+1) + "."+_sPageExt+"\\">下一页</a> ");
}}
createPageHTML(2, {cur}, "index", "html");
</script>"""
    crumb = '<a href="/zwgk/">政务公开</a> &gt; <a href="/zwgk/zwyw/">政务要闻</a>'
    for path, rows, cur in (
        ("/zwgk/zwyw/index.html", items, 0),
        ("/zwgk/zwyw/index_1.html", older, 1),
    ):
        body = f"""<div class="crumb">当前位置：<a href="/">首页</a> &gt; {crumb}</div>
<table width="100%" class="list">{table(rows)}</table><div class="page">{pager.format(cur=cur)}</div>"""
        write(path, page(f"政务要闻_{NAME}", body))
    for month, stem, title, md in items + older:
        news(f"/zwgk/zwyw/{month}/{stem}.html", title, f"2026-{md}", crumb)


# ---------------------------------------------------------------- 通知公告: Hanweb datastore (stale)
def hanweb_tzgg() -> None:
    records = [  # 置顶 first, old; the newest real notice is 2026-04-10: past 6 months on 11-20
        ("2025/12/1", "art_1234_90", "【置顶】关于公布县政府部门权责清单的通知", "2025-12-01"),
        ("2026/4/10", "art_1234_105", "关于2026年春季学期中小学开学时间的通知", "2026-04-10"),
        (
            "2026/3/22",
            "art_1234_101",
            "关于开展2026年度safe生产月活动的通知".replace("safe", "安全"),
            "2026-03-22",
        ),
        ("2026/2/28", "art_1234_99", "关于公布2026年县级重点项目名单的公告", "2026-02-28"),
    ]
    recs = "".join(
        f'<record><![CDATA[<li><a href="/art/{d}/{a}.html" title="{t}" target="_blank">{t}</a>'
        f'<span class="bt-data-time">{iso}</span></li>]]></record>'
        for d, a, t, iso in records
    )
    body = f"""<div class="crumb">当前位置：<a href="/">首页</a> &gt; <a href="/col/col1234/index.html">通知公告</a></div>
<div class="bt-box"><div id="256871">
<script type="text/xml"><datastore><nextgroup><![CDATA[<a href="/module/web/jpage/dataproxy.jsp?page=1&webid=1&path=/&columnid=1234&unitid=256871&webname=%E6%9F%90%E5%8E%BF&permissiontype=0"></a>]]></nextgroup>
<recordset><ul class='jgdj_list'></ul>{recs}</recordset></datastore></script>
<script language="javascript" src="/module/web/jpage/jpage.js"></script></div></div>"""
    write(
        "/col/col1234/index.html",
        page(f"通知公告_{NAME}", body, extra_head='<meta name="ColumnName" content="通知公告">'),
    )
    for d, a, t, iso in records:
        news(
            f"/art/{d}/{a}.html",
            t.replace("【置顶】", ""),
            iso,
            '<a href="/col/col1234/index.html">通知公告</a>',
        )


# ---------------------------------------------------------------- 工作动态: PowerEasy (stale; sidebar is fresh)
def powereasy_gzdt() -> None:
    main = [
        ("/Item/2290.aspx", "县发改委召开重点项目调度会", "2026-10-20"),
        ("/Item/2288.aspx", "县农业农村局部署秋季动物防疫工作", "2026-10-16"),
        ("/Item/2281.aspx", "县住建局开展燃气安全专项检查", "2026-10-09"),
        ("/Item/2275.aspx", "县交通局推进农村公路建设", "2026-09-29"),
        ("/Item/2270.aspx", "县卫健委开展健康义诊活动", "2026-09-20"),
        ("/Item/2266.aspx", "县教体局召开教师节表彰大会", "2026-09-10"),
    ]
    side = [("/zwgk/zwyw/202611/t20261118_2301.html", "县政府召开第45次常务会议", "11-18"),
            ("/zwgk/zwyw/202611/t20261116_2300.html", "我县开展冬季安全生产大检查", "11-16")]  # fmt: skip
    lis = []
    for n, (u, t, d) in enumerate(main, 1):
        lis.append(
            f'<li><a href="{u}" target="_blank" title="{t}">{t}</a><span class="date">{d}</span></li>'
        )
        if n % 5 == 0:
            lis.append('<li class="split"></li>')
    sides = "".join(f'<li><a href="{u}">{t}</a><span>{d}</span></li>' for u, t, d in side)
    body = f"""<div class="crumb">您现在的位置：<a href="/">首页</a> &gt;&gt; <a href="/Category_12/Index.aspx">工作动态</a></div>
<div class="left"><h3 class="nodeName">工作动态</h3><ul class="newsList infoListA">{"".join(lis)}</ul>
<div class="pager"><a href="/Category_12/Index.aspx?page=1">首页</a> <a href="/Category_12/Index_2.aspx">下一页</a></div></div>
<div class="right"><h4>热点文章</h4><ul class="hot">{sides}</ul></div>"""
    write("/Category_12/Index.aspx", page(f"工作动态_{NAME}", body))
    page2 = [("/Item/2260.aspx", "县民政局开展敬老月活动", "2026-09-01")]
    lis2 = "".join(
        f'<li><a href="{u}" target="_blank">{t}</a><span class="date">{d}</span></li>'
        for u, t, d in page2
    )
    write(
        "/Category_12/Index_2.aspx",
        page(
            f"工作动态_{NAME}",
            f"""<div class="crumb">您现在的位置：<a href="/">首页</a> &gt;&gt; <a href="/Category_12/Index.aspx">工作动态</a></div>
<div class="left"><h3 class="nodeName">工作动态</h3><ul class="newsList infoListA">{lis2}</ul>
<div class="pager"><a href="/Category_12/Index.aspx">上一页</a></div></div>""",
        ),
    )
    for u, t, d in main + page2:
        news(u, t, d, '<a href="/Category_12/Index.aspx">工作动态</a>')


# ---------------------------------------------------------------- 部门动态: PHPCMS div/a/p (fresh)
def phpcms_bmdt() -> None:
    rows = [
        ("/html/2026/bmdt_1116/3301.html", "县市场监管局开展食品安全抽检", "2026-11-16"),
        ("/html/2026/bmdt_1110/3298.html", "县自然资源局开展土地执法巡查", "2026-11-10"),
        ("/html/2026/bmdt_1103/3290.html", "县司法局开展法律进乡村活动", "2026-11-03"),
    ]
    older = [("/html/2026/bmdt_0915/3200.html", "县统计局开展统计法宣传活动", "2026-09-15")]
    for path, items, pager in (
        ("/news-list-bmdt.html", rows, '<a class="a1" href="/news-list-bmdt-2.html">下一页</a>'),
        ("/news-list-bmdt-2.html", older, '<a class="a1" href="/news-list-bmdt.html">上一页</a>'),
    ):
        divs = "".join(
            f'<div class="newslist"><a href="{u}" title="{t}">{t}</a><p>{d}</p></div>'
            for u, t, d in items
        )
        body = f"""<div class="crumb">当前位置：<a href="/">首页</a> &gt; <a href="/news-list-bmdt.html">部门动态</a></div>
<div class="listbox">{divs}</div><div id="pages">{pager}</div>
<div class="side"><h4>推荐阅读</h4><p>暂无数据</p></div>"""
        write(path, page(f"部门动态_{NAME}", body))
    for u, t, d in rows + older:
        news(u, t, d, '<a href="/news-list-bmdt.html">部门动态</a>')


# ---------------------------------------------------------------- 财政预决算: YYYY年M月D日 dates (stale: > 1 year)
def budget() -> None:
    rows = [("/zwgk/czyjs/202503/t20250310_61.html", "某县2025年财政预算公开", "2025年3月10日"),
            ("/zwgk/czyjs/202409/t20240920_58.html", "某县2023年财政决算公开", "2024年9月20日")]  # fmt: skip
    trs = "".join(f'<tr><td><a href="{u}">{t}</a></td><td>{d}</td></tr>' for u, t, d in rows)
    write(
        "/zwgk/czyjs/index.html",
        page(
            f"财政预决算_{NAME}",
            f"""<div class="crumb">当前位置：<a href="/">首页</a> &gt; <a href="/zwgk/">政务公开</a> &gt; 财政预决算</div>
<h2>财政预决算</h2><table class="list">{trs}</table>""",
        ),
    )
    for u, t, d in rows:
        iso = d.replace("年", "-").replace("月", "-").replace("日", "")
        y, m, dd = iso.split("-")
        news(u, t, f"{y}-{int(m):02d}-{int(dd):02d}", "财政预决算")


# ---------------------------------------------------------------- 新闻中心: a section page of two blocks (no column)
def section() -> None:
    body = """<div class="crumb">当前位置：<a href="/">首页</a> &gt; 新闻中心</div>
<div class="box"><h3><a href="/zwgk/zwyw/">政务要闻</a></h3><ul>
<li><a href="/zwgk/zwyw/202611/t20261118_2301.html">县政府召开第45次常务会议</a><span>11-18</span></li>
<li><a href="/zwgk/zwyw/202611/t20261116_2300.html">我县开展冬季安全生产大检查</a><span>11-16</span></li>
<li><a href="/zwgk/zwyw/202611/t20261112_2299.html">全县秋冬种工作现场推进会召开</a><span>11-12</span></li></ul></div>
<div class="box"><h3><a href="/Category_12/Index.aspx">工作动态</a></h3><ul>
<li><a href="/Item/2290.aspx">县发改委召开重点项目调度会</a><span>10-20</span></li>
<li><a href="/Item/2288.aspx">县农业农村局部署秋季动物防疫工作</a><span>10-16</span></li>
<li><a href="/Item/2281.aspx">县住建局开展燃气安全专项检查</a><span>10-09</span></li></ul></div>"""
    write("/xwzx/index.html", page(f"新闻中心_{NAME}", body))


# ---------------------------------------------------------------- 图片新闻: TurboCMS [date] (stale)
def turbocms_tpxw() -> None:
    rows = [
        ("../../n3/n13/c2210/content.html", "我县秋季风光美如画", "2026-11-02"),
        ("../../n3/n13/c2205/content.html", "县城新建口袋公园投入使用", "2026-10-28"),
        ("../../n3/n13/c2201/content.html", "金秋时节稻谷飘香", "2026-10-15"),
    ]
    trs = "".join(
        f'<tr><td>[{d}]</td><td><a href="{u}" target="_blank">{t}</a></td></tr>' for u, t, d in rows
    )
    hidden = "".join(f'<a href="/n3/n13/index_{n}.html">{n}</a>' for n in (1,))
    body = f"""<div class="crumb">当前位置：<a href="/">首页</a> &gt; <a href="/n3/n13/index.html">图片新闻</a></div>
<table class="list">{trs}</table><div style="display:none" id="pagenav">{hidden}</div>
<div class="pager"><a href="/n3/n13/index_1.html">下一页</a></div>"""
    write("/n3/n13/index.html", page(f"图片新闻_{NAME}", body))
    write(
        "/n3/n13/index_1.html",
        page(
            f"图片新闻_{NAME}",
            """<div class="crumb">当前位置：<a href="/">首页</a> &gt; <a href="/n3/n13/index.html">图片新闻</a></div>
<table class="list"><tr><td>[2026-09-30]</td><td><a href="/n3/n13/c2190/content.html">国庆节前夕城区披上节日盛装</a></td></tr></table>""",
        ),
    )
    for u, t, d in [
        *rows,
        ("/n3/n13/c2190/content.html", "国庆节前夕城区披上节日盛装", "2026-09-30"),
    ]:
        news("/" + u.replace("../../", ""), t, d, '<a href="/n3/n13/index.html">图片新闻</a>')


# ---------------------------------------------------------------- 热点新闻: enorth, GBK, YYYY/MM/DD (fresh)
def enorth_rdxw() -> None:
    rows = [
        ("/system/2026/11/19/030001.shtml", "我县获评省级文明城市提名城市", "2026/11/19"),
        ("/system/2026/11/14/029980.shtml", "县第一中学举办科技节", "2026/11/14"),
    ]
    lis = "".join(
        f'<li><a href="{u}" target="_blank">{t}</a>　<span class="time">{d}</span></li>'
        for u, t, d in rows
    )
    body = f"""<div class="crumb">当前位置：<a href="/">首页</a> &gt; <a href="/hot/index.shtml">热点新闻</a></div>
<ul class="list_news">{lis}</ul>
<p class="fj">附件：<a href="/upload/2026/热点新闻汇编.pdf">热点新闻汇编.pdf</a></p>"""
    html = page(f"热点新闻_{NAME}", body, charset="gb2312").replace(
        '<meta charset="gb2312">',
        '<meta http-equiv="Content-Type" content="text/html; charset=gb2312">',
    )
    # this template shows its 网站标识码 only as a picture's alt text, its 公安备案号 split
    html = html.replace(
        "<span>网站标识码：</span><span>3609220001</span>",
        '<img src="/images/bsm.png" alt="网站标识码3609220001">',
    )
    html = html.replace("赣公网安备 36092202000123号", "赣公网安备 <b>36092202</b><b>000123</b>号")
    write("/hot/index.shtml", html, "gbk")
    for u, t, d in rows:
        write(
            u,
            article(
                t,
                d.replace("/", "-"),
                NEWS_BODY.format(title=t),
                crumb='<a href="/hot/index.shtml">热点新闻</a>',
            ).replace(
                '<meta charset="utf-8">',
                '<meta http-equiv="Content-Type" content="text/html; charset=gb2312">',
            ),
            "gbk",
        )
    (SITE / "upload/2026").mkdir(parents=True, exist_ok=True)
    (SITE / "upload/2026/热点新闻汇编.pdf").write_bytes(b"%PDF-1.4\n% held-out attachment\n%%EOF\n")


# ---------------------------------------------------------------- 公示公告: list written by a script (fresh)
def script_gsgg() -> None:
    data = [
        ("/gsgg/202611/t20261110_501.html", "2026年县级财政专项资金拟安排项目公示", "2026-11-10"),
        (
            "/gsgg/202610/t20261020_498.html",
            "关于拟认定县级非物质文化遗产代表性项目的公示",
            "2026-10-20",
        ),
    ]
    js = ",".join(f'{{t:"{t}",u:"{u}",d:"{d}"}}' for u, t, d in data)
    body = f"""<div class="crumb">当前位置：<a href="/">首页</a> &gt; <a href="/gsgg/index.html">公示公告</a></div>
<ul class="list" id="gsgg"></ul>
<script>var docs=[{js}];var html="";for(var i=0;i<docs.length;i++){{html+='<li><a href="'+docs[i].u+'">'+docs[i].t+'</a><span>'+docs[i].d+'</span></li>';}}
document.getElementById("gsgg").innerHTML=html;</script>"""
    write("/gsgg/index.html", page(f"公示公告_{NAME}", body))
    for u, t, d in data:
        news(u, t, d, '<a href="/gsgg/index.html">公示公告</a>')


# ---------------------------------------------------------------- 人事任免: a frameset (fresh within a year)
def frames_rsrm() -> None:
    write(
        "/rsrm/index.html",
        f"""<!DOCTYPE html PUBLIC "-//W3C//DTD HTML 4.01 Frameset//EN">
<html lang="zh-CN"><head><meta charset="utf-8"><title>人事任免_{NAME}</title></head>
<frameset cols="200,*"><frame src="left.html" name="left" title="栏目导航"><frame src="list.html" name="main" title="人事任免列表"></frameset></html>""",
    )
    write(
        "/rsrm/left.html",
        page(f"导航_{NAME}", '<ul><li><a href="list.html" target="main">人事任免</a></li></ul>'),
    )
    rows = [("/rsrm/202606/t20260601_71.html", "某县人民政府关于张某某等同志职务任免的通知", "2026-06-01"),
            ("/rsrm/202603/t20260315_70.html", "某县人民政府关于李某某同志职务任免的通知", "2026-03-15")]  # fmt: skip
    lis = "".join(
        f'<li><a href="{u}" target="_blank">{t}</a><span>{d}</span></li>' for u, t, d in rows
    )
    write(
        "/rsrm/list.html",
        page(
            f"人事任免_{NAME}",
            f"""<div class="crumb">当前位置：<a href="/">首页</a> &gt; 人事任免</div>
<h2>人事任免</h2><ul class="list">{lis}</ul>""",
        ),
    )
    for u, t, d in rows:
        news(
            u,
            t,
            d,
            "人事任免",
            body="<p>经县人民政府研究决定：任命张某某为县发展和改革委员会副主任。</p>",
        )


# ---------------------------------------------------------------- 专项规划: 暂无信息 (blank)
def blank_zxgh() -> None:
    body = """<div class="crumb">当前位置：<a href="/">首页</a> &gt; <a href="/ghjh/">规划计划</a> &gt; 专项规划</div>
<h2>专项规划</h2><ul class="list"></ul><div class="empty">暂无信息</div>"""
    write("/ghjh/zxgh/index.html", page(f"专项规划_{NAME}", body))


# ---------------------------------------------------------------- 局长信箱 (answered within days)
def mailbox() -> None:
    rows = [("/hdjl/jzxx/202611/t20261105_88.html", "关于城区路灯维修的咨询", "2026-11-05", "2026-11-07"),
            ("/hdjl/jzxx/202610/t20261012_85.html", "关于社保卡补办的咨询", "2026-10-12", "2026-10-14")]  # fmt: skip
    trs = "".join(
        f'<tr><td><a href="{u}">{t}</a></td><td>{asked}</td><td>已回复</td><td>{replied}</td></tr>'
        for u, t, asked, replied in rows
    )
    write(
        "/hdjl/jzxx/index.html",
        page(
            f"局长信箱_{NAME}",
            f"""<div class="crumb">当前位置：<a href="/">首页</a> &gt; 互动交流 &gt; 局长信箱</div>
<h2>局长信箱</h2><table class="letters"><tr><th>标题</th><th>来信时间</th><th>状态</th><th>回复时间</th></tr>{trs}</table>""",
        ),
    )
    for u, t, asked, replied in rows:
        write(
            u,
            article(
                t,
                asked,
                f"""<div class="letter"><p>来信人：王先生　来信时间：{asked}</p><p>来信内容：{t}，请问如何办理？</p>
<p>回复单位：某县人民政府办公室　回复时间：{replied}</p><p>回复内容：您好，已转相关部门办理，感谢您的来信。</p></div>""",
                crumb="局长信箱",
            ),
        )


# ---------------------------------------------------------------- 政府信息公开: 指南, 目录, 年报
def disclosure() -> None:
    write(
        "/zwgk/xxgk/index.html",
        page(
            f"政府信息公开_{NAME}",
            """<div class="crumb">当前位置：<a href="/">首页</a> &gt; 政府信息公开</div>
<ul><li><a href="/zwgk/xxgk/zn.html">政府信息公开指南</a></li><li><a href="/zwgk/xxgk/ml.html">政府信息公开目录</a></li>
<li><a href="/zwgk/xxgk/nb/">政府信息公开年报</a></li></ul>""",
        ),
    )
    write(
        "/zwgk/xxgk/zn.html",
        article(
            "某县人民政府政府信息公开指南",
            "2026-01-10",
            """<p>一、受理机构：某县人民政府办公室</p>
<p>办公地址：某县城关镇人民路1号　办公时间：工作日上午8:30-12:00，下午14:30-17:30</p>
<p><a name="lxfs"></a>联系电话：0795-4521234　传　　真：0795-4521235　电子邮箱：xxgk@mx.example.gov.cn　在线申请：<a href="/zwgk/xxgk/ysqgk.html">依申请公开</a></p>""",
            crumb="政府信息公开",
        ),
    )
    write(
        "/zwgk/xxgk/ysqgk.html",
        article(
            "依申请公开",
            "2026-01-10",
            "<p>申请人可通过信函、传真或网络提交申请。</p>",
            crumb="政府信息公开",
        ),
    )
    write(
        "/zwgk/xxgk/ml.html",
        article(
            "某县人民政府政府信息公开目录",
            "2026-01-10",
            """<ul><li><a href="/zwgk/gfxwj/">规范性文件</a></li>
<li><a href="/zwgk/zfwj/">政府文件</a></li><li><a href="/rsrm/index.html">人事任免</a></li></ul>""",
            crumb="政府信息公开",
        ),
    )
    write(
        "/zwgk/xxgk/nb/index.html",
        page(
            f"政府信息公开年报_{NAME}",
            """<div class="crumb">当前位置：<a href="/">首页</a> &gt; 政府信息公开 &gt; 政府信息公开年报</div>
<ul class="list"><li><a href="/zwgk/xxgk/nb/202601/t20260120_9.html">某县人民政府2025年度政府信息公开工作报告</a><span>2026-01-20</span></li>
<li><a href="/zwgk/xxgk/nb/202501/t20250122_8.html">某县人民政府2024年政府信息公开工作年度报告</a><span>2025-01-22</span></li></ul>""",
        ),
    )
    news(
        "/zwgk/xxgk/nb/202601/t20260120_9.html",
        "某县人民政府2025年度政府信息公开工作报告",
        "2026-01-20",
        "政府信息公开年报",
    )
    news(
        "/zwgk/xxgk/nb/202501/t20250122_8.html",
        "某县人民政府2024年政府信息公开工作年度报告",
        "2025-01-22",
        "政府信息公开年报",
    )


# ---------------------------------------------------------------- documents
def meta_table(rows: list[tuple[str, str]]) -> str:
    cells = "".join(f'<tr><td class="label">{k}：</td><td>{v}</td></tr>' for k, v in rows)
    return f'<table class="xxgk_meta">{cells}</table>'


DOCS = [
    # path, title, number, written, published, validity, body, interpretation path (both ways)
    (
        "/zwgk/gfxwj/202609/t20260915_801.html",
        "关于印发《某县农村宅基地管理办法》的通知",
        "某府规〔2026〕3号",
        "2026-09-10",
        "2026-09-15",
        "有效",
        "<p>本办法自2026年10月1日起施行。</p>",
        "/zwgk/zcjd/202609/t20260916_901.html",
    ),
    (
        "/zwgk/gfxwj/201803/t20180310_420.html",
        "某县城市绿化管理办法",
        "某府规〔2018〕2号",
        "2018-03-01",
        "2018-03-10",
        "现行有效",
        "<p>本办法自2018年4月1日起施行。</p>",
        "/zwgk/zcjd/201803/t20180312_410.html",
    ),
    (
        "/zwgk/gfxwj/202604/t20260420_780.html",
        "关于印发《某县就业补助资金管理办法》的通知",
        "某府规〔2026〕1号",
        "2026-04-15",
        "2026-04-20",
        None,
        "<p>本办法自印发之日起施行。</p>",
        "/zwgk/zcjd/202604/t20260421_880.html",
    ),
    (
        "/zwgk/gfxwj/202201/t20220105_300.html",
        "某县城区停车管理暂行办法",
        "某府规〔2022〕1号",
        "2021-12-30",
        "2022-01-05",
        "有效",
        "<p>本办法自2022年2月1日起施行，有效期2年。</p>",
        "/zwgk/zcjd/202201/t20220106_310.html",
    ),
    (
        "/zwgk/gfxwj/202609/t20260928_805.html",
        "关于印发《某县养老服务补贴办法》的通知",
        "某府规〔2026〕4号",
        "2026-09-25",
        "2026-09-28",
        "有效",
        "<p>本办法自2026年11月1日起施行。</p>",
        None,
    ),
]
ONE_WAY_INTERP = ("/zwgk/zcjd/202609/t20260929_905.html", "/zwgk/gfxwj/202609/t20260928_805.html",
                  "《某县养老服务补贴办法》政策解读", "2026-09-29")  # fmt: skip
WORK_NOTICES = [
    ("/zwgk/zfwj/202611/t20261105_601.html", "关于做好2026年冬春季森林防火工作的通知", "某府办发〔2026〕12号", "2026-11-03", "2026-11-05"),
    ("/zwgk/zfwj/202610/t20261020_598.html", "关于有效应对寒潮天气做好防范工作的通知", "某府办字〔2026〕40号", "2026-10-19", "2026-10-20"),
]  # fmt: skip


def documents() -> None:
    crumb = '<a href="/zwgk/">政务公开</a> &gt; <a href="/zwgk/gfxwj/">规范性文件</a>'
    for path, title, number, written, published, validity, body, interp in DOCS:
        rows = [("索引号", f"014742224A/{published[:4]}-00{path[-8:-5]}"), ("发布机构", NAME), ("发文字号", number),
                ("成文日期", written), ("发布日期", published)]  # fmt: skip
        if validity:
            rows.append(("有效性", validity))
        link = f'<p>相关解读：<a href="{interp}">《{title}》政策解读</a></p>' if interp else ""
        write(
            path,
            article(
                title,
                published,
                body
                + '<p>附件：<a href="/upload/2026/附件2.doc">附件2.申报表</a></p>'
                * (path.endswith("780.html"))
                + link,
                crumb=crumb,
                meta=meta_table(rows),
            ),
        )
    lis = "".join(
        f'<li><a href="{p[len("/zwgk/gfxwj") :].lstrip("/")}">{t}</a><span>{pub}</span></li>'
        for p, t, _, _, pub, *_ in DOCS
    )
    write(
        "/zwgk/gfxwj/index.html",
        page(
            f"规范性文件_{NAME}",
            f"""<div class="crumb">当前位置：<a href="/">首页</a> &gt; {crumb}</div>
<ul class="list">{lis}</ul>""",
        ),
    )
    # 解读 pages, each linking its 原文 (and the 原文 links back, except the one-way one)
    jd_crumb = '<a href="/zwgk/">政务公开</a> &gt; <a href="/zwgk/zcjd/">政策解读</a>'
    interps = [(i, f"《{t}》政策解读", p, pub) for p, t, _, _, pub, _, _, i in DOCS if i]
    jd_rows = []
    for ipath, ititle, original, _pub in interps:
        day = ipath.rsplit("/t", 1)[1][:8]
        iday = f"{day[:4]}-{day[4:6]}-{day[6:]}"
        write(
            ipath,
            article(
                ititle,
                iday,
                f'<p>一、制定背景。</p><p>原文链接：<a href="{original}">{ititle[1:-5]}</a></p>',
                crumb=jd_crumb,
            ),
        )
        jd_rows.append((ipath, ititle, iday))
    ipath, original, ititle, iday = ONE_WAY_INTERP
    write(
        ipath,
        article(
            ititle,
            iday,
            f'<p>一、制定背景。</p><p>原文链接：<a href="{original}">某县养老服务补贴办法</a></p>',
            crumb=jd_crumb,
        ),
    )
    jd_rows.append((ipath, ititle, iday))
    lis = "".join(
        f'<li><a href="{p}">{t}</a><span>{d}</span></li>'
        for p, t, d in sorted(jd_rows, key=lambda r: r[2], reverse=True)
    )
    write(
        "/zwgk/zcjd/index.html",
        page(
            f"政策解读_{NAME}",
            f"""<div class="crumb">当前位置：<a href="/">首页</a> &gt; {jd_crumb}</div>
<ul class="list">{lis}</ul>""",
        ),
    )
    # 政府文件: numbered work notices (not normative), listed through a <base href>
    fw_crumb = '<a href="/zwgk/">政务公开</a> &gt; <a href="/zwgk/zfwj/">政府文件</a>'
    for path, title, number, written, published in WORK_NOTICES:
        rows = [("索引号", f"014742224A/2026-0{path[-8:-5]}"), ("发布机构", "某县人民政府办公室"), ("发文字号", number),
                ("成文日期", written), ("发布日期", published)]  # fmt: skip
        write(
            path,
            article(
                title,
                published,
                "<p>各乡镇人民政府，县政府各部门：现将有关事项通知如下。</p>",
                crumb=fw_crumb,
                meta=meta_table(rows),
            ),
        )
    lis = "".join(
        f'<li><a href="{p[len("/zwgk/") :]}">{t}</a><span>{pub}</span></li>'
        for p, t, _, _, pub in WORK_NOTICES
    )
    write(
        "/zwgk/zfwj/index.html",
        page(
            f"政府文件_{NAME}",
            f"""<div class="crumb">当前位置：<a href="/">首页</a> &gt; {fw_crumb}</div>
<ul class="list">{lis}</ul>""",
            extra_head='<base href="/zwgk/">',
        ),
    )


# ---------------------------------------------------------------- planted problems on articles
def planted() -> None:
    crumb = '<a href="/zwgk/">政务公开</a> &gt; <a href="/zwgk/zwyw/">政务要闻</a>'
    # a hidden link farm to a stranger's host, off-screen (hidden_link)
    news(
        "/zwgk/zwyw/202610/t20261030_2290.html",
        "县领导调研重点项目建设",
        "2026-10-30",
        crumb,
        extra_foot='<div style="position:absolute;left:-3000px;top:-3000px"><a href="http://__STRANGER__/">澳门葡京赌场</a>'
        '<a href="http://__STRANGER__/bet.html">体育博彩网址</a></div>',
    )
    # a search-referrer redirect to a stranger's host (injected_code)
    news(
        "/zwgk/zwyw/202610/t20261025_2288.html",
        "我县举行2026年消防演练",
        "2026-10-25",
        crumb,
        extra_foot='<script>var r=document.referrer;if(r.indexOf("baidu.com")>-1||r.indexOf("sogou.com")>-1)'
        '{window.location.href="http://__STRANGER__/";}</script>',
    )
    # a picture that is gone (the server answers its "页面不存在" page with 200)
    news(
        "/zwgk/zwyw/202611/t20261112_2299.html",
        "全县秋冬种工作现场推进会召开",
        "2026-11-12",
        crumb,
        body='<p>全县秋冬种工作现场推进会召开。</p><p><img src="/uploadfiles/2026/11/pic_2299.jpg" alt="会议现场"></p>',
    )
    # the statistics provider's script, added to the template lately: on the newest articles only
    for stem, title, day in (
        ("t20261118_2301", "县政府召开第45次常务会议", "18"),
        ("t20261116_2300", "我县开展冬季安全生产大检查", "16"),
    ):
        news(
            f"/zwgk/zwyw/202611/{stem}.html",
            title,
            f"2026-11-{day}",
            crumb,
            extra_foot='<script type="text/javascript" src="https://s9.cnzz.com/z_stat.php?id=1278912345&web_id=1278912345"></script>',
        )
    # a known confusion typo (expression_error); a correct leader and title beside it
    news(
        "/zwgk/zwyw/202610/t20261015_2280.html",
        "全县文明城市创建推进会召开",
        "2026-10-15",
        crumb,
        body="<p>会议传达学习了国务院总理李强在全国文明城市创建工作会议上的讲话精神。会议要求，全县上下要再接再励，巩固创建成果。</p>",
    )
    # a full identity number with a valid checksum in a 公示 (personal_data_exposed); a masked one beside it
    news(
        "/html/2026/bmdt_1103/3290.html",
        "县司法局开展法律进乡村活动",
        "2026-11-03",
        '<a href="/news-list-bmdt.html">部门动态</a>',
        body="<p>获评法律明白人：王某某，身份证号：360922199001011239。</p>"
        "<p>李某某，身份证号：360922********2345。</p>",
    )


def expressions() -> None:
    crumb = '<a href="/zwgk/">政务公开</a> &gt; <a href="/zwgk/zwyw/">政务要闻</a>'
    # a former title with 时任, in a 2026 article: right
    news(
        "/zwgk/zwyw/202609/t20260928_2270.html",
        "我县召开国庆假期安全工作会",
        "2026-09-28",
        crumb,
        body="<p>2017年3月，时任国务院总理李克强在政府工作报告中提出深化“放管服”改革。会议回顾了我县多年来的改革成效。</p>",
    )
    # a former title without 时任, in a 2026 article: wrong (the holder left in 2023)
    news(
        "/art/2026/2/28/art_1234_99.html",
        "关于公布2026年县级重点项目名单的公告",
        "2026-02-28",
        '<a href="/col/col1234/index.html">通知公告</a>',
        body="<p>为深入贯彻国务院总理李克强关于扩大有效投资的重要指示精神，现将2026年县级重点项目名单予以公布。</p>",
    )
    write(
        "/sso/login.html",
        page(f"统一身份认证_{NAME}", "<h2>统一身份认证平台</h2><p>请使用账号密码登录。</p>"),
    )


# ---------------------------------------------------------------- a finished 专题: its 工作动态 is not judged
def topic() -> None:
    crumb = (
        '<a href="/ztzl/">专题专栏</a> &gt; <a href="/ztzl/yqfk/">疫情防控</a> &gt; '
        '<a href="/ztzl/yqfk/gzdt/">工作动态</a>'
    )
    rows = [
        ("/ztzl/yqfk/gzdt/202212/t20221220_31.html", "我县优化疫情防控措施", "2022-12-20"),
        ("/ztzl/yqfk/gzdt/202212/t20221210_30.html", "县疫情防控指挥部召开会议", "2022-12-10"),
    ]
    lis = "".join(f'<li><a href="{u}">{t}</a><span>{d}</span></li>' for u, t, d in rows)
    body = f"""<div class="crumb">当前位置：<a href="/">首页</a> &gt; {crumb}</div>
<ul class="list">{lis}</ul>"""
    write("/ztzl/yqfk/gzdt/index.html", page(f"工作动态_疫情防控_{NAME}", body))
    write(
        "/ztzl/index.html",
        page(f"专题专栏_{NAME}", '<ul><li><a href="/ztzl/yqfk/">疫情防控</a></li></ul>'),
    )
    write(
        "/ztzl/yqfk/index.html",
        page(f"疫情防控_{NAME}", '<ul><li><a href="/ztzl/yqfk/gzdt/">工作动态</a></li></ul>'),
    )
    for u, t, d in rows:
        news(u, t, d, crumb)


def main() -> None:
    if SITE.exists():
        shutil.rmtree(SITE)
    for step in (home, trs_zwyw, hanweb_tzgg, powereasy_gzdt, phpcms_bmdt, turbocms_tpxw, enorth_rdxw,
                 script_gsgg, frames_rsrm, blank_zxgh, mailbox, disclosure, documents, planted, expressions, budget, section, topic):  # fmt: skip
        step()
    write("/robots.txt", "User-agent: *\nDisallow: /private/\n")
    write(
        "/assist/assist.js",
        "var aria={start:function(){document.body.classList.add('assist');}};\n",
    )
    write("/ghb/index.html", page(f"关怀版_{NAME}", "<h2>关怀版</h2><p>大字体、高对比度浏览。</p>"))
    write(
        "/zwgk/index.html",
        page(
            f"政务公开_{NAME}",
            '<ul><li><a href="/zwgk/zwyw/">政务要闻</a></li><li><a href="/zwgk/gfxwj/">规范性文件</a></li></ul>',
        ),
    )
    write(
        "/ghjh/index.html",
        page(f"规划计划_{NAME}", '<ul><li><a href="/ghjh/zxgh/">专项规划</a></li></ul>'),
    )
    for name in ("banner.jpg", "ga.png", "red.png", "bsm.png"):
        (SITE / "images").mkdir(exist_ok=True)
        (SITE / "images" / name).write_bytes(b"\x89PNG\r\n\x1a\n")
    write("/module/web/jpage/jpage.js", "/* jpage */\n")


if __name__ == "__main__":
    main()
