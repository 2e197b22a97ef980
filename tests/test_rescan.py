"""Incremental rescans of the sample portal: the server answers conditional requests with
304, and the rescan re-uses the last scan's page-level results, ending with the same
findings as the first scan. A page changed in between is fetched and parsed again."""

from __future__ import annotations

import datetime as dt
import json
import os
import time
from collections.abc import Iterator
from dataclasses import dataclass

import pytest
from sqlmodel import Session, select

from govpatrol.core.db import get_engine
from govpatrol.core.models import (
    Document,
    Finding,
    LinkSource,
    LinkTarget,
    ListPage,
    Page,
    Scan,
    ScanStatus,
    Site,
)
from sampleportal.server import PortalServer
from scan.pipeline import create_scan, run_scan
from tests.conftest import generate_portal_without_waits

AS_OF = dt.date(2026, 11, 22)
OPTIONS = {"browser": False, "thresholds": {"link_timeout_s": 2.0}}


@pytest.fixture(scope="module")
def portal(tmp_path_factory: pytest.TempPathFactory) -> Iterator[PortalServer]:
    """A private copy of the sample portal (this test edits a page), without the routes
    whose only effect is to make every scan wait out timeouts and Retry-After."""
    root = generate_portal_without_waits(tmp_path_factory.mktemp("rescan-portal"))
    with PortalServer(root) as server:
        yield server


def test_the_server_answers_conditional_requests(portal: PortalServer) -> None:
    import httpx

    url = portal.base_url + "index.html"
    with httpx.Client(timeout=5) as client:
        first = client.get(url)
        etag, modified = first.headers["etag"], first.headers["last-modified"]
        assert first.status_code == 200 and etag.startswith('"')
        assert client.get(url, headers={"If-None-Match": etag}).status_code == 304
        assert client.get(url, headers={"If-Modified-Since": modified}).status_code == 304
        # If-None-Match decides when both are sent; a different tag means "send it"
        stale = {"If-None-Match": '"0-0-0"', "If-Modified-Since": modified}
        assert client.get(url, headers=stale).status_code == 200
        old = {"If-Modified-Since": "Mon, 01 Jan 2001 00:00:00 GMT"}
        assert client.get(url, headers=old).status_code == 200


def page_results(session: Session, scan_id: int) -> dict[str, list]:
    """Page-level results without ids, scan ids and fetch times."""

    def rows(model, *exclude: str) -> list:
        skip = {"id", "scan_id", *exclude}
        found = session.exec(select(model).where(model.scan_id == scan_id)).all()
        return sorted((r.model_dump(exclude=skip) for r in found), key=repr)

    findings = rows(Finding, "created_at")
    for finding in findings:  # when a target was checked is not a result
        finding["detail"].pop("checked_at", None)
    return {
        "pages": rows(Page, "fetched_at", "reused_from_scan", "elapsed_ms", "referrer"),
        "lists": rows(ListPage),
        "documents": rows(Document),
        "findings": sorted(findings, key=repr),
    }


def register(db_url: str, url: str) -> int:
    with Session(get_engine(db_url)) as session:
        site = Site(name="示例市民政局", url=url)
        session.add(site)
        session.commit()
        return site.id


def scan(db_url: str, site_id: int) -> int:
    with Session(get_engine(db_url), expire_on_commit=False) as session:
        site = session.get(Site, site_id)
        created = create_scan(session, site, trigger="test", as_of=AS_OF, options=OPTIONS)
    done = run_scan(created.id, db_url=db_url)
    assert done.status == ScanStatus.done, done.error
    return done.id


@dataclass
class Store:
    db_url: str
    site_id: int


@pytest.fixture(scope="module")
def store(portal: PortalServer, tmp_path_factory: pytest.TempPathFactory) -> Iterator[Store]:
    """One store for the module, the portal's site scanned once in it: every test rescans
    that site and compares with the scan before its own (``last_full_scan``), whichever
    test ran before it. One full first scan instead of one per test."""
    db_url = f"sqlite:///{tmp_path_factory.mktemp('rescan-store') / 'govpatrol.db'}"
    with pytest.MonkeyPatch.context() as patch:
        patch.setenv("GOVPATROL_DATABASE_URL", db_url)  # as the db_url fixture does
        site_id = register(db_url, portal.base_url)
        scan(db_url, site_id)
        yield Store(db_url, site_id)


def last_full_scan(store: Store) -> int:
    """The site's latest done scan of every check: the one a full rescan re-uses."""
    with Session(get_engine(store.db_url)) as session:
        scans = session.exec(
            select(Scan)
            .where(Scan.site_id == store.site_id, Scan.status == ScanStatus.done)
            .order_by(Scan.id.desc())
        ).all()
    return next(s.id for s in scans if not (s.options or {}).get("checks"))


