"""The page-level checks of a crawl, run on a second core.

Scrapy's engine keeps one core busy fetching, decoding and parsing pages and following
links; the page checks (columns, dates, documents, accessibility …) cost about as much
again. They run in a worker process forked from the crawl process, so the two halves
overlap: the spider sends the decoded page, the worker parses it once more (cheaper than
shipping a tree), extracts its links (the one step both halves need, done on the less busy
core) and sends back the links and what the checks made of the page, which the spider
stores and follows.

The two processes talk over a pair of pipes that the crawl's own event loop reads and
writes, so the crawl process gains no threads to fight its reactor for the GIL. The worker
holds no database connection and no state between pages, so a worker that dies loses
nothing: the pages it had are checked in the crawl process instead. A page whose checks
run longer than ``PAGE_TIMEOUT_S`` costs the worker its life and the page its check results
(in the crawl process such a page would have stalled the whole crawl).
``check_processes = 0`` runs every check in the crawl process; ``check_processes = N``
spreads the pages over N workers (for a machine with more cores than the crawl's two).
"""

from __future__ import annotations

import asyncio
import contextlib
import ctypes
import logging
import multiprocessing
import os
import pickle
import signal
from collections.abc import Awaitable, Callable, Iterable
from dataclasses import dataclass
from typing import Any, BinaryIO

from checks.table import all_checks
from extract.anchors import page_anchors
from extract.parse import extract_links, parse_html
from extract.templates import template_key
from govpatrol.core.models import Document, ListPage
from govpatrol.core.types import Check, CheckedPage, FindingData, ParsedPage, ScanContext
from govpatrol.core.writer import column_values

log = logging.getLogger(__name__)

PAGE_TIMEOUT_S = 120.0
MAX_WORKER_DEATHS = 3  # after that the checks run in the crawl process
_HEADER = 8  # bytes of the length prefix of every message on the pipes
_PR_SET_PDEATHSIG = 1


def check_page(checks: Iterable[Check], page: ParsedPage, ctx: ScanContext) -> CheckedPage:
    """Every check's page hook on one page. A failing check is logged and counted: it must
    never cost the page its other results, nor the crawl its life."""
    try:
        result = page_shape(page, ctx.thresholds.max_links_per_page)
    except Exception:  # the checks still run: they read the tree, not the links
        log.exception("links and template of %s unreadable", page.url)
        page.links = page.links or []
        result = CheckedPage(links=page.links, errors=1)
    for check in checks:
        try:
            records = list(check.on_page(page, ctx) or ())
        except Exception:
            log.exception("check %s failed on %s", check.name, page.url)
            result.errors += 1
            continue
        for record in records:
            if isinstance(record, FindingData):
                result.findings.append(record)
                continue
            if result.kind is None:
                result.kind = kind_of(record)
            result.rows.append((type(record), column_values(record)))
    return result


def page_shape(page: ParsedPage, max_links: int | None = None) -> CheckedPage:
    """What every checked page has whatever the checks say: its links (extracted here when
    the page came without them, at most ``max_links``), template and anchors."""
    if page.links is None:
        page.links = extract_links(page.tree, page.text, page.final_url, max_links)
    page.template_key = template_key(page.tree)
    return CheckedPage(
        links=page.links, template_key=page.template_key, anchors=page_anchors(page.tree)
    )


def kind_of(record: Any) -> str | None:
    """The page kind a check's row reveals: a column list, a document or an article."""
    if isinstance(record, ListPage) and not record.column_key.startswith("__"):
        return "list"
    if isinstance(record, Document):
        return "document" if record.is_normative else "article"
    return None


