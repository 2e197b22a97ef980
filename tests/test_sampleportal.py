"""The sample portal: generated truth matches the served site, and every trap behaves.

A real generated portal is served on 127.0.0.1 and checked with httpx: the truth's pages
are exactly what a crawl reaches, each planted misbehaviour answers as documented, and
the truth agrees with the HTML it describes (dates, labels, accessibility defects).
"""

from __future__ import annotations

import datetime as dt
import hashlib
import json
import re
import subprocess
import sys
import threading
import time
from collections import deque
from pathlib import Path
from urllib.parse import unquote, urljoin, urlsplit
from urllib.robotparser import RobotFileParser

import httpx
import lxml.html
import pytest

from sampleportal.days import fmt
from sampleportal.generate import generate_portal
from sampleportal.server import PortalServer
from sampleportal.truth import Truth, load_truth, site_path

AS_OF = dt.date(2026, 11, 22)
SLOW_DELAY_S = 0.6
HTML_EXTS = {"", ".html", ".htm", ".jsp", ".shtml"}
_RECORD = re.compile(r"<record><!\[CDATA\[(.*?)\]\]></record>", re.S)
_PAGER = re.compile(r'createPageHTML\((\d+),\s*(\d+),\s*"(\w+)",\s*"(\w+)"\)')
_SESSION = re.compile(r";jsessionid=[^/?#]*", re.I)


@pytest.fixture(scope="module")
def portal_dir(tmp_path_factory: pytest.TempPathFactory) -> Path:
    out = tmp_path_factory.mktemp("portal")
    generate_portal(out, AS_OF)
    routes = json.loads((out / "routes.json").read_text("utf-8"))
    for route in routes["routes"]:
        if route["kind"] == "slow":
            route["delay_s"] = SLOW_DELAY_S  # tests' own verifier timeout is shorter
    (out / "routes.json").write_text(json.dumps(routes, ensure_ascii=False), "utf-8")
    return out


@pytest.fixture(scope="module")
def truth(portal_dir: Path) -> Truth:
    return load_truth(portal_dir)


@pytest.fixture(scope="module")
def server(portal_dir: Path):
    with PortalServer(portal_dir) as srv:
        yield srv


@pytest.fixture(scope="module")
def client(server: PortalServer):
    with httpx.Client(base_url=server.base_url.rstrip("/"), timeout=5.0) as c:
        yield c


# -- a reference crawl ------------------------------------------------------------------


def _links(url: str, body: bytes, content_type: str) -> list[tuple[str, str]]:
    """(absolute url, edge kind) of every followable link: a/area/iframe/frame, CDATA, pager."""
    charset = re.search(r"charset=([\w-]+)", content_type)
    doc = body.decode(charset.group(1)) if charset else body
    tree = lxml.html.fromstring(doc)
    base = urljoin(url, (tree.xpath("//base/@href") or [url])[0])
    out = [
        (urljoin(base, href), "html")
        for href in tree.xpath("//a/@href | //area/@href | //iframe/@src | //frame/@src")
    ]
    text = body.decode("utf-8", "replace")
    for record in _RECORD.findall(text):
        frag = lxml.html.fromstring(record)
        out += [(urljoin(base, h), "datastore") for h in frag.xpath("//a/@href")]
    for total, _, name, ext in _PAGER.findall(text):
        out += [(urljoin(url, f"{name}_{i}.{ext}"), "pager") for i in range(1, int(total))]
    return out


