"""The dashboard over real HTTP (uvicorn on 127.0.0.1, httpx): sign-in, throttling, CSRF,
roles, triage, API tokens, languages, administration, reports, and a real "scan now".

``world`` builds two offices' worth of organisations, sites, users, scans and findings in a
fresh store; test_scope_routes.py walks every route against it.
"""

from __future__ import annotations

import datetime as dt
import functools
import json
import re
import stat
import time
from collections.abc import Iterator
from contextlib import contextmanager
from dataclasses import dataclass, field
from pathlib import Path

import httpx
import pytest
import typer
from fastapi import FastAPI
from sqlmodel import Session, select
from typer.testing import CliRunner

from dashboard import i18n as dashboard_i18n
from dashboard.app import create_app
from dashboard.security import load_secret_key, secret_file
from dashboard.server import BackgroundServer
from dashboard.throttle import LoginThrottle
from govpatrol.cli.web import register
from govpatrol.core.auth import create_user, hash_password
from govpatrol.core.db import get_engine
from govpatrol.core.models import (
    Finding,
    FindingState,
    Org,
    Scan,
    ScanStatus,
    Site,
    User,
    UserSite,
    utcnow,
)
from scheduler.dispatch import LocalDispatcher
from tests.findings_schema import assert_valid_export

PASSWORD = "correct-horse-9"
AS_OF = dt.date(2026, 11, 22)
HOSTILE_NAME = '乙区教育局<img src=x onerror="alert(1)">'


@dataclass
class World:
    url: str
    db_url: str
    app: FastAPI
    ids: dict[str, int] = field(default_factory=dict)

    def session(self) -> Session:
        return Session(get_engine(self.db_url), expire_on_commit=False)


def _scan_with_findings(session: Session, site: Site, findings: list[dict]) -> Scan:
    scan = Scan(
        site_id=site.id,
        status=ScanStatus.done,
        trigger="schedule",
        as_of=AS_OF,
        started_at=utcnow(),
        finished_at=utcnow(),
        stats={"pages": 40, "findings": len(findings)},
        score={"verdict": "不合格", "points": 88.5, "vetoes": ["stale_columns"]},
    )
    session.add(scan)
    session.commit()
    for i, spec in enumerate(findings):
        session.add(Finding(scan_id=scan.id, fingerprint=f"{site.id:04d}{i:028d}", **spec))
    session.commit()
    return scan


@functools.cache
def password_hash() -> str:
    return hash_password(PASSWORD)


def add_user(
    session: Session, username: str, role: str, *, org_id: int | None = None, site_ids=()
) -> User:
    """A user row with a hash made once per run: argon2 is slow on purpose (create_user
    itself is exercised by the admin tests)."""
    user = User(username=username, password_hash=password_hash(), role=role, org_id=org_id)
    session.add(user)
    session.commit()
    session.add_all(UserSite(user_id=user.id, site_id=site_id) for site_id in site_ids)
    session.commit()
    return user