def comparable(pages: list[dict]) -> dict[str, dict]:
    """Page rows by URL, minus what legitimately differs for a page fetched again and the
    crawl-order facts (with 16 requests in flight, which link reaches a page first varies)."""
    volatile = ("etag", "last_modified", "content_hash", "bytes", "depth")
    return {p["url"]: {k: v for k, v in p.items() if k not in volatile} for p in pages}


def an_article(portal: PortalServer) -> str:
    truth = json.loads((portal.root / "truth.json").read_text("utf-8"))
    return next(p for p in truth["pages"] if "/t20" in p and p.endswith(".html"))


def test_a_rescan_of_an_unchanged_portal_costs_304s_and_finds_the_same(
    portal: PortalServer, store: Store
) -> None:
    db_url, site_id = store.db_url, store.site_id
    engine = get_engine(db_url)
    first = last_full_scan(store)

    # One page changes between the scans: new bytes, a new mtime, so a new validator.
    path = an_article(portal)
    changed = portal.site_dir / path.lstrip("/")
    changed.write_bytes(changed.read_bytes() + b"\n<!-- edited -->\n")
    later = time.time() + 5
    os.utime(changed, (later, later))
    before = portal.not_modified

    second = scan(db_url, site_id)
    with Session(engine) as session:
        old, new = page_results(session, first), page_results(session, second)
        crawled = session.exec(select(Page).where(Page.scan_id == first)).all()
        pages = session.exec(select(Page).where(Page.scan_id == second)).all()
        crawl = session.get(Scan, second).stats["crawl"]

    reusable = {
        p.url
        for p in crawled
        if p.status == 200
        and p.kind not in ("soft404", "challenge")
        and (p.etag or p.last_modified)
    }
    changed_url = portal.base_url.rstrip("/") + path
    assert changed_url in reusable and len(reusable) > 300
    # every unchanged page answered 304 and was re-used; the edited one was fetched again
    reused = {p.url for p in pages if p.reused_from_scan == first}
    assert reused == reusable - {changed_url}
    assert portal.not_modified - before == len(reused) == crawl["reused_pages"]
    assert crawl["reused_from_scan"] == first
    edited = next(p for p in pages if p.url == changed_url)
    assert edited.reused_from_scan is None and edited.status == 200
    # and the rescan concluded exactly what the first scan did, page by page
    for key in ("lists", "documents", "findings"):
        assert new[key] == old[key], key
    assert comparable(new["pages"]) == comparable(old["pages"])
    # the links of the pages re-used were copied as they were, in their order on the page
    with Session(engine) as session:
        assert links_of(session, second) == links_of(session, first)
        assert targets_of(session, second) == targets_of(session, first)


def links_of(session: Session, scan_id: int) -> dict[str, list[tuple]]:
    """Each page's link rows in stored order, without ids and scan ids."""
    by_page: dict[str, list[tuple]] = {}
    rows = session.exec(
        select(LinkSource).where(LinkSource.scan_id == scan_id).order_by(LinkSource.id)
    )
    for r in rows:
        by_page.setdefault(r.page_url, []).append(
            (r.target_url, r.fragment, r.text, r.tag, r.attr, r.on_home)
        )
    return by_page


def targets_of(session: Session, scan_id: int) -> dict[str, tuple]:
    rows = session.exec(select(LinkTarget).where(LinkTarget.scan_id == scan_id))
    return {r.url: (r.kind, r.internal, r.outcome, r.status) for r in rows}


def test_a_rescan_sees_a_page_that_changed(portal: PortalServer, store: Store) -> None:
    """A link added to one article between two scans: the rescan fetches that page again,
    finds the new broken link on it, and loses nothing the first scan found elsewhere."""
    db_url, site_id = store.db_url, store.site_id
    engine = get_engine(db_url)
    first = last_full_scan(store)

    truth = json.loads((portal.root / "truth.json").read_text("utf-8"))
    path = [p for p in truth["pages"] if "/t20" in p and p.endswith(".html")][-1]
    changed = portal.site_dir / path.lstrip("/")
    # ASCII only: the article may be in any of the portal's encodings
    added = b'<p><a href="/rescan-added-missing.html">link</a></p>'
    changed.write_bytes(changed.read_bytes().replace(b"</body>", added + b"</body>", 1))
    later = time.time() + 10
    os.utime(changed, (later, later))

    second = scan(db_url, site_id)
    changed_url = portal.base_url.rstrip("/") + path
    missing = portal.base_url + "rescan-added-missing.html"
    with Session(engine) as session:
        edited = session.exec(
            select(Page).where(Page.scan_id == second, Page.url == changed_url)
        ).one()
        before = page_results(session, first)["findings"]
        after = page_results(session, second)["findings"]
        crawl = session.get(Scan, second).stats["crawl"]
    assert edited.reused_from_scan is None and edited.status == 200
    assert crawl["reused_pages"] > 300
    broken = [f for f in after if f["check"] == "broken_link" and f["target"] == missing]
    assert [f["page"] for f in broken] == [changed_url]
    assert not [f for f in before if f["target"] == missing]
    # every finding of the first scan is still there, the new link's aside
    assert [f for f in after if f["target"] != missing] == before


