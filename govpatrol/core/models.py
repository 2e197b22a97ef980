"""The store's tables (SQLModel). Reports and the dashboard only read these.

Rows written during a scan carry ``scan_id`` so a failed or partial scan never touches
the rows of an earlier one. JSON columns hold evidence whose shape varies per check.
"""

from __future__ import annotations

import datetime as dt
from enum import StrEnum
from typing import Any

from sqlalchemy import JSON, Column, Index, UniqueConstraint, false
from sqlmodel import Field, SQLModel

from govpatrol.core.clock import utcnow  # also imported from here by scheduler, scoring, dashboard
from govpatrol.core.defaults import new_dict, new_list, now


class ScanStatus(StrEnum):
    queued = "queued"
    running = "running"
    done = "done"
    partial = "partial"  # interrupted: holds what it had, never shown as complete
    failed = "failed"


class LinkOutcome(StrEnum):
    pending = "pending"
    ok = "ok"
    broken = "broken"
    unverified = "unverified"  # bot protection, rate limits, robots.txt: never counted as broken


class Org(SQLModel, table=True):
    id: int | None = Field(default=None, primary_key=True)
    name: str = Field(index=True, unique=True)
    parent_id: int | None = Field(default=None, foreign_key="org.id", index=True)
    created_at: dt.datetime = Field(default_factory=now)


class Site(SQLModel, table=True):
    id: int | None = Field(default=None, primary_key=True)
    name: str
    url: str = Field(index=True, unique=True)
    org_id: int | None = Field(default=None, foreign_key="org.id", index=True)
    is_portal: bool = False  # 门户网站 may earn bonus points; bureau sites may not
    is_government: bool = False  # a government's own site (年报 deadline 31 March, not 31 January)
    extra_hosts: list[str] = Field(default_factory=new_list, sa_column=Column(JSON))
    path_prefix: str = "/"
    # per-site overrides: {"thresholds": {...}, "column_keywords": {...}, ...}
    config: dict[str, Any] = Field(default_factory=new_dict, sa_column=Column(JSON))
    schedule_cron: str | None = None
    active: bool = True
    # What the SSRF guard lets this site's scans reach besides public addresses: "public"
    # (nothing) or zone names such as "private", fixed at registration and each admin edit
    # (scan.site_policy.site_zone), never re-derived from DNS at scan time.
    address_zone: str = Field(default="public", sa_column_kwargs={"server_default": "public"})
    created_at: dt.datetime = Field(default_factory=now)


class User(SQLModel, table=True):
    id: int | None = Field(default=None, primary_key=True)
    username: str = Field(index=True, unique=True)
    password_hash: str
    role: str = "webmaster"  # admin | supervisor | webmaster
    org_id: int | None = Field(default=None, foreign_key="org.id")
    # Where the weekly reports of the user's sites (webmaster) or office (supervisor) go.
    email: str | None = None
    api_token_hash: str | None = Field(default=None, index=True)
    # Carried in the session cookie and raised at logout and password change: a signed cookie
    # cannot be deleted from the browser that copied it, but its epoch can be made old.
    session_epoch: int = Field(default=0, sa_column_kwargs={"server_default": "0"})
    created_at: dt.datetime = Field(default_factory=now)


class UserSite(SQLModel, table=True):
    """The sites a webmaster looks after."""

    user_id: int = Field(foreign_key="user.id", primary_key=True)
    site_id: int = Field(foreign_key="site.id", primary_key=True)


