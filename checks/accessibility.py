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
"""

from __future__ import annotations

import datetime as dt
import re
import time
from collections import Counter, defaultdict
from collections.abc import Iterable, Iterator
from dataclasses import dataclass, field
from typing import Any
from urllib.parse import urljoin, urlsplit

import lxml.html
from lxml import etree
from sqlmodel import select

from checks.a11y_static import (
    RULES,
    STANDARD_SUFFIX,
    RuleResult,
    audit,
    criteria_from_tags,
    standard_label,
    wcag_label,
)
from crawler import browser
from crawler.netguard import FetchGuard
from extract.templates import template_key
from govpatrol.core.models import Finding, ListPage, Page, Scan, ScanStatus
from govpatrol.core.types import Check, FindingData, ParsedPage, ScanContext, SiteContext
from govpatrol.core.urls import host_of

ACCESSIBILITY = "accessibility"
ELDERLY = "elderly_friendly"
TEMPLATE_ROLLUP = "accessibility_template"

# Words that name an accessible / elderly mode entry on Chinese government portals.
CARE_MODE_KEYWORDS = (
    "无障碍",
    "关怀版",
    "关爱版",
    "长者模式",
    "长者版",
    "长辈版",
    "老年模式",
    "老年版",
    "适老化",
    "大字版",
    "读屏",
)
# Toolbar scripts that put such an entry on the page when they run (seen on real portals:
# Hanweb's accessiblereading/load.js with id="barrierfree", barrier_free.js, aria.js).
_CARE_SCRIPT = re.compile(r"accessiblereading|barrier_?free|(?:^|/)aria\.js|(?:^|/)wza", re.I)
_ENTRY_MAX_CHARS = 16  # an entry is a short label; a news title mentioning 适老化 is not one
ELDERLY_STANDARD = "《互联网网站适老化通用设计规范》; " + STANDARD_SUFFIX

_IMPACT_SEVERITY = {"critical": "high", "serious": "medium", "moderate": "low", "minor": "low"}

# Chinese titles for axe rules the browser finds that have no static twin.
_AXE_TITLES_ZH = {
    "color-contrast": "文字与背景颜色对比度不足",
    "list": "列表（ul/ol）结构不正确",
    "listitem": "列表项（li）不在列表中",
    "definition-list": "定义列表（dl）结构不正确",
    "dlitem": "dt/dd 不在 dl 中",
    "nested-interactive": "交互控件相互嵌套",
    "scrollable-region-focusable": "可滚动区域无法用键盘访问",
    "aria-allowed-attr": "元素使用了其角色不允许的 ARIA 属性",
    "aria-required-attr": "缺少角色必需的 ARIA 属性",
    "aria-required-children": "ARIA 角色缺少必需的子元素",
    "aria-required-parent": "ARIA 角色不在必需的父元素中",
    "aria-valid-attr-value": "ARIA 属性值无效",
    "aria-hidden-focus": "aria-hidden 区域内含可聚焦元素",
    "aria-command-name": "ARIA 按钮/链接/菜单项没有可识别的名称",
    "aria-input-field-name": "ARIA 输入框没有可识别的名称",
    "aria-toggle-field-name": "ARIA 开关控件没有可识别的名称",
    "aria-tooltip-name": "ARIA 提示没有可识别的名称",
    "aria-progressbar-name": "ARIA 进度条没有可识别的名称",
    "aria-meter-name": "ARIA 计量器没有可识别的名称",
    "aria-dialog-name": "ARIA 对话框没有可识别的名称",
    "autocomplete-valid": "autocomplete 属性值无效",
    "link-in-text-block": "正文中的链接仅靠颜色与文字区分",
    "td-headers-attr": "表格单元格的 headers 属性引用无效",
    "th-has-data-cells": "表头单元格没有对应的数据单元格",
    "frame-focusable-content": "tabindex=-1 的框架内含可聚焦内容",
    "no-autoplay-audio": "音频自动播放且无法停止",
    "video-caption": "视频缺少字幕",
    "form-field-multiple-labels": "表单控件有多个标签",
    "object-alt": "嵌入对象（object）缺少替代文本",
    "frame-title-unique": "多个框架的标题相同",
    "target-size": "可点击目标过小",
}


# --------------------------------------------------------------------------- helpers


def rule_title_zh(rule: str, fallback: str = "") -> str:
    if rule in RULES:
        return RULES[rule][0].title_zh
    return _AXE_TITLES_ZH.get(rule) or fallback or rule


def _severity(impact: str | None) -> str:
    return _IMPACT_SEVERITY.get(impact or "", "medium")


def find_care_entry(tree: lxml.html.HtmlElement) -> str | None:
    """Evidence of an entry to a 无障碍/关怀版 mode: a short control label, or a toolbar script."""
    root = tree.getroottree().getroot()
    for el in root.iter("a", "button", "input", "img", "span", "div", "li"):
        if (
            el.tag in ("span", "div", "li")
            and el.get("onclick") is None
            and el.get("role")
            not in (
                "button",
                "link",
            )
        ):
            continue
        label = " ".join(
            part
            for part in (
                el.text_content() if el.tag != "input" else "",
                el.get("title"),
                el.get("aria-label"),
                el.get("alt"),
                el.get("value") if el.tag == "input" else None,
            )
            if part
        )
        label = re.sub(r"\s+", " ", label).strip()
        if label and len(label) <= _ENTRY_MAX_CHARS and any(k in label for k in CARE_MODE_KEYWORDS):
            return label
    for script in root.iter("script"):
        src = script.get("src") or ""
        if _CARE_SCRIPT.search(src) or (script.get("id") or "").lower() == "barrierfree":
            return f"script {src or script.get('id')}"
    return None


# id/class values as strings (cheap: no element objects), only matches become elements.
_NAME_VALUES = etree.XPath("//@class | //@id")
_AD_HINTS = ("ads", "advert", "guanggao", "piao", "floatad")
_CAMEL = re.compile(r"([a-z])([A-Z])")
_NON_WORD = re.compile(r"[^a-z0-9]+")
_PAGE_SUFFIX = re.compile(r"\.(?:js|html?|php|aspx?|jsp)$", re.I)


def _words(text: str) -> list[str]:
    return [w for w in _NON_WORD.split(_CAMEL.sub(r"\1 \2", text).lower()) if w]


def ad_path_word(path: str) -> str | None:
    """The word that marks a script path as an ad: a strong word anywhere (``/ads/``,
    ``guanggao.js``), a bare ``ad``/``adv`` only as a whole segment (``/ad/x.js``, ``ad.js``;
    not ``jquery.ad-gallery.js``)."""
    segments = [_PAGE_SUFFIX.sub("", seg).lower() for seg in path.split("/") if seg]
    for segment in segments:
        word = next((w for w in _words(segment) if w in browser.STRONG_AD_WORDS), None)
        if word:
            return word
        if segment in browser.AD_PATH_WORDS:
            return segment
    return None


def _ad_host(host: str) -> bool:
    return any(host == h or host.endswith("." + h) for h in browser.AD_HOSTS)


def find_ads(tree: lxml.html.HtmlElement, base_url: str) -> list[dict[str, str]]:
    """Ad scripts and ad boxes visible in the HTML: the same lists the browser check uses,
    so a page's static and browser results merge."""
    root = tree.getroottree().getroot()
    hits: list[dict[str, str]] = []
    for el in root.iter("script", "iframe"):
        src = (el.get("src") or "").strip()
        if not src:
            continue
        try:
            url = urljoin(base_url, src)
            parts = urlsplit(url)
            host = parts.hostname
        except ValueError:  # an unparsable src (e.g. "http://[::1") is no ad network
            continue
        if _ad_host((host or "").lower()):
            hits.append(
                {
                    "kind": "script" if el.tag == "script" else "frame",
                    "where": url,
                    "reason": f"ad network {parts.hostname}",
                }
            )
            continue
        if el.tag == "script":
            word = ad_path_word(parts.path)
            if word:
                hits.append({"kind": "script", "where": url, "reason": f'path word "{word}"'})
    claimed: list[lxml.html.HtmlElement] = []
    candidates = dict.fromkeys(
        value.getparent()
        for value in _NAME_VALUES(root)
        if any(hint in value.lower() for hint in _AD_HINTS)
    )
    for el in candidates:
        names = f"{el.get('id') or ''} {el.get('class') or ''}"
        if any(c in el.iterancestors() for c in claimed) or _hidden_by_markup(el):
            continue
        if not len(el) and not (el.text or "").strip():
            continue  # an empty ad slot shows nothing
        words = _words(names)
        word = next((w for w in words if w in browser.STRONG_AD_WORDS), None)
        if word:
            hits.append(
                {
                    "kind": "element",
                    "where": _element_label(el),
                    "reason": f'id/class word "{word}"',
                }
            )
            claimed.append(el)
    return hits


