"""Accessibility benchmark (issues 6 and 24): the static rules over every page of a generated
portal, the browser audit on a list of its pages next to pa11y-ci and @axe-core/cli (axe in
Debian's Chromium) on the same list, and a whole scan's browser sample, all on 127.0.0.1.

    .venv/bin/python bench/a11y.py [--static-pages 20000] [--browser-pages 200] [--quick]
                                   [--no-scan] [--no-peers]

Prints
* pages/s (wall and CPU) for ``checks.a11y_static.rules.audit`` (decode + parse + audit);
* per browser tool on the same pages (the spread sample plus every page the portal's truth
  plants an accessibility defect on): wall s, CPU s of the process tree (Chromium included),
  pages/s, peak RSS, and precision / recall of its findings against the truth, counted over
  the rules the truth is complete for, on those pages;
* ``govpatrol scan --only accessibility`` on the portal: the pages its sampler chose, the
  browser's seconds (scan stats), browser-seconds per 1,000 site pages, and the scan's
  accessibility findings against the truth over the whole site.

pa11y-ci and @axe-core/cli are installed into bench/out/node on first use.
"""

from __future__ import annotations

import argparse
import contextlib
import datetime as dt
import json
import os
import re
import shutil
import sqlite3
import subprocess
import sys
import tempfile
import time
from collections.abc import Callable, Iterable
from pathlib import Path
from urllib.parse import urlsplit

sys.path.insert(0, str(Path(__file__).resolve().parents[1]))

from bench.common import Measured, measure, static_server
from checks.a11y_static.rules import audit
from crawler.browser import DEFAULT_TABS, DEFAULT_TIMEOUT_S, audit_pages_sync
from extract.parse import decode, parse_html
from govpatrol.core.settings import CHROMIUM_ARGS
from sampleportal.generate import generate_portal

AS_OF = dt.date(2026, 11, 22)
HERE = Path(__file__).resolve().parent
NODE_DIR = HERE / "out" / "node"
PA11Y_BIN = NODE_DIR / "node_modules" / ".bin" / "pa11y-ci"
AXE_BIN = NODE_DIR / "node_modules" / ".bin" / "axe"
CHROMIUM = "/usr/bin/chromium"
CHROMEDRIVER = "/usr/bin/chromedriver"
AXE_TAGS = "wcag2a,wcag2aa,wcag21a,wcag21aa"
_ARTICLE_DIR = re.compile(r"^\d{6}$")  # articles live under yyyymm/ folders
Judge = Callable[[Iterable[tuple[str, str]]], str]


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


def truth_of(portal: Path) -> tuple[set[tuple[str, str]], set[str]]:
    """The portal's planted accessibility defects as (page path, rule), and the rules the
    truth is complete for (a finding of another rule is neither right nor wrong here)."""
    truth = json.loads((portal / "truth.json").read_text(encoding="utf-8"))
    rules = set(truth["a11y"]["static_rules"]) | set(truth["a11y"]["browser_only_rules"])
    planted = {
        (_page_key(f["page"]), f["key"]["rule"])
        for f in truth["findings"]
        if f["check"] == "accessibility"
    }
    return planted, rules


def _page_key(path_or_url: str) -> str:
    path = urlsplit(path_or_url).path or "/"
    return re.sub(r"/index\.html$", "/", path)


def precision_recall(
    found: Iterable[tuple[str, str]],
    planted: set[tuple[str, str]],
    rules: set[str],
    pages: set[str],
) -> str:
    """P/R of ``found`` against the truth, on ``pages``, over the rules truth is complete for."""
    seen = {(p, r) for p, r in found if r in rules and p in pages}
    want = {(p, r) for p, r in planted if p in pages}
    hit = len(seen & want)
    precision = hit / len(seen) if seen else 1.0
    recall = hit / len(want) if want else 1.0
    return f"P {precision:.3f} R {recall:.3f} ({hit} of {len(want)} planted, {len(seen)} reported)"


