"""Incremental rescans: conditional requests against the site's last complete scan, and
re-use of its page-level results when a page answers 304 Not Modified."""

from __future__ import annotations

from sqlalchemy.engine import Engine
from sqlmodel import Session, select

from checks.base import LinkRef
from govpatrol import RULES_VERSION
from govpatrol.models import Document, Finding, LinkSource, ListPage, Page, Scan, ScanStatus


class PreviousScan:
    """What the last ``done`` scan of the site, made by the same rules, knew about each page."""

    def __init__(self, engine: Engine, site_id: int, scan_id: int) -> None:
        self.engine = engine
        self.scan_id: int | None = None
        # url -> (etag, last_modified); only pages that carried a validator are worth asking about
        self.validators: dict[str, tuple[str | None, str | None]] = {}
        with Session(engine) as session:
            previous = session.exec(
                select(Scan)
                .where(Scan.site_id == site_id, Scan.id != scan_id, Scan.status == ScanStatus.done)
                .order_by(Scan.id.desc())
            ).first()
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

    def conditional_headers(self, url: str) -> dict[str, str]:
        etag, last_modified = self.validators.get(url, (None, None))
        headers = {}
        if etag:
            headers["If-None-Match"] = etag
        if last_modified:
            headers["If-Modified-Since"] = last_modified
        return headers

    def copy_page(self, url: str, scan_id: int) -> tuple[Page, list[object], list[LinkRef]] | None:
        """The previous scan's page row, its page-level records re-labelled for ``scan_id``,
        and its links (to store and follow as if the page had been parsed again)."""
        if self.scan_id is None:
            return None
        with Session(self.engine) as session:
            old = session.exec(
                select(Page).where(Page.scan_id == self.scan_id, Page.url == url)
            ).first()
            if old is None:
                return None
            page = Page(
                **old.model_dump(exclude={"id", "scan_id", "fetched_at", "reused_from_scan"}),
                scan_id=scan_id,
                reused_from_scan=self.scan_id,
            )
            records: list[object] = []
            for model in (ListPage, Document):
                for row in session.exec(
                    select(model).where(model.scan_id == self.scan_id, model.url == url)
                ):
                    records.append(
                        model(**row.model_dump(exclude={"id", "scan_id"}), scan_id=scan_id)
                    )
            findings = session.exec(
                select(Finding).where(
                    Finding.scan_id == self.scan_id, Finding.page == url, Finding.stage == "page"
                )
            )
            for row in findings:
                records.append(
                    Finding(
                        **row.model_dump(exclude={"id", "scan_id", "created_at"}), scan_id=scan_id
                    )
                )
            # plain column tuples: a page has dozens of links, and ORM objects for them cost
            # more than parsing the page again would
            links = [
                LinkRef(url=target, text=text or "", tag=tag, attr=attr, fragment=fragment)
                for target, text, tag, attr, fragment in session.execute(
                    select(
                        LinkSource.target_url,
                        LinkSource.text,
                        LinkSource.tag,
                        LinkSource.attr,
                        LinkSource.fragment,
                    )
                    .where(LinkSource.scan_id == self.scan_id, LinkSource.page_url == url)
                    .order_by(LinkSource.id)
                )
            ]
        return page, records, links
