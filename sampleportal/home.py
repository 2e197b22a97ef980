"""The home page, the channel pages (parent columns), a 新闻中心 section page and the site map.

The home page carries the full column menu (so every column is "in navigation"), several
dated news blocks in different date formats (YYYY-MM-DD, MM-DD with the year only in the
URL, MM.DD, [YYYY-MM-DD]), quick links to the crawl traps, and the 无障碍/关怀版 entries
(in the shared top bar). Variant ``stale_home`` shows only items at least 17 days old.
"""

from __future__ import annotations

import datetime as dt
from html import escape

from sampleportal.columns import ColumnPlan
from sampleportal.days import fmt
from sampleportal.layout import CHANNELS
from sampleportal.listing import Item
from sampleportal.model import PageSpec
from sampleportal.portal import Portal
from sampleportal.text import SITE_NAME

HOME_FRESH_DAYS = 14
STALE_HOME_AGE = 17
EXTRA_CHANNEL_LINKS = {
    "政务公开": [("政府信息公开指南", "/xxgk/xxgkzn/index.html")],
    "政务动态": [("新闻中心", "/zwdt/xwzx/index.html")],
}
# A section page in the navigation (a trap for stale and blank columns): boxes of child
# columns, each with its 更多 link; the first holds ten 40-day-old rows (a dynamic "list"
# overdue if the section were taken for a column), the last an empty child's 暂无信息.
SECTION = ("新闻中心", "/zwdt/xwzx/index.html", (("mtgz", 10), ("tpxw", 3), ("csgy", 0)))
# (column key, heading, date format, how the date sits: after | before)
HOME_BLOCKS = (
    ("mzyw", "民政要闻", "iso", "after"),
    ("tzgg", "通知公告", "mmdd", "after"),
    ("gzdt", "工作动态", "mm.dd", "after"),
    ("zcwj", "政策文件", "bracket", "before"),
)


def _li(item: Item, date_format: str | None, where: str = "after") -> str:
    link = f'<a href="{item.path}" title="{escape(item.title)}">{escape(item.title)}</a>'
    if not (date_format and item.date):
        return f"<li>{link}</li>"
    date = f'<span class="date">{fmt(item.date, date_format)}</span>'
    return f"<li>{date}{link}</li>" if where == "before" else f"<li>{link}{date}</li>"


def _children(plans: dict[str, ColumnPlan], channel: str) -> list[ColumnPlan]:
    return [p for p in plans.values() if p.spec.parent == channel]


def _megamenu(plans: dict[str, ColumnPlan]) -> str:
    groups = []
    for channel, _ in CHANNELS[1:]:
        links = [(p.spec.name, p.spec.path) for p in _children(plans, channel)]
        links += EXTRA_CHANNEL_LINKS.get(channel, [])
        lis = "".join(f'<li><a href="{path}">{escape(name)}</a></li>' for name, path in links)
        groups.append(f'<div class="menu-group"><h2>{channel}</h2><ul>{lis}</ul></div>')
    channels = "".join(f'<li><a href="{path}">{name}</a></li>' for name, path in CHANNELS)
    return (
        f'<nav class="nav" aria-label="主导航"><ul class="w">{channels}</ul></nav>\n'
        f'<nav class="megamenu" aria-label="栏目导航"><div class="w">{"".join(groups)}</div></nav>\n'
    )


