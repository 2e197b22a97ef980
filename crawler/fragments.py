"""Fragments: ``#id`` links into a site's own pages, checked for a matching anchor with
one GET per page.
"""

from __future__ import annotations

import asyncio
from collections.abc import AsyncIterator, Collection, Iterable
from dataclasses import dataclass
from urllib.parse import unquote

from crawler.answers import REDIRECT_STATUSES, Answer, redirect_target
from crawler.request_failures import Failure
from crawler.verify import Verifier, run_sync
from crawler.verify_types import VerifyConfig
from extract.soft404 import parse_html
from govpatrol.core.failures import FailureKind


@dataclass
class FragmentResult:
    """Fragments (``#id``) other pages link to that the page does not define."""

    url: str
    missing: list[str]
    checked: int  # fragments looked for (0 when the page did not load)
    status: int | None = None
    error: str | None = None
    final_url: str | None = None  # after redirects


def _is_anchor_fragment(fragment: str) -> bool:
    """Only plain anchors are checked: ``#/route``, ``#!state``, ``#a=1`` and text fragments
    are read by scripts, and ``#top`` (or an empty one) always works in a browser."""
    if not fragment or fragment.lower() == "top":
        return False
    return not (fragment.startswith(("/", "!", ":~:")) or "=" in fragment or "&" in fragment)


def missing_fragments(fragments: Iterable[str], anchors: Collection[str]) -> list[str]:
    """The plain-anchor fragments (raw or percent-encoded) that name no anchor, sorted."""
    return sorted(
        f
        for f in set(fragments)
        if _is_anchor_fragment(f) and f not in anchors and unquote(f) not in anchors
    )


def anchors_of(text: str) -> set[str]:
    """Every id in a page, plus the names of ``<a name>`` anchors."""
    tree = parse_html(text)
    if tree is None:
        return set()
    found = {value for value in tree.xpath("//@id") if value}
    found.update(value for value in tree.xpath("//a/@name") if value)
    return found


class FragmentCheck:
    """Checks ``#fragment`` links into internal pages: one GET per page."""

    def __init__(self, verifier: Verifier, *, max_bytes: int = 5 * 1024 * 1024) -> None:
        self.verifier = verifier
        self.max_bytes = max_bytes

    async def check(self, url: str, fragments: Collection[str]) -> FragmentResult:
        wanted = sorted({f for f in fragments if _is_anchor_fragment(f)})
        if not wanted:
            return FragmentResult(url, [], 0)
        answer, final = await self._get(url)
        if isinstance(answer, Failure):
            return FragmentResult(url, [], 0, None, answer.error)
        if answer.status != 200 or not answer.looks_html():
            # a page that does not load is the broken-link check's business, not this one's
            return FragmentResult(url, [], 0, answer.status, f"HTTP {answer.status}")
        missing = missing_fragments(wanted, anchors_of(answer.text()))
        return FragmentResult(url, missing, len(wanted), answer.status, final_url=final)

    async def _get(self, url: str) -> tuple[Answer | Failure, str]:
        for _ in range(self.verifier.cfg.max_redirects + 1):
            answer = await self.verifier.fetch_final(
                url, internal=True, head_first=False, read_limit=self.max_bytes
            )
            location = answer.headers.get("location") if isinstance(answer, Answer) else None
            if not (isinstance(answer, Answer) and answer.status in REDIRECT_STATUSES and location):
                return answer, url
            next_url = redirect_target(url, location)
            if next_url is None:
                return answer, url
            url = next_url
        return Failure(FailureKind.too_many_redirects, "重定向次数过多", False), url


async def check_fragments(
    items: Iterable[tuple[str, Collection[str]]], config: VerifyConfig | None = None
) -> AsyncIterator[FragmentResult]:
    """Check (page URL, fragments linked to it) pairs concurrently, one GET per page."""
    async with Verifier(config) as verifier:
        checker = FragmentCheck(verifier)
        window = max(verifier.cfg.global_concurrency, 1)
        pending: set[asyncio.Task[FragmentResult]] = set()
        try:
            for url, fragments in items:
                pending.add(asyncio.create_task(checker.check(url, fragments)))
                if len(pending) >= window:
                    done, pending = await asyncio.wait(pending, return_when=asyncio.FIRST_COMPLETED)
                    for task in done:
                        yield task.result()
            for task in asyncio.as_completed(pending):
                yield await task
            pending = set()
        finally:
            for task in pending:
                task.cancel()


def check_fragments_sync(
    items: Iterable[tuple[str, Collection[str]]], config: VerifyConfig | None = None
) -> list[FragmentResult]:
    async def collect() -> list[FragmentResult]:
        return [result async for result in check_fragments(items, config)]

    return run_sync(collect)
