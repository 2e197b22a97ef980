"""Audit pages in a real Chromium: axe-core in every frame, plus the 适老化 checks that need one.

One Chromium process serves N tabs at once (``tabs``); every page gets a fresh browser
context (a first-time visitor: pop-ups that show "once per visitor" show) and is bounded
by ``timeout_s``. A page that hangs, crashes its tab or kills the browser is reported in
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
synchronous site hooks.
"""

from __future__ import annotations

import asyncio
import contextlib
import os
import queue
import re
import threading
import time
from collections.abc import AsyncIterator, Iterator, Sequence
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from playwright.async_api import Browser, BrowserContext, Frame, Page, Playwright, async_playwright
from playwright.async_api import Error as PlaywrightError

from crawler.browser_guard import (
    LEFT_SITE_TEXT,
    DeadProxy,
    GuardedFetcher,
    PageGuard,
    launch_options,
)
from crawler.netguard import FetchGuard
from govpatrol.core.settings import CHROMIUM_ARGS, CHROMIUM_PATH
from govpatrol.core.urls import host_of

AXE_TAGS = ("wcag2a", "wcag2aa", "wcag21a", "wcag21aa")
# Bump when what this module reports changes, so reused results of older scans expire.
# 2: requests pass the SSRF guard; earlier audits may hold what a page fetched from inside.
BROWSER_CHECKS_VERSION = "2"
# Measured on 2 shared cores (pages/s over 24 test pages, two rounds): 1 tab 0.42, 2 tabs
# 0.67, 3 tabs 0.69, 4 tabs 0.72. A second tab overlaps one page's idle settle time with
# another's CPU work (+58 %); more tabs add little and cost ~100 MB of renderer each.
DEFAULT_TABS = 2
DEFAULT_TIMEOUT_S = 45.0
SETTLE_S = 1.0  # "shown on load": what is on screen this long after load, without input
TAB_WALK_LIMIT = 200
SNIPPET_MAX = 240
SAMPLES = 5  # example elements kept per problem


def _axe_path() -> Path:
    import axe_playwright_python

    return Path(axe_playwright_python.__file__).with_name("axe.min.js")


_AXE_SOURCE: str | None = None


def axe_source() -> str:
    """axe-core's bundle as shipped by the ``axe-playwright-python`` package (read once)."""
    global _AXE_SOURCE
    if _AXE_SOURCE is None:
        _AXE_SOURCE = _axe_path().read_text(encoding="utf-8")
    return _AXE_SOURCE


def axe_version() -> str:
    match = re.search(r"axe v(\d+\.\d+\.\d+)", axe_source()[:200])
    return match.group(1) if match else "unknown"


def ruleset_version() -> str:
    """Identifies what an audit checked: reused results must come from the same rule set."""
    return f"axe-{axe_version()};{','.join(AXE_TAGS)};gp-{BROWSER_CHECKS_VERSION}"


def chromium_available(path: str = CHROMIUM_PATH) -> bool:
    return os.path.isfile(path) and os.access(path, os.X_OK)


# --------------------------------------------------------------------------- results


@dataclass
class Violation:
    """One axe rule that failed on a page (all frames merged)."""

    rule: str
    impact: str | None
    nodes: int
    target: str  # sample selector; frames and shadow roots joined by " >>> "
    snippet: str
    help: str
    help_url: str
    tags: list[str] = field(default_factory=list)


@dataclass
class Sample:
    selector: str
    snippet: str


@dataclass
class TabWalk:
    """What the keyboard walk saw. ``completed``: focus came back round within the bound."""

    stops: int = 0
    completed: bool = False
    no_focus_indicator: int = 0
    no_focus_samples: list[Sample] = field(default_factory=list)
    unreachable: int = 0
    unreachable_samples: list[Sample] = field(default_factory=list)


@dataclass
class Popup:
    """Something that interrupts a visitor on load without being asked for."""

    kind: str  # overlay | dialog | window_open | alert | floating
    selector: str = ""
    snippet: str = ""
    coverage: float = 0.0  # share of the viewport covered (overlays)
    text: str = ""


@dataclass
class AdHit:
    kind: str  # script | frame | element
    where: str  # URL or selector
    reason: str


