"""The static contrast rule with the site's own linked stylesheets: fetched from a real site on
127.0.0.1 through the SSRF guard, once per scan, bounded, and only from the site's hosts.

Pages link a shared sheet the way government pages do; the accessibility page hook runs on
each page as the page-check worker runs it. Whatever is not fetched (another host, a 404, a
slow or oversized sheet, a spent budget) leaves the page as uncertain as before: no finding.
"""

from __future__ import annotations

import dataclasses
import datetime as dt
import time
from collections.abc import Iterator

import lxml.html
import pytest

import checks.a11y_stylesheets as a11y_stylesheets
from checks.a11y_static.cascade import Stylesheet
from checks.a11y_static.rules import audit
from checks.a11y_stylesheets import SiteStylesheets, StylesheetLimits
from checks.accessibility import AccessibilityCheck
from extract.parse import build_parsed_page
from govpatrol.core.settings import Thresholds
from govpatrol.core.types import FindingData, ScanContext
from tests.loopback import MAX_ROUTE_S, LoopbackServer, Request, raw, redirect, serve

LOW = ".note{color:#bbbbbb}"  # 1.92:1 on white
GOOD = ".note{color:#333333}"  # 12.6:1 on white
NOTE = '<p class="note">温馨提示：本栏目内容以正式印发的文件为准。</p>'


def css(text: str, content_type: str = "text/css; charset=utf-8") -> object:
    return raw(200, text.encode("utf-8"), [("Content-Type", content_type)])


def html(head: str, body: str = NOTE) -> str:
    return (
        '<!DOCTYPE html><html lang="zh-CN"><head><meta charset="utf-8"><title>通知公告</title>'
        f"{head}</head><body>{body}</body></html>"
    )


def link(href: str, media: str | None = None) -> str:
    extra = f' media="{media}"' if media is not None else ""
    return f'<link rel="stylesheet" href="{href}"{extra}>'


def hanging(request: Request) -> None:
    """Headers never come: the client's timeout must end the wait (the route ends when the
    server stops)."""
    request.stop.wait(MAX_ROUTE_S)


@pytest.fixture
def canary() -> Iterator[LoopbackServer]:
    """Another host (another port of 127.0.0.1): a sheet there must never be requested."""
    with serve({"/cdn/theme.css": css(LOW)}) as server:
        yield server


@pytest.fixture
def site(canary: LoopbackServer) -> Iterator[LoopbackServer]:
    routes = {
        "/css/low.css": css(LOW),
        "/css/good.css": css(GOOD),
        "/css/main.css": css('@import url("colours.css");\n.w{max-width:1100px}'),
        "/css/colours.css": css(LOW),
        "/css/deep.css": css('@import "main.css";'),
        "/css/print-inside.css": css("@media print{.note{color:#bbbbbb}}"),
        "/css/big.css": css(GOOD + "/*" + "x" * (1024 * 1024) + "*/" + LOW),
        "/css/slow.css": hanging,
        "/css/as-html.css": css(LOW, "text/html; charset=utf-8"),
        "/css/no-type.css": raw(200, LOW.encode()),
        "/css/away.css": redirect(f"{canary.base_url}cdn/theme.css"),
        "/css/moved.css": redirect("/css/low.css", 301),
        "/css/gbk.css": raw(
            200,
            '@charset "gbk";\n.提示{color:#bbbbbb}'.encode("gbk"),
            [("Content-Type", "text/css")],
        ),
        "/css/layered.css": css("@layer theme{.note{color:#333333}}\n" + LOW),
    }
    with serve(routes) as server:
        yield server


def ctx_for(server: LoopbackServer, scan_id: int = 1, **thresholds: object) -> ScanContext:
    return ScanContext(
        scan_id=scan_id,
        site_id=1,
        site_url=server.base_url,
        site_name="测试",
        as_of=dt.date(2026, 11, 22),
        thresholds=dataclasses.replace(Thresholds(), **thresholds),  # type: ignore[arg-type]
    )


def contrast_findings(server: LoopbackServer, path: str, text: str, ctx: ScanContext) -> list:
    url = server.base_url.rstrip("/") + path
    headers = {"content-type": "text/html; charset=utf-8"}
    page = build_parsed_page(url, url, 200, headers, text.encode("utf-8"))
    return [
        f
        for f in AccessibilityCheck().on_page(page, ctx)
        if isinstance(f, FindingData) and f.detail.get("rule") == "color-contrast"
    ]


# --------------------------------------------------------------------------- found, and not


