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
browser sample chosen by ``checks.a11y_sample`` and audited by ``checks.a11y_site_run``.
"""

from __future__ import annotations

from collections.abc import Iterable
from typing import Any

from checks.a11y_ads import find_ads
from checks.a11y_care_entry import find_care_entry
from checks.a11y_findings import (
    ACCESSIBILITY,
    ELDERLY,
    TEMPLATE_ROLLUP,
    care_entry_finding,
    static_ads_finding,
    static_finding,
)
from checks.a11y_site_run import SiteRun
from checks.a11y_static.rules import audit
from checks.registry import register
from crawler import browser
from extract.templates import template_key
from govpatrol.core.types import Check, CheckInfo, ParsedPage, ScanContext, SiteContext


@register
class AccessibilityCheck(Check):
    name = "accessibility"
    order = 80
    infos = (
        CheckInfo(
            id=ACCESSIBILITY,
            title_zh="无障碍问题",
            title_en="Accessibility problem",
            severity="medium",
            indicator="accessibility",
            hint_zh="按每条问题所列的规则和 WCAG 2.1 条款修改页面或模板：图片加 alt、链接和按钮给出文字、"
            '表单控件加 label、iframe 加 title、<html> 加 lang="zh-CN"；同一模板的问题改模板一次即可。',
            hint_en="Fix the page or its template per the rule and WCAG 2.1 criterion each finding "
            "names: alt on images, text on links and buttons, labels on form fields, title on "
            'iframes, lang="zh-CN" on <html>; a template problem is fixed once in the template.',
        ),
        CheckInfo(
            id=ELDERLY,
            title_zh="适老化问题",
            title_en="Elderly-friendliness (适老化) problem",
            severity="medium",
            indicator="accessibility",
            hint_zh="首页提供“无障碍/关怀版（长者模式）”入口；去掉加载时的弹窗、飘窗和广告；"
            "保证所有控件可用 Tab 键依次到达且聚焦时有清晰的焦点框（勿全局设置 outline:none）。",
            hint_en="Offer an accessible/elderly (关怀版) mode entry on the home page; remove pop-ups, "
            "floating windows and ads shown on load; make every control reachable with Tab and "
            "show a visible focus indicator (never a global outline:none).",
        ),
        CheckInfo(
            id=TEMPLATE_ROLLUP,
            title_zh="模板级无障碍问题（汇总）",
            title_en="Accessibility problem shared by a page template (roll-up)",
            severity="low",
            indicator="accessibility",
            hint_zh="同一 CMS 模板的多个页面有同一问题：修改模板即可一次修复；本条为汇总，不重复扣分。",
            hint_en="Many pages of one CMS template share this problem: fix the template once. "
            "A roll-up of page findings, not an extra deduction.",
        ),
    )

    def on_page(self, page: ParsedPage, ctx: ScanContext) -> Iterable[Any]:
        if page.status >= 400:
            return
        template = getattr(page, "template_key", None) or template_key(page.tree)
        for result in audit(page.tree, page.text):
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
        note = _browser_skip_reason(ctx)
        if note is None:
            yield from run.browser_audit()
        else:
            run.stats = {"status": "skipped", "note": note}
        yield from run.template_rollups()
        run.finish()


def _browser_skip_reason(ctx: SiteContext) -> str | None:
    if not ctx.browser:
        return "browser audits disabled for this scan (--no-browser)"
    if not browser.chromium_available():
        return f"Chromium not found at {browser.CHROMIUM_PATH}: browser audits skipped"
    if ctx.thresholds.browser_budget_pages <= 0:
        return "browser_budget_pages is 0"
    return None