def _hidden_by_markup(el: lxml.html.HtmlElement) -> bool:
    for node in (el, *el.iterancestors()):
        style = (node.get("style") or "").replace(" ", "").lower()
        if node.get("hidden") is not None or "display:none" in style:
            return True
    return False


def _element_label(el: lxml.html.HtmlElement) -> str:
    label = el.tag
    if el.get("id"):
        label += "#" + el.get("id", "").strip()
    if el.get("class"):
        label += "".join("." + c for c in el.get("class", "").split())
    return label


@dataclass
class _AxeHit:
    """An axe violation, fresh from the browser or carried over from the previous scan."""

    rule: str
    impact: str | None
    nodes: int
    selector: str
    snippet: str
    help: str
    help_url: str
    criteria: tuple[str, ...]

    @classmethod
    def from_violation(cls, v: browser.Violation) -> _AxeHit:
        return cls(
            v.rule,
            v.impact,
            v.nodes,
            v.target,
            v.snippet,
            v.help,
            v.help_url,
            criteria_from_tags(v.tags),
        )

    @classmethod
    def from_detail(cls, rule: str, axe: dict[str, Any]) -> _AxeHit:
        return cls(
            rule,
            axe.get("impact"),
            int(axe.get("nodes") or 0),
            axe.get("selector") or "",
            axe.get("snippet") or "",
            axe.get("help") or "",
            axe.get("help_url") or "",
            tuple(axe.get("criteria") or ()),
        )

    def as_detail(self) -> dict[str, Any]:
        return {
            "impact": self.impact,
            "nodes": self.nodes,
            "selector": self.selector,
            "snippet": self.snippet,
            "help": self.help,
            "help_url": self.help_url,
            "criteria": list(self.criteria),
        }