def _crawl(
    client: httpx.Client, base_url: str
) -> tuple[set[str], dict[str, list[tuple[str, str]]]]:
    """Pages answering 200 text/html, and the link graph (path → [(path, kind)])."""
    host = urlsplit(base_url).netloc
    robots = RobotFileParser()
    robots.parse(client.get("/robots.txt").text.splitlines())
    traps = ("/calendar/", "/wsbs/")
    seen, pages = {"/"}, set()
    graph: dict[str, list[tuple[str, str]]] = {}
    queue = deque(["/"])
    while queue and len(seen) < 2000:
        path = queue.popleft()
        resp = client.get(path)
        ctype = resp.headers.get("content-type", "")
        if resp.status_code != 200 or not ctype.startswith("text/html"):
            continue
        pages.add(path)
        if path.startswith(traps):
            continue  # trap entry pages are fetched, never followed
        edges = graph.setdefault(path, [])
        for link, kind in _links(base_url.rstrip("/") + path, resp.content, ctype):
            parts = urlsplit(_SESSION.sub("", link))
            if parts.scheme != "http" or parts.netloc != host:
                continue
            target = site_path(parts._replace(fragment="").geturl())
            ext = Path(unquote(parts.path)).suffix.lower()
            if ext not in HTML_EXTS or not robots.can_fetch("*", parts.path):
                continue
            edges.append((target, kind))
            if target not in seen:
                seen.add(target)
                queue.append(target)
    return pages, graph


def _reachable(graph: dict[str, list[tuple[str, str]]], skip: str) -> set[str]:
    seen, queue = {"/"}, deque(["/"])
    while queue:
        for target, kind in graph.get(queue.popleft(), []):
            if kind != skip and target not in seen:
                seen.add(target)
                queue.append(target)
    return seen


def test_crawl_reaches_exactly_the_truth_pages(client, server, truth):
    crawled, graph = _crawl(client, server.base_url)
    error_targets = {f.target for f in truth.expected("broken_link")}
    assert crawled - error_targets == set(truth.pages)
    assert len(truth.pages) == len(set(truth.pages)) > 300
    without_cdata = _reachable(graph, skip="datastore")
    without_pager = _reachable(graph, skip="pager")
    assert truth.hanweb_only_pages and not set(truth.hanweb_only_pages) & without_cdata
    hidden = set(truth.trs_pagination_pages) | set(truth.trs_pagination_only_pages)
    assert truth.trs_pagination_pages and not hidden & without_pager
    assert set(truth.pages) <= _reachable(graph, skip="")
    assert not server.requests_for("/admin/") and not server.requests_for("/internal/")


def test_every_truth_page_answers_200_html(client, truth):
    for path in truth.pages:
        resp = client.get(path)
        assert resp.status_code == 200, path
        assert resp.headers["content-type"].startswith("text/html"), path
        assert int(resp.headers["content-length"]) == len(resp.content)
        assert b"__PORT__" not in resp.content, path


def test_robots_txt_forbids_linked_pages(client, truth):
    text = client.get("/robots.txt").text
    assert "Disallow: /admin/" in text and "Disallow: /internal/" in text
    robots = RobotFileParser()
    robots.parse(text.splitlines())
    linked = {link["target"] for link in truth.unverified_links}
    for path in truth.robots_disallowed:
        assert not robots.can_fetch("govpatrol", path)
        assert path in linked


# -- planted misbehaviour -----------------------------------------------------------------


def test_error_statuses(client):
    assert client.get("/no/such/page.html").status_code == 404
    assert client.get("/cms/stat.jsp").status_code == 500
    assert client.get("/cms/stat.jsp").status_code == 500  # persistent
    assert client.get("/xxgk/zcwj/202301/t20230110_410.html").status_code == 410
    soft = client.get("/cms/show?id=9999")
    assert soft.status_code == 200 and "页面不存在" in soft.text
    empty = client.get("/upload/2026/空白表格.pdf")
    assert empty.status_code == 200 and empty.content == b""
    doc = client.get("/upload/2026/申请书.doc")
    assert doc.headers["content-type"].startswith("text/html") and "出错了" in doc.text


def test_attachments_raw_and_percent_encoded_are_one_file(client):
    raw = client.get("/upload/2026/附件1.pdf")
    encoded = client.get("/upload/2026/%E9%99%84%E4%BB%B61.pdf")
    assert raw.status_code == encoded.status_code == 200
    assert raw.content == encoded.content and raw.content.startswith(b"%PDF")