def build_world(session: Session, portal_url: str) -> dict[str, int]:
    """Two offices: a city (两个区 under it) and an unrelated province department."""
    city = Org(name="示例市人民政府")
    other = Org(name="外省某厅")
    session.add_all([city, other])
    session.commit()
    district_a = Org(name="甲区", parent_id=city.id)
    district_b = Org(name="乙区", parent_id=city.id)
    session.add_all([district_a, district_b])
    session.commit()
    options = {"scan_options": {"browser": False, "thresholds": {"max_pages": 6}}}
    site_a = Site(name="甲区民政局", url=portal_url, org_id=district_a.id, config=options)
    site_b = Site(name=HOSTILE_NAME, url="http://127.0.0.1:9/b/", org_id=district_b.id)
    site_city = Site(name="示例市政府门户", url="http://127.0.0.1:9/city/", org_id=city.id)
    site_other = Site(name="外省某厅网站", url="http://127.0.0.1:9/other/", org_id=other.id)
    session.add_all([site_a, site_b, site_city, site_other])
    session.commit()
    link = {
        "check": "broken_link",
        "severity": "high",
        "page": "javascript:alert(1)",
        "target": portal_url + "missing.pdf",
        "message": "附件链接返回 404",
        "detail": {"status": 404, "on_home": False, "text": "<b>附件</b>"},
    }
    stale = {
        "check": "stale_column",
        "severity": "high",
        "page": portal_url + "tzgg/",
        "message": "通知公告栏目超过 6 个月未更新",
        "detail": {"category": "notice", "days_overdue": 40},
    }
    scan_a = _scan_with_findings(session, site_a, [link, stale])
    scan_b = _scan_with_findings(session, site_b, [stale])
    scan_other = _scan_with_findings(session, site_other, [link])
    users = {
        "admin": create_user(session, "admin", PASSWORD, "admin"),
        "city_sup": create_user(session, "city_sup", PASSWORD, "supervisor", org_id=city.id),
        "a_wm": create_user(session, "a_wm", PASSWORD, "webmaster", site_ids=[site_a.id]),
        "other_wm": create_user(
            session, "other_wm", PASSWORD, "webmaster", site_ids=[site_other.id]
        ),
        "other_sup": create_user(session, "other_sup", PASSWORD, "supervisor", org_id=other.id),
        "throttled": create_user(session, "throttled", PASSWORD, "webmaster", site_ids=[site_a.id]),
    }
    finding = lambda scan: session.exec(  # noqa: E731
        select(Finding).where(Finding.scan_id == scan.id).order_by(Finding.id)
    ).all()
    return {
        "org_city": city.id,
        "org_a": district_a.id,
        "org_b": district_b.id,
        "org_other": other.id,
        "site_a": site_a.id,
        "site_b": site_b.id,
        "site_city": site_city.id,
        "site_other": site_other.id,
        "scan_a": scan_a.id,
        "scan_b": scan_b.id,
        "scan_other": scan_other.id,
        "finding_a_link": finding(scan_a)[0].id,
        "finding_a_stale": finding(scan_a)[1].id,
        "finding_b_stale": finding(scan_b)[0].id,
        "finding_other": finding(scan_other)[0].id,
        **{f"user_{name}": user.id for name, user in users.items()},
    }


@contextmanager
def running_world(portal_url: str, folder: Path) -> Iterator[World]:
    """A fresh store with the two offices, served by a real dashboard on 127.0.0.1."""
    db_url = f"sqlite:///{folder / 'govpatrol.db'}"
    with Session(get_engine(db_url), expire_on_commit=False) as session:
        ids = build_world(session, portal_url)
    dispatcher = LocalDispatcher(pool_size=1, db_url=db_url)
    app = create_app(db_url, secret_key="k" * 48, dispatch=dispatcher.submit)
    try:
        with BackgroundServer(app) as server:
            yield World(server.url, db_url, app, ids)
    finally:
        dispatcher.shutdown(wait=True)


@pytest.fixture(scope="module")
def world(portal, tmp_path_factory: pytest.TempPathFactory) -> Iterator[World]:
    with running_world(portal.base_url, tmp_path_factory.mktemp("dash")) as running:
        yield running


def csrf_of(html: str) -> str:
    match = re.search(r'name="csrf_token" value="([^"]+)"', html)
    assert match, "no CSRF field on the page"
    return match.group(1)


# Signed session cookies per (server, user): a password check costs argon2's full price, so
# each user signs in through the form once per module and later clients reuse the cookie.
_signed_in: dict[tuple[str, str], httpx.Cookies] = {}


@contextmanager
def login(world: World, username: str, password: str = PASSWORD) -> Iterator[httpx.Client]:
    """A client signed in through the login form (CSRF token and all)."""
    key = (world.url, username)
    with httpx.Client(base_url=world.url, timeout=30, cookies=_signed_in.get(key)) as client:
        if key in _signed_in and client.get("/account").status_code != 200:
            # a sign-out ends every session of its user, the cached one too: sign in anew
            del _signed_in[key]
            client.cookies.clear()
        if key not in _signed_in:
            page = client.get("/login")
            answer = client.post(
                "/login",
                data={"username": username, "password": password, "csrf_token": csrf_of(page.text)},
            )
            assert answer.status_code == 303, answer.text
            _signed_in[key] = httpx.Cookies(client.cookies)
        yield client


