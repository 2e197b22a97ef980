"""End to end in real Chromium: an admin signs in, registers the sample portal, presses
"立即扫描", watches the live progress reach the end, opens the report; other users see only
their own scope."""

from __future__ import annotations

import json
import re
from collections.abc import Iterator

import pytest
from playwright.sync_api import Browser, Page, expect
from sqlmodel import Session, select

from dashboard.app import create_app
from dashboard.server import BackgroundServer
from govpatrol.core.auth import create_user
from govpatrol.core.db import get_engine
from govpatrol.core.models import Org, Site
from scheduler.dispatch import LocalDispatcher

pytestmark = pytest.mark.browser

PASSWORD = "browser-pass-1"
SCAN_TIMEOUT_MS = 180_000


@pytest.fixture(scope="module")
def dashboard(tmp_path_factory: pytest.TempPathFactory) -> Iterator[tuple[str, str]]:
    db_url = f"sqlite:///{tmp_path_factory.mktemp('browser') / 'govpatrol.db'}"
    with Session(get_engine(db_url), expire_on_commit=False) as session:
        city = Org(name="示例市")
        other = Org(name="外省某厅")
        session.add_all([city, other])
        session.commit()
        district = Org(name="示例区", parent_id=city.id)
        session.add(district)
        session.commit()
        far = Site(name="外省某厅网站", url="http://127.0.0.1:9/far/", org_id=other.id)
        near = Site(name="示例区教育局", url="http://127.0.0.1:9/near/", org_id=district.id)
        session.add_all([far, near])
        session.commit()
        create_user(session, "admin", PASSWORD, "admin")
        create_user(session, "far_wm", PASSWORD, "webmaster", site_ids=[far.id])
        create_user(session, "city_sup", PASSWORD, "supervisor", org_id=city.id)
    dispatcher = LocalDispatcher(pool_size=1, db_url=db_url)
    app = create_app(db_url, secret_key="b" * 48, dispatch=dispatcher.submit)
    try:
        with BackgroundServer(app) as server:
            yield server.url, db_url
    finally:
        dispatcher.shutdown(wait=True)


def sign_in(browser: Browser, base: str, username: str) -> Page:
    page = browser.new_context(base_url=base).new_page()
    page.goto("/sites")  # not signed in: sent to the login page
    expect(page).to_have_url(re.compile(r"/login\?next=%2Fsites$"))
    page.fill("input[name=username]", username)
    page.fill("input[name=password]", PASSWORD)
    page.click("button[type=submit]")
    expect(page).to_have_url(re.compile(r"/sites$"))
    return page


def test_admin_registers_a_site_scans_it_and_opens_the_report(
    browser: Browser, dashboard: tuple[str, str], portal
) -> None:
    base, db_url = dashboard
    page = sign_in(browser, base, "admin")
    page.click("text=登记网站")
    page.fill("input[name=name]", "示例市民政局")
    page.fill("input[name=url]", portal.base_url)
    options = {"scan_options": {"browser": False, "thresholds": {"max_pages": 8}}}
    page.fill("textarea[name=config]", json.dumps(options))
    page.click("#save-site")
    expect(page.locator("h1")).to_have_text("示例市民政局")
    expect(page.locator("text=尚未扫描")).to_be_visible()

    page.click("#scan-now")
    progress = page.locator("#progress")
    expect(progress).to_be_visible()
    expect(page.locator(".flash.ok")).to_contain_text("已开始扫描")
    # progress.js polls the JSON endpoint and marks the box when the scan ends.
    expect(progress).to_have_attribute("data-state", "finished", timeout=SCAN_TIMEOUT_MS)
    expect(progress).to_have_attribute("data-status", "done")
    expect(progress.locator('[data-field="status"]')).to_have_text("已完成")
    assert int(progress.locator('[data-field="pages"]').inner_text()) > 0

    page.click("#progress-report")
    expect(page.locator("body")).to_contain_text("网站巡检报告")
    expect(page.locator("body")).to_contain_text("示例市民政局")

    page.goto("/sites")
    row = page.locator("#sites tr", has_text="示例市民政局")
    expect(row.locator(".verdict")).to_have_count(1)
    page.click("text=English")
    expect(page.locator("#sites")).to_contain_text("Last scan")
    with Session(get_engine(db_url)) as session:
        site = session.exec(select(Site).where(Site.name == "示例市民政局")).one()
    page.goto(f"/sites/{site.id}")
    expect(page.locator("#history")).to_contain_text("Done")


def test_other_scopes_see_404_and_supervisors_their_subordinates(
    browser: Browser, dashboard: tuple[str, str]
) -> None:
    base, db_url = dashboard
    with Session(get_engine(db_url)) as session:
        near = session.exec(select(Site).where(Site.name == "示例区教育局")).one()
        far = session.exec(select(Site).where(Site.name == "外省某厅网站")).one()
    webmaster = sign_in(browser, base, "far_wm")
    for path in (f"/sites/{near.id}", f"/sites/{near.id}/report", f"/api/sites/{near.id}"):
        answer = webmaster.goto(path)
        assert answer is not None and answer.status == 404, path
    expect(webmaster.locator("body")).not_to_contain_text("示例区教育局")
    webmaster.goto("/sites")
    expect(webmaster.locator("#sites")).to_contain_text("外省某厅网站")
    expect(webmaster.locator("#sites")).not_to_contain_text("示例区教育局")

    supervisor = sign_in(browser, base, "city_sup")
    expect(supervisor.locator("#sites")).to_contain_text("示例区教育局")
    expect(supervisor.locator("#sites")).not_to_contain_text("外省某厅网站")
    answer = supervisor.goto(f"/sites/{far.id}")
    assert answer is not None and answer.status == 404
    supervisor.goto(f"/sites/{near.id}")
    expect(supervisor.locator("#scan-now")).to_have_count(0)  # supervisors read and triage