def test_a_target_that_broke_between_scans_is_broken_on_the_rescan(
    portal: PortalServer, store: Store
) -> None:
    """The rule: a page's 304 re-uses what the page says, never what its targets answer.
    An attachment and an article that answered 200 in the first scan are gone before the
    rescan; the pages linking to them are unchanged (304, re-used), and the rescan still
    asks both targets again and finds them broken there."""
    engine = get_engine(store.db_url)
    first = last_full_scan(store)
    with Session(engine) as session:
        pages = {p.url: p for p in session.exec(select(Page).where(Page.scan_id == first))}
        ok = session.exec(
            select(LinkTarget).where(LinkTarget.scan_id == first, LinkTarget.outcome == "ok")
        ).all()
        sources = session.exec(select(LinkSource).where(LinkSource.scan_id == first)).all()
    base = portal.base_url.rstrip("/")

    def on_disk(url: str) -> bool:
        return url.startswith(base) and (portal.site_dir / url[len(base) :].lstrip("/")).is_file()

    attachment = next(t.url for t in ok if t.kind == "attachment" and on_disk(t.url))
    article = next(
        t.url for t in ok if t.kind == "page" and "/t20" in t.url and t.url.endswith(".html")
    )
    assert on_disk(article) and pages[article].status == 200
    linking = {
        target: {s.page_url for s in sources if s.target_url == target and s.page_url in pages}
        for target in (attachment, article)
    }
    moved = {url: portal.site_dir / url[len(base) :].lstrip("/") for url in linking}
    for path in moved.values():
        path.rename(path.with_name(path.name + ".gone"))
    try:
        second = scan(store.db_url, store.site_id)
    finally:
        for path in moved.values():
            path.with_name(path.name + ".gone").rename(path)
        # the next test compares its rescan with the latest full scan: one of the whole site
        scan(store.db_url, store.site_id)
    with Session(engine) as session:
        rescanned = {p.url: p for p in session.exec(select(Page).where(Page.scan_id == second))}
        broken = {
            (f.page, f.target)
            for f in session.exec(
                select(Finding).where(Finding.scan_id == second, Finding.check == "broken_link")
            )
        }
    for target, on_pages in linking.items():
        reused = {p for p in on_pages if rescanned[p].reused_from_scan == first}
        assert reused, f"no page linking to {target} was re-used"
        assert {(page, target) for page in reused} <= broken, target
    assert rescanned[article].status == 404 and rescanned[article].reused_from_scan is None


def test_a_rescan_reports_progress_while_it_crawls(store: Store) -> None:
    """The dashboard's live progress (read from the store, as the page polls it) moves past
    the first page while a rescan re-uses 304 pages, as it does on a first scan."""
    import threading

    from dashboard.queries import progress
    from tests.polling import wait_for

    db_url = store.db_url
    engine = get_engine(db_url)
    # the crawl is what this is about: two cheap site checks are enough after it (it re-uses
    # the pages of the module's full scans, which ran these checks too)
    crawl_only = {**OPTIONS, "checks": ["links", "freshness"]}
    with Session(engine, expire_on_commit=False) as session:
        site = session.get(Site, store.site_id)
    # two requests at a time, a little apart: the rescan's crawl lasts a few seconds
    paced = {**crawl_only, "thresholds": {**OPTIONS["thresholds"], "concurrency": 2}}
    paced["thresholds"]["download_delay_s"] = 0.01
    with Session(engine, expire_on_commit=False) as session:
        rescan = create_scan(session, site, trigger="test", as_of=AS_OF, options=paced)
    runner = threading.Thread(target=run_scan, args=(rescan.id,), kwargs={"db_url": db_url})
    runner.start()
    seen: list[tuple[str | None, int]] = []

    def crawled_pages_or_end() -> bool:
        with Session(engine) as session:
            shown = progress(session, session.get(Scan, rescan.id))
        seen.append((shown["stage"], shown["pages"]))
        return shown["finished"] or (shown["stage"] == "crawl" and shown["pages"] > 50)

    try:
        wait_for(crawled_pages_or_end, "the rescan's progress", timeout_s=120, every_s=0.2)
    finally:
        runner.join(timeout=180)
    during_crawl = [pages for stage, pages in seen if stage == "crawl"]
    assert during_crawl and max(during_crawl) > 50, seen
    with Session(engine) as session:
        done = session.get(Scan, rescan.id)
    assert done.status == ScanStatus.done and done.stats["crawl"]["reused_pages"] > 300