class Scan(SQLModel, table=True):
    id: int | None = Field(default=None, primary_key=True)
    site_id: int = Field(foreign_key="site.id", index=True)
    trigger: str = "manual"  # manual | schedule | api | demo
    status: ScanStatus = ScanStatus.queued
    as_of: dt.date | None = None
    created_at: dt.datetime = Field(default_factory=now)
    started_at: dt.datetime | None = None
    finished_at: dt.datetime | None = None
    heartbeat_at: dt.datetime | None = None
    pid: int | None = None
    stage: str | None = None  # crawl | links | browser | site | score
    error: str | None = None
    options: dict[str, Any] = Field(default_factory=new_dict, sa_column=Column(JSON))
    stats: dict[str, Any] = Field(default_factory=new_dict, sa_column=Column(JSON))
    score: dict[str, Any] | None = Field(default=None, sa_column=Column(JSON))
    # Set when the scan ends: the checks whose hooks ran to the end (None on scans stored
    # before this was recorded), and whether it ran every registered check over a finished
    # crawl. Only a complete scan is the site's official result (govpatrol/core/completeness.py).
    checks: list[str] | None = Field(default=None, sa_column=Column(JSON))
    complete: bool = Field(default=False, sa_column_kwargs={"server_default": false()})


class Page(SQLModel, table=True):
    __table_args__ = (UniqueConstraint("scan_id", "url"),)

    id: int | None = Field(default=None, primary_key=True)
    scan_id: int = Field(foreign_key="scan.id", index=True)
    url: str
    final_url: str | None = None
    status: int | None = None
    content_type: str | None = None
    encoding: str | None = None
    title: str | None = None
    depth: int = 0
    referrer: str | None = None
    bytes: int = 0
    elapsed_ms: float | None = None
    content_hash: str | None = None
    template_key: str | None = None  # DOM-skeleton hash: pages of one template share it
    kind: str | None = (
        None  # home | list | document | article | other | error | failed | soft404 | challenge | nonhtml
    )
    error: str | None = None
    etag: str | None = None
    last_modified: str | None = None
    reused_from_scan: int | None = None  # answered 304: page-level results copied from that scan
    # ids and <a name>s, so links to #fragments are checked without fetching the page again
    anchors: list[str] | None = Field(default=None, sa_column=Column(JSON))
    fetched_at: dt.datetime = Field(default_factory=now)


class LinkTarget(SQLModel, table=True):
    """A distinct URL the crawl saw, verified once per scan."""

    __table_args__ = (UniqueConstraint("scan_id", "url"),)

    id: int | None = Field(default=None, primary_key=True)
    scan_id: int = Field(foreign_key="scan.id", index=True)
    url: str
    kind: str = "page"  # page | attachment | image | script | style | frame | external | other
    internal: bool = True
    outcome: LinkOutcome = LinkOutcome.pending
    status: int | None = None
    error: str | None = None
    detail: dict[str, Any] = Field(default_factory=new_dict, sa_column=Column(JSON))
    checked_at: dt.datetime | None = None


class LinkSource(SQLModel, table=True):
    """Where a target was seen: one row per (page, target, tag/attr)."""

    __table_args__ = (
        Index("ix_linksource_scan_target", "scan_id", "target_url"),
        Index("ix_linksource_scan_page", "scan_id", "page_url"),
    )

    id: int | None = Field(default=None, primary_key=True)
    scan_id: int = Field(foreign_key="scan.id", index=True)
    page_url: str
    target_url: str
    fragment: str | None = None
    text: str | None = None
    tag: str = "a"
    attr: str = "href"
    on_home: bool = False


class ListPage(SQLModel, table=True):
    """A page seen as a column list (栏目页): the facts the freshness checks need."""

    __table_args__ = (Index("ix_listpage_scan_url", "scan_id", "url"),)

    id: int | None = Field(default=None, primary_key=True)
    scan_id: int = Field(foreign_key="scan.id", index=True)
    url: str
    column_key: str  # the column this page belongs to (first list page's URL)
    name: str | None = None
    breadcrumb: list[str] = Field(default_factory=new_list, sa_column=Column(JSON))
    item_count: int = 0
    dated_count: int = 0
    newest_date: dt.date | None = None
    placeholder: str | None = None  # 暂无信息 / 正在建设 … when the page says it has nothing
    items: list[dict[str, Any]] = Field(default_factory=new_list, sa_column=Column(JSON))


