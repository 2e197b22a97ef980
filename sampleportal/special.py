"""Static files and the pages that exist for the crawler's sake.

robots.txt, the calendar and session-id traps, GBK/GB18030 pages (charset only in the HTTP
header / only in ``<meta>`` / GB2312 declared with GB18030-only characters), a UTF-8 BOM page,
non-HTML resources behind page-like links, annual reports, and the service pages (无障碍,
联系我们, 信息公开指南 …) every government site has.
"""

from __future__ import annotations

import datetime as dt

from sampleportal import assets
from sampleportal.article import news_main
from sampleportal.columns import ColumnPlan
from sampleportal.days import ago
from sampleportal.listing import Item
from sampleportal.model import Crumb, PageSpec
from sampleportal.portal import Portal
from sampleportal.text import SITE_NAME

ROBOTS_TXT = "User-agent: *\nDisallow: /admin/\nDisallow: /internal/\n"
ROBOTS_DISALLOWED = ("/admin/login.html", "/internal/report.html")
SESSION_ENTRY = "/wsbs/list.jsp"
SESSION_LINK = "/wsbs/list.jsp;jsessionid=8F3C2A41D9E07B6C5A1F"
TRAP_PREFIXES = ("/calendar/", "/wsbs/")

# Attachments that exist (the planted missing/empty/odd ones are added by links.py).
EXISTING_ATTACHMENTS = (
    "/upload/2026/附件1.pdf",
    "/upload/2026/申报材料清单.docx",
    "/upload/2026/补贴发放明细.xls",
    "/upload/2026/统计报表.xlsx",
    "/upload/2026/公文正文.wps",
    "/upload/2026/版式文件.ofd",
    "/upload/2026/申请材料模板.zip",
    "/upload/2026/登记表.doc",
)


def plan_assets(portal: Portal) -> None:
    a = portal.asset
    a("/robots.txt", ROBOTS_TXT.encode())
    a("/css/main.css", assets.MAIN_CSS.encode())
    a("/js/common.js", assets.COMMON_JS.encode())
    a("/js/trs_pager.js", assets.TRS_PAGER_JS.encode())
    a("/module/web/jpage/jpage.js", assets.JPAGE_JS.encode())
    a("/ads/guanggao.js", assets.ADS_JS.encode())
    a("/images/logo.png", assets.png(360, 60, (11, 61, 145)))
    a("/images/dot.gif", assets.GIF_1PX)
    a("/images/icon_home.png", assets.png(16, 16, (11, 61, 145)))
    a("/images/submit.gif", assets.GIF_1PX)
    for n in range(6):
        a(f"/images/news/tp{n}.png", assets.png(200, 130, (40 + 30 * n, 90, 160)))
    for n in range(4):
        a(f"/images/leader{n}.png", assets.png(90, 120, (200, 200 - 20 * n, 190)))
    for path in EXISTING_ATTACHMENTS:
        ext = path[path.rfind(".") :]
        a(path, assets.attachment(ext, path))


def _simple(
    portal: Portal,
    path: str,
    title: str,
    body: str,
    crumbs: list[Crumb] | None = None,
    in_pages: bool = True,
) -> PageSpec:
    crumbs = crumbs if crumbs is not None else [("首页", "/"), (title, None)]
    main = f'<div class="article">\n<h1>{title}</h1>\n<div class="article-body">\n{body}</div>\n</div>\n'
    return portal.add(PageSpec(path, title, crumbs, main, kind="special", in_pages=in_pages))


def plan_service_pages(portal: Portal) -> None:
    """无障碍 / 关怀版 help, contact, 信息公开指南, the interview player, robots-only pages."""
    _simple(
        portal,
        "/wza/index.html",
        "无障碍浏览",
        "<p>本网站提供无障碍浏览服务，支持屏幕阅读、大字幕、高对比度和键盘操作。</p>\n",
    )
    _simple(
        portal,
        "/wza/care.html",
        "关怀版",
        "<p>关怀版页面字体更大、操作更简单，方便老年人浏览。</p>\n",
    )
    _simple(
        portal,
        "/lxwm/index.html",
        "联系我们",
        "<p>通信地址：某市人民路1号　邮编：000000</p>\n"
        '<p>办公电话：<a href="tel:0000-12345678">0000-12345678</a></p>\n'
        '<p>电子邮箱：<a href="mailto:bgs@mzj.invalid">bgs@mzj.invalid</a></p>\n'
        '<p><a href="data:text/vcard;charset=utf-8,BEGIN%3AVCARD%0AFN%3A%E6%9F%90%E5%B8%82%E6%B0%91'
        '%E6%94%BF%E5%B1%80%0AEND%3AVCARD">下载联系名片</a></p>\n',
    )
    _simple(
        portal,
        "/xxgk/xxgkzn/index.html",
        "政府信息公开指南",
        "<p>一、主动公开：本机关主动公开的政府信息通过本网站“政务公开”栏目发布。</p>\n"
        "<p>二、依申请公开：受理机构为某市民政局办公室。地址：某市人民路1号；"
        "办公时间：工作日上午9:00—12:00，下午13:30—17:30；联系电话：0000-12345678；"
        '传真：0000-12345679；网上申请：<a href="/zmhd/jzxx/index.html">在线申请</a>。</p>\n',
        crumbs=[("首页", "/"), ("政务公开", "/xxgk/index.html"), ("政府信息公开指南", None)],
    )
    _simple(
        portal,
        "/zmhd/zxft/player.html",
        "访谈视频",
        "<p>访谈视频播放区域：请点击播放按钮观看访谈实录。</p>\n"
        '<p><button type="button">播放</button></p>\n',
        crumbs=[],
    )
    _simple(portal, "/yqlj/index.html", "友情链接", "")  # links.py fills in the links
    for path in ROBOTS_DISALLOWED:
        _simple(portal, path, "内部页面", "<p>内部管理页面。</p>\n", in_pages=False)
    portal.truth.robots_disallowed.extend(ROBOTS_DISALLOWED)


