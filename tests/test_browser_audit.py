"""Browser audits in real Chromium against pages served on 127.0.0.1: axe in every frame,
pop-ups, ads, the keyboard walk, hung and crashing pages, and the site hook with its store."""

from __future__ import annotations

import asyncio
import base64
import datetime as dt
import http.server
import threading
from collections import Counter
from collections.abc import Iterator
from pathlib import Path

import psutil
import pytest
from sqlmodel import Session, select

from checks.a11y_findings import ACCESSIBILITY, ELDERLY, TEMPLATE_ROLLUP
from checks.accessibility import AccessibilityCheck
from crawler.browser import BrowserPool, audit_pages_sync
from crawler.browser_axe import axe_init_script, ruleset_version
from crawler.browser_results import PageAudit
from extract.parse import build_parsed_page
from extract.templates import template_key
from govpatrol.core.db import init_db, make_engine
from govpatrol.core.models import Finding, Page, Scan, ScanStatus, Site
from govpatrol.core.settings import CHROMIUM_ARGS, CHROMIUM_PATH
from govpatrol.core.types import FindingData, SiteContext
from govpatrol.core.writer import BatchWriter

HEAD = '<!DOCTYPE html><html lang="zh-CN"><head><meta charset="utf-8"><title>{t}</title>{h}</head>'
PIXEL = base64.b64decode(
    "iVBORw0KGgoAAAANSUhEUgAAAAEAAAABCAYAAAAfFcSJAAAADUlEQVR42mP8z8BQDwAEhQGAhKmMIQAAAABJRU5ErkJggg=="
)

# generous: a loaded CI machine runs axe slowly, and only /hang.html should time out
AUDIT_TIMEOUT_S = 15


def page(title: str, body: str, head: str = "") -> str:
    return HEAD.format(t=title, h=head) + f"<body>{body}</body></html>"


