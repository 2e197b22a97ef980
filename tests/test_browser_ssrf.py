"""The browser audit must not read internal pages (issue #18, part 1).

A hostile "public" site on 127.0.0.1 (declared public, as an operator declares an extranet
with GOVPATROL_FETCH_ALLOW) points every kind of request Chromium can make at a canary
service on 127.0.0.2, which is internal for that site: an image, fetch(), XHR, an iframe, a
script, a stylesheet, a WebSocket, a dedicated Worker that fetches, a service worker, a
WebRTC STUN server, a redirect hop, and a scripted navigation of the page itself. The canary
answers every HTTP request with a page carrying a marker text (and an image without alt, so
that axe would quote it), and records every TCP connection and UDP datagram it receives.

The audit must leave the canary untouched, count what it refused, end the audit of a page
that navigates away from its site, and store nothing of the canary's page; the site's own
CSS, scripts, images and same-site redirects still work.
"""

from __future__ import annotations

import asyncio
import ipaddress
import socket
import socketserver
import threading
from collections.abc import Iterator
from dataclasses import dataclass, field
from pathlib import Path

import pytest
from playwright.async_api import async_playwright
from sqlmodel import Session, select

from crawler import browser_guard
from crawler.browser import BrowserPool
from crawler.browser_guard import DeadProxy, launch_options
from crawler.browser_results import PageAudit
from crawler.netguard import FETCH_ALLOW_ENV, FetchGuard
from govpatrol.core.db import get_engine
from govpatrol.core.models import Finding, Scan, ScanStatus, Site
from govpatrol.core.settings import CHROMIUM_ARGS, CHROMIUM_PATH
from scan.pipeline import create_scan, run_scan
from tests import loopback as lb
from tests.conftest import AS_OF

MARKER = "CANARY-内网机密-7f3a9c"
SITE_IS_PUBLIC = (ipaddress.ip_network("127.0.0.1/32"),)
AUDIT_TIMEOUT_S = 45  # the production default: a loaded machine runs pages slowly


class Canary:
    """An internal service on 127.0.0.2: a TCP port that answers any HTTP request with a page
    carrying ``MARKER``, and a UDP port (a STUN server's place); every TCP connection and
    every datagram is recorded, whether or not it carries a request."""

    def __init__(self) -> None:
        self.connections: list[bytes] = []  # first bytes of each TCP connection
        self.datagrams: list[bytes] = []
        self._lock = threading.Lock()
        outer = self

        class Handler(socketserver.BaseRequestHandler):
            def handle(self) -> None:
                sock: socket.socket = self.request
                sock.settimeout(5)
                with outer._lock:
                    index = len(outer.connections)
                    outer.connections.append(b"")
                try:
                    head = sock.recv(65536)
                except OSError:
                    return
                with outer._lock:
                    outer.connections[index] = head
                body = (
                    '<!DOCTYPE html><html lang="zh-CN"><head><meta charset="utf-8">'
                    f"<title>{MARKER}</title></head><body><main><h1>{MARKER}</h1>"
                    f'<img src="/x.png" data-secret="{MARKER}"></main></body></html>'
                ).encode()
                answer = (
                    b"HTTP/1.1 200 OK\r\nContent-Type: text/html; charset=utf-8\r\n"
                    b"Access-Control-Allow-Origin: *\r\nConnection: close\r\n"
                    + f"Content-Length: {len(body)}\r\n\r\n".encode()
                    + body
                )
                try:
                    sock.sendall(answer)
                except OSError:
                    return

        class Server(socketserver.ThreadingTCPServer):
            daemon_threads = True
            allow_reuse_address = True

        self.tcp = Server(("127.0.0.2", 0), Handler)
        self.udp = socket.socket(socket.AF_INET, socket.SOCK_DGRAM)
        self.udp.bind(("127.0.0.2", 0))
        self.udp.settimeout(0.2)
        self._stop = threading.Event()
        self._threads = [
            threading.Thread(target=self.tcp.serve_forever, daemon=True),
            threading.Thread(target=self._receive_udp, daemon=True),
        ]

    def _receive_udp(self) -> None:
        while not self._stop.is_set():
            try:
                data, _peer = self.udp.recvfrom(65536)
            except TimeoutError:
                continue
            except OSError:
                return
            with self._lock:
                self.datagrams.append(data)

    @property
    def port(self) -> int:
        return self.tcp.server_address[1]

    @property
    def udp_port(self) -> int:
        return self.udp.getsockname()[1]

    @property
    def base(self) -> str:
        return f"http://127.0.0.2:{self.port}"

    def touched(self) -> list[bytes]:
        with self._lock:
            return [*self.connections, *self.datagrams]

    def __enter__(self) -> Canary:
        for thread in self._threads:
            thread.start()
        return self

    def __exit__(self, *exc: object) -> None:
        self._stop.set()
        self.tcp.shutdown()
        self.tcp.server_close()
        self.udp.close()
        for thread in self._threads:
            thread.join(timeout=5)


