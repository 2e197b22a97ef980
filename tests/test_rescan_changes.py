"""A rescan of a site that changed in every way a site changes between two weeks, against a
first scan of the changed site: the revalidation pass (``crawler.revalidate``) asks the
previous scan's pages before the crawl, re-uses those that answer 304 without Scrapy, and
leaves the rest to the crawl, so the rescan must conclude exactly what a first scan does.

Between the scans one article is edited, one is removed (404; the unchanged pages linking
to it are re-used and must report the broken link), and a new page appears behind another
edited article, with a broken link of its own and a link to an unchanged article."""

from __future__ import annotations

import json
import os
import time
from collections.abc import Iterator

import pytest
from sqlmodel import Session, select

from govpatrol.core.db import get_engine
from govpatrol.core.models import Finding, Page, Scan
from sampleportal.server import PortalServer
from tests.conftest import generate_portal_without_waits
from tests.test_rescan import comparable, links_of, page_results, register, scan, targets_of

NEW_PAGE = "rescan-new/index.html"
NEW_PAGE_BROKEN = "/rescan-new/missing.html"


@pytest.fixture(scope="module")
def portal(tmp_path_factory: pytest.TempPathFactory) -> Iterator[PortalServer]:
    root = generate_portal_without_waits(tmp_path_factory.mktemp("changing-portal"))
    with PortalServer(root) as server:
        yield server


def articles(portal: PortalServer) -> list[str]:
    truth = json.loads((portal.root / "truth.json").read_text("utf-8"))
    return [p for p in truth["pages"] if "/t20" in p and p.endswith(".html")]


def edit(portal: PortalServer, path: str, old: bytes, new: bytes) -> None:
    """Replace ``old`` with ``new`` in a page (ASCII only: the page may be in any of the
    portal's encodings) and move its mtime on, so its validators change."""
    file = portal.site_dir / path.lstrip("/")
    body = file.read_bytes()
    assert old in body, path
    file.write_bytes(body.replace(old, new, 1))
    later = time.time() + 10
    os.utime(file, (later, later))


def test_a_rescan_of_a_changed_site_finds_what_a_first_scan_finds(
    portal: PortalServer, tmp_path_factory: pytest.TempPathFactory
) -> None:
    rescans = f"sqlite:///{tmp_path_factory.mktemp('rescans') / 'govpatrol.db'}"
    firsts = f"sqlite:///{tmp_path_factory.mktemp('firsts') / 'govpatrol.db'}"
    with pytest.MonkeyPatch.context() as patch:
        patch.setenv("GOVPATROL_DATABASE_URL", rescans)
        site = register(rescans, portal.base_url)
        before = scan(rescans, site)

    base = portal.base_url.rstrip("/")
    edited, removed, leads_on, kept = articles(portal)[:4]
    edit(portal, edited, b"</body>", b"<p>corrected on Monday</p></body>")
    (portal.site_dir / removed.lstrip("/")).unlink()
    new_page = portal.site_dir / NEW_PAGE
    new_page.parent.mkdir()
    new_page.write_text(
        "<!doctype html><html lang=zh-CN><head><meta charset=utf-8><title>新栏目</title>"
        f'</head><body><a href="{kept}">kept</a> <a href="{NEW_PAGE_BROKEN}">missing</a>'
        "</body></html>",
        "utf-8",
    )
    edit(portal, leads_on, b"</body>", f'<a href="/{NEW_PAGE}">new</a></body>'.encode())

    with pytest.MonkeyPatch.context() as patch:
        patch.setenv("GOVPATROL_DATABASE_URL", rescans)
        rescan = scan(rescans, site)
    with pytest.MonkeyPatch.context() as patch:
        patch.setenv("GOVPATROL_DATABASE_URL", firsts)
        first = scan(firsts, register(firsts, portal.base_url))

    with Session(get_engine(rescans)) as session:
        again = page_results(session, rescan)
        pages = {p.url: p for p in session.exec(select(Page).where(Page.scan_id == rescan))}
        crawl = session.get(Scan, rescan).stats["crawl"]
        linked = links_of(session, rescan)
        targets = targets_of(session, rescan)
        linking_removed = {
            f.page
            for f in session.exec(select(Finding).where(Finding.scan_id == rescan))
            if f.check == "broken_link" and f.target == base + removed
        }
    with Session(get_engine(firsts)) as session:
        fresh = page_results(session, first)
        assert links_of(session, first) == linked
        assert targets_of(session, first) == targets

    # the pass asked the previous scan's pages and the crawl re-used every 304 it got
    reused = {url for url, p in pages.items() if p.reused_from_scan == before}
    assert crawl["revalidated"] > 300
    assert len(reused) == crawl["reused_pages"] == crawl["revalidated_unchanged"]
    assert not {base + edited, base + leads_on, base + "/" + NEW_PAGE} & reused
    assert pages[base + removed].status == 404
    assert pages[base + "/" + NEW_PAGE].status == 200
    # the removed article is broken on pages the rescan re-used, not fetched
    assert linking_removed and linking_removed <= reused
    # and the rescan concluded exactly what a first scan of the changed site does
    for key in ("lists", "documents", "findings"):
        assert again[key] == fresh[key], key
    assert comparable(again["pages"]) == comparable(fresh["pages"])
    assert any(f["target"] == base + NEW_PAGE_BROKEN for f in again["findings"])
