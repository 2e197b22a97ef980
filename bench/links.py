"""Link benchmark (issues 3 and 9): a full govpatrol scan next to LinkChecker,
broken-link-checker and linkinator on the same generated portal, in the same run.

    .venv/bin/python bench/peers.py install          # once: the peers, outside the venv
    .venv/bin/python bench/links.py --size 20000     # or --size 2000, 50000

The portal (sample portal + ``size`` 专题 articles of ~30 links, one planted broken link per
100 articles) is served by nginx on 127.0.0.1 with a ``LinkChecker`` response header, so
LinkChecker runs at full speed. govpatrol runs ``govpatrol scan URL --no-browser`` (crawl,
every static check, link verification, scoring) as a user would; then, with
``--rescan``, the same scan again on the same store: nginx answers 304 to its conditional
requests and the page-level results are re-used.

For each tool: wall time, pages/s, peak RSS of its whole process tree, and the broken links
it reported against the truth. Scoring is on the generated 专题 articles (``/ztzl/zt*/``),
whose broken links are exactly the planted ones on any static server; the base portal's
~400 pages rely on the sample server's special routes (429s, redirects, slow pages …) that
nginx does not play, so what tools report there is counted but not scored.
"""

from __future__ import annotations

import argparse
import datetime as dt
import json
import sys
import tempfile
from dataclasses import dataclass
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parents[1]))

from sqlmodel import Session, func, select

from bench import peers
from bench.common import Measured, measure, static_server
from bench.report import table, write_section
from govpatrol.core.db import get_engine
from govpatrol.core.models import Finding, Page, Scan
from sampleportal.generate import generate_portal
from sampleportal.truth import site_path

AS_OF = dt.date(2026, 11, 22)
REPO = Path(__file__).resolve().parents[1]
SCORED_PREFIX = "/ztzl/zt"


@dataclass
class Row:
    tool: str
    measured: Measured
    pages: int
    broken: set[tuple[str, str]]
    note: str = ""


def scored(pairs: set[tuple[str, str]]) -> tuple[set[tuple[str, str]], int]:
    """The (page path, target path) pairs on generated articles, and how many others."""
    inside = {(site_path(p), site_path(t)) for p, t in pairs}
    kept = {pair for pair in inside if pair[0].startswith(SCORED_PREFIX)}
    return kept, len(inside) - len(kept)


def truth_pairs(portal: Path) -> set[tuple[str, str]]:
    truth = json.loads((portal / "truth.json").read_text("utf-8"))
    return {
        (f["page"], f["target"])
        for f in truth["findings"]
        if f["check"] == "broken_link" and f["page"].startswith(SCORED_PREFIX)
    }


def govpatrol_scan(
    base_url: str, db_url: str, size: int, overrides: list[str] | None = None
) -> tuple[Row, int]:
    """``govpatrol scan`` as a user runs it (no browser audit), measured as a whole;
    ``overrides``: thresholds passed with ``--set`` (a 200,000-page site needs budgets
    above the defaults, which are sized for 20,000)."""
    cmd = [
        *(sys.executable, "-m", "govpatrol.cli.main", "scan", base_url, "--name", "bench"),
        *("--no-browser", "--max-pages", str(size + 5000), "--as-of", AS_OF.isoformat()),
    ]
    for override in overrides or []:
        cmd += ["--set", override]
    run = measure(cmd, env={"GOVPATROL_DATABASE_URL": db_url}, cwd=REPO, timeout_s=7200)
    for process, peak_mb in run.peak_rss_by_process.items():
        print(f"    peak RSS {peak_mb:6.1f} MB  {process}", flush=True)
    engine = get_engine(db_url)
    with Session(engine) as session:
        scan = session.exec(select(Scan).order_by(Scan.id.desc())).first()
    with Session(engine) as session:
        done = scan
        pages = session.exec(
            select(func.count()).select_from(Page).where(Page.scan_id == scan.id)
        ).one()
        broken = set(
            session.exec(
                select(Finding.page, Finding.target).where(
                    Finding.scan_id == scan.id, Finding.check == "broken_link"
                )
            ).all()
        )
        crawl = (done.stats or {}).get("crawl", {})
        note = (
            f"scan #{done.id} {done.status}; crawl {crawl.get('elapsed_s')} s, "
            f"{crawl.get('reused_pages', 0)} pages re-used (304)"
        )
    return Row("govpatrol", run, pages, broken, note), scan.id


