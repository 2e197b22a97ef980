"""The crawl's compact queue (crawler/frontier.py) and the headers page requests get when
they are sent (crawler/middleware.py: PageRequestHeadersMiddleware)."""

from __future__ import annotations

import os
import subprocess
import sys
from collections import Counter
from typing import Any

import pytest
from scrapy import Request
from sqlmodel import Session, select

from crawler.frontier import CompactScheduler
from govpatrol.core.db import get_engine
from govpatrol.core.models import Page, Scan, ScanStatus, Site
from scan.pipeline import create_scan, run_scan
from tests import loopback as lb
from tests.conftest import AS_OF

ARTICLES = 40


class _TupleSpider:
    """Keeps requests whose URL ends in ``.html`` as a tuple, the others as they are."""

    name = "t"

    def __init__(self) -> None:
        self.stats_counts: Counter[str] = Counter()

    def frontier_entry(self, request: Request) -> tuple[Any, ...] | None:
        return (request.url, request.priority) if request.url.endswith(".html") else None

    def frontier_request(self, entry: tuple[Any, ...]) -> Request:
        url, priority = entry
        return Request(url, priority=priority, meta={"rebuilt": True})


def test_the_queue_keeps_scrapys_order_and_rebuilds_what_it_compacted() -> None:
    scheduler = CompactScheduler()
    scheduler.open(_TupleSpider())  # type: ignore[arg-type]
    robots = Request("http://127.0.0.1/robots.txt", priority=0)
    queued = [
        Request("http://127.0.0.1/a/1.html", priority=-2),
        Request("http://127.0.0.1/col/", priority=-1),
        robots,
        Request("http://127.0.0.1/a/2.html", priority=-2),
        Request("http://127.0.0.1/col/list.html", priority=-1),
    ]
    assert all(scheduler.enqueue_request(r) for r in queued)
    assert len(scheduler) == 5 and scheduler.has_pending_requests()
    out = []
    while (request := scheduler.next_request()) is not None:
        out.append(request)
    assert [r.url.removeprefix("http://127.0.0.1") for r in out] == [
        "/robots.txt",
        "/col/",
        "/col/list.html",
        "/a/1.html",
        "/a/2.html",
    ]
    assert out[0] is robots  # kept as it was
    assert [r.meta.get("rebuilt", False) for r in out] == [False, False, True, True, True]
    assert [r.priority for r in out] == [0, -1, -1, -2, -2]
    assert not scheduler.has_pending_requests() and len(scheduler) == 0


def test_past_its_bound_the_queue_waits_on_disk_in_the_same_order() -> None:
    spider = _TupleSpider()
    scheduler = CompactScheduler(memory_entries=3)
    scheduler.open(spider)  # type: ignore[arg-type]
    retry = Request("http://127.0.0.1/retry/", priority=-2)
    queued = [
        *(Request(f"http://127.0.0.1/a/{i}.html", priority=-2) for i in range(6)),
        *(Request(f"http://127.0.0.1/col/{i}.html", priority=-1) for i in range(4)),
        retry,
    ]
    for request in queued:
        scheduler.enqueue_request(request)
    # three compact entries in memory, the seven others in files on disk
    assert spider.stats_counts["queued_on_disk"] == 7 and scheduler.in_memory == 3
    directory = scheduler.directory
    assert directory is not None and any(directory.iterdir())
    assert len(scheduler) == 11
    out = []
    while (request := scheduler.next_request()) is not None:
        out.append(request.url.removeprefix("http://127.0.0.1"))
    # priority first, first in first out within it; the retry (never written out) is
    # sent before the compact entries of its priority that waited on disk
    assert out == [
        *(f"/col/{i}.html" for i in range(4)),
        "/a/0.html",
        "/a/1.html",
        "/a/2.html",
        "/retry/",
        *(f"/a/{i}.html" for i in range(3, 6)),
    ]
    assert len(scheduler) == 0 and scheduler.in_memory == 0
    scheduler.close("finished")
    assert not directory.exists()


def _site(referers: dict[str, str | None]) -> lb.LoopbackServer:
    """A home page listing ARTICLES articles, each linking back home; every request's
    Referer is noted by path."""

    def noting(html: str) -> lb.Route:
        def route(request: lb.Request) -> None:
            referers[request.path] = request.headers.get("referer")
            request.html(html)

        return route

    items = "".join(f'<li><a href="/a/{i}.html">文章{i}</a></li>' for i in range(ARTICLES))
    moved = '<a href="/moved.html">搬走的</a><a href="/refresh.html">刷新跳转</a>'
    home = f"<html><head><title>首页</title></head><body><ul>{items}</ul>{moved}</body></html>"
    routes: dict[str, lb.Route] = {
        "/": noting(home),
        "/moved.html": lb.redirect("/new.html"),
        "/new.html": noting("<html><head><title>新址</title></head><body>新址</body></html>"),
        "/refresh.html": lb.page(
            '<html><head><meta http-equiv="refresh" content="0; url=/refreshed.html">'
            "<title>跳转</title></head><body></body></html>"
        ),
        "/refreshed.html": noting("<html><head><title>到了</title></head><body>到了</body></html>"),
    }
    for i in range(ARTICLES):
        body = f'<html><head><title>文章{i}</title></head><body><a href="/">首页</a></body></html>'
        routes[f"/a/{i}.html"] = noting(body)
    return lb.serve(routes)


