"""Hostile-content benchmark (issue #18 part 4): what a site's own content costs a scan.

    .venv/bin/python bench/hostile.py            # every case
    .venv/bin/python bench/hostile.py --cases robots,deep

Each case is a small site served from memory on 127.0.0.1 (a thread of this process) around
one hostile thing the issue's attack used: a 19 MB robots.txt of 950,000 rules, one 19 MB
page of 1,000,000 links, one page of 200,000 links, a page nested 500,000 elements deep. The
last case is a normal crawl of the sample portal (~470 pages, nginx) for comparison. Each
site is scanned as a user scans it, ``govpatrol scan URL --no-browser`` with the default
budgets, and measured as a whole process tree (bench/common.py): wall time, peak RSS, peak
PSS, CPU. What each budget cut is read back from ``scan.stats["cut"]``.
"""

from __future__ import annotations

import argparse
import datetime as dt
import http.server
import sys
import tempfile
import threading
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from dataclasses import dataclass
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parents[1]))

from sqlmodel import Session, func, select

from bench.common import Measured, measure, static_server
from bench.report import table, write_section
from govpatrol.core.db import get_engine
from govpatrol.core.models import LinkOutcome, LinkTarget, Scan
from sampleportal.generate import generate_portal

AS_OF = dt.date(2026, 11, 22)
REPO = Path(__file__).resolve().parents[1]
INNER_PAGES = 100  # ordinary pages around each hostile one: the crawl has something to do
# What the issue measured before the budgets (bench machine of the attack report).
BEFORE = {
    "robots": "241 s, 1.49 GiB",
    "million": "2.6 GiB; link verification still running after 700 s",
    "links200k": "836 MiB",
}


def page(title: str, body: str) -> bytes:
    return f"<html><head><title>{title}</title></head><body>{body}</body></html>".encode()


def ordinary_site(extra: str = "") -> dict[str, bytes]:
    """A home page linking ``INNER_PAGES`` ordinary pages (and ``extra``), each linking a
    few of the others."""
    files = {
        f"/n/{i}.html": page(
            f"栏目页面{i}",
            "".join(f"<a href='/n/{(i + k) % INNER_PAGES}.html'>相关{k}</a>" for k in range(1, 6))
            + "<p>正文内容。</p>",
        )
        for i in range(INNER_PAGES)
    }
    menu = "".join(f"<li><a href='/n/{i}.html'>栏目{i}</a></li>" for i in range(INNER_PAGES))
    files["/"] = page("首页", f"<ul>{menu}</ul>{extra}")
    return files


def robots_site() -> dict[str, bytes]:
    # 21 bytes a rule: 19 MiB, just under the 20 MiB download limit of any response
    rules = "".join(f"Disallow: /p{i:07d}/\n" for i in range(950_000))
    files = ordinary_site()
    files["/robots.txt"] = f"User-agent: *\n{rules}".encode()
    return files


def million_links_site() -> dict[str, bytes]:
    # 19 bytes a link, as in the attack: relative, unquoted, never closed
    links = "".join(f"<a href=/x{i}/>\n" for i in range(1_000_000))
    files = ordinary_site("<a href='/huge.html'>大页面</a>")
    files["/huge.html"] = page("一百万个链接", links)
    return files


def links_200k_site() -> dict[str, bytes]:
    links = "".join(f'<a href="http://spam-{i}.invalid/">博彩{i}</a>' for i in range(200_000))
    files = ordinary_site("<a href='/farm.html'>链接农场</a>")
    files["/farm.html"] = page("二十万个链接", links)
    return files


def deep_site() -> dict[str, bytes]:
    depth = 500_000
    marks = {1_000: "/deep-1000.html", 5_000: "/deep-5000.html", depth - 1: "/deepest.html"}
    opened = "".join(
        f"<div><a href='{marks[i]}'>深层链接</a>" if i in marks else "<div>" for i in range(depth)
    )
    files = ordinary_site("<a href='/deep.html'>嵌套</a>")
    files["/deep.html"] = page("层层嵌套", opened + "</div>" * depth)
    for path in marks.values():
        files[path] = page("深层页面", "<p>找到了。</p>")
    return files


@dataclass(frozen=True)
class Case:
    name: str
    what: str
    build: Callable[[], dict[str, bytes]] | None  # None: the sample portal


CASES = [
    Case("robots", "robots.txt of 950,000 rules", robots_site),
    Case("million", "one page of 1,000,000 links", million_links_site),
    Case("links200k", "one page of 200,000 links", links_200k_site),
    Case("deep", "one page nested 500,000 elements deep", deep_site),
    Case("portal", "normal: the sample portal", None),
]