NAV = '<nav><a href="/index.html">首页</a> <a href="/list1.html">通知公告</a></nav>'
PAGES = {
    "/clean.html": page(
        "干净",
        '<main><h1>干净</h1><p>正文 <a href="/index.html">首页</a> <a href="/care.html">长者模式</a></p></main>',
        "<style>a:focus{outline:2px solid #005}</style>",
    ),
    "/img.html": page(
        "图片", '<main><h1>图片</h1><img src="/pixel.png" width="20" height="20"></main>'
    ),
    "/contrast.html": page(
        "对比度", '<main><h1>对比度</h1><p style="color:#ddd;background:#fff">浅灰色文字</p></main>'
    ),
    "/outer.html": page(
        "外层",
        '<main><h1>外层</h1><iframe id="inner" title="内层" src="/inner.html" width="300" height="120"></iframe></main>',
    ),
    "/inner.html": page("内层", '<img id="noalt" src="/pixel.png" width="20" height="20">'),
    # a frame with more stops than a batch of Tab presses, and links after it
    "/framed.html": page(
        "视频",
        '<main><h1>视频</h1><a href="/clean.html">前</a>'
        '<iframe title="播放器" src="/player.html" width="300" height="120"></iframe></main>'
        '<footer><a href="/clean.html">网站地图</a> <a href="/clean.html">联系我们</a></footer>',
    ),
    "/player.html": page(
        "播放器", "".join(f'<a href="/clean.html">第{n}段</a> ' for n in range(25))
    ),
    "/modal.html": page(
        "弹窗",
        # the note's low contrast is plain in the HTML, but a script hides it: the static rule
        # reports it, the rendered page overrules it
        '<main><h1>弹窗</h1><p>正文</p><p id="note" style="color:#ddd;background:#fff">说明文字</p></main>'
        "<script>document.getElementById('note').style.display='none';"
        "setTimeout(function(){var d=document.createElement('div');"
        "d.id='notice';d.style.cssText='position:fixed;left:10%;top:10%;width:80%;height:80%;background:#fff;"
        "z-index:999';d.textContent='重要通知';document.body.appendChild(d);},300);</script>",
    ),
    "/float.html": page(
        "飘窗",
        '<main><h1>飘窗</h1><p>正文</p></main><div id="piao" style="position:absolute;left:0;top:0;width:120px;'
        'height:80px;z-index:50"><a href="/clean.html">专题</a></div><script>var x=0,y=0;setInterval(function(){'
        "x+=3;y+=2;var e=document.getElementById('piao');e.style.left=x+'px';e.style.top=y+'px';},30);</script>",
    ),
    "/open.html": page(
        "弹出",
        "<main><h1>弹出</h1></main><script>window.addEventListener('load',function(){"
        "window.open('/clean.html');alert('欢迎访问');});</script>",
    ),
    "/ads.html": page(
        "推广",
        '<main><h1>推广</h1><div class="guanggao-box"><a href="/clean.html"><img src="/pixel.png" alt="招商" '
        'width="100" height="50"></a></div></main>',
        '<script src="/static/ads/ad.js"></script>',
    ),
    # shown late by a string timer, the way older portals write it
    "/late.html": page(
        "稍后弹窗",
        '<main><h1>稍后弹窗</h1><p>正文</p></main><script>function gpShow(){var d=document.createElement("div");'
        "d.id='late';d.style.cssText='position:fixed;left:10%;top:10%;width:80%;height:80%;background:#fff;"
        "z-index:999';d.textContent='调查问卷';document.body.appendChild(d);}setTimeout('gpShow()',700);</script>",
    ),
    # a floating window moved by a CSS animation: no script runs, no DOM changes
    "/drift.html": page(
        "动画飘窗",
        '<main><h1>动画飘窗</h1><p>正文</p></main><div id="drift" style="position:absolute;left:0;top:0;'
        'width:120px;height:80px;z-index:50;animation:gp-drift 20s linear infinite">'
        '<a href="/clean.html">专题</a></div>',
        "<style>@keyframes gp-drift{from{transform:translate(0,0)}to{transform:translate(2000px,1200px)}}</style>",
    ),
    # a page whose own script takes the name axe-core lives under
    "/clobber.html": page(
        "同名变量",
        '<main><h1>同名变量</h1><img src="/pixel.png" width="20" height="20"></main><script>var axe = 1;</script>',
    ),
    "/focus.html": page(
        "焦点",
        '<main><h1>焦点</h1><a href="/clean.html">一</a> <a href="/clean.html">二</a> <button>三</button>'
        '<div class="tab" onclick="void 0">切换</div></main>',
        "<style>*:focus{outline:none}</style>",
    ),
    "/busy.html": page("卡死", "<p>x</p><script>setTimeout(function(){while(true){}},50)</script>"),
    "/oom.html": page(
        "崩溃",
        "<p>x</p><script>setTimeout(function(){var a=[];for(;;){a.push(new Array(1e6).fill(1));}},10)</script>",
    ),
    # a small site: home (entry written by script), two lists of one template, an article
    "/index.html": page(
        "首页",
        NAV
        + '<main><h1>首页</h1><div id="tool"></div></main><script>document.getElementById("tool")'
        ".innerHTML='<a href=\"/care.html\">无障碍</a>';</script>",
    ),
    "/list1.html": page(
        "通知公告",
        NAV
        + '<main><h1>通知公告</h1><ul class="list"><li><a href="/a1.html">通知一</a><span>2026-11-01</span>'
        '</li></ul><img src="/pixel.png" class="banner"></main>',
    ),
    "/list2.html": page(
        "工作动态",
        NAV
        + '<main><h1>工作动态</h1><ul class="list"><li><a href="/a1.html">动态一</a><span>2026-11-02</span>'
        '</li><li><a href="/a1.html">动态二</a><span>2026-11-03</span></li></ul><img src="/pixel.png" class="banner"></main>',
    ),
    "/a1.html": page(
        "文章",
        NAV
        + '<main><article><h1>文章</h1><div id="zoom"><p>第一段</p><p style="color:#eee">第二段</p></div>'
        "</article></main>",
    ),
}


