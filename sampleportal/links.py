"""Planted links: broken ones (with exact expected findings), tricky good ones, unverified ones.

Every planted link sits on exactly one chosen page, so "one finding per (page, target)" is
exact. Misbehaving targets are server routes (routes.json); external targets use the same
server under the host name ``localhost`` (a different host from 127.0.0.1), 127.0.0.2 for a
refused connection (nothing listens there) and an RFC 6761 ``.invalid`` name for DNS failure.
"""

from __future__ import annotations

from urllib.parse import quote

from sampleportal import assets
from sampleportal.columns import ColumnPlan
from sampleportal.portal import Portal
from sampleportal.special import EXISTING_ATTACHMENTS, ROBOTS_DISALLOWED
from sampleportal.text import SITE_NAME
from sampleportal.truth import PORT_TOKEN

EXT = f"http://localhost:{PORT_TOKEN}"
REFUSED = f"http://127.0.0.2:{PORT_TOKEN}/"
DNS_FAIL = "http://nosuchhost.invalid/"
SLOW_DELAY_S = 30.0
REDIRECT_HOPS = 30


def _page_html(title: str, text: str) -> str:
    return (
        '<!DOCTYPE html>\n<html lang="zh-CN"><head><meta charset="utf-8">'
        f"<title>{title}</title></head><body><h1>{title}</h1><p>{text}</p>"
        '<p><a href="/">返回首页</a></p></body></html>\n'
    )


NOT_FOUND_HTML = _page_html("404 页面未找到", "抱歉，您访问的页面未找到。")
SOFT_404_HTML = _page_html(f"页面不存在 - {SITE_NAME}", "您访问的页面不存在或已被删除。")
ERROR_HTML = _page_html("出错了", "系统繁忙，文件下载出错了，请稍后再试。")
CHALLENGE_HTML = (
    '<!DOCTYPE html><html><head><meta charset="utf-8">\n<title>安全验证</title>\n'
    '<script src="/verify/js/captcha.js"></script>\n</head><body><div id="app"></div>\n'
    '<script>window.location.href="/verify/home?captchaType=blockPuzzle&captchaId=1a2b3c"</script>\n'
    "</body></html>\n"
)
CF_HTML = _page_html("Just a moment...", "Checking your browser before accessing the site.")


def plan_routes(portal: Portal) -> None:
    """The server behaviours of every misbehaving target (see server.py for the kinds)."""
    r = portal.route
    r(
        path="/cms/stat.jsp",
        kind="status",
        status=500,
        body=_page_html("500", "Internal Server Error"),
    )
    r(
        path="/xxgk/zcwj/202301/t20230110_410.html",
        kind="status",
        status=410,
        body=_page_html("410", "该信息已撤回"),
    )
    r(path="/cms/show", kind="status", status=200, body=SOFT_404_HTML)
    r(path="/upload/2026/申请书.doc", kind="status", status=200, body=ERROR_HTML)
    r(
        path="/slow/tongji.html",
        kind="slow",
        delay_s=SLOW_DELAY_S,
        body=_page_html("统计数据查询", "查询结果"),
    )
    r(path="/loop/a.html", kind="redirect", status=302, location="/loop/b.html")
    r(path="/loop/b.html", kind="redirect", status=302, location="/loop/a.html")
    r(prefix="/hops/", kind="hops", count=REDIRECT_HOPS, body=_page_html("终点", "重定向终点"))
    r(path="/old/zwgk.html", kind="redirect", status=301, location="/redirect/step2.html")
    r(path="/redirect/step2.html", kind="redirect", status=302, location="/xxgk/index.html")
    r(path="/download/1001.pdf", kind="head_405", file="/download/1001.pdf")
    r(
        path="/upload/2026/季度统计表.xlsx",
        kind="rate_limit_once",
        retry_after=1,
        file="/upload/2026/季度统计表.xlsx",
    )
    ext = {"host": "external"}
    r(
        path="/ext/ok",
        kind="status",
        status=200,
        body=_page_html("某省民政厅", "欢迎访问某省民政厅网站。"),
        **ext,
    )
    r(path="/ext/gone", kind="status", status=404, body=NOT_FOUND_HTML, **ext)
    r(path="/ext/waf", kind="status", status=403, body=CHALLENGE_HTML, **ext)
    r(
        path="/ext/cf",
        kind="status",
        status=403,
        body=CF_HTML,
        headers={"cf-mitigated": "challenge", "Server": "cloudflare"},
        **ext,
    )
    r(
        path="/ext/999",
        kind="status",
        status=999,
        body=_page_html("Request denied", "denied"),
        **ext,
    )
    r(
        path="/ext/busy",
        kind="rate_limit_always",
        retry_after=1,
        body=_page_html("429", "访问过于频繁"),
        **ext,
    )
    portal.asset("/upload/2026/空白表格.pdf", b"")
    portal.asset("/download/1001.pdf", assets.attachment(".pdf", "download 1001"))
    portal.asset("/upload/2026/季度统计表.xlsx", assets.attachment(".xlsx", "quarterly"))


