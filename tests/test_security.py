"""Security: what crawled pages carry must never turn into an attack on govpatrol's users, and
what users may do is exactly what their role allows.

A small hostile site on 127.0.0.1 plants script and formula payloads in its titles, link
texts, URLs and document fields; it is scanned for real, then the weekly report, the
dashboard (over HTTP) and the XLSX/CSV ledger are read back. Then the sign-in and the API are
abused: password guessing, a planted session, role escalation, other offices' ids, and site
registration aimed at internal addresses.
"""

from __future__ import annotations

import csv
import io
import ipaddress
import re
import socket
from collections.abc import Iterator
from dataclasses import dataclass

import httpx
import lxml.html
import pytest
from openpyxl import load_workbook
from sqlmodel import Session, select
from test_dashboard import PASSWORD, World, add_user, csrf_of, login, token_for
from test_scope_routes import _walk

from crawler.netguard import FETCH_ALLOW_ENV, REFUSED_TEXT
from dashboard.app import create_app
from dashboard.server import BackgroundServer
from dashboard.throttle import LoginThrottle
from govpatrol.core.db import get_engine
from govpatrol.core.models import (
    Document,
    Finding,
    LinkOutcome,
    LinkTarget,
    Org,
    Page,
    Scan,
    ScanStatus,
    Site,
    utcnow,
)
from reports.site_report import render_site_report
from scan.pipeline import create_scan, run_scan
from scan.site_policy import (
    ALLOWLIST_ENV,
    SiteNotAllowed,
    check_site_url,
    host_allowed,
    is_internal,
    resolve,
)
from tests import loopback as lb
from tests.conftest import AS_OF
from tests.faultlog import FaultLog, fault_log_fixture  # noqa: F401  (fixture)

MARK = "gpxss"  # every payload carries it, so where each one landed can be found
FORMULA = '=HYPERLINK("http://evil.invalid/","点我")'


def _page(title: str, body: str) -> str:
    return f"<html><head><title>{title}</title></head><body>{body}</body></html>"


# Payloads as a hostile page writes them: entity-escaped in the markup, so that the text the
# crawler reads (a title, a link text, a field value) *is* the script.
HOME = _page(
    f"&lt;script&gt;alert('{MARK}-title')&lt;/script&gt;敌意首页",
    f"""<ul>
    <li><a href="/missing-1.pdf">&lt;img src=x onerror=alert('{MARK}-text')&gt;附件</a></li>
    <li><a href="/missing-2.pdf">{FORMULA}</a></li>
    <li><a href="/missing.html?q=&quot;&gt;&lt;script&gt;alert('{MARK}-url')&lt;/script&gt;">查询</a></li>
    <li><a href="/x'onmouseover='alert(1)'.html">单引号</a></li>
    <li><a href="javascript:alert('{MARK}-js')">脚本链接</a></li>
    <li><a href="/gfxwj/202401/t20240105_1.html">规范性文件</a></li>
    </ul>""",
)
DOC_TITLE = f"某市人民政府关于印发&lt;script&gt;alert('{MARK}-doc')&lt;/script&gt;管理办法的通知"
DOCUMENT = _page(
    DOC_TITLE,
    f"""<h1>{DOC_TITLE}</h1>
    <table class="bd1">
    <tr><td>发文字号</td><td>&lt;img src=x onerror=alert('{MARK}-num')&gt;某政发〔2024〕1号</td></tr>
    <tr><td>成文日期</td><td>2024年1月5日</td></tr>
    <tr><td>发布日期</td><td>2024年1月8日</td></tr>
    </table>
    <div class="content"><p>各区县人民政府：现将办法印发给你们，请认真贯彻执行。</p>
    <p>本办法自2024年2月1日起施行。</p></div>""",
)
SITE_NAME = f"敌意站<svg onload=alert('{MARK}-name')>"
PAYLOAD_KINDS = ("title", "text", "url", "doc", "num", "name")


@dataclass
class Scanned:
    world: World
    site_id: int
    scan_id: int
    other_ids: dict[str, int]