@dataclass
class PageAudit:
    url: str
    final_url: str | None = None
    status: int | None = None
    violations: list[Violation] = field(default_factory=list)
    tab_walk: TabWalk | None = None
    popups: list[Popup] = field(default_factory=list)
    ad_scripts: list[AdHit] = field(default_factory=list)
    care_mode_entry: str | None = None  # text of a 无障碍/关怀版 entry seen in the rendered DOM
    load_complete: bool = False
    frames: int = 0
    error: str | None = None
    elapsed_s: float = 0.0
    # every request of the audit passed the SSRF guard: answered, refused, or failed
    requests_fulfilled: int = 0
    requests_refused: int = 0
    requests_failed: int = 0
    refused_urls: list[str] = field(default_factory=list)  # the first few
    left_site: str | None = None  # where the page's main frame tried to go, audit ended


# --------------------------------------------------------------------------- page scripts

# Shared helpers, prepended to the page scripts below.
_JS_HELPERS = r"""
const gpVisible = (el) => {
  const cs = getComputedStyle(el);
  if (cs.display === 'none' || cs.visibility !== 'visible' || parseFloat(cs.opacity) < 0.05) return false;
  const r = el.getBoundingClientRect();
  return r.width > 0 && r.height > 0;
};
const gpSelector = (el) => {
  const parts = [];
  for (let node = el; node && node.nodeType === 1 && parts.length < 6; node = node.parentElement) {
    const tag = node.localName;
    if (node.id && /^[A-Za-z][\w-]*$/.test(node.id) && document.querySelectorAll('#' + node.id).length === 1) {
      parts.unshift('#' + node.id); break;
    }
    const parent = node.parentElement;
    if (!parent) { parts.unshift(tag); break; }
    const same = Array.from(parent.children).filter((c) => c.localName === tag);
    parts.unshift(same.length === 1 ? tag : `${tag}:nth-of-type(${same.indexOf(node) + 1})`);
  }
  return parts.join(' > ');
};
const gpSnippet = (el) => {
  let html = el.outerHTML || '';
  if (html.length > 400) {
    const end = html.indexOf('>');
    html = end > 0 ? html.slice(0, end + 1) : html.slice(0, 400);
  }
  return html.replace(/\s+/g, ' ').trim();
};
"""

# Positions of positioned elements, to tell a drifting 飘窗 from a still one a moment later.
_JS_SAMPLE_POSITIONS = (
    "() => {"
    + _JS_HELPERS
    + r"""
  const seen = new Map();
  for (const el of document.querySelectorAll('body *')) {
    const pos = getComputedStyle(el).position;
    if (pos !== 'fixed' && pos !== 'absolute') continue;
    const r = el.getBoundingClientRect();
    seen.set(el, [r.left, r.top]);
  }
  window.__gpPositions = seen;
  return seen.size;
}"""
)

_JS_POPUPS = (
    "(minCoverage) => {"
    + _JS_HELPERS
    + r"""
  const vw = innerWidth, vh = innerHeight, viewport = vw * vh;
  const bodyText = (document.body && document.body.innerText || '').length;
  const out = [];
  const reported = [];
  const inside = (el) => reported.some((r) => r.contains(el));
  const centre = document.elementFromPoint(vw / 2, vh / 2);
  const before = window.__gpPositions || new Map();
  for (const el of document.querySelectorAll('body *')) {
    const cs = getComputedStyle(el);
    const fixed = cs.position === 'fixed';
    if (!fixed && cs.position !== 'absolute') continue;
    if (inside(el) || !gpVisible(el)) continue;
    const r = el.getBoundingClientRect();
    const w = Math.max(0, Math.min(r.right, vw) - Math.max(r.left, 0));
    const h = Math.max(0, Math.min(r.bottom, vh) - Math.max(r.top, 0));
    const coverage = (w * h) / viewport;
    const z = parseInt(cs.zIndex, 10);
    const onTop = centre && (el === centre || el.contains(centre));
    const text = (el.innerText || '').trim();
    const layoutWrapper = bodyText > 200 && text.length > bodyText * 0.5;
    // An overlay: covers much of the viewport, sits above the page at its centre, and is
    // not the page's own (absolutely positioned) layout wrapper.
    if (coverage >= minCoverage && onTop && !layoutWrapper && (fixed ? !(z < 0) : z >= 10)) {
      out.push({kind: 'overlay', selector: gpSelector(el), snippet: gpSnippet(el),
                coverage: Math.round(coverage * 100) / 100, text: text.slice(0, 120)});
      reported.push(el);
      continue;
    }
    // A floating window (飘窗): a small positioned box drifting diagonally on its own.
    const was = before.get(el);
    if (was && coverage > 0 && coverage < minCoverage && w * h >= 1500) {
      const dx = Math.abs(r.left - was[0]), dy = Math.abs(r.top - was[1]);
      if (dx > 2 && dy > 2) {
        out.push({kind: 'floating', selector: gpSelector(el), snippet: gpSnippet(el),
                  coverage: Math.round(coverage * 100) / 100, text: text.slice(0, 120)});
        reported.push(el);
      }
    }
  }
  for (const dlg of document.querySelectorAll('dialog[open]')) {
    if (inside(dlg) || !gpVisible(dlg) || !dlg.matches(':modal')) continue;
    out.push({kind: 'dialog', selector: gpSelector(dlg), snippet: gpSnippet(dlg), coverage: 0,
              text: (dlg.innerText || '').trim().slice(0, 120)});
  }
  return out;
}"""
)

