"""The weekly report of a real scan of the sample portal, read in real Chromium as a webmaster
reads it: evidence in words, in the report's language.

The Chinese report shows no internal key, no code (``connection_refused``, ``soft_404``,
``static+axe`` …), no raw dict and no template hash; the English one has no Chinese outside
the text it quotes from the crawled pages (marked ``class="quoted"``).
"""

from __future__ import annotations

import re
from pathlib import Path
from typing import Any

import pytest
from playwright.sync_api import Browser, Page
from sqlmodel import Session, select

from govpatrol.core.db import get_engine
from govpatrol.core.models import Finding, Site
from reports import vocabulary
from reports.site_report import render_site_report
from sampleportal.generate import generate_portal
from sampleportal.server import PortalServer
from scan.pipeline import create_scan, run_scan
from tests.conftest import AS_OF

# A full scan with browser audits comes first: minutes on a busy machine.
pytestmark = [pytest.mark.browser, pytest.mark.timeout(900)]
BROWSER_PAGES = 8  # enough for axe to confirm static findings (static+axe), quick to run

CJK = re.compile(r"[\u3000-\u303f\u3400-\u9fff\uff00-\uffef]")
TEMPLATE_HASH = re.compile(r"\b[0-9a-f]{16,}\b")
# Detail values that are codes, by the keys that hold them.
CODE_KEYS = ("reason", "reasons", "error", "kind", "source", "impact", "hiding", "item",
             "calendar", "validity_source", "category", "validity", "basis", "kinds")  # fmt: skip
# Words of the report's own prose that a code may also spell: not evidence of a leak.
ORDINARY_WORDS = {"page", "image", "external", "attachment", "effective", "http"}

# All the report's text as shown, every folded section opened, and the same with the text
# quoted from crawled pages taken out.
INNER_TEXT = """(dropQuoted) => {
  document.querySelectorAll('details').forEach(d => { d.open = true; });
  const body = document.body.cloneNode(true);
  if (dropQuoted) { body.querySelectorAll('.quoted').forEach(e => e.remove()); }
  body.querySelectorAll('script, style').forEach(e => e.remove());
  const box = document.createElement('div');
  box.append(...body.childNodes);
  document.body.append(box);
  const text = box.innerText;
  box.remove();
  return text;
}"""


@pytest.fixture(scope="module")
def reports(tmp_path_factory: pytest.TempPathFactory) -> dict[str, Any]:
    """The sample portal, generated and served on 127.0.0.1 for this module alone (no other
    test's visits change what it serves), scanned once with every check, browser audits
    included, and its weekly report written in both languages."""
    folder = tmp_path_factory.mktemp("language")
    generate_portal(folder / "portal", AS_OF)
    db_url = f"sqlite:///{folder / 'govpatrol.db'}"
    with PortalServer(folder / "portal") as portal:
        with Session(get_engine(db_url), expire_on_commit=False) as session:
            site = Site(name="示例市民政局", url=portal.base_url)
            session.add(site)
            session.commit()
            thresholds = {"link_timeout_s": 2.0, "browser_budget_pages": BROWSER_PAGES}
            options = {"browser": True, "thresholds": thresholds}
            scan = create_scan(session, site, trigger="test", as_of=AS_OF, options=options)
        done = run_scan(scan.id, db_url=db_url)
    with Session(get_engine(db_url)) as session:
        for lang in ("zh", "en"):
            html = render_site_report(session, site.id, lang=lang)
            (folder / f"site-{lang}.html").write_text(html, encoding="utf-8")
        findings = list(session.exec(select(Finding).where(Finding.scan_id == done.id)))
    return {"folder": folder, "findings": findings, "stats": done.stats or {}}


def _text(browser: Browser, path: Path, *, drop_quoted: bool) -> str:
    page: Page = browser.new_page()
    try:
        page.goto(path.as_uri())
        return page.evaluate(INNER_TEXT, drop_quoted)
    finally:
        page.close()


def _keys(value: Any) -> set[str]:
    """Every key of a detail, nested ones included."""
    if isinstance(value, dict):
        return set(value) | {k for v in value.values() for k in _keys(v)}
    if isinstance(value, list):
        return {k for v in value for k in _keys(v)}
    return set()


def _codes(detail: dict[str, Any]) -> set[str]:
    found: set[str] = set()
    for key in CODE_KEYS:
        value = detail.get(key)
        for code in value if isinstance(value, list) else [value]:
            if isinstance(code, str) and re.fullmatch(r"[a-z0-9_+]+", code):
                found.add(code)
    return found


def test_the_chinese_report_says_everything_in_words(reports, browser: Browser) -> None:
    findings = reports["findings"]
    internal = {k for f in findings for k in _keys(f.detail) if "_" in k}
    codes = {c for f in findings for c in _codes(f.detail or {})} - ORDINARY_WORDS
    # the scan really carries what the report must translate
    assert {"error_text", "column_key", "basis_date"} <= internal
    assert {"static+axe", "offscreen", "hidden_links", "gambling"} <= codes, reports["stats"]
    codes |= {"connection_refused", "soft_404", "timeout", "dns"}
    shown = _text(browser, reports["folder"] / "site-zh.html", drop_quoted=False)
    own = _text(browser, reports["folder"] / "site-zh.html", drop_quoted=True)
    assert "证据" in shown and "页面模板" in shown
    # The report's own words; text quoted from the pages (snippets …) may say anything.
    for word in sorted(internal | codes):
        hits = re.findall(rf"(?<![\w/.?=&%-]){re.escape(word)}(?![\w/.?=&%-])", own)
        assert not hits, f"{word!r} shown in the Chinese report"
    assert "{" not in own and "':" not in own and '":' not in own  # no raw dict or JSON
    assert "detail." not in shown  # advice names no field of the evidence
    assert not TEMPLATE_HASH.search(own), TEMPLATE_HASH.search(own)
    # failure kinds and other codes became the vocabulary's words
    assert vocabulary.HIDINGS["offscreen"][0] in shown
    assert vocabulary.SOURCES["static+axe"][0] in shown


def test_the_english_report_has_no_chinese_but_quoted_page_text(reports, browser: Browser) -> None:
    own = _text(browser, reports["folder"] / "site-en.html", drop_quoted=True)
    leaks = [line for line in own.splitlines() if CJK.search(line)]
    assert leaks == []
    # the crawled pages' own words are still there, quoted
    shown = _text(browser, reports["folder"] / "site-en.html", drop_quoted=False)
    assert "示例市民政局" in shown and CJK.search(shown)
    # finding messages are English sentences, not the stored Chinese
    assert "Column " in own and "not updated for" in own
    assert "hidden external links (link farm)" in own
    assert not TEMPLATE_HASH.search(own)


def test_a_hidden_gambling_link_is_one_finding_in_the_report(reports, browser: Browser) -> None:
    """The sample portal's off-screen farm with two casino links: one finding, two reasons."""
    farms = [
        f
        for f in reports["findings"]
        if f.check == "suspicious_outbound_link" and f.detail.get("reason") == "hidden_links"
    ]
    assert farms and all(f.detail["reasons"] == ["hidden_links", "gambling"] for f in farms)
    on_farm_pages = [
        f
        for f in reports["findings"]
        if f.check == "suspicious_outbound_link" and f.page in {farm.page for farm in farms}
    ]
    assert len(on_farm_pages) == len(farms)  # no second finding for the casino links
    shown = _text(browser, reports["folder"] / "site-zh.html", drop_quoted=False)
    assert "其中 2 个现指向博彩/赌博内容" in shown
