"""Registering a site twice, over real HTTP (uvicorn on 127.0.0.1) and the real CLI.

Issue #18 part 6: POST /api/sites with another office's URL answered 409 "已登记为网站 #2"
while GET /api/sites/2 answered 404, and the same URL plus index.html registered as a second
site. A conflict names the existing site only to a caller who may see it, and the check
compares canonical URLs (host case, default port, trailing slash, default documents) in
the CLI, the dashboard form and the JSON API alike.
"""

from __future__ import annotations

import ipaddress
import re
from collections.abc import Iterator
from dataclasses import dataclass
from pathlib import Path

import httpx
import pytest
from sqlmodel import Session, func, select
from typer.testing import CliRunner

from crawler import netguard
from dashboard.app import create_app
from dashboard.server import BackgroundServer
from govpatrol.cli.main import app as cli_app
from govpatrol.core.auth import create_user, issue_api_token
from govpatrol.core.db import get_engine
from govpatrol.core.models import Org, Site
from scan.site_policy import canonical_site_url

PASSWORD = "correct-horse-9"
REGISTERED = "https://www.xx.gov.cn/"
# the same site, spelled the ways people type it
SPELLINGS = [
    "https://WWW.xx.gov.cn/index.html",
    "https://www.xx.gov.cn:443/index.htm",
    "https://www.xx.gov.cn",
    "https://www.xx.gov.cn/default.aspx",
]
OTHER_OFFICE = "外省某厅"


@dataclass
class Offices:
    url: str
    db_url: str
    site_id: int
    tokens: dict[str, str]

    def site_count(self) -> int:
        with Session(get_engine(self.db_url)) as session:
            return session.exec(select(func.count()).select_from(Site)).one()