def test_head_405_but_get_200(client):
    assert client.head("/download/1001.pdf").status_code == 405
    got = client.get("/download/1001.pdf")
    assert got.status_code == 200 and got.content.startswith(b"%PDF")


def test_429_then_200_per_client(client):
    path = "/upload/2026/季度统计表.xlsx"
    first = client.get(path, headers={"User-Agent": "tool-a"})
    assert first.status_code == 429 and first.headers["retry-after"] == "1"
    assert client.get(path, headers={"User-Agent": "tool-a"}).status_code == 200
    assert client.get(path, headers={"User-Agent": "tool-b"}).status_code == 429
    assert client.get(path, headers={"User-Agent": "tool-b"}).status_code == 200


def test_redirects(client):
    chain = client.get("/old/zwgk.html", follow_redirects=True)
    assert [r.status_code for r in chain.history] == [301, 302] and chain.status_code == 200
    assert chain.url.path == "/xxgk/index.html"
    loop = client.get("/loop/a.html")
    assert loop.status_code == 302 and loop.headers["location"] == "/loop/b.html"
    assert client.get("/loop/b.html").headers["location"] == "/loop/a.html"
    with pytest.raises(httpx.TooManyRedirects):
        client.get("/hops/1.html", follow_redirects=True)
    last = client.get("/hops/30.html")
    assert last.status_code == 200


def test_slow_route_waits_its_configured_delay(server, client):
    with pytest.raises(httpx.ReadTimeout), httpx.Client(timeout=SLOW_DELAY_S / 3) as quick:
        quick.get(server.base_url + "slow/tongji.html")
    started = time.perf_counter()
    assert client.get("/slow/tongji.html").status_code == 200
    assert time.perf_counter() - started >= SLOW_DELAY_S * 0.9


def test_external_host_is_the_same_server_under_localhost(server, client, truth):
    ext = f"http://localhost:{server.port}"
    with httpx.Client(timeout=5.0) as c:
        assert c.get(ext + "/ext/ok").status_code == 200
        assert c.get(ext + "/ext/gone").status_code == 404
        assert c.get(ext + "/index.html").status_code == 404  # localhost is another site
        waf = c.get(ext + "/ext/waf")
        assert waf.status_code == 403 and "安全验证" in waf.text
        cf = c.get(ext + "/ext/cf")
        assert cf.status_code == 403 and cf.headers["cf-mitigated"] == "challenge"
        assert cf.headers["server"] == "cloudflare"
        assert c.get(ext + "/ext/999").status_code == 999
        assert [c.get(ext + "/ext/busy").status_code for _ in range(2)] == [429, 429]
        with pytest.raises(httpx.ConnectError):
            c.get(f"http://127.0.0.2:{server.port}/")
    assert client.get("/ext/ok").status_code == 404  # only the external host has /ext/
    page = client.get("/yqlj/index.html").text
    assert f"localhost:{server.port}/ext/gone" in page and "__PORT__" not in page
    targets = {f.target for f in truth.expected("broken_link")}
    assert truth.url(server.base_url, "http://localhost:__PORT__/ext/gone") == ext + "/ext/gone"
    assert {"http://nosuchhost.invalid/", "http://127.0.0.2:__PORT__/"} <= targets


def test_traps_are_endless(client, truth):
    entry = next(e for e in truth.trap_entries if e["kind"] == "calendar")["path"]
    day = client.get(entry)
    assert day.status_code == 200 and "date=2026-11-23" in day.text
    far = client.get("/calendar/?date=3000-01-01")
    assert "date=3000-01-02" in far.text
    session = next(e for e in truth.trap_entries if e["kind"] == "session_id")["linked_as"]
    ids = [re.findall(r"jsessionid=(\w+)", client.get(session).text) for _ in range(2)]
    assert ids[0] and not set(ids[0]) & set(ids[1])  # fresh ids on every visit


