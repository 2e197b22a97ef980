"""``hidden_link`` (暗链) and ``injected_code`` (挂马): what a compromised site carries unseen.

Page hook, on every page:

- ``hidden_link``: links to strangers' hosts hidden by CSS or written by script
  (``extract.hidden_links``). Off-screen, zero size, same colour, transparency, a still
  ``<marquee>`` and script writing are evidence on their own; ``display:none`` /
  ``visibility:hidden`` are what menus and tabs use, so such a link counts only when its text
  or address advertises what link farms sell (``checks.outbound.LINK_SPAM``). One finding per
  page and stranger's host; the outbound classifier's reading of the link texts (gambling, porn,
  parked) is the finding's ``target_verdict``.
- ``injected_code``: a hidden or 0×0 frame to a stranger's host, and a script that checks
  ``document.referrer`` for a search engine before sending the visitor to a stranger's URL, on
  any page. A page's other foreign scripts and redirects are stored (one ``ListPage`` row,
  ``column_key="__injection__"``) for the site hook.

Site hook: a foreign script or redirect on at most a fifth of a template's pages (a template of
``MIN_TEMPLATE_PAGES`` or more) while the rest lack it is not the template's; and cloaking:
the home page and at most ``CLOAK_SAMPLE - 1`` other pages (the shortest URL of the largest
other templates) fetched as a browser, as Baiduspider and from a Baidu search, on the site's
own host only, compared (``crawler.cloaking_probe``).

Every finding is ``needs_review``: it deducts nothing until a person marks it acknowledged,
then the scorer counts it for the 挂马/暗链 veto (as for ``expression_error``).
"""

from __future__ import annotations

from collections import defaultdict
from collections.abc import Iterable, Iterator
from dataclasses import dataclass
from typing import Any

from sqlmodel import Session, select

from checks.injection_compare import (
    CLOAK_SAMPLE,
    MIN_TEMPLATE_PAGES,
    cloaking_differences,
    is_rare,
)
from checks.injection_keys import INJECTION_KEY
from checks.outbound import LINK_SPAM, classify
from crawler.cloaking_probe import probe_page
from crawler.netguard import FetchGuard
from extract.foreign import hostname, own_domains
from extract.hidden_links import HiddenLink, hidden_links
from extract.injected import Injected, injected_code
from extract.parse import base_url_of
from extract.templates import template_key
from govpatrol.core.findings.injection import HIDDEN_LINK, INJECTED_CODE
from govpatrol.core.models import ListPage, Page, Scan
from govpatrol.core.types import Check, FindingData, ParsedPage, ScanContext, SiteContext

MAX_LISTED_LINKS = 10
MAX_CLOAK_BYTES = 1024 * 1024
_SPAM = tuple(word.lower() for word in LINK_SPAM)
_TECHNIQUE_ZH = {
    "offscreen": "移出屏幕",
    "text_indent": "文字缩进移出屏幕",
    "zero_size": "尺寸为零",
    "font_size_zero": "字号为零",
    "same_colour": "文字与背景同色",
    "transparent": "完全透明",
    "collapsed": "高度或宽度为零（折叠）",
    "menu": "移出屏幕的下拉菜单",
    "marquee": "静止或零高度的滚动框",
    "display_none": "不显示（display:none）",
    "visibility_hidden": "不可见（visibility:hidden）",
    "script_write": "脚本写入",
    "hidden_iframe": "隐藏框架",
    "search_redirect": "搜索来源跳转",
    "foreign_script": "模板外的外来脚本",
    "redirect": "模板外的跳转脚本",
    "cloaking": "对搜索引擎区别对待",
}


def _own(page: ParsedPage, ctx: ScanContext) -> frozenset[str]:
    return own_domains(ctx.site_url, page.url, page.final_url, extra_hosts=ctx.extra_hosts)


def _spam(link: HiddenLink) -> bool:
    said = f"{link.text} {link.url}".lower()
    return any(word in said for word in _SPAM)


def counts(link: HiddenLink) -> bool:
    """Is the way this link is hidden evidence enough? (display:none alone is a menu's way.)"""
    return link.strong or link.via == "script" or _spam(link)


def _hidden_link_findings(page: ParsedPage, links: list[HiddenLink]) -> Iterator[FindingData]:
    by_host: dict[str, list[HiddenLink]] = defaultdict(list)
    for link in links:
        if counts(link):
            by_host[link.host].append(link)
    for host, found in by_host.items():
        first = found[0]
        verdict = classify(" ".join(link.text for link in found), "")
        technique = first.technique
        yield FindingData(
            check=HIDDEN_LINK.id,
            page=page.url,
            target=first.url,
            message=f"页面含指向 {host} 的隐藏链接（{_TECHNIQUE_ZH[technique]}，待人工确认）",
            key=(host,),
            detail={
                "technique": technique,
                "techniques": sorted({link.technique for link in found}),
                "target_host": host,
                "selector": first.selector,
                "snippet": first.snippet,
                "links": [link.to_dict() for link in found[:MAX_LISTED_LINKS]],
                "count": len(found),
                "target_verdict": verdict.reason if verdict is not None else None,
                "needs_review": True,
            },
        )


def _injected_finding(
    page_url: str, technique: str, item: Injected, extra: dict[str, Any] | None = None
) -> FindingData:
    return FindingData(
        check=INJECTED_CODE.id,
        page=page_url,
        target=item.url,
        message=f"疑似挂马：{_TECHNIQUE_ZH[technique]}，指向 {item.host}（待人工确认）",
        key=(technique, item.host),
        detail={
            "technique": technique,
            "target_host": item.host,
            "snippet": item.snippet,
            "written_by_script": item.written,
            **(extra or {}),
            "needs_review": True,
        },
    )


