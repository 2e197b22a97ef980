"""Ad scripts and ad boxes visible in a page's HTML (适老化: no ads on government pages), by
the same lists the browser audit uses, so a page's static and browser results merge."""

from __future__ import annotations

import re
from urllib.parse import urljoin, urlsplit

import lxml.html
from lxml import etree

from crawler.browser_onload import AD_HOSTS, AD_PATH_WORDS, STRONG_AD_WORDS

# id/class values as strings (cheap: no element objects), only matches become elements.
_NAME_VALUES = etree.XPath("//@class | //@id")
_AD_HINTS = ("ads", "advert", "guanggao", "piao", "floatad")
# any of the hints inside a lower-cased value, in one regex search instead of five
# substring tests through a generator (every id and class of every page is asked)
_AD_HINT = re.compile("|".join(map(re.escape, _AD_HINTS)))
_CAMEL = re.compile(r"([a-z])([A-Z])")
_NON_WORD = re.compile(r"[^a-z0-9]+")
_PAGE_SUFFIX = re.compile(r"\.(?:js|html?|php|aspx?|jsp)$", re.I)


def _words(text: str) -> list[str]:
    return [w for w in _NON_WORD.split(_CAMEL.sub(r"\1 \2", text).lower()) if w]


def ad_path_word(path: str) -> str | None:
    """The word that marks a script path as an ad: a strong word anywhere (``/ads/``,
    ``guanggao.js``), a bare ``ad``/``adv`` only as a whole segment (``/ad/x.js``, ``ad.js``;
    not ``jquery.ad-gallery.js``)."""
    segments = [_PAGE_SUFFIX.sub("", seg).lower() for seg in path.split("/") if seg]
    for segment in segments:
        word = next((w for w in _words(segment) if w in STRONG_AD_WORDS), None)
        if word:
            return word
        if segment in AD_PATH_WORDS:
            return segment
    return None


def _ad_host(host: str) -> bool:
    return any(host == h or host.endswith("." + h) for h in AD_HOSTS)


def find_ads(tree: lxml.html.HtmlElement, base_url: str) -> list[dict[str, str]]:
    """Ad scripts and ad boxes visible in the HTML: the same lists the browser check uses,
    so a page's static and browser results merge."""
    root = tree.getroottree().getroot()
    hits: list[dict[str, str]] = []
    for el in root.iter("script", "iframe"):
        src = (el.get("src") or "").strip()
        if not src:
            continue
        try:
            url = urljoin(base_url, src)
            parts = urlsplit(url)
            host = parts.hostname
        except ValueError:  # an unparsable src (e.g. "http://[::1") is no ad network
            continue
        if _ad_host((host or "").lower()):
            hits.append(
                {
                    "kind": "script" if el.tag == "script" else "frame",
                    "where": url,
                    "reason": f"ad network {parts.hostname}",
                }
            )
            continue
        if el.tag == "script":
            word = ad_path_word(parts.path)
            if word:
                hits.append({"kind": "script", "where": url, "reason": f'path word "{word}"'})
    claimed: list[lxml.html.HtmlElement] = []
    candidates = dict.fromkeys(
        value.getparent() for value in _NAME_VALUES(root) if _AD_HINT.search(value.lower())
    )
    for el in candidates:
        names = f"{el.get('id') or ''} {el.get('class') or ''}"
        if any(c in el.iterancestors() for c in claimed) or _hidden_by_markup(el):
            continue
        if not len(el) and not (el.text or "").strip():
            continue  # an empty ad slot shows nothing
        words = _words(names)
        word = next((w for w in words if w in STRONG_AD_WORDS), None)
        if word:
            hits.append(
                {
                    "kind": "element",
                    "where": _element_label(el),
                    "reason": f'id/class word "{word}"',
                }
            )
            claimed.append(el)
    return hits


def _hidden_by_markup(el: lxml.html.HtmlElement) -> bool:
    for node in (el, *el.iterancestors()):
        style = (node.get("style") or "").replace(" ", "").lower()
        if node.get("hidden") is not None or "display:none" in style:
            return True
    return False


def _element_label(el: lxml.html.HtmlElement) -> str:
    label = el.tag
    if el.get("id"):
        label += "#" + el.get("id", "").strip()
    if el.get("class"):
        label += "".join("." + c for c in el.get("class", "").split())
    return label
