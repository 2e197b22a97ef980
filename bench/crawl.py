"""Crawl benchmark (issue 2): govpatrol's crawl stage next to a bare Scrapy spider that only
follows links, on generated portals of 2,000 and 20,000 pages served by nginx on 127.0.0.1.

    .venv/bin/python bench/crawl.py [--sizes 2000,20000] [--concurrency 16]

Prints pages/s and peak RSS and PSS (the crawl process tree) for each, the rate ratio (target
≥ 80 %) and govpatrol's memory growth from the smallest to the largest site (target ≤ 1.5×,
< 400 MB), and writes them to docs/benchmarks.md. govpatrol's crawl forks a page-check worker
that shares most of its memory with the crawl process: RSS counts that memory twice, PSS once.
"""

from __future__ import annotations

import argparse
import datetime as dt
import re
import sys
import tempfile
from pathlib import Path

from sqlmodel import Session, func, select

sys.path.insert(0, str(Path(__file__).resolve().parents[1]))

from bench.common import Measured, measure, static_server
from bench.report import table, write_section
from govpatrol.core.db import get_engine
from govpatrol.core.models import Page, Site
from sampleportal.generate import generate_portal
from scan.pipeline import crawl_job, create_scan

AS_OF = dt.date(2026, 11, 22)
HERE = Path(__file__).resolve().parent


def govpatrol_crawl(
    base_url: str, work: Path, max_pages: int, concurrency: int, checks: list[str] | None
) -> tuple[Measured, int]:
    db_url = f"sqlite:///{work / ('bench-all.db' if checks is None else 'bench-none.db')}"
    with Session(get_engine(db_url), expire_on_commit=False) as session:
        site = Site(name="bench", url=base_url)
        session.add(site)
        session.commit()
        options = {
            "browser": False,
            "checks": checks,
            "thresholds": {"max_pages": max_pages, "concurrency": concurrency},
        }
        scan = create_scan(session, site, as_of=AS_OF, options=options)
        job = crawl_job(scan, site, db_url)
    job_file = work / "job.json"
    job_file.write_text(job.to_json(), encoding="utf-8")
    run = measure([sys.executable, "-m", "scan.crawl", str(job_file)], cwd=HERE.parent)
    with Session(get_engine(db_url)) as session:
        pages = session.exec(
            select(func.count()).select_from(Page).where(Page.scan_id == scan.id)
        ).one()
    return run, pages


def bare_crawl(base_url: str, concurrency: int) -> tuple[Measured, int]:
    run = measure([sys.executable, str(HERE / "bare_spider.py"), base_url, str(concurrency)])
    match = re.search(r"bare_pages=(\d+)", run.stderr)
    return run, int(match.group(1)) if match else 0


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--sizes", default="2000,20000")
    parser.add_argument("--concurrency", type=int, default=16)
    args = parser.parse_args()
    sizes = [int(s) for s in args.sizes.split(",")]
    rows: list[list[object]] = []
    memory_by_size: list[tuple[int, Measured]] = []
    for size in sizes:
        work = Path(tempfile.mkdtemp(prefix=f"bench-crawl-{size}-"))
        generate_portal(work / "portal", AS_OF, extra_pages=size)
        with static_server(work / "portal") as base_url:
            bare, bare_pages = bare_crawl(base_url, args.concurrency)
            bare_rate = bare_pages / bare.wall_s
            rows.append(_row(size, "bare Scrapy spider", bare, bare_pages, bare_rate))
            # the crawler alone (fetch, decode, parse, links, store), then with every page check
            for label, checks in (
                ("govpatrol crawler only", []),
                ("govpatrol + page checks", None),
            ):
                run, pages = govpatrol_crawl(base_url, work, size + 5000, args.concurrency, checks)
                rows.append(_row(size, label, run, pages, bare_rate))
                if checks is None:
                    memory_by_size.append((size, run))
    body = table(
        [
            "articles",
            "crawler",
            "pages",
            "wall s",
            "pages/s",
            "of bare",
            "peak RSS MB",
            "peak PSS MB",
            "CPU s",
        ],
        rows,
    )
    if len(memory_by_size) > 1:
        (small, first), (large, last) = memory_by_size[0], memory_by_size[-1]
        growth = (
            f"govpatrol + page checks, memory growth {small} → {large} articles: "
            f"RSS {last.peak_rss_mb / first.peak_rss_mb:.2f}×, "
            f"PSS {last.peak_pss_mb / first.peak_pss_mb:.2f}×"
        )
        print(growth)
        body += f"\n\n{growth}."
    command = f".venv/bin/python bench/crawl.py --sizes {args.sizes}"
    write_section(f"crawl-{args.sizes}", "Crawl rate against a bare Scrapy spider", command, body)


def _row(size: int, label: str, run: Measured, pages: int, bare_rate: float) -> list[object]:
    rate = pages / run.wall_s
    print(
        f"size={size} {label}: {pages} pages {run.wall_s:.1f}s {rate:.0f} p/s "
        f"({rate / bare_rate:.0%} of bare), peak RSS {run.peak_rss_mb:.0f} MB, "
        f"PSS {run.peak_pss_mb:.0f} MB",
        flush=True,
    )
    return [
        size,
        label,
        pages,
        f"{run.wall_s:.1f}",
        f"{rate:.0f}",
        f"{rate / bare_rate:.0%}",
        f"{run.peak_rss_mb:.0f}",
        f"{run.peak_pss_mb:.0f}",
        f"{run.cpu_s:.0f}",
    ]


if __name__ == "__main__":
    main()