# Ad networks, and the words that name an ad in a script path or an id/class ("ad" alone is
# weak: it only counts on a box with media or a link). Shared with the static check.
AD_HOSTS = (
    "googlesyndication.com",
    "doubleclick.net",
    "googleadservices.com",
    "cpro.baidu.com",
    "pos.baidu.com",
    "cbjs.baidu.com",
    "dup.baidustatic.com",
    "tanx.com",
    "alimama.com",
    "mmstat.com",
    "adsame.com",
    "allyes.com",
    "miaozhen.com",
    "admaster.com.cn",
    "gdt.qq.com",
    "adnxs.com",
    "criteo.com",
    "taboola.com",
    "outbrain.com",
)
STRONG_AD_WORDS = (
    "ads",
    "advert",
    "adverts",
    "advertise",
    "advertising",
    "advertisement",
    "guanggao",
    "adsbygoogle",
    "piaochuang",
    "piaofu",
    "floatad",
)
AD_PATH_WORDS = ("ad", "adv", *STRONG_AD_WORDS)

_JS_ADS = (
    "([adHosts, pathWords, strongWords]) => {"
    + _JS_HELPERS
    + r"""
  const AD_WORDS = new Set(pathWords);
  const STRONG = new Set(strongWords);
  const adHost = (host) => adHosts.some((h) => host === h || host.endsWith('.' + h));
  const tokens = (s) => (s || '').replace(/([a-z])([A-Z])/g, '$1 $2').toLowerCase().split(/[^a-z0-9]+/).filter(Boolean);
  const pathHit = (url) => {
    try {
      const u = new URL(url, location.href);
      if (adHost(u.hostname)) return 'ad network ' + u.hostname;
      // a strong word anywhere; a bare "ad"/"adv" only as a whole path segment
      for (const raw of u.pathname.split('/').filter(Boolean)) {
        const segment = raw.replace(/\.(js|html?|php|aspx?|jsp)$/i, '').toLowerCase();
        const word = tokens(segment).find((w) => STRONG.has(w)) || (AD_WORDS.has(segment) ? segment : '');
        if (word) return 'path word "' + word + '"';
      }
      return '';
    } catch (e) { return ''; }
  };
  const out = [];
  for (const s of document.querySelectorAll('script[src]')) {
    const why = pathHit(s.src);
    if (why) out.push({kind: 'script', where: s.src, reason: why});
  }
  for (const f of document.querySelectorAll('iframe[src]')) {
    try {
      const host = new URL(f.src, location.href).hostname;
      if (adHost(host)) out.push({kind: 'frame', where: f.src, reason: 'ad network ' + host});
    } catch (e) {}
  }
  const claimed = [];
  for (const el of document.querySelectorAll('body [id], body [class]')) {
    if (claimed.some((c) => c.contains(el))) continue;
    const words = tokens(el.id + ' ' + (typeof el.className === 'string' ? el.className : ''));
    const strong = words.find((w) => STRONG.has(w));
    // a bare "ad" token only counts on a visible box that carries media or a link
    const weak = !strong && words.includes('ad') && el.querySelector('img, iframe, embed, object, a[href]');
    if ((strong || weak) && gpVisible(el)) {
      out.push({kind: 'element', where: gpSelector(el), reason: 'id/class word "' + (strong || 'ad') + '"'});
      claimed.push(el);
    }
  }
  // a floating box labelled 广告, or an image/link/frame whose alt/title says 广告
  const floating = (el) => {
    for (let n = el, i = 0; n && n !== document.body && i < 4; n = n.parentElement, i++) {
      const pos = getComputedStyle(n).position;
      if (pos === 'fixed' || pos === 'absolute') return true;
    }
    return false;
  };
  for (const el of document.querySelectorAll('body *')) {
    if (claimed.some((c) => c.contains(el)) || !gpVisible(el)) continue;
    const own = Array.from(el.childNodes).filter((n) => n.nodeType === 3).map((n) => n.data).join('').trim();
    const label = el.matches('img, a, iframe, embed, object')
      ? ((el.getAttribute('alt') || '') + (el.getAttribute('title') || '')) : '';
    if ((own === '广告' && floating(el)) || /广告/.test(label)) {
      out.push({kind: 'element', where: gpSelector(el), reason: own === '广告' ? '浮动框标注"广告"' : 'alt/title 含"广告"'});
      claimed.push(el);
    }
  }
  return out;
}"""
)