class _Server:
    """The test pages, a hanging page, and a count of the requests each path received."""

    def __init__(self) -> None:
        self.release = threading.Event()
        self.hits: Counter[str] = Counter()
        outer = self

        class Handler(http.server.BaseHTTPRequestHandler):
            def log_message(self, *args: object) -> None:
                pass

            def do_GET(self) -> None:
                path = self.path.split("?")[0]
                outer.hits[path] += 1
                if path == "/hang.html":  # headers and half a page, then nothing
                    self.send_response(200)
                    self.send_header("Content-Type", "text/html; charset=utf-8")
                    self.end_headers()
                    self.wfile.write(b"<!DOCTYPE html><html><head><title>x</title></head><body><p>")
                    self.wfile.flush()
                    outer.release.wait(30)
                    return
                if path in PAGES:
                    body, kind = PAGES[path].encode(), "text/html; charset=utf-8"
                elif path.endswith(".png"):
                    body, kind = PIXEL, "image/png"
                elif path.endswith(".js"):
                    body, kind = b"var loaded = 1;", "application/javascript"
                else:
                    self.send_response(404)
                    self.end_headers()
                    return
                self.send_response(200)
                self.send_header("Content-Type", kind)
                self.send_header("Content-Length", str(len(body)))
                self.end_headers()
                self.wfile.write(body)

        self.httpd = http.server.ThreadingHTTPServer(("127.0.0.1", 0), Handler)
        self.httpd.daemon_threads = True
        self.base = f"http://127.0.0.1:{self.httpd.server_address[1]}"
        threading.Thread(target=self.httpd.serve_forever, daemon=True).start()

    def stop(self) -> None:
        self.release.set()
        self.httpd.shutdown()
        self.httpd.server_close()


@pytest.fixture(scope="module")
def server() -> Iterator[_Server]:
    srv = _Server()
    try:
        yield srv
    finally:
        srv.stop()


# --------------------------------------------------------------------------- the pool


@pytest.fixture(scope="module")
def audits(server: _Server) -> dict[str, PageAudit]:
    names = [
        "/clean.html",
        "/img.html",
        "/contrast.html",
        "/outer.html",
        "/modal.html",
        "/float.html",
        "/open.html",
        "/ads.html",
        "/focus.html",
        "/hang.html",
    ]
    results = audit_pages_sync(
        [server.base + n for n in names],
        tabs=4,
        timeout_s=AUDIT_TIMEOUT_S,
        settle_s=0.6,
        care_keywords=["长者模式", "无障碍"],
    )
    return {r.url.removeprefix(server.base): r for r in results}


def rules(audit: PageAudit) -> dict[str, int]:
    return {v.rule: v.nodes for v in audit.violations}


@pytest.mark.browser
def test_every_page_is_reported(audits: dict[str, PageAudit]) -> None:
    assert len(audits) == 10
    assert [u for u, a in audits.items() if a.error] == ["/hang.html"]


@pytest.mark.browser
def test_a_clean_page_has_nothing_to_report(audits: dict[str, PageAudit]) -> None:
    clean = audits["/clean.html"]
    assert clean.violations == [] and clean.popups == [] and clean.ad_scripts == []
    assert clean.load_complete and clean.status == 200
    walk = clean.tab_walk
    assert walk is not None
    assert (walk.stops, walk.completed, walk.no_focus_indicator, walk.unreachable) == (
        2,
        True,
        0,
        0,
    )
    assert clean.care_mode_entry == "长者模式"


@pytest.mark.browser
def test_axe_violations(audits: dict[str, PageAudit]) -> None:
    assert rules(audits["/img.html"]) == {"image-alt": 1}
    image = audits["/img.html"].violations[0]
    assert image.impact == "critical" and image.target == "img" and "wcag111" in image.tags
    assert image.snippet == '<img src="/pixel.png" width="20" height="20">'
    assert rules(audits["/contrast.html"]) == {"color-contrast": 1}
    assert "wcag143" in audits["/contrast.html"].violations[0].tags


@pytest.mark.browser
def test_axe_runs_inside_frames(audits: dict[str, PageAudit]) -> None:
    outer = audits["/outer.html"]
    assert outer.frames == 2
    assert rules(outer) == {"image-alt": 1}
    assert outer.violations[0].target == "#inner >>> #noalt"


