"""The crawl's writer (govpatrol/core/writer.py) committing in a thread of its own, with the
copies a rescan makes (INSERT … SELECT of a page's rows from the previous scan), on a real
SQLite file."""

from __future__ import annotations

import datetime as dt
from collections.abc import Iterator

import pytest
from sqlalchemy import bindparam, insert, select
from sqlmodel import Session, func
from sqlmodel import select as sql_select

from crawler.reuse import PreviousScan
from govpatrol.core.db import make_engine
from govpatrol.core.models import Finding, LinkSource, Page, Scan, ScanStatus, Site, utcnow
from govpatrol.core.types import FindingData
from govpatrol.core.writer import BatchWriter, finding_row

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
        writer.add_copy(copy, params, findings=1)
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


@pytest.fixture(params=["sqlite", "postgres"])
def store_url(request, tmp_path) -> Iterator[str]:
    if request.param == "sqlite":
        yield f"sqlite:///{tmp_path / 'r.db'}"
        return
    from tests.pg import fresh_database

    yield from fresh_database()


def test_a_304_pages_rows_are_copied_in_sql_on_either_store(store_url: str) -> None:
    """PreviousScan.copies run through the background writer: the page row (with the new
    depth and referrer), its page finding (not the site-stage one) and its links in their
    order, on SQLite and on PostgreSQL."""
    from govpatrol import RULES_VERSION
    from govpatrol.core.db import get_engine
    from govpatrol.core.types import LinkRef

    engine = get_engine(store_url)
    url = f"{SITE}a.html"
    with Session(engine) as session:
        site = Site(name="t", url=SITE)
        session.add(site)
        session.commit()
        old = Scan(
            site_id=site.id,
            as_of=dt.date(2026, 11, 22),
            status=ScanStatus.done,
            stats={"rules_version": RULES_VERSION},
        )
        new = Scan(site_id=site.id, as_of=dt.date(2026, 11, 22), status=ScanStatus.running)
        session.add_all([old, new])
        session.commit()
        site_id, first, second = site.id, old.id, new.id
    writer = BatchWriter(engine, first, SITE, finding_stage="page")
    writer.add(
        Page(scan_id=first, url=url, status=200, etag='"1"', depth=3, title="甲", kind="article")
    )
    writer.add(FindingData(check="c", page=url, message="页面的"))
    writer.add(
        finding_row(
            FindingData(check="c", page=url, message="站点的"), scan_id=first, site_url=SITE
        )
    )
    targets = [f"{SITE}t{i}.html" for i in (3, 1, 2)]
    for target in targets:
        writer.add(LinkSource(scan_id=first, page_url=url, target_url=target, text="链接"))
    writer.flush()

    previous = PreviousScan(engine, site_id, second)
    try:
        assert previous.scan_id == first and previous.reusable(url)
        assert [link.url for link in previous.links(url)] == targets
        assert previous.links(url)[0] == LinkRef(url=targets[0], text="链接")
        copier = BatchWriter(engine, second, SITE, background=True)
        copies = previous.copies(
            url, second, depth=1, referrer=SITE, on_home=False, with_links=True
        )
        for statement, params, weight, findings in copies:
            copier.add_copy(statement, params, weight=weight, findings=findings)
        copier.close()
    finally:
        previous.close()
    with Session(engine) as session:
        page = session.exec(sql_select(Page).where(Page.scan_id == second)).one()
        findings = session.exec(sql_select(Finding).where(Finding.scan_id == second)).all()
        links = session.exec(
            sql_select(LinkSource).where(LinkSource.scan_id == second).order_by(LinkSource.id)
        ).all()
    assert (page.url, page.depth, page.referrer, page.title) == (url, 1, SITE, "甲")
    assert page.reused_from_scan == first and page.etag == '"1"'
    assert [f.message for f in findings] == ["页面的"]  # the site-stage one is made again
    assert copier.findings == 1
    assert [link.target_url for link in links] == targets
