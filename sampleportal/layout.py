"""The page shell every generated page shares: head, top bar, header, nav, crumbs, footer.

The shell is accessibility-clean on purpose (``lang``, a title, labelled search field,
named links and buttons, unique ids, sufficient contrast in main.css): the truth lists
accessibility defects only where they are planted, so the shell must not add any.
"""

from __future__ import annotations

from html import escape

from sampleportal.model import PageSpec
from sampleportal.text import SITE_NAME
from sampleportal.truth import PORT_TOKEN

CHANNELS: tuple[tuple[str, str], ...] = (
    ("首页", "/"),
    ("机构概况", "/jggk/index.html"),
    ("政务公开", "/xxgk/index.html"),
    ("政务动态", "/zwdt/index.html"),
    ("政民互动", "/zmhd/index.html"),
    ("办事服务", "/bsfw/index.html"),
    ("专题专栏", "/ztzl/index.html"),
)

_TOPBAR = (
    '<div class="topbar"><div class="w"><span class="welcome">欢迎访问'
    + SITE_NAME
    + '网站</span><span class="tools"><a class="wza" href="/wza/index.html">无障碍</a>'
    '<a href="/wza/care.html">关怀版</a>'
    '<a href="javascript:void(0)" onclick="addFavorite()">加入收藏</a></span></div></div>\n'
)
_HEADER = (
    '<header class="header"><div class="w"><a class="logo" href="/">'
    f'<img src="/images/logo.png" alt="{SITE_NAME}" width="360" height="60"></a>'
    '<form class="search" action="/search/" method="get" role="search">'
    '<label for="kw">站内搜索</label><input id="kw" name="q" type="text">'
    '<button type="submit">搜索</button></form></div></header>\n'
)
_NAV = (
    '<nav class="nav" aria-label="主导航"><ul class="w">'
    + "".join(f'<li><a href="{path}">{name}</a></li>' for name, path in CHANNELS)
    + "</ul></nav>\n"
)
_FOOTER_LINKS = (
    '<a href="/wzdt/index.html">网站地图</a> | <a href="/lxwm/index.html">联系我们</a> | '
    '<a href="/yqlj/index.html">友情链接</a>'
)
# The identity items every footer shows (missing_site_identity), by item id: a page may
# leave some out (PageSpec.footer_omit). The 党政机关 mark is a local copy of the badge with
# only its alt text: the real badge links conac.cn, which the sample portal never contacts.
IDENTITY: dict[str, str] = {
    "site_code": "网站标识码：3601000023",
    "icp": "赣ICP备05004321号-1",
    "police_record": "赣公网安备 36010202000123号",
    "conac_mark": '<img src="/images/dzjg.png" alt="党政机关网站标识" width="55" height="64">',
}
_FOOTER_SPONSOR = f"</p>\n<p>主办单位：{SITE_NAME}　地址：某市人民路1号　邮编：000000</p>\n"


def footer_identity(omit: tuple[str, ...]) -> str:
    shown = [html for item, html in IDENTITY.items() if item not in omit]
    return "<p>联系电话：0000-12345678　" + "　".join(shown) + "</p>\n</div></footer>\n"


def crumbs_html(crumbs: list[tuple[str, str | None]]) -> str:
    if not crumbs:
        return ""
    parts = [
        f'<a href="{path}">{escape(name)}</a>' if path else f"<span>{escape(name)}</span>"
        for name, path in crumbs
    ]
    return '<div class="crumb">当前位置：' + " &gt; ".join(parts) + "</div>\n"


# A statistics script of another host on every page: the template's own, never injected code.
STAT_SCRIPT = f"http://localhost:{PORT_TOKEN}/ext/tongji.js"


def render(spec: PageSpec) -> str:
    """The full HTML document of a planned page."""
    lang = f' lang="{spec.lang}"' if spec.lang is not None else ""
    if spec.html_title is None:
        title = f"<title>{escape(spec.title)} - {SITE_NAME}</title>\n"
    elif spec.html_title:
        title = f"<title>{escape(spec.html_title)}</title>\n"
    else:
        title = ""
    head = [
        "<!DOCTYPE html>\n",
        f"<html{lang}>\n<head>\n",
        (spec.meta + "\n") if spec.meta else "",
        '<meta name="viewport" content="width=device-width, initial-scale=1">\n',
        title,
        '<link rel="stylesheet" href="/css/main.css">\n',
        '<script src="/js/common.js"></script>\n',
        f'<script src="{STAT_SCRIPT}"></script>\n',
        *(h + "\n" for h in spec.head_extra),
        "</head>\n<body>\n",
        _TOPBAR,
        _HEADER,
        spec.nav if spec.nav is not None else _NAV,
    ]
    side = f'<aside class="side">{spec.sidebar}</aside>\n' if spec.sidebar else ""
    body = [
        f'<main class="main w" id="main">\n{crumbs_html(spec.crumbs)}{side}',
        '<div class="content">\n',
        spec.main,
        *spec.extras,
        "</div>\n</main>\n",
        '<footer class="footer"><div class="w"><p class="links">',
        _FOOTER_LINKS,
        spec.footer_extra,
        _FOOTER_SPONSOR,
        footer_identity(spec.footer_omit),
        *spec.body_end,
        "</body>\n</html>\n",
    ]
    return "".join(head) + "".join(body)


def encode(spec: PageSpec, html: str) -> bytes:
    data = html.encode(spec.encoding)
    return b"\xef\xbb\xbf" + data if spec.bom else data