@pytest.mark.browser
def test_the_settle_wait_ends_early_only_where_nothing_can_change(server: _Server) -> None:
    """A quiet page is judged at once; a page with a timer, an animation or a frame gets the
    whole settle time, and what shows late or drifts is found as before."""
    names = ["/clean.html", "/img.html", "/late.html", "/drift.html", "/float.html", "/outer.html"]
    # A page must prove itself quiet within half the settle time; at load 20 a quiet page
    # took longer than the 0.5 s of a 1 s settle to get there, so the test settles 3 s
    # (late.html's popup, due at 0.7 s, is still a pending timer the page must wait for).
    results = audit_pages_sync(
        [server.base + n for n in names], tabs=2, timeout_s=AUDIT_TIMEOUT_S, settle_s=3.0
    )
    by_name = {r.url.removeprefix(server.base): r for r in results}
    assert all(r.error is None for r in results)
    # CSS animation, an interval, a child frame: never quiet
    for name in ("/drift.html", "/float.html", "/outer.html"):
        assert not by_name[name].settled_quiet, name
    # no timer, no request, no animation: quiet, with nothing to report
    assert by_name["/clean.html"].settled_quiet and by_name["/img.html"].settled_quiet
    assert by_name["/clean.html"].popups == []
    late = by_name["/late.html"].popups
    assert [(p.kind, p.selector, p.text) for p in late] == [("overlay", "#late", "调查问卷")]
    drift = by_name["/drift.html"].popups
    assert [(p.kind, p.selector) for p in drift] == [("floating", "#drift")]


@pytest.mark.browser
def test_axe_is_added_again_where_the_page_replaced_it(server: _Server) -> None:
    (result,) = audit_pages_sync([server.base + "/clobber.html"], timeout_s=AUDIT_TIMEOUT_S)
    assert result.error is None
    assert rules(result) == {"image-alt": 1} and result.frames == 1


@pytest.mark.browser
def test_axe_is_in_every_audited_document_but_not_the_blank_page_between_audits(
    server: _Server,
) -> None:
    """The tab's about:blank between two audits goes without axe (nothing is audited
    there); a site page, and an about:blank frame inside it, get it from the start."""
    from playwright.async_api import async_playwright

    child_frame = """() => { const f = document.createElement('iframe');
        document.body.append(f); return typeof f.contentWindow.axe; }"""

    async def run() -> list[str]:
        async with async_playwright() as pw:
            browser = await pw.chromium.launch(executable_path=CHROMIUM_PATH, args=CHROMIUM_ARGS)
            context = await browser.new_context()
            await context.add_init_script(axe_init_script())
            tab = await context.new_page()
            seen = []
            for url in ("about:blank", server.base + "/clean.html", "about:blank"):
                await tab.goto(url)
                seen.append(await tab.evaluate("typeof window.axe"))
            await tab.goto(server.base + "/clean.html")
            seen.append(await tab.evaluate(child_frame))
            await browser.close()
            return seen

    assert asyncio.run(asyncio.wait_for(run(), 60)) == [
        "undefined",
        "object",
        "undefined",
        "object",
    ]


@pytest.mark.browser
def test_popups_on_load(audits: dict[str, PageAudit]) -> None:
    modal = audits["/modal.html"].popups
    assert [(p.kind, p.selector, p.coverage) for p in modal] == [("overlay", "#notice", 0.64)]
    assert modal[0].text == "重要通知"
    floating = audits["/float.html"].popups
    assert [(p.kind, p.selector) for p in floating] == [("floating", "#piao")]
    opened = audits["/open.html"].popups
    assert sorted(p.kind for p in opened) == ["alert", "window_open"]
    assert any(p.text == "alert: 欢迎访问" for p in opened)
    for name in ("/clean.html", "/img.html", "/ads.html", "/focus.html"):
        assert audits[name].popups == []


@pytest.mark.browser
def test_ads(audits: dict[str, PageAudit], server: _Server) -> None:
    hits = [(h.kind, h.where, h.reason) for h in audits["/ads.html"].ad_scripts]
    assert hits == [
        ("script", f"{server.base}/static/ads/ad.js", 'path word "ads"'),
        ("element", "html > body > main > div", 'id/class word "guanggao"'),
    ]


@pytest.mark.browser
def test_keyboard_walk(audits: dict[str, PageAudit]) -> None:
    walk = audits["/focus.html"].tab_walk
    assert walk is not None
    assert (walk.stops, walk.completed, walk.no_focus_indicator) == (3, True, 3)
    assert [s.snippet for s in walk.no_focus_samples] == [
        '<a href="/clean.html">一</a>',
        '<a href="/clean.html">二</a>',
        "<button>三</button>",
    ]
    assert walk.unreachable == 1
    assert walk.unreachable_samples[0].snippet == '<div class="tab" onclick="void 0">切换</div>'


