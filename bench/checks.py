"""Check benchmark: the per-page and per-call costs that unit tests used to assert with a
clock, measured here instead. A timing bound in a unit test fails whenever the machine is
busy; the tests now assert what makes each step cheap (a pre-filter that skips the costly
step, links resolved lazily, a workbook streamed, connections kept alive), and this script
says how cheap that is.

    .venv/bin/python bench/checks.py

In this process: the 暗链 page hook, the personal-data page hook on an ordinary page, the
site-identity page hook (footer items and mixed content) on the real pages,
expression rule packs' matcher and page hook (the real pages, and an article with an error),
the dark-link and injected-code page hook (the real pages, and an article with planted ones),
document extraction, list extraction, the static accessibility rules, the soft-404 and
challenge hooks and the template key on the real pages of shared/real-pages, date parsing,
the text of a 5,000-row 公示 workbook, working days over 37 years and the site report with
5,000 findings; the accessibility page hook on sample portal pages with and without their
linked stylesheet fetched; every check's page hook, as the crawl's page-check worker runs them,
over a generated portal of 300 articles (the new checks' cost per crawled page). Over loopback
(127.0.0.1 only): link verification of 1,000 targets and the sample portal's request rate. Inputs and servers are the unit tests' own helpers. Each
figure is the median of a few runs, wall time and, for the in-process ones, the CPU time of
this process.
"""

from __future__ import annotations

import argparse
import contextlib
import datetime as dt
import json
import statistics
import sys
import tempfile
import threading
import time
from collections.abc import Callable
from dataclasses import dataclass
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parents[1]))

import httpx
import lxml.html
from sqlmodel import Session

from bench.common import static_server
from bench.page_profile import portal_pages, run_hooks
from bench.report import table, write_section
from checks.a11y_static.rules import audit
from checks.a11y_stylesheets import StylesheetLimits
from checks.accessibility import AccessibilityCheck
from checks.expression import ExpressionCheck
from checks.identity import IdentityCheck
from checks.injection import InjectionCheck
from checks.outbound import OutboundCheck
from checks.personal_data import PersonalDataCheck
from checks.tampering import TamperingCheck
from crawler.attachments import extract_text
from crawler.verify import verify_sync
from crawler.verify_types import TargetIn
from extract.dates import find_date_parts
from extract.documents import extract_document
from extract.expression import build_matcher
from extract.lists import extract_list
from extract.parse import build_parsed_page
from extract.rulepacks import shipped_packs
from extract.soft404 import challenge_reason, is_error_page
from extract.templates import template_key
from govpatrol.core.settings import Thresholds
from govpatrol.core.types import ScanContext
from govpatrol.core.workdays import working_days_between
from reports.site_report import render_site_report
from sampleportal.generate import generate_portal
from sampleportal.server import PortalServer
from scan.page_checks import page_shape
from tests import (
    test_a11y_static,
    test_documents,
    test_expression,
    test_identity,
    test_injection,
    test_lists,
    test_outbound,
    test_personal_data,
    test_reports,
    test_soft404,
    test_templates,
    test_verify,
)
from tests.test_attachments import make_xlsx

AS_OF = dt.date(2026, 11, 22)
RUNS = 5


@dataclass
class Figure:
    what: str
    wall: float  # in ``unit``
    cpu: float | None  # in ``unit``; None when other threads' work would be counted too
    unit: str
    former_bound: str  # what the unit test asserted before it was rewritten
    test: str  # the test that now asserts the mechanism


def timed(step: Callable[[], object], repeat: int, runs: int = RUNS) -> tuple[float, float]:
    """(wall, CPU) seconds per call of ``step``: the median of ``runs`` runs of ``repeat``."""
    walls, cpus = [], []
    for _ in range(runs):
        wall, cpu = time.perf_counter(), time.process_time()
        for _ in range(repeat):
            step()
        walls.append((time.perf_counter() - wall) / repeat)
        cpus.append((time.process_time() - cpu) / repeat)
    return statistics.median(walls), statistics.median(cpus)


def context(url: str) -> ScanContext:
    return ScanContext(scan_id=1, site_id=1, site_url=url, site_name="x", as_of=AS_OF)