@contextmanager
def serve(files: dict[str, bytes]) -> Iterator[str]:
    """``files`` by path on 127.0.0.1 (404 for the rest), from a thread of this process."""

    class Handler(http.server.BaseHTTPRequestHandler):
        protocol_version = "HTTP/1.1"

        def do_GET(self) -> None:
            self._answer(send_body=True)

        def do_HEAD(self) -> None:
            self._answer(send_body=False)

        def _answer(self, *, send_body: bool) -> None:
            path = self.path.split("?", 1)[0]
            body = files.get(path)
            status = 200 if body is not None else 404
            body = body if body is not None else page("404", "页面不存在")
            kind = "text/plain" if path.endswith(".txt") else "text/html; charset=utf-8"
            self.send_response(status)
            self.send_header("Content-Type", kind)
            self.send_header("Content-Length", str(len(body)))
            self.end_headers()
            if send_body:
                self.wfile.write(body)

        def log_message(self, *args: object) -> None:
            """Quiet: a crawl is thousands of requests."""

    class Server(http.server.ThreadingHTTPServer):
        daemon_threads = True

        def handle_error(self, request: object, client_address: object) -> None:
            """Quiet: the scan hangs up on what it does not want (a robots.txt past its
            budget), which is what is measured here."""

    server = Server(("127.0.0.1", 0), Handler)
    thread = threading.Thread(target=server.serve_forever, daemon=True)
    thread.start()
    try:
        yield f"http://127.0.0.1:{server.server_address[1]}/"
    finally:
        server.shutdown()
        server.server_close()
        thread.join(timeout=10)


@dataclass
class Row:
    case: Case
    size_mb: float
    measured: Measured
    scan: Scan
    pages: int
    targets: int
    unverified: int


def scan_site(case: Case, base_url: str, work: Path, size_mb: float) -> Row:
    db_url = f"sqlite:///{work / f'{case.name}.db'}"
    cmd = [
        *(sys.executable, "-m", "govpatrol.cli.main", "scan", base_url, "--name", case.name),
        *("--no-browser", "--as-of", AS_OF.isoformat()),
    ]
    run = measure(cmd, env={"GOVPATROL_DATABASE_URL": db_url}, cwd=REPO, timeout_s=3600)
    with Session(get_engine(db_url)) as session:
        scan = session.exec(select(Scan).order_by(Scan.id.desc())).first()
        targets = dict(
            session.exec(
                select(LinkTarget.outcome, func.count())
                .where(LinkTarget.scan_id == scan.id)
                .group_by(LinkTarget.outcome)
            ).all()
        )
    return Row(
        case,
        size_mb,
        run,
        scan,
        (scan.stats or {}).get("pages", 0),
        sum(targets.values()),
        targets.get(LinkOutcome.unverified, 0),
    )


def run_case(case: Case, work: Path) -> Row:
    if case.build is None:
        portal = work / "portal"
        generate_portal(portal, AS_OF)
        with static_server(portal) as base_url:
            return scan_site(case, base_url, work, 0.0)
    files = case.build()
    size_mb = max(len(body) for body in files.values()) / 2**20
    with serve(files) as base_url:
        return scan_site(case, base_url, work, size_mb)


def cut_words(scan: Scan) -> str:
    cuts = (scan.stats or {}).get("cut") or {}
    return "; ".join(f"{reason} {cut.get('count', 0):,}" for reason, cut in sorted(cuts.items()))


def render(rows: list[Row]) -> str:
    lines = [
        [
            row.case.what,
            f"{row.size_mb:.1f}" if row.size_mb else "—",
            f"{row.measured.wall_s:.1f}",
            f"{row.measured.peak_rss_mb:.0f}",
            f"{row.measured.peak_pss_mb:.0f}",
            f"{row.measured.cpu_s:.0f}",
            row.pages,
            f"{row.targets:,} ({row.unverified:,} unverified)",
            row.scan.status.value,
            cut_words(row.scan) or "—",
            BEFORE.get(row.case.name, "—"),
        ]
        for row in rows
    ]
    headers = [
        "case",
        "largest body MB",
        "wall s",
        "peak RSS MB",
        "peak PSS MB",
        "CPU s",
        "pages",
        "link targets",
        "scan",
        "cut (scan.stats['cut'], count)",
        "before the budgets (issue #18)",
    ]
    intro = (
        f"Each hostile site: the hostile file plus a home page and {INNER_PAGES} ordinary "
        "pages, served from memory by a thread of the benchmark on 127.0.0.1; `govpatrol scan "
        "URL --no-browser` with the default budgets (robots.txt 500 KiB / 1,000 rules, 10,000 "
        "links a page, 200,000 link targets, link verification 1,800 s, scan 10,800 s). Peak "
        "RSS and PSS are the scan's whole process tree (the scan process, which crawls, and "
        "its page-check worker)."
    )
    return intro + "\n\n" + table(headers, lines)


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--cases", default=",".join(c.name for c in CASES))
    parser.add_argument("--work", type=Path, default=None, help="keep the stores here")
    args = parser.parse_args()
    chosen = args.cases.split(",")
    work = args.work or Path(tempfile.mkdtemp(prefix="bench-hostile-"))
    work.mkdir(parents=True, exist_ok=True)
    rows = []
    for case in CASES:
        if case.name not in chosen:
            continue
        row = run_case(case, work)
        rows.append(row)
        print(
            f"  {case.what}: {row.measured.wall_s:.1f} s, peak RSS "
            f"{row.measured.peak_rss_mb:.0f} MB (PSS {row.measured.peak_pss_mb:.0f}), scan "
            f"{row.scan.status.value}, {row.pages} pages; cut: {cut_words(row.scan) or '—'}",
            flush=True,
        )
    body = render(rows)
    print(body)
    command = ".venv/bin/python bench/hostile.py"
    if args.cases != parser.get_default("cases"):
        command += f" --cases {args.cases}"
    write_section("hostile", "Hostile content: budgets for what a site controls", command, body)


if __name__ == "__main__":
    main()