def test_gbk_pages_decode_with_gb18030(client, truth):
    assert len(truth.gbk_pages) >= 3
    for path, title in truth.gbk_pages.items():
        body = client.get(path).content
        text = body.decode("gb18030")
        assert f"<title>{title}</title>" in text
        with pytest.raises(UnicodeDecodeError):
            body.decode("utf-8")
    header_only = client.get("/xxgk/dazl/gbk_header.html")
    assert header_only.headers["content-type"].lower().endswith("charset=gbk")
    assert b"charset" not in header_only.content.lower()
    assert "䶮" in client.get("/xxgk/dazl/gb2312_gb18030.html").content.decode("gb18030")
    bom = client.get("/xxgk/dazl/utf8_bom.html").content
    assert bom.startswith(b"\xef\xbb\xbf") and b"charset" not in bom.lower()


def test_non_html_resources(client, truth):
    for item in truth.non_html:
        resp = client.get(item["path"])
        assert resp.status_code == 200
        assert resp.headers["content-type"].startswith(item["content_type"])


def test_request_log_and_linkchecker_header(portal_dir):
    with PortalServer(portal_dir, linkchecker_header=True) as srv, httpx.Client() as c:
        c.head(srv.base_url + "robots.txt")
        resp = c.get(srv.base_url + "upload/2026/%E9%99%84%E4%BB%B61.pdf")
        assert resp.headers["linkchecker"] == "1"
        assert srv.request_log == [
            ("HEAD", "/robots.txt"),
            ("GET", "/upload/2026/%E9%99%84%E4%BB%B61.pdf"),
        ]


def test_stop_interrupts_a_slow_request(tmp_path):
    (tmp_path / "site").mkdir()
    routes = {"routes": [{"path": "/slow", "kind": "slow", "delay_s": 30.0, "body": "late"}]}
    (tmp_path / "routes.json").write_text(json.dumps(routes), "utf-8")
    srv = PortalServer(tmp_path).start()
    errors: list[BaseException] = []

    def slow() -> None:
        try:
            httpx.get(srv.base_url + "slow", timeout=10)
        except httpx.HTTPError as exc:
            errors.append(exc)

    worker = threading.Thread(target=slow)
    worker.start()
    deadline = time.monotonic() + 5
    while not srv.requests_for("/slow") and time.monotonic() < deadline:
        time.sleep(0.01)  # poll (bounded) until the request has arrived
    started = time.perf_counter()
    srv.stop()
    worker.join(timeout=10)
    assert time.perf_counter() - started < 3 and not worker.is_alive() and errors


def test_clients_are_served_at_once_each_on_one_kept_alive_connection(server, truth):
    """What lets the portal serve a benchmark's crawler at hundreds of requests per second
    (bench/checks.py measures the rate): HTTP/1.1 keep-alive, so a client's requests share
    one connection, and a thread per connection, so four clients are answered at once."""
    paths = truth.pages[:100]
    together = threading.Barrier(4, timeout=10)  # the timeout only catches a hang
    statuses: list[int] = []
    ports: list[set[int]] = [set() for _ in range(4)]  # each client's local port(s)
    errors: list[BaseException] = []

    def fetch(client: int, chunk: list[str]) -> None:
        try:
            with httpx.Client(base_url=server.base_url.rstrip("/"), timeout=10) as c:
                for n, path in enumerate(chunk):
                    response = c.get(path)
                    statuses.append(response.status_code)
                    stream = response.extensions["network_stream"]
                    ports[client].add(stream.get_extra_info("client_addr")[1])
                    if n == 0:
                        together.wait()  # every client holds an answered connection open
        except Exception as exc:  # raised in a thread it would not fail the test
            errors.append(exc)

    threads = [threading.Thread(target=fetch, args=(i, paths[i::4] * 3)) for i in range(4)]
    for t in threads:
        t.start()
    for t in threads:
        t.join()
    assert errors == []
    assert len(statuses) == 300 and set(statuses) == {200}
    assert all(len(used) == 1 for used in ports) and len(set.union(*ports)) == 4