def _other_office(session: Session) -> dict[str, int]:
    """Another office: its org, site, a finished scan with a finding, and its webmaster."""
    org = Org(name="外省某厅")
    session.add(org)
    session.commit()
    site = Site(name="外省某厅网站", url="http://127.0.0.1:9/other/", org_id=org.id)
    session.add(site)
    session.commit()
    scan = Scan(site_id=site.id, status=ScanStatus.done, as_of=AS_OF, finished_at=utcnow())
    session.add(scan)
    session.commit()
    finding = Finding(
        scan_id=scan.id,
        check="broken_link",
        page=site.url,
        target=site.url + "x.pdf",
        message="附件链接返回 404",
        fingerprint="0" * 32,
    )
    session.add(finding)
    session.commit()
    user = add_user(session, "other_wm", "webmaster", site_ids=[site.id])
    return {
        "site_id": site.id,
        "scan_id": scan.id,
        "finding_id": finding.id,
        "org_id": org.id,
        "user_id": user.id,
    }


@pytest.fixture(scope="module")
def scanned(tmp_path_factory: pytest.TempPathFactory) -> Iterator[Scanned]:
    db_url = f"sqlite:///{tmp_path_factory.mktemp('security') / 'govpatrol.db'}"
    routes = {"/": lb.page(HOME), "/gfxwj/202401/t20240105_1.html": lb.page(DOCUMENT)}
    with lb.servers(lb.serve(routes)) as (server,):
        with Session(get_engine(db_url), expire_on_commit=False) as session:
            site = Site(name=SITE_NAME, url=server.base_url)
            session.add(site)
            session.commit()
            add_user(session, "admin", "admin")
            add_user(session, "wm", "webmaster", site_ids=[site.id])
            other = _other_office(session)
            options = {"browser": False, "thresholds": {"link_timeout_s": 3.0}}
            scan = create_scan(session, site, trigger="test", as_of=AS_OF, options=options)
        done = run_scan(scan.id, db_url=db_url)
        assert done.status == ScanStatus.done, done.error
    app = create_app(db_url, secret_key="s" * 48, dispatch=lambda scan_id: None)
    with BackgroundServer(app) as web:
        yield Scanned(World(web.url, db_url, app), site.id, done.id, other)


# -- crawled payloads, rendered -----------------------------------------------------------------


def _script_sinks(html: str) -> list[str]:
    """Places where a payload would run: a script element carrying one, an event-handler
    attribute, a javascript:/data:/vbscript: URL."""
    tree = lxml.html.fromstring(html)
    sinks = []
    for el in tree.iter():
        if not isinstance(el.tag, str):
            continue
        if el.tag == "script" and (MARK in (el.text or "") or "alert(" in (el.text or "")):
            sinks.append("<script> carrying a payload")
        for name, value in el.attrib.items():
            if name.lower().startswith("on") and ("alert" in value or MARK in value):
                sinks.append(f"{el.tag}@{name}={value[:40]}")
            if name in (
                "href",
                "src",
                "action",
                "data",
                "formaction",
            ) and value.strip().lower().startswith(("javascript:", "data:text", "vbscript:")):
                sinks.append(f"{el.tag}@{name}={value[:40]}")
    return sinks


def _shown(html: str) -> str:
    return lxml.html.fromstring(html).text_content()


def test_the_scan_stored_the_payloads(scanned: Scanned) -> None:
    """The hostile text really reached the store (or every later test would be vacuous)."""
    with scanned.world.session() as session:
        findings = session.exec(select(Finding).where(Finding.scan_id == scanned.scan_id)).all()
    texts = " ".join(str(f.detail) + f.message + (f.target or "") for f in findings)
    assert f"onerror=alert('{MARK}-text')" in texts
    assert FORMULA in texts
    assert f"{MARK}-url" in texts
    with scanned.world.session() as session:
        documents = session.exec(select(Document).where(Document.scan_id == scanned.scan_id)).all()
    shown = " ".join(f"{d.title} {d.doc_number}" for d in documents)
    assert f"{MARK}-doc" in shown and f"{MARK}-num" in shown, shown
    assert {f.check for f in findings} >= {"broken_link", "missing_validity_label"}, {
        f.check for f in findings
    }


