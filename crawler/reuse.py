"""Incremental rescans: conditional requests against the site's last complete scan, and
re-use of its page-level results when a page answers 304 Not Modified.

Only results of the checks the new scan runs are re-used: an ``--only links`` rescan copies
no accessibility finding of an unchanged page, since it never checked accessibility. And they
come only from a scan that ran those checks to the end (for a full scan: a complete one), so
a page re-used from an ``--only`` scan never loses the findings of checks that scan skipped."""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any

from sqlalchemy import bindparam
from sqlalchemy.engine import Engine
from sqlmodel import Session, select

from govpatrol import RULES_VERSION
from govpatrol.core.completeness import check_of, checks_ran
from govpatrol.core.findings import check_names
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

    def conditional_headers(self, url: str) -> dict[str, str]:
        etag, last_modified = self.validators.get(url, (None, None))
        headers = {}
        if etag:
            headers["If-None-Match"] = etag
        if last_modified:
            headers["If-Modified-Since"] = last_modified
        return headers

    def copy_page(self, url: str, scan_id: int) -> ReusedPage | None:
        """The previous scan's page row, its page-level records re-labelled for ``scan_id``,
        and its links (to store and follow as if the page had been parsed again)."""
        if self.scan_id is None:
            return None
        # Core statements and plain rows: on a rescan every page of the site comes through
        # here, and the ORM's per-object bookkeeping cost more than parsing the page again
        keys = {"scan": self.scan_id, "url": url}
        with self.engine.connect() as connection:
            old = connection.execute(_PAGE, keys).mappings().first()
            if old is None:
                return None
            values = dict(old, scan_id=scan_id, reused_from_scan=self.scan_id)
            del values["id"], values["fetched_at"]
            page = Page(**values)
            rows: list[tuple[type, dict[str, Any]]] = []
            now = utcnow()
            for model, statement in _RECORD_STATEMENTS:
                if url not in self.with_records[model] or not self._runs(model):
                    continue
                for row in connection.execute(statement, keys).mappings():
                    if (
                        model is Finding
                        and self.limited
                        and check_of(row["check"]) not in self.checks
                    ):
                        continue  # a check this scan does not run: not re-checked, not copied
                    copied = dict(row, scan_id=scan_id)
                    del copied["id"]
                    if model is Finding:
                        copied["created_at"] = now
                    rows.append((model, copied))
            links = [
                LinkRef(url=target, text=text or "", tag=tag, attr=attr, fragment=fragment)
                for target, text, tag, attr, fragment in connection.execute(_LINKS, keys)
            ]
        return ReusedPage(page, rows, links)

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


@dataclass
class ReusedPage:
    """A page answered 304: its row, its page-level records as store rows (model class and
    column values), and its links."""

    page: Page
    rows: list[tuple[type, dict[str, Any]]]
    links: list[LinkRef]


@dataclass(frozen=True)
class _PageRecords:
    """A table of page-level records: which column names the page, which rows are its."""

    model: type
    url_column: str
    only_page_stage: bool = False

    def conditions(self) -> list[Any]:
        table = self.model.__table__
        found = [table.c.scan_id == bindparam("scan")]
        if self.only_page_stage:  # the scan-wide findings are made again after the crawl
            found.append(table.c.stage == "page")
        return found

    def of_page(self) -> Any:
        url = self.model.__table__.c[self.url_column]
        return select(self.model.__table__).where(*self.conditions(), url == bindparam("url"))

    def pages(self) -> Any:
        url = self.model.__table__.c[self.url_column]
        return select(url).distinct().where(*self.conditions())


_PAGE = _PageRecords(Page, "url").of_page()
_RECORDS = (
    _PageRecords(ListPage, "url"),
    _PageRecords(Document, "url"),
    _PageRecords(Finding, "page", only_page_stage=True),
)
_RECORD_STATEMENTS = [(records.model, records.of_page()) for records in _RECORDS]
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