def peer_rows(base_url: str, tools: list[str], timeout_s: float) -> list[Row]:
    runners = {
        "linkchecker": peers.run_linkchecker,
        "blc": peers.run_blc,
        "linkinator": peers.run_linkinator,
    }
    rows = []
    for tool in tools:
        run = runners[tool](base_url, timeout_s=timeout_s)
        note = "" if run.measured.returncode in (0, 1) else f"exit {run.measured.returncode}"
        if run.measured.wall_s >= timeout_s:
            note = f"stopped at the {timeout_s:.0f} s limit"
        rows.append(Row(run.tool, run.measured, run.pages, run.broken, note))
        print(
            f"  {run.tool}: {run.measured.wall_s:.1f}s {run.measured.peak_rss_mb:.0f} MB",
            flush=True,
        )
    return rows


def render(rows: list[Row], truth: set[tuple[str, str]], size: int, total_pages: int) -> str:
    lines = []
    for row in rows:
        found, outside = scored(row.broken)
        hits = len(found & truth)
        recall = hits / len(truth) if truth else 1.0
        precision = hits / len(found) if found else (1.0 if not truth else 0.0)
        lines.append(
            [
                row.tool,
                f"{row.measured.wall_s:.1f}",
                row.pages or "—",
                f"{row.pages / row.measured.wall_s:.0f}" if row.pages else "—",
                f"{row.measured.peak_rss_mb:.0f}",
                f"{row.measured.peak_pss_mb:.0f}",
                f"{row.measured.cpu_s:.0f}",
                f"{hits}/{len(truth)}",
                f"{recall:.3f}",
                f"{precision:.3f}",
                outside,
                row.note,
            ]
        )
    headers = [
        "tool",
        "wall s",
        "pages",
        "pages/s",
        "peak RSS MB",
        "peak PSS MB",
        "CPU s",
        "planted broken found",
        "recall",
        "precision",
        "broken reported on base-portal pages (not scored)",
        "note",
    ]
    intro = (
        f"Portal: sample portal + {size} generated articles = {total_pages} HTML pages "
        f"({len(truth)} planted broken links on generated articles)."
    )
    return intro + "\n\n" + table(headers, lines)


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--size", type=int, default=20000)
    parser.add_argument("--tools", default="govpatrol,linkchecker,blc,linkinator")
    parser.add_argument("--rescan", action=argparse.BooleanOptionalAction, default=True)
    parser.add_argument("--timeout", type=float, default=3600, help="per peer tool, seconds")
    parser.add_argument("--work", type=Path, default=None, help="keep the portal and store here")
    parser.add_argument(
        "--set", action="append", default=[], help="a govpatrol threshold, NAME=VALUE (repeat)"
    )
    args = parser.parse_args()
    tools = args.tools.split(",")
    work = args.work or Path(tempfile.mkdtemp(prefix=f"bench-links-{args.size}-"))
    portal = work / "portal"
    truth_file = generate_portal(portal, AS_OF, extra_pages=args.size)
    total_pages = len(truth_file.pages)
    truth = truth_pairs(portal)
    rows: list[Row] = []
    with static_server(portal, linkchecker_header=True) as base_url:
        print(f"portal of {total_pages} pages at {base_url}", flush=True)
        if "govpatrol" in tools:
            db_url = f"sqlite:///{work / 'govpatrol.db'}"
            first, _ = govpatrol_scan(base_url, db_url, args.size, args.set)
            rows.append(first)
            print(
                f"  govpatrol: {first.measured.wall_s:.1f}s {first.measured.peak_rss_mb:.0f} MB",
                flush=True,
            )
            if args.rescan:
                again, _ = govpatrol_scan(base_url, db_url, args.size, args.set)
                again.tool = "govpatrol rescan (unchanged site)"
                rows.append(again)
                print(
                    f"  rescan: {again.measured.wall_s:.1f}s {again.measured.peak_rss_mb:.0f} MB",
                    flush=True,
                )
        rows += peer_rows(base_url, [t for t in tools if t != "govpatrol"], args.timeout)
    body = render(rows, truth, args.size, total_pages)
    print(body)
    command = f".venv/bin/python bench/links.py --size {args.size}"
    section, title = f"links-{args.size}", f"Link check, {args.size}-article portal"
    if args.tools != parser.get_default("tools"):
        # a run of some tools only gets a section of its own, so the side-by-side table of
        # every tool stays
        command += f" --tools {args.tools}"
        section += "-" + args.tools.replace(",", "-")
        title += f" ({args.tools} only)"
    if not args.rescan:
        command += " --no-rescan"
    command += "".join(f" --set {override}" for override in args.set)
    write_section(section, title, command, body)


if __name__ == "__main__":
    main()