def token_for(world: World, username: str) -> str:
    with login(world, username) as client:
        page = client.post(
            "/account/token", data={"csrf_token": csrf_of(client.get("/account").text)}
        )
    match = re.search(r'id="new-token">([^<]+)<', page.text)
    assert match
    return match.group(1)


def site_ids_on(html: str) -> set[int]:
    return {int(i) for i in re.findall(r'data-site-id="(\d+)"', html)}


# -- signing in --------------------------------------------------------------------------------


def test_pages_and_api_need_a_user(world: World) -> None:
    with httpx.Client(base_url=world.url) as anon:
        page = anon.get("/sites/1?x=1")
        assert page.status_code == 303
        assert page.headers["location"] == "/login?next=%2Fsites%2F1%3Fx%3D1"
        api = anon.get("/api/sites")
        assert api.status_code == 401 and api.headers["www-authenticate"] == "Bearer"
        assert (
            anon.get("/api/sites", headers={"Authorization": "Bearer gp_nope"}).status_code == 401
        )


def test_login_redirects_back_and_logout_needs_csrf(world: World) -> None:
    with httpx.Client(base_url=world.url) as client:
        token = csrf_of(client.get("/login").text)
        wrong = client.post(
            "/login", data={"username": "a_wm", "password": "nope-nope", "csrf_token": token}
        )
        assert wrong.status_code == 400 and "用户名或密码错误" in wrong.text
        good = client.post(
            "/login",
            data={
                "username": "a_wm",
                "password": PASSWORD,
                "csrf_token": token,
                "next": f"/sites/{world.ids['site_a']}",
            },
        )
        assert good.headers["location"] == f"/sites/{world.ids['site_a']}"
        evil = client.get("/login", params={"next": "//evil.invalid/x"})
        assert evil.headers["location"] == "/sites"  # signed in: sent on, but never off-site
        assert client.post("/logout").status_code == 403
        token = csrf_of(client.get("/sites").text)
        assert client.post("/logout", data={"csrf_token": token}).status_code == 303
        assert client.get("/sites").status_code == 303


def test_login_is_throttled_after_five_failures(world: World) -> None:
    with httpx.Client(base_url=world.url) as client:
        token = csrf_of(client.get("/login").text)
        for _ in range(5):
            answer = client.post(
                "/login",
                data={"username": "throttled", "password": "wrong!!!", "csrf_token": token},
            )
            assert answer.status_code == 400
        blocked = client.post(
            "/login", data={"username": "THROTTLED", "password": PASSWORD, "csrf_token": token}
        )
        assert blocked.status_code == 429 and "登录失败次数过多" in blocked.text
    with login(world, "a_wm") as other:  # another username from the same address is unaffected
        assert other.get("/sites").status_code == 200


def test_throttle_window_ages_out() -> None:
    now = [1000.0]
    throttle = LoginThrottle(max_failures=5, window_s=900, clock=lambda: now[0])
    for _ in range(5):
        throttle.failed("Ann", "10.0.0.1")
    assert throttle.retry_after("ann", "10.0.0.1") > 0
    assert throttle.retry_after("ann", "10.0.0.2") == 0
    now[0] += 901
    assert throttle.retry_after("ann", "10.0.0.1") == 0
    throttle.failed("bob", "x")
    throttle.succeeded("bob", "x")
    assert throttle.retry_after("bob", "x") == 0


