"""Audit pages in a real Chromium: axe-core in every frame, plus the 适老化 checks that need one.

One Chromium process serves N tabs at once (``tabs``). Each tab is one browser context
with one page, kept for up to ``TAB_REUSE`` audits: a fresh context per page cost a new
renderer process and a cold axe-core every time (~0.5 s and ~0.7 s of a 3 s audit). Between
two audits the tab forgets the visitor (cookies, local and session storage, IndexedDB and
caches of every origin it saw, via about:blank), so pop-ups that show "once per visitor"
show again; a tab whose audit failed, or whose page tried to leave the site, is closed
rather than reused. axe-core is added once per context (``add_init_script``). Every audit is
bounded by ``timeout_s``. A page that hangs, crashes its tab or kills the browser is reported in
``PageAudit.error`` and skipped; the browser is relaunched when it disconnects or stops
answering, so one bad page never ends a scan.

Per page, in this order (so that nothing we do counts as the visitor's interaction):

1. load (DOMContentLoaded within the timeout; ``load`` waited for a bounded grace, a
   stalled analytics script must not cost the whole audit), then ~1 s with no input;
2. pop-ups shown on load: overlays covering much of the viewport, modal ``<dialog>``,
   ``window.open`` / ``alert`` on load, and floating windows (飘窗) that drift across the
   page; ad scripts and ad containers; an entry to a 无障碍/关怀版 mode in the rendered DOM;
3. axe-core (tags wcag2a, wcag2aa, wcag21a, wcag21aa) with ``runPartial`` in every frame,
   cross-origin frames included, merged by ``finishRun``;
4. a keyboard walk: Tab up to ``tab_walk_limit`` stops, recording which stops show no
   visible focus change (outline, box-shadow, border, background, colour, underline of
   the element or its parent) and which clickable controls cannot be reached at all.

Every request of an audit passes the scan's SSRF guard, fetched from Python and handed to
Chromium (``crawler.browser_guard``); a page whose main frame navigates to another site has
its audit ended, and nothing of it is reported. ``PageAudit`` counts the requests fulfilled,
refused and failed.

``audit_pages`` is the async API; ``iter_audits`` / ``audit_pages_sync`` wrap it for the
synchronous site hooks. This module holds the pool and the entry points; what a page audit
reports is ``crawler.browser_results``, steps 2–4 are ``crawler.browser_onload``,
``crawler.browser_axe`` and ``crawler.browser_keyboard``.
"""

from __future__ import annotations

import asyncio
import contextlib
import os
import queue
import threading
import time
from collections.abc import AsyncIterator, Iterator, Sequence
from typing import Any
from urllib.parse import urlsplit

from playwright.async_api import (
    Browser,
    BrowserContext,
    CDPSession,
    Page,
    Playwright,
    Route,
    WebSocketRoute,
    async_playwright,
)
from playwright.async_api import Error as PlaywrightError

from crawler.browser_axe import axe_init_script, run_axe
from crawler.browser_features import disable_features_switch
from crawler.browser_guard import (
    LEFT_SITE_TEXT,
    DeadProxy,
    GuardedFetcher,
    PageGuard,
    launch_options,
)
from crawler.browser_keyboard import TAB_WALK_LIMIT, tab_walk
from crawler.browser_onload import (
    AD_HOSTS,
    AD_PATH_WORDS,
    JS_ADS,
    JS_CARE_ENTRY,
    JS_POPUPS,
    JS_SAMPLE_POSITIONS,
    STRONG_AD_WORDS,
)
from crawler.browser_results import AdHit, Laps, PageAudit, Popup
from crawler.browser_settle import JS_QUIET, POLL_MS, QUIET_MS, quiet_init_script
from crawler.browser_static import RenderedDomRules
from crawler.netguard import FetchGuard
from govpatrol.core.settings import CHROMIUM_ARGS, CHROMIUM_PATH
from govpatrol.core.urls import host_of

# Measured on 2 shared cores (pages/s over 24 test pages, two rounds): 1 tab 0.42, 2 tabs
# 0.67, 3 tabs 0.69, 4 tabs 0.72. A second tab overlaps one page's idle settle time with
# another's CPU work (+58 %); more tabs add little and cost ~100 MB of renderer each.
DEFAULT_TABS = 2
DEFAULT_TIMEOUT_S = 45.0
SETTLE_S = 1.0  # "shown on load": what is on screen this long after load, without input
# Audits per tab before its context is replaced: a bound on what a long-lived renderer
# gathers (leaked listeners, detached DOM, V8 heap) on sites whose pages leak.
TAB_REUSE = 40


