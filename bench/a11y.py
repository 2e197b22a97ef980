"""Accessibility benchmark (issue 6): the static rules over every page of a generated portal,
the browser audit on a sample of its pages, and pa11y-ci (axe runner, Debian's Chromium) on the
same sample, all on 127.0.0.1.

    .venv/bin/python bench/a11y.py [--static-pages 20000] [--browser-pages 200] [--quick]

Prints pages/s (wall and CPU) for ``checks.a11y_static.rules.audit`` (decode + parse + audit, in
process), pages/s and peak RSS of the process tree (Chromium included) for govpatrol's browser
audit, and the same for pa11y-ci, installed into bench/out/node on first use.
"""

from __future__ import annotations

import argparse
import datetime as dt
import json
import os
import re
import shutil
import subprocess
import sys
import tempfile
import time
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parents[1]))

from bench.common import measure, static_server
from checks.a11y_static.rules import audit
from crawler.browser import DEFAULT_TABS, DEFAULT_TIMEOUT_S, audit_pages_sync
from extract.parse import decode, parse_html
from govpatrol.core.settings import CHROMIUM_ARGS
from sampleportal.generate import generate_portal

AS_OF = dt.date(2026, 11, 22)
HERE = Path(__file__).resolve().parent
NODE_DIR = HERE / "out" / "node"
PA11Y_BIN = NODE_DIR / "node_modules" / ".bin" / "pa11y-ci"
CHROMIUM = "/usr/bin/chromium"
_ARTICLE_DIR = re.compile(r"^\d{6}$")  # articles live under yyyymm/ folders


# --------------------------------------------------------------------------- static rules


def static_bench(site: Path) -> None:
    """Every HTML file, read into memory first so the figure is the rules, not the disk."""
    files = sorted(site.rglob("*.htm*"))
    bodies = [path.read_bytes() for path in files]
    violations = 0
    cpu0, wall0 = time.process_time(), time.perf_counter()
    for body in bodies:
        # the same steps as the crawler: decode, one lxml tree, the rules
        _encoding, text = decode(body, "text/html")
        violations += len(audit(parse_html(text), text))
    cpu, wall = time.process_time() - cpu0, time.perf_counter() - wall0
    n = len(bodies)
    print(
        f"static rules: {n} pages {wall:.1f}s wall {n / wall:.0f} p/s, "
        f"{cpu:.1f}s CPU {n / cpu:.0f} p/s per core; {violations} rule failures",
        flush=True,
    )


# --------------------------------------------------------------------------- the sample