@dataclass
class _SamplePage:
    url: str
    template: str | None
    content_hash: str | None
    reasons: list[str] = field(default_factory=list)


# --------------------------------------------------------------------------- the check


class AccessibilityCheck(Check):
    name = "accessibility"
    findings = ("accessibility", "elderly_friendly", "accessibility_template")

    def on_page(self, page: ParsedPage, ctx: ScanContext) -> Iterable[Any]:
        if page.status >= 400:
            return
        template = getattr(page, "template_key", None) or template_key(page.tree)
        for result in audit(page.tree, page.text):
            yield _static_finding(page.url, result, template)
        if page.is_home and find_care_entry(page.tree) is None:
            yield _care_entry_finding(page.url, template)
        ads = find_ads(page.tree, page.final_url or page.url)
        if ads:
            yield _static_ads_finding(page.url, ads, template)

    def on_site(self, ctx: SiteContext) -> Iterable[Any]:
        if ctx.session is None:
            return
        run = _SiteRun(ctx)
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


# --------------------------------------------------------------------------- page findings


def _static_finding(url: str, result: RuleResult, template: str) -> FindingData:
    return FindingData(
        check=ACCESSIBILITY,
        page=url,
        message=f"{result.title_zh}（{result.nodes} 处；{result.wcag}）",
        severity=_severity(result.impact),
        key=(result.rule,),
        detail={
            "rule": result.rule,
            "impact": result.impact,
            "nodes": result.nodes,
            "selector": result.selector,
            "snippet": result.snippet,
            "wcag": result.wcag,
            "standard": result.standard,
            "help": result.help_en,
            "source": "static",
            "template": template,
        },
    )