def test_the_weekly_report_shows_payloads_as_text(scanned: Scanned, fault_log: FaultLog) -> None:
    with scanned.world.session() as session:
        html = render_site_report(session, scanned.site_id, scanned.scan_id)
    sinks = _script_sinks(html)
    shown = _shown(html)
    visible = [k for k in PAYLOAD_KINDS if f"{MARK}-{k}" in shown]
    fault_log(
        "script payloads in a crawled page title, link texts, URLs, document fields and the "
        "site name, rendered in the weekly report",
        f"{len(sinks)} executable sinks; payloads shown as text: {', '.join(visible)}",
    )
    assert sinks == []
    assert f"onerror=alert('{MARK}-text')" in shown  # shown, as text
    assert {"text", "url", "name", "doc"} <= set(visible)
    assert "<script>alert(" not in html and "<svg onload" not in html


DASHBOARD_PAGES = [
    "/sites",
    "/sites/{site_id}",
    "/scans/{scan_id}",
    "/scans/{scan_id}?check=broken_link",
    "/scans/{scan_id}/report",
    "/sites/{site_id}/report",
]


def test_the_dashboard_shows_payloads_as_text(scanned: Scanned, fault_log: FaultLog) -> None:
    found: dict[str, list[str]] = {}
    with login(scanned.world, "admin") as client:
        for template in DASHBOARD_PAGES:
            path = template.format(site_id=scanned.site_id, scan_id=scanned.scan_id)
            answer = client.get(path)
            assert answer.status_code == 200, (path, answer.status_code)
            found[path] = _script_sinks(answer.text)
            assert "<script>alert(" not in answer.text, path
            if "/report" in path:  # reports are served sandboxed, on a unique origin
                assert "sandbox" in answer.headers["content-security-policy"]
            else:
                assert "script-src 'self'" in answer.headers["content-security-policy"]
        scan_page = _shown(client.get(f"/scans/{scanned.scan_id}").text)
    fault_log(
        f"the same payloads on {len(DASHBOARD_PAGES)} dashboard pages (site, scan, findings, "
        "reports)",
        f"{sum(map(len, found.values()))} executable sinks; CSP on every page, reports sandboxed",
    )
    assert all(sinks == [] for sinks in found.values()), found
    assert MARK in scan_page


def test_ledgers_neutralise_formulas(scanned: Scanned, fault_log: FaultLog) -> None:
    token = token_for(scanned.world, "wm")
    bearer = {"Authorization": f"Bearer {token}"}
    base = scanned.world.url
    with scanned.world.session() as session:
        finding = session.exec(
            select(Finding).where(
                Finding.scan_id == scanned.scan_id, Finding.check == "broken_link"
            )
        ).first()
    note = "@SUM(1+1)*cmd|' /C calc'!A0"
    triaged = httpx.post(
        f"{base}/api/findings/{finding.id}/triage",
        json={"state": "false_positive", "note": note},
        headers=bearer,
    )
    assert triaged.status_code == 200, triaged.text
    xlsx = httpx.get(f"{base}/api/scans/{scanned.scan_id}/export?format=xlsx", headers=bearer)
    text_csv = httpx.get(f"{base}/api/scans/{scanned.scan_id}/export?format=csv", headers=bearer)
    assert xlsx.status_code == text_csv.status_code == 200
    workbook = load_workbook(io.BytesIO(xlsx.content))
    cells = [c for ws in workbook.worksheets for row in ws.iter_rows() for c in row]
    formulas = [c.coordinate for c in cells if c.data_type == "f"]
    values = [str(c.value) for c in cells if isinstance(c.value, str)]
    dangerous = [v for v in values if v.startswith(("=", "+", "-", "@"))]
    rows = list(csv.reader(io.StringIO(text_csv.content.decode("utf-8-sig"))))
    csv_dangerous = [v for row in rows for v in row if v.startswith(("=", "+", "-", "@"))]
    fault_log(
        "a link text that is a spreadsheet formula and a triage note starting with @, exported "
        "to the XLSX 整改台账 and the CSV",
        f"{len(formulas)} formula cells, {len(dangerous) + len(csv_dangerous)} cells starting "
        'with = + - @; the note is kept as text ("\'@SUM…")',
    )
    assert formulas == [] and dangerous == [] and csv_dangerous == []
    assert any(v == "'" + note for v in values)
    assert any(FORMULA in v for v in values)


# -- signing in ---------------------------------------------------------------------------------


@pytest.fixture
def fresh_throttle(scanned: Scanned) -> Iterator[LoginThrottle]:
    """A throttle of its own for one test (the module's other sign-ins share 127.0.0.1)."""
    app = scanned.world.app
    saved = app.state.throttle
    app.state.throttle = LoginThrottle(max_failures=5, max_address_failures=12)
    try:
        yield app.state.throttle
    finally:
        app.state.throttle = saved


