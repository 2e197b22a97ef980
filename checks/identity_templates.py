"""The footer items and mixed content, judged once per page template.

A CMS renders its footer from the template, so a missing item is one fix per template, not
one per page: pages are grouped by their DOM-skeleton key and each template gets at most one
finding per item, on an example page (the template's shortest URL, so the finding keeps its
page and fingerprint from scan to scan). An item counts as shown by a template when any of
its judged pages shows it: two templates with one skeleton but different footers then hide a
missing item rather than invent one. Pages whose footer cannot be read are not judged.
"""

from __future__ import annotations

from collections import defaultdict
from collections.abc import Iterable, Iterator
from dataclasses import dataclass, field
from typing import Any

from extract.identity import FOOTER_ITEMS, FooterFacts
from govpatrol.core.findings.identity import MISSING_SITE_IDENTITY
from govpatrol.core.types import FindingData

MAX_SAMPLE_PAGES = 5
MAX_RESOURCES = 10

# How the check's Chinese messages name each item (reports name them in the reader's
# language from reports.vocabulary.ITEMS).
ITEM_NAMES_ZH: dict[str, str] = {
    "site_code": "网站标识码",
    "icp": "ICP备案编号",
    "police_record": "公安机关备案号",
    "conac_mark": "党政机关网站标识",
    "sponsor": "主办单位",
    "sponsor_contact": "主办单位联系方式",
    "mixed_content": "HTTPS 页面中的 http:// 资源",
}


@dataclass
class PageFacts:
    """What the page hook stored for one page."""

    url: str
    template: str
    footer: FooterFacts
    mixed: list[dict[str, Any]] = field(default_factory=list)


def _order(url: str) -> tuple[int, str]:
    return len(url), url


def by_template(pages: Iterable[PageFacts]) -> dict[str, list[PageFacts]]:
    groups: dict[str, list[PageFacts]] = defaultdict(list)
    for page in pages:
        groups[page.template or page.url].append(page)
    for group in groups.values():
        group.sort(key=lambda p: _order(p.url))
    return dict(sorted(groups.items(), key=lambda kv: _order(kv[1][0].url)))


def _item_verdict(item: str, judged: list[PageFacts]) -> tuple[str, str | None]:
    """``shown``, or ``missing``, or ``invalid`` with the value shown."""
    statuses = [p.footer.status(item) for p in judged]
    if "shown" in statuses:
        return "shown", None
    for page in judged:
        if page.footer.status(item) == "invalid":
            return "invalid", getattr(page.footer, item)
    return "missing", None


def _message(item: str, reason: str, shown: str | None, pages: int) -> str:
    name = ITEM_NAMES_ZH[item]
    if reason == "invalid":
        return f"页脚的{name}格式不正确：“{shown}”（同一模板 {pages} 个页面）"
    return f"页面模板的页脚缺少{name}（同一模板 {pages} 个页面）"


def footer_findings(groups: dict[str, list[PageFacts]]) -> Iterator[FindingData]:
    for template, group in groups.items():
        judged = [p for p in group if p.footer.judged]
        if not judged:
            continue
        for item in FOOTER_ITEMS:
            if item == "sponsor_contact" and _item_verdict("sponsor", judged)[0] != "shown":
                continue  # no sponsor named: its contact is not a second finding
            reason, shown = _item_verdict(item, judged)
            if reason == "shown":
                continue
            detail: dict[str, Any] = {
                "item": item,
                "reason": reason,
                "template": template,
                "template_pages": len(judged),
                "sample_pages": [p.url for p in judged[:MAX_SAMPLE_PAGES]],
            }
            if shown is not None:
                detail["shown"] = shown
            yield FindingData(
                check=MISSING_SITE_IDENTITY.id,
                page=judged[0].url,
                message=_message(item, reason, shown, len(judged)),
                detail=detail,
                key=(template, item),
            )


def mixed_content_findings(groups: dict[str, list[PageFacts]]) -> Iterator[FindingData]:
    """One finding per template whose https pages load http resources: medium when any is
    a script, stylesheet or frame (the browser blocks it), low for images and media only."""
    for template, group in groups.items():
        mixed = [p for p in group if p.mixed]
        if not mixed:
            continue
        resources = [{**r, "page": p.url} for p in mixed for r in p.mixed][:MAX_RESOURCES]
        active = any(r.get("active") for p in mixed for r in p.mixed)
        reason = "active" if active else "passive"
        kinds = "脚本、样式或框架" if active else "图片或音视频"
        yield FindingData(
            check=MISSING_SITE_IDENTITY.id,
            page=mixed[0].url,
            message=f"HTTPS 页面通过 http:// 加载{kinds}（同一模板 {len(mixed)} 个页面）",
            severity="medium" if active else "low",
            detail={
                "item": "mixed_content",
                "reason": reason,
                "template": template,
                "template_pages": len(group),
                "sample_pages": [p.url for p in mixed[:MAX_SAMPLE_PAGES]],
                "resources": resources,
                "count": len(mixed),
            },
            key=(template, "mixed_content"),
        )