def ms_per_page(
    what: str,
    step: Callable[[], object],
    *,
    repeat: int,
    former_bound: str,
    test: str,
    pages: int = 1,
) -> Figure:
    """The time of ``step``, which handles ``pages`` pages, in ms per page."""
    wall, cpu = timed(step, repeat)
    return Figure(what, wall / pages * 1e3, cpu / pages * 1e3, "ms/page", former_bound, test)


def hook_on_page(
    what: str, check, page, ctx: ScanContext, *, repeat: int, former_bound: str, test: str
) -> Figure:
    """A check's page hook, again and again on one page."""
    return ms_per_page(
        what,
        lambda: list(check.on_page(page, ctx)),
        repeat=repeat,
        former_bound=former_bound,
        test=test,
    )


def hook_on_pages(what: str, check, pages: list, ctx: ScanContext, former_bound: str, test: str):
    """A check's page hook over ``pages``, per page."""
    return per_page(
        f"{what}, the {len(pages)} real pages",
        [(page,) for page in pages],
        lambda page: list(check.on_page(page, ctx)),
        former_bound,
        test,
    )


def outbound_hook() -> Figure:
    # the page of test_outbound: a hidden menu, then 800 paragraphs the hook must not visit
    html = "<div style='display:none'><a href='/a'>菜单</a></div>" + "<p>正文内容。</p>" * 800
    return hook_on_page(
        "暗链 page hook, a page of 800 paragraphs and one hidden menu",
        OutboundCheck(),
        test_outbound.page(html),
        context(test_outbound.SITE + "/"),
        repeat=100,
        former_bound="< 5 ms/page",
        test="test_outbound.py::test_page_hook_does_per_element_work_only_where_a_style_hides",
    )


def personal_data_hook() -> Figure:
    # the ordinary page of test_personal_data: 400 paragraphs, dates but no long digit run
    html = "<div>" + "<p>各级民政部门要压实工作责任，细化工作措施。2026-11-20</p>" * 400 + "</div>"
    return hook_on_page(
        "personal-data page hook, an ordinary page (400 paragraphs)",
        PersonalDataCheck(),
        test_personal_data.page(html),
        test_personal_data.context(),
        repeat=200,
        former_bound="< 2 ms/page",
        test="test_personal_data.py::test_page_hook_skips_ordinary_pages_before_reading_their_text",
    )


def identity_hook() -> Figure:
    # every real page of test_identity, each read as an https page (mixed content is looked for)
    pages = []
    for name in sorted(test_identity.REAL_FOOTERS):
        url = f"https://www.example.gov.cn/{name}"
        body = (test_identity.REAL_PAGES / name).read_bytes()
        page = build_parsed_page(url, url, 200, {"content-type": "text/html"}, body)
        page.template_key = template_key(page.tree)  # the crawl computes it once for all
        pages.append(page)
    return hook_on_pages(
        "site-identity page hook (footer items, mixed content)",
        IdentityCheck(),
        pages,
        context("https://www.example.gov.cn/"),
        "— (new)",
        "test_identity.py::test_real_footers_report_what_they_lack_and_nothing_else",
    )


def real_pages() -> list:
    """Every real page of shared/real-pages, as test_expression reads them."""
    return [expression_page(path) for path in sorted(test_documents.REAL.glob("*.html"))]


def expression_hook() -> Figure:
    # none of the real pages has a finding
    return hook_on_pages(
        "expression page hook",
        ExpressionCheck(),
        real_pages(),
        context("http://www.gov.cn/"),
        "—",
        "test_expression.py::test_patterns_with_a_varied_first_character_are_matched_backwards",
    )


