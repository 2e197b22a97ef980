"""What a browser audit downloads and what a reused tab remembers, against a real HTTP server on
127.0.0.1 and Debian's Chromium: fonts are not fetched, a picture only as far as its size, and
a tab that moves on to the next page meets it as a first-time visitor."""

from __future__ import annotations

import asyncio
import contextlib
import http.server
import io
import threading
from collections.abc import Iterator

import pytest
from PIL import Image

from checks.a11y_rendered import rendered_dom_rules
from checks.a11y_static.rules import audit as static_audit
from crawler.browser import BrowserPool
from crawler.browser_bytes import image_size, stand_in
from crawler.browser_results import PageAudit
from extract.parse import parse_html


def png(width: int, height: int) -> bytes:
    out = io.BytesIO()
    # noise, so the file is far larger than the head the audit reads
    Image.effect_noise((width, height), 60).convert("RGB").save(out, "PNG")
    return out.getvalue()


PICTURE = png(300, 200)

FLOATING = """<!doctype html><html lang="zh-CN"><head><meta charset="utf-8"><title>飘窗</title>
<style>@font-face{font-family:gov;src:url(/gov.woff2) format("woff2")} body{font-family:gov}</style>
</head><body><main><h1>首页</h1><p>正文内容。</p></main>
<div id="piao" style="position:absolute;left:10px;top:10px;z-index:99">
<a href="/notice.html"><img src="/piao.png" alt="重要通知"></a></div>
<script>
let x = 10;
setInterval(() => { x += 7; const el = document.getElementById('piao');
  el.style.left = x + 'px'; el.style.top = x + 'px'; }, 60);
</script></body></html>"""

# A pop-up shown once per visitor, remembered in a cookie, localStorage and sessionStorage.
ONCE = """<!doctype html><html lang="zh-CN"><head><meta charset="utf-8"><title>欢迎</title></head>
<body><main><h1>欢迎</h1></main><script>
const seen = document.cookie.includes('seen=1') || localStorage.getItem('seen')
  || sessionStorage.getItem('seen');
if (!seen) {
  const d = document.createElement('div');
  d.style.cssText = 'position:fixed;inset:0;background:#fff;z-index:1000';
  d.textContent = '欢迎访问本站，请先阅读公告';
  document.body.appendChild(d);
}
document.cookie = 'seen=1; max-age=86400; path=/';
localStorage.setItem('seen', '1');
sessionStorage.setItem('seen', '1');
</script></body></html>"""


# Served clean; its script adds a picture without a text alternative inside a frame's page.
SCRIPTED = """<!doctype html><html lang="zh-CN"><head><meta charset="utf-8"><title>脚本</title></head>
<body><main><h1>图片新闻</h1><div id="news"></div></main><script>
const img = document.createElement('img');
img.src = '/piao.png';
img.id = 'late';
document.getElementById('news').appendChild(img);
</script></body></html>"""
FRAMED = """<!doctype html><html lang="zh-CN"><head><meta charset="utf-8"><title>框架</title></head>
<body><main><h1>框架</h1><iframe id="box" title="新闻" src="/scripted.html"></iframe></main>
</body></html>"""