def _care_entry_finding(url: str, template: str | None) -> FindingData:
    return FindingData(
        check=ELDERLY,
        page=url,
        message="首页未找到“无障碍 / 关怀版（长者模式）”入口",
        key=("care_mode_entry",),
        detail={
            "item": "care_mode_entry",
            "keywords": list(CARE_MODE_KEYWORDS),
            "wcag": "",
            "standard": ELDERLY_STANDARD,
            "source": "static",
            "template": template,
        },
    )


def _static_ads_finding(url: str, ads: list[dict[str, str]], template: str) -> FindingData:
    return FindingData(
        check=ELDERLY,
        page=url,
        message=f"页面含广告脚本或广告位（{len(ads)} 处）",
        key=("ad_script",),
        detail={
            "item": "ad_script",
            "ads": ads[:10],
            "count": len(ads),
            "wcag": "",
            "standard": ELDERLY_STANDARD,
            "source": "static",
            "template": template,
        },
    )


# --------------------------------------------------------------------------- the site run


@dataclass
class _PreviousAudit:
    scan_id: int
    pages: dict[str, str | None]
    care_pages: set[str]


class _SiteRun:
    """One site hook run: sample, reuse or audit, emit, roll up, record stats.

    Edits of rows already stored (merging axe evidence into a static finding, removing a
    'no care-mode entry' finding the rendered page disproves) are applied in ``finish``,
    after the last query: on SQLite an early flush would hold the write lock while the
    pipeline's batch writer inserts through another connection.
    """

    def __init__(self, ctx: SiteContext) -> None:
        assert ctx.session is not None
        self.ctx = ctx
        self.session = ctx.session
        self.pages = _html_pages(ctx)
        self.template_pages = Counter(p.template_key for p in self.pages if p.template_key)
        self.fresh: list[FindingData] = []  # not stored yet when the roll-ups are computed
        self.edits: dict[int, tuple[Finding, dict[str, Any]]] = {}
        self.deletes: list[Finding] = []
        self.stats: dict[str, Any] = {}
        self.audited = 0

    # ----------------------------------------------------------------- browser

    def browser_audit(self) -> Iterator[FindingData]:
        started = time.monotonic()
        sample = choose_sample(self.ctx, self.pages)
        ruleset = browser.ruleset_version()
        previous = self._previous_audit(ruleset)
        static = self._static_findings([s.url for s in sample])
        self.elderly_stored = self._stored_elderly()
        reused = [s for s in sample if _unchanged(s, previous)]
        fresh = [s for s in sample if s not in reused]

        audited: dict[str, str | None] = {}
        care_pages: list[str] = []
        errors: list[dict[str, str]] = []
        requests: Counter[str] = Counter()
        refused_pages: dict[str, int] = {}
        site = self.ctx.site
        site_hosts = [host_of(self.ctx.site_url), *((site.extra_hosts or ()) if site else ())]
        for item in reused:
            assert previous is not None
            yield from self._reuse(previous.scan_id, item, static)
            audited[item.url] = item.content_hash
            if item.url in previous.care_pages:
                care_pages.append(item.url)
        by_url = {s.url: s for s in fresh}
        for result in browser.iter_audits(
            list(by_url),
            tabs=browser.DEFAULT_TABS,
            timeout_s=browser.DEFAULT_TIMEOUT_S,
            care_keywords=CARE_MODE_KEYWORDS,
            # every request of the audits passes it, within the site's fixed address zone
            guard=FetchGuard(self.ctx.site_url, zones=self.ctx.address_zone),
            site_hosts=site_hosts,
        ):
            item = by_url[result.url]
            requests.update(
                fulfilled=result.requests_fulfilled,
                refused=result.requests_refused,
                failed=result.requests_failed,
            )
            if result.requests_refused:
                refused_pages[result.url] = result.requests_refused
            if result.error:
                errors.append({"url": result.url, "error": result.error})
                continue
            audited[item.url] = item.content_hash
            yield from self._emit_axe(
                item, [_AxeHit.from_violation(v) for v in result.violations], static
            )
            yield from self._emit_elderly(_elderly_findings(item, result, self.template_pages))
            if result.care_mode_entry and (item.url, "care_mode_entry") in self.elderly_stored:
                care_pages.append(item.url)
        for url in care_pages:  # the rendered page disproves the static "no entry" finding
            row = self.elderly_stored.get((url, "care_mode_entry"))
            if row is not None:
                self.deletes.append(row)
        self.audited = len(audited)
        self.stats = {
            "status": "done",
            "axe_version": browser.axe_version(),
            "ruleset": ruleset,
            "tabs": browser.DEFAULT_TABS,
            "sample": len(sample),
            "audited": len(audited) - len(reused),
            "reused": len(reused),
            "reused_from_scan": previous.scan_id if previous and reused else None,
            "errors": errors,
            "requests": {k: requests[k] for k in ("fulfilled", "refused", "failed")},
            "refused_pages": refused_pages,
            "pages": audited,
            "care_entry_pages": care_pages,
            "elapsed_s": round(time.monotonic() - started, 1),
        }

    def _emit_axe(
        self, item: _SamplePage, hits: list[_AxeHit], static: dict[tuple[str, str], Finding]
    ) -> Iterator[FindingData]:
        """One finding per (page, rule): a rule the static pass already reported is merged
        into that finding (same fingerprint); the others become ``axe`` findings."""
        shared = {
            "template": item.template,
            "template_pages": self.template_pages.get(item.template or "", 0),
        }
        for hit in hits:
            existing = static.get((item.url, hit.rule))
            if existing is not None and existing.id is not None:
                merged = {
                    **existing.detail,
                    **shared,
                    "source": "static+axe",
                    "axe": hit.as_detail(),
                }
                self.edits[existing.id] = (existing, merged)
                continue
            title = rule_title_zh(hit.rule, hit.help)
            wcag = wcag_label(hit.criteria)
            finding = FindingData(
                check=ACCESSIBILITY,
                page=item.url,
                message=f"{title}（{hit.nodes} 处；{wcag}）",
                severity=_severity(hit.impact),
                key=(hit.rule,),
                detail={
                    "rule": hit.rule,
                    "impact": hit.impact,
                    "nodes": hit.nodes,
                    "selector": hit.selector,
                    "snippet": hit.snippet,
                    "wcag": wcag,
                    "standard": standard_label(hit.criteria),
                    "help": hit.help,
                    "help_url": hit.help_url,
                    "source": "axe",
                    "axe": hit.as_detail(),
                    **shared,
                },
            )
            self.fresh.append(finding)
            yield finding

    # ----------------------------------------------------------------- reuse

    def _previous_audit(self, ruleset: str) -> _PreviousAudit | None:
        """The site's last done scan, if it audited with the same axe version and rule set."""
        scan = self.session.exec(
            select(Scan)
            .where(
                Scan.site_id == self.ctx.site_id,
                Scan.status == ScanStatus.done,
                Scan.id != self.ctx.scan_id,
            )
            .order_by(Scan.id.desc())  # type: ignore[union-attr]
            .limit(1)
        ).first()
        if scan is None or scan.id is None:
            return None
        info = ((scan.stats or {}).get("accessibility") or {}).get("browser") or {}
        if info.get("status") != "done" or info.get("ruleset") != ruleset:
            return None
        return _PreviousAudit(
            scan.id, dict(info.get("pages") or {}), set(info.get("care_entry_pages") or ())
        )

    def _reuse(
        self, previous_scan: int, item: _SamplePage, static: dict[tuple[str, str], Finding]
    ) -> Iterator[FindingData]:
        """Last scan's browser findings for a page whose content has not changed."""
        rows = self.session.exec(
            select(Finding).where(
                Finding.scan_id == previous_scan,
                Finding.page == item.url,
                Finding.check.in_((ACCESSIBILITY, ELDERLY)),  # type: ignore[attr-defined]
            )
        ).all()
        hits: list[_AxeHit] = []
        elderly: list[FindingData] = []
        for row in rows:
            detail = dict(row.detail or {})
            if row.check == ACCESSIBILITY and detail.get("axe"):
                hits.append(_AxeHit.from_detail(detail.get("rule") or "", detail["axe"]))
                continue
            if row.check != ELDERLY:
                continue
            message = row.message
            if detail.get("source") == "static+browser":  # the browser part of a merged one
                message = detail["browser"]["message"]
                detail = dict(detail["browser"]["detail"])
            elif detail.get("source") != "browser":
                continue
            detail.update(
                template=item.template,
                template_pages=self.template_pages.get(item.template or "", 0),
                reused_from_scan=previous_scan,
            )
            elderly.append(
                FindingData(
                    check=ELDERLY,
                    page=item.url,
                    message=message,
                    key=(detail.get("item") or "",),
                    detail=detail,
                )
            )
        yield from self._emit_elderly(elderly)
        for finding in self._emit_axe(item, hits, static):
            finding.detail["reused_from_scan"] = previous_scan
            yield finding
        for row_id, (row, merged) in list(self.edits.items()):
            if row.page == item.url:
                self.edits[row_id] = (row, {**merged, "reused_from_scan": previous_scan})

    # ----------------------------------------------------------------- stored rows

    def _static_findings(self, urls: list[str]) -> dict[tuple[str, str], Finding]:
        """This scan's static accessibility findings on the sampled pages, by (page, rule)."""
        found: dict[tuple[str, str], Finding] = {}
        for start in range(0, len(urls), 500):
            rows = self.session.exec(
                select(Finding).where(
                    Finding.scan_id == self.ctx.scan_id,
                    Finding.check == ACCESSIBILITY,
                    Finding.page.in_(urls[start : start + 500]),  # type: ignore[attr-defined]
                )
            ).all()
            for row in rows:
                rule = (row.detail or {}).get("rule")
                if rule:
                    found[(row.page, rule)] = row
        return found

    def _stored_elderly(self) -> dict[tuple[str, str], Finding]:
        """This scan's 适老化 findings from the page hook (care-mode entry, ad scripts)."""
        rows = self.session.exec(
            select(Finding).where(Finding.scan_id == self.ctx.scan_id, Finding.check == ELDERLY)
        ).all()
        return {(row.page, (row.detail or {}).get("item") or ""): row for row in rows}

    def _emit_elderly(self, findings: Iterable[FindingData]) -> Iterator[FindingData]:
        """Browser 适老化 findings; one the static pass already reported (ad scripts) is
        merged into it, keeping one finding per (page, item)."""
        for finding in findings:
            item = finding.detail.get("item") or ""
            existing = self.elderly_stored.get((finding.page, item))
            if existing is None or existing.id is None:
                yield finding
                continue
            browser_part = {"message": finding.message, "detail": finding.detail}
            merged = {**existing.detail, "source": "static+browser", "browser": browser_part}
            self.edits[existing.id] = (existing, merged)

    # ----------------------------------------------------------------- roll-ups, finish

    def template_rollups(self) -> Iterator[FindingData]:
        """(template, rule) pairs failing on at least two pages of a shared template."""
        # Only the two JSON fields, not whole details: a large site has 100,000s of rows.
        template_of = Finding.detail["template"].as_string()  # type: ignore[index]
        rule_of = Finding.detail["rule"].as_string()  # type: ignore[index]
        stored = self.session.exec(
            select(Finding.page, template_of, rule_of).where(
                Finding.scan_id == self.ctx.scan_id, Finding.check == ACCESSIBILITY
            )
        ).all()
        fresh = [(f.page, f.detail.get("template"), f.detail.get("rule")) for f in self.fresh]
        failing: dict[tuple[str, str], set[str]] = defaultdict(set)
        for page, template, rule in [*stored, *fresh]:
            if template and rule and self.template_pages.get(template, 0) >= 2:
                failing[(template, rule)].add(page)
        for (template, rule), urls in sorted(failing.items()):
            if len(urls) >= 2:
                pages = sorted(urls)
                example = self._example(pages[0], rule)
                yield _rollup(template, rule, pages, self.template_pages[template], example)

    def _example(self, page: str, rule: str) -> dict[str, Any]:
        """The detail of one failing page's finding, for the roll-up's evidence."""
        for finding in self.fresh:
            if finding.page == page and finding.detail.get("rule") == rule:
                return finding.detail
        rows = self.session.exec(
            select(Finding.detail).where(
                Finding.scan_id == self.ctx.scan_id,
                Finding.check == ACCESSIBILITY,
                Finding.page == page,
            )
        ).all()
        return next((d for d in rows if (d or {}).get("rule") == rule), {})

    def finish(self) -> None:
        """Apply the deferred row edits and the scan stats; the pipeline commits."""
        scan = self.session.get(Scan, self.ctx.scan_id)
        for row, merged in self.edits.values():
            row.detail = merged
            self.session.add(row)
        for row in self.deletes:
            self.session.delete(row)
        if scan is None:
            return
        stats = dict(scan.stats or {})
        section = dict(stats.get("accessibility") or {})
        when = dt.datetime.now(dt.UTC).isoformat(timespec="seconds")
        section["browser"] = {**self.stats, "at": when}
        stats["accessibility"] = section
        stats["browser_audited_pages"] = self.audited
        scan.stats = stats  # a new dict, so the JSON column is written
        self.session.add(scan)


