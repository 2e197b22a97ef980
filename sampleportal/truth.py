"""The truth file: what a correct scan of the generated portal must find, and nothing more.

``generate_portal`` writes it as ``truth.json`` next to ``site/`` and ``routes.json``.
Paths are site-relative and percent-*decoded* (``/upload/2026/附件1.pdf``), with the query
string kept (``/cms/show?id=9999``) and no fragment; the home page is ``/``. External
targets are absolute URLs holding the token ``__PORT__``, which the server replaces with its
port in every text response (``Truth.url`` does the same for tests). Compare a crawled URL
with ``site_path(url)``.

Schema (every key always present)::

    as_of, site_name, variant, seed, extra_pages         what was generated
    port_token: "__PORT__"
    hosts: {site, external, refused, dns_failure}        host[:port] forms, port as token
    home: {path, newest_date, fresh, fresh_days}         the home page's newest dated item
    pages: [path]               every HTML page a correct crawl fetches with 200 text/html:
                                Hanweb-only and TRS-pagination-only pages included, robots-
                                disallowed pages and error targets excluded; each crawl trap
                                contributes its entry page only (see trap_entries)
    hanweb_only_pages: [path]   articles linked only inside <datastore> CDATA records
    trs_pagination_pages: [path]        list pages linked only by createPageHTML(...)
    trs_pagination_only_pages: [path]   articles linked only from those pagination pages
    robots_disallowed: [path]   linked, forbidden by robots.txt, must never be requested
    trap_prefixes: [prefix]     a crawler may fetch a bounded number of further pages here
    trap_entries: [{path, linked_as, kind}]   kind: calendar | session_id
    gbk_pages: {path: <title> text}    GBK/GB18030 bytes; decode with gb18030
    encodings: [{path, bytes, declared_in, why}]   every page not plain UTF-8-with-meta
    non_html: [{path, content_type}]   linked, 200, not HTML: never parse as a page
    findings: [Expected]        every expected finding (see below)
    good_links: [{page, target, why}]        tricky links that must never be reported
    unverified_links: [{page, target, why}]  must end "unverified", never "broken"
    columns: [Column]           every list column (fresh ones too)
    channels: [{name, path, children: [column path]}]   parent columns (channel pages)
    documents: [Document]       normative documents, 解读 pages and non-normative traps
    a11y: {complete_for_rules, static_rules, browser_only_rules, elderly_rules}
    notes: {topic: text}        decisions a check author needs (blank vs stale, …)
    rescan: {week, previous_as_of, as_of, exact_checks, foreign_host, negatives: [{page,
            case, why}]}   only in a second week's truth (``generate_portal(week=2)``,
            sampleportal/week2.py): the scan dates, and the pages that must stay quiet

``Expected`` = ``{check, page, target, key, detail}``: match a produced finding on
``(check, page, target)`` plus ``key["rule"]`` for accessibility, ``key["fragment"]`` for
broken_fragment (other key parts only name the planted case). ``detail`` is evidence to compare where the check reports it:
broken_link → ``{kind: page|attachment|image|external, status: int|None, error:
None|soft_404|empty_attachment|attachment_is_html|timeout|redirect_loop|too_many_redirects|
connection_refused|dns, on_home}``; stale_column → ``{column, category, newest_date,
cadence_days, timeboxed}``; blank_column → ``{column, reason: empty|no_info|placeholder}``;
document checks → ``{reason, …dates}``; accessibility → ``{rule, static: bool}``;
elderly_friendly (适老化) → ``{item: popup_on_load|ad_script, static: bool}``, matched on
``key["item"]``. A column finding's page is the first list page (docs/findings-format.md); a
check that reports the column's directory instead is matched through ``Column.dir``.
"""

from __future__ import annotations

import dataclasses
import json
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any
from urllib.parse import unquote, urlsplit

PORT_TOKEN = "__PORT__"

# Column categories by name, as in docs/CHECKS.md (checked in this order; "none" first so
# a not-judged name is never given a cadence by a keyword it happens to contain).
CATEGORY_KEYWORDS: dict[str, tuple[str, ...]] = {
    "none": (
        "机构职能",
        "领导信息",
        "政府信息公开指南",
        "政府信息公开制度",
        "专题",
        "专栏",
        "年报",
    ),
    "dynamic": (
        "要闻",
        "动态",
        "新闻",
        "工作进展",
        "媒体关注",
        "头条",
    ),
    "notice": (
        "通知公告",
        "公示公告",
        "通知",
        "公告",
        "公示",
        "政策文件",
        "政策法规",
        "法规文件",
        "规范性文件",
        "部门文件",
        "政府文件",
        "文件发布",
        "政策解读",
    ),
    "personnel": (
        "人事信息",
        "人事任免",
        "人事招考",
        "招考录用",
        "公务员招录",
        "事业单位招聘",
        "规划计划",
        "发展规划",
        "专项规划",
        "工作计划",
        "年度计划",
        "计划总结",
    ),
    "budget": (
        "财政预决算",
        "预决算公开",
        "预决算",
        "部门预算",
        "部门决算",
        "财政预算",
        "财政决算",
        "预算公开",
        "决算公开",
        "三公经费",
    ),
}
CADENCE_DAYS = {"dynamic": 14, "notice": 183, "personnel": 365, "budget": 365}
TIMEBOXED = frozenset({"dynamic", "notice"})


def category_of(name: str) -> str | None:
    for category, words in CATEGORY_KEYWORDS.items():
        if any(w in name for w in words):
            return None if category == "none" else category
    return None