def _try_login(client: httpx.Client, username: str, password: str) -> httpx.Response:
    token = csrf_of(client.get("/login").text)
    return client.post(
        "/login", data={"username": username, "password": password, "csrf_token": token}
    )


def test_password_guessing_is_throttled(
    scanned: Scanned, fault_log: FaultLog, fresh_throttle: LoginThrottle
) -> None:
    with httpx.Client(base_url=scanned.world.url, timeout=30) as client:
        guesses = [_try_login(client, "wm", f"guess-{i}").status_code for i in range(5)]
        right_one = _try_login(client, "wm", PASSWORD).status_code
    with httpx.Client(base_url=scanned.world.url, timeout=30) as client:
        sprayed = [_try_login(client, f"user{i}", "123456").status_code for i in range(7)]
        after_spray = _try_login(client, "admin", PASSWORD).status_code
    fault_log(
        "5 wrong passwords for one account, then the right one",
        f"answers {guesses} then {right_one}: the right password is refused too until the "
        "window passes",
    )
    fault_log(
        "one password tried against many usernames from one address (password spraying)",
        f"answers {sprayed}, then a real user from that address: {after_spray}",
    )
    assert guesses == [400] * 5 and right_one == 429
    assert sprayed == [400] * 7 and after_spray == 429


def test_signing_in_replaces_a_planted_session(scanned: Scanned, fault_log: FaultLog) -> None:
    with httpx.Client(base_url=scanned.world.url, timeout=30) as attacker:
        planted_token = csrf_of(attacker.get("/login").text)
        planted = attacker.cookies.get("govpatrol_session")
        jar = httpx.Cookies(attacker.cookies)
    # the victim's browser holds the attacker's cookie (same domain, as a browser stores it)
    with httpx.Client(base_url=scanned.world.url, timeout=30, cookies=jar) as victim:
        answer = victim.post(
            "/login",
            data={"username": "admin", "password": PASSWORD, "csrf_token": planted_token},
        )
        assert answer.status_code == 303
        after = victim.cookies.get("govpatrol_session")
        new_token = csrf_of(victim.get("/account").text)
        # the attacker's copy of the planted cookie is still signed-out, and its CSRF token
        # no longer matches the victim's session
        with httpx.Client(base_url=scanned.world.url, timeout=30, cookies=jar) as replay:
            still_out = replay.get("/sites").status_code
            forged = replay.post("/logout", data={"csrf_token": planted_token}).status_code
    fault_log(
        "session fixation: a victim signs in with a session cookie the attacker planted",
        f"the cookie is replaced at sign-in ({'new' if after != planted else 'SAME'} value), "
        f"the CSRF token rotated; the planted cookie stays signed out (HTTP {still_out})",
    )
    assert after and after != planted
    assert new_token != planted_token
    assert still_out == 303 and forged in (303, 403)


def test_a_cookie_copied_before_logout_is_dead_after_it(
    scanned: Scanned, fault_log: FaultLog
) -> None:
    bearer = {"Authorization": f"Bearer {token_for(scanned.world, 'admin')}"}
    with httpx.Client(base_url=scanned.world.url, timeout=30) as client:
        assert _try_login(client, "admin", PASSWORD).status_code == 303
        stolen = httpx.Cookies(client.cookies)
        client.post("/logout", data={"csrf_token": csrf_of(client.get("/account").text)})
    with httpx.Client(base_url=scanned.world.url, timeout=30, cookies=stolen) as thief:
        page, api = thief.get("/sites").status_code, thief.get("/api/me").status_code
    # an API token is a credential of its own: signing out of a browser does not revoke it
    token_after = httpx.get(f"{scanned.world.url}/api/me", headers=bearer).status_code
    with httpx.Client(base_url=scanned.world.url, timeout=30) as again:
        fresh = _try_login(again, "admin", PASSWORD).status_code, again.get("/sites").status_code
    fault_log(
        "a session cookie is copied, then its owner signs out",
        f"the copy gets the login redirect (HTTP {page}) and the API refuses it (HTTP {api}); "
        f"the user's API token still answers (HTTP {token_after}); signing in again works "
        f"(HTTP {fresh})",
    )
    assert (page, api, token_after, fresh) == (303, 401, 200, (303, 200))


