"""The store: schema through migrations, WAL mode, batched writes round-trip."""

import datetime as dt

from sqlalchemy import text
from sqlmodel import Session, select

from govpatrol.core.db import init_db, make_engine
from govpatrol.core.models import Finding, LinkSource, Org, Page, Scan, ScanStatus, Site
from govpatrol.core.types import FindingData
from govpatrol.core.writer import BatchWriter


def test_sqlite_wal_and_migrations_are_idempotent(tmp_path):
    engine = make_engine(f"sqlite:///{tmp_path / 'g.db'}")
    init_db(engine)
    init_db(engine)  # a second run is a no-op, not an error
    with engine.connect() as connection:
        assert connection.execute(text("PRAGMA journal_mode")).scalar() == "wal"
        version = connection.execute(text("select version_num from alembic_version")).scalar()
    assert version == "0006_heal"


def test_round_trip_with_org_hierarchy_and_batched_rows(tmp_path):
    engine = make_engine(f"sqlite:///{tmp_path / 'g.db'}")
    init_db(engine)
    with Session(engine) as session:
        parent = Org(name="某市人民政府")
        session.add(parent)
        session.commit()
        child = Org(name="某市民政局", parent_id=parent.id)
        session.add(child)
        session.commit()
        site = Site(
            name="民政局",
            url="http://127.0.0.1:1/",
            org_id=child.id,
            config={"thresholds": {"max_pages": 5}},
        )
        session.add(site)
        session.commit()
        scan = Scan(site_id=site.id, as_of=dt.date(2026, 11, 22), status=ScanStatus.running)
        session.add(scan)
        session.commit()
        scan_id, site_id = scan.id, site.id

    writer = BatchWriter(engine, scan_id, "http://127.0.0.1:1/", batch_size=3)
    for i in range(7):
        writer.add(
            Page(scan_id=scan_id, url=f"http://127.0.0.1:1/p{i}.html", title=f"第{i}页", status=200)
        )
        writer.add(
            LinkSource(
                scan_id=scan_id,
                page_url="http://127.0.0.1:1/",
                target_url=f"http://127.0.0.1:1/p{i}.html",
                text="链接",
            )
        )
    writer.add(
        FindingData(
            check="unregistered_check",
            page="http://127.0.0.1:1/",
            target="http://127.0.0.1:1/x",
            message="404",
            detail={"status": 404},
        )
    )
    assert writer.written > 0  # batches were committed before the end
    writer.flush()

    with Session(engine) as session:
        pages = session.exec(select(Page).where(Page.scan_id == scan_id).order_by(Page.url)).all()
        assert [p.title for p in pages] == [f"第{i}页" for i in range(7)]
        assert len(session.exec(select(LinkSource).where(LinkSource.scan_id == scan_id)).all()) == 7
        finding = session.exec(select(Finding)).one()
        assert finding.detail == {"status": 404}
        assert finding.severity == "medium"  # an id no spec names: the default
        again = FindingData(
            check="unregistered_check",
            page="http://127.0.0.1:1/",
            target="http://127.0.0.1:1/x",
            message="changed text",
        )
        assert finding.fingerprint == again.fingerprint("http://127.0.0.1:1/")
        site = session.get(Site, site_id)
        assert site.config["thresholds"]["max_pages"] == 5
        assert session.get(Org, session.get(Org, site.org_id).parent_id).name == "某市人民政府"


def test_migrations_match_the_models(tmp_path):
    """A model change without a migration fails here, not on a user's upgrade."""
    from alembic.autogenerate import compare_metadata
    from alembic.migration import MigrationContext
    from sqlmodel import SQLModel

    from govpatrol.core.db import include_object

    engine = make_engine(f"sqlite:///{tmp_path / 'g.db'}")
    init_db(engine)
    with engine.connect() as connection:
        context = MigrationContext.configure(connection, opts={"include_object": include_object})
        diff = compare_metadata(context, SQLModel.metadata)
    assert diff == []


def test_scans_stored_before_completeness_was_recorded_read_sensibly(tmp_path):
    """Migration 0004 on a store with history: a done scan without --only stays the site's
    official result; an --only, partial or failed scan never becomes it."""
    from alembic import command
    from alembic.config import Config

    from govpatrol.core.db import MIGRATIONS_DIR
    from scoring.scans import official_scan, previous_scan

    engine = make_engine(f"sqlite:///{tmp_path / 'old.db'}")
    cfg = Config()
    cfg.set_main_option("script_location", str(MIGRATIONS_DIR))
    with engine.begin() as connection:
        cfg.attributes["connection"] = connection
        command.upgrade(cfg, "0002")
        connection.execute(text("insert into site (id, name, url, is_portal, is_government, "
                                "extra_hosts, path_prefix, config, active, created_at) values "
                                "(1, '旧站', 'http://127.0.0.1:9/', 0, 0, '[]', '/', '{}', 1, "
                                "'2026-11-01 00:00:00')"))  # fmt: skip
        scans = [
            (1, "done", "{}"),
            (2, "done", '{"checks": ["links"]}'),
            (3, "partial", "{}"),
            (4, "failed", "{}"),
        ]
        for scan_id, status, options in scans:
            connection.execute(
                text(
                    "insert into scan (id, site_id, trigger, status, created_at, options, stats) "
                    "values (:id, 1, 'manual', :status, '2026-11-01 00:00:00', :options, '{}')"
                ),
                {"id": scan_id, "status": status, "options": options},
            )
    init_db(engine)
    with Session(engine) as session:
        complete = {s.id: s.complete for s in session.exec(select(Scan))}
        assert complete == {1: True, 2: False, 3: False, 4: False}
        assert official_scan(session, 1).id == 1
        assert previous_scan(session, session.get(Scan, 4)).id == 1