def plan_reports(portal: Portal, plans: dict[str, ColumnPlan]) -> None:
    """政府信息公开年报: last year's report appears once its 15 January publication passed."""
    as_of = portal.as_of
    plan = plans["ndbg"]
    newest_year = as_of.year - 1 if as_of >= dt.date(as_of.year, 1, 15) else as_of.year - 2
    for year in range(newest_year, newest_year - 3, -1):
        date = dt.date(year + 1, 1, 15)
        title = f"{SITE_NAME}{year}年政府信息公开工作年度报告"
        path = plan.article_path(portal.next_id(), date)
        main = news_main(title, date, SITE_NAME, portal.text.paragraphs(2), back="../index.html")
        portal.add(PageSpec(path, title, plan.crumbs(), main, date=date.isoformat()))
        plan.items.append(Item(title, path, date))


# (file name, title, bytes encoding, <meta> declaration or None, HTTP charset or None, why)
_ENCODED = (
    (
        "gbk_header.html",
        "关于做好今冬明春困难群众基本生活保障工作的通知",
        "gbk",
        None,
        "GBK",
        "GBK bytes; charset only in the HTTP Content-Type header",
    ),
    (
        "gbk_meta.html",
        "某市民政局社会救助工作情况通报",
        "gbk",
        '<meta charset="gbk">',
        None,
        "GBK bytes; charset only in <meta charset=gbk>",
    ),
    (
        "gb2312_gb18030.html",
        "关于表彰陈镕、刘䶮等优秀社会工作者的通报",
        "gb18030",
        '<meta http-equiv="Content-Type" content="text/html; charset=gb2312">',
        None,
        "declares gb2312 but uses 镕 (GBK) and 䶮 (GB18030 only): decode as gb18030",
    ),
)


def plan_encodings(portal: Portal, plans: dict[str, ColumnPlan]) -> None:
    """档案资料: the non-UTF-8 pages, listed like any other article."""
    plan = plans["dazl"]
    truth = portal.truth
    for n, (name, title, enc, meta, http_charset, why) in enumerate(_ENCODED):
        date = ago(portal.as_of, 150 + 10 * n)
        path = f"{plan.dir}/{name}"
        main = news_main(title, date, SITE_NAME, portal.text.paragraphs(2), back="index.html")
        portal.add(
            PageSpec(
                path, title, plan.crumbs(), main, meta=meta, encoding=enc, date=date.isoformat()
            )
        )
        plan.items.append(Item(title, path, date))
        truth.gbk_pages[path] = f"{title} - {SITE_NAME}"
        truth.encodings.append(
            {
                "path": path,
                "bytes": enc,
                "declared_in": "http" if http_charset else "meta",
                "why": why,
            }
        )
        if http_charset:
            portal.route(path=path, kind="file", content_type=f"text/html; charset={http_charset}")
    date = ago(portal.as_of, 190)
    title = "某市民政局关于调整城乡低保标准的公告"
    path = f"{plan.dir}/utf8_bom.html"
    main = news_main(title, date, SITE_NAME, portal.text.paragraphs(2), back="index.html")
    portal.add(
        PageSpec(path, title, plan.crumbs(), main, meta=None, bom=True, date=date.isoformat())
    )
    plan.items.append(Item(title, path, date))
    truth.encodings.append(
        {
            "path": path,
            "bytes": "utf-8",
            "declared_in": "bom",
            "why": "UTF-8 BOM, no <meta> charset",
        }
    )


def plan_crawl_traps(portal: Portal) -> list[tuple[str, str]]:
    """Calendar and session-id traps and non-HTML resources; returns (text, href) for home."""
    as_of = portal.as_of
    truth = portal.truth
    calendar = f"/calendar/?date={as_of.isoformat()}"
    portal.route(prefix="/calendar/", kind="calendar", default_date=as_of.isoformat())
    portal.route(prefix="/wsbs/", kind="session")
    truth.trap_prefixes.extend(TRAP_PREFIXES)
    truth.trap_entries.extend(
        [
            {"path": calendar, "linked_as": calendar, "kind": "calendar"},
            {"path": SESSION_ENTRY, "linked_as": SESSION_LINK, "kind": "session_id"},
        ]
    )
    portal.route(
        path="/app/index.html",
        kind="status",
        status=200,
        content_type="application/json; charset=utf-8",
        body='{"code": 0, "msg": "ok", "data": {"name": "某市民政局移动客户端"}}',
    )
    rss = (
        '<?xml version="1.0" encoding="utf-8"?>\n<rss version="2.0"><channel>'
        f"<title>{SITE_NAME}</title><link>http://127.0.0.1:__PORT__/</link></channel></rss>\n"
    )
    portal.asset("/rss/index.xml", rss.encode())
    truth.non_html.extend(
        [
            {"path": "/app/index.html", "content_type": "application/json"},
            {"path": "/rss/index.xml", "content_type": "application/xml"},
        ]
    )
    return [
        ("活动日历", calendar),
        ("网上办事大厅", SESSION_LINK),
        ("移动客户端", "/app/index.html"),
        ("RSS订阅", "/rss/index.xml"),
    ]