def _unchanged(item: _SamplePage, previous: _PreviousAudit | None) -> bool:
    if previous is None or not item.content_hash:
        return False
    return previous.pages.get(item.url) == item.content_hash


def _rollup(
    template: str, rule: str, urls: list[str], total: int, example: dict[str, Any]
) -> FindingData:
    title = rule_title_zh(rule, example.get("help") or "")
    return FindingData(
        check=TEMPLATE_ROLLUP,
        page=urls[0],
        message=f"模板问题：{title}（同一模板 {len(urls)}/{total} 个已检页面）",
        severity=_severity(example.get("impact")),
        key=(template, rule),
        detail={
            "rule": rule,
            "template": template,
            "template_pages": total,
            "failing_pages": len(urls),
            "sample_pages": urls[:5],
            "impact": example.get("impact"),
            "wcag": example.get("wcag"),
            "standard": example.get("standard"),
            "selector": example.get("selector"),
            "snippet": example.get("snippet"),
        },
    )


# --------------------------------------------------------------------------- browser findings


def _elderly(
    item: _SamplePage,
    template_pages: Counter[str],
    key: str,
    message: str,
    wcag: tuple[str, ...],
    extra: dict[str, Any],
) -> FindingData:
    return FindingData(
        check=ELDERLY,
        page=item.url,
        message=message,
        key=(key,),
        detail={
            "item": key,
            "wcag": wcag_label(wcag) if wcag else "",
            "standard": (
                f"WCAG 2.1 {', '.join(wcag)}; {ELDERLY_STANDARD}" if wcag else ELDERLY_STANDARD
            ),
            "source": "browser",
            "template": item.template,
            "template_pages": template_pages.get(item.template or "", 0),
            **extra,
        },
    )


