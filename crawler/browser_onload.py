"""Page scripts for what a visitor meets on load without asking: pop-ups and floating
windows (飘窗), ad scripts and ad boxes, and an entry to a 无障碍/关怀版 mode.

The ad lists are shared with the static check (``checks.a11y_ads``), so a page's static and
browser results merge."""

from __future__ import annotations

from crawler.browser_js import JS_HELPERS

# Positions of positioned elements, to tell a drifting 飘窗 from a still one a moment later.
JS_SAMPLE_POSITIONS = (
    "() => {"
    + JS_HELPERS
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

JS_POPUPS = (
    "(minCoverage) => {"
    + JS_HELPERS
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

JS_ADS = (
    "([adHosts, pathWords, strongWords]) => {"
    + JS_HELPERS
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

JS_CARE_ENTRY = r"""(keywords) => {
  const nodes = document.querySelectorAll('a, button, [role=button], [role=link], [onclick], input[type=button], input[type=image], img');
  for (const el of nodes) {
    const text = [el.innerText, el.getAttribute('title'), el.getAttribute('aria-label'),
                  el.getAttribute('alt'), el.getAttribute('value')].filter(Boolean).join(' ');
    const hit = keywords.find((k) => text.includes(k));
    if (hit) return text.replace(/\s+/g, ' ').trim().slice(0, 60);
  }
  return null;
}"""