def _a(href: str, text: str) -> str:
    return f'<a href="{href}">{text}</a>'


def _block(title: str, links: list[str]) -> str:
    lis = "".join(f"<li>{x}</li>" for x in links)
    return f'<div class="attach"><p>{title}</p><ul>{lis}</ul></div>\n'


class LinkPlanter:
    def __init__(self, portal: Portal, plans: dict[str, ColumnPlan]) -> None:
        self.portal = portal
        self.truth = portal.truth
        self.plans = plans

    def _broken(
        self, page: str, target: str, kind: str, status: int | None, error: str | None = None
    ) -> None:
        detail = {"kind": kind, "status": status, "error": error, "on_home": page == "/"}
        self.truth.expect("broken_link", page, target, detail=detail)

    def _extra(self, page: str, html: str) -> None:
        self.portal.page(page).extras.append(html)

    def _generic(self, column: str, n: int) -> str:
        """The n-th article of a column that is not a planted document case."""
        taken = {d.path for d in self.truth.documents}
        return [it.path for it in self.plans[column].items if it.path not in taken][n]

    def plant(self) -> None:
        notice1 = self._generic("tzgg", 2)
        notice2 = self._generic("tzgg", 4)
        notice3 = self._generic("tzgg", 6)
        news = self._generic("gzdt", 3)
        plan_page = self._generic("ghjh", 0)
        policy = next(d.path for d in self.truth.documents if d.case == "trap:work_plan")
        interp = next(d.path for d in self.truth.documents if d.is_interpretation)
        no_interp = next(d.path for d in self.truth.documents if d.case == "no_interp")
        repeal = next(d.path for d in self.truth.documents if d.case == "repeal_passed")
        self._home()
        self._notice1(notice1)
        self._notice2(notice2)
        self._attachments(notice3)
        self._news(news)
        self._policy(policy)
        self._extra(plan_page, f"<p>{_a('/slow/tongji.html', '统计数据查询')}</p>\n")
        self._broken(plan_page, "/slow/tongji.html", "page", None, "timeout")
        self._extra(
            interp,
            f"<p>相关链接：{_a('/loop/a.html', '旧版解读专栏')}　{_a('/hops/1.html', '解读汇编')}</p>\n",
        )
        self._broken(interp, "/loop/a.html", "page", None, "redirect_loop")
        self._broken(interp, "/hops/1.html", "page", None, "too_many_redirects")
        self._extra(no_interp, f"<p>参见：{_a(repeal + '#tiaokuan9', '相关规定第九条')}</p>\n")
        self.truth.expect("broken_fragment", no_interp, repeal, key={"fragment": "tiaokuan9"})
        self._friend_links()
        self._sitemap()

    def _home(self) -> None:
        self._extra(
            "/",
            '<div class="block quick"><h2>便民入口</h2><ul>'
            f"<li>{_a('/xxgk/old/index.html', '旧版政务公开目录')}</li>"
            f"<li>{_a(EXT + '/ext/ok', '某省民政厅')}</li>"
            f"<li>{_a(EXT + '/ext/cf', '全国社会组织信用信息公示平台')}</li>"
            "</ul></div>\n",
        )
        self.portal.page("/").footer_extra = f" | {_a(ROBOTS_DISALLOWED[0], '网站管理')}"
        self._broken("/", "/xxgk/old/index.html", "page", 404)
        self.truth.good("/", EXT + "/ext/ok", "external link that works")
        self.truth.unverified("/", EXT + "/ext/cf", "cloudflare: 403 with cf-mitigated: challenge")
        self.truth.unverified("/", ROBOTS_DISALLOWED[0], "robots: disallowed by robots.txt")

    def _notice1(self, page: str) -> None:
        self._extra(
            page,
            _block(
                "附件：",
                [
                    _a("/upload/2026/附件1.pdf", "附件1：困难群众救助申请表.pdf"),
                    _a("/upload/2025/报名表.xls", "附件2：报名表.xls"),
                    _a("/upload/2026/季度统计表.xlsx", "附件3：季度统计表.xlsx"),
                ],
            )
            + f"<p>相关通知：{_a('/xxgk/tzgg/202001/t20200115_88.html', '关于做好春节期间走访慰问工作的通知')}</p>\n",
        )
        self.truth.good(page, "/upload/2026/附件1.pdf", "raw Chinese file name of an existing file")
        self.truth.good(
            page,
            "/upload/2026/季度统计表.xlsx",
            "429 with Retry-After: 1 on a client's first request, then 200",
        )
        self._broken(page, "/upload/2025/报名表.xls", "attachment", 404)
        self._broken(page, "/xxgk/tzgg/202001/t20200115_88.html", "page", 404)

    def _notice2(self, page: str) -> None:
        encoded = quote("/upload/2026/附件1.pdf")
        self._extra(
            page,
            _block(
                "附件：",
                [
                    _a(encoded, "附件1（下载）"),
                    _a("/upload/2026/空白表格.pdf", "附件2：空白表格.pdf"),
                    _a("/upload/2026/申请书.doc", "附件3：申请书.doc"),
                    _a("/download/1001.pdf", "附件4：办事指南.pdf"),
                ],
            ),
        )
        self.truth.good(
            page, "/upload/2026/附件1.pdf", "percent-encoded spelling of an existing file"
        )
        self.truth.good(page, "/download/1001.pdf", "HEAD answers 405, GET answers 200")
        self._broken(page, "/upload/2026/空白表格.pdf", "attachment", 200, "empty_attachment")
        self._broken(page, "/upload/2026/申请书.doc", "attachment", 200, "attachment_is_html")

    def _attachments(self, page: str) -> None:
        links = [_a(path, path.rsplit("/", 1)[1]) for path in EXISTING_ATTACHMENTS[1:]]
        self._extra(page, _block("附件下载：", links))
        for path in EXISTING_ATTACHMENTS[1:]:
            self.truth.good(page, path, "existing attachment with a Chinese file name")

    def _news(self, page: str) -> None:
        self._extra(
            page,
            '<p><img src="/images/2026/missing_photo.jpg" alt="活动现场" width="400" height="260"></p>\n'
            f"<p>{_a('/cms/stat.jsp', '访问统计')}</p>\n",
        )
        self._broken(page, "/images/2026/missing_photo.jpg", "image", 404)
        self._broken(page, "/cms/stat.jsp", "page", 500)
        self.truth.good(page, self.plans["gzdt"].spec.path, "relative ../index.html back link")

    def _policy(self, page: str) -> None:
        self._extra(
            page,
            f"<p>{_a('/xxgk/zcwj/202301/t20230110_410.html', '原工作要点（已撤回）')}　"
            f"{_a('/cms/show?id=9999', '查看往年工作要点')}</p>\n",
        )
        self._broken(page, "/xxgk/zcwj/202301/t20230110_410.html", "page", 410)
        self._broken(page, "/cms/show?id=9999", "page", 200, "soft_404")

    def _friend_links(self) -> None:
        page = "/yqlj/index.html"
        links = [
            (EXT + "/ext/ok", "某省民政厅", "good", "external link that works"),
            (EXT + "/ext/gone", "某市老龄工作委员会", "broken", None),
            (REFUSED, "某市社会福利中心", "broken", "connection_refused"),
            (DNS_FAIL, "某市慈善总会", "broken", "dns"),
            (EXT + "/ext/waf", "某省社会组织网", "unverified", "challenge: 403 安全验证 page"),
            (EXT + "/ext/999", "某社交平台官方账号", "unverified", "status 999 (bot block)"),
            (EXT + "/ext/busy", "某市志愿服务网", "unverified", "429 on every request"),
        ]
        lis = "".join(f"<li>{_a(url, text)}</li>" for url, text, _, _ in links)
        main = f'<div class="article">\n<h1>友情链接</h1>\n<ul class="friend-links">{lis}</ul>\n</div>\n'
        spec = self.portal.page(page)
        spec.main = main
        for url, _, outcome, why in links:
            if outcome == "good":
                self.truth.good(page, url, why or "")
            elif outcome == "unverified":
                self.truth.unverified(page, url, why or "")
            else:
                self._broken(page, url, "external", 404 if why is None else None, why)

    def _sitemap(self) -> None:
        page = "/wzdt/index.html"
        self._extra(
            page,
            f"<p>{_a('/old/zwgk.html', '旧版政务公开')}　{_a(ROBOTS_DISALLOWED[1], '内部统计报表')}</p>\n",
        )
        self.truth.good(page, "/old/zwgk.html", "redirect chain 301 → 302 → 200")
        self.truth.unverified(page, ROBOTS_DISALLOWED[1], "robots: disallowed by robots.txt")


def plant_links(portal: Portal, plans: dict[str, ColumnPlan]) -> None:
    plan_routes(portal)
    LinkPlanter(portal, plans).plant()
