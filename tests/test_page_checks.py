"""Page checks in a worker process (scan/page_checks.py): the same results as in the
crawl process, nothing lost when the worker dies, a hung check bounded, no orphans."""

from __future__ import annotations

import asyncio
import json
import signal
import subprocess
import sys
import threading
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import psutil
import pytest
from sqlmodel import Session, select

from checks import table
from extract.parse import build_parsed_page
from govpatrol.core.db import get_engine
from govpatrol.core.models import Document, Finding, ListPage, Page, Scan, Site
from govpatrol.core.types import Check, FindingData, ParsedPage, ScanContext
from scan import page_checks
from scan.page_checks import PageChecks
from scan.pipeline import crawl_job, create_scan
from tests.conftest import AS_OF
from tests.polling import wait_for

REPO = Path(__file__).resolve().parents[1]


def _start_crawl(base_url: str, work: Path, thresholds: dict[str, Any]) -> tuple[str, int, Any]:
    """A crawl process of the sample portal without link verification: (db url, scan id,
    the process)."""
    db_url = f"sqlite:///{work / 'g.db'}"
    with Session(get_engine(db_url), expire_on_commit=False) as session:
        site = Site(name="示例", url=base_url)
        session.add(site)
        session.commit()
        options = {"browser": False, "thresholds": {"link_timeout_s": 2.0, **thresholds}}
        scan = create_scan(session, site, as_of=AS_OF, options=options)
        job = crawl_job(scan, site, db_url)
    job_file = work / "job.json"
    job_file.write_text(job.to_json(), encoding="utf-8")
    process = subprocess.Popen([sys.executable, "-m", "scan.crawl", str(job_file)], cwd=REPO)
    return db_url, scan.id, process


def _results(db_url: str, scan_id: int) -> dict[str, Any]:
    """What the page checks left in the store, in a form two scans can be compared by."""
    with Session(get_engine(db_url)) as session:
        pages = session.exec(select(Page).where(Page.scan_id == scan_id)).all()
        findings = session.exec(select(Finding).where(Finding.scan_id == scan_id)).all()
        lists = session.exec(select(ListPage).where(ListPage.scan_id == scan_id)).all()
        documents = session.exec(select(Document).where(Document.scan_id == scan_id)).all()
        crawl = (session.get(Scan, scan_id).stats or {}).get("crawl", {})
    return {
        "pages": sorted((p.url, p.kind, p.template_key, tuple(p.anchors or ())) for p in pages),
        "findings": sorted((f.check, f.fingerprint) for f in findings),
        "lists": sorted((row.url, row.column_key, row.item_count) for row in lists),
        "documents": sorted((d.url, d.is_normative, d.doc_number or "") for d in documents),
        "crawl": crawl,
    }


def _finish(process: subprocess.Popen, timeout_s: float = 240) -> None:
    assert process.wait(timeout=timeout_s) == 0


def _worker_of(process: subprocess.Popen) -> psutil.Process | None:
    children = psutil.Process(process.pid).children()
    return children[0] if children else None


def _pages_done(db_url: str, scan_id: int) -> int:
    with Session(get_engine(db_url)) as session:
        scan = session.get(Scan, scan_id)
        return (scan.stats or {}).get("pages", 0) if scan else 0


@pytest.fixture(scope="module")
def in_process(portal, tmp_path_factory) -> dict[str, Any]:
    work = tmp_path_factory.mktemp("in-process")
    db_url, scan_id, process = _start_crawl(portal.base_url, work, {"check_processes": 0})
    _finish(process)
    return _results(db_url, scan_id)


@pytest.mark.parametrize("workers", [1, 2])
def test_the_workers_store_what_the_crawl_process_would(
    portal, in_process, tmp_path, workers: int
) -> None:
    db_url, scan_id, process = _start_crawl(portal.base_url, tmp_path, {"check_processes": workers})
    _finish(process)
    in_worker = _results(db_url, scan_id)
    assert len(in_process["pages"]) > 300
    assert in_process["lists"] and in_process["documents"] and in_process["findings"]
    for key in ("pages", "findings", "lists", "documents"):
        assert in_worker[key] == in_process[key], key
    assert in_worker["crawl"]["check_worker_deaths"] == 0
    assert in_worker["crawl"]["check_errors"] == in_process["crawl"]["check_errors"] == 0