_JS_CARE_ENTRY = r"""(keywords) => {
  const nodes = document.querySelectorAll('a, button, [role=button], [role=link], [onclick], input[type=button], input[type=image], img');
  for (const el of nodes) {
    const text = [el.innerText, el.getAttribute('title'), el.getAttribute('aria-label'),
                  el.getAttribute('alt'), el.getAttribute('value')].filter(Boolean).join(' ');
    const hit = keywords.find((k) => text.includes(k));
    if (hit) return text.replace(/\s+/g, ' ').trim().slice(0, 60);
  }
  return null;
}"""

# Record which element gets keyboard focus, and whether its look changed when it did.
_JS_WALK_SETUP = (
    "(limit) => {"
    + _JS_HELPERS
    + r"""
  const FOCUSABLE = 'a[href], area[href], button, input:not([type=hidden]), select, textarea, iframe, summary, [tabindex], [contenteditable=""], [contenteditable=true], audio[controls], video[controls]';
  const look = (el) => {
    if (!el) return '';
    const cs = getComputedStyle(el);
    return [cs.outlineStyle, cs.outlineWidth, cs.outlineColor, cs.boxShadow, cs.borderTopColor,
            cs.borderBottomColor, cs.borderTopWidth, cs.borderBottomWidth, cs.backgroundColor,
            cs.color, cs.textDecorationLine, cs.filter, cs.transform].join('|');
  };
  const state = {stops: [], first: null, done: false, looks: new Map()};
  for (const el of document.querySelectorAll(FOCUSABLE)) {
    state.looks.set(el, look(el) + '#' + look(el.parentElement));
  }
  window.__gpWalk = state;
  const onFocus = (event) => {
    const el = document.activeElement;
    if (!el || el === document.body || state.done) return;
    if (state.first === el) { state.done = true; return; }
    if (!state.first) state.first = el;
    if (state.stops.length >= limit) { state.done = true; return; }
    const before = state.looks.get(el);
    const now = look(el) + '#' + look(el.parentElement);
    state.stops.push({el, indicator: before === undefined ? null : before !== now});
  };
  document.addEventListener('focusin', onFocus, true);
  if (document.activeElement && document.activeElement !== document.body) document.activeElement.blur();
  return state.looks.size;
}"""
)

# Done when focus came back round, fell back to the document, or stopped moving for a
# whole batch of presses (nothing focusable, or a keyboard trap).
_JS_WALK_STATUS = r"""(previous) => {
  const s = window.__gpWalk;
  if (!s) return {stops: 0, done: true};
  const active = document.activeElement;
  if (s.stops.length && (!active || active === document.body)) s.done = true;
  if (s.stops.length === previous) s.done = true;
  return {stops: s.stops.length, done: s.done};
}"""

