"""A site's address zone is fixed when it is registered, not by DNS at scan time.

The attack (issue #18, part 2): a webmaster registers a name that resolves to a public
address, then points it at 127.0.0.1; every scan re-derived the site's zone from what the
name resolved to then, so the crawler, the probe and the link verifier went inside and the
internal answers came back through the findings. Here the name is answered by the resolver
seam the SSRF guard looks up at each guard (``crawler.netguard.system_resolve``), and the
"internal service" is a canary server on 127.0.0.1 that must receive nothing.
"""

from __future__ import annotations

import datetime as dt
import ipaddress
import socket
from collections.abc import Iterator
from pathlib import Path

import pytest
from alembic import command
from alembic.config import Config
from sqlalchemy import text
from sqlmodel import Session

from checks.link_options import LinkOptions
from checks.links import verify_config
from crawler import netguard
from crawler.middleware import SITE_ZONE_SETTING, GuardedResolver, crawl_guard
from crawler.netguard import REFUSED_TEXT, Refused
from crawler.run import scrapy_settings
from crawler.verify import verify_sync
from crawler.verify_types import TargetIn
from dashboard import actions
from dashboard.scope import Scope
from govpatrol.core.db import MIGRATIONS_DIR, get_engine, make_engine
from govpatrol.core.models import LinkOutcome, ScanStatus, Site, User
from govpatrol.core.settings import Thresholds
from govpatrol.core.site_settings import options_of
from scan.pipeline import crawl_job, create_scan, run_scan
from scan.site_policy import site_zone
from scheduler.probe import probe_site
from tests import loopback as lb

NAME = "www.rebind.gov.cn"
PUBLIC_ADDRESS = "202.108.22.5"
OUTSIDE_WORDS = "域名现解析到登记范围之外的地址（本机），已拒绝访问"


@pytest.fixture
def dns(monkeypatch: pytest.MonkeyPatch) -> dict[str, list[str]]:
    """The names the guard and the registration policy resolve, editable by the test."""
    names: dict[str, list[str]] = {}

    def resolve(host: str) -> list[netguard.IPAddress]:
        if host not in names:
            raise socket.gaierror(socket.EAI_NONAME, "unknown")
        return [ipaddress.ip_address(a) for a in names[host]]

    monkeypatch.setattr(netguard, "system_resolve", resolve)
    return names


@pytest.fixture
def canary() -> Iterator[lb.LoopbackServer]:
    """The internal service the name is re-pointed at; it answers anything, and must be
    asked nothing."""
    with lb.servers(lb.serve({}, fallback=lb.page("<title>内网管理台 机密</title>"))) as (server,):
        yield server


def test_registration_fixes_the_zone_once_through_one_function(dns) -> None:
    dns.update({NAME: [PUBLIC_ADDRESS], "oa.city.gov.cn": ["10.1.2.3"]})
    assert site_zone(f"http://{NAME}/", admin=False) == "public"
    # an admin's intranet site reaches its intranet; a literal address is its own zone
    assert site_zone("http://oa.city.gov.cn/", admin=True) == "private"
    assert site_zone("http://127.0.0.1:8080/", admin=True) == "loopback"
    assert site_zone("http://gone.city.gov.cn/", admin=True) == "public"  # unresolvable now


