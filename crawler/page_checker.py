"""What the crawl needs from the page checks: the one object it hands every parsed page to.

The checks themselves live above the crawler (``scan.page_checks.PageChecks`` runs them in
a worker process); the crawler knows them only through this shape, so it imports nothing
of the layers that use it.
"""

from __future__ import annotations

from collections.abc import Awaitable
from typing import Protocol

from govpatrol.core.types import CheckedPage, ParsedPage


class PageChecker(Protocol):
    """Runs the page checks of one crawl."""

    worker_deaths: int  # check processes lost on the way (scan.stats["crawl"])
    timeouts: int  # pages whose checks ran over their time

    def start_worker(self) -> None:
        """Get ready before the crawl imports Scrapy (a worker forked now stays small)."""

    def run(self, page: ParsedPage) -> Awaitable[CheckedPage]:
        """The checks' results for ``page``, to await."""
        ...

    def close(self) -> None:
        """The crawl is over: stop whatever runs the checks."""