def _page(title: str, body: str, head: str = "") -> str:
    return (
        f'<!DOCTYPE html><html lang="zh-CN"><head><meta charset="utf-8"><title>{title}</title>'
        f'{head}<link rel="stylesheet" href="/site.css"></head><body>{body}</body></html>'
    )


def home_page(canary: Canary) -> str:
    """The hostile site's home page: every vector aimed at the canary, and the site's own
    stylesheet (light grey text: axe's contrast rule needs it rendered), script and image."""
    inside = canary.base
    vectors = f"""
<img src="{inside}/pixel.png" alt="图" width="10" height="10">
<img src="/own.png" id="own" alt="本站图片" width="10" height="10">
<iframe title="内网" src="{inside}/frame.html" width="100" height="50"></iframe>
<iframe title="跳转" src="/hop.html" width="100" height="50"></iframe>
<script>
  fetch("{inside}/fetch").catch(() => 0);
  const xhr = new XMLHttpRequest(); xhr.open("GET", "{inside}/xhr"); xhr.send();
  try {{ new WebSocket("ws://127.0.0.2:{canary.port}/ws"); }} catch (e) {{}}
  new Worker("/worker.js");
  window.open("{inside}/popup.html");
  if (navigator.serviceWorker) navigator.serviceWorker.register("/sw.js").catch(() => 0);
  document.cookie = "gp_visitor=1; path=/";
  const later = document.createElement("script"); later.src = "/cookie.js";
  document.head.appendChild(later);
  try {{
    const pc = new RTCPeerConnection({{iceServers: [{{urls: "stun:127.0.0.2:{canary.udp_port}"}}]}});
    pc.createDataChannel("x");
    pc.createOffer().then((offer) => pc.setLocalDescription(offer)).catch(() => 0);
  }} catch (e) {{}}
</script>"""
    return _page(
        "某市人民政府",
        f'<main><h1>某市人民政府</h1><p class="faint">浅色说明文字</p>{vectors}'
        '<p><a href="/go.html">办事大厅</a> <a href="/moved.html">政务公开</a></p></main>',
        f'<link rel="stylesheet" href="{inside}/style.css"><script src="{inside}/app.js"></script>'
        '<script src="/own.js"></script>',
    )