def test_every_form_post_needs_the_csrf_token(world: World) -> None:
    site = world.ids["site_a"]
    with login(world, "a_wm") as client:
        token = csrf_of(client.get(f"/sites/{site}").text)
        assert client.post(f"/sites/{site}/scan").status_code == 403
        assert (
            client.post(f"/sites/{site}/scan", data={"csrf_token": "x" + token}).status_code == 403
        )
        finding = world.ids["finding_a_link"]
        form = {"state": "acknowledged"}
        assert client.post(f"/findings/{finding}/triage", data=form).status_code == 403
        # The API with the session cookie wants the token in a header for writes.
        body = {"state": "acknowledged"}
        assert client.post(f"/api/findings/{finding}/triage", json=body).status_code == 403
        ok = client.post(
            f"/api/findings/{finding}/triage", json=body, headers={"X-CSRF-Token": token}
        )
        assert ok.status_code == 200 and ok.json()["state"] == "acknowledged"
    with httpx.Client(base_url=world.url) as anon:
        answer = anon.post("/login", data={"username": "a_wm", "password": PASSWORD})
        assert answer.status_code == 403


# -- what each role sees -----------------------------------------------------------------------


def test_each_role_lists_its_own_sites(world: World) -> None:
    ids = world.ids
    expected = {
        "admin": {ids["site_a"], ids["site_b"], ids["site_city"], ids["site_other"]},
        "city_sup": {ids["site_a"], ids["site_b"], ids["site_city"]},
        "a_wm": {ids["site_a"]},
        "other_sup": {ids["site_other"]},
    }
    for username, sites in expected.items():
        with login(world, username) as client:
            assert site_ids_on(client.get("/sites").text) == sites, username
            assert {s["id"] for s in client.get("/api/sites").json()} == sites, username


def test_supervisor_reads_and_triages_subordinate_sites_but_cannot_scan(world: World) -> None:
    ids = world.ids
    with login(world, "city_sup") as client:
        orgs = client.get("/orgs").text
        assert "甲区" in orgs and "乙区" in orgs and "外省某厅" not in orgs
        city = client.get(f"/orgs/{ids['org_city']}").text
        assert site_ids_on(city) == {ids["site_a"], ids["site_b"], ids["site_city"]}
        page = client.get(f"/sites/{ids['site_b']}")
        assert page.status_code == 200 and 'id="scan-now"' not in page.text
        token = csrf_of(page.text)
        refused = client.post(f"/api/sites/{ids['site_b']}/scans", headers={"X-CSRF-Token": token})
        assert refused.status_code == 403
        marked = client.post(
            f"/findings/{ids['finding_b_stale']}/triage",
            data={"state": "unchanged", "note": "本年度无人事变动", "csrf_token": token},
        )
        assert marked.status_code == 303
    with world.session() as session:
        mark = session.exec(select(FindingState).where(FindingState.site_id == ids["site_b"])).one()
        assert (mark.state, mark.note, mark.user_id) == (
            "unchanged",
            "本年度无人事变动",
            ids["user_city_sup"],
        )


def test_crawled_text_is_escaped_and_only_http_links(world: World) -> None:
    ids = world.ids
    with login(world, "admin") as client:
        sites = client.get("/sites").text
        assert "<img src=x" not in sites and "&lt;img src=x onerror=" in sites
        scan = client.get(f"/scans/{ids['scan_a']}").text
        assert 'href="javascript:' not in scan and "javascript:alert(1)" in scan
        assert "<b>附件</b>" not in scan and "&lt;b&gt;附件&lt;/b&gt;" in scan
        assert re.search(r'<a href="http://127\.0\.0\.1:\d+/missing\.pdf"', scan)


def test_triage_rules(world: World) -> None:
    ids = world.ids
    link, stale = ids["finding_a_link"], ids["finding_a_stale"]
    with login(world, "a_wm") as client:
        token = csrf_of(client.get(f"/scans/{ids['scan_a']}").text)
        headers = {"X-CSRF-Token": token}
        no_note = client.post(
            f"/api/findings/{link}/triage", json={"state": "false_positive"}, headers=headers
        )
        assert no_note.status_code == 400
        not_a_column = client.post(
            f"/api/findings/{link}/triage", json={"state": "unchanged"}, headers=headers
        )
        assert not_a_column.status_code == 400
        page = client.post(
            f"/findings/{link}/triage",
            data={"state": "false_positive", "note": "链接其实可以打开", "csrf_token": token},
        )
        assert page.status_code == 303 and page.headers["location"] == f"/scans/{ids['scan_a']}"
        listed = client.get(
            f"/api/scans/{ids['scan_a']}/findings", params={"state": "false_positive"}
        )
        assert [f["id"] for f in listed.json()["items"]] == [link]
        assert listed.json()["items"][0]["note"] == "链接其实可以打开"
        html = client.get(f"/scans/{ids['scan_a']}", params={"state": "false_positive"}).text
        assert f'data-finding-id="{link}" data-state="false_positive"' in html
        cleared = client.post(f"/api/findings/{link}/triage", json={"state": ""}, headers=headers)
        assert cleared.json()["state"] is None
        kept = client.post(
            f"/api/findings/{stale}/triage",
            json={"state": "unchanged", "note": ""},
            headers=headers,
        )
        assert kept.json()["state"] == "unchanged"
        untriaged = client.get(
            f"/api/scans/{ids['scan_a']}/findings", params={"state": "untriaged"}
        )
        assert [f["id"] for f in untriaged.json()["items"]] == [link]


