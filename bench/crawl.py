"""Crawl benchmark (issue 2): govpatrol's crawl stage next to a bare Scrapy spider that only
follows links, on generated portals of 2,000 and 20,000 pages served by nginx on 127.0.0.1.

    .venv/bin/python bench/crawl.py [--sizes 2000,20000] [--concurrency 16]

Prints pages/s and peak RSS (the crawl process tree) for both, the rate ratio (target ≥ 80 %)
and govpatrol's RSS growth from the smallest to the largest site (target ≤ 1.5×, < 400 MB).
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

from bench.common import measure, static_server
from govpatrol.db import get_engine
from govpatrol.models import Page, Site
from govpatrol.pipeline import crawl_job, create_scan
from sampleportal.generate import generate_portal

AS_OF = dt.date(2026, 11, 22)
HERE = Path(__file__).resolve().parent


def govpatrol_crawl(
    base_url: str, work: Path, max_pages: int, concurrency: int, checks: list[str] | None
) -> tuple[float, float, int]:
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
    run = measure([sys.executable, "-m", "crawler.run", str(job_file)], cwd=HERE.parent)
    with Session(get_engine(db_url)) as session:
        pages = session.exec(
            select(func.count()).select_from(Page).where(Page.scan_id == scan.id)
        ).one()
    return run.wall_s, run.peak_rss_mb, pages


def bare_crawl(base_url: str, concurrency: int) -> tuple[float, float, int]:
    run = measure([sys.executable, str(HERE / "bare_spider.py"), base_url, str(concurrency)])
    match = re.search(r"bare_pages=(\d+)", run.stderr)
    return run.wall_s, run.peak_rss_mb, int(match.group(1)) if match else 0


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--sizes", default="2000,20000")
    parser.add_argument("--concurrency", type=int, default=16)
    args = parser.parse_args()
    sizes = [int(s) for s in args.sizes.split(",")]
    rss_by_size = []
    for size in sizes:
        work = Path(tempfile.mkdtemp(prefix=f"bench-crawl-{size}-"))
        generate_portal(work / "portal", AS_OF, extra_pages=size)
        with static_server(work / "portal") as base_url:
            bare_s, bare_rss, bare_pages = bare_crawl(base_url, args.concurrency)
            bare_rate = bare_pages / bare_s
            print(
                f"size={size} bare spider: {bare_pages} pages {bare_s:.1f}s {bare_rate:.0f} p/s, peak RSS {bare_rss:.0f} MB"
            )
            # the crawler alone (fetch, decode, parse, links, store), then with every page check
            for label, checks in (("crawler only", []), ("crawler + page checks", None)):
                gp_s, gp_rss, gp_pages = govpatrol_crawl(
                    base_url, work, size + 5000, args.concurrency, checks
                )
                rate = gp_pages / gp_s
                print(
                    f"size={size} govpatrol {label}: {gp_pages} pages {gp_s:.1f}s {rate:.0f} p/s "
                    f"({rate / bare_rate:.0%} of bare), peak RSS {gp_rss:.0f} MB",
                    flush=True,
                )
                if checks is None:
                    rss_by_size.append((size, gp_rss))
    if len(rss_by_size) > 1:
        (small, small_rss), (large, large_rss) = rss_by_size[0], rss_by_size[-1]
        print(f"govpatrol peak RSS growth {small} → {large} pages: {large_rss / small_rss:.2f}×")


if __name__ == "__main__":
    main()