def _spread(items: list[str], count: int) -> list[str]:
    if count <= 0:
        return []
    step = len(items) / count
    return [items[int(i * step)] for i in range(count)]


# --------------------------------------------------------------------------- browsers


def browser_worker(url_file: Path) -> None:
    """Run in a child process so that measure() sees govpatrol and its Chromium together."""
    urls = url_file.read_text(encoding="utf-8").split()
    options = {}
    with contextlib.suppress(ImportError):  # a checkout from before the rendered-DOM rules
        from checks.a11y_rendered import rendered_dom_rules

        options["dom_rules"] = rendered_dom_rules()  # as the accessibility check runs it
    cpu0 = time.process_time()
    audits = audit_pages_sync(urls, tabs=DEFAULT_TABS, timeout_s=DEFAULT_TIMEOUT_S, **options)
    python_cpu = time.process_time() - cpu0
    steps: dict[str, float] = {}
    for a in audits:
        for step, seconds in getattr(a, "timings", {}).items():  # older checkouts: none
            steps[step] = steps.get(step, 0.0) + seconds
    quiet = sum(1 for a in audits if getattr(a, "settled_quiet", False))
    print(f"python_cpu={python_cpu:.2f} quiet={quiet} steps=" + json.dumps(steps), file=sys.stderr)
    errors = sum(1 for a in audits if a.error)
    violations = sum(len(a.violations) for a in audits)
    found = [[a.url, v.rule] for a in audits for v in a.violations]
    print(f"audited={len(audits)} errors={errors} violations={violations}", file=sys.stderr)
    print("found=" + json.dumps(found), file=sys.stderr)


def _line(tool: str, pages: int, count: int, run: Measured, rest: str) -> None:
    wall = max(run.wall_s, 1e-9)
    print(
        f"{tool}: {pages}/{count} pages {run.wall_s:.1f}s wall, {run.cpu_s:.1f}s CPU, "
        f"{pages / wall:.2f} p/s, peak RSS {run.peak_rss_mb:.0f} MB; {rest}",
        flush=True,
    )


def step_breakdown(steps: dict[str, float], pages: int) -> str:
    """Tab-seconds per audited page of each step of the audit, and their share."""
    total = sum(steps.values()) or 1.0
    parts = [
        f"{step} {seconds / max(pages, 1):.3f}s ({seconds / total:.0%})"
        for step, seconds in sorted(steps.items(), key=lambda kv: -kv[1])
    ]
    return "tab-s per page: " + ", ".join(parts)


def govpatrol_browser(url_file: Path, count: int, judge: Judge) -> None:
    run = measure([sys.executable, __file__, "--_browser-worker", str(url_file)], cwd=HERE.parent)
    match = re.search(r"audited=(\d+) errors=(\d+) violations=(\d+)", run.stderr)
    audited, errors, violations = (int(g) for g in match.groups()) if match else (0, count, 0)
    found_line = re.search(r"^found=(.*)$", run.stderr, re.M)
    found = json.loads(found_line.group(1)) if found_line else []
    steps_line = re.search(r"^python_cpu=([\d.]+) quiet=(\d+) steps=(.*)$", run.stderr, re.M)
    if steps_line:
        print(
            f"  govpatrol process CPU {float(steps_line.group(1)):.1f}s (the rest is Chromium); "
            f"{steps_line.group(2)} pages settled quiet early; "
            + step_breakdown(json.loads(steps_line.group(3)), audited),
            flush=True,
        )
    _line(
        f"govpatrol browser audit ({DEFAULT_TABS} tabs)",
        audited,
        count,
        run,
        f"{errors} errors, {violations} violations (rule × page); "
        + judge([(_page_key(url), rule) for url, rule in found]),
    )