def test_api_tokens(world: World) -> None:
    token = token_for(world, "other_sup")
    bearer = {"Authorization": f"Bearer {token}"}
    with httpx.Client(base_url=world.url) as client:
        me = client.get("/api/me", headers=bearer).json()
        assert me["username"] == "other_sup" and me["visible_site_ids"] == [world.ids["site_other"]]
        # A bearer call needs no CSRF token; rotating the token ends the old one.
        new = client.post("/api/me/token", headers=bearer).json()["token"]
        assert client.get("/api/me", headers=bearer).status_code == 401
        assert client.get("/api/me", headers={"Authorization": f"Bearer {new}"}).status_code == 200


def test_language_switch_is_remembered(world: World) -> None:
    with login(world, "a_wm") as client:
        assert "扫描记录" in client.get(f"/sites/{world.ids['site_a']}").text
        english = client.get("/sites", params={"lang": "en"}).text
        assert "Last scan" in english and '<html lang="en">' in english
        assert "Scan history" in client.get(f"/sites/{world.ids['site_a']}").text
        assert "扫描记录" in client.get(f"/sites/{world.ids['site_a']}", params={"lang": "zh"}).text


# -- administration ----------------------------------------------------------------------------


def test_admin_registers_sites_users_and_orgs(world: World) -> None:
    with login(world, "admin") as client:
        form = client.get("/admin/sites/new").text
        fields = {
            "csrf_token": csrf_of(form),
            "name": "新登记网站",
            "url": "http://127.0.0.1:9/new/",
            "org_id": str(world.ids["org_a"]),
            "schedule_cron": "every sunday",
            "active": "1",
            "config": '{"scan_options": {"browser": false}}',
        }
        bad = client.post("/admin/sites", data=fields)
        assert bad.status_code == 400 and "cron" in bad.text and "新登记网站" in bad.text
        bad_config = client.post(
            "/admin/sites",
            data={**fields, "schedule_cron": "", "config": '{"thresholds": {"nope": 1}}'},
        )
        assert bad_config.status_code == 400 and "nope" in bad_config.text
        made = client.post("/admin/sites", data={**fields, "schedule_cron": "0 23 * * sat"})
        assert made.status_code == 303
        site_page = client.get(made.headers["location"]).text
        assert "0 23 * * sat" in site_page
        token = csrf_of(site_page)
        org = client.post(
            "/orgs",
            data={"name": "丙区", "parent_id": str(world.ids["org_city"]), "csrf_token": token},
        )
        assert org.status_code == 303
        user = client.post(
            "/api/users",
            json={
                "username": "new_wm",
                "password": PASSWORD,
                "role": "webmaster",
                "site_ids": [world.ids["site_city"]],
            },
            headers={"X-CSRF-Token": token},
        )
        assert user.status_code == 201 and user.json()["site_ids"] == [world.ids["site_city"]]
    with login(world, "new_wm") as client:
        assert site_ids_on(client.get("/sites").text) == {world.ids["site_city"]}
        assert client.get("/admin/users").status_code == 404
        assert client.get("/admin/sites/new").status_code == 404
    with world.session() as session:
        assert (
            session.exec(select(Org).where(Org.name == "丙区")).one().parent_id
            == world.ids["org_city"]
        )
        assert session.exec(select(Site).where(Site.name == "新登记网站")).one().config == {
            "scan_options": {"browser": False}
        }