class SiteColumn(SQLModel, table=True):
    """A column (栏目) of a site in one scan, fresh ones too, so reports can show the tree."""

    __tablename__ = "column"

    id: int | None = Field(default=None, primary_key=True)
    scan_id: int = Field(foreign_key="scan.id", index=True)
    key: str  # first list page URL
    name: str
    url: str
    parent_key: str | None = None
    category: str | None = None  # dynamic | notice | personnel | None (not judged)
    cadence_days: int | None = None
    newest_date: dt.date | None = None
    item_count: int = 0
    is_blank: bool = False
    is_stale: bool = False
    days_overdue: int | None = None
    from_nav: bool = False
    marked_unchanged: bool = False


class Document(SQLModel, table=True):
    """A document page; ``is_normative`` rows form the 现行有效规范性文件库."""

    __table_args__ = (Index("ix_document_scan_url", "scan_id", "url"),)

    id: int | None = Field(default=None, primary_key=True)
    scan_id: int = Field(foreign_key="scan.id", index=True)
    url: str
    title: str | None = None
    is_normative: bool = False
    normative_reason: str | None = None
    is_interpretation: bool = False
    issuer: str | None = None
    doc_number: str | None = None
    index_no: str | None = None
    registration_no: str | None = None
    written_date: dt.date | None = None
    published_date: dt.date | None = None
    effective_date: dt.date | None = None
    repeal_date: dt.date | None = None
    valid_until: dt.date | None = None
    validity_raw: str | None = None
    validity: str | None = (
        None  # effective | partially_invalid | amended | repealed | expired | not_yet_effective
    )
    title_marker: str | None = None
    column_name: str | None = None
    interpretation_urls: list[str] = Field(default_factory=new_list, sa_column=Column(JSON))
    original_urls: list[str] = Field(default_factory=new_list, sa_column=Column(JSON))
    extra: dict[str, Any] = Field(default_factory=new_dict, sa_column=Column(JSON))


class Finding(SQLModel, table=True):
    __table_args__ = (Index("ix_finding_scan_page", "scan_id", "page"),)

    id: int | None = Field(default=None, primary_key=True)
    scan_id: int = Field(foreign_key="scan.id", index=True)
    check: str = Field(index=True)
    severity: str = "medium"  # high | medium | low
    page: str
    target: str | None = None
    message: str
    detail: dict[str, Any] = Field(default_factory=new_dict, sa_column=Column(JSON))
    fingerprint: str = Field(index=True)
    stage: str = "site"  # page: from a page hook (re-usable when the page is unchanged) | site
    created_at: dt.datetime = Field(default_factory=now)


class FindingState(SQLModel, table=True):
    """A person's triage of a finding, keyed by fingerprint so it survives the next scan."""

    __table_args__ = (UniqueConstraint("site_id", "fingerprint"),)

    id: int | None = Field(default=None, primary_key=True)
    site_id: int = Field(foreign_key="site.id", index=True)
    fingerprint: str
    state: str  # acknowledged | false_positive | unchanged (column legitimately unchanged)
    note: str | None = None
    user_id: int | None = Field(default=None, foreign_key="user.id")
    updated_at: dt.datetime = Field(default_factory=now)


class Probe(SQLModel, table=True):
    """One availability sample of a site's home page."""

    id: int | None = Field(default=None, primary_key=True)
    site_id: int = Field(foreign_key="site.id", index=True)
    at: dt.datetime = Field(default_factory=now, index=True)
    ok: bool
    status: int | None = None
    elapsed_ms: float | None = None
    error: str | None = None


class ClusterNode(SQLModel, table=True):
    """A long-running process of a deployment and its heartbeat: the scheduler's lease (one
    row, ``name="scheduler"``, held by one process at a time) and each worker's presence
    (``name="worker:<node>"``), which capacity planning and /healthz read."""

    __tablename__ = "cluster_node"

    name: str = Field(primary_key=True)
    kind: str = "worker"  # scheduler | worker
    holder: str  # host:pid:nonce of the process holding the row
    started_at: dt.datetime = Field(default_factory=utcnow)
    heartbeat_at: dt.datetime = Field(default_factory=utcnow, index=True)
    info: dict[str, Any] = Field(default_factory=dict, sa_column=Column(JSON))