@dataclass
class PageInput:
    """A parsed page without its tree and links: what the worker needs to rebuild it."""

    url: str
    final_url: str
    status: int
    headers: dict[str, str]
    encoding: str
    text: str
    title: str
    depth: int
    is_home: bool
    content_hash: str
    referrer: str | None
    nav_text: str | None

    @classmethod
    def of(cls, page: ParsedPage) -> PageInput:
        return cls(**{name: getattr(page, name) for name in cls.__dataclass_fields__})

    def parsed(self) -> ParsedPage:
        fields = {name: getattr(self, name) for name in self.__dataclass_fields__}
        return ParsedPage(tree=parse_html(self.text), links=None, **fields)


class WorkerDied(RuntimeError):
    """The worker process is gone; the pages it had must be checked elsewhere."""


class PageChecks:
    """Runs the page checks of one crawl, in ``processes`` worker processes (0: in the crawl
    process). Each page goes to the worker with the fewest pages in hand, so on a machine
    with cores to spare the checks keep up with the crawl."""

    def __init__(self, ctx: ScanContext, only: list[str] | None, processes: int) -> None:
        self.ctx = ctx
        self.only = only
        self.checks = all_checks(only)
        self.use_worker = processes > 0 and bool(self.checks)
        self.lanes = [_Lane(self) for _ in range(processes if self.use_worker else 0)]
        self.worker_deaths = 0
        self.timeouts = 0

    def start_worker(self) -> None:
        """Fork the workers now, before the crawl imports Scrapy and Twisted and gathers its
        queue: a process forked later carries all of that in its resident memory (about
        25 MB) without ever using it. Without this each worker is forked at its first page."""
        if self.use_worker:
            for lane in self.lanes:
                lane.start()

    def run(self, page: ParsedPage) -> Awaitable[CheckedPage]:
        """The checks' results for ``page``, to await. With a worker the awaitable holds the
        page's text, not its tree: hundreds of pages may wait for the workers at once."""
        if not self.use_worker:
            return _ready(check_page(self.checks, page, self.ctx))
        return self._in_worker(PageInput.of(page))

    async def _in_worker(self, page: PageInput) -> CheckedPage:
        if not self.use_worker:  # the workers died too often while this page waited
            return check_page(self.checks, page.parsed(), self.ctx)
        lane = min(self.lanes, key=lambda lane: lane.in_hand)
        return await lane.check(page)

    def fork(self) -> _Worker:
        """A new worker. It is told the crawl process's ends of the other workers' pipes, to
        close: a worker holding another's request pipe open would keep that one from ever
        seeing the end of its input, and the crawl's end would wait on it."""
        others = [fd for lane in self.lanes for fd in lane.parent_fds()]
        return _Worker.fork(self.ctx, self.only, tuple(others))

    def lost_worker(self) -> None:
        self.worker_deaths += 1
        if self.worker_deaths >= MAX_WORKER_DEATHS:
            log.warning(
                "page-check workers died %d times; checking in the crawl process",
                self.worker_deaths,
            )
            self.use_worker = False

    def close(self) -> None:
        for lane in self.lanes:
            lane.close()


