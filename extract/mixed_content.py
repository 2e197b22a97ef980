"""Mixed content: what an https page loads over plain http.

A browser blocks an http script, stylesheet or frame on an https page (the page breaks:
*active* mixed content) and upgrades or flags an http image, audio or video (*passive*). A
page that asks the browser to upgrade every request (``Content-Security-Policy:
upgrade-insecure-requests``, in a header or a ``<meta http-equiv>``) has none. Resources in
``<noscript>`` load only without scripts, and lazy-loading attributes (``data-src``) are not
requests, so neither counts.
"""

from __future__ import annotations

from dataclasses import dataclass

import lxml.html

MAX_LISTED = 10

# (tag, attribute, active?) — what a browser fetches as the page loads.
_LOADED: tuple[tuple[str, str, bool], ...] = (
    ("script", "src", True),
    ("iframe", "src", True),
    ("frame", "src", True),
    ("object", "data", True),
    ("embed", "src", True),
    ("img", "src", False),
    ("audio", "src", False),
    ("video", "src", False),
    ("source", "src", False),
)
_UPGRADE = "upgrade-insecure-requests"


@dataclass(frozen=True)
class MixedResource:
    tag: str
    url: str
    active: bool

    def to_dict(self) -> dict[str, object]:
        return {"tag": self.tag, "url": self.url, "active": self.active}


def upgrades_requests(tree: lxml.html.HtmlElement, headers: dict[str, str]) -> bool:
    policy = " ".join(v for k, v in headers.items() if k.lower() == "content-security-policy")
    metas = tree.xpath(
        "//meta[translate(@http-equiv, 'CONTENT-SECURITYPOLICY', 'content-securitypolicy')"
        " = 'content-security-policy']/@content"
    )
    return _UPGRADE in " ".join([policy, *metas]).lower()


def _in_noscript(el: lxml.html.HtmlElement) -> bool:
    return any(a.tag == "noscript" for a in el.iterancestors())


def mixed_content(
    tree: lxml.html.HtmlElement, page_url: str, headers: dict[str, str]
) -> list[MixedResource]:
    """The http resources an https page loads (none for an http page)."""
    if not page_url.lower().startswith("https://") or upgrades_requests(tree, headers):
        return []
    found: list[MixedResource] = []
    seen: set[str] = set()
    for tag, attr, active in _LOADED:
        for el in tree.iter(tag):
            url = (el.get(attr) or "").strip()
            if url[:7].lower() != "http://" or url in seen or _in_noscript(el):
                continue
            seen.add(url)
            found.append(MixedResource(tag, url, active))
    for link in tree.iter("link"):
        rel = (link.get("rel") or "").lower().split()
        url = (link.get("href") or "").strip()
        if "stylesheet" in rel and url[:7].lower() == "http://" and url not in seen:
            seen.add(url)
            found.append(MixedResource("link", url, True))
    return found
