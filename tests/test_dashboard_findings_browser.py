"""The dashboard in real Chromium over a real scan of the sample portal: findings first things
first (a fired veto, then severity, then check), evidence folded behind a toggle that works
without JavaScript, a triage control that starts on no choice, and a schedule set with the
weekday-and-time picker and read back in words."""

from __future__ import annotations

import re
from collections.abc import Iterator

import pytest
from playwright.sync_api import Browser, Page, expect
from sqlmodel import Session, select

from dashboard.app import create_app
from dashboard.server import BackgroundServer
from govpatrol.core.auth import create_user
from govpatrol.core.db import get_engine
from govpatrol.core.findings import VETO_INDICATORS
from govpatrol.core.models import Finding, FindingState, Scan, Site
from scheduler.dispatch import LocalDispatcher
from scoring.scorer import indicator_of
from tests.test_interaction import PortalScan, scan_sample_portal

pytestmark = pytest.mark.browser

PASSWORD = "findings-pass-1"
SEVERITY = {"high": 0, "medium": 1, "low": 2}


@pytest.fixture(scope="module")
def scanned(tmp_path_factory: pytest.TempPathFactory) -> PortalScan:
    return scan_sample_portal(tmp_path_factory.getbasetemp())


@pytest.fixture(scope="module")
def dashboard(scanned: PortalScan) -> Iterator[str]:
    with Session(get_engine(scanned.db_url), expire_on_commit=False) as session:
        if session.exec(select(Site)).first() is not None:
            create_user(session, "findings_admin", PASSWORD, "admin")
    # Nothing is scanned here: the dispatcher only has to exist for the app.
    dispatcher = LocalDispatcher(pool_size=1, db_url=scanned.db_url)
    app = create_app(scanned.db_url, secret_key="f" * 48, dispatch=dispatcher.submit)
    try:
        with BackgroundServer(app) as server:
            yield server.url
    finally:
        dispatcher.shutdown(wait=True)


@pytest.fixture
def admin(browser: Browser, dashboard: str) -> Iterator[Page]:
    # JavaScript off: every control here must work as plain HTML.
    context = browser.new_context(base_url=dashboard, java_script_enabled=False)
    page = context.new_page()
    page.set_default_timeout(15_000)
    page.goto("/login")
    page.fill("input[name=username]", "findings_admin")
    page.fill("input[name=password]", PASSWORD)
    page.click("button[type=submit]")
    expect(page).to_have_url(re.compile(r"/sites$"))
    yield page
    context.close()


def _rank(finding: Finding, fired: set[str]) -> tuple[int, int]:
    indicator = indicator_of(finding.check)
    veto = 0 if indicator in fired else 1 if indicator in VETO_INDICATORS else 2
    return veto, SEVERITY.get(finding.severity, 3)


def test_findings_come_veto_first_then_by_severity(admin: Page, scanned: PortalScan) -> None:
    with Session(get_engine(scanned.db_url)) as session:
        scan = session.get(Scan, scanned.scan_id)
        fired = set((scan.score or {}).get("vetoes") or ())
        by_id = {f.id: f for f in session.exec(select(Finding).where(Finding.scan_id == scan.id))}
    assert fired, "the sample portal fires a veto"
    admin.goto(f"/scans/{scanned.scan_id}")
    ids = [int(i) for i in admin.locator("#findings tbody tr").evaluate_all(
        "rows => rows.map(r => r.dataset.findingId)")]  # fmt: skip
    assert len(ids) == min(100, len(by_id))
    shown = [by_id[i] for i in ids]
    keys = [(*_rank(f, fired), f.check) for f in shown]
    assert keys == sorted(keys)
    assert indicator_of(shown[0].check) in fired  # the veto leads
    assert {_rank(f, fired)[1] for f in shown} >= {0, 1}  # several severities, in order


def test_evidence_is_folded_behind_a_toggle(admin: Page, scanned: PortalScan) -> None:
    admin.goto(f"/scans/{scanned.scan_id}")
    row = admin.locator("#findings tbody tr").first
    toggle = row.locator("td.evidence details")
    expect(toggle).to_have_count(1)
    expect(toggle).not_to_have_attribute("open", "")
    first_item = toggle.locator("div").first
    expect(first_item).to_be_hidden()
    toggle.locator("summary").click()
    expect(first_item).to_be_visible()
    # in words: no internal key, no raw dict
    text = toggle.inner_text()
    assert "{" not in text and "error_text" not in text and "column_key" not in text