class _Lane:
    """One worker's place in the pool: the worker serving it (forked ahead as the spare,
    attached at its first page, replaced when it dies) and the pages it has in hand."""

    def __init__(self, owner: PageChecks) -> None:
        self.owner = owner
        self.worker: asyncio.Future[_Worker] | None = None
        self.spare: _Worker | None = None  # forked by start(), not yet on the event loop
        self.in_hand = 0

    def start(self) -> None:
        if self.worker is None and self.spare is None:
            self.spare = self.owner.fork()

    async def check(self, page: PageInput) -> CheckedPage:
        owner = self.owner
        self.in_hand += 1
        try:
            if self.worker is None:  # the pages arriving while it starts all wait for it
                self.worker = asyncio.ensure_future(self._next_worker())
            starting = self.worker
            worker = await asyncio.shield(starting)
            try:
                return await asyncio.wait_for(worker.check(page), PAGE_TIMEOUT_S)
            except TimeoutError:
                log.error(
                    "page checks ran over %.0f s on %s: worker stopped", PAGE_TIMEOUT_S, page.url
                )
                owner.timeouts += 1
                self._lose(starting)
                result = page_shape(page.parsed(), owner.ctx.thresholds.max_links_per_page)
                result.errors = 1
                return result
            except WorkerDied:
                self._lose(starting)
                return check_page(owner.checks, page.parsed(), owner.ctx)
        finally:
            self.in_hand -= 1

    async def _next_worker(self) -> _Worker:
        worker, self.spare = self.spare, None
        worker = worker or self.owner.fork()
        await worker.attach()
        return worker

    def parent_fds(self) -> list[int]:
        """The crawl process's ends of this lane's pipes, forked or attached."""
        workers = [self.spare] if self.spare is not None else []
        if self.worker is not None and self.worker.done() and not self.worker.exception():
            workers.append(self.worker.result())
        return [fd for worker in workers for fd in worker.parent_fds()]

    def _lose(self, starting: asyncio.Future[_Worker]) -> None:
        if self.worker is not starting:
            return  # another page already saw this worker die
        self.worker = None
        starting.result().kill()
        self.owner.lost_worker()

    def close(self) -> None:
        if self.worker is not None and self.worker.done() and not self.worker.exception():
            self.worker.result().stop()
        if self.spare is not None:  # the crawl ended before this worker's first page
            self.spare.stop()
        self.worker = self.spare = None


class _Worker:
    """One forked worker process, the crawl process's end of its two pipes, and the pages
    it has not answered yet."""

    def __init__(self, process: multiprocessing.process.BaseProcess, fds: tuple[int, int]) -> None:
        self.process = process
        self.fds: tuple[int, int] | None = fds  # (requests, answers) until attached
        self.requests: asyncio.WriteTransport | None = None
        self.answers: asyncio.ReadTransport | None = None
        self.pending: dict[int, asyncio.Future[CheckedPage]] = {}
        self.next_id = 0

    @classmethod
    def fork(
        cls, ctx: ScanContext, only: list[str] | None, others: tuple[int, ...] = ()
    ) -> _Worker:
        to_worker_r, to_worker_w = os.pipe()
        from_worker_r, from_worker_w = os.pipe()
        # fork: the worker starts in milliseconds with every module already imported; it
        # never touches the parent's reactor, event loop or database connections
        process = multiprocessing.get_context("fork").Process(
            target=_worker_main,
            args=(to_worker_r, from_worker_w, (to_worker_w, from_worker_r, *others), ctx, only),
            name="govpatrol-page-checks",
            daemon=True,
        )
        process.start()
        os.close(to_worker_r)
        os.close(from_worker_w)
        return cls(process, (to_worker_w, from_worker_r))

    async def attach(self) -> None:
        """Hand the pipes to the running event loop, which reads and writes them from now on."""
        assert self.fds is not None, "attached twice"
        requests_fd, answers_fd = self.fds
        self.fds = None
        loop = asyncio.get_running_loop()
        self.answers, _ = await loop.connect_read_pipe(
            lambda: _Framed(self.answered, self.lost), os.fdopen(answers_fd, "rb", 0)
        )
        self.requests, _ = await loop.connect_write_pipe(
            asyncio.Protocol, os.fdopen(requests_fd, "wb", 0)
        )

    def parent_fds(self) -> list[int]:
        """This process's ends of the worker's two pipes, while they are open."""
        if self.fds is not None:
            return list(self.fds)
        pipes = [t.get_extra_info("pipe") for t in (self.requests, self.answers) if t is not None]
        return [pipe.fileno() for pipe in pipes if pipe is not None and not pipe.closed]

    async def check(self, page: PageInput) -> CheckedPage:
        if self.requests is None or self.requests.is_closing():
            raise WorkerDied("the page-check worker is gone")
        self.next_id += 1
        request_id = self.next_id
        future = asyncio.get_running_loop().create_future()
        self.pending[request_id] = future
        self.requests.write(_frame((request_id, page)))
        try:
            return await future
        finally:
            self.pending.pop(request_id, None)

    def answered(self, message: tuple[int, CheckedPage]) -> None:
        request_id, result = message
        future = self.pending.pop(request_id, None)
        if future is not None and not future.done():
            future.set_result(result)

    def lost(self) -> None:
        for future in self.pending.values():
            if not future.done():
                future.set_exception(WorkerDied("the page-check worker died"))
        self.pending.clear()
        if self.requests is not None:
            self.requests.close()

    def kill(self) -> None:
        self.lost()
        self._close_unattached()
        if self.process.is_alive():
            self.process.kill()
        self.process.join(5)

    def stop(self) -> None:
        """After the crawl: the end of its input lets the worker exit by itself. The pipe is
        closed here and now: the transport would only close it on a later turn of the event
        loop, which waits behind this very call."""
        if self.requests is not None:
            pipe = self.requests.get_extra_info("pipe")
            self.requests.abort()
            pipe.close()
        self._close_unattached()
        self.process.join(30)
        if self.process.is_alive():
            self.process.kill()
            self.process.join(5)

    def _close_unattached(self) -> None:
        if self.fds is not None:
            for fd in self.fds:
                os.close(fd)
            self.fds = None