def hostile_routes(canary: Canary, cookies: list[str]) -> dict[str, lb.Route]:
    """The hostile site: the home page, a page that navigates itself to the canary, one
    that redirects there, and a same-site redirect that must keep working. ``cookies``
    gets the Cookie header of each request for /cookie.js."""
    inside = canary.base
    go = _page(
        "办事大厅",
        "<main><h1>办事大厅</h1><p>正在跳转</p></main>"
        f'<script>setTimeout(() => {{ location = "{inside}/admin.html"; }}, 100);</script>',
    )
    moved_to = _page(
        "政务公开",
        '<main><h1>政务公开</h1><img src="banner.png" width="10" height="10"></main>',
    )
    worker = f'fetch("{inside}/worker").catch(() => 0);'
    service_worker = f'self.addEventListener("install", () => fetch("{inside}/sw"));'
    js = ("Content-Type", "application/javascript")
    return {
        "/": lb.page(home_page(canary)),
        "/go.html": lb.page(go),
        "/leave.html": lb.redirect(f"{inside}/leave.html"),
        "/hop.html": lb.redirect(f"{inside}/hop.html"),
        "/moved.html": lb.redirect("/open/index.html"),
        "/open/index.html": lb.page(moved_to),
        "/open/banner.png": lb.raw(200, PIXEL, [("Content-Type", "image/png")]),
        "/own.png": lb.raw(200, PIXEL, [("Content-Type", "image/png")]),
        "/site.css": lb.raw(
            200, b".faint{color:#ddd;background:#fff}", [("Content-Type", "text/css")]
        ),
        "/own.js": lb.raw(
            200, b"window.ownScriptRan = true;", [js, ("Set-Cookie", "gp_server=2; Path=/")]
        ),
        "/cookie.js": lambda request: (
            cookies.append(request.headers.get("cookie", "")),
            request.respond(200, b"", [js]),
        ),
        "/worker.js": lb.raw(200, worker.encode(), [js]),
        "/named.html": lb.page(
            _page(
                "域名",
                f'<main><h1>域名</h1><img src="http://cdn.portal.gov.cn:{canary.port}/logo.png" alt="标志"></main>',
            )
        ),
        "/heavy.html": lb.page(
            _page(
                "大文件",
                '<main><h1>大文件</h1><img src="/endless.png"></main><script src="/drip.js"></script>',
            )
        ),
        "/endless.png": lb.endless(),
        "/drip.js": lb.drip(content_type="application/javascript"),
        "/sw.js": lb.raw(200, service_worker.encode(), [js]),
    }


PIXEL = bytes.fromhex(
    "89504e470d0a1a0a0000000d49484452000000010000000108060000001f15c4890000000d4944415478da63fc"
    "cfc0f01f0005000201a5d3a1a70000000049454e44ae426082"
)


@dataclass
class World:
    canary: Canary
    site: lb.LoopbackServer
    cookies: list[str]  # the Cookie header of each request for /cookie.js
    guard: FetchGuard = field(init=False)

    def __post_init__(self) -> None:
        self.guard = FetchGuard(self.site.base_url, allow=SITE_IS_PUBLIC)

    def url(self, path: str) -> str:
        return self.site.base_url.rstrip("/") + path


@pytest.fixture
def world() -> Iterator[World]:
    cookies: list[str] = []
    with Canary() as canary, lb.servers(lb.serve(hostile_routes(canary, cookies))) as (site,):
        yield World(canary, site, cookies)


def audit(world: World, paths: list[str]) -> dict[str, PageAudit]:
    async def run() -> list[PageAudit]:
        async with BrowserPool(
            tabs=2, timeout_s=AUDIT_TIMEOUT_S, settle_s=0.6, guard=world.guard
        ) as pool:
            return [a async for a in pool.audit_many([world.url(p) for p in paths])]

    results = asyncio.run(asyncio.wait_for(run(), 240))
    return {r.url.removeprefix(world.url("")): r for r in results}


def rules(result: PageAudit) -> set[str]:
    return {v.rule for v in result.violations}