@dataclass(frozen=True)
class InjectionOptions:
    """Cloaking requests wait as long as link verification's."""

    link_timeout_s: float


class InjectionCheck(Check):
    name = "injection"
    findings = (HIDDEN_LINK.id, INJECTED_CODE.id)
    options_type = InjectionOptions

    def on_page(self, page: ParsedPage, ctx: ScanContext) -> Iterator[Any]:
        if page.status >= 400:
            return
        own = _own(page, ctx)
        base = base_url_of(page.tree, page.final_url or page.url)
        yield from _hidden_link_findings(page, hidden_links(page.tree, base, own))
        compared: dict[str, dict[str, object]] = {}  # one item per kind, host and path
        for item in injected_code(page.tree, base, own):
            if item.kind == "hidden_iframe":
                yield _injected_finding(page.url, "hidden_iframe", item)
            elif item.kind == "redirect" and item.referrer_check:
                yield _injected_finding(page.url, "search_redirect", item)
            else:
                compared.setdefault(item.key, item.to_dict())
        if compared:
            yield ListPage(
                scan_id=ctx.scan_id,
                url=page.url,
                column_key=INJECTION_KEY,
                name=page.template_key or template_key(page.tree),
                item_count=len(compared),
                items=list(compared.values()),
            )

    def on_site(self, ctx: SiteContext) -> Iterable[FindingData]:
        session = ctx.session
        if session is None:
            return
        pages = _pages(session, ctx.scan_id)
        yield from _template_findings(session, ctx.scan_id, pages)
        options: InjectionOptions = self.options(ctx)
        sample = cloaking_sample(pages, ctx.site_url)
        guard = FetchGuard(ctx.site_url, zones=ctx.address_zone)
        probed = 0
        for url in sample:
            answers = probe_page(
                url, guard, timeout_s=options.link_timeout_s, max_bytes=MAX_CLOAK_BYTES
            )
            probed += 1
            own = own_domains(ctx.site_url, url, extra_hosts=ctx.extra_hosts)
            for visitor, differences, target in cloaking_differences(answers, own):
                yield FindingData(
                    check=INJECTED_CODE.id,
                    page=url,
                    target=target,
                    message=f"疑似挂马：以{_VISITOR_ZH[visitor]}身份访问时页面不同（待人工确认）",
                    key=("cloaking", visitor),
                    detail={
                        "technique": "cloaking",
                        "visitor": visitor,
                        "differences": differences,
                        "target_host": hostname(target) if target else None,
                        "needs_review": True,
                    },
                )
        scan = session.get(Scan, ctx.scan_id)
        if scan is not None:
            # the pages asked again as other visitors: the only pages a scan fetches twice
            stats = {"pages": len(pages), "cloaking_probed": probed, "cloaking_pages": sample}
            scan.stats = {**(scan.stats or {}), "injection": stats}
            session.add(scan)


_VISITOR_ZH = {"baiduspider": "百度爬虫（Baiduspider）", "search_referer": "百度搜索来源"}


@dataclass(frozen=True)
class _PageRow:
    url: str
    template: str
    is_home: bool


def _pages(session: Session, scan_id: int) -> list[_PageRow]:
    rows = session.exec(
        select(Page.url, Page.template_key, Page.kind, Page.depth, Page.status).where(
            Page.scan_id == scan_id
        )
    ).all()
    out = []
    for url, template, kind, depth, status in rows:
        # only pages that answered with a page: a redirect (a loop) or an error is no sample
        if status is None or not 200 <= status < 300:
            continue
        if kind in ("error", "failed", "nonhtml", "challenge"):
            continue
        out.append(_PageRow(url, template or url, kind == "home" or depth == 0))
    return sorted(out, key=lambda p: (len(p.url), p.url))


def cloaking_sample(pages: list[_PageRow], site_url: str) -> list[str]:
    """The home page, then the shortest URL of each of the largest other templates: at most
    ``CLOAK_SAMPLE`` pages, so a scan sends at most 3 × CLOAK_SAMPLE extra requests."""
    home = next((p.url for p in pages if p.is_home), site_url)
    sizes: dict[str, list[str]] = defaultdict(list)
    for page in pages:
        if page.url != home:
            sizes[page.template].append(page.url)
    ordered = sorted(sizes.values(), key=lambda urls: (-len(urls), urls[0]))
    return [home, *(urls[0] for urls in ordered)][:CLOAK_SAMPLE]


def _template_findings(
    session: Session, scan_id: int, pages: list[_PageRow]
) -> Iterator[FindingData]:
    sizes: dict[str, int] = defaultdict(int)
    for page in pages:
        sizes[page.template] += 1
    rows = session.exec(
        select(ListPage).where(ListPage.scan_id == scan_id, ListPage.column_key == INJECTION_KEY)
    ).all()
    carriers: dict[tuple[str, str], list[tuple[str, dict[str, Any]]]] = defaultdict(list)
    for row in rows:
        template = row.name or row.url
        for item in row.items or ():
            key = item.get("key") or f"{item['kind']}:{item['host']}"
            carriers[(template, str(key))].append((row.url, item))
    for (template, _key), found in sorted(carriers.items()):
        total = sizes.get(template, 0)
        if total < MIN_TEMPLATE_PAGES or not is_rare(len(found), total):
            continue
        for url, item in sorted(found, key=lambda pair: pair[0]):
            technique = "foreign_script" if item["kind"] == "script" else "redirect"
            injected = Injected(item["kind"], item["url"], item["host"], item["snippet"],
                                written=bool(item.get("written")))  # fmt: skip
            yield _injected_finding(
                url,
                technique,
                injected,
                {"template_pages": total, "pages_with_it": len(found)},
            )