@pytest.fixture
def offices(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> Iterator[Offices]:
    """Another office's site on REGISTERED; a webmaster of this office who cannot see it, a
    supervisor of the other office who can, and an admin. Names resolve to a public address
    (the registration policy looks them up)."""
    monkeypatch.setattr(
        netguard, "system_resolve", lambda host: [ipaddress.ip_address("202.108.22.5")]
    )
    db_url = f"sqlite:///{tmp_path / 'govpatrol.db'}"
    monkeypatch.setenv("GOVPATROL_DATABASE_URL", db_url)
    with Session(get_engine(db_url), expire_on_commit=False) as session:
        ours, theirs = Org(name="某市民政局"), Org(name=OTHER_OFFICE)
        session.add_all([ours, theirs])
        session.commit()
        their_site = Site(name="外省某厅网站", url=REGISTERED, org_id=theirs.id)
        our_site = Site(name="某市民政局网站", url="https://mz.yy.gov.cn/", org_id=ours.id)
        session.add_all([their_site, our_site])
        session.commit()
        users = {
            "webmaster": create_user(
                session, "wm", PASSWORD, "webmaster", org_id=ours.id, site_ids=[our_site.id]
            ),
            "their_supervisor": create_user(
                session, "sup", PASSWORD, "supervisor", org_id=theirs.id
            ),
            "admin": create_user(session, "admin", PASSWORD, "admin"),
        }
        tokens = {role: issue_api_token(session, user) for role, user in users.items()}
        site_id = their_site.id
    app = create_app(db_url, secret_key="k" * 48, dispatch=lambda scan_id: None)
    with BackgroundServer(app) as server:
        yield Offices(server.url, db_url, site_id, tokens)


def _register(offices: Offices, role: str, url: str, org: str | None = None) -> httpx.Response:
    with Session(get_engine(offices.db_url)) as session:
        org_id = session.exec(select(Org.id).where(Org.name == org)).first() if org else None
    with httpx.Client(base_url=offices.url, timeout=30) as client:
        return client.post(
            "/api/sites",
            json={"name": "重复登记", "url": url, "org_id": org_id},
            headers={"Authorization": f"Bearer {offices.tokens[role]}"},
        )


def test_every_spelling_of_a_site_is_one_site() -> None:
    assert {canonical_site_url(u) for u in [REGISTERED, *SPELLINGS]} == {REGISTERED}
    assert canonical_site_url("http://x.gov.cn:80/col/a/") == canonical_site_url(
        "http://x.gov.cn/col/a/index.shtml"
    )
    assert canonical_site_url("https://x.gov.cn/") != canonical_site_url("https://x.gov.cn:8443/")
    assert canonical_site_url("https://x.gov.cn/a/") != canonical_site_url("https://x.gov.cn/b/")


def test_a_conflict_names_the_site_only_to_who_may_see_it(offices: Offices) -> None:
    with httpx.Client(base_url=offices.url, timeout=30) as client:
        hidden = client.get(
            f"/api/sites/{offices.site_id}",
            headers={"Authorization": f"Bearer {offices.tokens['webmaster']}"},
        )
    assert hidden.status_code == 404  # the webmaster cannot see the other office's site
    for url in [REGISTERED, *SPELLINGS]:
        answer = _register(offices, "webmaster", url)
        assert answer.status_code == 409, (url, answer.text)
        detail = answer.json()["detail"]
        assert "已被登记" in detail and "already registered" in detail
        assert not re.search(r"#\s*\d", detail) and str(offices.site_id) not in detail
        assert OTHER_OFFICE not in detail and "外省" not in detail
        seen = _register(offices, "their_supervisor", url, OTHER_OFFICE)
        assert seen.status_code == 409 and f"#{offices.site_id}" in seen.json()["detail"]
    assert offices.site_count() == 2


def test_index_html_duplicates_are_refused_via_cli_form_and_api(offices: Offices) -> None:
    duplicate = "https://www.xx.gov.cn/index.html"
    api = _register(offices, "admin", duplicate)
    assert api.status_code == 409 and f"#{offices.site_id}" in api.json()["detail"]
    with httpx.Client(base_url=offices.url, timeout=30) as client:
        token = re.search(r'name="csrf_token" value="([^"]+)"', client.get("/login").text)
        assert token
        signed_in = client.post(
            "/login",
            data={"username": "admin", "password": PASSWORD, "csrf_token": token.group(1)},
        )
        assert signed_in.status_code == 303
        form = client.get("/admin/sites/new").text
        csrf = re.search(r'name="csrf_token" value="([^"]+)"', form)
        assert csrf
        fields = {"name": "重复登记", "url": duplicate, "active": "1", "config": "{}"}
        page = client.post("/admin/sites", data={**fields, "csrf_token": csrf.group(1)})
    assert page.status_code == 400 and f"#{offices.site_id}" in page.text
    cli = CliRunner().invoke(cli_app, ["sites", "add", duplicate, "--name", "重复登记"])
    assert cli.exit_code == 2 and f"#{offices.site_id}" in cli.output, cli.output
    assert offices.site_count() == 2


def test_an_admin_registers_an_intranet_site_and_sees_its_zone(
    offices: Offices, monkeypatch: pytest.MonkeyPatch
) -> None:
    """The zone an admin's registration fixes is shown on the site page (both languages),
    the edit form, the API and ``govpatrol sites list``."""
    monkeypatch.setattr(netguard, "system_resolve", lambda host: [ipaddress.ip_address("10.8.1.2")])
    with httpx.Client(base_url=offices.url, timeout=30) as client:
        token = re.search(r'name="csrf_token" value="([^"]+)"', client.get("/login").text)
        assert token
        data = {"username": "admin", "password": PASSWORD, "csrf_token": token.group(1)}
        assert client.post("/login", data=data).status_code == 303
        csrf = re.search(r'name="csrf_token" value="([^"]+)"', client.get("/admin/sites/new").text)
        assert csrf
        fields = {"name": "某市协同办公", "url": "http://oa.zz.gov.cn/", "config": "{}"}
        saved = client.post("/admin/sites", data={**fields, "csrf_token": csrf.group(1)})
        assert saved.status_code == 303, saved.text
        page = client.get(saved.headers["location"]).text
        english = client.get(saved.headers["location"] + "?lang=en").text
        form = client.get("/admin/sites/" + saved.headers["location"].rsplit("/", 1)[1]).text
        api = client.get(
            "/api/sites/" + saved.headers["location"].rsplit("/", 1)[1],
            headers={"Authorization": f"Bearer {offices.tokens['admin']}"},
        ).json()
    zone_of = lambda html: re.search(r'id="address-zone">(.*?)</d[dl]>', html, re.S)  # noqa: E731
    assert "<code>private</code> · 内网" in zone_of(page).group(1)
    assert "<code>private</code> · private network" in zone_of(english).group(1)
    assert "<code>private</code>" in form
    assert api["address_zone"] == "private"
    listed = CliRunner().invoke(cli_app, ["sites", "list"])
    assert listed.exit_code == 0 and "private" in listed.output
