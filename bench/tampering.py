"""Tampering benchmark: what comparing a scan with the previous one costs on a 2,000-page site.

    .venv/bin/python bench/tampering.py [--extra 1600]

The sample portal plus ``extra`` generated articles (about 2,000 pages in all), served on
127.0.0.1, scanned in full twice (``--no-browser``: the second scan is a rescan whose unchanged
pages answer 304 and keep their fingerprints). Then, in this process, the tampering check's
site hook is run against the store as the pipeline runs it for the second scan: the median of
a few runs, wall and CPU time, with the number of pages it compared.
"""

from __future__ import annotations

import argparse
import datetime as dt
import statistics
import sys
import tempfile
import time
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parents[1]))

from sqlmodel import Session, func, select

from bench.common import static_server
from bench.report import table, write_section
from checks.tampering import TEXT_KEY, TamperingCheck
from govpatrol.core.db import get_engine
from govpatrol.core.models import ListPage, Page, Scan, Site
from govpatrol.core.settings import Thresholds
from govpatrol.core.types import SiteContext
from sampleportal.generate import generate_portal
from scan.pipeline import create_scan, run_scan

AS_OF = dt.date(2026, 11, 22)
RUNS = 5


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--extra", type=int, default=1600, help="generated articles")
    args = parser.parse_args()
    work = Path(tempfile.mkdtemp(prefix="bench-tampering-"))
    generate_portal(work / "portal", AS_OF, extra_pages=args.extra)
    db_url = f"sqlite:///{work / 'govpatrol.db'}"
    engine = get_engine(db_url)
    scan_s: list[float] = []
    with static_server(work / "portal") as base_url:
        with Session(engine, expire_on_commit=False) as session:
            site = Site(name="示例市民政局门户网站", url=base_url)
            session.add(site)
            session.commit()
        ids = []
        for _ in range(2):
            with Session(engine, expire_on_commit=False) as session:
                options = {"browser": False, "thresholds": {"link_timeout_s": 2.0}}
                scan = create_scan(session, site, trigger="test", as_of=AS_OF, options=options)
            start = time.perf_counter()
            done = run_scan(scan.id, db_url=db_url)
            scan_s.append(time.perf_counter() - start)
            assert done.status == "done" and done.complete, done.error
            ids.append(done.id)
    walls, cpus = [], []
    with Session(engine, expire_on_commit=False) as session:
        second = session.get(Scan, ids[1])
        assert second is not None
        pages = session.exec(select(func.count()).where(Page.scan_id == ids[1])).one()
        compared = session.exec(
            select(func.count()).where(ListPage.scan_id == ids[1], ListPage.column_key == TEXT_KEY)
        ).one()
        ctx = SiteContext(scan_id=ids[1], site_id=site.id, site_url=site.url,
                          site_name=site.name, as_of=AS_OF, thresholds=Thresholds(),
                          session=session, scan=second, site=site)  # fmt: skip
        for _ in range(RUNS):
            wall, cpu = time.perf_counter(), time.process_time()
            found = list(TamperingCheck().on_site(ctx))
            walls.append(time.perf_counter() - wall)
            cpus.append(time.process_time() - cpu)
    rows = [
        ["pages crawled (second scan)", pages],
        ["pages fingerprinted and compared (home + column first pages)", compared],
        ["findings (an unchanged site: none expected)", len(found)],
        ["first scan / rescan, wall", f"{scan_s[0]:.1f} s / {scan_s[1]:.1f} s"],
        ["tampering site hook, wall (median of 5)", f"{statistics.median(walls) * 1e3:.0f} ms"],
        ["tampering site hook, CPU (median of 5)", f"{statistics.median(cpus) * 1e3:.0f} ms"],
    ]
    body = table(["what", "value"], rows)
    print(body)
    write_section(
        "tampering",
        "Tampering and backdating: the site hook on a 2,000-page rescan",
        "python bench/tampering.py",
        body,
    )


if __name__ == "__main__":
    main()