def test_admin_edits_and_deletes_a_user(world: World) -> None:
    with world.session() as session:
        temp = create_user(
            session, "temp_user", PASSWORD, "webmaster", site_ids=[world.ids["site_a"]]
        )
    with login(world, "temp_user") as temp_client:
        assert temp_client.get("/sites").status_code == 200
        with login(world, "admin") as client:
            page = client.get(f"/admin/users/{temp.id}")
            token = csrf_of(page.text)
            saved = client.post(
                f"/admin/users/{temp.id}",
                data={
                    "role": "supervisor",
                    "org_id": str(world.ids["org_b"]),
                    "password": "another-pass-1",
                    "csrf_token": token,
                },
            )
            assert saved.status_code == 303
            # The password changed: the user's existing session has ended.
            assert temp_client.get("/sites").status_code == 303
            gone = client.post(f"/admin/users/{temp.id}/delete", data={"csrf_token": token})
            assert gone.status_code == 303
    with world.session() as session:
        assert session.get(User, temp.id) is None


# -- reports, exports, scans -------------------------------------------------------------------


def test_reports_and_exports(world: World) -> None:
    ids = world.ids
    with login(world, "a_wm") as client:
        report = client.get(f"/sites/{ids['site_a']}/report")
        assert report.status_code == 200 and "甲区民政局" in report.text
        assert report.headers["content-security-policy"].startswith("sandbox")
        english = client.get(f"/api/scans/{ids['scan_a']}/report", params={"lang": "en"})
        assert english.status_code == 200 and 'lang="en"' in english.text
        exported = client.get(f"/scans/{ids['scan_a']}/export/json")
        data = assert_valid_export(json.loads(exported.text))
        assert data["format"] == "govpatrol.findings/1" and len(data["findings"]) == 2
        csv = client.get(f"/api/scans/{ids['scan_a']}/export", params={"format": "csv"})
        assert csv.content.startswith(b"\xef\xbb\xbf") and "text/csv" in csv.headers["content-type"]
        xlsx = client.get(f"/scans/{ids['scan_a']}/export/xlsx")
        assert xlsx.content[:2] == b"PK"
        assert client.get(f"/scans/{ids['scan_a']}/export/exe").status_code == 404
    with login(world, "city_sup") as client:
        overview = client.get(f"/orgs/{ids['org_city']}/report")
        assert overview.status_code == 200 and "甲区民政局" in overview.text
        link = client.get(f"/orgs/{ids['org_city']}/site-{ids['site_a']}.html")
        assert link.headers["location"] == f"/sites/{ids['site_a']}/report"


def test_security_headers_and_offline_assets(world: World) -> None:
    with login(world, "a_wm") as client:
        page = client.get("/sites")
        assert "default-src 'self'" in page.headers["content-security-policy"]
        assert page.headers["x-frame-options"] == "DENY"
        # Scripts and styles come from this server only (site URLs may of course be links).
        assert not re.search(r'<(script|link)[^>]+(src|href)="(https?:)?//', page.text)
        assert client.get("/static/progress.js").status_code == 200
        docs = client.get("/api/docs").text
        assert "/api/sites/{site_id}/scans" in docs and "cdn" not in docs.lower()
    assert httpx.get(world.url + "/api/openapi.json").json()["info"]["title"] == "govpatrol API"


