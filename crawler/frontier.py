"""The crawl's queue of requests, kept small.

A breadth-first crawl of a large portal holds most of the site in its queue at once: the
column pages come first and list every article. Scrapy's own scheduler keeps each queued
request as a ``Request`` with its meta dict, a parsed copy of its URL and an entry in
Scrapy's live-object registry, about 2 KB each (40 MB at the peak of a 21,580-page crawl).
A page request the spider built and nobody has changed since is fully described by a few
values the spider already holds, so this scheduler keeps such requests as the spider's own
tuple (``SiteSpider.frontier_entry``) and rebuilds the request when it is its turn
(``SiteSpider.frontier_request``). Every other request (robots.txt, retries, redirects …)
is kept as it is.

Order is Scrapy's: the highest priority first (``DEPTH_PRIORITY`` makes that the
shallowest page), first in first out within a priority. There is no duplicate filter: the
spider admits each URL once itself.
"""

from __future__ import annotations

from collections import deque
from typing import Any, Protocol

from scrapy import Request, Spider
from scrapy.core.scheduler import BaseScheduler


class CompactingSpider(Protocol):
    def frontier_entry(self, request: Request) -> tuple[Any, ...] | None: ...

    def frontier_request(self, entry: tuple[Any, ...]) -> Request: ...


class CompactScheduler(BaseScheduler):
    def __init__(self) -> None:
        self.spider: CompactingSpider | None = None
        self.queues: dict[int, deque[Request | tuple[Any, ...]]] = {}
        self.size = 0

    def open(self, spider: Spider) -> None:
        if hasattr(spider, "frontier_entry") and hasattr(spider, "frontier_request"):
            self.spider = spider  # type: ignore[assignment]

    def close(self, reason: str) -> None:
        self.queues.clear()
        self.size = 0

    def __len__(self) -> int:
        return self.size

    def has_pending_requests(self) -> bool:
        return self.size > 0

    def enqueue_request(self, request: Request) -> bool:
        entry = self.spider.frontier_entry(request) if self.spider else None
        queue = self.queues.get(request.priority)
        if queue is None:
            queue = self.queues[request.priority] = deque()
        queue.append(request if entry is None else entry)
        self.size += 1
        return True

    def next_request(self) -> Request | None:
        if not self.size:
            return None
        priority = max(self.queues)
        queue = self.queues[priority]
        item = queue.popleft()
        if not queue:
            del self.queues[priority]
        self.size -= 1
        if isinstance(item, Request):
            return item
        assert self.spider is not None
        return self.spider.frontier_request(item)