def test_findings_read_in_english(admin: Page, scanned: PortalScan) -> None:
    """Messages and evidence in English; only text quoted from the pages stays Chinese."""
    admin.goto(f"/scans/{scanned.scan_id}?lang=en")
    own = admin.locator("#findings").evaluate(
        """table => { const copy = table.cloneNode(true);
           copy.querySelectorAll('.quoted, a, select, td.urls').forEach(e => e.remove());
           return copy.textContent; }"""
    )
    assert "Evidence (" in own
    assert not re.search(r"[\u3400-\u9fff]", own), re.findall(
        r".{0,30}[\u3400-\u9fff].{0,30}", own
    )[:5]


def test_triage_starts_on_no_choice_and_saves_only_a_choice(
    admin: Page, scanned: PortalScan
) -> None:
    admin.goto(f"/scans/{scanned.scan_id}")
    selects = admin.locator("form.triage select[name=state]")
    assert selects.count() > 0
    values = selects.evaluate_all("els => els.map(e => [e.value, e.selectedOptions[0].disabled])")
    assert all(v == ["", True] for v in values)  # nothing pre-selected
    row = admin.locator("#findings tbody tr").first
    finding_id = int(row.get_attribute("data-finding-id") or 0)
    # Sending without a choice is refused by the form itself, and by the server.
    row.locator("form.triage button").click()
    expect(admin.locator(".flash")).to_have_count(0)
    with Session(get_engine(scanned.db_url)) as session:
        fingerprint = session.get(Finding, finding_id).fingerprint
        assert (
            session.exec(
                select(FindingState).where(FindingState.fingerprint == fingerprint)
            ).first()
            is None
        )
    row.locator("select[name=state]").select_option("acknowledged")
    row.locator("form.triage button").click()
    expect(admin.locator(".flash.ok")).to_contain_text("已保存")
    row = admin.locator(f'#findings tr[data-finding-id="{finding_id}"]')
    expect(row).to_contain_text("已确认")
    # The mark is shown as the row's state; the control starts on no choice again.
    assert row.locator("select[name=state]").evaluate("e => e.value") == ""
    row.locator("select[name=state]").select_option("clear")
    row.locator("form.triage button").click()
    expect(admin.locator(".flash.ok")).to_contain_text("已保存")
    with Session(get_engine(scanned.db_url)) as session:
        assert (
            session.exec(
                select(FindingState).where(FindingState.fingerprint == fingerprint)
            ).first()
            is None
        )


def test_schedule_picked_by_weekday_and_time_reads_back_in_words(
    admin: Page, scanned: PortalScan
) -> None:
    with Session(get_engine(scanned.db_url)) as session:
        site_id = session.exec(select(Scan.site_id).where(Scan.id == scanned.scan_id)).one()
    admin.goto(f"/sites/{site_id}")
    expect(admin.locator("#schedule")).to_contain_text("默认")
    expect(admin.locator("#schedule")).to_contain_text(re.compile(r"每周日 \d\d:\d\d"))
    admin.goto(f"/admin/sites/{site_id}")
    picker = admin.locator("#schedule-picker")
    picker.locator("input[name=schedule_days][value=sun]").check()
    picker.locator("input[name=schedule_time]").fill("21:37")
    admin.click("#save-site")
    expect(admin).to_have_url(re.compile(rf"/sites/{site_id}$"))
    expect(admin.locator("#schedule")).to_have_text("每周日 21:37")
    with Session(get_engine(scanned.db_url)) as session:
        assert session.get(Site, site_id).schedule_cron == "37 21 * * sun"
    admin.goto(f"/sites/{site_id}?lang=en")
    expect(admin.locator("#schedule")).to_have_text("Sundays at 21:37")
    # the form shows the schedule in the picker again, not as a cron line
    admin.goto(f"/admin/sites/{site_id}?lang=zh")
    expect(picker.locator("input[name=schedule_days][value=sun]")).to_be_checked()
    expect(picker.locator("input[name=schedule_days][value=mon]")).not_to_be_checked()
    expect(picker.locator("input[name=schedule_time]")).to_have_value("21:37")
    expect(picker.locator("input[name=schedule_cron]")).to_have_value("")
    # the advanced line goes through the one cron validator, and a bad one changes nothing
    picker.locator("summary").click()
    picker.locator("input[name=schedule_cron]").fill("61 25 * * *")
    admin.click("#save-site")
    expect(admin.locator(".flash.error")).to_contain_text("invalid cron")
    with Session(get_engine(scanned.db_url)) as session:
        assert session.get(Site, site_id).schedule_cron == "37 21 * * sun"
