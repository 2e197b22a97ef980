"""Budgets for everything a site controls (issue #18 parts 4 and 5).

The markup tests parse hostile pages directly; the scan tests serve each hostile case from a
real server on 127.0.0.1 and run a real scan into a SQLite file, then read back what was cut
(``scan.stats["cut"]``) and how the cut targets are recorded. Memory and time figures are the
benchmark's (bench/hostile.py); these tests assert the mechanisms: counts and bounds.
"""

from __future__ import annotations

import pytest

from crawler.parse import MAX_NESTING, extract_links, parse_html

DEEP_LINK = "http://h.example/deep/hidden.html"


def deep_page(depth: int, element: str = "div") -> str:
    """A link ``depth`` elements down, then one after the nesting."""
    return (
        "<html><head><title>深</title></head><body>"
        + f"<{element}>" * depth
        + f"<a href='{DEEP_LINK}'>藏在深处</a><img src='/deep.png' alt='图'>"
        + "<iframe src='/deep-frame.html'></iframe><script src='/deep.js'></script>"
        + f"</{element}>" * depth
        + "<a href='/after.html'>之后</a></body></html>"
    )


@pytest.mark.parametrize("depth", [1_000, 5_000])
def test_a_link_nested_deep_is_found_with_its_attributes(depth: int) -> None:
    page = deep_page(depth)
    links = {
        (link.url, link.tag): link
        for link in extract_links(parse_html(page), page, "http://h.example/")
    }
    assert (DEEP_LINK, "a") in links
    assert links[(DEEP_LINK, "a")].text == "藏在深处"
    assert {"http://h.example/deep.png", "http://h.example/deep-frame.html"} <= {
        u for u, _ in links
    }
    assert ("http://h.example/deep.js", "script") in links
    assert ("http://h.example/after.html", "a") in links


def test_nested_links_stay_links_and_the_tree_stays_shallow() -> None:
    """A bomb of 5,000 unclosed <div><a> pairs: every link kept, the tree no deeper than
    the flattening bound plus the one slot for a deep link element."""
    count = 5_000
    page = "<html><body>" + "".join(f"<div><a href='/x{i}.html'>{i}" for i in range(count))
    tree = parse_html(page)
    links = extract_links(tree, page, "http://h.example/")
    assert len({link.url for link in links}) == count
    deepest = max(sum(1 for _ in element.iterancestors()) for element in tree.iter("a"))
    assert deepest <= MAX_NESTING + 3  # html, body and the deep slot
