"""One checkout's side of ``bench/crawl_ab.py``, run by that checkout's own interpreter with
the checkout as working directory, so the portal and the job are the ones its code makes:

    python crawl_ab_job.py portal WORK ARTICLES      # generate WORK/portal
    python crawl_ab_job.py job WORK BASE_URL N       # a new scan's job in WORK/job-N.json

Only what every checkout since issue #2 has is imported (sampleportal.generate,
scan.pipeline), so the same file drives old commits as well as main."""

from __future__ import annotations

import datetime as dt
import sys
from pathlib import Path

sys.path.insert(0, ".")  # the checkout whose code is measured

AS_OF = dt.date(2026, 11, 22)


def portal(work: Path, articles: int) -> None:
    from sampleportal.generate import generate_portal

    generate_portal(work / "portal", AS_OF, extra_pages=articles)


def job(work: Path, base_url: str, n: str) -> None:
    """A scan with every check and no browser, as bench/crawl.py's "+ page checks" row."""
    from sqlmodel import Session

    from govpatrol.core.db import get_engine
    from govpatrol.core.models import Site
    from scan.pipeline import crawl_job, create_scan

    db_url = f"sqlite:///{work / f'ab-{n}.db'}"
    with Session(get_engine(db_url), expire_on_commit=False) as session:
        site = Site(name="bench", url=base_url)
        session.add(site)
        session.commit()
        options = {
            "browser": False,
            "checks": None,
            "thresholds": {"max_pages": 100_000, "concurrency": 16},
        }
        scan = create_scan(session, site, as_of=AS_OF, options=options)
        crawl = crawl_job(scan, site, db_url)
    (work / f"job-{n}.json").write_text(crawl.to_json(), encoding="utf-8")


if __name__ == "__main__":
    what, work = sys.argv[1], Path(sys.argv[2])
    if what == "portal":
        portal(work, int(sys.argv[3]))
    else:
        job(work, sys.argv[3], sys.argv[4])