_JS_WALK_REPORT = (
    "(samples) => {"
    + _JS_HELPERS
    + r"""
  const s = window.__gpWalk;
  const FOCUSABLE = 'a[href], area[href], button, input:not([type=hidden]), select, textarea, iframe, summary, [tabindex], [contenteditable=""], [contenteditable=true]';
  const visited = new Set(s.stops.map((x) => x.el));
  const noIndicator = s.stops.filter((x) => x.indicator === false).map((x) => x.el);
  const unreachable = [];
  if (s.done) {
    // the walk went all the way round: a visible native control never focused is unreachable
    for (const el of document.querySelectorAll(FOCUSABLE)) {
      if (visited.has(el) || el.disabled || el.tabIndex < 0 || el.closest('[inert]') || !gpVisible(el)) continue;
      if (el.localName === 'iframe' || el.closest('iframe')) continue;
      unreachable.push(el);
    }
  }
  // clickable things a keyboard cannot reach: onclick on a non-focusable element that
  // neither holds nor sits in a focusable control
  for (const el of document.querySelectorAll('[onclick], [role=button], [role=link]')) {
    if (el.matches(FOCUSABLE) || el.tabIndex >= 0 || !gpVisible(el)) continue;
    if (el.querySelector(FOCUSABLE) || (el.parentElement && el.parentElement.closest(FOCUSABLE))) continue;
    if (el === document.body || el === document.documentElement) continue;
    unreachable.push(el);
  }
  const pick = (list) => list.slice(0, samples).map((el) => ({selector: gpSelector(el), snippet: gpSnippet(el)}));
  return {stops: s.stops.length, completed: s.done, noIndicator: noIndicator.length,
          noIndicatorSamples: pick(noIndicator), unreachable: unreachable.length,
          unreachableSamples: pick(unreachable)};
}"""
)

_JS_AXE_FRAMES = "(context) => axe.utils.getFrameContexts(context || document)"
_JS_AXE_PARTIAL = "([context, options]) => axe.runPartial(context || document, options)"
_JS_AXE_FINISH = "([partials, options]) => axe.finishRun(partials, options)"
_JS_SHADOW_SELECT = "(selector) => axe.utils.shadowSelect(selector)"


def _axe_options() -> dict[str, Any]:
    return {
        "runOnly": {"type": "tag", "values": list(AXE_TAGS)},
        "resultTypes": ["violations"],
        "elementRef": False,
        "xpath": False,
        "ancestry": False,
    }


# --------------------------------------------------------------------------- the pool


