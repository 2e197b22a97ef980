"""The crawl's writer (govpatrol/core/writer.py) committing in a thread of its own, with the
copies a rescan makes (INSERT … SELECT of a page's rows from the previous scan), on a real
SQLite file."""

from __future__ import annotations

import datetime as dt

import pytest
from sqlalchemy import bindparam, insert, select
from sqlmodel import Session, func

from govpatrol.core.db import make_engine
from govpatrol.core.models import Finding, LinkSource, Page, Scan, ScanStatus, Site, utcnow
from govpatrol.core.types import FindingData
from govpatrol.core.writer import BatchWriter

SITE = "http://127.0.0.1:1/"


def _store(tmp_path) -> tuple:
    from govpatrol.core.db import init_db

    engine = make_engine(f"sqlite:///{tmp_path / 'w.db'}")
    init_db(engine)
    with Session(engine) as session:
        site = Site(name="t", url=SITE)
        session.add(site)
        session.commit()
        scans = [Scan(site_id=site.id, as_of=dt.date(2026, 11, 22), status=ScanStatus.running)]
        scans.append(Scan(site_id=site.id, as_of=dt.date(2026, 11, 22), status=ScanStatus.running))
        session.add_all(scans)
        session.commit()
        return engine, scans[0].id, scans[1].id


def _copy_findings():
    table = Finding.__table__
    columns = [c for c in table.columns if not c.primary_key]
    replaced = {"scan_id": bindparam("scan"), "created_at": bindparam("now")}
    chosen = select(*(replaced.get(c.key, c) for c in columns)).where(
        table.c.scan_id == bindparam("previous"), table.c.page == bindparam("url")
    )
    return insert(table).from_select([c.key for c in columns], chosen)


def _count(engine, model, scan_id: int) -> int:
    with Session(engine) as session:
        counted = select(func.count()).select_from(model).where(model.scan_id == scan_id)
        return session.execute(counted).scalar_one()


def test_a_background_writer_commits_rows_and_copies_in_order(tmp_path) -> None:
    engine, first, second = _store(tmp_path)
    pages = [f"{SITE}p{i}.html" for i in range(20)]
    sync = BatchWriter(engine, first, SITE)
    for url in pages:
        sync.add(Page(scan_id=first, url=url, status=200))
        sync.add(FindingData(check="c", page=url, message="m"))
    sync.flush()

    writer = BatchWriter(engine, second, SITE, batch_size=5, background=True)
    copy = _copy_findings()
    for url in pages:
        writer.add(Page(scan_id=second, url=url, status=200))
        params = {"scan": second, "previous": first, "url": url, "now": utcnow()}
        writer.add_copy(copy, params)
        writer.add_row(
            LinkSource,
            {
                "scan_id": second,
                "page_url": url,
                "target_url": SITE,
                "fragment": None,
                "text": None,
                "tag": "a",
                "attr": "href",
                "on_home": False,
            },
        )
    writer.flush(wait=True)
    # everything handed over is committed once flush(wait=True) returns
    assert _count(engine, Page, second) == 20
    assert _count(engine, Finding, second) == 20
    assert _count(engine, LinkSource, second) == 20
    assert writer.findings == 20  # the copied ones count as findings
    writer.close()
    assert not any(t.name == "govpatrol-writer" and t.is_alive() for t in _threads())


def test_a_failed_background_commit_is_raised_and_keeps_what_was_committed(tmp_path) -> None:
    engine, first, _ = _store(tmp_path)
    writer = BatchWriter(engine, first, SITE, batch_size=10**9, max_wait_s=1e9, background=True)
    writer.add(Page(scan_id=first, url=f"{SITE}a.html", status=200))
    writer.flush(wait=True)
    # a page of a scan that does not exist: the foreign key refuses the batch
    writer.add(Page(scan_id=first + 99, url=f"{SITE}b.html", status=200))
    writer.flush()
    with pytest.raises(RuntimeError, match="writing the scan's rows failed"):
        writer.close()
    assert _count(engine, Page, first) == 1


def _threads():
    import threading

    return threading.enumerate()
