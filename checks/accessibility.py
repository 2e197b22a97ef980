"""Accessibility (无障碍) and elderly-friendliness (适老化): static rules on every page, axe-core
in Chromium on a sample chosen by template.

Finding ids (all feed the ``accessibility`` indicator):

* ``accessibility`` — one per (page, axe rule id); ``detail.source`` is ``static`` (the
  rules of :mod:`checks.a11y_static`, every page), ``axe`` (browser sample) or
  ``static+axe`` (both saw it: one finding, the axe evidence under ``detail.axe``).
* ``elderly_friendly`` — one per (page, item): ``care_mode_entry`` (home page without an
  entry to a 无障碍/关怀版/长者模式; dropped when the rendered home page shows one),
  ``ad_script`` (every page from the HTML, the sample in the browser too), and from the
  browser sample ``popup_on_load``, ``focus_not_visible``, ``keyboard_unreachable``;
  ``detail.source`` is ``static``, ``browser`` or ``static+browser`` (merged, the browser's
  evidence under ``detail.browser``).
* ``accessibility_template`` — a roll-up per (template, rule) when several pages of one
  CMS template fail the same rule: fix the template once. It repeats page findings, so a
  scorer should not deduct for it a second time.

Every finding's detail carries ``template`` (the page's DOM-skeleton key) and, from the
site hook on, ``template_pages`` (how many crawled pages share it).

This module holds the check and its hooks; the findings are built in ``checks.a11y_findings``,
the 适老化 page evidence found by ``checks.a11y_care_entry`` and ``checks.a11y_ads``, the
browser sample chosen by ``checks.a11y_sample`` and audited by ``checks.a11y_site_run``; the
static contrast rule reads the site's own linked stylesheets, fetched by
``checks.a11y_stylesheets``.
"""

from __future__ import annotations

from collections.abc import Iterable
from typing import Any

from checks.a11y_ads import find_ads
from checks.a11y_care_entry import find_care_entry
from checks.a11y_findings import (
    care_entry_finding,
    static_ads_finding,
    static_finding,
)
from checks.a11y_sample import AccessibilityOptions
from checks.a11y_site_run import SiteRun
from checks.a11y_static.rules import audit
from checks.a11y_stylesheets import StylesheetLimits, page_stylesheets
from extract.templates import template_key
from govpatrol.core.extras import MissingExtra, require
from govpatrol.core.types import Check, ParsedPage, ScanContext, SiteContext


class AccessibilityCheck(Check):
    name = "accessibility"
    findings = ("accessibility", "elderly_friendly", "accessibility_template")
    options_type = AccessibilityOptions

    def on_page(self, page: ParsedPage, ctx: ScanContext) -> Iterable[Any]:
        if page.status >= 400:
            return
        template = getattr(page, "template_key", None) or template_key(page.tree)
        options = self.options(ctx)
        limits = StylesheetLimits(options.stylesheet_max_per_scan, options.stylesheet_timeout_s)
        sheets = page_stylesheets(page, ctx, limits)
        url = page.final_url or page.url
        for result in audit(page.tree, page.text, stylesheets=sheets, url=url):
            yield static_finding(page.url, result, template)
        if page.is_home and find_care_entry(page.tree) is None:
            yield care_entry_finding(page.url, template)
        ads = find_ads(page.tree, page.final_url or page.url)
        if ads:
            yield static_ads_finding(page.url, ads, template)

    def on_site(self, ctx: SiteContext) -> Iterable[Any]:
        if ctx.session is None:
            return
        run = SiteRun(ctx)
        note = _browser_skip_reason(ctx, self.options(ctx))
        if note is None:
            yield from run.browser_audit()
        else:
            run.stats = {"status": "skipped", "note": note}
        yield from run.template_rollups()
        run.finish()


def _browser_skip_reason(ctx: SiteContext, options: AccessibilityOptions) -> str | None:
    if not ctx.browser:
        return "browser audits disabled for this scan (--no-browser)"
    try:  # Playwright and axe come with the [browser] extra; a core install has neither
        require("playwright", "浏览器检查")
        require("axe_playwright_python", "浏览器检查")
    except MissingExtra as exc:
        return f"{exc}: browser audits skipped"
    from crawler import browser

    if not browser.chromium_available():
        return f"Chromium not found at {browser.CHROMIUM_PATH}: browser audits skipped"
    if options.browser_budget_pages <= 0:
        return "browser_budget_pages is 0"
    return None