def chromium_available(path: str = CHROMIUM_PATH) -> bool:
    return os.path.isfile(path) and os.access(path, os.X_OK)


# --------------------------------------------------------------------------- the pool


class BrowserPool:
    """One Chromium and ``tabs`` pages at a time; relaunched when it misbehaves.

    ``guard``: the scan's SSRF guard, which every request of every page passes; without one,
    each page gets the guard of its own site (``FetchGuard(url)``). ``site_hosts``: hosts of
    the site besides each page's own, where its main frame may navigate. ``dom_rules``: axe
    rules judged on the rendered DOM by the caller's rules instead of by axe."""

    def __init__(
        self,
        *,
        tabs: int = DEFAULT_TABS,
        timeout_s: float = DEFAULT_TIMEOUT_S,
        settle_s: float = SETTLE_S,
        tab_walk_limit: int = TAB_WALK_LIMIT,
        care_keywords: Sequence[str] = (),
        executable_path: str = CHROMIUM_PATH,
        args: Sequence[str] = tuple(CHROMIUM_ARGS),
        viewport: tuple[int, int] = (1366, 768),
        popup_min_coverage: float = 0.25,
        guard: FetchGuard | None = None,
        site_hosts: Sequence[str] = (),
        dom_rules: RenderedDomRules | None = None,
    ) -> None:
        self.tabs = max(1, tabs)
        self.timeout_s = timeout_s
        self.settle_s = settle_s
        self.tab_walk_limit = tab_walk_limit
        self.care_keywords = list(care_keywords)
        self.executable_path = executable_path
        self.args = list(args)
        self.viewport = {"width": viewport[0], "height": viewport[1]}
        self.popup_min_coverage = popup_min_coverage
        self.guard = guard
        self.site_hosts = tuple(site_hosts)
        self.dom_rules = dom_rules
        self.restarts = 0
        self._pw: Playwright | None = None
        self._browser: Browser | None = None
        self._generation = 0
        self._lock = asyncio.Lock()
        self._user_agent = ""
        self._tasks: set[asyncio.Future[None]] = set()
        self._proxy = DeadProxy()
        self._fetchers: dict[str, GuardedFetcher] = {}

    async def __aenter__(self) -> BrowserPool:
        self._proxy.__enter__()
        try:
            await self._launch()
        except BaseException:
            await self.__aexit__()
            raise
        return self

    async def __aexit__(self, *exc: object) -> None:
        await self.close()
        fetchers, self._fetchers = list(self._fetchers.values()), {}
        for fetcher in fetchers:
            await fetcher.aclose()
        self._proxy.__exit__()

    def _fetcher_for(self, url: str) -> GuardedFetcher:
        """The pool's guard, or the page's site's: one transport (and pool of pinned
        connections) per guard."""
        key = "" if self.guard is not None else host_of(url)
        fetcher = self._fetchers.get(key)
        if fetcher is None:
            fetcher = GuardedFetcher(self.guard or FetchGuard(url))
            self._fetchers[key] = fetcher
        return fetcher

    async def close(self) -> None:
        browser, pw = self._browser, self._pw
        self._browser = self._pw = None
        if browser is not None:
            with contextlib.suppress(Exception):
                await asyncio.wait_for(browser.close(), 10)
        if pw is not None:
            with contextlib.suppress(Exception):
                await asyncio.wait_for(pw.stop(), 10)  # also kills a browser that would not close

    async def _launch(self) -> None:
        self._pw = await async_playwright().start()
        options = launch_options(self.executable_path, self.args, self._proxy)
        # last: it replaces Playwright's own switch, whose features it repeats
        options["args"] = [*options["args"], disable_features_switch()]
        self._browser = await self._pw.chromium.launch(**options)
        version = self._browser.version
        # Some portals' WAFs turn away "HeadlessChrome"; say who we are instead.
        self._user_agent = (
            "Mozilla/5.0 (X11; Linux x86_64) AppleWebKit/537.36 (KHTML, like Gecko) "
            f"Chrome/{version} Safari/537.36 govpatrol/0.1"
        )
        self._generation += 1

    async def _restart(self, seen_generation: int) -> None:
        """Relaunch once per failure, however many tabs noticed it."""
        async with self._lock:
            if self._generation != seen_generation:
                return
            self.restarts += 1
            await self.close()
            await self._launch()

    async def _healthy_browser(self) -> tuple[Browser, int]:
        browser = self._browser
        if browser is None or not browser.is_connected():
            await self._restart(self._generation)
            browser = self._browser
        assert browser is not None
        return browser, self._generation

    # ----------------------------------------------------------------- one page

    async def audit(self, url: str, slot: _Slot | None = None) -> PageAudit:
        """Audit one page; never raises (errors land in ``PageAudit.error``). A page caught
        by a browser that died under it is tried once more in a fresh browser. ``slot``
        keeps the tab for the worker's next page; without one the tab is closed."""
        started = time.monotonic()
        own = slot is None
        slot = slot or _Slot()
        try:
            for attempt in range(2):
                result, browser_died = await self._attempt(url, slot)
                if not (browser_died and attempt == 0):
                    break
        finally:
            if own:
                await self._drop_tab(slot)
        result.elapsed_s = round(time.monotonic() - started, 3)
        return result

    async def _attempt(self, url: str, slot: _Slot) -> tuple[PageAudit, bool]:
        result = PageAudit(url=url)
        generation = self._generation
        guard = PageGuard(self._fetcher_for(url), url, self.site_hosts)
        clean = False
        laps = Laps(result.timings)
        try:
            browser, generation = await self._healthy_browser()
            tab = await asyncio.wait_for(self._ready_tab(browser, generation, slot), 15)
            laps.lap("tab")
            tab.start(guard, result)
            await asyncio.wait_for(self._run_on_site(tab, url, result, guard, laps), self.timeout_s)
            clean = not tab.crashed
        except TimeoutError:
            result.error = (
                f"timeout after {self.timeout_s:.0f} s (page hung or never finished loading)"
            )
        except PlaywrightError as exc:
            result.error = _short_error(exc)
            if "crashed" in result.error.lower():
                result.error = "tab crashed (renderer process died)"
        except Exception as exc:  # a broken page must never end the scan
            result.error = f"{type(exc).__name__}: {_short_error(exc)}"
        if slot.tab is not None:
            slot.tab.finish()
        await guard.close()
        if guard.left_site is not None:
            result = _left_site(result, guard.left_site)
            clean = False  # its page may be anywhere now: never hand it the next audit
        result.requests_fulfilled = guard.fulfilled
        result.requests_refused = guard.refused
        result.requests_failed = guard.failed
        result.requests_skipped = guard.skipped
        result.refused_urls = list(guard.refused_urls)
        retire = slot.tab is not None and (not clean or slot.tab.audits >= TAB_REUSE)
        if retire and not await self._drop_tab(slot):
            await self._safe_restart(generation)  # a tab that will not close: browser is stuck
        died = bool(result.error) and self._browser is not None and not self._browser.is_connected()
        if died:
            slot.tab = None
            await self._safe_restart(generation)
        return result, died

    async def _safe_restart(self, generation: int) -> None:
        """Relaunch without raising: if Chromium cannot start now, the next page's attempt
        tries again and reports the failure as that page's error."""
        with contextlib.suppress(Exception):
            await self._restart(generation)

    async def _ready_tab(self, browser: Browser, generation: int, slot: _Slot) -> _Tab:
        """The slot's tab, made to forget its last visitor; a new one when it has none or
        it belongs to a browser that was relaunched since."""
        tab = slot.tab
        if tab is not None and tab.generation == generation:
            try:
                await tab.forget_visitor()
                return tab
            except PlaywrightError:
                await self._drop_tab(slot)
        slot.tab = None
        slot.tab = await self._new_tab(browser, generation)
        return slot.tab

    async def _new_tab(self, browser: Browser, generation: int) -> _Tab:
        context = await browser.new_context(
            viewport=self.viewport,
            locale="zh-CN",
            user_agent=self._user_agent,
            ignore_https_errors=True,
            service_workers="block",
            accept_downloads=False,
        )
        try:
            # axe in every frame from the start, once per context: V8 reuses the compiled
            # bundle across documents; the axe run re-adds it where a page clobbered ``axe``.
            await context.add_init_script(axe_init_script())
            await context.add_init_script(quiet_init_script(self.settle_s))
            tab = _Tab(context, generation, self._background)
            await tab.open()
        except BaseException:
            await self._close_context(context)
            raise
        return tab

    async def _drop_tab(self, slot: _Slot) -> bool:
        tab, slot.tab = slot.tab, None
        return tab is None or await self._close_context(tab.context)

    @staticmethod
    async def _close_context(context: BrowserContext) -> bool:
        try:
            await asyncio.wait_for(context.close(), 10)
            return True
        except Exception:
            return False

    async def _run_on_site(
        self, tab: _Tab, url: str, result: PageAudit, guard: PageGuard, laps: Laps
    ) -> None:
        """``_run``, ended as soon as the page's main frame tries to leave the site."""
        run = asyncio.ensure_future(self._run(tab, url, result, guard, laps))
        left = asyncio.ensure_future(guard.left.wait())
        try:
            await asyncio.wait({run, left}, return_when=asyncio.FIRST_COMPLETED)
        finally:
            for task in (run, left):
                task.cancel()
            await asyncio.gather(run, left, return_exceptions=True)
        if guard.left_site is None:
            run.result()  # its error, if any

    async def _run(
        self, tab: _Tab, url: str, result: PageAudit, guard: PageGuard, laps: Laps
    ) -> None:
        page = tab.page

        nav_timeout = self.timeout_s * 0.6
        response = await page.goto(url, wait_until="domcontentloaded", timeout=nav_timeout * 1000)
        result.status = response.status if response is not None else None
        laps.lap("goto")
        try:
            await page.wait_for_load_state("load", timeout=min(8.0, self.timeout_s * 0.2) * 1000)
            result.load_complete = True
        except PlaywrightError:
            result.load_complete = False  # a stalled third-party resource: audit what is there
        result.final_url = guard.redirected.get(page.url, page.url)
        laps.lap("load")

        result.settled_quiet = await self._settle(tab)
        laps.lap("settle")
        for raw in await page.evaluate(JS_POPUPS, self.popup_min_coverage):
            result.popups.append(Popup(**raw))
        lists = [list(AD_HOSTS), list(AD_PATH_WORDS), list(STRONG_AD_WORDS)]
        result.ad_scripts = [AdHit(**raw) for raw in await page.evaluate(JS_ADS, lists)]
        if self.care_keywords:
            result.care_mode_entry = await page.evaluate(JS_CARE_ENTRY, self.care_keywords)
        tab.on_load = False  # from here on, we interact: nothing counts as "on load"
        laps.lap("onload")

        result.violations, result.frames = await run_axe(page, self.dom_rules, laps)
        result.tab_walk = await tab_walk(page, await tab.cdp(), self.tab_walk_limit)
        laps.lap("keyboard")
        if tab.crashed:
            raise PlaywrightError("tab crashed (renderer process died)")

    async def _settle(self, tab: _Tab) -> bool:
        """Wait until what shows "on load" is there (``crawler.browser_settle``): True when
        the page proved quiet within half the settle time, else after the fixed wait, with
        the positions of floating windows sampled at half time."""
        page = tab.page
        half = self.settle_s / 2
        deadline = time.monotonic() + half
        while len(page.frames) == 1:  # a child frame's timers are not asked: full wait
            quiet_for = time.monotonic() - tab.requests_ended
            if (
                not tab.requests_open
                and quiet_for * 1000 >= QUIET_MS
                and await page.evaluate(JS_QUIET, QUIET_MS)
            ):
                return True
            if time.monotonic() + POLL_MS / 1000 >= deadline:
                break
            await page.wait_for_timeout(POLL_MS)
        await page.wait_for_timeout(max(0.0, deadline - time.monotonic()) * 1000)
        await page.evaluate(JS_SAMPLE_POSITIONS)
        await page.wait_for_timeout(half * 1000)
        return False

    def _background(self, awaitable: Any) -> None:
        """Run a clean-up call from an event handler, keeping a reference until it ends."""
        task = asyncio.ensure_future(_quietly(awaitable))
        self._tasks.add(task)
        task.add_done_callback(self._tasks.discard)

    # ----------------------------------------------------------------- many pages

    async def audit_many(self, urls: Sequence[str]) -> AsyncIterator[PageAudit]:
        """Audit ``urls`` with ``tabs`` pages at once; yields in completion order."""
        todo: asyncio.Queue[str] = asyncio.Queue()
        for url in urls:
            todo.put_nowait(url)
        done: asyncio.Queue[PageAudit | None] = asyncio.Queue()

        async def worker() -> None:
            slot = _Slot()  # this worker's tab, kept from one page to the next
            try:
                while True:
                    try:
                        url = todo.get_nowait()
                    except asyncio.QueueEmpty:
                        break
                    await done.put(await self.audit(url, slot))
            finally:
                await self._drop_tab(slot)
            await done.put(None)

        workers = [asyncio.create_task(worker()) for _ in range(min(self.tabs, len(urls)))]
        finished = 0
        try:
            while finished < len(workers):
                item = await done.get()
                if item is None:
                    finished += 1
                else:
                    yield item
        finally:
            for task in workers:
                task.cancel()
            await asyncio.gather(*workers, return_exceptions=True)


