"""Crawl survival: one real scan of a site whose pages misbehave in every way a broken or
compromised government server does, served on 127.0.0.1 by tests/loopback.py.

Each fault must end as a finding or a recorded skip (a ``Page`` row saying why), the scan as
``done`` or ``partial``, the store intact, and the crawler's memory bounded.
"""

from __future__ import annotations

import functools
import random
import sqlite3
import threading
import time
import zlib
from collections import Counter
from collections.abc import Iterator
from concurrent.futures import ThreadPoolExecutor
from dataclasses import dataclass, field
from pathlib import Path
from urllib.parse import urlsplit

import psutil
import pytest
from sqlmodel import Session, select

from govpatrol.core.db import get_engine
from govpatrol.core.models import Finding, LinkSource, Page, Scan, ScanStatus, Site
from govpatrol.core.settings import Thresholds
from scan.pipeline import create_scan, run_scan
from tests import loopback as lb
from tests.conftest import AS_OF
from tests.faultlog import FaultLog, fault_log_fixture  # noqa: F401  (fixture)

BOMB_BYTES = 64 << 20  # inflated size of the compression bombs (the crawler stops at 20 MiB)
LINK_FARM = 50_000
LINK_FARM_TARGETS = 1_000
NESTING = 100_000
TIMEOUT_S = 2.0  # the network site's: its slow routes must reach it, and quickly
# The heavy site's: nothing there waits on purpose, and a request that a loaded machine
# slows (the test's own servers share its CPU with two crawls) must not end as a timeout.
PATIENT_TIMEOUT_S = 20.0
MAX_CRAWLER_RSS = 1 << 30


@functools.cache
def bomb(encoding: str, size: int = BOMB_BYTES) -> bytes:
    """``size`` zero bytes, gzip- or zlib-compressed (about 1/1000 of it on the wire)."""
    packer = zlib.compressobj(9, zlib.DEFLATED, 31 if encoding == "gzip" else 15)
    block = bytes(1 << 20)
    return b"".join(packer.compress(block) for _ in range(size >> 20)) + packer.flush()


def html(title: str, body: str) -> str:
    return f"<html><head><title>{title}</title></head><body>{body}</body></html>"


LINK_FARM_PAGE = html(
    "暗链农场",
    "".join(
        f'<a href="http://spam-{i % LINK_FARM_TARGETS}.invalid/#k{i}">博彩{i}</a>'
        for i in range(LINK_FARM)
    ),
)
DEEP_PAGE = html(
    "层层嵌套",
    "<p><a href='/before-deep.html'>前</a></p>"
    + "<div>" * NESTING
    + "最深处"
    + "</div>" * NESTING
    + "<ul><li><a href='/after-deep.html'>深层之后的栏目</a></li></ul>",
)
BAD_HREFS = [
    "http://[::1",
    "http://exa mple.com/",
    "http://%zz/",
    "https://:80/",
    "http://a..b/",
    "http://xn--/",
    "http://" + "a" * 300 + ".invalid/",
    "http://127.0.0.1:99999/",
    "javascript:alert(1)",
    "/nul\x00.html",
    "//",
    "http:///x",
    "\\\\server\\share",
    "/" + "长" * 3000,
    "http://[1:2:3:4:5:6:7:8:9]/",
    "data:text/html,<script>alert(1)</script>",
    "ht!tp://x/",
    "?a=%ff%fe",
]
BAD_HREFS_PAGE = html(
    "无效链接",
    "".join(f'<a href="{h.replace(chr(34), "&quot;")}">坏链接</a>' for h in BAD_HREFS)
    + "".join(f'<img src="{h.replace(chr(34), "&quot;")}">' for h in BAD_HREFS[:6]),
)
GBK_TITLE = "国务院办公厅关于印发通知"
NOISE = random.Random(10)  # the same "random" bytes every run


