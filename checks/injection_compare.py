"""What counts as "not the template's" and as "a different page for search engines".

Kept apart from the check so the numbers sit together: a foreign script is the template's when
it is on most of the template's pages; it is suspicious when on at most ``RARE_SHARE`` of them,
in a template with at least ``MIN_TEMPLATE_PAGES`` pages (fewer pages cannot say what the
template holds). A page answers a search engine differently when the answer leaves the site,
carries links to strangers the browser's answer lacks, or has another title and mostly other
text (character-pair overlap below ``MIN_SIMILARITY``: news tickers and dates change a little
between two requests, a cloaked casino page changes everything).
"""

from __future__ import annotations

from crawler.cloaking_probe import Answer
from extract.docmeta import visible_text
from extract.foreign import hostname, is_stranger
from extract.parse import page_title, parse_html
from govpatrol.core.urls import absolutize

MIN_TEMPLATE_PAGES = 4
RARE_SHARE = 0.2
CLOAK_SAMPLE = 5  # pages probed for cloaking: the home page and at most four others
MIN_SIMILARITY = 0.5
_TEXT_CHARS = 5000


def is_rare(carriers: int, template_pages: int) -> bool:
    """On a few of the template's pages (at least one page lacks it)."""
    return carriers < template_pages and carriers <= max(1, int(template_pages * RARE_SHARE))


def _bigrams(text: str) -> set[str]:
    text = "".join(text.split())[:_TEXT_CHARS]
    return {text[i : i + 2] for i in range(len(text) - 1)}


def similarity(a: str, b: str) -> float:
    first, second = _bigrams(a), _bigrams(b)
    if not first and not second:
        return 1.0
    return len(first & second) / len(first | second)


def _reading(answer: Answer, own: frozenset[str]) -> tuple[str, str, dict[str, str]]:
    """(title, visible text, stranger host → first URL) of an answer's page."""
    tree = parse_html(answer.text)
    body = tree.find("body")
    text = visible_text(body if body is not None else tree)
    strangers: dict[str, str] = {}
    for anchor in tree.iter("a"):
        url = absolutize(answer.final_url, anchor.get("href") or "")
        if url is not None and is_stranger(url, own):
            strangers.setdefault(hostname(url), url)
    return page_title(tree), text, strangers


def cloaking_differences(
    answers: list[Answer], own: frozenset[str]
) -> list[tuple[str, list[str], str | None]]:
    """(visitor, what differs, a stranger's URL it leads to) for each visitor served another
    page than the browser; nothing when the browser's own answer cannot be read."""
    if not answers:
        return []
    baseline, *others = answers
    if baseline.redirected_to is not None or baseline.status is None or baseline.status >= 400:
        return []
    title, text, strangers = _reading(baseline, own)
    out: list[tuple[str, list[str], str | None]] = []
    for answer in others:
        if answer.redirected_to is not None:
            if is_stranger(answer.redirected_to, own):
                out.append((answer.visitor, ["foreign_redirect"], answer.redirected_to))
            continue
        if answer.status is None or answer.status >= 400 or not answer.text:
            continue
        other_title, other_text, other_strangers = _reading(answer, own)
        differences: list[str] = []
        target = None
        new_hosts = sorted(set(other_strangers) - set(strangers))
        if new_hosts:
            differences.append("foreign_links")
            target = other_strangers[new_hosts[0]]
        if other_title != title and similarity(text, other_text) < MIN_SIMILARITY:
            differences.append("content")
        if differences:
            out.append((answer.visitor, differences, target))
    return out