def tampering_hook() -> Figure:
    # every real page of shared/real-pages (list, home and document pages): the hook reads the
    # page's list once per page, as the freshness hook just did in a scan (extract_list keeps
    # the last page's), then fingerprints the home page and the first list pages
    check = TamperingCheck()
    pages = []
    for path in sorted(test_documents.REAL.glob("*.html")):
        page = expression_page(path)
        page.is_home = "home" in path.name or "index" in path.name
        page_shape(page)
        pages.append((page,))

    def hook(page) -> object:
        extract_list(page, as_of=AS_OF)  # the freshness hook's read, shared
        return list(check.on_page(page, context(page.url)))

    both = per_page("", pages, hook, "", "")
    read = per_page("", pages, lambda page: extract_list(page, as_of=AS_OF), "", "")
    assert both.cpu is not None and read.cpu is not None
    return Figure(
        f"tampering page hook, the {len(pages)} real pages (its own cost: with the list read "
        "it shares with the freshness hook, minus that read)",
        both.wall - read.wall,
        both.cpu - read.cpu,
        "ms/page",
        "— (new)",
        "test_tampering.py::test_own_text_leaves_out_links_list_rows_and_bare_dates",
    )


def expression_hit() -> Figure:
    # an article with one planted error: the page's publication date is read (extract_document)
    html = test_expression.article("<p>传达学习国务院总理李墙的讲话精神。</p>" * 20)
    return hook_on_page(
        "expression page hook, an article with a planted error (its date read)",
        ExpressionCheck(),
        expression_page(html.encode()),
        context("http://www.example.gov.cn/"),
        repeat=50,
        former_bound="—",
        test="test_expression.py::test_a_name_miswritten_next_to_its_title_fires",
    )


def injection_hook() -> Figure:
    # none of the real pages has a dark link or injected code: anchors to strangers' hosts
    # send the page through the CSS matcher, foreign scripts are recorded
    return hook_on_pages(
        "dark-link and injected-code page hook",
        InjectionCheck(),
        real_pages(),
        context("http://www.gov.cn/"),
        "— (new)",
        "test_injection.py::test_no_real_government_page_has_a_dark_link_or_injected_code",
    )


def injection_hit() -> Figure:
    # an article of 400 paragraphs with an embedded <style>, a hidden farm and a written link
    head = "<style>.ft a{color:#fff} .ft{background:#fff} .nav li ul{display:none}</style>"
    body = (
        "<p>正文内容。</p>" * 400
        + '<div style="position:absolute;left:-9999px"><a href="http://a.com/">百家乐</a></div>'
        + '<div class="ft"><a href="http://b.com/">x</a></div>'
        + "<script>document.write(unescape('%3Ca%20href%3D%22http%3A//c.com/%22%3Ex%3C/a%3E'))"
        + "</script>"
    )
    html = test_injection._doc(body, head)
    return hook_on_page(
        "dark-link page hook, an article with three planted dark links",
        InjectionCheck(),
        expression_page(html.encode()),
        context(test_injection.SITE),
        repeat=50,
        former_bound="— (new)",
        test="test_injection.py::test_embedded_style_rules_are_matched_by_real_selectors",
    )


def portal_hooks(work: Path) -> list[Figure]:
    """Every check's page hook, in one process as the crawl's page-check worker runs them,
    over a generated portal of 300 articles (the pages bench/crawl.py crawls): the per-page
    cost each check adds to a crawl, new checks included."""
    root = work / "portal-hooks"
    generate_portal(root, AS_OF, extra_pages=300)
    with static_server(root) as base_url:
        pages = portal_pages(root, base_url)
        ctx = ScanContext(1, 1, base_url, "bench", AS_OF, browser=False)
        spent, _ = run_hooks(pages, ctx)
    test = "test_page_checks.py"
    return [
        Figure(
            f"{name} page hook, {len(pages)} pages of the generated portal (300 articles)",
            wall / len(pages) * 1e3,
            cpu / len(pages) * 1e3,
            "ms/page",
            "—",
            test,
        )
        for name, (wall, cpu) in sorted(spent.items(), key=lambda item: -item[1][1])
    ]


def expression_matcher() -> Figure:
    wall, cpu = timed(lambda: build_matcher(shipped_packs()), 1, runs=3)
    return Figure(
        "expression rule packs → matcher (once per process)",
        wall * 1e3,
        cpu * 1e3,
        "ms",
        "—",
        "test_expression.py::test_every_shipped_rule_names_its_source_and_validity",
    )


def expression_page(source: Path | bytes):
    body = source.read_bytes() if isinstance(source, Path) else source
    url = "http://www.gov.cn/zhengce/content/page.htm"
    return build_parsed_page(url, url, 200, {"content-type": "text/html"}, body)