def _network_routes(http10: lb.LoopbackServer, tls: lb.LoopbackServer) -> dict[str, lb.Route]:
    """Faults of the wire: sizes, timing, redirects, encodings, content types, protocols."""
    text_html = ("Content-Type", "text/html")
    routes: dict[str, lb.Route] = {
        "/gzip-bomb.html": lb.raw(200, bomb("gzip"), [text_html, ("Content-Encoding", "gzip")]),
        "/deflate-bomb.html": lb.raw(
            200, bomb("deflate"), [text_html, ("Content-Encoding", "deflate")]
        ),
        "/endless.html": lb.endless(),
        "/slow.html": lb.drip(),
        "/truncated.html": lb.raw(
            200,
            b"<html><head><title>cut</title></head><body>part",
            [text_html, ("Content-Length", "100000")],
            length=False,
        ),
        "/lying-charset.html": lb.raw(
            200,
            html(GBK_TITLE, "<p>正文按 GBK 编码，服务器却声称 UTF-8。</p>").encode("gbk"),
            [("Content-Type", "text/html; charset=utf-8")],
        ),
        "/broken-encoding.html": lb.raw(
            200,
            b"<html><head><meta charset='x-bogus-42'><title>\xff\xfe\x00\xd8\xc3\x28</title>"
            b"</head><body>\xa0\xa1\xc3\x28<a href='/ok.html'>ok</a></body></html>",
            [("Content-Type", "text/html; charset=x-bogus-42")],
        ),
        "/binary.html": lb.raw(200, NOISE.randbytes(200_000), [text_html]),
        "/image.html": lb.raw(200, b"\x89PNG\r\n\x1a\n" + NOISE.randbytes(50_000), [text_html]),
    }
    outside = {
        "http10": http10.base_url,
        "self-signed": tls.base_url,
        "tls-on-plain-port": f"https://{http10.host}/tls.html",
    }
    home = [f'<li><a href="{url}">{name}</a></li>' for name, url in outside.items()]
    return _with_home(routes, {"/ok.html": html("正常页面", "<p>正常。</p>")}, home)


def _heavy_routes() -> dict[str, lb.Route]:
    """Faults that must not meet a timeout: huge, deep and malformed pages (they cost CPU,
    not time) and redirect loops (each verified as a chain of requests, any of which a
    loaded machine could slow past a short timeout, which would hide the loop)."""
    routes: dict[str, lb.Route] = {
        "/link-farm.html": lb.page(LINK_FARM_PAGE),
        "/deep.html": lb.page(DEEP_PAGE),
        "/bad-hrefs.html": lb.page(BAD_HREFS_PAGE),
        "/loop-a.html": lb.redirect("/loop-b.html"),
        "/loop-b.html": lb.redirect("/loop-a.html"),
        "/self-loop.html": lb.redirect("/self-loop.html"),
    }
    inner = {
        "/after-deep.html": html("深层之后", "<p>仍然找到了。</p>"),
        "/before-deep.html": html("深层之前", "<p>前面。</p>"),
    }
    return _with_home(routes, inner, [])


def _with_home(
    routes: dict[str, lb.Route], inner: dict[str, str], extra: list[str]
) -> dict[str, lb.Route]:
    """A home page linking every route; ``inner`` pages are reached only from the others."""
    links = [f'<li><a href="{path}">{path}</a></li>' for path in routes] + extra
    routes = {**routes, **{path: lb.page(text) for path, text in inner.items()}}
    routes["/"] = lb.page(html("敌意测试站", f"<ul>{''.join(links)}</ul>"))
    return routes


class RssSampler:
    """Peak resident memory of this process's children (the crawl process) while a scan runs,
    sampled from another thread; it stops with the scan."""

    def __init__(self, every_s: float = 0.1) -> None:
        self.every_s = every_s
        self.peak = 0
        self._stop = threading.Event()
        self._thread = threading.Thread(target=self._run, daemon=True)

    def _run(self) -> None:
        me = psutil.Process()
        while not self._stop.wait(self.every_s):
            for child in me.children(recursive=True):
                try:
                    self.peak = max(self.peak, child.memory_info().rss)
                except psutil.Error:
                    continue

    def __enter__(self) -> RssSampler:
        self._thread.start()
        return self

    def __exit__(self, *exc: object) -> None:
        self._stop.set()
        self._thread.join(timeout=5)


@dataclass
class HostileScan:
    """One finished scan of one hostile site, read back from the store."""

    scan: Scan
    server: lb.LoopbackServer
    pages: dict[str, Page] = field(default_factory=dict)  # by URL
    findings: list[Finding] = field(default_factory=list)
    sources_per_page: Counter[str] = field(default_factory=Counter)

    def page(self, path: str, server: lb.LoopbackServer | None = None, scheme: str = "http"):
        return self.pages[f"{scheme}://{(server or self.server).host}{path}"]

    def broken(self, target_path: str) -> list[Finding]:
        return [
            f
            for f in self.findings
            if f.check == "broken_link" and urlsplit(f.target or "").path == target_path
        ]