def _crawl_with_worker(
    base_url: str, work: Path, pages_first: int
) -> tuple[str, int, subprocess.Popen, psutil.Process]:
    """A crawl two pages at a time (so most of the site is still to come), once it has
    stored ``pages_first`` pages, and its page-check worker."""
    db_url, scan_id, process = _start_crawl(
        base_url, work, {"check_processes": 1, "concurrency": 2}
    )
    try:
        wait_for(lambda: _pages_done(db_url, scan_id) >= pages_first, "pages crawled")
        worker = wait_for(lambda: _worker_of(process), "the page-check worker", 10)
    except AssertionError:
        process.kill()
        raise
    return db_url, scan_id, process, worker


def test_a_killed_worker_loses_no_page(portal, in_process, tmp_path) -> None:
    db_url, scan_id, process, worker = _crawl_with_worker(portal.base_url, tmp_path, 20)
    try:
        worker.send_signal(signal.SIGKILL)
        _finish(process)
    finally:
        if process.poll() is None:
            process.kill()
    after_kill = _results(db_url, scan_id)
    assert after_kill["crawl"]["check_worker_deaths"] == 1
    assert after_kill["crawl"]["check_errors"] == 0
    for key in ("pages", "findings", "lists", "documents"):
        assert after_kill[key] == in_process[key], key


def test_a_killed_crawl_takes_its_worker_along(portal, tmp_path) -> None:
    _, _, process, worker = _crawl_with_worker(portal.base_url, tmp_path, 5)
    try:
        process.send_signal(signal.SIGKILL)
        process.wait(timeout=10)
        wait_for(
            lambda: not worker.is_running() or worker.status() == psutil.STATUS_ZOMBIE,
            "the worker gone with its crawl",
            10,
        )
    finally:
        if process.poll() is None:
            process.kill()


# -- a check that never returns -------------------------------------------------------------


class _HangsOnSomePages(Check):
    """A stand-in for a check caught in a pathological page: it never returns there."""

    name = "test_hangs"

    def on_page(self, page: ParsedPage, ctx: ScanContext) -> Iterator[FindingData]:
        if "hang" in page.title:
            threading.Event().wait()
        yield FindingData(check="test_hangs", page=page.url, message=page.title)


@pytest.fixture
def hanging_check(monkeypatch: pytest.MonkeyPatch) -> Iterator[None]:
    monkeypatch.setattr(page_checks, "PAGE_TIMEOUT_S", 1.0)
    monkeypatch.setattr(table, "CHECKS", (*table.CHECKS, _HangsOnSomePages))
    yield


def _page(title: str) -> ParsedPage:
    body = f"<html><head><title>{title}</title></head><body><p id=x>{title}</p></body></html>"
    return build_parsed_page(
        "http://127.0.0.1/p.html",
        "http://127.0.0.1/p.html",
        200,
        {"content-type": "text/html; charset=utf-8"},
        body.encode(),
    )


def test_a_hung_check_costs_its_page_not_the_crawl(hanging_check) -> None:
    ctx = ScanContext(
        scan_id=1, site_id=1, site_url="http://127.0.0.1/", site_name="t", as_of=AS_OF
    )

    async def scenario() -> list[Any]:
        checks = PageChecks(ctx, ["test_hangs"], processes=1)
        try:
            return [
                await checks.run(_page("before")),
                await checks.run(_page("hang here")),
                await checks.run(_page("after")),
                checks.timeouts,
                checks.worker_deaths,
            ]
        finally:
            checks.close()

    before, hung, after, timeouts, deaths = asyncio.run(scenario())
    assert [f.message for f in before.findings] == ["before"]
    assert hung.errors == 1 and hung.findings == [] and hung.anchors == ["x"]
    assert [f.message for f in after.findings] == ["after"]  # a new worker took over
    assert (timeouts, deaths) == (1, 1)


def _linked_page() -> ParsedPage:
    """A page as the spider hands it over: parsed, its links left to the page checks."""
    body = '<html><head><title>t</title></head><body><a href="/a.html">甲</a>'
    body += '<img src="b.png" alt="乙"></body></html>'
    url = "http://127.0.0.1/d/p.html"
    headers = {"content-type": "text/html; charset=utf-8"}
    return build_parsed_page(url, url, 200, headers, body.encode(), with_links=False)