# -- truth agrees with the HTML ---------------------------------------------------------


def _html(portal_dir: Path, path: str) -> str:
    file = portal_dir / "site" / (path.lstrip("/") or "index.html")
    return file.read_bytes().decode("gb18030" if path.startswith("/xxgk/dazl/gb") else "utf-8-sig")


def test_column_truth_matches_list_pages(portal_dir, truth):
    timeboxed = [f for f in truth.expected("stale_column") if f.detail["timeboxed"]]
    assert 1 <= len(timeboxed) <= 4 and len(truth.columns) >= 20
    assert {c.category for c in truth.columns} >= {"dynamic", "notice", "personnel", None}
    for column in truth.columns:
        html = _html(portal_dir, column.path)
        assert f"<span>{column.name}</span>" in html  # last breadcrumb names the column
        if column.newest_date and column.date_format:
            assert fmt(dt.date.fromisoformat(column.newest_date), column.date_format) in html
        stale_or_blank = {
            f.page for f in truth.findings if f.check in ("stale_column", "blank_column")
        }
        assert (column.stale or column.blank) == (column.path in stale_or_blank)
    assert "暂无信息" in _html(portal_dir, truth.column("/bsfw/ylfw/index.html").path)
    unsorted = next(c for c in truth.columns if not c.newest_first)
    first_row = re.search(r'class="date">([\d-]+)<', _html(portal_dir, unsorted.path)).group(1)
    assert first_row < unsorted.newest_date


def test_document_truth_matches_pages(portal_dir, truth):
    normative = [d for d in truth.documents if d.normative]
    assert len(normative) >= 15
    for doc in truth.documents:
        html = _html(portal_dir, doc.path)
        if doc.doc_number:
            assert doc.doc_number in html
        if doc.validity_raw:
            assert re.search(rf"[：>]\s*{doc.validity_raw}\s*<", html), doc.path
        if doc.interpretation:
            assert doc.interpretation in html or doc.interpretation.rsplit("/", 2)[-2] in html
        if doc.is_interpretation:
            links_back = doc.interprets in html
            assert links_back == (doc.case != "interpretation:no_backlink")
    checks = {f.check for f in truth.findings}
    assert {
        "missing_validity_label",
        "validity_inconsistent",
        "missing_document_fields",
        "missing_interpretation",
        "late_interpretation",
    } <= checks
    late = truth.expected("late_interpretation")[0].detail
    assert late["working_days"] > 3 and late["calendar_days"] > late["working_days"]


def test_accessibility_truth_matches_pages(portal_dir, truth):
    planted = {(f.page, f.key["rule"]) for f in truth.expected("accessibility")}
    rules = {rule for _, rule in planted}
    assert rules == set(truth.a11y["static_rules"]) | set(truth.a11y["browser_only_rules"])

    def violations(path: str) -> set[str]:
        tree = lxml.html.fromstring(_html(portal_dir, path).encode("utf-8"))
        root = tree.getroottree().getroot()
        found = set()
        if root.get("lang") is None:
            found.add("html-has-lang")
        elif root.get("lang") not in ("zh-CN",):
            found.add("html-lang-valid")
        if not tree.xpath("//title"):
            found.add("document-title")
        if tree.xpath("//img[not(@alt)]"):
            found.add("image-alt")
        if tree.xpath("//iframe[not(@title)]"):
            found.add("frame-title")
        if tree.xpath("//input[@type='image'][not(@alt)]"):
            found.add("input-image-alt")
        if any(
            not a.text_content().strip() and not a.xpath(".//img[@alt!='']")
            for a in tree.xpath("//a")
        ):
            found.add("link-name")
        if any(not b.text_content().strip() for b in tree.xpath("//button")):
            found.add("button-name")
        ids = tree.xpath("//@id")
        if len(ids) != len(set(ids)):
            found.add("duplicate-id-aria")
        if tree.xpath("//input[@type='text'][not(@id) and not(@aria-labelledby)]"):
            found.add("label")
        return found

    for path in truth.pages:
        if path.startswith(("/calendar/", "/wsbs/")):
            continue
        expected = {rule for page, rule in planted if page == path and rule != "color-contrast"}
        assert violations(path) == expected, path
    assert 'class="tip-light"' in _html(portal_dir, "/xxgk/tzgg/index.html")


