"""The rendered reports opened in real Chromium: sections, counts, escaping, the filter, print."""

from __future__ import annotations

import re
from collections.abc import Iterator
from pathlib import Path

import pytest
from playwright.sync_api import Browser, Page
from sqlmodel import Session, func, select
from test_reports import XSS_TITLE, Store, build_store

from govpatrol.core.models import Finding
from reports.org_overview import render_org_overview
from reports.site_report import render_site_report

pytestmark = pytest.mark.browser


@pytest.fixture(scope="module")
def reports(tmp_path_factory: pytest.TempPathFactory) -> tuple[Store, Path]:
    """Site reports (site-<id>.html) and the overview written side by side, as published."""
    folder = tmp_path_factory.mktemp("reports")
    store = build_store(folder)
    with Session(store.engine) as s:
        for site_id in (store.site_id, store.site_b, store.site_c):
            html = render_site_report(s, site_id)
            (folder / f"site-{site_id}.html").write_text(html, encoding="utf-8")
        overview = render_org_overview(s, store.root_org)
        (folder / "index.html").write_text(overview, encoding="utf-8")
    return store, folder


@pytest.fixture
def page(browser: Browser) -> Iterator[Page]:
    context = browser.new_context(viewport={"width": 1280, "height": 900})
    tab = context.new_page()
    tab.set_default_timeout(10_000)
    errors: list[str] = []
    requests: list[str] = []
    tab.on("pageerror", lambda exc: errors.append(str(exc)))
    tab.on("console", lambda msg: errors.append(msg.text) if msg.type == "error" else None)
    tab.on("request", lambda req: requests.append(req.url))
    tab.on("dialog", lambda d: (errors.append("dialog: " + d.message), d.dismiss()))
    yield tab
    # Self-contained: the report fetched nothing but the report files themselves.
    assert all(url.startswith("file://") for url in requests), requests
    assert errors == []
    context.close()


def _open(page: Page, path: Path) -> None:
    page.goto(path.as_uri())
    page.wait_for_load_state("load")


def test_report_sections_counts_and_no_script_execution(reports, page: Page):
    store, folder = reports
    _open(page, folder / f"site-{store.site_id}.html")
    for section in ("verdict", "changes", "trend", "score", "links", "columns", "documents"):
        assert page.locator(f"#{section}").is_visible(), section
    assert page.locator("#accessibility").count() == 1
    # The payloads in titles, link texts and column names never ran.
    assert page.evaluate("typeof window.__xss") == "undefined"
    assert page.locator('a[href^="javascript:"]').count() == 0
    # ... and they are shown as text, where the webmaster can read them.
    assert page.get_by_text(XSS_TITLE).count() >= 1
    counts = page.evaluate(
        """() => {
        const out = {};
        document.querySelectorAll('tr.f').forEach(r => {
            const c = r.dataset.check; out[c] = (out[c] || 0) + 1; });
        return out; }"""
    )
    with Session(store.engine) as s:
        expected = dict(
            s.exec(
                select(Finding.check, func.count())
                .where(Finding.scan_id == store.scan2)
                .group_by(Finding.check)
            ).all()
        )
    assert counts == expected
    assert page.locator("#verdict .big").inner_text() == "合格"


def test_filter_box_hides_rows(reports, page: Page):
    store, folder = reports
    _open(page, folder / f"site-{store.site_id}.html")
    total = page.locator("tr.f").count()
    assert page.locator("#shown").inner_text() == f"{total} / {total}"
    page.locator("#filter").fill("tzgg")
    shown = page.evaluate("() => [...document.querySelectorAll('tr.f')].filter(r => !r.hidden)")
    assert len(shown) == 2  # the two broken links on /xxgk/tzgg/index.html
    assert page.locator("#shown").inner_text() == f"2 / {total}"
    # Matching rows are revealed (their collapsed groups open); others are hidden.
    visible = page.locator("tr.f:visible")
    assert visible.count() == 2
    for text in visible.all_inner_texts():
        assert "a.pdf" in text or "cmd.pdf" in text
    page.locator("#filter").fill("")
    assert page.evaluate("() => [...document.querySelectorAll('tr.f')].every(r => !r.hidden)")
    page.locator("#state-filter").select_option("false_positive")
    states = page.evaluate(
        "() => [...document.querySelectorAll('tr.f')].filter(r => !r.hidden)"
        ".map(r => r.dataset.state)"
    )
    assert states == ["false_positive"]
    page.locator("#filter").fill("no-such-thing-anywhere")
    assert page.locator("#shown").inner_text() == f"0 / {total}"
    assert page.locator("#links").is_hidden()  # a section with nothing left disappears


def test_print_layout_hides_the_filter_and_opens_every_section(reports, page: Page):
    store, folder = reports
    _open(page, folder / f"site-{store.site_id}.html")
    page.emulate_media(media="print")
    assert page.locator(".filterbar").is_hidden()
    page.emulate_media(media="screen")
    assert page.locator(".filterbar").is_visible()
    closed = page.evaluate("document.querySelectorAll('details:not([open])').length")
    assert closed > 0
    # Printing opens collapsed sections (a listener added after the report's own sees them
    # open), and closes them again afterwards.
    page.evaluate(
        """window.addEventListener('beforeprint', () => {
            window.__closedWhilePrinting = document.querySelectorAll('details:not([open])').length;
        })"""
    )
    pdf = page.pdf()
    assert pdf.startswith(b"%PDF")
    assert page.evaluate("window.__closedWhilePrinting") == 0
    assert page.evaluate("document.querySelectorAll('details:not([open])').length") == closed


def test_reports_print_on_a4_whatever_the_printer_default(reports, page: Page):
    """The reports ask for A4 (@page): a printer set to Letter still prints A4 pages."""
    store, folder = reports
    for name in (f"site-{store.site_id}.html", "index.html"):
        _open(page, folder / name)
        pdf = page.pdf(format="Letter", prefer_css_page_size=True)
        boxes = re.findall(rb"/MediaBox\s*\[\s*0 0 ([\d.]+) ([\d.]+)\s*\]", pdf)
        assert boxes, name
        for width, height in boxes:  # A4 is 595 × 842 points
            assert (round(float(width)), round(float(height))) == (595, 842), name


def test_overview_links_to_site_reports(reports, page: Page):
    store, folder = reports
    _open(page, folder / "index.html")
    assert page.locator("tr.site").count() == 3
    page.locator(f'tr.site[data-site="{store.site_b}"] a[href="site-{store.site_b}.html"]').click()
    page.wait_for_load_state("load")
    assert page.url.endswith(f"site-{store.site_b}.html")
    assert "某区民政局" in page.locator("h1").inner_text()
    assert "不合格" in page.locator("#verdict").inner_text()


def test_screenshots(reports, page: Page, tmp_path: Path):
    """Full-page screenshots of both reports (looked at by hand during development)."""
    store, folder = reports
    _open(page, folder / f"site-{store.site_id}.html")
    shot = page.screenshot(path=str(tmp_path / "site.png"), full_page=True)
    assert shot[:8] == b"\x89PNG\r\n\x1a\n" and len(shot) > 50_000
    _open(page, folder / "index.html")
    shot = page.screenshot(path=str(tmp_path / "overview.png"), full_page=True)
    assert shot[:8] == b"\x89PNG\r\n\x1a\n" and len(shot) > 20_000
