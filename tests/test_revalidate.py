"""The rescan's revalidation pass (crawler/revalidate.py) against real servers on 127.0.0.1:
only a 304 counts as unchanged, every request goes through the crawl's address guard, and a
site that stops answering is left to the crawl after a bounded number of tries."""

from __future__ import annotations

import asyncio
import time

from crawler.netguard import FetchGuard
from crawler.revalidate import MAX_UNANSWERED_IN_A_ROW, Politeness, not_modified
from tests.loopback import Request, Route, delayed, not_found, page, self_signed_context, serve

ETAG = '"v1"'
HEADERS = {"User-Agent": "govpatrol-test", "Accept": "text/html"}


def conditional(seen: list[dict[str, str]]) -> Route:
    """304 to a request that names the page's tag, the page otherwise; records the headers."""

    def route(request: Request) -> None:
        seen.append(request.headers)
        if request.headers.get("if-none-match") == ETAG:
            request.respond(304, headers=[("ETag", ETAG)], length=False)
        else:
            request.html("<html><body>new</body></html>")

    return route


def limits(timeout_s: float = 5.0, concurrency: int = 4) -> Politeness:
    return Politeness(
        concurrency=concurrency,
        delay_s=0.0,
        timeout_s=timeout_s,
        deadline=time.monotonic() + 60,
    )


def ask(urls: list[str], guard: FetchGuard, politeness: Politeness) -> set[str]:
    return asyncio.run(
        not_modified(urls, lambda url: {"If-None-Match": ETAG}, guard, politeness, HEADERS)
    )


def test_only_pages_that_answer_304_are_unchanged() -> None:
    seen: list[dict[str, str]] = []
    routes = {
        "/same.html": conditional(seen),
        "/changed.html": page("<html><body>changed</body></html>"),
        "/gone.html": not_found,
        "/slow.html": delayed(conditional(seen), 3.0),
    }
    with (
        serve(routes) as plain,
        serve({"/same.html": conditional(seen)}, tls=self_signed_context()) as secure,
    ):
        urls = [plain.base_url + name for name in ("same.html", "changed.html", "gone.html")]
        urls += [plain.base_url + "slow.html", secure.base_url + "same.html"]
        guard = FetchGuard(plain.base_url, zones="loopback")
        unchanged = ask(urls, guard, limits(timeout_s=1.0))
    # a 200, a 404 and a timeout are the crawl's to fetch; a self-signed https page answers
    assert unchanged == {plain.base_url + "same.html", secure.base_url + "same.html"}
    assert {h["if-none-match"] for h in seen} == {ETAG}
    assert {h["user-agent"] for h in seen} == {HEADERS["User-Agent"]}


def test_an_address_the_guard_refuses_is_never_asked() -> None:
    seen: list[dict[str, str]] = []
    with serve({"/same.html": conditional(seen)}) as server:
        # a site registered public: its pages never lead to loopback addresses
        public_only = FetchGuard("http://www.example.gov.cn/", zones="public")
        unchanged = ask([server.base_url + "same.html"], public_only, limits())
    assert unchanged == set()
    assert seen == []  # no connection at all: the guard refused 127.0.0.1 first


def test_a_site_that_stops_answering_is_left_to_the_crawl() -> None:
    """Every request is dropped without an answer: the pass gives up after a bounded
    number of them instead of asking every page."""

    def hang_up(request: Request) -> None:
        return None

    with serve({}, fallback=hang_up) as server:
        urls = [f"{server.base_url}page{n}.html" for n in range(500)]
        guard = FetchGuard(server.base_url, zones="loopback")
        unchanged = ask(urls, guard, limits(concurrency=4))
        asked = len(server.hits)
    assert unchanged == set()
    # each request is tried at most twice (once more when a kept-alive socket closed)
    assert 0 < asked <= 2 * (MAX_UNANSWERED_IN_A_ROW + 4)


def test_a_validator_holding_a_line_break_writes_no_header_of_its_own() -> None:
    """The tag is what the site sent last time: one carrying a line break is not sent, and
    the page is left to the crawl instead of smuggling a header into the request."""
    seen: list[dict[str, str]] = []
    hostile = '"v1"\r\nX-Smuggled: 1'
    with serve({"/same.html": conditional(seen)}) as server:
        guard = FetchGuard(server.base_url, zones="loopback")
        unchanged = asyncio.run(
            not_modified(
                [server.base_url + "same.html"],
                lambda url: {"If-None-Match": hostile},
                guard,
                limits(),
                HEADERS,
            )
        )
        again = ask([server.base_url + "same.html"], guard, limits())
    assert unchanged == set()
    assert again == {server.base_url + "same.html"}  # the same page, with a clean tag, is asked
    assert len(seen) == 1 and "x-smuggled" not in seen[0]