@dataclass
class Hostile:
    """Two hostile sites scanned at the same time into one store (as two workers would):
    ``network`` misbehaves on the wire against a short timeout, ``heavy`` in its markup and
    its redirects, with a timeout no loaded machine reaches."""

    network: HostileScan
    heavy: HostileScan
    http10: lb.LoopbackServer
    tls: lb.LoopbackServer
    db_path: Path
    elapsed_s: float
    peak_rss: int


def _site(
    db_url: str, name: str, server: lb.LoopbackServer, extra_hosts: list[str], timeout_s: float
) -> int:
    with Session(get_engine(db_url), expire_on_commit=False) as session:
        site = Site(name=name, url=server.base_url, extra_hosts=extra_hosts)
        session.add(site)
        session.commit()
        options = {"browser": False, "thresholds": {"link_timeout_s": timeout_s}}
        return create_scan(session, site, trigger="test", as_of=AS_OF, options=options).id


def _read_back(db_url: str, scan: Scan, server: lb.LoopbackServer) -> HostileScan:
    result = HostileScan(scan, server)
    with Session(get_engine(db_url)) as session:
        for page in session.exec(select(Page).where(Page.scan_id == scan.id)):
            result.pages[page.url] = page
        result.findings = list(session.exec(select(Finding).where(Finding.scan_id == scan.id)))
        for source in session.exec(select(LinkSource).where(LinkSource.scan_id == scan.id)):
            result.sources_per_page[source.page_url] += 1
    return result


@pytest.fixture(scope="module")
def hostile(tmp_path_factory: pytest.TempPathFactory) -> Iterator[Hostile]:
    folder = tmp_path_factory.mktemp("hostile")
    db_path = folder / "govpatrol.db"
    db_url = f"sqlite:///{db_path}"
    ok = [("Content-Type", "text/html; charset=utf-8")]
    old = {"version": "HTTP/1.0", "length": False}
    http10 = lb.serve(
        {
            "/": lb.raw(
                200, html("一点零服务器", "<a href='/p.html'>旧页面</a>").encode(), ok, **old
            ),
            "/p.html": lb.raw(200, html("旧服务器页面", "<p>x</p>").encode(), ok, **old),
        }
    )
    tls = lb.serve({"/": lb.page(html("自签名", "ok"))}, tls=lb.self_signed_context(folder))
    with lb.servers(http10, tls):
        network, heavy = lb.serve(_network_routes(http10, tls)), lb.serve(_heavy_routes())
        with lb.servers(network, heavy):
            scan_ids = {
                "network": _site(db_url, "敌意测试站（网络）", network, [http10.host], TIMEOUT_S),
                "heavy": _site(db_url, "敌意测试站（页面）", heavy, [], PATIENT_TIMEOUT_S),
            }
            started = time.monotonic()
            with RssSampler() as rss, ThreadPoolExecutor(2) as pool:
                running = {k: pool.submit(run_scan, v, db_url=db_url) for k, v in scan_ids.items()}
                done = {k: future.result() for k, future in running.items()}
            elapsed = time.monotonic() - started
            yield Hostile(
                _read_back(db_url, done["network"], network),
                _read_back(db_url, done["heavy"], heavy),
                http10,
                tls,
                db_path,
                elapsed,
                rss.peak,
            )


def test_both_scans_survive_every_fault(hostile: Hostile, fault_log: FaultLog) -> None:
    for name, result in (("network", hostile.network), ("heavy", hostile.heavy)):
        scan = result.scan
        crawl = scan.stats["crawl"]
        fault_log(
            f"the {name} site: one scan of all its faults below, run alongside the other "
            "site's scan into the same store",
            f"scan {scan.status}: {scan.stats['pages']} pages, {scan.stats['findings']} "
            f"findings, crawl closed '{crawl['close_reason']}', {crawl['check_errors']} check "
            "errors",
        )
        assert scan.status in (ScanStatus.done, ScanStatus.partial), scan.error
        assert scan.status == ScanStatus.done, scan.error
        assert result.page("/").kind == "home"
        assert crawl["close_reason"] == "finished"
        assert crawl["check_errors"] == 0
    fault_log(
        "resources while both scans ran",
        f"{hostile.elapsed_s:.0f} s wall time; crawler peak RSS "
        f"{hostile.peak_rss / 2**20:.0f} MiB; SQLite integrity_check ok",
    )
    assert 0 < hostile.peak_rss < MAX_CRAWLER_RSS
    with sqlite3.connect(hostile.db_path) as db:
        assert db.execute("PRAGMA integrity_check").fetchone() == ("ok",)