class _Slot:
    """Where a worker keeps its tab between two pages."""

    def __init__(self) -> None:
        self.tab: _Tab | None = None


# Run in every frame before a tab moves on: what a page stored for the visitor.
_JS_FORGET = """() => {
    try { localStorage.clear(); } catch (e) {}
    try { sessionStorage.clear(); } catch (e) {}
}"""


class _Tab:
    """One browser context and its page, reused by one worker for audit after audit.

    The context's routes, and the page's dialog, pop-up and crash handlers, are installed
    once and act for the audit under way (``start``): its ``PageGuard`` answers the requests,
    its ``PageAudit`` records what shows on load."""

    def __init__(self, context: BrowserContext, generation: int, background: Any) -> None:
        self.context = context
        self.generation = generation
        self.page: Page  # set by open()
        self.audits = 0
        self.crashed = False
        self.on_load = False
        self.guard: PageGuard | None = None
        self.result: PageAudit | None = None
        self._origins: set[str] = set()
        self._background = background
        self._cdp: CDPSession | None = None
        self.requests_open = 0  # requests of the page being answered now
        self.requests_ended = time.monotonic()  # when the last one was answered

    async def open(self) -> None:
        await self.context.route("**/*", self._on_request)
        await self.context.route_web_socket("**/*", self._on_websocket)
        self.page = await self.context.new_page()
        self.page.on("crash", self._on_crash)
        self.page.on("dialog", self._on_dialog)
        self.context.on("page", self._on_popup)

    def start(self, guard: PageGuard, result: PageAudit) -> None:
        guard.page = self.page
        self.guard, self.result = guard, result
        self.on_load = True
        self.audits += 1

    def finish(self) -> None:
        """The audit is over: later requests are refused, and the origins its frames
        reached are remembered, to be forgotten before the next audit."""
        self.guard, self.result, self.on_load = None, None, False
        with contextlib.suppress(PlaywrightError):
            for frame in self.page.frames:
                origin = _origin_of(frame.url)
                if origin:
                    self._origins.add(origin)

    async def forget_visitor(self) -> None:
        """Leave the last page and forget all it stored, so the next page meets a
        first-time visitor (as a fresh context would)."""
        for frame in self.page.frames:
            with contextlib.suppress(PlaywrightError):
                await frame.evaluate(_JS_FORGET)
        await self.page.goto("about:blank")
        await self.context.clear_cookies()
        if self._origins:
            session = await self.cdp()
            await asyncio.gather(
                *(
                    session.send(
                        "Storage.clearDataForOrigin", {"origin": origin, "storageTypes": "all"}
                    )
                    for origin in sorted(self._origins)
                )
            )
            self._origins.clear()

    async def cdp(self) -> CDPSession:
        """The page's CDP session, opened once and kept with the tab (an attach and a detach
        per audit saved); it goes when the context is closed."""
        if self._cdp is None:
            self._cdp = await self.context.new_cdp_session(self.page)
        return self._cdp

    async def _on_request(self, route: Route) -> None:
        guard = self.guard
        if guard is None:  # between two audits: nobody would read the answer
            await _quietly(route.abort("aborted"))
            return
        self.requests_open += 1
        try:
            await guard.on_request(route)
        finally:
            self.requests_open -= 1
            self.requests_ended = time.monotonic()

    async def _on_websocket(self, websocket: WebSocketRoute) -> None:
        guard = self.guard
        if guard is None:
            with contextlib.suppress(PlaywrightError):
                await websocket.close(code=1008, reason="refused by the audit")
            return
        await guard.on_websocket(websocket)

    def _on_crash(self, _page: Page) -> None:
        self.crashed = True

    def _on_dialog(self, dialog: Any) -> None:
        if self.on_load and self.result is not None:
            text = f"{dialog.type}: {dialog.message}"[:120]
            self.result.popups.append(Popup(kind="alert", text=text))
        # an unanswered alert() would block the page; "leave the page?" is answered yes,
        # or the tab could not move on to the next audit
        leave = dialog.type == "beforeunload"
        self._background(dialog.accept() if leave else dialog.dismiss())

    def _on_popup(self, popup: Page) -> None:
        if popup is self.page:
            return
        if self.on_load and self.result is not None:
            self.result.popups.append(Popup(kind="window_open", text=popup.url[:200]))
        self._background(popup.close())