# What stops a postinstall script from fetching a browser or a driver (there is no internet
# here; Debian's Chromium and chromedriver are used). Both, for every install: npm runs the
# install scripts of what the prefix holds already too (pa11y-ci's puppeteer when
# @axe-core/cli is added, which failed on 2026-12-07 with only the driver's variable set).
NPM_SKIP_DOWNLOADS = {"PUPPETEER_SKIP_DOWNLOAD": "1", "CHROMEDRIVER_SKIP_DOWNLOAD": "true"}


def npm_install(package: str, binary: Path) -> bool:
    """``package`` installed into bench/out/node (once)."""
    if binary.exists():
        return True
    NODE_DIR.mkdir(parents=True, exist_ok=True)
    print(f"installing {package} into bench/out/node …", flush=True)
    proc = subprocess.run(
        ["npm", "install", "--no-audit", "--no-fund", "--prefix", str(NODE_DIR), package],
        env={**os.environ, **NPM_SKIP_DOWNLOADS},
        capture_output=True,
        text=True,
        timeout=600,
    )
    if proc.returncode or not binary.exists():
        print(f"{package}: npm install failed (rc={proc.returncode}):\n{proc.stderr[-2000:]}")
        return False
    return True


def pa11y_bench(urls: list[str], work: Path, judge: Judge) -> None:
    if not npm_install("pa11y-ci", PA11Y_BIN):
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
    found = {
        (_page_key(url), issue["code"])
        for url, issues in report.get("results", {}).items()
        for issue in issues
        if isinstance(issue, dict) and issue.get("code")
    }
    _line(
        f"pa11y-ci (axe, concurrency {DEFAULT_TABS})",
        total - failed,
        len(urls),
        run,
        f"{report.get('errors', 0)} issues, {failed} pages failed to load; " + judge(found),
    )


def axe_cli_bench(urls: list[str], work: Path, judge: Judge) -> None:
    """@axe-core/cli: one Chromium through chromedriver, one page at a time (it has no
    concurrency), the same WCAG 2.1 A/AA tags govpatrol runs."""
    axe_cli = npm_install("@axe-core/cli", AXE_BIN)
    if not (axe_cli and Path(CHROMEDRIVER).exists()):
        print("@axe-core/cli: skipped (not installed, or no /usr/bin/chromedriver)", flush=True)
        return
    out = work / "axe-cli"
    out.mkdir(exist_ok=True)
    options = ",".join(arg.removeprefix("--") for arg in CHROMIUM_ARGS)
    cmd = [
        # through node: npm left the script without its execute bit after an install that
        # had failed once (2026-12-07)
        "node",
        str(AXE_BIN),
        *urls,
        "--tags",
        AXE_TAGS,
        "--chromedriver-path",
        CHROMEDRIVER,
        "--chrome-path",
        CHROMIUM,
        f"--chrome-options={options}",
        "--timeout",
        str(int(DEFAULT_TIMEOUT_S)),
        "--dir",
        str(out),
        "--save",
        "results.json",
        "--no-reporter",
    ]
    run = measure(cmd, cwd=work)
    try:
        report = json.loads((out / "results.json").read_text(encoding="utf-8"))
    except (OSError, ValueError):
        print(f"@axe-core/cli: no results (rc={run.returncode})\n{run.stderr[-2000:]}", flush=True)
        return
    found = {
        (_page_key(page["url"]), violation["id"])
        for page in report
        for violation in page.get("violations") or []
    }
    _line(
        "@axe-core/cli (one page at a time)",
        len(report),
        len(urls),
        run,
        f"{sum(len(p.get('violations') or []) for p in report)} violations; " + judge(found),
    )


# --------------------------------------------------------------------------- a whole scan


