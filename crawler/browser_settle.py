"""How long an audit waits after load before it looks at what shows "on load".

The rule (``SETTLE_S``): what is on screen ``settle_s`` after load, without input. Most pages
are still long before that: nothing is pending that could change them. Waiting the whole
second on such a page only costs the tab time, so the wait ends early where the page proves
it is quiet, and is the full ``settle_s`` everywhere else:

* an init script (``JS_QUIET_INIT``, in every frame from the start) keeps what could still
  change the page: timeouts due within the settle bound and not yet run, intervals of that
  period or shorter, animation frames asked for, and the time of the last DOM mutation (or
  timer or frame callback, or answer to a script's request);
* the page is *quiet* when none of those is pending, no fetch/XHR of its scripts is open,
  no mutation happened for ``QUIET_MS``, no CSS or Web animation runs, the document is
  complete, no request of the tab is in flight or ended less than ``QUIET_MS`` ago, and it
  has no child frames (their timers are not asked);
* quiet within the first half of the settle time: the on-load checks run at once. The
  drift sample of floating windows (飘窗) is skipped there: on a quiet page nothing moves.
  Not quiet by then: exactly the fixed wait as before (positions at half time, the checks
  at ``settle_s``), so a page that shows something late, or moves something, is judged as
  it always was.

Timers whose callback is a string (``setTimeout("show()", 500)``, common on older portals)
are tracked too; they run as the browser would run them, in the global scope.
"""

from __future__ import annotations

QUIET_MS = 200  # no DOM change for this long, and no request ended this recently
POLL_MS = 100  # between two looks at a page that is not quiet yet

# ``bound``: the settle time in ms; a timeout due later, or an interval slower, cannot
# change what shows within it.
JS_QUIET_INIT = r"""(bound) => {
  if (window.__gpQuiet) return;
  const q = {due: new Map(), every: new Set(), open: 0, last: performance.now()};
  Object.defineProperty(window, '__gpQuiet', {value: q, enumerable: false});
  const touch = () => { q.last = performance.now(); };
  const run = (fn, self, args) => {
    if (typeof fn === 'function') return fn.apply(self, args);
    return (0, eval)(String(fn));  // a string timer runs in the global scope
  };
  const nativeTimeout = window.setTimeout, nativeClearTimeout = window.clearTimeout;
  const nativeInterval = window.setInterval, nativeClearInterval = window.clearInterval;
  const nativeFrame = window.requestAnimationFrame;
  window.setTimeout = function (fn, delay, ...args) {
    const ms = Number(delay) || 0;
    if (ms > bound) return nativeTimeout.apply(this, arguments);
    const id = nativeTimeout.call(this, function () {
      q.due.delete(id); touch(); return run(fn, this, args);
    }, ms);
    q.due.set(id, performance.now() + ms);
    return id;
  };
  window.clearTimeout = function (id) { q.due.delete(id); return nativeClearTimeout.call(this, id); };
  window.setInterval = function (fn, delay, ...args) {
    const id = nativeInterval.apply(this, arguments);
    if ((Number(delay) || 0) <= bound) q.every.add(id);
    return id;
  };
  window.clearInterval = function (id) { q.every.delete(id); return nativeClearInterval.call(this, id); };
  if (nativeFrame) {
    window.requestAnimationFrame = function (fn) { touch(); return nativeFrame.call(this, fn); };
  }
  // a script's own requests, seen here the moment they start (the tab's count of routed
  // requests learns of them a little later)
  const nativeFetch = window.fetch;
  if (nativeFetch) {
    window.fetch = function () {
      q.open += 1;
      const done = () => { q.open -= 1; touch(); };
      const answer = nativeFetch.apply(this, arguments);
      answer.then(done, done);
      return answer;
    };
  }
  if (window.XMLHttpRequest) {
    const nativeSend = XMLHttpRequest.prototype.send;
    XMLHttpRequest.prototype.send = function () {
      q.open += 1;
      this.addEventListener('loadend', () => { q.open -= 1; touch(); }, {once: true});
      return nativeSend.apply(this, arguments);
    };
  }
  // Watched from DOMContentLoaded on: the parser's own insertions (a record per node) all
  // come before it, and only mark the page as changed "now", as DOMContentLoaded does.
  const watch = () => {
    touch();
    new MutationObserver(touch).observe(document, {
      subtree: true, childList: true, attributes: true, characterData: true,
    });
  };
  if (document.readyState === 'loading') {
    document.addEventListener('DOMContentLoaded', watch, {once: true});
  } else {
    watch();
  }
}"""


def quiet_init_script(settle_s: float) -> str:
    """``JS_QUIET_INIT`` as an init script for a settle time of ``settle_s``."""
    return f"({JS_QUIET_INIT})({round(settle_s * 1000)});"


JS_QUIET = r"""(quietMs) => {
  const q = window.__gpQuiet;
  if (!q || document.readyState !== 'complete') return false;
  const now = performance.now();
  if (q.due.size || q.every.size || q.open > 0 || now - q.last < quietMs) return false;
  if (document.getAnimations && document.getAnimations().some((a) => a.playState === 'running')) {
    return false;
  }
  return true;
}"""