@pytest.mark.parametrize("encoding", ["gzip", "deflate"])
def test_compression_bombs_are_cut_off(
    hostile: Hostile, fault_log: FaultLog, encoding: str
) -> None:
    page = hostile.network.page(f"/{encoding}-bomb.html")
    compressed = len(bomb(encoding))
    fault_log(
        f"{encoding} bomb: {compressed / 1024:.0f} KiB on the wire, "
        f"{BOMB_BYTES >> 20} MiB inflated, served as text/html",
        f"page recorded as {page.kind}: {page.error}",
    )
    assert page.kind == "failed" and page.error.startswith("too_large:")
    assert "压缩炸弹" in page.error
    assert hostile.network.server.requested(f"/{encoding}-bomb.html") <= 4  # no retry storm


def test_an_endless_body_stops_at_the_page_size_limit(
    hostile: Hostile, fault_log: FaultLog
) -> None:
    page = hostile.network.page("/endless.html")
    fault_log(
        "endless body: text/html without Content-Length that never ends",
        f"page recorded as {page.kind}: {page.error}",
    )
    assert page.kind == "failed" and page.error.startswith("too_large:")


def test_a_slow_drip_server_times_out(hostile: Hostile, fault_log: FaultLog) -> None:
    page = hostile.network.page("/slow.html")
    finding = hostile.network.broken("/slow.html")
    fault_log(
        f"slow drip: headers at once, then one byte every 0.2 s (timeout {TIMEOUT_S} s)",
        f"page recorded as {page.kind}: {page.error}; broken_link finding on the home page "
        f"({finding[0].message})",
    )
    assert page.kind == "failed" and page.error.startswith("timeout:")
    assert finding and finding[0].detail["error"] == "timeout"
    assert hostile.network.server.requested("/slow.html") <= 6  # crawl retries plus one re-check


@pytest.mark.parametrize("path", ["/self-loop.html", "/loop-a.html"])
def test_redirect_loops_end_as_broken_links(
    hostile: Hostile, fault_log: FaultLog, path: str
) -> None:
    page = hostile.heavy.page(path)
    findings = hostile.heavy.broken(path)
    shape = (
        "a page redirecting to itself" if "self" in path else "two pages redirecting to each other"
    )
    fault_log(
        f"redirect loop: {shape}",
        f"page recorded as {page.kind} ({page.error}); broken_link "
        f"{findings[0].detail['error'] if findings else 'MISSING'}",
    )
    # A page redirecting to itself fails in the crawl; of two redirecting to each other,
    # each is first recorded as a redirect into the other, and verification finds the loop.
    assert page.kind == "redirect" or (page.kind == "failed" and "redirect" in page.error)
    assert findings and findings[0].detail["error"] in ("redirect_loop", "too_many_redirects")
    assert hostile.heavy.server.requested(path) <= 12


def test_a_body_shorter_than_its_length_is_a_broken_connection(
    hostile: Hostile, fault_log: FaultLog
) -> None:
    page = hostile.network.page("/truncated.html")
    findings = hostile.network.broken("/truncated.html")
    fault_log(
        "Content-Length: 100000 but the server hangs up after 50 bytes",
        f"page recorded as {page.kind}: {page.error}; broken_link finding "
        f"{findings[0].detail['error'] if findings else 'MISSING'}",
    )
    assert page.kind == "failed" and page.error.startswith("connection_reset:")
    assert findings and findings[0].detail["error"] == "connection_reset"


def test_lying_and_broken_encodings_still_decode(hostile: Hostile, fault_log: FaultLog) -> None:
    lying = hostile.network.page("/lying-charset.html")
    broken = hostile.network.page("/broken-encoding.html")
    fault_log(
        "GBK page served as charset=utf-8",
        f"decoded as {lying.encoding}, title read correctly: {lying.title}",
    )
    fault_log(
        "unknown charset (x-bogus-42) and invalid byte sequences",
        f"decoded as {broken.encoding}, page kept ({broken.kind}), its links followed",
    )
    assert lying.title == GBK_TITLE and lying.encoding == "gb18030"
    assert broken.kind not in ("failed", "error") and isinstance(broken.title, str)
    assert hostile.network.page("/ok.html").status == 200  # its link was followed