# -- generation ---------------------------------------------------------------------------


def _digest(root: Path) -> str:
    h = hashlib.sha256()
    for file in sorted(p for p in root.rglob("*") if p.is_file()):
        h.update(str(file.relative_to(root)).encode())
        h.update(file.read_bytes())
    return h.hexdigest()


def test_generation_is_deterministic(tmp_path):
    for name, seed in (("a", 7), ("b", 7), ("c", 8)):
        generate_portal(tmp_path / name, AS_OF, extra_pages=150, seed=seed)
    assert _digest(tmp_path / "a") == _digest(tmp_path / "b")
    assert _digest(tmp_path / "a") != _digest(tmp_path / "c")


def test_variants(tmp_path):
    stale_home = generate_portal(tmp_path / "h", AS_OF, variant="stale_home")
    assert not stale_home.home["fresh"] and stale_home.expected("home_not_updated")
    assert (AS_OF - dt.date.fromisoformat(stale_home.home["newest_date"])).days > 14
    vetoed = generate_portal(tmp_path / "v", AS_OF, variant="stale_columns")
    timeboxed = [f for f in vetoed.expected("stale_column") if f.detail["timeboxed"]]
    assert len(timeboxed) == 5
    other_year = generate_portal(tmp_path / "y", dt.date(2028, 3, 10))
    late = other_year.expected("late_interpretation")[0].detail
    assert late["fallback"] and late["working_days"] > 3
    with pytest.raises(ValueError):
        generate_portal(tmp_path / "x", AS_OF, variant="nope")


def test_extra_pages(tmp_path):
    truth = generate_portal(tmp_path, AS_OF, extra_pages=450, links_per_page=30)
    bulk = [p for p in truth.pages if p.startswith("/ztzl/zt")]
    assert len([p for p in bulk if "/t20" in p]) == 450
    broken = [f for f in truth.expected("broken_link") if f.page.startswith("/ztzl/zt")]
    assert len(broken) == 5  # one in a hundred
    html = (tmp_path / "site" / broken[0].page.lstrip("/")).read_text("utf-8")
    assert broken[0].target in html
    assert 25 <= html.count("href=") <= 40
    lists = [c for c in truth.columns if c.path.startswith("/ztzl/zt")]
    assert sum(len(c.list_pages) for c in lists) == len(bulk) - 450


def test_cli_generate_and_serve(tmp_path):
    env_python = sys.executable
    subprocess.run(
        [env_python, "-m", "sampleportal", "generate", str(tmp_path), "--as-of", "2026-11-22"],
        check=True,
        capture_output=True,
        timeout=60,
    )
    assert load_truth(tmp_path).as_of == "2026-11-22"
    proc = subprocess.Popen(
        [env_python, "-m", "sampleportal", "serve", str(tmp_path)],
        stdout=subprocess.PIPE,
        text=True,
    )
    try:
        lines: list[str] = []
        reader = threading.Thread(target=lambda: lines.append(proc.stdout.readline()), daemon=True)
        reader.start()
        reader.join(timeout=20)  # the process prints its URL first
        url = re.search(r"http://127\.0\.0\.1:\d+/", lines[0]).group(0)
        assert httpx.get(url, timeout=5).status_code == 200
    finally:
        proc.terminate()
        proc.wait(timeout=10)