def _elderly_findings(
    item: _SamplePage, result: browser.PageAudit, template_pages: Counter[str]
) -> Iterator[FindingData]:
    if result.popups:
        kinds = sorted({p.kind for p in result.popups})
        yield _elderly(
            item,
            template_pages,
            "popup_on_load",
            f"页面打开时出现弹窗/飘窗（{len(result.popups)} 个：{'、'.join(kinds)}）",
            ("2.2.2",) if "floating" in kinds else (),
            {"popups": [vars(p) for p in result.popups]},
        )
    if result.ad_scripts:
        yield _elderly(
            item,
            template_pages,
            "ad_script",
            f"页面含广告脚本或广告位（{len(result.ad_scripts)} 处）",
            (),
            {"ads": [vars(a) for a in result.ad_scripts[:10]], "count": len(result.ad_scripts)},
        )
    walk = result.tab_walk
    if walk is not None and walk.no_focus_indicator:
        yield _elderly(
            item,
            template_pages,
            "focus_not_visible",
            f"键盘聚焦时没有可见的焦点标识（{walk.no_focus_indicator}/{walk.stops} 个控件）",
            ("2.4.7",),
            {
                "stops": walk.stops,
                "without_indicator": walk.no_focus_indicator,
                "samples": [vars(s) for s in walk.no_focus_samples],
            },
        )
    if walk is not None and walk.unreachable:
        yield _elderly(
            item,
            template_pages,
            "keyboard_unreachable",
            f"有 {walk.unreachable} 个可点击控件无法用键盘（Tab）到达",
            ("2.1.1",),
            {
                "count": walk.unreachable,
                "walk_completed": walk.completed,
                "samples": [vars(s) for s in walk.unreachable_samples],
            },
        )


