"""``govpatrol demo``: serve the bundled sample portal on 127.0.0.1, scan it, write its
weekly report. What a new user runs first, so it needs nothing but this package."""

from __future__ import annotations

import datetime as dt
import json
import socket
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from dataclasses import dataclass
from pathlib import Path

from sqlmodel import Session, select

from govpatrol.core import atomic
from govpatrol.core.clock import office_today
from govpatrol.core.db import get_engine
from govpatrol.core.models import Org, Scan, Site
from govpatrol.core.settings import reports_dir

DEMO_ORG = "示例市人民政府"
DEMO_SUB_ORG = "示例市民政局"
DEMO_SITE = "示例市民政局门户网站"
DEFAULT_PORT = 8731


class DemoNotGenerated(LookupError):
    """``--serve`` was asked for a folder no demo has generated a portal in."""


@dataclass
class DemoResult:
    scan: Scan
    report: Path
    export: Path
    base_url: str

    @property
    def port(self) -> int:
        return int(self.base_url.rstrip("/").rsplit(":", 1)[1])


def free_port(preferred: int) -> int:
    """The preferred port when free (so the demo site keeps one URL and its history), else any."""
    with socket.socket() as sock:
        try:
            sock.bind(("127.0.0.1", preferred))
            return preferred
        except OSError:
            sock.bind(("127.0.0.1", 0))
            return sock.getsockname()[1]


def _demo_site(session: Session, base_url: str) -> Site:
    parent = session.exec(select(Org).where(Org.name == DEMO_ORG)).first()
    if parent is None:
        parent = Org(name=DEMO_ORG)
        session.add(parent)
        session.commit()
    org = session.exec(select(Org).where(Org.name == DEMO_SUB_ORG)).first()
    if org is None:
        org = Org(name=DEMO_SUB_ORG, parent_id=parent.id)
        session.add(org)
        session.commit()
    site = session.exec(select(Site).where(Site.url == base_url)).first()
    if site is None:
        from scan.site_policy import site_zone

        zone = site_zone(base_url, admin=True)  # loopback: the portal is on 127.0.0.1
        site = Site(name=DEMO_SITE, url=base_url, org_id=org.id, address_zone=zone)
        session.add(site)
        session.commit()
        session.refresh(site)
    return site


@contextmanager
def serve_demo(portal_dir: Path, port: int = DEFAULT_PORT) -> Iterator[str]:
    """Serve the portal an earlier ``run_demo`` generated, at the port it was scanned on
    (the site is registered under that URL), on 127.0.0.1; yields its base URL."""
    from sampleportal.server import PortalServer

    if not (portal_dir / "routes.json").is_file():
        raise DemoNotGenerated(
            f"{portal_dir} 中没有示例网站：先运行 govpatrol demo（或 make demo）生成"
        )
    server = PortalServer(portal_dir, port=port).start()
    try:
        yield server.base_url
    finally:
        server.stop()


def run_demo(
    portal_dir: Path,
    *,
    port: int = DEFAULT_PORT,
    browser: bool = True,
    as_of: dt.date | None = None,
    run: Callable[[Scan], Scan] | None = None,
    thresholds: dict[str, object] | None = None,
    checks: list[str] | None = None,
) -> DemoResult:
    from reports.export import export_json
    from reports.site_report import render_site_report
    from sampleportal.generate import generate_portal
    from sampleportal.server import PortalServer
    from scan.pipeline import reap_stale_scans, run_scan
    from scheduler.scan_queue import start_scan

    as_of = as_of or office_today()
    generate_portal(portal_dir, as_of)
    server = PortalServer(portal_dir, port=free_port(port)).start()
    try:
        with Session(get_engine(), expire_on_commit=False) as session:
            reap_stale_scans(session)
            site = _demo_site(session, server.base_url)
            options = {"browser": browser, "thresholds": thresholds or {}, "checks": checks}
            scan = start_scan(session, site, trigger="demo", as_of=as_of, options=options)
        done = run(scan) if run else run_scan(scan.id)
    finally:
        server.stop()
    out = reports_dir()
    with Session(get_engine(), expire_on_commit=False) as session:
        report = atomic.write_text(
            out / f"site-{site.id}.html", render_site_report(session, site.id, done.id)
        )
        export = atomic.write_text(
            out / f"scan-{done.id}.json",
            json.dumps(export_json(session, done.id), ensure_ascii=False, indent=2, default=str),
        )
    return DemoResult(scan=done, report=report, export=export, base_url=server.base_url)
