"""The crawl: ``run(job, page_checks)`` in a process that crawls once and exits (the
process's entry point is ``scan.crawl``, which brings the page checks).

A scan run by the dispatcher or a test crawls in a fresh process, so Twisted's reactor is
new every time and an interrupted or crashed crawl cannot take the caller down with it.
``govpatrol scan`` runs one scan and exits, so it crawls in its own process instead and
saves a second interpreter's memory.

Scrapy and Twisted are imported only once the page-check worker is forked (see
``PageChecker.start_worker``): that worker never needs them.
"""

from __future__ import annotations

import gc
import importlib
import inspect
import logging
import sys
from typing import Any

from crawler.job import CrawlJob
from crawler.page_checker import PageChecker
from govpatrol.core.settings import USER_AGENT, settings

# the reasons Scrapy gives for a crawl that was stopped from outside rather than ended
INTERRUPTED_REASONS = frozenset({"shutdown", None})

PAGE_MAX_BYTES = 20 * 1024 * 1024
REMOTE_CONTROL = "scrapy.extensions.remote_control.RemoteControl"
GC_YOUNG_THRESHOLD = 20_000  # allocations between collections of the youngest generation


def scrapy_settings(job: CrawlJob) -> dict[str, Any]:
    from scrapy.settings import default_settings

    from crawler.frontier import MEMORY_SETTING
    from crawler.middleware import SITE_URL_SETTING, SITE_ZONE_SETTING

    t = job.thresholds
    return {
        "USER_AGENT": USER_AGENT,
        "ROBOTSTXT_OBEY": False,  # the spider reads robots.txt itself to also mark targets
        "CONCURRENT_REQUESTS": max(t.concurrency, 1),
        "CONCURRENT_REQUESTS_PER_DOMAIN": max(t.concurrency, 1),
        "DOWNLOAD_DELAY": t.download_delay_s,
        "AUTOTHROTTLE_ENABLED": t.download_delay_s > 0,
        "AUTOTHROTTLE_START_DELAY": max(t.download_delay_s, 0.1),
        "AUTOTHROTTLE_TARGET_CONCURRENCY": float(max(t.concurrency, 1)),
        "DOWNLOAD_TIMEOUT": t.link_timeout_s,
        "DOWNLOAD_MAXSIZE": PAGE_MAX_BYTES,
        "DOWNLOAD_WARNSIZE": 0,
        # the crawl's own budget, within the whole scan's (the crawl is the scan's start)
        "CLOSESPIDER_TIMEOUT": min(t.time_budget_s, t.scan_budget_s),
        "RETRY_ENABLED": True,
        "RETRY_TIMES": 2,
        "REDIRECT_MAX_TIMES": 10,
        "DOWNLOADER_MIDDLEWARES": {
            "crawler.middleware.FetchGuardMiddleware": 50,
            "crawler.middleware.PageRequestHeadersMiddleware": 60,
            "scrapy.downloadermiddlewares.redirect.RedirectMiddleware": None,
            "scrapy.downloadermiddlewares.redirect.MetaRefreshMiddleware": None,
            "crawler.middleware.QuietMetaRefreshMiddleware": 580,
            "crawler.middleware.KnownTargetRedirectMiddleware": 600,
        },
        # The SSRF guard (crawler.netguard) vets every request and answers every name lookup,
        # so the crawl connects only to vetted addresses; a proxy would connect elsewhere.
        SITE_URL_SETTING: job.site_url,
        SITE_ZONE_SETTING: job.address_zone,
        "TWISTED_DNS_RESOLVER": "crawler.middleware.GuardedResolver",
        "HTTPPROXY_ENABLED": False,
        "HTTPERROR_ALLOW_ALL": True,
        "COOKIES_ENABLED": True,
        # The spider yields requests, never items: Scrapy's default of 100 starts 100 asyncio
        # tasks per response to process its output, a tenth of the crawl's CPU.
        "CONCURRENT_ITEMS": 1,
        # Responses waiting for the page-check process count against this; past it Scrapy
        # fetches no more until they are done. 1 MB (~25 real pages) keeps that process
        # busy; with Scrapy's 5 MB the crawl process of a 21,580-page portal peaked at
        # 235 MB instead of 219 MB, at the same speed.
        "SCRAPER_SLOT_MAX_ACTIVE_SIZE": 1_000_000,
        # the spider admits each URL once itself; the scheduler keeps its queue compact
        "SCHEDULER": "crawler.frontier.CompactScheduler",
        MEMORY_SETTING: settings().frontier_memory_pages,
        # the Referer of a page request is added when it is sent (PageRequestHeadersMiddleware)
        "SPIDER_MIDDLEWARES": {"scrapy.spidermiddlewares.referer.RefererMiddleware": None},
        # breadth-first: list pages come before the articles they list, so traps and caps
        # cut the deep end of a site, not its columns
        "DEPTH_PRIORITY": 1,
        "TELNETCONSOLE_ENABLED": False,
        # Scrapy 2.19 starts, in every crawl, an HTTP server on 127.0.0.1 that runs any
        # Python code sent with its token (kept in a file under ~/.local/state/scrapy): a
        # door into the crawl process a monitor must not open. Its module, which imports
        # aiohttp (95 modules), cost 0.16 CPU s of every crawl. Scrapy imports every
        # extension named in EXTENSIONS_BASE, even one disabled in EXTENSIONS, so it
        # leaves the base.
        "REMOTE_CONTROL_ENABLED": False,
        "EXTENSIONS_BASE": {
            name: order
            for name, order in default_settings.EXTENSIONS_BASE.items()
            if name != REMOTE_CONTROL
        },
        "LOG_LEVEL": "WARNING",
        "LOG_ENABLED": True,
        "LOG_INSTALL_ROOT_HANDLER": True,
        "MEMUSAGE_ENABLED": False,
        # Scrapy's byte counts of every request and response (downloader/*_bytes), which
        # nothing reads, cost 3 % of a rescan's crawl: its headers are serialised twice
        "DOWNLOADER_STATS": False,
        "REQUEST_FINGERPRINTER_IMPLEMENTATION": "2.7",
    }