def per_page(
    what: str, pages: list[tuple], step: Callable[..., object], former_bound: str, test: str
) -> Figure:
    """The mean time of ``step(*page)`` over ``pages``, in ms per page."""

    def every_page() -> None:
        for page in pages:
            step(*page)

    return ms_per_page(
        what, every_page, repeat=3, former_bound=former_bound, test=test, pages=len(pages)
    )


def document_extraction() -> Figure:
    pages = [(test_documents._real_page(entry),) for entry in test_documents.INDEX]
    return per_page(
        f"document extraction, the {len(pages)} real pages (lists and home pages included)",
        pages,
        extract_document,
        "< 30 ms/page",
        "test_documents.py::test_extraction_reads_each_real_page_once_and_resolves_few_links",
    )


def list_extraction() -> Figure:
    # every page of test_lists' index: lists, home pages and documents alike
    pages = [(test_lists._real_page(entry), test_lists._as_of(entry)) for entry in test_lists.INDEX]
    return per_page(
        f"list extraction, the {len(pages)} real pages (home pages and documents included)",
        pages,
        lambda page, as_of: extract_list(page, as_of=as_of),
        "< 25 ms/page (CPU, mean)",
        "test_lists.py::test_extraction_gathers_links_once_and_works_on_the_list_alone",
    )


def static_a11y() -> Figure:
    # the largest real page, the one test_a11y_static timed
    text = test_a11y_static.real("doc-jxjyh-wanzai-tjgb2015.html")
    tree = test_a11y_static.parse(text)
    return ms_per_page(
        "static accessibility rules, the largest real page (159 KB)",
        lambda: audit(tree, text),
        repeat=20,
        former_bound="< 50 ms/page (CPU)",
        test="test_a11y_static.py::test_static_rules_index_the_page_once_and_read_each_parent_once",
    )


def static_a11y_real_pages() -> Figure:
    # every real page: most skip the contrast analysis (default colours, or a linked sheet
    # and no inline background), the fragments without a stylesheet run it in full
    pages = []
    for path in sorted(test_a11y_static.real_dir().glob("*.html")):
        text = path.read_text(encoding="utf-8")
        pages.append((test_a11y_static.parse(text), text))
    return per_page(
        f"static accessibility rules (color-contrast included), the {len(pages)} real pages",
        pages,
        audit,
        "none (new with color-contrast)",
        "test_a11y_contrast.py::test_pages_that_cannot_fail_are_not_analysed",
    )


def soft404_hooks() -> Figure:
    # test_soft404's real pages and not-found profile: both questions the crawler asks
    profile = test_soft404.make_profile()
    docs = []
    for path in test_soft404.real_pages():
        html = path.read_text(encoding="utf-8")
        docs.append((html, test_soft404.parse(html), test_soft404.title_of(html)))

    def every_page() -> None:
        for html, tree, title in docs:
            challenge_reason(200, {}, html)
            is_error_page(
                200, title, html, profile, url="http://127.0.0.1:8080/a/b.html", tree=tree
            )

    return ms_per_page(
        f"challenge and soft-404 hooks, the {len(docs)} real pages",
        every_page,
        repeat=20,
        former_bound="< 8 ms/page (CPU)",
        test="test_soft404.py::test_page_hooks_decide_ordinary_pages_before_reading_their_text",
        pages=len(docs),
    )


def template_keys(name: str) -> Figure:
    tree = lxml.html.document_fromstring((test_templates.REAL / name).read_text(encoding="utf-8"))
    return ms_per_page(
        f"template key, {name}",
        lambda: template_key(tree),
        repeat=50,
        former_bound="< 10 ms/page (CPU)",
        test="test_templates.py::test_one_pass_over_the_body_with_bounded_signatures",
    )


def date_parsing() -> Figure:
    # the four texts test_dates timed: a full date, a list's year-less one, none, a labelled one
    samples = ["2017-10-13", "[10-13]", "没有日期的较长标题文本内容", "发布时间：2024年5月7日"]

    def every_sample() -> None:
        for sample in samples:
            find_date_parts(sample)

    wall, cpu = timed(every_sample, repeat=5000)
    return Figure(
        "first date of a list item's text",
        wall / len(samples) * 1e6,
        cpu / len(samples) * 1e6,
        "µs/call",
        "< 40 µs/call (CPU)",
        "test_dates.py::test_a_call_skips_dateless_text_and_stops_at_the_first_date",
    )