# --------------------------------------------------------------------------- sampling


def _html_pages(ctx: SiteContext) -> list[Page]:
    assert ctx.session is not None
    rows = ctx.session.exec(
        select(Page).where(Page.scan_id == ctx.scan_id).order_by(Page.id)  # type: ignore[arg-type]
    ).all()
    return [
        p
        for p in rows
        if p.error is None
        and p.kind not in _NOT_PAGES
        and p.status is not None
        and 200 <= p.status < 400
        and (p.content_type is None or "html" in p.content_type.lower())
    ]


# Page kinds that are not pages of the site's own templates.
_NOT_PAGES = frozenset({"error", "failed", "nonhtml", "redirect", "soft404", "challenge"})


def _is_home(ctx: ScanContext, url: str) -> bool:
    return url.rstrip("/") == ctx.site_url.rstrip("/")


def choose_sample(ctx: SiteContext, pages: list[Page]) -> list[_SamplePage]:
    """Pages for the browser, within ``browser_budget_pages``, in priority order: the home
    page, one page of every template (largest first), each column's first list page, then
    more pages per template up to ``browser_pages_per_template``."""
    budget = max(0, ctx.thresholds.browser_budget_pages)
    per_template = max(1, ctx.thresholds.browser_pages_per_template)
    by_url = {p.url: p for p in pages}
    chosen: dict[str, _SamplePage] = {}
    by_hash: dict[str, str] = {}  # the same bytes under two URLs are audited once
    taken: Counter[str] = Counter()

    def take(page: Page | None, reason: str) -> None:
        if page is None:
            return
        url = by_hash.get(page.content_hash or "", page.url)
        if url in chosen:
            chosen[url].reasons.append(reason)
            return
        if len(chosen) >= budget:
            return
        chosen[url] = _SamplePage(url, page.template_key, page.content_hash, [reason])
        if page.content_hash:
            by_hash[page.content_hash] = url
        if page.template_key:
            taken[page.template_key] += 1

    homes = [p for p in pages if p.kind == "home" or _is_home(ctx, p.url)]
    for page in (homes or [p for p in pages if p.depth == 0])[:1]:
        take(page, "home")
    groups: dict[str, list[Page]] = defaultdict(list)
    for page in pages:
        if page.template_key:
            groups[page.template_key].append(page)
    ordered = sorted(groups.values(), key=lambda g: (-len(g), g[0].id or 0))
    for group in ordered:
        group.sort(key=lambda p: (p.depth, p.id or 0))
        if not taken[group[0].template_key or ""]:
            take(group[0], "template")
    for url in _column_first_pages(ctx, pages):
        take(by_url.get(url), "column")
    for group in ordered:
        for page in group:
            if taken[page.template_key or ""] >= per_template:
                break
            take(page, "template")
    return list(chosen.values())


def _column_first_pages(ctx: SiteContext, pages: list[Page]) -> list[str]:
    """Each column's first list page: of a column's list pages (ListPage rows), the shortest
    URL (``index.html`` before ``index_1.html``); Page rows of kind ``list`` otherwise."""
    assert ctx.session is not None
    rows = ctx.session.exec(
        select(ListPage.column_key, ListPage.url)
        .where(ListPage.scan_id == ctx.scan_id)
        .order_by(ListPage.id)  # type: ignore[arg-type]
    ).all()
    first: dict[str, str] = {}
    for key, url in rows:
        if key not in first or len(url) < len(first[key]):
            first[key] = url
    if first:
        return list(first.values())
    return [p.url for p in sorted(pages, key=lambda p: (p.depth, p.id or 0)) if p.kind == "list"]
