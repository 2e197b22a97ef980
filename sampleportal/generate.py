"""Generate the sample portal: ``site/`` (static files), ``routes.json`` and ``truth.json``.

Order matters only where a step edits what an earlier one planned: columns and their
articles first, documents and special pages feed their columns, list pages are rendered
once every column has its items, then the home page, channels and site map, then the
planted accessibility defects and links, then the benchmark pages.

``week=2`` writes the same portal seven days later, for a second scan into the same store
(sampleportal/week2.py: tampering, a backdated article and their tricky negatives). The
first week (the default) is byte for byte what it always was.
"""

from __future__ import annotations

import datetime as dt
import shutil
from pathlib import Path

from sampleportal.a11y import plant_a11y
from sampleportal.bulk import Bulk
from sampleportal.columns import plan_columns, record_columns, render_lists
from sampleportal.documents import plan_documents
from sampleportal.duties import plan_duties
from sampleportal.expression import plan_expression
from sampleportal.home import build_channels, build_home, build_section, build_sitemap
from sampleportal.identity import plan_identity
from sampleportal.injection import plan_injection
from sampleportal.links import NOT_FOUND_HTML, plant_links
from sampleportal.portal import Portal
from sampleportal.special import (
    plan_assets,
    plan_crawl_traps,
    plan_encodings,
    plan_reports,
    plan_service_pages,
)
from sampleportal.truth import PORT_TOKEN, Truth
from sampleportal.week2 import Week2

VARIANTS = ("default", "stale_home", "stale_columns")
WEEKS = (1, 2)


def generate_portal(
    out_dir: Path,
    as_of: dt.date,
    *,
    variant: str = "default",
    extra_pages: int = 0,
    links_per_page: int = 30,
    seed: int = 7,
    week: int = 1,
) -> Truth:
    """Write the portal into ``out_dir`` (replacing an earlier ``out_dir/site``).

    ``as_of`` is the first week's scan date; ``week=2`` is the portal a week after it."""
    if variant not in VARIANTS:
        raise ValueError(f"unknown variant {variant!r}; choose one of {', '.join(VARIANTS)}")
    if week not in WEEKS:
        raise ValueError(f"unknown week {week!r}; choose one of {', '.join(map(str, WEEKS))}")
    out_dir = Path(out_dir)
    portal = Portal(as_of, variant, seed, extra_pages)
    truth = portal.truth
    truth.hosts = {
        "site": f"127.0.0.1:{PORT_TOKEN}",
        "external": f"localhost:{PORT_TOKEN}",
        "refused": f"127.0.0.2:{PORT_TOKEN}",
        "dns_failure": "nosuchhost.invalid",
    }

    plan_assets(portal)
    plans = plan_columns(portal)
    plan_documents(portal, plans)
    plan_reports(portal, plans)
    plan_encodings(portal, plans)
    plan_service_pages(portal)
    plan_duties(portal, plans)
    plan_expression(portal, plans)
    plan_injection(portal, plans)
    quick = plan_crawl_traps(portal)
    later = Week2(portal, plans) if week == 2 else None
    if later is not None:
        later.columns()
    render_lists(portal, plans)
    nav = build_home(portal, plans, quick)
    build_channels(portal, plans)
    build_section(portal, plans)
    build_sitemap(portal, plans)
    record_columns(portal, plans, nav)
    if later is not None:
        later.first_week_lists()
    plant_a11y(portal, plans)
    plant_links(portal, plans)
    plan_identity(portal)
    if later is not None:
        later.second_week_lists()
        later.deface()
    bulk = Bulk(portal, extra_pages, links_per_page)
    bulk.plan()

    truth.pages[:0] = [p.path for p in portal.pages.values() if p.in_pages]
    truth.pages.extend(entry["path"] for entry in truth.trap_entries)
    truth.notes.update(_NOTES)
    if later is not None:
        later.record()
        truth.notes["week2"] = _WEEK2_NOTE

    site = out_dir / "site"
    if site.exists():
        shutil.rmtree(site)
    out_dir.mkdir(parents=True, exist_ok=True)
    portal.write(
        out_dir,
        {
            "version": 1,
            "port_token": PORT_TOKEN,
            "site_name": truth.site_name,
            "as_of": truth.as_of,
            "not_found_body": NOT_FOUND_HTML,
        },
    )
    bulk.write(site)
    (out_dir / "truth.json").write_text(truth.to_json(), "utf-8")
    return truth


_WEEK2_NOTE = (
    "A second week (sampleportal/week2.py): scan week 1 as of rescan.previous_as_of, then this "
    "tree on the same address as of rescan.as_of into the same store. findings lists exactly "
    "the content_tampered (matched on key.reason) and backdated_article findings of the second "
    "scan; the other checks' truth is the first week's and is not exact for it."
)
_NOTES = {
    "port": "Text responses carry __PORT__ replaced by the server's port; truth keeps the token.",
    "blank_vs_stale": "A blank column (empty list, 暂无信息, only placeholder pages) is reported "
    "as blank_column only, never also as stale_column.",
    "undated_column": "人事任免 lists items without any visible date: not blank (it has items), "
    "but stale (long-term, personnel): items without a visible date count as not updated.",
    "not_judged": "Columns of no category (机构职能 800 days old, 专题, 年报 …) are never stale.",
    "timeboxed_counts": "default: 3 time-boxed stale (图片新闻 20 d, 媒体关注 40 d, 公示公告 "
    "~8 months) and 7 long-term (+ 招考录用 14 months, 人事任免 undated, 部门决算 760 d, "
    "财务公开 430 d); variant stale_columns adds 工作动态 and 部门动态 (5 time-boxed: veto).",
    "yearly_columns": "部门预算 and 部门决算 are yearly by name, 财务公开 by what it holds (every "
    "item a 部门预算/部门决算): 部门预算 at 200 days is fresh, the other two are stale.",
    "section_pages": "The channel pages and the 新闻中心 section (/zwdt/xwzx/) are no columns: "
    "their boxes show child columns' items or 暂无信息 with a 更多 link, and are neither stale "
    "nor blank.",
    "inactive_branches": "乡镇动态 prints 22 rows in sibling <ul> groups of five and a Vue "
    "v-if 暂无数据 that a browser renders only for an empty list: a fresh column, not blank.",
    "interpretations": "Only normative documents need a 解读; the 解读 pages, 批复, 统计公报 and "
    "工作要点 are not normative. 解读 timing counts working days d with published < d ≤ 解读 date.",
    "external_host": "Paths under /ext/ exist only for Host localhost:PORT; 127.0.0.2 refuses "
    "connections; nosuchhost.invalid must fail as DNS without a query.",
    "matching": "Match findings on (check, page, target) plus key.rule (accessibility, "
    "elderly_friendly) or key.fragment (broken_fragment); key.case/column only name the case.",
}
