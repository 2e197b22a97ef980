"""Incremental rescans: conditional requests against the site's last complete scan, and
re-use of its page-level results when a page answers 304 Not Modified.

Only results of the checks the new scan runs are re-used: an ``--only links`` rescan copies
no accessibility finding of an unchanged page, since it never checked accessibility. And they
come only from a scan that ran those checks to the end (for a full scan: a complete one), so
a page re-used from an ``--only`` scan never loses the findings of checks that scan skipped."""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any

from sqlalchemy import bindparam, false, func, insert, or_
from sqlalchemy import select as core_select
from sqlalchemy.engine import Engine
from sqlmodel import Session, select

from govpatrol import RULES_VERSION
from govpatrol.core.completeness import checks_ran
from govpatrol.core.findings import SPECS, check_names
from govpatrol.core.models import (
    Document,
    Finding,
    LinkSource,
    ListPage,
    Page,
    Scan,
    ScanStatus,
    utcnow,
)
from govpatrol.core.types import LinkRef

# The check whose page hook writes Document rows (checks/documents.py). Named, not imported:
# the crawler sits below the checks and knows them only by name.
DOCUMENTS_CHECK = "documents"


class PreviousScan:
    """What the last ``done`` scan of the site that ran this scan's checks, made by the same
    rules, knew about each page."""

    def __init__(self, engine: Engine, site_id: int, scan_id: int) -> None:
        self.engine = engine
        self.scan_id: int | None = None
        # url -> (etag, last_modified); only pages that carried a validator are worth asking about
        self.validators: dict[str, tuple[str | None, str | None]] = {}
        self.with_records: dict[type, set[str]] = {}
        self.findings_of: dict[str, int] = {}  # url -> how many findings a copy brings
        self._copy_records: dict[type, Any] = {}
        self._raw: Any = None  # the DB-API connection links() reads with, on SQLite
        self._links_sql = ""
        self._links_order: list[str] = []
        with Session(engine) as session:
            current = session.get(Scan, scan_id)
            only = ((current.options or {}) if current else {}).get("checks")
            # the checks this scan runs, whose page results it may re-use
            self.checks = frozenset(only or check_names())
            self.limited = bool(only)
            previous = _covering_scan(session, site_id, scan_id, self.checks)
            if previous is None or (previous.stats or {}).get("rules_version") != RULES_VERSION:
                return
            self.scan_id = previous.id
            # an --only scan copies the findings of the checks it runs, and no other
            findings = (
                [fid for fid, spec in SPECS.items() if spec.check in self.checks]
                if self.limited
                else None
            )
            self._copy_records = {
                records.model: records.copy(findings if records.model is Finding else None)
                for records in _RECORDS
            }
            rows = session.exec(
                select(Page.url, Page.etag, Page.last_modified).where(
                    Page.scan_id == previous.id,
                    Page.status == 200,
                    Page.kind.not_in(("soft404", "challenge")),
                )
            )
            for url, etag, last_modified in rows:
                if etag or last_modified:
                    self.validators[url] = (etag, last_modified)
            # most pages have no list, document or page finding: knowing which do saves
            # three queries for each of the others
            self.with_records = {
                records.model: set(
                    session.execute(records.pages(), {"scan": previous.id}).scalars()
                )
                for records in _RECORDS
            }
            finding_records = next(r for r in _RECORDS if r.model is Finding)
            self.findings_of = dict(
                session.execute(finding_records.counts(findings), {"scan": previous.id}).all()
            )

    def conditional_headers(self, url: str) -> dict[str, str]:
        etag, last_modified = self.validators.get(url, (None, None))
        headers = {}
        if etag:
            headers["If-None-Match"] = etag
        if last_modified:
            headers["If-Modified-Since"] = last_modified
        return headers

    def reusable(self, url: str) -> bool:
        """Can a 304 for ``url`` be answered from the previous scan? Only a page it stored
        with a validator was asked conditionally."""
        return self.scan_id is not None and url in self.validators

    def links(self, url: str) -> list[LinkRef]:
        """The page's links as the previous scan stored them, in their order on the page:
        to follow, and to record their targets, as if the page had been parsed again."""
        keys = {"scan": self.scan_id, "url": url}
        if self.engine.dialect.name == "sqlite":
            rows = self._sqlite_links(keys)
        else:
            with self.engine.connect() as connection:
                rows = connection.execute(_LINKS, keys).all()
        return [
            LinkRef(url=target, text=text or "", tag=tag, attr=attr, fragment=fragment)
            for target, text, tag, attr, fragment in rows
        ]

    def _sqlite_links(self, keys: dict[str, Any]) -> list[Any]:
        """One DB-API connection and the compiled query for the whole crawl: a rescan reads
        every page's links, and checking a connection out of the pool and running the
        statement through SQLAlchemy cost more than SQLite's work (a tenth of the crawl).
        A SELECT opens no transaction in Python's sqlite3, so the connection holds no lock
        between pages."""
        if self._raw is None:
            compiled = _LINKS.compile(dialect=self.engine.dialect)
            self._links_sql = compiled.string
            self._links_order = list(compiled.positiontup or ())
            self._raw = self.engine.raw_connection()
        cursor = self._raw.cursor()
        try:
            cursor.execute(self._links_sql, [keys[name] for name in self._links_order])
            return cursor.fetchall()
        finally:
            cursor.close()

    def close(self) -> None:
        if self._raw is not None:
            self._raw.close()
            self._raw = None

    def copies(
        self,
        url: str,
        scan_id: int,
        *,
        depth: int,
        referrer: str | None,
        on_home: bool,
        with_links: bool,
    ) -> list[tuple[Any, dict[str, Any], int, int]]:
        """The ``INSERT … SELECT`` statements (statement, parameters, about how many rows,
        how many findings) that copy the page's row, its page-level records and (``with_links``) its link
        rows into ``scan_id``: SQL copies the rows, they never become Python objects. The
        page row takes this crawl's depth and referrer; a finding is dated now."""
        assert self.scan_id is not None
        keys: dict[str, Any] = {"scan": scan_id, "previous": self.scan_id, "url": url}
        now = utcnow()
        copies: list[tuple[Any, dict[str, Any], int, int]] = [
            (_COPY_PAGE, {**keys, "depth": depth, "referrer": referrer, "now": now}, 1, 0)
        ]
        for records in _RECORDS:
            if url in self.with_records[records.model] and self._runs(records.model):
                if records.model is Finding:
                    found = self.findings_of.get(url, 0)
                    copy = (self._copy_records[Finding], dict(keys, now=now), found, found)
                else:
                    copy = (self._copy_records[records.model], keys, 1, 0)
                copies.append(copy)
        if with_links:
            copies.append((_COPY_LINKS, dict(keys, on_home=on_home), 30, 0))
        return copies

    def _runs(self, model: type) -> bool:
        """Documents come from the documents check's page hook: copied only when it runs."""
        return model is not Document or DOCUMENTS_CHECK in self.checks