def test_a_password_change_ends_the_users_other_sessions_only(scanned: Scanned) -> None:
    with scanned.world.session() as session:
        add_user(session, "pw_changer", "webmaster", site_ids=[scanned.site_id])
    base = scanned.world.url
    with httpx.Client(base_url=base, timeout=30) as mine, httpx.Client(base_url=base) as other:
        assert _try_login(mine, "pw_changer", PASSWORD).status_code == 303
        assert _try_login(other, "pw_changer", PASSWORD).status_code == 303
        new = {
            "current": PASSWORD,
            "new": "n" * 12,
            "csrf_token": csrf_of(mine.get("/account").text),
        }
        assert mine.post("/account/password", data=new).status_code == 303
        assert (mine.get("/sites").status_code, other.get("/sites").status_code) == (200, 303)


# -- roles and ids ------------------------------------------------------------------------------


def test_a_webmaster_cannot_raise_its_role(scanned: Scanned, fault_log: FaultLog) -> None:
    base = scanned.world.url
    bearer = {"Authorization": f"Bearer {token_for(scanned.world, 'wm')}"}
    me = httpx.get(f"{base}/api/me", headers=bearer).json()
    attempts = {
        "POST /api/users (an admin)": httpx.post(
            f"{base}/api/users",
            json={"username": "evil", "password": "x" * 12, "role": "admin"},
            headers=bearer,
        ),
        "PUT /api/users/<self> role=admin": httpx.put(
            f"{base}/api/users/{me['id']}", json={"role": "admin"}, headers=bearer
        ),
        "POST /api/orgs": httpx.post(f"{base}/api/orgs", json={"name": "新组织"}, headers=bearer),
        "PUT /api/sites/<own> (admin only)": httpx.put(
            f"{base}/api/sites/{scanned.site_id}",
            json={"name": "x", "url": "http://127.0.0.1:9/", "config": {}},
            headers=bearer,
        ),
    }
    with login(scanned.world, "wm") as client:
        token = csrf_of(client.get("/account").text)
        attempts["POST /admin/users (form)"] = client.post(
            "/admin/users",
            data={"username": "evil2", "password": "x" * 12, "role": "admin", "csrf_token": token},
        )
        attempts["API write with the cookie but no CSRF header"] = client.post(
            f"/api/sites/{scanned.site_id}/scans"
        )
    after = httpx.get(f"{base}/api/me", headers=bearer).json()
    codes = {name: answer.status_code for name, answer in attempts.items()}
    fault_log(
        "a webmaster tries to create users, make itself admin, add orgs, edit its site, and "
        "to write through the API with its cookie but without the CSRF token",
        f"answers {codes}; its role is still {after['role']}",
    )
    assert after["role"] == "webmaster"
    assert all(code == 404 for name, code in codes.items() if "CSRF" not in name), codes
    assert codes["API write with the cookie but no CSRF header"] == 403
    with scanned.world.session() as session:
        assert session.exec(select(Site).where(Site.name == "x")).first() is None


def test_other_offices_ids_answer_404_on_every_route(scanned: Scanned, fault_log: FaultLog) -> None:
    """tests/test_scope_routes.py walks every route for four roles against a rich world; here
    the same walk runs once more against the ids of this hostile store."""
    bearer = {"Authorization": f"Bearer {token_for(scanned.world, 'wm')}"}
    with login(scanned.world, "wm") as client:
        leaks = _walk(scanned.world, client, scanned.other_ids, api_auth=bearer)
    fault_log(
        "a webmaster requests every page and API route with another office's site, scan, "
        "finding, org and user ids",
        f"{len(leaks)} routes answered anything but 404",
    )
    assert leaks == []


# -- where a registered site may lead the scan --------------------------------------------------


