"""Capacity benchmark (issue 24): sites per week that one worker on a 2-core machine
scans, for a mix of site sizes, browser audit included, measured rather than estimated.

    .venv/bin/python bench/capacity.py                 # the default mix
    .venv/bin/python bench/capacity.py --mix small=0x1,medium=2000x1 --no-write

The default mix is sized to finish within a quarter of an hour on a quiet 2-core machine
(by the quiet machine's rates in docs/capacity.md, not yet timed there); one small and one
medium site took 7 minutes at a load average of 9–13.

The mix is a list of ``NAME=ARTICLESxCOUNT``: ``COUNT`` portals of the sample portal plus
``ARTICLES`` generated articles (0: the sample portal alone, ~530 pages). The default,
three small, two medium, one large portal, follows docs/capacity.md: most of a province's
sites are county and department portals of a few hundred pages, fewer are prefecture
portals of a few thousand, and a few are large provincial portals (the 20,000-page worst
case is measured by ``bench/links.py``, and would make this run longer than a quarter of an
hour). Every portal gets a seed of its own, so its dates, defects and planted broken links
differ.

Each portal is served by nginx on 127.0.0.1 (its own port) and scanned one after another
as one ``govpatrol worker --concurrency 1`` does: the scan is created queued
(``scheduler.scan_queue.start_scan``), claimed, and run as the worker's own child process
``govpatrol run-scan ID`` (``scan_command``) with the browser audit on, and settled as the
worker settles it. Measured per site: wall time and CPU seconds (user + system) of the
scan's process tree with Chromium, peak RSS / PSS, pages crawled, pages audited in the
browser and the audit's own seconds.

Printed (and written into docs/benchmarks.md, section ``capacity``): sites per week for
the mix, in the scan window (``GOVPATROL_SCAN_WINDOW``, 34 h by default) and in a whole
week, at full use of the worker and at capacity.md's planning duty of 60 %; the same per
size, so a deployment can weigh its own mix. The store is SQLite (one machine); the
figures are first scans: a weekly rescan re-uses unchanged pages and browser audits and
costs less.
"""

from __future__ import annotations

import argparse
import datetime as dt
import shutil
import sys
import tempfile
import time
from dataclasses import dataclass
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parents[1]))

from sqlmodel import Session, func, select

from bench.common import Measured, free_port, measure, nginx_server, play_server_routes
from bench.report import table, write_section
from govpatrol.core.models import Page, Scan, ScanStatus, Site
from sampleportal.generate import generate_portal
from scheduler.cluster import prepare_store
from scheduler.scan_queue import claim, scan_command, settle, start_scan
from scheduler.window import configured_window

AS_OF = dt.date(2026, 11, 22)
REPO = Path(__file__).resolve().parents[1]
DEFAULT_MIX = "small=0x3,medium=2000x2,large=5000x1"
DUTY = 0.6  # docs/capacity.md: retries, probes, report rendering, uneven slots
WEEK_H = 168.0


@dataclass(frozen=True)
class Kind:
    name: str
    articles: int
    count: int


@dataclass
class SiteRun:
    kind: str
    pages: int
    status: str
    measured: Measured
    audited: int
    browser_s: float


def parse_mix(text: str) -> list[Kind]:
    """``small=0x3,medium=2000x2`` → the kinds of site, in order."""
    kinds = []
    for part in text.split(","):
        name, _, spec = part.partition("=")
        articles, _, count = spec.partition("x")
        if not name or not articles.isdigit() or not count.isdigit() or int(count) < 1:
            raise SystemExit(f"--mix: expected NAME=ARTICLESxCOUNT, got {part!r}")
        kinds.append(Kind(name.strip(), int(articles), int(count)))
    return kinds


def scan_site(engine_url: str, url: str, name: str, timeout_s: float) -> tuple[int, Measured]:
    """One site's weekly scan as a worker runs it: queued, claimed, ``run-scan``, settled."""
    from govpatrol.core.db import get_engine

    engine = get_engine(engine_url)
    with Session(engine) as session:
        site = Site(name=name, url=url)
        session.add(site)
        session.commit()
        scan = start_scan(session, site, trigger="bench", as_of=AS_OF, options={"browser": True})
        scan_id = scan.id
        assert scan_id is not None and claim(session, scan_id)
    run = measure(
        scan_command(scan_id),
        env={"GOVPATROL_DATABASE_URL": engine_url, "PYTHONUNBUFFERED": "1"},
        cwd=REPO,
        timeout_s=timeout_s,
    )
    with Session(engine) as session:
        settle(session, scan_id, run.returncode, run.stderr[-2000:])
    return scan_id, run


def describe(engine_url: str, scan_id: int, kind: str, run: Measured) -> SiteRun:
    from govpatrol.core.db import get_engine

    with Session(get_engine(engine_url)) as session:
        scan = session.get(Scan, scan_id)
        assert scan is not None
        browser = ((scan.stats or {}).get("accessibility") or {}).get("browser") or {}
        pages = session.exec(
            select(func.count()).select_from(Page).where(Page.scan_id == scan_id)
        ).one()
        return SiteRun(
            kind=kind,
            pages=pages,
            status=ScanStatus(scan.status).value,
            measured=run,
            audited=int(browser.get("audited", 0) or 0),
            browser_s=float(browser.get("elapsed_s", 0.0) or 0.0),
        )