def build_home(
    portal: Portal, plans: dict[str, ColumnPlan], quick: list[tuple[str, str]]
) -> set[str]:
    """Plan the home page; returns the column paths its menu links to."""
    as_of = portal.as_of
    cutoff = as_of - dt.timedelta(days=STALE_HOME_AGE) if portal.variant == "stale_home" else as_of
    shown: list[dt.date] = []
    blocks = []
    pics = [it for it in plans["tpxw"].items if it.date and it.date <= cutoff][:3]
    pic_lis = "".join(
        f'<li><a href="{it.path}"><img src="/images/news/tp{n}.png" alt="{escape(it.title)}" '
        'width="200" height="130"></a></li>'
        for n, it in enumerate(pics)
    )
    blocks.append(
        f'<div class="block focus"><h2>图片新闻</h2><ul class="focus-list">{pic_lis}</ul></div>\n'
    )
    for key, heading, date_format, where in HOME_BLOCKS:
        items = [it for it in plans[key].items if it.date and it.date <= cutoff][:6]
        shown += [it.date for it in items if it.date]
        lis = "".join(_li(it, date_format, where) for it in items)
        blocks.append(
            f'<div class="block"><h2>{heading}</h2><ul class="news-list">{lis}</ul>'
            f'<p class="more"><a href="{plans[key].spec.path}">更多{heading}</a></p></div>\n'
        )
    quick_lis = "".join(f'<li><a href="{href}">{text}</a></li>' for text, href in quick)
    blocks.append(f'<div class="block"><h2>快捷服务</h2><ul>{quick_lis}</ul></div>\n')
    main = '<div class="home">\n' + "".join(blocks) + "</div>\n"
    portal.add(
        PageSpec("/", "首页", [], main, kind="home", nav=_megamenu(plans), html_title=SITE_NAME)
    )
    newest = max(shown)
    fresh = (as_of - newest).days <= HOME_FRESH_DAYS
    portal.truth.home = {
        "path": "/",
        "newest_date": newest.isoformat(),
        "fresh": fresh,
        "fresh_days": HOME_FRESH_DAYS,
    }
    if not fresh:
        portal.truth.expect(
            "home_not_updated",
            "/",
            detail={"newest_date": newest.isoformat(), "fresh_days": HOME_FRESH_DAYS},
        )
    return {p.spec.path for p in plans.values()}


def _channel_block(plan: ColumnPlan) -> str:
    s = plan.spec
    show_items = s.style != "hanweb" and s.blank not in ("empty", "no_info")
    items = plan.items[:5] if show_items else []
    lis = "".join(_li(it, "iso" if s.date_format else None) for it in items)
    listing = f'<ul class="news-list">{lis}</ul>' if lis else ""
    return (
        f'<div class="block"><h2>{escape(s.name)}</h2>{listing}'
        f'<p class="more"><a href="{s.path}">更多{escape(s.name)}</a></p></div>\n'
    )


def build_channels(portal: Portal, plans: dict[str, ColumnPlan]) -> None:
    for channel, path in CHANNELS[1:]:
        children = _children(plans, channel)
        blocks = "".join(_channel_block(p) for p in children)
        extra = "".join(
            f'<p class="more"><a href="{href}">{name}</a></p>\n'
            for name, href in EXTRA_CHANNEL_LINKS.get(channel, [])
        )
        main = f'<div class="channel">\n<h1>{channel}</h1>\n{blocks}{extra}</div>\n'
        portal.add(PageSpec(path, channel, [("首页", "/"), (channel, None)], main, kind="channel"))
        portal.truth.channels.append(
            {"name": channel, "path": path, "children": [p.spec.path for p in children]}
        )


def build_section(portal: Portal, plans: dict[str, ColumnPlan]) -> None:
    """The 新闻中心 section page: no column of its own, so neither stale nor blank."""
    name, path, boxes = SECTION
    blocks = []
    for key, rows in boxes:
        s = plans[key].spec
        items = [it for it in plans[key].items if it.date][:rows]
        listing = (
            '<ul class="news-list">' + "".join(_li(it, "iso") for it in items) + "</ul>"
            if items
            else '<p class="no-data">暂无信息</p>'
        )
        blocks.append(
            f'<div class="block"><div class="block-title"><h2>{escape(s.name)}</h2>'
            f'<a class="more" href="{s.path}">更多</a></div>{listing}</div>\n'
        )
    main = f'<div class="channel">\n<h1>{name}</h1>\n{"".join(blocks)}</div>\n'
    crumbs = [("首页", "/"), ("政务动态", "/zwdt/index.html"), (name, None)]
    portal.add(PageSpec(path, name, crumbs, main, kind="channel"))
    portal.truth.channels.append(
        {"name": name, "path": path, "children": [plans[key].spec.path for key, _ in boxes]}
    )


def build_sitemap(portal: Portal, plans: dict[str, ColumnPlan]) -> None:
    groups = []
    for channel, path in CHANNELS[1:]:
        lis = "".join(
            f'<li><a href="{p.spec.path}">{escape(p.spec.name)}</a></li>'
            for p in _children(plans, channel)
        )
        groups.append(f'<h2><a href="{path}">{channel}</a></h2><ul>{lis}</ul>\n')
    main = '<div class="sitemap">\n<h1>网站地图</h1>\n' + "".join(groups) + "</div>\n"
    portal.add(
        PageSpec(
            "/wzdt/index.html",
            "网站地图",
            [("首页", "/"), ("网站地图", None)],
            main,
            kind="special",
        )
    )