def test_a_public_site_cannot_lead_the_scan_inside(
    tmp_path, monkeypatch: pytest.MonkeyPatch, capfd: pytest.CaptureFixture, fault_log: FaultLog
) -> None:
    """The site, named localhost (so the crawl resolves it through the guard) and on
    127.0.0.1, is public here: the operator declares that one address fetchable, as for an
    extranet. The "intranet" is a server on 127.0.0.2 that counts every request. The site
    redirects the crawler there (one hop, the last hop of a chain, and a hop to 2130706434,
    127.0.0.2 spelled as a number the C resolver accepts), lists that host as an extra host
    of the site, and links a page and an attachment on it."""
    monkeypatch.setenv(FETCH_ALLOW_ENV, "127.0.0.1/32")  # the crawl process inherits it
    inside = lb.serve({}, fallback=lb.page("<title>内网管理台</title>"), address="127.0.0.2")
    with lb.servers(inside):
        intranet = f"http://127.0.0.2:{inside.port}"
        home = _page(
            "某市人民政府",
            '<a href="/go.html">办事大厅</a> <a href="/chain.html">旧版网站</a> '
            '<a href="/numeric.html">数据开放</a> '
            f'<a href="{intranet}/direct.html">内网页面</a> '
            f'<a href="{intranet}/list.xlsx">低保名单</a>',
        )
        routes = {
            "/": lb.page(home),
            "/go.html": lb.redirect(f"{intranet}/admin.html"),
            "/chain.html": lb.redirect("/chain2.html"),
            "/chain2.html": lb.redirect(f"{intranet}/old.html"),
            "/numeric.html": lb.redirect(f"http://2130706434:{inside.port}/data.html"),
        }
        with lb.servers(lb.serve(routes)) as (site_server,):
            db_url = f"sqlite:///{tmp_path / 'govpatrol.db'}"
            with Session(get_engine(db_url), expire_on_commit=False) as session:
                site = Site(
                    name="某市人民政府",
                    url=f"http://localhost:{site_server.port}/",
                    extra_hosts=[f"127.0.0.2:{inside.port}"],
                )
                session.add(site)
                session.commit()
                options = {"browser": False, "thresholds": {"link_timeout_s": 3.0}}
                scan = create_scan(session, site, trigger="test", as_of=AS_OF, options=options)
            done = run_scan(scan.id, db_url=db_url)
        with Session(get_engine(db_url)) as session:
            pages = {p.url: p for p in session.exec(select(Page).where(Page.scan_id == done.id))}
            targets = {
                t.url: t
                for t in session.exec(select(LinkTarget).where(LinkTarget.scan_id == done.id))
            }
            broken = session.exec(
                select(Finding.target).where(
                    Finding.scan_id == done.id, Finding.check == "broken_link"
                )
            ).all()
    skips = capfd.readouterr().err.count("SSRF guard: skipped")
    base = f"http://localhost:{site_server.port}/"
    led_inside = [base + p for p in ("go.html", "chain.html", "numeric.html")]
    led_inside.append(f"{intranet}/direct.html")
    linked_inside = [*led_inside, f"{intranet}/list.xlsx"]
    fault_log(
        "a public site redirects the crawler into an internal address (one hop, the last hop "
        "of a chain, the address spelled as a number), names that address as an extra host, "
        "and links a page and an attachment on it",
        f"the internal server got {len(inside.hits)} requests; the crawl logged {skips} "
        f"skips and recorded {sorted({(pages[u].error or '')[:12] for u in led_inside})}; "
        f"the links are {sorted({targets[u].outcome.value for u in linked_inside})}, "
        f"{len(broken)} broken; scan {done.status.value}",
    )
    assert done.status == ScanStatus.done, done.error
    assert inside.hits == []
    assert skips >= 4
    for url in led_inside:
        assert pages[url].kind == "failed" and pages[url].error.startswith("ssrf_refused"), url
    for url in linked_inside:
        assert targets[url].outcome == LinkOutcome.unverified, url
        assert targets[url].error == REFUSED_TEXT, url
    assert broken == []


# -- where sites may point ----------------------------------------------------------------------

INTERNAL = [
    "http://127.0.0.1:8080/",
    "http://localhost:8000/",
    "http://10.0.0.8/",
    "http://192.168.1.1/",
    "http://169.254.169.254/latest/meta-data/",
    "http://[::1]/",
    "http://[::ffff:127.0.0.1]/",
    "http://100.64.0.1/",
]
NOT_ALLOWLISTED = ["http://www.example.com/", "http://2130706433/", "http://0x7f.1/"]