def workbook() -> Figure:
    # the workbook of test_attachments: 5,000 rows of a 公示 list, and a second sheet
    rows = [[str(n), "某某", f"1101051949123{n % 10000:04d}", "13912345678"] for n in range(5000)]
    data = make_xlsx(rows)
    wall, cpu = timed(lambda: extract_text(data, "http://127.0.0.1/big.xlsx"), 1, runs=3)
    return Figure(
        "text of a 5,000-row xlsx workbook",
        wall,
        cpu,
        "s",
        "< 5 s",
        "test_attachments.py::test_large_workbook_is_streamed_row_by_row",
    )


def working_days() -> Figure:
    wall, cpu = timed(
        lambda: working_days_between(dt.date(1981, 5, 23), dt.date(2018, 12, 4)), repeat=2000
    )
    return Figure(
        "working days between a 1981 and a 2018 date",
        wall * 1e6,
        cpu * 1e6,
        "µs/call",
        "< 1 ms/call",
        "test_workdays.py::test_a_span_of_decades_costs_what_a_span_of_days_costs",
    )


def site_report(work: Path) -> Figure:
    # the store of test_reports and the 5,000 findings its test adds to the latest scan
    store = test_reports.build_store(work)
    base = test_reports.BASE
    with Session(store.engine) as session:
        session.add_all(
            test_reports._link(store.scan2, n, f"{base}/p{n % 400}.html", f"{base}/t{n}.pdf")
            for n in range(10_000, 13_000)
        )
        session.add_all(
            test_reports._a11y(store.scan2, n, "image-alt", f"tpl{n % 7}")
            for n in range(10_000, 12_000)
        )
        session.commit()
        render_site_report(session, store.site_id)  # compiles the templates: not measured
        wall, cpu = timed(lambda: render_site_report(session, store.site_id), 1, runs=3)
    store.engine.dispose()
    return Figure(
        "site report with 5,000 findings more",
        wall,
        cpu,
        "s",
        "< 10 s",
        "test_reports.py::test_thousands_more_findings_cost_the_report_no_extra_statement",
    )


def verification() -> Figure:
    # test_verify's server and configuration: 1,000 distinct pages answering 200 at once
    count = 1000
    with contextlib.contextmanager(test_verify._serve)() as server:
        targets = [TargetIn(server.url(f"/bulk/{i}.html")) for i in range(count)]
        started = time.perf_counter()
        results = verify_sync(targets, test_verify.fast_config(timeout_s=10))
        elapsed = time.perf_counter() - started
    assert len(results) == count, len(results)  # a figure for fewer targets would mislead
    return Figure(
        "link verification, 1,000 targets on a 127.0.0.1 server (one run)",
        count / elapsed,
        None,
        "targets/s",
        "> 50 targets/s",
        "test_verify.py::test_many_local_targets_share_a_few_kept_alive_connections",
    )


def a11y_hook_pages(work: Path, fetch_sheets: bool) -> Figure:
    """The accessibility page hook over the sample portal's first 200 pages, served on
    127.0.0.1, with the site's linked main.css fetched (once: the rest of the scan reuses it)
    or not fetched (``stylesheet_max_per_scan`` = 0, as before sheets were read)."""
    import checks.a11y_stylesheets as a11y_stylesheets

    root = work / "portal-a11y"
    if not root.exists():
        generate_portal(root, AS_OF)
    truth = json.loads((root / "truth.json").read_text("utf-8"))
    with PortalServer(root) as server:
        base = server.base_url.rstrip("/")
        with httpx.Client(timeout=10) as client:
            answers = [client.get(base + path) for path in truth["pages"][:200]]
        pages = [
            (build_parsed_page(str(a.url), str(a.url), 200, dict(a.headers), a.content),)
            for a in answers
            if a.status_code == 200
        ]
        thresholds = Thresholds(stylesheet_max_per_scan=50 if fetch_sheets else 0)
        ctx = ScanContext(1, 1, server.base_url, "x", AS_OF, thresholds=thresholds)
        check = AccessibilityCheck()
        figure = per_page(
            f"accessibility page hook, {len(pages)} sample portal pages linking main.css, "
            + ("the sheet fetched once and read" if fetch_sheets else "the sheet not fetched"),
            pages,
            lambda page: list(check.on_page(page, ctx)),
            "—",
            "test_a11y_stylesheets.py::test_a_shared_sheet_with_low_contrast_is_found_on_every_page_and_fetched_once",
        )
        sheets = a11y_stylesheets.scan_stylesheets(
            ctx, StylesheetLimits(thresholds.stylesheet_max_per_scan, 5.0)
        )
        figure.what += f" ({sheets.requests} request(s) for sheets in all runs)"
        sheets.close()
    return figure