@pytest.mark.browser
def test_no_request_of_an_audit_reaches_an_internal_service(world: World) -> None:
    audits = audit(world, ["/", "/go.html", "/leave.html", "/moved.html"])

    assert world.canary.touched() == []
    home = audits["/"]
    assert home.error is None, home.error
    # img, fetch, XHR, iframe, script, stylesheet, the worker's fetch, the pop-up, the
    # redirect hop of the second iframe and the WebSocket: each refused, and counted
    assert home.requests_refused >= 11, home.refused_urls
    refused = " ".join(home.refused_urls)
    for path in (
        "/pixel.png",
        "/fetch",
        "/xhr",
        "/frame.html",
        "/app.js",
        "/style.css",
        "/worker",
        "/popup.html",
        "/hop.html",
    ):
        assert f"127.0.0.2:{world.canary.port}{path}" in refused, path
    assert f"ws://127.0.0.2:{world.canary.port}/ws" in refused
    # the site's own resources still load: its stylesheet (contrast) and its script
    assert "color-contrast" in rules(home)
    assert home.requests_fulfilled >= 5
    assert world.site.requested("/own.js") == 1 and world.site.requested("/own.png") == 1
    # cookies work as in a browser: one set by the page's script, one by a site's answer
    assert world.cookies == ["gp_server=2; gp_visitor=1"]
    # a service worker never starts, so its script is never even asked for
    assert world.site.requested("/sw.js") == 0

    for path in ("/go.html", "/leave.html"):
        left = audits[path]
        assert left.left_site is not None and "127.0.0.2" in left.left_site, path
        assert left.error is not None and "本站以外" in left.error and "left the site" in left.error
        assert left.violations == [] and left.tab_walk is None and left.popups == []
        assert left.requests_refused >= 1
    # a redirect within the site is followed, and the page's relative URLs still resolve
    moved = audits["/moved.html"]
    assert moved.error is None and moved.final_url == world.url("/open/index.html")
    assert world.site.requested("/open/banner.png") == 1
    assert "image-alt" in rules(moved)


# Settles when the page's WebSocket has closed, its fetch has failed and its WebRTC
# candidate gathering has ended (each bounded inside the page).
_JS_SETTLED = """([tcpPort, udpPort]) => {
  const bounded = (promise) => Promise.race([promise, new Promise((r) => setTimeout(r, 10000))]);
  const ws = new Promise((resolve) => {
    const socket = new WebSocket(`ws://127.0.0.2:${tcpPort}/ws`);
    socket.onclose = resolve;
  });
  const fetched = fetch('/own.js').then(() => 'fetched', () => 'failed');
  const gathered = new Promise((resolve) => {
    const pc = new RTCPeerConnection({iceServers: [{urls: `stun:127.0.0.2:${udpPort}`}]});
    pc.onicegatheringstatechange = () => pc.iceGatheringState === 'complete' && resolve();
    pc.createDataChannel('x');
    pc.createOffer().then((offer) => pc.setLocalDescription(offer));
  });
  return Promise.all([bounded(ws), fetched, bounded(gathered)]).then((all) => all[1]);
}"""


@pytest.mark.browser
def test_what_routing_does_not_see_fails_closed(world: World) -> None:
    """The backstop alone: Chromium launched as the pool launches it, with only the page
    itself handed over by a route. Everything the page then asks for is Chromium's own
    traffic (same-site resources too), and must fail without reaching anything."""

    async def run() -> str:
        with DeadProxy() as proxy:
            async with async_playwright() as pw:
                options = launch_options(CHROMIUM_PATH, CHROMIUM_ARGS, proxy)
                browser = await pw.chromium.launch(**options)
                try:
                    context = await browser.new_context(service_workers="block")
                    await context.route(
                        world.url("/"),
                        lambda route: route.fulfill(
                            status=200,
                            content_type="text/html; charset=utf-8",
                            body=home_page(world.canary),
                        ),
                    )
                    page = await context.new_page()
                    await page.goto(world.url("/"), wait_until="load", timeout=30_000)
                    return await page.evaluate(
                        _JS_SETTLED, [world.canary.port, world.canary.udp_port]
                    )
                finally:
                    await browser.close()

    assert asyncio.run(asyncio.wait_for(run(), 90)) == "failed"
    assert world.site.hits == []
    assert world.canary.touched() == []


