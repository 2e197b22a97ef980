"""Which pages the browser audits: each column's first list page comes from the column rows
of the list check, never from the bookkeeping rows other checks keep in the same table."""

from __future__ import annotations

import datetime as dt
from pathlib import Path

from sqlmodel import Session

from checks.a11y_sample import choose_sample
from govpatrol.core.db import init_db, make_engine
from govpatrol.core.models import ListPage, Page, Scan, Site
from govpatrol.core.types import SiteContext

SITE = "http://127.0.0.1:9/"
# keys of rows that name no column: every check's bookkeeping starts with "__"
BOOKKEEPING = ("__identity__", "__injection__", "__pagetext__", "__messages__", "__home__", "__x__")


def sample_of(tmp_path: Path, list_rows: list[tuple[str, str]]) -> dict[str, list[str]]:
    engine = make_engine(f"sqlite:///{tmp_path / 'store.db'}")
    init_db(engine)
    urls = [SITE, *(f"{SITE}{name}" for name in ("a", "a/index_1.html", "b/x.html", "c"))]
    with Session(engine, expire_on_commit=False) as session:
        site = Site(name="示例", url=SITE)
        session.add(site)
        session.commit()
        scan = Scan(site_id=site.id)
        session.add(scan)
        session.commit()
        for depth, url in enumerate(urls):
            kind = "home" if url == SITE else "list" if url.endswith("/a") else "article"
            session.add(
                Page(
                    scan_id=scan.id,
                    url=url,
                    status=200,
                    content_type="text/html",
                    kind=kind,
                    depth=min(depth, 1),
                    template_key=f"t{depth}",
                    content_hash=f"h{depth}",
                )
            )
        for key, url in list_rows:
            session.add(ListPage(scan_id=scan.id, url=SITE + url, column_key=key, name=key))
        session.commit()
        pages = list(session.exec(Page.__table__.select()).all())  # type: ignore[attr-defined]
        ctx = SiteContext(
            scan_id=scan.id,
            site_id=site.id,
            site_url=SITE,
            site_name="示例",
            as_of=dt.date(2026, 11, 22),
            session=session,
            scan=scan,
            site=site,
        )
        rows = [session.get(Page, row.id) for row in pages]
        sample = choose_sample(ctx, [p for p in rows if p is not None])
    engine.dispose()
    return {s.url.removeprefix(SITE): s.reasons for s in sample}


def test_bookkeeping_rows_are_no_columns(tmp_path: Path) -> None:
    rows = [("col1", "a/index_1.html"), ("col1", "a")]
    # every bookkeeping row sits on a page with a shorter URL than the column's, and on
    # pages no column lists: none of them may be taken for a column's first page
    rows += [(key, "c") for key in BOOKKEEPING] + [(key, "b/x.html") for key in BOOKKEEPING]
    sample = sample_of(tmp_path, rows)
    columns = sorted(url for url, reasons in sample.items() if "column" in reasons)
    assert columns == ["a"]


def test_only_bookkeeping_rows_fall_back_to_list_pages(tmp_path: Path) -> None:
    sample = sample_of(tmp_path, [(key, "c") for key in BOOKKEEPING])
    columns = sorted(url for url, reasons in sample.items() if "column" in reasons)
    assert columns == ["a"]  # the Page rows of kind "list", as when no column was read