def test_a_shared_sheet_with_low_contrast_is_found_on_every_page_and_fetched_once(site) -> None:
    ctx = ctx_for(site)
    pages = [f"/xxgk/tzgg/{n}.html" for n in range(6)]
    found = [contrast_findings(site, path, html(link("/css/low.css")), ctx) for path in pages]
    assert all(len(f) == 1 for f in found)
    detail = found[0][0].detail
    assert (detail["foreground"], detail["background"]) == ("#bbbbbb", "#ffffff")
    assert detail["contrast_ratio"] < detail["required_ratio"] == 4.5
    assert detail["source"] == "static"
    assert site.requested("/css/low.css") == 1


def test_a_shared_sheet_with_enough_contrast_gives_nothing_and_closes_the_cascade(site) -> None:
    """The sheet is seen whole, so the page is judged as if it had no linked sheet: text it
    colours passes, and text the page colours inline without a background is judged too."""
    ctx = ctx_for(site)
    assert contrast_findings(site, "/a.html", html(link("/css/good.css")), ctx) == []
    inline = '<p style="color:#c0c0c0">页面自己写的浅灰色说明文字</p>'
    assert len(contrast_findings(site, "/b.html", html(link("/css/good.css"), inline), ctx)) == 1
    # the same page linking a sheet that is not seen stays uncertain
    missing = html(link("/css/missing.css"), inline)
    assert contrast_findings(site, "/c.html", missing, ctx) == []


def test_a_sheet_on_another_host_is_never_requested(site, canary) -> None:
    ctx = ctx_for(site)
    head = link(f"{canary.base_url}cdn/theme.css")
    assert contrast_findings(site, "/a.html", html(head), ctx) == []
    # nor through a redirect from the site's own sheet
    assert contrast_findings(site, "/b.html", html(link("/css/away.css")), ctx) == []
    assert site.requested("/css/away.css") == 1
    assert canary.hits == []


def test_a_redirect_on_the_site_is_followed(site) -> None:
    found = contrast_findings(site, "/a.html", html(link("/css/moved.css")), ctx_for(site))
    assert len(found) == 1 and site.requested("/css/low.css") == 1


@pytest.mark.parametrize(
    "sheet",
    ["/css/missing.css", "/css/big.css", "/css/as-html.css", "/css/layered.css"],
    ids=["404", "over 1 MB", "served as HTML", "an @layer block"],
)
def test_a_sheet_not_read_whole_leaves_the_page_uncertain(site, sheet: str) -> None:
    assert contrast_findings(site, "/a.html", html(link(sheet)), ctx_for(site)) == []
    assert site.requested(sheet) == 1


def test_a_slow_sheet_is_given_up_once_and_never_asked_again(site) -> None:
    ctx = ctx_for(site, stylesheet_timeout_s=0.5)
    started = time.monotonic()
    for n in range(3):
        assert contrast_findings(site, f"/{n}.html", html(link("/css/slow.css")), ctx) == []
    # one timeout for the three pages (MAX_ROUTE_S is how long the route would hang)
    assert time.monotonic() - started < MAX_ROUTE_S
    assert site.requested("/css/slow.css") == 1


def test_a_css_url_without_a_content_type_is_read(site) -> None:
    assert len(contrast_findings(site, "/a.html", html(link("/css/no-type.css")), ctx_for(site)))


def test_import_is_followed_one_level(site) -> None:
    ctx = ctx_for(site)
    assert len(contrast_findings(site, "/a.html", html(link("/css/main.css")), ctx)) == 1
    assert site.requested("/css/colours.css") == 1
    # deep.css imports main.css, which imports colours.css: two levels, the page stays open
    assert contrast_findings(site, "/b.html", html(link("/css/deep.css")), ctx) == []
    assert site.requested("/css/colours.css") == 1
    # an embedded sheet's @import is one level from the page
    embedded = '<style>@import url("/css/low.css");</style>'
    assert len(contrast_findings(site, "/c.html", html(embedded), ctx)) == 1


def test_print_only_sheets_and_rules_are_not_applied(site) -> None:
    ctx = ctx_for(site)
    assert contrast_findings(site, "/a.html", html(link("/css/low.css", "print")), ctx) == []
    assert site.requested("/css/low.css") == 0  # a sheet that never applies is not fetched
    assert contrast_findings(site, "/b.html", html(link("/css/print-inside.css")), ctx) == []
    screen = html(link("/css/low.css", "screen"))
    assert len(contrast_findings(site, "/c.html", screen, ctx)) == 1