def test_queued_pages_are_compact_and_sent_with_their_referer(tmp_path) -> None:
    referers: dict[str, str | None] = {}
    db_url = f"sqlite:///{tmp_path / 'g.db'}"
    with _site(referers) as site_server:
        with Session(get_engine(db_url), expire_on_commit=False) as session:
            site = Site(name="t", url=site_server.base_url)
            session.add(site)
            session.commit()
            options = {"browser": False, "checks": ["freshness"]}
            scan = create_scan(session, site, as_of=AS_OF, options=options)
        done = run_scan(scan.id, db_url=db_url)
    assert done.status == ScanStatus.done, done.error
    with Session(get_engine(db_url)) as session:
        crawl = session.get(Scan, done.id).stats["crawl"]
        pages = session.exec(select(Page.url).where(Page.scan_id == done.id)).all()
    # the articles, the home page, and the two pages that redirect (each with its hop)
    assert len(pages) == ARTICLES + 5
    # every page request, the home page's included, waited in the queue as a tuple
    assert crawl["queued_compact"] == ARTICLES + 3
    home = site_server.base_url
    assert {referers[f"/a/{i}.html"] for i in range(ARTICLES)} == {home}
    assert referers["/"] is None
    # a redirect, by status or by <meta refresh>, keeps the page the link was found on
    assert referers["/new.html"] == home
    assert referers["/refreshed.html"] == home


def test_a_crawl_whose_queue_spills_to_disk_fetches_every_page_once(
    tmp_path, monkeypatch: pytest.MonkeyPatch
) -> None:
    """A bound of 4 queued pages in memory: most of the home page's 40 articles wait on disk; the
    crawl still fetches each page once, with its referer, and leaves no queue file behind."""
    monkeypatch.setenv("GOVPATROL_FRONTIER_MEMORY_PAGES", "4")
    monkeypatch.setenv("TMPDIR", str(tmp_path))
    referers: dict[str, str | None] = {}
    db_url = f"sqlite:///{tmp_path / 'g.db'}"
    with _site(referers) as site_server:
        with Session(get_engine(db_url), expire_on_commit=False) as session:
            site = Site(name="t", url=site_server.base_url)
            session.add(site)
            session.commit()
            # one request at a time: the queue fills as the home page lists the articles
            options = {"browser": False, "checks": ["freshness"], "thresholds": {"concurrency": 1}}
            scan = create_scan(session, site, as_of=AS_OF, options=options)
        done = run_scan(scan.id, db_url=db_url)
    assert done.status == ScanStatus.done, done.error
    with Session(get_engine(db_url)) as session:
        crawl = session.get(Scan, done.id).stats["crawl"]
        pages = session.exec(select(Page.url).where(Page.scan_id == done.id)).all()
    assert crawl["queued_on_disk"] >= ARTICLES - 4, crawl
    assert len(pages) == len(set(pages)) == ARTICLES + 5
    assert {referers[f"/a/{i}.html"] for i in range(ARTICLES)} == {site_server.base_url}
    assert not list(tmp_path.glob("govpatrol-frontier-*"))


def test_a_scan_prints_no_warning_about_the_referer_handling(tmp_path) -> None:
    """Scrapy warns at every start when its redirect middleware finds no RefererMiddleware;
    the crawl has its own Referer handling, and a user's terminal should not say otherwise."""
    referers: dict[str, str | None] = {}
    env = {**os.environ, "GOVPATROL_DATABASE_URL": f"sqlite:///{tmp_path / 'g.db'}"}
    options = ["--no-browser", "--only", "freshness", "--as-of", AS_OF.isoformat()]
    with _site(referers) as site_server:
        out = subprocess.run(
            [sys.executable, "-m", "govpatrol.cli.main", "scan", site_server.base_url, *options],
            capture_output=True,
            text=True,
            env=env,
            timeout=180,
        )
    assert out.returncode == 0, out.stderr[-3000:]
    assert referers["/new.html"] == site_server.base_url
    assert "WARNING" not in out.stderr, out.stderr[-3000:]