def portal_rate(work: Path) -> Figure:
    # test_sampleportal's load: four clients, each fetching 75 of the portal's first 100 pages
    truth = generate_portal(work / "portal", AS_OF)
    paths = truth.pages[:100]
    with PortalServer(work / "portal") as server:

        def fetch(chunk: list[str]) -> None:
            with httpx.Client(base_url=server.base_url.rstrip("/"), timeout=10) as client:
                for path in chunk:
                    client.get(path).raise_for_status()

        def four_clients() -> None:
            threads = [threading.Thread(target=fetch, args=(paths[i::4] * 3,)) for i in range(4)]
            for thread in threads:
                thread.start()
            for thread in threads:
                thread.join()

        wall, _ = timed(four_clients, 1, runs=3)
    return Figure(
        "sample portal server, 4 clients × 75 pages",
        300 / wall,
        None,
        "requests/s",
        "> 100 requests/s",
        "test_sampleportal.py::test_clients_are_served_at_once_each_on_one_kept_alive_connection",
    )


def number(value: float) -> str:
    return f"{value:.3g}" if value < 100 else f"{value:.0f}"


def main() -> None:
    argparse.ArgumentParser(description=__doc__.splitlines()[0]).parse_args()
    work = Path(tempfile.mkdtemp(prefix="bench-checks-"))
    (work / "store").mkdir()
    steps: list[Callable[[], Figure | list[Figure]]] = [
        outbound_hook,
        personal_data_hook,
        identity_hook,
        expression_matcher,
        expression_hook,
        expression_hit,
        tampering_hook,
        injection_hook,
        injection_hit,
        document_extraction,
        list_extraction,
        static_a11y,
        static_a11y_real_pages,
        soft404_hooks,
        lambda: template_keys("doc-jxjyh-wanzai-tjgb2015.html"),
        lambda: template_keys("list-powereasy-jxjaxzf-zwyw-2017.html"),
        date_parsing,
        workbook,
        working_days,
        lambda: site_report(work / "store"),
        verification,
        lambda: portal_rate(work),
        lambda: a11y_hook_pages(work, fetch_sheets=False),
        lambda: a11y_hook_pages(work, fetch_sheets=True),
        lambda: portal_hooks(work),
    ]
    figures = []
    for step in steps:
        made = step()
        for figure in made if isinstance(made, list) else [made]:
            cpu = "" if figure.cpu is None else f" (CPU {number(figure.cpu)})"
            print(f"{figure.what}: {number(figure.wall)}{cpu} {figure.unit}", flush=True)
            figures.append(figure)
    rows: list[list[object]] = [
        [
            f.what,
            number(f.wall),
            "—" if f.cpu is None else number(f.cpu),
            f.unit,
            f.former_bound,
            f"`{f.test}`",
        ]
        for f in figures
    ]
    headers = ["what", "wall", "CPU", "unit", "the unit test's former bound", "test now"]
    body = (
        "What unit tests used to time, measured here; the tests now assert the mechanism that "
        "makes each step cheap. Medians of a few runs; CPU is this process's CPU time.\n\n"
        + table(headers, rows)
    )
    command = ".venv/bin/python bench/checks.py"
    write_section("checks", "Check hooks, readers and servers", command, body)


if __name__ == "__main__":
    main()