def test_a_site_re_pointed_inside_is_refused_by_scan_probe_and_link_check(
    dns, canary: lb.LoopbackServer, tmp_path: Path
) -> None:
    db_url = f"sqlite:///{tmp_path / 'govpatrol.db'}"
    url = f"http://{NAME}:{canary.port}/"
    dns[NAME] = [PUBLIC_ADDRESS]
    with Session(get_engine(db_url), expire_on_commit=False) as session:
        user = User(username="wm", password_hash="-", role="webmaster")  # never signs in here
        session.add(user)
        session.commit()
        webmaster = Scope(user.id, "webmaster", site_ids=frozenset(), org_ids=frozenset())
        site = actions.create_site(session, actions.SiteIn(name="某县政府", url=url), webmaster)
        assert site.address_zone == "public"
        dns[NAME] = ["127.0.0.1"]  # the webmaster re-points the name after registration
        options = {"browser": False, "thresholds": {"link_timeout_s": 3.0}}
        scan = create_scan(
            session, site, trigger="test", as_of=dt.date(2026, 12, 1), options=options
        )
    done = run_scan(scan.id, db_url=db_url)
    probe = probe_site(site, timeout_s=3.0)
    config = verify_config(
        options_of(Thresholds(link_timeout_s=3.0), LinkOptions),
        None,
        {},
        site.url,
        site.address_zone,
    )
    [link] = verify_sync([TargetIn(url + "secret.html")], config)

    assert canary.hits == []
    assert done.status == ScanStatus.failed
    assert OUTSIDE_WORDS in done.error and "127.0.0.1" in done.error
    assert OUTSIDE_WORDS in done.stats["zone_refused"]
    assert not probe.ok and probe.error.startswith("zone_refused:") and OUTSIDE_WORDS in probe.error
    assert link.outcome == LinkOutcome.unverified and link.error == REFUSED_TEXT


def test_the_crawl_process_guards_with_the_registered_zone(dns, tmp_path: Path) -> None:
    """The crawl runs in a process of its own: the zone travels in its job and settings,
    and its guard (the request middleware's and the Twisted resolver's) refuses the name."""
    dns[NAME] = ["127.0.0.1"]
    db_url = f"sqlite:///{tmp_path / 'govpatrol.db'}"
    with Session(get_engine(db_url), expire_on_commit=False) as session:
        site = Site(name="某县政府", url=f"http://{NAME}/", address_zone="public")
        session.add(site)
        session.commit()
        scan = create_scan(session, site, trigger="test")
    settings = scrapy_settings(crawl_job(scan, site, db_url))
    assert settings[SITE_ZONE_SETTING] == "public"
    guard = crawl_guard(site.url, settings[SITE_ZONE_SETTING])
    with pytest.raises(Refused):
        guard.vet(NAME)
    with pytest.raises(Exception, match="SSRF guard"):
        GuardedResolver(None, guard)._ipv4(NAME)


def _store_at(db_url: str, revision: str) -> None:
    cfg = Config()
    cfg.set_main_option("script_location", str(MIGRATIONS_DIR))
    cfg.set_main_option("sqlalchemy.url", db_url)
    engine = make_engine(db_url)
    with engine.begin() as connection:
        cfg.attributes["connection"] = connection
        command.upgrade(cfg, revision)
    engine.dispose()


def test_the_upgrade_gives_existing_sites_the_restrictive_zone(tmp_path: Path) -> None:
    """Rows registered before 0003: "public", unless the URL is a literal address of
    another class (which cannot be re-pointed)."""
    db_url = f"sqlite:///{tmp_path / 'old.db'}"
    _store_at(db_url, "0002")
    rows = {
        "http://www.city.gov.cn/": "public",
        "http://oa.city.gov.cn/": "public",  # an intranet name: re-fixed by an admin's save
        "http://10.0.0.5/": "private",
        "http://127.0.0.1:8080/": "loopback",
        "http://[::1]:8080/": "loopback",
        "http://100.64.0.1/": "shared",
        "http://202.108.22.5/": "public",
    }
    engine = make_engine(db_url)
    with engine.begin() as connection:
        for i, url in enumerate(rows):
            connection.execute(
                text(
                    "INSERT INTO site (name, url, is_portal, is_government, path_prefix, "
                    "active, created_at) VALUES (:name, :url, 0, 0, '/', 1, '2026-01-01')"
                ),
                {"name": f"site {i}", "url": url},
            )
    _store_at(db_url, "head")
    with engine.connect() as connection:
        got = dict(connection.execute(text("SELECT url, address_zone FROM site")).all())
    engine.dispose()
    assert got == rows