def test_the_charset_of_the_sheet_decides_how_it_is_read(site) -> None:
    body = '<p class="提示">温馨提示：本栏目内容以正式印发的文件为准。</p>'
    found = contrast_findings(site, "/a.html", html(link("/css/gbk.css"), body), ctx_for(site))
    assert len(found) == 1 and found[0].detail["foreground"] == "#bbbbbb"


def test_the_scan_budget_bounds_the_sheets_fetched(site) -> None:
    ctx = ctx_for(site, stylesheet_max_per_scan=1)
    assert len(contrast_findings(site, "/a.html", html(link("/css/low.css")), ctx)) == 1
    both = link("/css/low.css") + link("/css/colours.css")
    assert contrast_findings(site, "/b.html", both, ctx) == []
    assert site.requested("/css/colours.css") == 0
    # a new scan starts a new budget (and a new cache)
    again = ctx_for(site, scan_id=2, stylesheet_max_per_scan=1)
    assert len(contrast_findings(site, "/a.html", html(link("/css/low.css")), again)) == 1
    assert site.requested("/css/low.css") == 2


def test_no_sheet_is_fetched_when_the_scan_allows_none(site) -> None:
    ctx = ctx_for(site, stylesheet_max_per_scan=0)
    assert contrast_findings(site, "/a.html", html(link("/css/low.css")), ctx) == []
    assert site.hits == []


def test_the_sites_extra_hosts_are_the_sites_own(site, canary) -> None:
    sheets = SiteStylesheets(site.base_url, extra_hosts=[canary.host])
    try:
        source = sheets.for_page(site.base_url + "a.html")
        found = source.stylesheet(f"{canary.base_url}cdn/theme.css")
        assert isinstance(found, Stylesheet) and ".note" in found.css
        assert canary.requested("/cdn/theme.css") == 1 and sheets.requests == 1
    finally:
        sheets.close()


# --------------------------------------------------------------------------- the cascade


class Sheets:
    """A source of parsed sheets without a network: what the cascade does with them."""

    def __init__(self, **by_path: str) -> None:
        self.by_url = {f"http://site.test/{p.replace('_', '/')}": t for p, t in by_path.items()}

    def stylesheet(self, url: str) -> Stylesheet | None:
        text = self.by_url.get(url)
        return Stylesheet(text, url) if text is not None else None


def failing_colours(page: str, sheets: Sheets) -> list[str]:
    tree = lxml.html.document_fromstring(page)
    results = audit(tree, page, stylesheets=sheets, url="http://site.test/a/b.html")
    return [r.evidence["foreground"] for r in results if r.rule == "color-contrast"]


def test_sheets_cascade_in_document_order_with_the_page_styles() -> None:
    sheets = Sheets(**{"css_low.css": LOW, "css_good.css": GOOD})
    # a later sheet wins at equal specificity, whether linked or embedded
    assert failing_colours(html(link("/css/good.css") + link("/css/low.css")), sheets)
    assert not failing_colours(html(link("/css/low.css") + link("/css/good.css")), sheets)
    assert not failing_colours(html(link("/css/low.css") + f"<style>{GOOD}</style>"), sheets)
    # relative to the page, or to <base href>
    assert failing_colours(html(link("../css/low.css")), sheets)
    assert failing_colours(html('<base href="/css/">' + link("low.css")), sheets)


def test_a_viewport_media_query_makes_the_sheet_unsettled() -> None:
    sheets = Sheets(**{"css_low.css": LOW})
    assert not failing_colours(html(link("/css/low.css", "(max-width: 600px)")), sheets)
    assert failing_colours(html(link("/css/low.css", "screen, print")), sheets)


def test_the_process_cache_is_per_scan(site) -> None:
    limits = StylesheetLimits()
    first = a11y_stylesheets.scan_stylesheets(ctx_for(site), limits)
    assert a11y_stylesheets.scan_stylesheets(ctx_for(site), limits) is first
    assert a11y_stylesheets.scan_stylesheets(ctx_for(site, scan_id=9), limits) is not first


def test_rules_the_analysis_cannot_read_keep_the_cascade_open() -> None:
    """A block it does not model, or a selector Chromium may apply that cssselect2 cannot
    parse, may set the colours: the page is judged as if a sheet were not seen. Another
    engine's prefixed selector is dropped, as Chromium drops it."""
    for unread in ("@container (min-width: 1px){.note{color:#333}}", "p:dir(ltr){color:#333}"):
        sheets = Sheets(**{"css_low.css": LOW + unread})
        assert not failing_colours(html(link("/css/low.css")), sheets), unread
    sheets = Sheets(**{"css_low.css": LOW + "p:-ms-input-placeholder{color:#333}"})
    assert failing_colours(html(link("/css/low.css")), sheets)