def _origin_of(url: str) -> str | None:
    parts = urlsplit(url)
    if parts.scheme not in ("http", "https") or not parts.netloc:
        return None
    return f"{parts.scheme}://{parts.netloc}"


async def _quietly(awaitable: Any) -> None:
    with contextlib.suppress(Exception):
        await awaitable


def _left_site(result: PageAudit, target: str) -> PageAudit:
    """What is kept of an audit ended because the page navigated to ``target`` on another
    site: nothing that was seen, only where it went."""
    return PageAudit(
        url=result.url,
        final_url=result.final_url,
        status=result.status,
        error=f"{LEFT_SITE_TEXT}: {target}",
        left_site=target,
    )


def _short_error(exc: BaseException) -> str:
    text = str(exc).strip().splitlines()
    return (text[0] if text else type(exc).__name__)[:300]


# --------------------------------------------------------------------------- entry points


async def audit_pages(
    urls: Sequence[str],
    *,
    tabs: int = DEFAULT_TABS,
    timeout_s: float = DEFAULT_TIMEOUT_S,
    **pool_options: Any,
) -> AsyncIterator[PageAudit]:
    """Audit every URL in one Chromium with ``tabs`` pages at a time (completion order)."""
    if not urls:
        return
    async with BrowserPool(tabs=tabs, timeout_s=timeout_s, **pool_options) as pool:
        async for audit in pool.audit_many(urls):
            yield audit


