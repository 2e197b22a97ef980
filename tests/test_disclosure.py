"""late_disclosure: 成文日期 to 发布日期 in working days, on a real store and on the sample portal."""

from __future__ import annotations

import datetime as dt
from pathlib import Path

import pytest
from sqlmodel import Session

from checks.disclosure import DisclosureCheck, lateness
from govpatrol.core.db import init_db, make_engine
from govpatrol.core.models import Document, Scan, Site
from govpatrol.core.settings import Thresholds
from govpatrol.core.types import SiteContext
from govpatrol.core.workdays import working_days_between
from reports.messages import finding_message
from tests.conftest import AS_OF
from tests.test_interaction import PortalScan, scan_sample_portal

D = dt.date


def doc(written: D | None, published: D | None, source: str | None = "label") -> Document:
    return Document(scan_id=1, url="http://127.0.0.1:9/a.html", title="某市某某办法",
                    written_date=written, published_date=published,
                    extra={"published_source": source})  # fmt: skip


def test_twenty_working_days_is_on_time_twenty_one_is_late() -> None:
    written = D(2026, 3, 2)  # a Monday
    on_time = D(2026, 3, 30)  # 20 working days later
    assert working_days_between(written, on_time) == (20, False)
    assert lateness(doc(written, on_time), 20) is None
    late = lateness(doc(written, D(2026, 3, 31)), 20)
    assert late is not None and late["working_days"] == 21 and late["calendar_days"] == 29


def test_holidays_are_not_working_days() -> None:
    # 2025-09-26 → 2025-10-24: 28 calendar days across 国庆 (1–8 October off; 28 September and
    # 11 October are make-up working days) are 16 working days: on time.
    written, published = D(2025, 9, 26), D(2025, 10, 24)
    assert working_days_between(written, published) == (16, False)
    assert lateness(doc(written, published), 20) is None


def test_what_is_not_judged() -> None:
    assert lateness(doc(D(1981, 5, 1), D(2018, 3, 1)), 20) is None  # before the 条例
    assert lateness(doc(D(2026, 1, 5), D(2026, 6, 1), "meta"), 20) is None  # meta-tag date
    assert lateness(doc(D(2026, 6, 1), D(2026, 1, 5)), 20) is None  # published before written
    assert lateness(doc(None, D(2026, 6, 1)), 20) is None
    assert lateness(doc(D(2026, 1, 5), D(2026, 6, 1), "info_line"), 20) is not None


def test_a_document_published_years_later_is_left_to_a_person() -> None:
    # a 2015 document in a policy library built in 2018: re-published, not late by 3 years
    republished = lateness(doc(D(2015, 6, 1), D(2018, 12, 3)), 20)
    assert republished is not None and republished["needs_review"]
    late = lateness(doc(D(2026, 1, 5), D(2026, 6, 1)), 20)
    assert late is not None and "needs_review" not in late
    # the English message says why, as the Chinese one does
    said = "".join(text for text, _ in finding_message("late_disclosure", republished, "", "en"))
    assert "published again" in said
    plain = "".join(text for text, _ in finding_message("late_disclosure", late, "", "en"))
    assert "published again" not in plain


def test_site_hook_uses_the_sites_threshold(tmp_path: Path) -> None:
    engine = make_engine(f"sqlite:///{tmp_path / 'store.db'}")
    init_db(engine)
    with Session(engine, expire_on_commit=False) as session:
        site = Site(name="某市民政局", url="http://127.0.0.1:9/")
        session.add(site)
        session.commit()
        scan = Scan(site_id=site.id, as_of=AS_OF)
        session.add(scan)
        session.commit()
        rows = {"/late.html": (D(2026, 3, 2), D(2026, 4, 20)), "/ok.html": (D(2026, 3, 2), D(2026, 3, 5)),
                "/nodate.html": (None, D(2026, 3, 5))}  # fmt: skip
        for path, (written, published) in rows.items():
            session.add(Document(scan_id=scan.id, url="http://127.0.0.1:9" + path, written_date=written,
                                 published_date=published, extra={"published_source": "label"}))  # fmt: skip
        session.commit()
        ctx = SiteContext(scan_id=scan.id, site_id=site.id, site_url=site.url, site_name=site.name,
                          as_of=AS_OF, session=session)  # fmt: skip
        [finding] = list(DisclosureCheck().on_site(ctx))
        assert finding.page.endswith("/late.html") and finding.detail["reason"] == "published_late"
        assert (
            finding.detail["max_working_days"] == 20 and finding.severity is None
        )  # low: the spec's default
        ctx.thresholds = Thresholds(late_disclosure_working_days=40)
        assert list(DisclosureCheck().on_site(ctx)) == []


@pytest.fixture(scope="module")
def portal_scan(tmp_path_factory: pytest.TempPathFactory) -> PortalScan:
    return scan_sample_portal(tmp_path_factory.getbasetemp())


def test_sample_portal_precision_and_recall(portal_scan: PortalScan) -> None:
    check = "late_disclosure"
    assert portal_scan.produced(check) == portal_scan.expected(check)
    [finding] = [f for f in portal_scan.findings if f.check == check]
    [truth_doc] = [d for d in portal_scan.truth.documents if d.case == "late_disclosure"]
    assert finding.detail["written_date"] == truth_doc.written_date
    assert finding.detail["published_date"] == truth_doc.published_date
    assert finding.detail["working_days"] > 20 and finding.severity == "low"
