"""Pages the server renders per request: the two crawl traps.

The calendar links to the previous and next day without end (`/calendar/?date=…`); the
session page hands out a fresh random ``;jsessionid=`` in every link, so a crawler that keeps
session ids sees an endless stream of new URLs with the same content.
"""

from __future__ import annotations

import datetime as dt
import secrets

from sampleportal.layout import render
from sampleportal.model import PageSpec

_CRUMBS: list[tuple[str, str | None]] = [("首页", "/")]


def _page(title: str, body: str, crumb: str) -> bytes:
    main = f'<div class="article">\n<h1>{title}</h1>\n{body}</div>\n'
    spec = PageSpec("/dynamic", title, [*_CRUMBS, (crumb, None)], main, kind="special")
    return render(spec).encode("utf-8")


def calendar_page(query_date: str | None, default: str) -> bytes:
    try:
        day = dt.date.fromisoformat(query_date or default)
    except ValueError:
        day = dt.date.fromisoformat(default)
    links = []
    if day > dt.date.min:
        links.append(f'<a href="/calendar/?date={day - dt.timedelta(days=1)}">前一天</a>')
    if day < dt.date.max:
        links.append(f'<a href="/calendar/?date={day + dt.timedelta(days=1)}">后一天</a>')
    body = (
        f"<p>{day.year}年{day.month}月{day.day}日 活动安排：机关例行办公，政务服务大厅正常开放。</p>\n"
        f'<p class="cal-nav">{"　".join(links)}</p>\n'
    )
    return _page("活动日历", body, "活动日历")


def session_page(path: str) -> bytes:
    def sid() -> str:
        return secrets.token_hex(10).upper()

    detail = "detail" in path
    links = [f'<li><a href="/wsbs/list.jsp;jsessionid={sid()}">网上办事首页</a></li>']
    links += [
        f'<li><a href="/wsbs/detail.jsp;jsessionid={sid()}?id={n}">办事事项{n}</a></li>'
        for n in range(1, 6)
    ]
    text = "事项详情：请登录后在线申报。" if detail else "请选择您要办理的事项。"
    body = f"<p>{text}</p>\n<ul>{''.join(links)}</ul>\n"
    return _page("网上办事大厅", body, "网上办事大厅")