def per_week(wall_s: float, hours: float, duty: float = 1.0) -> float:
    return hours * 3600 * duty / wall_s if wall_s else 0.0


def render(runs: list[SiteRun], kinds: list[Kind], window_h: float) -> str:
    rows = [
        [
            r.kind,
            r.pages,
            r.status,
            f"{r.measured.wall_s:.1f}",
            f"{r.measured.cpu_s:.1f}",
            f"{r.measured.cpu_s / r.measured.wall_s:.2f}" if r.measured.wall_s else "—",
            r.audited,
            f"{r.browser_s:.1f}",
            f"{r.measured.peak_rss_mb:.0f} / {r.measured.peak_pss_mb:.0f}",
        ]
        for r in runs
    ]
    per_site = table(
        [
            "site",
            "pages crawled",
            "status",
            "wall s",
            "CPU s",
            "cores used",
            "pages audited in Chromium",
            "browser audit s",
            "peak RSS / PSS MB",
        ],
        rows,
    )
    summary = []
    groups = [(k.name, [r for r in runs if r.kind == k.name]) for k in kinds]
    groups.append(("the mix", runs))
    for name, group in groups:
        if not group:
            continue
        wall = sum(r.measured.wall_s for r in group) / len(group)
        cpu = sum(r.measured.cpu_s for r in group) / len(group)
        pages = sum(r.pages for r in group) / len(group)
        summary.append(
            [
                f"**{name}**" if name == "the mix" else name,
                len(group),
                f"{pages:.0f}",
                f"{wall:.1f}",
                f"{cpu:.1f}",
                f"{per_week(wall, window_h):.0f}",
                f"{per_week(wall, window_h, DUTY):.0f}",
                f"{per_week(wall, WEEK_H):.0f}",
                f"{per_week(wall, WEEK_H, DUTY):.0f}",
            ]
        )
    sites = table(
        [
            "sites like",
            "scanned",
            "mean pages",
            "mean wall s",
            "mean CPU s",
            f"sites in the {window_h:g} h window",
            "… at 60 % duty",
            "sites in a 168 h week",
            "… at 60 % duty",
        ],
        summary,
    )
    mix = ", ".join(f"{k.count} × {k.name} ({k.articles} articles)" for k in kinds)
    return (
        f"Mix: {mix}; each the sample portal plus its articles, seed of its own, on its own "
        "port of one nginx (127.0.0.1). One site after another, as one `govpatrol worker "
        "--concurrency 1` runs them: `govpatrol run-scan ID` (crawl, link verification, every "
        "check, the browser audit in Chromium, scoring; process start included), store SQLite. "
        "Wall, CPU (user + system) and peak memory are of the scan's process tree, Chromium "
        "included. Sites per week = hours × 3600 × duty / mean wall s per site, for one worker "
        "(the 60 % duty is capacity.md's planning allowance, not measured).\n\n"
        f"{per_site}\n\n{sites}"
    )


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--mix", default=DEFAULT_MIX, help="NAME=ARTICLESxCOUNT,…")
    parser.add_argument("--timeout", type=float, default=1800, help="per site scan, seconds")
    parser.add_argument("--no-write", action="store_true", help="do not touch benchmarks.md")
    args = parser.parse_args()
    kinds = parse_mix(args.mix)
    window = configured_window()
    work = Path(tempfile.mkdtemp(prefix="bench-capacity-"))
    engine_url = f"sqlite:///{work / 'govpatrol.db'}"
    prepare_store(engine_url).dispose()
    runs: list[SiteRun] = []
    started = time.monotonic()
    total = sum(k.count for k in kinds)
    try:
        for kind in kinds:
            for n in range(kind.count):
                portal = work / f"{kind.name}-{n}"
                seed = 7 + len(runs)
                generate_portal(portal, AS_OF, extra_pages=kind.articles, seed=seed)
                port = free_port()
                play_server_routes(portal, port)
                with nginx_server(_nginx(), portal, [port], workers=1) as (url,):
                    print(
                        f"[{len(runs) + 1}/{total}] {kind.name} ({kind.articles} articles) "
                        f"at {url}, {time.monotonic() - started:.0f} s into the run",
                        flush=True,
                    )
                    scan_id, run = scan_site(engine_url, url, f"{kind.name}-{n}", args.timeout)
                site = describe(engine_url, scan_id, kind.name, run)
                runs.append(site)
                shutil.rmtree(portal, ignore_errors=True)
                print(
                    f"    {site.status}: {site.pages} pages, {run.wall_s:.1f} s wall, "
                    f"{run.cpu_s:.1f} CPU s, {site.audited} pages in Chromium in "
                    f"{site.browser_s:.1f} s, peak {run.peak_rss_mb:.0f} MB RSS",
                    flush=True,
                )
    finally:
        shutil.rmtree(work, ignore_errors=True)
    body = render(runs, kinds, window.hours)
    print(body)
    if not args.no_write:
        command = ".venv/bin/python bench/capacity.py"
        if args.mix != DEFAULT_MIX:
            command += f" --mix {args.mix}"
        write_section("capacity", "Capacity: sites per week per worker", command, body)
    if any(r.status != ScanStatus.done.value for r in runs):
        sys.exit(1)


def _nginx() -> str:
    found = shutil.which("nginx") or "/usr/sbin/nginx"
    if not Path(found).exists():
        raise SystemExit("bench/capacity.py needs nginx")
    return found


if __name__ == "__main__":
    main()