@pytest.mark.browser
def test_chromium_connects_where_the_guard_resolved(world: World) -> None:
    """Names are resolved by the guard alone, and the connection goes to the address it
    vetted: a page on a name only the guard's resolver knows loads (Chromium could not
    resolve it), and its image on a name the guard resolves inside is refused."""
    names = {"www.portal.gov.cn": ["127.0.0.1"], "cdn.portal.gov.cn": ["127.0.0.2"]}

    def resolver(host: str) -> list:
        if host not in names:
            raise socket.gaierror(socket.EAI_NONAME, "unknown")
        return [ipaddress.ip_address(a) for a in names[host]]

    site = f"http://www.portal.gov.cn:{world.site.port}"
    guard = FetchGuard(site + "/", resolver=resolver, allow=SITE_IS_PUBLIC)

    async def run() -> PageAudit:
        async with BrowserPool(
            tabs=1, timeout_s=AUDIT_TIMEOUT_S, settle_s=0.3, guard=guard
        ) as pool:
            return await pool.audit(site + "/named.html")

    result = asyncio.run(asyncio.wait_for(run(), 120))
    assert result.error is None and result.status == 200
    assert world.site.requested("/named.html") == 1
    assert result.refused_urls == [f"http://cdn.portal.gov.cn:{world.canary.port}/logo.png"]
    assert world.canary.touched() == []


@pytest.mark.browser
def test_routing_costs_are_bounded(world: World, monkeypatch: pytest.MonkeyPatch) -> None:
    """A resource that never ends and one that drips forever each fail within the bounds
    (smaller here: 1 MiB, 2 s), are counted, and the page is still audited."""
    monkeypatch.setattr(browser_guard, "MAX_BODY_BYTES", 1 << 20)
    monkeypatch.setattr(browser_guard, "REQUEST_TIMEOUT_S", 2.0)
    result = audit(world, ["/heavy.html"])["/heavy.html"]
    assert result.error is None
    assert (result.requests_failed, result.requests_refused) == (2, 0)
    assert "image-alt" in rules(result)  # audited: the endless image has no alt


@pytest.mark.browser
def test_a_scan_with_the_browser_stores_nothing_of_an_internal_page(
    world: World, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    """The real path: a scan with the browser on, its guard built by the accessibility
    check from the site's URL and the operator's allowances."""
    monkeypatch.setenv(FETCH_ALLOW_ENV, "127.0.0.1/32")  # the crawl process inherits it
    db_url = f"sqlite:///{tmp_path / 'govpatrol.db'}"
    with Session(get_engine(db_url), expire_on_commit=False) as session:
        site = Site(name="某市人民政府", url=world.site.base_url)
        session.add(site)
        session.commit()
        options = {"browser": True, "thresholds": {"link_timeout_s": 3.0}}
        scan = create_scan(session, site, trigger="test", as_of=AS_OF, options=options)
    done = run_scan(scan.id, db_url=db_url)
    assert done.status == ScanStatus.done, done.error

    with Session(get_engine(db_url)) as session:
        stats = session.get(Scan, done.id).stats
        rows = session.exec(select(Finding).where(Finding.scan_id == done.id)).all()
        stored = [f"{row.message} {row.target or ''} {row.detail}" for row in rows]
    browser_stats = stats["accessibility"]["browser"]
    assert browser_stats["status"] == "done" and browser_stats["audited"] >= 2
    assert world.canary.touched() == []
    assert not [text for text in stored if MARKER in text]
    # the scan says how many requests the audits refused, and which page left the site
    assert browser_stats["requests"]["refused"] >= 10
    assert browser_stats["refused_pages"][world.url("/")] >= 9
    errors = {e["url"]: e["error"] for e in browser_stats["errors"]}
    assert "left the site" in errors[world.url("/go.html")]
    # the audited home page's own findings are there: the site's CSS rendered
    assert any(
        row.check == "accessibility" and (row.detail or {}).get("rule") == "color-contrast"
        for row in rows
    )
