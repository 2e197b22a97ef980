"""The meta a page request carries: what the spider's ``_request`` was given, under the keys
every callback reads. One mapping both ways, so the request Scrapy sends and the page a
rescan takes in without Scrapy (``crawler.unchanged``) carry the same fields."""

from __future__ import annotations

from typing import Any

# ``_request``'s argument → the meta key it is kept under
_META_OF = {
    "url": "gp_url",
    "depth": "gp_depth",
    "referrer": "gp_referrer",
    "nav_text": "gp_nav_text",
    "chain": "gp_chain",
    "is_home": "gp_home",
}
# the meta of a page request as ``page_meta`` builds it, plus Scrapy's depth
PAGE_META_KEYS = frozenset({*_META_OF.values(), "depth"})


def page_meta(
    url: str,
    *,
    depth: int,
    referrer: str | None,
    nav_text: str | None,
    chain: int,
    is_home: bool = False,
) -> dict[str, Any]:
    """The meta of the request for a page with these arguments (built for every page
    request, so written out rather than derived from ``_META_OF``; a test holds the two
    to the same keys)."""
    return {
        "gp_url": url,
        "gp_depth": depth,
        "gp_referrer": referrer,
        "gp_nav_text": nav_text,
        "gp_chain": chain,
        "gp_home": is_home,
    }


def page_arguments(meta: dict[str, Any]) -> dict[str, Any]:
    """``page_meta``'s arguments back from a request's meta."""
    return {name: meta[key] for name, key in _META_OF.items()}