class BrowserPool:
    """One Chromium and ``tabs`` pages at a time; relaunched when it misbehaves.

    ``guard``: the scan's SSRF guard, which every request of every page passes; without one,
    each page gets the guard of its own site (``FetchGuard(url)``). ``site_hosts``: hosts of
    the site besides each page's own, where its main frame may navigate."""

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
        self._browser = await self._pw.chromium.launch(
            **launch_options(self.executable_path, self.args, self._proxy)
        )
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

    async def audit(self, url: str) -> PageAudit:
        """Audit one page; never raises (errors land in ``PageAudit.error``). A page caught
        by a browser that died under it is tried once more in a fresh browser."""
        started = time.monotonic()
        for attempt in range(2):
            result, browser_died = await self._attempt(url)
            if not (browser_died and attempt == 0):
                break
        result.elapsed_s = round(time.monotonic() - started, 3)
        return result

    async def _attempt(self, url: str) -> tuple[PageAudit, bool]:
        result = PageAudit(url=url)
        context: BrowserContext | None = None
        generation = self._generation
        guard = PageGuard(self._fetcher_for(url), url, self.site_hosts)
        try:
            browser, generation = await self._healthy_browser()
            context = await asyncio.wait_for(self._new_context(browser, guard), 15)
            await asyncio.wait_for(self._run_on_site(context, url, result, guard), self.timeout_s)
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
        await guard.close()
        if guard.left_site is not None:
            result = _left_site(result, guard.left_site)
        result.requests_fulfilled = guard.fulfilled
        result.requests_refused = guard.refused
        result.requests_failed = guard.failed
        result.refused_urls = list(guard.refused_urls)
        if context is not None and not await self._close_context(context):
            await self._safe_restart(generation)  # a tab that will not close: browser is stuck
        died = bool(result.error) and self._browser is not None and not self._browser.is_connected()
        if died:
            await self._safe_restart(generation)
        return result, died

    async def _safe_restart(self, generation: int) -> None:
        """Relaunch without raising: if Chromium cannot start now, the next page's attempt
        tries again and reports the failure as that page's error."""
        with contextlib.suppress(Exception):
            await self._restart(generation)

    async def _new_context(self, browser: Browser, guard: PageGuard) -> BrowserContext:
        context = await browser.new_context(
            viewport=self.viewport,
            locale="zh-CN",
            user_agent=self._user_agent,
            ignore_https_errors=True,
            service_workers="block",
            accept_downloads=False,
        )
        # axe in every frame from the start: V8 reuses the compiled bundle across documents
        # (~170 ms saved per page); _inject_axe re-adds it where a page clobbered ``axe``.
        await context.add_init_script(axe_source())
        await guard.install(context)
        return context

    @staticmethod
    async def _close_context(context: BrowserContext) -> bool:
        try:
            await asyncio.wait_for(context.close(), 10)
            return True
        except Exception:
            return False

    async def _run_on_site(
        self, context: BrowserContext, url: str, result: PageAudit, guard: PageGuard
    ) -> None:
        """``_run``, ended as soon as the page's main frame tries to leave the site."""
        run = asyncio.ensure_future(self._run(context, url, result, guard))
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
        self, context: BrowserContext, url: str, result: PageAudit, guard: PageGuard
    ) -> None:
        page = await context.new_page()
        guard.page = page
        on_load = {"active": True}
        crashed: list[str] = []
        page.on("crash", lambda _page: crashed.append("tab crashed (renderer process died)"))
        page.on("dialog", lambda dialog: self._on_dialog(dialog, on_load, result))
        context.on("page", lambda popup: self._on_popup(popup, page, on_load, result))

        nav_timeout = self.timeout_s * 0.6
        response = await page.goto(url, wait_until="domcontentloaded", timeout=nav_timeout * 1000)
        result.status = response.status if response is not None else None
        try:
            await page.wait_for_load_state("load", timeout=min(8.0, self.timeout_s * 0.2) * 1000)
            result.load_complete = True
        except PlaywrightError:
            result.load_complete = False  # a stalled third-party resource: audit what is there
        result.final_url = guard.redirected.get(page.url, page.url)

        await page.wait_for_timeout(self.settle_s * 500)
        await page.evaluate(_JS_SAMPLE_POSITIONS)
        await page.wait_for_timeout(self.settle_s * 500)
        for raw in await page.evaluate(_JS_POPUPS, self.popup_min_coverage):
            result.popups.append(Popup(**raw))
        lists = [list(AD_HOSTS), list(AD_PATH_WORDS), list(STRONG_AD_WORDS)]
        result.ad_scripts = [AdHit(**raw) for raw in await page.evaluate(_JS_ADS, lists)]
        if self.care_keywords:
            result.care_mode_entry = await page.evaluate(_JS_CARE_ENTRY, self.care_keywords)
        on_load["active"] = False  # from here on, we interact: nothing counts as "on load"

        result.violations, result.frames = await self._run_axe(page)
        result.tab_walk = await self._tab_walk(page)
        if crashed:
            raise PlaywrightError(crashed[0])

    def _on_dialog(self, dialog: Any, on_load: dict[str, bool], result: PageAudit) -> None:
        if on_load["active"]:
            result.popups.append(Popup(kind="alert", text=f"{dialog.type}: {dialog.message}"[:120]))
        self._background(dialog.dismiss())  # an unanswered alert() would block the page

    def _on_popup(
        self, popup: Page, opener: Page, on_load: dict[str, bool], result: PageAudit
    ) -> None:
        if popup is opener:
            return
        if on_load["active"]:
            result.popups.append(Popup(kind="window_open", text=popup.url[:200]))
        self._background(popup.close())

    def _background(self, awaitable: Any) -> None:
        """Run a clean-up call from an event handler, keeping a reference until it ends."""
        task = asyncio.ensure_future(_quietly(awaitable))
        self._tasks.add(task)
        task.add_done_callback(self._tasks.discard)

    # ----------------------------------------------------------------- axe

    async def _run_axe(self, page: Page) -> tuple[list[Violation], int]:
        options = _axe_options()
        partials: list[Any] = []
        frames = await self._partial_tree(page.main_frame, None, options, partials, depth=0)
        raw = await page.main_frame.evaluate(_JS_AXE_FINISH, [partials, options])
        return [_violation(v) for v in raw.get("violations", [])], frames

    async def _partial_tree(
        self,
        frame: Frame,
        context: Any,
        options: dict[str, Any],
        partials: list[Any],
        depth: int,
    ) -> int:
        """runPartial in ``frame``, then in each child frame in axe's order (finishRun needs it)."""
        await _inject_axe(frame)
        contexts = await frame.evaluate(_JS_AXE_FRAMES, context)
        partials.append(await frame.evaluate(_JS_AXE_PARTIAL, [context, options]))
        count = 1
        for entry in contexts:
            child: Frame | None = None
            if depth < 4:
                with contextlib.suppress(PlaywrightError):
                    handle = await frame.evaluate_handle(_JS_SHADOW_SELECT, entry["frameSelector"])
                    element = handle.as_element()
                    child = await element.content_frame() if element is not None else None
            if child is None:
                partials.append(None)  # axe reports the frame as not audited
                continue
            mark = len(partials)
            try:
                count += await self._partial_tree(
                    child, entry["frameContext"], options, partials, depth + 1
                )
            except PlaywrightError:  # a frame that went away mid-audit: drop all it added
                del partials[mark:]
                partials.append(None)
        return count

    # ----------------------------------------------------------------- keyboard

    async def _tab_walk(self, page: Page) -> TabWalk:
        await page.evaluate(_JS_WALK_SETUP, self.tab_walk_limit)
        presses = stops = 0
        budget = self.tab_walk_limit + 20  # a few extra for browser-level stops
        while presses < budget:
            for _ in range(10):
                await page.keyboard.press("Tab")
            presses += 10
            status = await page.evaluate(_JS_WALK_STATUS, stops)
            stops = status["stops"]
            if status["done"] or stops >= self.tab_walk_limit:
                break
        raw = await page.evaluate(_JS_WALK_REPORT, SAMPLES)
        return TabWalk(
            stops=raw["stops"],
            completed=raw["completed"],
            no_focus_indicator=raw["noIndicator"],
            no_focus_samples=[Sample(**s) for s in raw["noIndicatorSamples"]],
            unreachable=raw["unreachable"],
            unreachable_samples=[Sample(**s) for s in raw["unreachableSamples"]],
        )

    # ----------------------------------------------------------------- many pages

    async def audit_many(self, urls: Sequence[str]) -> AsyncIterator[PageAudit]:
        """Audit ``urls`` with ``tabs`` pages at once; yields in completion order."""
        todo: asyncio.Queue[str] = asyncio.Queue()
        for url in urls:
            todo.put_nowait(url)
        done: asyncio.Queue[PageAudit | None] = asyncio.Queue()

        async def worker() -> None:
            while True:
                try:
                    url = todo.get_nowait()
                except asyncio.QueueEmpty:
                    break
                await done.put(await self.audit(url))
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


async def _inject_axe(frame: Frame) -> None:
    if not await frame.evaluate("() => typeof window.axe === 'object' && !!window.axe.runPartial"):
        await frame.evaluate(axe_source())


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


def _flatten_target(target: Any) -> str:
    if isinstance(target, list):
        return " >>> ".join(_flatten_target(part) for part in target)
    return str(target)


def _violation(raw: dict[str, Any]) -> Violation:
    nodes = raw.get("nodes") or []
    first = nodes[0] if nodes else {}
    snippet = re.sub(r"\s+", " ", first.get("html") or "").strip()
    if len(snippet) > SNIPPET_MAX:
        snippet = snippet[: SNIPPET_MAX - 1] + "…"
    return Violation(
        rule=raw["id"],
        impact=raw.get("impact"),
        nodes=len(nodes),
        target=_flatten_target(first.get("target") or []),
        snippet=snippet,
        help=raw.get("help") or "",
        help_url=raw.get("helpUrl") or "",
        tags=list(raw.get("tags") or []),
    )


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