def test_site_policy_rules() -> None:
    assert host_allowed("www.xx.gov.cn", ["*.gov.cn"])
    assert host_allowed("a.b.gov.cn", ["*.gov.cn"])
    assert not host_allowed("evilgov.cn", ["*.gov.cn"])
    assert not host_allowed("gov.cn.evil.com", ["*.gov.cn"])
    assert not host_allowed("gov.cn", ["*.gov.cn"])
    for address in ("127.0.0.1", "10.1.2.3", "::1", "::ffff:10.0.0.1", "fe80::1", "100.64.0.1"):
        assert is_internal(ipaddress.ip_address(address)), address
    assert not is_internal(ipaddress.ip_address("202.108.22.5"))
    # a name under the allowlist that resolves inside is refused; a resolver is passed in
    # so no real DNS is asked
    inside = [ipaddress.ip_address("10.9.8.7")]
    with pytest.raises(SiteNotAllowed, match=re.escape("10.9.8.7")):
        check_site_url("http://www.x.gov.cn/", admin=False, resolver=lambda host: inside)
    check_site_url("http://www.x.gov.cn/", admin=True, resolver=lambda host: inside)
    check_site_url(
        "http://www.x.gov.cn/",
        admin=False,
        resolver=lambda host: [ipaddress.ip_address("202.108.22.5")],
    )


def test_only_admins_register_internal_sites(
    scanned: Scanned, fault_log: FaultLog, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setenv(ALLOWLIST_ENV, "*.gov.cn, *.invalid, localhost")
    base = scanned.world.url
    wm = {"Authorization": f"Bearer {token_for(scanned.world, 'wm')}"}
    admin = {"Authorization": f"Bearer {token_for(scanned.world, 'admin')}"}

    def register(url: str, headers: dict, **extra) -> httpx.Response:
        body = {"name": f"登记 {url}", "url": url, **extra}
        return httpx.post(f"{base}/api/sites", json=body, headers=headers, timeout=30)

    refused = {url: register(url, wm).status_code for url in INTERNAL + NOT_ALLOWLISTED}
    allowed = register("http://www.shizhan.invalid/", wm)
    with_config = register(
        "http://www2.shizhan.invalid/", wm, config={"thresholds": {"concurrency": 500}}
    )
    by_admin = register("http://127.0.0.1:9/intranet/", admin)
    mine = {s["id"] for s in httpx.get(f"{base}/api/sites", headers=wm).json()}
    fault_log(
        f"a webmaster registers {len(INTERNAL)} internal addresses (loopback, private, "
        "link-local metadata, IPv4-mapped IPv6, CGNAT, localhost by name) and "
        f"{len(NOT_ALLOWLISTED)} names outside the allowlist (incl. 2130706433, 0x7f.1)",
        f"all refused ({sorted(set(refused.values()))}); an allowlisted name: "
        f"{allowed.status_code} and linked to the webmaster; with its own thresholds: "
        f"{with_config.status_code}; an admin registering 127.0.0.1: {by_admin.status_code}",
    )
    assert set(refused.values()) == {403}, refused
    assert allowed.status_code == 201, allowed.text
    assert allowed.json()["id"] in mine
    assert with_config.status_code == 403
    assert by_admin.status_code == 201, by_admin.text
    assert "internal" in register("http://localhost:9/", wm).json()["detail"]


def test_localhost_subdomains_are_loopback_and_never_looked_up(
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    """RFC 6761 6.3: every ``*.localhost`` name is loopback. Allowlisting the pattern must not
    let a webmaster register one, and resolving one sends no DNS query at all."""
    asked: list[object] = []
    monkeypatch.setattr(socket, "getaddrinfo", lambda *args, **kw: asked.append(args) or [])
    monkeypatch.setenv(ALLOWLIST_ENV, "*.localhost")
    with pytest.raises(SiteNotAllowed, match="internal"):
        check_site_url("http://portal.localhost/", admin=False, resolver=lambda host: [])
    check_site_url("http://portal.localhost/", admin=True)
    assert resolve("portal.localhost") == [] and resolve("a.b.LOCALHOST.") == []
    assert asked == []


def test_the_allowlist_defaults_to_gov_cn(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.delenv(ALLOWLIST_ENV, raising=False)
    with pytest.raises(SiteNotAllowed, match=re.escape("*.gov.cn")):
        check_site_url("http://www.example.com/", admin=False, resolver=lambda host: [])
    check_site_url("http://www.x.gov.cn/", admin=False, resolver=lambda host: [])