def scan_bench(base_url: str, work: Path, planted: set[tuple[str, str]], rules: set[str]) -> None:
    """``govpatrol scan --only accessibility``: the sampler's choice and the browser's
    seconds for the whole site, and its findings against the truth over every page."""
    db = work / "scan.db"
    out = work / "scan.json"
    cmd = [
        sys.executable,
        "-m",
        "govpatrol.cli.main",
        "scan",
        base_url,
        "--json",
        str(out),
        "--as-of",
        AS_OF.isoformat(),
        "--only",
        "accessibility",
        "--set",
        "link_timeout_s=2",
    ]
    run = measure(cmd, env={"GOVPATROL_DATABASE_URL": f"sqlite:///{db}"}, cwd=HERE.parent)
    try:
        with sqlite3.connect(db) as conn:
            scan_id, stats = conn.execute("SELECT id, stats FROM scan ORDER BY id DESC").fetchone()
            pages = conn.execute("SELECT COUNT(*) FROM page WHERE scan_id = ?", (scan_id,))
            site_pages = pages.fetchone()[0]
        export = json.loads(out.read_text(encoding="utf-8"))
    except (OSError, ValueError, TypeError, sqlite3.Error) as exc:
        print(f"scan: no results ({exc}; rc={run.returncode})\n{run.stderr[-2000:]}", flush=True)
        return
    browser = (json.loads(stats or "{}").get("accessibility") or {}).get("browser") or {}
    seconds = float(browser.get("elapsed_s") or 0.0)
    audited = int(browser.get("audited") or 0)
    found = {
        (_page_key(f["page"]), f["detail"].get("rule"))
        for f in export.get("findings", [])
        if f["check"] == "accessibility" and f["detail"].get("rule")
    }
    all_pages = {_page_key(f["page"]) for f in export.get("findings", [])} | {p for p, _ in planted}
    if browser.get("steps_s"):
        print(
            f"  scan's browser: {browser.get('settled_quiet')} pages settled quiet early; "
            + step_breakdown(browser["steps_s"], audited),
            flush=True,
        )
    print(
        f"govpatrol scan --only accessibility: {site_pages} site pages, browser sample "
        f"{browser.get('sample')} pages ({audited} audited, {len(browser.get('errors') or [])} "
        f"errors) in {seconds:.1f} browser-s = {seconds / max(audited, 1):.2f} s/page, "
        f"{seconds / max(site_pages, 1) * 1000:.1f} browser-s per 1,000 site pages; "
        f"scan {run.wall_s:.1f}s wall {run.cpu_s:.1f}s CPU; site findings "
        + precision_recall(found, planted, rules, all_pages),
        flush=True,
    )


# --------------------------------------------------------------------------- main


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--static-pages", type=int, default=20000)
    parser.add_argument("--browser-pages", type=int, default=200)
    parser.add_argument("--quick", action="store_true", help="2,000 static, 30 browser pages")
    parser.add_argument("--no-scan", action="store_true", help="skip the whole-site scan")
    parser.add_argument("--no-peers", action="store_true", help="skip pa11y-ci and axe-cli")
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

        planted, rules = truth_of(work / "portal")
        paths = sample_paths(site, args.browser_pages)
        # every page with a planted defect too, so that the tools' findings can be judged
        truth_paths = sorted({p.removeprefix("/") for p, _ in planted} - {"index.html"})
        paths += [
            p if not p.endswith("/") and p else p + "index.html"
            for p in truth_paths
            if (p if not p.endswith("/") and p else p + "index.html") not in paths
        ]
        with static_server(work / "portal") as base_url:
            urls = [base_url + path for path in paths]
            pages = {_page_key("/" + path) for path in paths}

            def judge(found: Iterable[tuple[str, str]]) -> str:
                return precision_recall(found, planted, rules, pages)

            url_file = work / "urls.txt"
            url_file.write_text("\n".join(urls), encoding="utf-8")
            print(f"browser pages: {len(urls)} ({len(truth_paths)} with planted defects)")
            govpatrol_browser(url_file, len(urls), judge)
            if not args.no_peers:
                pa11y_bench(urls, work, judge)
                axe_cli_bench(urls, work, judge)
            if not args.no_scan:
                scan_bench(base_url, work, planted, rules)
    finally:
        shutil.rmtree(work, ignore_errors=True)  # a 20,000-page portal is ~130 MB of /tmp


if __name__ == "__main__":
    main()