def _covering_scan(
    session: Session, site_id: int, scan_id: int, checks: frozenset[str]
) -> Scan | None:
    """The site's newest done scan (other than ``scan_id``) that ran ``checks`` to the end."""
    done = session.exec(
        select(Scan)
        .where(Scan.site_id == site_id, Scan.id != scan_id, Scan.status == ScanStatus.done)
        .order_by(Scan.id.desc())
    )
    return next((scan for scan in done if checks <= checks_ran(scan)), None)


@dataclass(frozen=True)
class _PageRecords:
    """A table of page-level records: which column names the page, which rows are its."""

    model: type
    url_column: str
    only_page_stage: bool = False

    def conditions(self, scan: str = "scan") -> list[Any]:
        table = self.model.__table__
        found = [table.c.scan_id == bindparam(scan)]
        if self.only_page_stage:  # the scan-wide findings are made again after the crawl
            found.append(table.c.stage == "page")
        return found

    def copy(self, finding_checks: list[str] | None = None) -> Any:
        """INSERT … SELECT of the page's rows into another scan (``:scan``), read from
        ``:previous``; a finding is dated ``:now``; ``finding_checks``: only these."""
        table = self.model.__table__
        columns = [c for c in table.columns if not c.primary_key]
        replaced = {"scan_id": bindparam("scan")}
        if self.model is Finding:
            replaced["created_at"] = bindparam("now")
        chosen = core_select(*(replaced.get(c.key, c) for c in columns)).where(
            *self.conditions("previous"), table.c[self.url_column] == bindparam("url")
        )
        if finding_checks is not None:
            # one fixed parameter a check, not IN's expanding list: the writer runs these
            # statements with executemany, which cannot expand a list
            chosen = chosen.where(or_(false(), *(table.c.check == name for name in finding_checks)))
        return insert(table).from_select([c.key for c in columns], chosen)

    def counts(self, finding_checks: list[str] | None = None) -> Any:
        """How many rows each page has (of ``finding_checks`` only, when given)."""
        table = self.model.__table__
        url = table.c[self.url_column]
        counted = core_select(url, func.count()).where(*self.conditions()).group_by(url)
        if finding_checks is not None:
            counted = counted.where(table.c.check.in_(finding_checks))
        return counted

    def pages(self) -> Any:
        url = self.model.__table__.c[self.url_column]
        return select(url).distinct().where(*self.conditions())


_RECORDS = (
    _PageRecords(ListPage, "url"),
    _PageRecords(Document, "url"),
    _PageRecords(Finding, "page", only_page_stage=True),
)
_LINK_TABLE = LinkSource.__table__
_LINKS = (
    select(
        _LINK_TABLE.c.target_url,
        _LINK_TABLE.c.text,
        _LINK_TABLE.c.tag,
        _LINK_TABLE.c.attr,
        _LINK_TABLE.c.fragment,
    )
    .where(_LINK_TABLE.c.scan_id == bindparam("scan"), _LINK_TABLE.c.page_url == bindparam("url"))
    .order_by(_LINK_TABLE.c.id)
)


def _copy_page() -> Any:
    """The page row, re-labelled: this scan, this crawl's depth and referrer, fetched now,
    re-used from the scan it is copied from."""
    table = Page.__table__
    columns = [c for c in table.columns if not c.primary_key]
    replaced = {
        "scan_id": bindparam("scan"),
        "depth": bindparam("depth"),
        "referrer": bindparam("referrer"),
        "fetched_at": bindparam("now"),
        "reused_from_scan": bindparam("previous"),
    }
    chosen = core_select(*(replaced.get(c.key, c) for c in columns)).where(
        table.c.scan_id == bindparam("previous"), table.c.url == bindparam("url")
    )
    return insert(table).from_select([c.key for c in columns], chosen)


def _copy_links() -> Any:
    """The page's link rows in their order (``on_home`` as this crawl saw the page)."""
    columns = [c for c in _LINK_TABLE.columns if not c.primary_key]
    replaced = {"scan_id": bindparam("scan"), "on_home": bindparam("on_home")}
    chosen = (
        core_select(*(replaced.get(c.key, c) for c in columns))
        .where(
            _LINK_TABLE.c.scan_id == bindparam("previous"),
            _LINK_TABLE.c.page_url == bindparam("url"),
        )
        .order_by(_LINK_TABLE.c.id)
    )
    return insert(_LINK_TABLE).from_select([c.key for c in columns], chosen)


_COPY_PAGE = _copy_page()
_COPY_LINKS = _copy_links()