@pytest.mark.browser
def test_the_keyboard_walk_goes_through_a_frame_to_what_follows(server: _Server) -> None:
    """While focus is inside a frame the page sees no new stop; that is no trap. The walk
    goes on through the frame's 25 links, reaches the footer and comes round, and reports
    no control unreachable."""
    (result,) = audit_pages_sync(
        [server.base + "/framed.html"], timeout_s=AUDIT_TIMEOUT_S, settle_s=0.2
    )
    walk = result.tab_walk
    assert result.error is None and walk is not None
    assert walk.completed
    assert (walk.unreachable, walk.unreachable_samples) == (0, [])
    # the page's own stops: the link before the frame and the two footer links (focus in
    # the frame is no stop of the page's)
    assert walk.stops == 3


@pytest.mark.browser
def test_a_page_that_never_finishes_is_reported_and_skipped(audits: dict[str, PageAudit]) -> None:
    hang = audits["/hang.html"]
    assert "Timeout" in (hang.error or "") and hang.violations == [] and hang.tab_walk is None
    # given up within its own per-page budget, not after the whole run
    assert hang.elapsed_s < AUDIT_TIMEOUT_S + 2


def launched_browsers() -> list[psutil.Process]:
    """Chromium main processes started by this test process (renderers are their children)."""
    found = []
    for proc in psutil.Process().children(recursive=True):
        try:
            parent = proc.parent()
            if proc.name() == "chromium" and parent is not None and parent.name() != "chromium":
                found.append(proc)
        except psutil.Error:  # a helper process that just exited
            continue
    return found


@pytest.mark.browser
def test_hangs_crashes_and_a_dead_browser_are_never_fatal(server: _Server) -> None:
    async def run() -> tuple[list[PageAudit], list[PageAudit], int]:
        # a small V8 heap lets the allocating page crash its tab quickly
        args = [*CHROMIUM_ARGS, "--js-flags=--max-old-space-size=32"]
        async with BrowserPool(tabs=2, timeout_s=4, args=args) as pool:
            urls = [server.base + n for n in ("/oom.html", "/busy.html", "/img.html")]
            first = [a async for a in pool.audit_many(urls)]
            browsers = launched_browsers()
            assert len(browsers) == 1
            browsers[0].kill()  # the browser process this pool launched
            browsers[0].wait(10)
            second = [await pool.audit(server.base + "/img.html")]
            return first, second, pool.restarts

    first, second, restarts = asyncio.run(asyncio.wait_for(run(), 90))
    by_path = {a.url.removeprefix(server.base): a for a in first}
    assert by_path["/oom.html"].error == "tab crashed (renderer process died)"
    assert (by_path["/busy.html"].error or "").startswith("timeout after 4 s")
    assert by_path["/img.html"].error is None and rules(by_path["/img.html"]) == {"image-alt": 1}
    assert second[0].error is None and rules(second[0]) == {"image-alt": 1}
    assert restarts == 1


# --------------------------------------------------------------------------- the site hook

SITE_PAGES = [  # path, kind, depth
    ("/index.html", "home", 0),
    ("/list1.html", "list", 1),
    ("/list2.html", "list", 1),
    ("/a1.html", "article", 2),
    ("/modal.html", "article", 2),
    ("/ads.html", "article", 2),
]


def crawl_into_store(engine, server: _Server, site: Site, scan: Scan) -> None:
    """What the crawl leaves behind: Page rows and the page hook's findings."""
    writer = BatchWriter(engine, scan.id, site.url, finding_stage="page")
    check = AccessibilityCheck()
    ctx = site_context(None, site, scan, browser=True)
    for path, kind, depth in SITE_PAGES:
        url = server.base + path
        headers = {"content-type": "text/html; charset=utf-8"}
        parsed = build_parsed_page(
            url, url, 200, headers, PAGES[path].encode(), depth=depth, is_home=kind == "home"
        )
        writer.add(
            Page(
                scan_id=scan.id,
                url=url,
                status=200,
                content_type="text/html",
                content_hash=parsed.content_hash,
                template_key=template_key(parsed.tree),
                kind=kind,
                depth=depth,
            )
        )
        for record in check.on_page(parsed, ctx):
            writer.add(record)
    writer.flush()