def test_the_worker_reads_the_links_the_crawl_left_to_it() -> None:
    ctx = ScanContext(
        scan_id=1, site_id=1, site_url="http://127.0.0.1/", site_name="t", as_of=AS_OF
    )
    page = _linked_page()
    assert page.links is None

    async def scenario() -> Any:
        checks = PageChecks(ctx, None, processes=1)
        try:
            checked = await checks.run(page)
            return checked, checks.worker_deaths
        finally:
            checks.close()

    checked, deaths = asyncio.run(scenario())
    assert deaths == 0
    assert [(link.url, link.tag, link.text) for link in checked.links] == [
        ("http://127.0.0.1/a.html", "a", "甲"),
        ("http://127.0.0.1/d/b.png", "img", "乙"),
    ]


def test_pages_spread_over_the_workers_and_each_ends_with_its_input() -> None:
    """Each worker is forked holding the crawl's ends of the other workers' pipes unless it
    closes them; one left open, a worker never sees the end of its input and is killed at
    the end of the crawl (exit code -9) after a 30 s wait."""
    ctx = ScanContext(
        scan_id=1, site_id=1, site_url="http://127.0.0.1/", site_name="t", as_of=AS_OF
    )

    async def scenario() -> tuple[set[int], list[Any]]:
        checks = PageChecks(ctx, None, processes=2)
        checks.start_worker()
        try:
            results = await asyncio.gather(*(checks.run(_linked_page()) for _ in range(6)))
            assert all(len(checked.links) == 2 for checked in results)
            workers = [lane.worker.result().process for lane in checks.lanes]
        finally:
            checks.close()
        return {worker.pid for worker in workers}, [worker.exitcode for worker in workers]

    pids, exit_codes = asyncio.run(scenario())
    assert len(pids) == 2
    assert exit_codes == [0, 0]


def test_a_page_whose_links_cannot_be_read_keeps_its_check_results(
    hanging_check, monkeypatch: pytest.MonkeyPatch
) -> None:
    def unreadable(*args: Any) -> None:
        raise ValueError("unreadable")

    monkeypatch.setattr(page_checks, "extract_links", unreadable)
    ctx = ScanContext(
        scan_id=1, site_id=1, site_url="http://127.0.0.1/", site_name="t", as_of=AS_OF
    )
    checked = page_checks.check_page(table.all_checks(["test_hangs"]), _linked_page(), ctx)
    assert checked.errors == 1 and checked.links == []
    assert [f.message for f in checked.findings] == ["t"]  # the checks ran all the same


_EARLY_FORK = """
import asyncio, json, sys
import scan.crawl  # the crawl's entry point: Scrapy must not be loaded by importing it
from govpatrol.core.types import ScanContext
from scan.page_checks import PageChecks
from extract.parse import build_parsed_page
from tests.conftest import AS_OF

ctx = ScanContext(scan_id=1, site_id=1, site_url="http://127.0.0.1/", site_name="t", as_of=AS_OF)
body = b"<html><head><title>t</title></head><body><p id=x>t</p></body></html>"
page = build_parsed_page("http://127.0.0.1/p.html", "http://127.0.0.1/p.html", 200,
                         {"content-type": "text/html; charset=utf-8"}, body)
checks = PageChecks(ctx, None, processes=1)
checks.start_worker()
forked = {"scrapy_loaded": "scrapy" in sys.modules, "pid": checks.lanes[0].spare.process.pid}
import scrapy.crawler  # what the crawl imports next

async def first_page():
    checked = await checks.run(page)
    used = checks.lanes[0].worker.result().process.pid
    checks.close()
    return checked.anchors, used

anchors, used = asyncio.run(first_page())
unused = PageChecks(ctx, None, processes=1)
unused.start_worker()
spare = unused.lanes[0].spare.process
unused.close()  # a crawl that ends before its first page
print(json.dumps({**forked, "anchors": anchors, "used": used, "spare_alive": spare.is_alive(),
                  "spare_exitcode": spare.exitcode}))
"""


def test_the_worker_is_forked_before_scrapy_is_loaded_and_used_for_the_pages() -> None:
    """``PageChecks.start_worker`` forks while the crawl process is still small; the first
    page goes to that worker, not a new one; a worker never used is stopped at the end."""
    out = subprocess.run(
        [sys.executable, "-c", _EARLY_FORK], cwd=REPO, capture_output=True, text=True, timeout=120
    )
    assert out.returncode == 0, out.stderr[-3000:]
    seen = json.loads(out.stdout.strip().splitlines()[-1])
    assert seen["scrapy_loaded"] is False
    assert seen["used"] == seen["pid"]
    assert seen["anchors"] == ["x"]
    assert seen["spare_alive"] is False and seen["spare_exitcode"] == 0