def test_scan_now_runs_a_real_scan_with_live_progress(world: World) -> None:
    site = world.ids["site_a"]
    token = token_for(world, "a_wm")
    bearer = {"Authorization": f"Bearer {token}"}
    with httpx.Client(base_url=world.url, headers=bearer, timeout=30) as client:
        started = client.post(f"/api/sites/{site}/scans")
        assert started.status_code == 202 and started.json()["status"] == "queued"
        busy = client.post(f"/api/sites/{site}/scans")
        assert busy.status_code == 409
        scan_id = started.json()["id"]
        seen: list[dict] = []
        deadline = time.monotonic() + 180
        while time.monotonic() < deadline:
            progress = client.get(f"/api/scans/{scan_id}/progress").json()
            seen.append(progress)
            if progress["finished"]:
                break
            time.sleep(0.2)
        assert seen[-1]["finished"] and seen[-1]["status"] == "done", seen[-1]
        assert seen[-1]["pages"] > 0 and seen[-1]["verdict"] in ("合格", "不合格")
        assert {"queued", "findings", "stage_label", "status_label"} <= set(seen[-1])
        history = client.get(f"/api/sites/{site}/scans").json()
        assert history[0]["id"] == scan_id and history[0]["trigger"] == "manual"


def test_secret_key_file_is_created_once_and_private(tmp_path: Path, monkeypatch) -> None:
    monkeypatch.delenv("GOVPATROL_SECRET_KEY", raising=False)
    url = f"sqlite:///{tmp_path / 'store.db'}"
    key = load_secret_key(url)
    path = secret_file(url)
    assert path == tmp_path / "store.db.secret" and len(key) > 40
    assert stat.S_IMODE(path.stat().st_mode) == 0o600
    assert load_secret_key(url) == key
    monkeypatch.setenv("GOVPATROL_SECRET_KEY", "from-the-environment")
    assert load_secret_key(url) == "from-the-environment"


# -- the command line ------------------------------------------------------------------------


def test_users_add_and_list(db_url: str) -> None:
    app = typer.Typer()
    register(app)
    with Session(get_engine(db_url), expire_on_commit=False) as session:
        org = Org(name="示例市")
        session.add(org)
        session.commit()
        site = Site(name="示例网站", url="http://127.0.0.1:9/", org_id=org.id)
        session.add(site)
        session.commit()
    runner = CliRunner()
    added = runner.invoke(
        app,
        ["users", "add", "wm", "--role", "webmaster", "--site", "示例网站", "--password", PASSWORD],
    )
    assert added.exit_code == 0, added.output
    prompted = runner.invoke(
        app,
        ["users", "add", "sup", "--role", "supervisor", "--org", "示例市"],
        input=f"{PASSWORD}\n{PASSWORD}\n",
    )
    assert prompted.exit_code == 0, prompted.output
    refused = runner.invoke(
        app, ["users", "add", "x", "--role", "webmaster", "--password", PASSWORD]
    )
    assert refused.exit_code == 2 and "至少一个网站" in refused.output
    listed = runner.invoke(app, ["users", "list"])
    assert "wm" in listed.output and "示例网站" in listed.output and "supervisor" in listed.output
    with Session(get_engine(db_url)) as session:
        assert session.exec(select(UserSite)).one().site_id == site.id


def test_a_needs_review_finding_is_labelled_on_the_scan_page(world: World) -> None:
    """Last in the file: it adds a scan to the city portal, which no earlier test expects."""
    review = {
        "check": "missing_validity_label",
        "severity": "low",
        "page": "http://127.0.0.1:9/city/zcwj/1.html",
        "message": "规范性文件未标注有效性（是否为规范性文件待人工确认）",
        "detail": {"reason": "missing", "needs_review": True, "normative_basis": "ambiguous_type",
                   "normative_reason": "发文字号 某府发〔2026〕1号，标题文种为“意见”，需人工判断",
                   "normative_signal": "意见"},
    }  # fmt: skip
    plain = {**review, "page": "http://127.0.0.1:9/city/zcwj/2.html", "severity": "medium",
             "detail": {"reason": "missing"}}  # fmt: skip
    with world.session() as session:
        site = session.get(Site, world.ids["site_city"])
        assert site is not None
        scan = _scan_with_findings(session, site, [review, plain])
    with login(world, "admin") as client:
        html = client.get(f"/scans/{scan.id}").text
    badge = f'<span class="review">{dashboard_i18n.t("needs_review")}</span>'
    assert html.count(badge) == 1  # on the one finding that needs review, not the other
    assert "有发文字号，文种需人工判断" in html  # the basis in words, as evidence
