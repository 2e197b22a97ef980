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

Past ``GOVPATROL_FRONTIER_MEMORY_PAGES`` compact entries in memory, further ones wait on disk
(a queuelib FIFO file per priority, in a temporary directory removed when the crawl ends), so
the queue of a 200,000-page portal costs the memory of the bound, not of the site. Within a
priority, once entries wait on disk every later compact entry joins them there, so the
order stays first in first out. A request that is not compact (a retry, a redirect hop) is
never written out: it stays in memory, and may so be sent before compact entries of its
priority that wait on disk, which only brings a retry forward.
"""

from __future__ import annotations

import marshal
import shutil
import tempfile
from collections import Counter, deque
from pathlib import Path
from typing import Any, Protocol

from queuelib import FifoDiskQueue
from scrapy import Request, Spider
from scrapy.core.scheduler import BaseScheduler

# the Scrapy setting that carries GOVPATROL_FRONTIER_MEMORY_PAGES (crawler.run)
MEMORY_SETTING = "GOVPATROL_FRONTIER_MEMORY_PAGES"
DEFAULT_MEMORY_ENTRIES = 20_000


class CompactingSpider(Protocol):
    stats_counts: Counter[str]

    def frontier_entry(self, request: Request) -> tuple[Any, ...] | None: ...

    def frontier_request(self, entry: tuple[Any, ...]) -> Request: ...


class _Lane:
    """The queue of one priority: entries in memory, then (past the bound) on disk."""

    def __init__(self) -> None:
        self.memory: deque[Request | tuple[Any, ...]] = deque()
        self.disk: FifoDiskQueue | None = None
        self.on_disk = 0

    def __len__(self) -> int:
        return len(self.memory) + self.on_disk


class CompactScheduler(BaseScheduler):
    def __init__(self, memory_entries: int = DEFAULT_MEMORY_ENTRIES) -> None:
        self.spider: CompactingSpider | None = None
        self.lanes: dict[int, _Lane] = {}
        self.size = 0
        self.in_memory = 0  # compact entries held in memory
        self.memory_entries = max(memory_entries, 1)
        self.directory: Path | None = None

    @classmethod
    def from_crawler(cls, crawler: Any) -> CompactScheduler:
        return cls(crawler.settings.getint(MEMORY_SETTING, DEFAULT_MEMORY_ENTRIES))

    def open(self, spider: Spider) -> None:
        if hasattr(spider, "frontier_entry") and hasattr(spider, "frontier_request"):
            self.spider = spider  # type: ignore[assignment]

    def close(self, reason: str) -> None:
        for lane in self.lanes.values():
            if lane.disk is not None:
                lane.disk.close()
        self.lanes.clear()
        self.size = self.in_memory = 0
        if self.directory is not None:
            shutil.rmtree(self.directory, ignore_errors=True)
            self.directory = None

    def __len__(self) -> int:
        return self.size

    def has_pending_requests(self) -> bool:
        return self.size > 0

    def enqueue_request(self, request: Request) -> bool:
        entry = self.spider.frontier_entry(request) if self.spider else None
        lane = self.lanes.get(request.priority)
        if lane is None:
            lane = self.lanes[request.priority] = _Lane()
        if entry is None:
            lane.memory.append(request)
        elif lane.on_disk or self.in_memory >= self.memory_entries:
            self._spill(lane, request.priority, entry)
        else:
            lane.memory.append(entry)
            self.in_memory += 1
        self.size += 1
        return True

    def next_request(self) -> Request | None:
        if not self.size:
            return None
        priority = max(self.lanes)
        lane = self.lanes[priority]
        if lane.memory:
            item = lane.memory.popleft()
            if not isinstance(item, Request):
                self.in_memory -= 1
        else:
            assert lane.disk is not None
            item = marshal.loads(lane.disk.pop())
            lane.on_disk -= 1
        if not lane:
            if lane.disk is not None:
                lane.disk.close()  # empty: queuelib removes its files
            del self.lanes[priority]
        self.size -= 1
        if isinstance(item, Request):
            return item
        assert self.spider is not None
        return self.spider.frontier_request(item)

    def _spill(self, lane: _Lane, priority: int, entry: tuple[Any, ...]) -> None:
        if lane.disk is None:
            if self.directory is None:
                self.directory = Path(tempfile.mkdtemp(prefix="govpatrol-frontier-"))
            lane.disk = FifoDiskQueue(self.directory / f"priority{priority}")
        # marshal: the entry is strings, numbers, booleans and None, and it is the fastest
        lane.disk.push(marshal.dumps(entry))
        lane.on_disk += 1
        if self.spider is not None:
            self.spider.stats_counts["queued_on_disk"] += 1