@pytest.mark.parametrize(("path", "kind"), [("/binary.html", "binary"), ("/image.html", "PNG")])
def test_binary_served_as_html_is_skipped(
    hostile: Hostile, fault_log: FaultLog, path: str, kind: str
) -> None:
    page = hostile.network.page(path)
    fault_log(
        f"{'random bytes' if kind == 'binary' else 'a PNG image'} served as text/html",
        f"page recorded as {page.kind}: {page.error}",
    )
    assert page.kind == "nonhtml" and page.error.startswith("binary_as_html:")
    assert f"（{kind}）" in page.error


def test_a_page_with_fifty_thousand_links(hostile: Hostile, fault_log: FaultLog) -> None:
    page = hostile.heavy.page("/link-farm.html")
    sources = hostile.heavy.sources_per_page[page.url]
    broken = [f for f in hostile.heavy.findings if f.page == page.url and f.check == "broken_link"]
    cut = hostile.heavy.scan.stats["cut"]["page_links"]
    limit = Thresholds().max_links_per_page
    fault_log(
        f"a page of {LINK_FARM:,} hidden links to {LINK_FARM_TARGETS:,} dead spam hosts "
        f"({page.bytes / 2**20:.1f} MiB)",
        f"the first {sources:,} links stored (the per-page budget), {cut['count']:,} recorded "
        f"as cut; {len(broken):,} broken_link findings (one per target)",
    )
    assert sources == limit < LINK_FARM
    assert cut["count"] == LINK_FARM - limit and cut["examples"] == [page.url]
    assert len(broken) == LINK_FARM_TARGETS  # the first 10,000 reach every spam host
    assert {f.detail["error"] for f in broken} == {"dns"}


def test_deep_nesting_keeps_what_follows_it(hostile: Hostile, fault_log: FaultLog) -> None:
    page = hostile.heavy.page("/deep.html")
    after = hostile.heavy.page("/after-deep.html")
    fault_log(
        f"{NESTING:,} nested <div> with a link after them",
        f"page kept ({page.kind}); the link after the nesting was found and crawled "
        f"(HTTP {after.status})",
    )
    assert page.kind not in ("failed", "error", "nonhtml")
    assert after.status == 200 and after.referrer == page.url


def test_invalid_hrefs_become_broken_links_not_crashes(
    hostile: Hostile, fault_log: FaultLog
) -> None:
    page = hostile.heavy.page("/bad-hrefs.html")
    broken = [f for f in hostile.heavy.findings if f.page == page.url and f.check == "broken_link"]
    kinds = Counter(f.detail["error"] or f"HTTP {f.detail['status']}" for f in broken)
    fault_log(
        f"{len(BAD_HREFS)} malformed hrefs (unclosed IPv6, spaces, bad ports, NUL, 3,000-"
        "character paths, backslashes …)",
        f"page kept ({page.kind}); {len(broken)} broken_link findings by cause {dict(kinds)}; "
        "the rest skipped as non-links",
    )
    assert page.kind not in ("failed", "error")
    assert len(broken) >= 6
    assert hostile.heavy.scan.stats["crawl"]["check_errors"] == 0


def test_an_http10_server_is_crawled(hostile: Hostile, fault_log: FaultLog) -> None:
    home = hostile.network.page("/", hostile.http10)
    inner = hostile.network.page("/p.html", hostile.http10)
    fault_log(
        "HTTP/1.0 server answering without Content-Length (an extra host of the site)",
        f"both pages crawled: {home.title} / {inner.title}",
    )
    assert (home.status, inner.status) == (200, 200)
    assert inner.title == "旧服务器页面"


def test_tls_errors_are_findings(hostile: Hostile, fault_log: FaultLog) -> None:
    self_signed = [
        f
        for f in hostile.network.findings
        if f.check == "broken_link" and f.target == hostile.tls.base_url
    ]
    plain = hostile.network.page("/tls.html", hostile.http10, "https")
    fault_log(
        "a link to an HTTPS server with a self-signed certificate",
        f"broken_link finding: {self_signed[0].message if self_signed else 'MISSING'}",
    )
    fault_log(
        "an https:// page on a port that speaks plain HTTP",
        f"page recorded as {plain.kind}: {plain.error}",
    )
    assert self_signed and self_signed[0].detail["error"] == "tls"
    assert plain.kind == "failed"
    assert plain.error.split(":")[0] in ("tls", "connection_reset")