def sample_paths(site: Path, count: int) -> list[str]:
    """Home, then list pages and articles in the proportion 1:3, spread over the site."""
    lists: list[str] = []
    articles: list[str] = []
    for path in sorted(site.rglob("*.htm*")):
        rel = path.relative_to(site).as_posix()
        if rel == "index.html":
            continue
        if path.name.startswith("index"):
            lists.append(rel)
        elif _ARTICLE_DIR.match(path.parent.name):
            articles.append(rel)
    want_lists = min(len(lists), (count - 1) // 4)
    want_articles = min(len(articles), count - 1 - want_lists)
    return ["index.html", *_spread(lists, want_lists), *_spread(articles, want_articles)]


def _spread(items: list[str], count: int) -> list[str]:
    if count <= 0:
        return []
    step = len(items) / count
    return [items[int(i * step)] for i in range(count)]


# --------------------------------------------------------------------------- browsers


def browser_worker(url_file: Path) -> None:
    """Run in a child process so that measure() sees govpatrol and its Chromium together."""
    urls = url_file.read_text(encoding="utf-8").split()
    audits = audit_pages_sync(urls, tabs=DEFAULT_TABS, timeout_s=DEFAULT_TIMEOUT_S)
    errors = sum(1 for a in audits if a.error)
    violations = sum(len(a.violations) for a in audits)
    print(f"audited={len(audits)} errors={errors} violations={violations}", file=sys.stderr)


def govpatrol_browser(url_file: Path, count: int) -> None:
    run = measure([sys.executable, __file__, "--_browser-worker", str(url_file)], cwd=HERE.parent)
    match = re.search(r"audited=(\d+) errors=(\d+) violations=(\d+)", run.stderr)
    audited, errors, violations = (int(g) for g in match.groups()) if match else (0, count, 0)
    print(
        f"govpatrol browser audit ({DEFAULT_TABS} tabs): {audited}/{count} pages "
        f"{run.wall_s:.1f}s {audited / run.wall_s:.2f} p/s, peak RSS {run.peak_rss_mb:.0f} MB; "
        f"{errors} errors, {violations} axe violations (rule × page)",
        flush=True,
    )


def install_pa11y() -> bool:
    if PA11Y_BIN.exists():
        return True
    NODE_DIR.mkdir(parents=True, exist_ok=True)
    print("installing pa11y-ci into bench/out/node …", flush=True)
    proc = subprocess.run(
        ["npm", "install", "--no-audit", "--no-fund", "--prefix", str(NODE_DIR), "pa11y-ci"],
        env={**os.environ, "PUPPETEER_SKIP_DOWNLOAD": "1"},
        capture_output=True,
        text=True,
        timeout=600,
    )
    if proc.returncode or not PA11Y_BIN.exists():
        print(f"pa11y-ci: npm install failed (rc={proc.returncode}):\n{proc.stderr[-2000:]}")
        return False
    return True


def pa11y_bench(urls: list[str], work: Path) -> None:
    if not install_pa11y():
        print("pa11y-ci: skipped (not installed)", flush=True)
        return
    results = work / "pa11y-results.json"
    config = {
        "defaults": {
            "chromeLaunchConfig": {"executablePath": CHROMIUM, "args": CHROMIUM_ARGS},
            "runners": ["axe"],
            "concurrency": DEFAULT_TABS,
            # with concurrency > 1 incognito contexts break (pa11y-ci#354)
            "useIncognitoBrowserContext": False,
            "timeout": int(DEFAULT_TIMEOUT_S * 1000),
            "reporters": [["json", {"fileName": str(results)}]],
        },
        "urls": urls,
    }
    config_file = work / "pa11y-ci.json"
    config_file.write_text(json.dumps(config, indent=1), encoding="utf-8")
    # pa11y-ci exits 2 when pages have issues: that is a result, not a failure
    run = measure([str(PA11Y_BIN), "--config", str(config_file)], cwd=work)
    try:
        report = json.loads(results.read_text(encoding="utf-8"))
    except (OSError, ValueError):
        print(f"pa11y-ci: no results (rc={run.returncode})\n{run.stderr[-2000:]}", flush=True)
        return
    total = int(report.get("total", 0))
    failed = sum(
        1
        for issues in report.get("results", {}).values()
        if any(isinstance(i, dict) and "message" in i and "code" not in i for i in issues)
    )
    print(
        f"pa11y-ci (axe, concurrency {DEFAULT_TABS}): {total} pages {run.wall_s:.1f}s "
        f"{total / run.wall_s:.2f} p/s, peak RSS {run.peak_rss_mb:.0f} MB; "
        f"{report.get('errors', 0)} issues, {failed} pages failed to load",
        flush=True,
    )


# --------------------------------------------------------------------------- main


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--static-pages", type=int, default=20000)
    parser.add_argument("--browser-pages", type=int, default=200)
    parser.add_argument("--quick", action="store_true", help="2,000 static, 30 browser pages")
    parser.add_argument("--_browser-worker", dest="browser_worker", help=argparse.SUPPRESS)
    args = parser.parse_args()
    if args.browser_worker:
        browser_worker(Path(args.browser_worker))
        return
    if args.quick:
        args.static_pages, args.browser_pages = 2000, 30

    work = Path(tempfile.mkdtemp(prefix="bench-a11y-"))
    try:
        generate_portal(work / "portal", AS_OF, extra_pages=args.static_pages)
        site = work / "portal" / "site"
        print(f"portal: {args.static_pages} extra pages in {work}", flush=True)
        static_bench(site)

        paths = sample_paths(site, args.browser_pages)
        with static_server(work / "portal") as base_url:
            urls = [base_url + path for path in paths]
            url_file = work / "urls.txt"
            url_file.write_text("\n".join(urls), encoding="utf-8")
            govpatrol_browser(url_file, len(urls))
            pa11y_bench(urls, work)
    finally:
        shutil.rmtree(work, ignore_errors=True)  # a 20,000-page portal is ~130 MB of /tmp


if __name__ == "__main__":
    main()
