"""The keyboard walk: Tab up to a bound of stops, recording which stops show no visible
focus change (outline, box-shadow, border, background, colour, underline of the element or
its parent) and which clickable controls cannot be reached at all."""

from __future__ import annotations

import asyncio

from playwright.async_api import CDPSession, Page

from crawler.browser_js import JS_HELPERS
from crawler.browser_results import Sample, TabWalk

TAB_WALK_LIMIT = 200
SAMPLES = 5  # example elements kept per problem
BATCH = 10  # Tab presses between two looks at the walk, once the first batch is sent
_TAB = {"key": "Tab", "code": "Tab", "windowsVirtualKeyCode": 9, "nativeVirtualKeyCode": 9}


def _presses(count: int) -> list[dict[str, object]]:
    return [{"type": kind, **_TAB} for _ in range(count) for kind in ("rawKeyDown", "keyUp")]


# Record which element gets keyboard focus, and whether its look changed when it did.
_JS_WALK_SETUP = (
    "(limit) => {"
    + JS_HELPERS
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
  let shown = 0;  // rendered and in the tab order: about the stops the walk will make
  for (const el of document.querySelectorAll(FOCUSABLE)) {
    state.looks.set(el, look(el) + '#' + look(el.parentElement));
    if (el.tabIndex >= 0 && !el.disabled && el.getClientRects().length) shown += 1;
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
  return shown;
}"""
)

# Done when focus came back round, fell back to the document, or stopped moving for a
# whole batch of presses (nothing focusable, or a keyboard trap). Not while focus is inside
# a frame: the page sees no stop while Tab walks the frame's own controls (a player, a
# map), and taking that for a trap called every control after the frame unreachable; the
# walk goes on, within its budget of presses.
_JS_WALK_STATUS = r"""(previous) => {
  const s = window.__gpWalk;
  if (!s) return {stops: 0, done: true};
  const active = document.activeElement;
  if (s.stops.length && (!active || active === document.body)) s.done = true;
  const inFrame = !!active && (active.localName === 'iframe' || active.localName === 'frame');
  if (s.stops.length === previous && !inFrame) s.done = true;
  return {stops: s.stops.length, done: s.done};
}"""

_JS_WALK_REPORT = (
    "(samples) => {"
    + JS_HELPERS
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


async def tab_walk(page: Page, session: CDPSession, limit: int = TAB_WALK_LIMIT) -> TabWalk:
    """Press Tab through the page (up to ``limit`` stops) and report what focus showed.
    ``session``: the page's CDP session (the tab's own) to send the presses through."""
    focusable = int(await page.evaluate(_JS_WALK_SETUP, limit) or 0)
    # The presses go to Chromium as CDP key events, a batch at a time without waiting for
    # each answer (Chromium handles input events in order): the same events Playwright's
    # keyboard.press sends, without a round trip per key (~3x faster on a portal's home).
    presses = stops = 0
    budget = limit + 20  # a few extra for browser-level stops
    # First as many presses as the page shows focusable elements in the tab order (and two
    # for the way round), then BATCH at a time: a walk of N stops costs a look or two, not
    # N / BATCH. Presses after the walk is done change nothing it recorded.
    batch = min(budget, max(BATCH, focusable + 2))
    while presses < budget:
        await asyncio.gather(
            *(session.send("Input.dispatchKeyEvent", event) for event in _presses(batch))
        )
        presses += batch
        batch = BATCH
        status = await page.evaluate(_JS_WALK_STATUS, stops)
        stops = status["stops"]
        if status["done"] or stops >= limit:
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
