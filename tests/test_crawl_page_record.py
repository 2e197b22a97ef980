"""The spider's page row (``crawler.page_record.PageRecord``) against the ``page`` table it
is written to: the same columns with the same defaults, so a column added to ``Page`` and
not to the record fails here, not as a crawl whose rows the writer refuses."""

from __future__ import annotations

import dataclasses
import datetime as dt

from sqlmodel import Session

from crawler.page_meta import PAGE_META_KEYS, page_arguments, page_meta
from crawler.page_record import PageRecord
from govpatrol.core.db import get_engine
from govpatrol.core.models import Page, Scan, Site
from govpatrol.core.writer import BatchWriter, column_values


def test_record_has_the_page_columns_and_defaults() -> None:
    columns = {c.key for c in Page.__table__.columns if not c.primary_key}
    assert set(PageRecord.__dataclass_fields__) == columns
    record = PageRecord(scan_id=7, url="http://x/")
    row = Page(scan_id=7, url="http://x/")
    record_values = record.values()
    page_values = column_values(row)
    # the two were made at different instants
    assert isinstance(record_values.pop("fetched_at"), dt.datetime)
    page_values.pop("fetched_at")
    assert record_values == page_values


def test_record_is_written_as_the_page_row_was(tmp_path) -> None:
    engine = get_engine(f"sqlite:///{tmp_path / 'store.db'}")
    with Session(engine) as session:
        site = Site(name="s", url="http://x/")
        session.add(site)
        session.commit()
        scan = Scan(site_id=site.id)
        session.add(scan)
        session.commit()
        scan_id = scan.id
    fields = {
        "final_url": "http://x/a",
        "status": 200,
        "content_type": "text/html",
        "encoding": "utf-8",
        "title": "标题",
        "depth": 2,
        "referrer": "http://x/",
        "bytes": 1234,
        "elapsed_ms": 3.5,
        "content_hash": "h",
        "template_key": "t",
        "kind": "article",
        "etag": '"e"',
        "last_modified": "Mon, 07 Dec 2026 00:00:00 GMT",
        "anchors": ["top", "注释"],
    }
    record = PageRecord(scan_id=scan_id, url="http://x/a", **fields)
    writer = BatchWriter(engine, scan_id, "http://x/")
    writer.add_row(Page, record.values())
    writer.add(Page(scan_id=scan_id, url="http://x/b", **fields, fetched_at=record.fetched_at))
    writer.close()
    with engine.connect() as connection:
        rows = connection.execute(Page.__table__.select().order_by(Page.__table__.c.url)).all()
    assert [row.url for row in rows] == ["http://x/a", "http://x/b"]
    first, second = (row._asdict() for row in rows)
    for row in (first, second):
        row.pop("id"), row.pop("url")
    assert first == second
    assert first["anchors"] == ["top", "注释"]
    assert dataclasses.replace(record, kind="redirect").fetched_at == record.fetched_at


def test_a_page_request_meta_and_its_arguments_are_one_mapping_both_ways() -> None:
    arguments = {
        "url": "http://www.x.gov.cn/a.html",
        "depth": 2,
        "referrer": "http://www.x.gov.cn/",
        "nav_text": "新闻",
        "chain": 1,
        "is_home": False,
    }
    meta = page_meta(**arguments)
    assert page_arguments(meta) == arguments
    assert {*meta, "depth"} == PAGE_META_KEYS