def iter_audits(
    urls: Sequence[str],
    *,
    tabs: int = DEFAULT_TABS,
    timeout_s: float = DEFAULT_TIMEOUT_S,
    **pool_options: Any,
) -> Iterator[PageAudit]:
    """Synchronous stream of :func:`audit_pages` for site hooks (works inside a running loop:
    the browser runs on its own thread). Closing the iterator stops the audit."""
    results: queue.Queue[PageAudit | BaseException | None] = queue.Queue()
    stop = threading.Event()

    async def produce() -> None:
        async for audit in audit_pages(urls, tabs=tabs, timeout_s=timeout_s, **pool_options):
            results.put(audit)
            if stop.is_set():
                break

    def run() -> None:
        try:
            asyncio.run(produce())
        except BaseException as exc:  # handed to the consumer, raised there
            results.put(exc)
        finally:
            results.put(None)

    thread = threading.Thread(target=run, name="govpatrol-browser", daemon=True)
    thread.start()
    try:
        while True:
            item = results.get()
            if item is None:
                break
            if isinstance(item, BaseException):
                raise item
            yield item
    finally:
        stop.set()
        thread.join(timeout=timeout_s + 30)


def audit_pages_sync(
    urls: Sequence[str],
    *,
    tabs: int = DEFAULT_TABS,
    timeout_s: float = DEFAULT_TIMEOUT_S,
    **pool_options: Any,
) -> list[PageAudit]:
    return list(iter_audits(urls, tabs=tabs, timeout_s=timeout_s, **pool_options))