def site_path(url: str) -> str:
    """The truth's spelling of a crawled URL: decoded path plus query, no fragment."""
    parts = urlsplit(url)
    path = unquote(parts.path) or "/"
    return f"{path}?{parts.query}" if parts.query else path


@dataclass
class Expected:
    check: str
    page: str
    target: str | None = None
    key: dict[str, Any] = field(default_factory=dict)
    detail: dict[str, Any] = field(default_factory=dict)


@dataclass
class Column:
    name: str
    path: str  # first list page
    dir: str  # its directory ("/xxgk/tzgg/"): the column key some checks report instead
    parent: str | None
    category: str | None
    cadence_days: int | None
    newest_date: str | None
    first_page_items: int
    stale: bool
    blank: bool
    blank_reason: str | None
    in_nav: bool
    list_pages: list[str]
    style: str  # the CMS markup the list imitates
    date_format: str | None  # fmt() style name, None when items show no date
    newest_first: bool  # False: the newest item is not the first row


@dataclass
class Document:
    path: str
    title: str
    normative: bool
    doc_number: str | None
    written_date: str | None
    published_date: str | None
    validity: str | None  # normalised, see docs/CHECKS.md
    validity_raw: str | None
    title_marker: str | None
    interpretation: str | None  # path of its 解读
    is_interpretation: bool = False
    interprets: str | None = None  # for a 解读: the document path
    layout: str | None = None  # metadata layout: bd1 | dl | p_strong | div_rows | inline |
    # label_rows | split_labels | generic_name_row | none
    column: str | None = None
    case: str | None = None  # what this document plants (see findings)
    # The classifier's three-valued decision (docs/CHECKS.md): normative | not_normative |
    # needs_review. Left out, it follows ``normative``.
    decision: str | None = None

    def __post_init__(self) -> None:
        if self.decision is None:
            self.decision = "normative" if self.normative else "not_normative"

    @classmethod
    def plain(cls, path: str, title: str, published_date: str | None, **fields: Any) -> Document:
        """A page that is no normative document and shows no number, 成文日期 or validity
        (a notice, a news item, a 解读); ``fields`` set the rest (column, case, layout …)."""
        fields.setdefault("layout", "none")
        return cls(path=path, title=title, normative=False, doc_number=None, written_date=None,
                   published_date=published_date, validity=None, validity_raw=None,
                   title_marker=None, interpretation=None, **fields)  # fmt: skip


@dataclass
class Truth:
    as_of: str
    site_name: str
    variant: str
    seed: int
    extra_pages: int
    port_token: str = PORT_TOKEN
    hosts: dict[str, str] = field(default_factory=dict)
    home: dict[str, Any] = field(default_factory=dict)
    pages: list[str] = field(default_factory=list)
    hanweb_only_pages: list[str] = field(default_factory=list)
    trs_pagination_pages: list[str] = field(default_factory=list)
    trs_pagination_only_pages: list[str] = field(default_factory=list)
    robots_disallowed: list[str] = field(default_factory=list)
    trap_prefixes: list[str] = field(default_factory=list)
    trap_entries: list[dict[str, str]] = field(default_factory=list)
    gbk_pages: dict[str, str] = field(default_factory=dict)
    encodings: list[dict[str, str]] = field(default_factory=list)
    non_html: list[dict[str, str]] = field(default_factory=list)
    findings: list[Expected] = field(default_factory=list)
    good_links: list[dict[str, str]] = field(default_factory=list)
    unverified_links: list[dict[str, str]] = field(default_factory=list)
    columns: list[Column] = field(default_factory=list)
    channels: list[dict[str, Any]] = field(default_factory=list)
    documents: list[Document] = field(default_factory=list)
    a11y: dict[str, list[str]] = field(default_factory=dict)
    notes: dict[str, str] = field(default_factory=dict)
    rescan: dict[str, Any] = field(default_factory=dict)  # second week only (see above)

    # -- recording ---------------------------------------------------------------------
    def expect(self, check: str, page: str, target: str | None = None, **parts: Any) -> None:
        self.findings.append(
            Expected(check, page, target, parts.get("key", {}), parts.get("detail", {}))
        )

    def good(self, page: str, target: str, why: str) -> None:
        self.good_links.append({"page": page, "target": target, "why": why})

    def unverified(self, page: str, target: str, why: str) -> None:
        self.unverified_links.append({"page": page, "target": target, "why": why})

    # -- reading -----------------------------------------------------------------------
    def expected(self, check: str) -> list[Expected]:
        return [f for f in self.findings if f.check == check]

    def column(self, path: str) -> Column:
        return next(c for c in self.columns if c.path == path)

    def url(self, base_url: str, path_or_url: str) -> str:
        """Absolute URL of a truth path (or external URL) on a server at ``base_url``."""
        port = str(urlsplit(base_url).port or "")
        if "://" in path_or_url:
            return path_or_url.replace(PORT_TOKEN, port)
        return base_url.rstrip("/") + path_or_url

    def to_json(self) -> str:
        data = dataclasses.asdict(self)
        if not data["rescan"]:
            del data["rescan"]  # a first week's truth.json stays as it always was
        return json.dumps(data, ensure_ascii=False, indent=1) + "\n"

    @classmethod
    def from_dict(cls, data: dict[str, Any]) -> Truth:
        data = dict(data)
        data["findings"] = [Expected(**f) for f in data.get("findings", [])]
        data["columns"] = [Column(**c) for c in data.get("columns", [])]
        data["documents"] = [Document(**d) for d in data.get("documents", [])]
        return cls(**data)


def load_truth(out_dir: Path) -> Truth:
    """The truth of a portal generated into ``out_dir``."""
    return Truth.from_dict(json.loads((Path(out_dir) / "truth.json").read_text("utf-8")))