class _Server:
    def __init__(self) -> None:
        self.log: list[tuple[str, str | None]] = []  # path, Range header
        outer = self

        class Handler(http.server.BaseHTTPRequestHandler):
            def log_message(self, *args: object) -> None:
                pass

            def do_GET(self) -> None:
                outer.log.append((self.path, self.headers.get("Range")))
                if self.path == "/piao.png":
                    # a server that ignores Range: the audit must stop reading by itself
                    self._send(200, "image/png", PICTURE)
                elif self.path == "/gov.woff2":
                    self._send(200, "font/woff2", b"\0" * 4096)
                elif self.path == "/floating.html":
                    self._send(200, "text/html; charset=utf-8", FLOATING.encode())
                elif self.path in ("/scripted.html", "/framed.html"):
                    page = SCRIPTED if self.path == "/scripted.html" else FRAMED
                    self._send(200, "text/html; charset=utf-8", page.encode())
                elif self.path == "/once.html":
                    self._send(200, "text/html; charset=utf-8", ONCE.encode())
                else:
                    self._send(404, "text/plain", b"not found")

            def _send(self, status: int, kind: str, body: bytes) -> None:
                self.send_response(status)
                self.send_header("Content-Type", kind)
                self.send_header("Content-Length", str(len(body)))
                self.end_headers()
                # the audit hangs up once it has the head
                with contextlib.suppress(BrokenPipeError, ConnectionResetError):
                    self.wfile.write(body)

        self.httpd = http.server.ThreadingHTTPServer(("127.0.0.1", 0), Handler)
        self.httpd.daemon_threads = True
        self.base = f"http://127.0.0.1:{self.httpd.server_address[1]}"
        self.thread = threading.Thread(target=self.httpd.serve_forever, daemon=True)
        self.thread.start()

    def stop(self) -> None:
        self.httpd.shutdown()
        self.httpd.server_close()


@pytest.fixture(scope="module")
def server() -> Iterator[_Server]:
    srv = _Server()
    yield srv
    srv.stop()


def audit_all(server: _Server, paths: list[str], tabs: int = 1) -> list[PageAudit]:
    async def run() -> list[PageAudit]:
        async with BrowserPool(
            tabs=tabs, timeout_s=30, settle_s=0.6, dom_rules=rendered_dom_rules()
        ) as pool:
            return [a async for a in pool.audit_many([server.base + p for p in paths])]

    return asyncio.run(asyncio.wait_for(run(), 120))


def test_image_size_from_the_head_only() -> None:
    assert image_size(PICTURE[:4096]) == (300, 200)
    assert image_size(b"<svg xmlns='http://www.w3.org/2000/svg'/>") is None
    assert image_size(b"") is None
    headers, body = stand_in(206, PICTURE[:4096]) or ({}, b"")
    assert headers == {"content-type": "image/svg+xml"}
    assert b'width="300"' in body and b'height="200"' in body
    assert stand_in(404, PICTURE[:4096]) is None


@pytest.mark.browser
def test_a_floating_picture_keeps_its_size_without_its_bytes(server: _Server) -> None:
    server.log.clear()
    (audit,) = audit_all(server, ["/floating.html"])
    assert audit.error is None, audit.error
    # the 飘窗 is sized by its picture alone: found, so the stand-in had the picture's size
    assert [p.kind for p in audit.popups] == ["floating"], audit.popups
    # the picture asked for with a Range of its head, the font never asked for
    assert ("/piao.png", "bytes=0-32767") in server.log
    assert not any(path == "/gov.woff2" for path, _ in server.log)
    assert audit.requests_skipped == 2  # the font, and the picture answered by its size


@pytest.mark.browser
def test_a_reused_tab_meets_every_page_as_a_first_time_visitor(server: _Server) -> None:
    audits = audit_all(server, ["/once.html", "/once.html", "/once.html"], tabs=1)
    assert len(audits) == 3
    for audit in audits:
        assert audit.error is None, audit.error
        assert [p.kind for p in audit.popups] == ["overlay"], audit.popups


@pytest.mark.browser
def test_rules_left_to_the_static_rules_judge_the_rendered_dom(server: _Server) -> None:
    """image-alt is not run by axe but by the static rule on each frame's rendered DOM: a
    picture a script adds is found, named as axe names it, with axe's help and tags."""
    served = parse_html(SCRIPTED)
    assert [r.rule for r in static_audit(served, SCRIPTED)] == []  # the page as served is clean
    assert "image-alt" in rendered_dom_rules().axe_rules_off()
    scripted, framed = audit_all(server, ["/scripted.html", "/framed.html"])
    for result, target in ((scripted, "#late"), (framed, "#box >>> #late")):
        assert result.error is None, result.error
        assert [(v.rule, v.nodes, v.target) for v in result.violations] == [
            ("image-alt", 1, target)
        ]
        violation = result.violations[0]
        assert "wcag111" in violation.tags and "image-alt" in violation.help_url
        assert violation.snippet.startswith('<img src="/piao.png" id="late"')