def run(job: CrawlJob, page_checks: PageChecker, *, watch_parent: bool = True) -> str | None:
    """Crawl ``job`` to its end and return why it ended, as Scrapy's ``finish_reason``
    (``finished``, ``shutdown`` on SIGINT or SIGTERM, a ``CloseSpider`` reason …; None
    when a second signal stopped it before the spider could close).

    ``page_checks`` runs the checks of every page; it is closed when the crawl ends.
    ``watch_parent``: stop crawling if the process that started this one dies."""
    _tune_gc()
    page_checks.start_worker()
    try:
        _import_scrapy_tls()
        from scrapy.crawler import CrawlerProcess

        from crawler.spider import SiteSpider

        process = CrawlerProcess(settings=scrapy_settings(job))
        # Giving up on a page is an outcome the scan records, not an error of the crawler.
        logging.getLogger("scrapy.downloadermiddlewares.retry").setLevel(logging.CRITICAL)
        crawler = process.create_crawler(SiteSpider)
        process.crawl(crawler, job=job, page_checks=page_checks, watch_parent=watch_parent)
        process.start()
        return crawler.stats.get_value("finish_reason") if crawler.stats else None
    finally:
        page_checks.close()


# Scrapy modules that create deprecated aliases when imported (its HTTP/1.1 download
# handler imports them): see _import_scrapy_tls
_DEPRECATING_MODULES = (
    "scrapy.core.downloader.tls",
    "scrapy.core.downloader.contextfactory",
    "scrapy.core.downloader.handlers.http11",
)


def _import_scrapy_tls() -> None:
    """Import Scrapy's download handler with ``inspect.stack`` looking up no files.

    Scrapy names the module of each deprecated alias it creates (three, in its TLS modules)
    with ``inspect.stack()``, which, for every frame on the stack, looks for its source
    file and reads its lines; a frame of the import machinery has no file, and each such
    look walks all ~1,400 modules of a scan process. That was 16.9 % of a rescan's
    crawl-process samples (py-spy). The alias's module comes from the frame itself, which
    ``_frames`` gives without any look-up."""
    stack = inspect.stack
    inspect.stack = _frames  # type: ignore[assignment]
    try:
        for name in _DEPRECATING_MODULES:
            importlib.import_module(name)
    finally:
        inspect.stack = stack  # type: ignore[assignment]


def _frames(context: int = 1) -> list[inspect.FrameInfo]:
    """``inspect.stack()``'s frames, caller first, without file names resolved, source
    lines or positions."""
    frames = []
    frame = sys._getframe(1)
    while frame is not None:
        code = frame.f_code
        frames.append(
            inspect.FrameInfo(frame, code.co_filename, frame.f_lineno, code.co_name, None, None)
        )
        frame = frame.f_back
    return frames


def _tune_gc() -> None:
    """Fewer cyclic collections for the crawl and its forked check worker. A crawl allocates
    by the million (requests, responses, rows, link records); at Python's default of a
    collection every 700 allocations, a scan of a 5,000-article portal took 22.3 CPU s in the
    crawl process and 20.3 in the worker, against 18.0 and 19.1 with these settings, for
    8 MB more in the worker. ``freeze`` moves what the imports built out of the
    collector's sight: it is never garbage, and a worker forked afterwards leaves those
    shared pages untouched instead of copying them as the collector marks them."""
    gc.freeze()
    gc.set_threshold(GC_YOUNG_THRESHOLD, 10, 10)