def site_context(session, site: Site, scan: Scan, *, browser: bool) -> SiteContext:
    return SiteContext(
        scan_id=scan.id,
        site_id=site.id,
        site_url=site.url,
        site_name=site.name,
        as_of=dt.date(2026, 11, 22),
        browser=browser,
        session=session,
        scan=scan,
        site=site,
    )


def run_site_hook(engine, site: Site, scan: Scan, *, browser: bool = True) -> list[object]:
    writer = BatchWriter(engine, scan.id, site.url)
    with Session(engine, expire_on_commit=False) as session:
        records = list(
            AccessibilityCheck().on_site(site_context(session, site, scan, browser=browser))
        )
        for record in records:
            writer.add(record)
        session.commit()
        writer.flush()
    return records


def findings(engine, scan_id: int) -> dict[tuple[str, str, str], Finding]:
    with Session(engine) as session:
        rows = session.exec(select(Finding).where(Finding.scan_id == scan_id)).all()
    out = {}
    for row in rows:
        item = row.detail.get("rule") or row.detail.get("item") or ""
        out[(row.check, row.page.rsplit("/", 1)[-1], item)] = row
    return out


def new_scan(engine, site: Site) -> Scan:
    with Session(engine, expire_on_commit=False) as session:
        scan = Scan(site_id=site.id, status=ScanStatus.running, as_of=dt.date(2026, 11, 22))
        session.add(scan)
        session.commit()
        return scan


def finish(engine, scan: Scan) -> None:
    with Session(engine) as session:
        row = session.get(Scan, scan.id)
        row.status = ScanStatus.done
        session.add(row)
        session.commit()