async def _ready(result: CheckedPage) -> CheckedPage:
    return result


def _frame(message: Any) -> bytes:
    data = pickle.dumps(message, protocol=pickle.HIGHEST_PROTOCOL)
    return len(data).to_bytes(_HEADER, "big") + data


class _Framed(asyncio.Protocol):
    """Reads length-prefixed pickles off a pipe and hands each one over whole."""

    def __init__(self, on_message: Callable[[Any], None], on_lost: Callable[[], None]) -> None:
        self.on_message = on_message
        self.on_lost = on_lost
        self.buffer = bytearray()

    def data_received(self, data: bytes) -> None:
        self.buffer += data
        while len(self.buffer) >= _HEADER:
            size = int.from_bytes(self.buffer[:_HEADER], "big")
            if len(self.buffer) < _HEADER + size:
                return
            message = pickle.loads(self.buffer[_HEADER : _HEADER + size])
            del self.buffer[: _HEADER + size]
            self.on_message(message)

    def connection_lost(self, exc: Exception | None) -> None:
        self.on_lost()


# -- inside the worker process --------------------------------------------------------------


def _worker_main(
    read_fd: int,
    write_fd: int,
    parent_ends: tuple[int, ...],
    ctx: ScanContext,
    only: list[str] | None,
) -> None:
    for fd in parent_ends:  # or this worker (or another) would never see the end of its input
        with contextlib.suppress(OSError):
            os.close(fd)
    # Ctrl-C reaches the whole process group: the crawl process decides how to stop, and
    # the worker must not die under the pages still queued for it.
    signal.signal(signal.SIGINT, signal.SIG_IGN)
    signal.signal(signal.SIGTERM, signal.SIG_DFL)
    _die_with_parent()
    checks = all_checks(only)
    with os.fdopen(read_fd, "rb") as requests, os.fdopen(write_fd, "wb") as answers:
        while True:
            message = _read_message(requests)
            if message is None:
                return
            request_id, page = message
            answers.write(_frame((request_id, check_page(checks, page.parsed(), ctx))))
            answers.flush()


def _read_message(stream: BinaryIO) -> Any | None:
    header = stream.read(_HEADER)
    if len(header) < _HEADER:
        return None
    size = int.from_bytes(header, "big")
    data = stream.read(size)
    return pickle.loads(data) if len(data) == size else None


def _die_with_parent() -> None:
    """A crawl process killed with SIGKILL takes its worker along (Linux); elsewhere the
    worker exits when its input pipe closes."""
    with contextlib.suppress(OSError, AttributeError):
        libc = ctypes.CDLL(None, use_errno=True)
        libc.prctl(_PR_SET_PDEATHSIG, signal.SIGKILL)
