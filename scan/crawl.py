"""The crawl process: ``python -m scan.crawl JOB_JSON_FILE``, or ``crawl(job)`` in a process
that crawls once and exits.

It brings the page checks (``scan.page_checks``) to the crawler (``crawler.run``), which
knows them only by their shape. Importing this module does not import Scrapy: the
page-check worker is forked before the crawl loads it (see ``crawler.run``).
"""

from __future__ import annotations

import sys
from pathlib import Path

from crawler.job import CrawlJob
from crawler.run import run
from scan.page_checks import PageChecks


def crawl(job: CrawlJob, *, watch_parent: bool = True) -> str | None:
    """Crawl ``job`` with its page checks; returns why the crawl ended (``crawler.run.run``)."""
    page_checks = PageChecks(job.context(), job.only_checks, job.thresholds.check_processes)
    return run(job, page_checks, watch_parent=watch_parent)


def main(argv: list[str]) -> int:
    job = CrawlJob.from_json(Path(argv[1]).read_text(encoding="utf-8"))
    crawl(job)
    return 0


if __name__ == "__main__":
    sys.exit(main(sys.argv))