@pytest.mark.browser
def test_site_hook_audits_a_sample_merges_and_reuses(server: _Server, tmp_path: Path) -> None:
    engine = make_engine(f"sqlite:///{tmp_path / 'store.db'}")
    init_db(engine)
    with Session(engine, expire_on_commit=False) as session:
        site = Site(name="测试局", url=server.base + "/index.html")
        session.add(site)
        session.commit()
    scan = new_scan(engine, site)
    crawl_into_store(engine, server, site, scan)
    before = findings(engine, scan.id)
    assert ("elderly_friendly", "index.html", "care_mode_entry") in before  # static HTML has none

    server.hits.clear()
    records = run_site_hook(engine, site, scan)
    assert all(isinstance(r, FindingData) for r in records)
    after = findings(engine, scan.id)

    # every sampled page was loaded by the browser once; the second list page is the first's
    # variant (one template, the same static findings): it could add nothing, and is not
    sampled = {p: 0 if p == "/list2.html" else 1 for p, _k, _d in SITE_PAGES}
    assert {p: server.hits[p] for p, _k, _d in SITE_PAGES} == sampled
    # a rule both passes saw is one finding, axe evidence merged in
    merged = after[(ACCESSIBILITY, "list1.html", "image-alt")]
    assert merged.detail["source"] == "static+axe"
    assert merged.detail["axe"]["nodes"] == 1 and merged.detail["template_pages"] == 2
    assert merged.fingerprint == before[(ACCESSIBILITY, "list1.html", "image-alt")].fingerprint
    # low contrast both passes saw: one finding, the browser's element and measurements win
    contrast = after[(ACCESSIBILITY, "a1.html", "color-contrast")]
    static_contrast = before[(ACCESSIBILITY, "a1.html", "color-contrast")]
    assert static_contrast.detail["source"] == "static"
    assert contrast.fingerprint == static_contrast.fingerprint
    assert contrast.detail["source"] == "static+axe"
    assert contrast.detail["standard"] == "WCAG 2.1 1.4.3; GB/T 37668-2019"
    assert contrast.message == "文字与背景颜色对比度不足（1 处；WCAG 2.1 1.4.3 对比度（最低限度））"
    axe_measured = contrast.detail["axe"]["evidence"]
    assert axe_measured == {
        "foreground": "#eeeeee",
        "background": "#ffffff",
        "contrast_ratio": 1.16,
        "required_ratio": 4.5,
        "font_size": 16.0,
        "bold": False,
    }
    assert {k: contrast.detail[k] for k in axe_measured} == axe_measured
    assert contrast.detail["selector"] == contrast.detail["axe"]["selector"]
    # low contrast the static rule saw where the rendered page shows none: dropped
    assert (ACCESSIBILITY, "modal.html", "color-contrast") in before
    assert (ACCESSIBILITY, "modal.html", "color-contrast") not in after
    popup = after[(ELDERLY, "modal.html", "popup_on_load")]
    assert popup.detail["popups"][0]["selector"] == "#notice"
    # the ad script the HTML shows: one finding, the browser's evidence merged in
    ads = after[(ELDERLY, "ads.html", "ad_script")]
    assert ads.detail["source"] == "static+browser" and ads.detail["count"] == 2
    assert ads.detail["browser"]["detail"]["count"] == 2
    # the home page's script-built 无障碍 entry disproves the static finding
    assert (ELDERLY, "index.html", "care_mode_entry") not in after
    # two list pages of one template fail the same rule: a roll-up
    rollup = after[(TEMPLATE_ROLLUP, "list1.html", "image-alt")]
    assert rollup.detail["failing_pages"] == 2 and rollup.detail["template_pages"] == 2
    assert rollup.detail["wcag"] == "WCAG 2.1 1.1.1 非文本内容"
    assert rollup.detail["snippet"] == '<img src="/pixel.png" class="banner">'
    assert rollup.severity == "high"
    assert [k for k in after if k[0] == TEMPLATE_ROLLUP] == [
        (TEMPLATE_ROLLUP, "list1.html", "image-alt")
    ]

    with Session(engine) as session:
        stats = session.get(Scan, scan.id).stats
    browser_stats = stats["accessibility"]["browser"]
    assert stats["browser_audited_pages"] == 5
    assert (browser_stats["sample"], browser_stats["audited"], browser_stats["reused"]) == (5, 5, 0)
    assert browser_stats["ruleset"] == ruleset_version() and browser_stats["errors"] == []
    assert browser_stats["care_entry_pages"] == [server.base + "/index.html"]
    # where the tab time went, step by step, and how many pages proved quiet early
    steps = {"tab", "goto", "load", "settle", "onload", "axe", "dom_rules", "keyboard"}
    assert set(browser_stats["steps_s"]) == steps
    assert 0 <= browser_stats["settled_quiet"] <= 5

    # the next scan: same content, same axe -> last scan's browser findings, no browser
    finish(engine, scan)
    second = new_scan(engine, site)
    crawl_into_store(engine, server, site, second)
    server.hits.clear()
    run_site_hook(engine, site, second)
    assert sum(server.hits.values()) == 0
    again = findings(engine, second.id)
    assert set(again) == set(after)
    assert again[(ACCESSIBILITY, "a1.html", "color-contrast")].detail["reused_from_scan"] == scan.id
    assert again[(ACCESSIBILITY, "list1.html", "image-alt")].detail["source"] == "static+axe"
    assert again[(ELDERLY, "modal.html", "popup_on_load")].fingerprint == popup.fingerprint
    assert again[(ELDERLY, "ads.html", "ad_script")].detail["source"] == "static+browser"
    with Session(engine) as session:
        reused = session.get(Scan, second.id).stats["accessibility"]["browser"]
    assert (reused["audited"], reused["reused"], reused["reused_from_scan"]) == (0, 5, scan.id)


def test_site_hook_without_browser_notes_it_and_still_rolls_up(
    server: _Server, tmp_path: Path
) -> None:
    engine = make_engine(f"sqlite:///{tmp_path / 'store.db'}")
    init_db(engine)
    with Session(engine, expire_on_commit=False) as session:
        site = Site(name="测试局", url=server.base + "/index.html")
        session.add(site)
        session.commit()
    scan = new_scan(engine, site)
    crawl_into_store(engine, server, site, scan)
    server.hits.clear()
    records = run_site_hook(engine, site, scan, browser=False)
    assert sum(server.hits.values()) == 0
    assert [(r.check, r.key[1]) for r in records] == [(TEMPLATE_ROLLUP, "image-alt")]
    with Session(engine) as session:
        stats = session.get(Scan, scan.id).stats
    assert stats["accessibility"]["browser"]["status"] == "skipped"
    assert "--no-browser" in stats["accessibility"]["browser"]["note"]
    assert stats["browser_audited_pages"] == 0
