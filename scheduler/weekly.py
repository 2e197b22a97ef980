"""The Monday-morning publication: every site's report and every organisation's overview
written to ``reports_dir()/<date>/``, then mailed when SMTP is configured.

File names follow the overview's links (``site-<id>.html`` beside ``org-<id>.html``), so the
folder can be copied anywhere, zipped or put on an intranet share and still navigates.
"""

from __future__ import annotations

import datetime as dt
import html
import logging
from dataclasses import dataclass, field
from pathlib import Path

from sqlmodel import Session, col, select

from govpatrol.core import atomic
from govpatrol.core.clock import office_today
from govpatrol.core.models import Org, Site
from govpatrol.core.settings import reports_dir
from scheduler.mail import SmtpSettings, build_message, send_mail

log = logging.getLogger(__name__)


@dataclass
class WeeklyReports:
    folder: Path
    site_files: dict[int, Path] = field(default_factory=dict)
    org_files: dict[int, Path] = field(default_factory=dict)
    index: Path | None = None
    mailed_to: tuple[str, ...] = ()

    @property
    def files(self) -> list[Path]:
        return [*self.org_files.values(), *self.site_files.values()]


def _orgs_with_sites(session: Session, site_org_ids: set[int]) -> list[Org]:
    """Organisations with at least one active site in their subtree (an empty org's
    overview would be a page of nothing)."""
    orgs = {o.id: o for o in session.exec(select(Org))}
    wanted: set[int] = set()
    for org_id in site_org_ids:
        seen: set[int] = set()
        while org_id is not None and org_id in orgs and org_id not in seen:
            seen.add(org_id)
            wanted.add(org_id)
            org_id = orgs[org_id].parent_id
    return [orgs[i] for i in sorted(wanted)]


def write_weekly_reports(
    session: Session, out_dir: Path | None = None, *, day: dt.date | None = None, lang: str = "zh"
) -> WeeklyReports:
    """Render the reports of every active site with a finished scan, and the overviews."""
    from reports.org_overview import render_org_overview
    from reports.site_report import render_site_report
    from scoring.scans import latest_scan

    day = day or office_today()
    folder = (out_dir or reports_dir()) / day.isoformat()
    folder.mkdir(parents=True, exist_ok=True)
    result = WeeklyReports(folder)
    sites = list(session.exec(select(Site).where(col(Site.active)).order_by(col(Site.id))))
    for site in sites:
        if latest_scan(session, site.id) is None:
            continue
        path = folder / f"site-{site.id}.html"
        atomic.write_text(path, render_site_report(session, site.id, lang=lang))
        result.site_files[site.id] = path
    for org in _orgs_with_sites(session, {s.org_id for s in sites if s.org_id is not None}):
        path = folder / f"org-{org.id}.html"
        atomic.write_text(path, render_org_overview(session, org.id, lang=lang))
        result.org_files[org.id] = path
    result.index = _write_index(folder, day, sites, result, session)
    return result


def _write_index(
    folder: Path, day: dt.date, sites: list[Site], result: WeeklyReports, session: Session
) -> Path:
    """A plain table of contents; every name is escaped (site names are typed by people)."""
    rows = []
    for org_id, path in result.org_files.items():
        org = session.get(Org, org_id)
        rows.append(
            f'<li>组织通报：<a href="{path.name}">{html.escape(org.name if org else "")}</a></li>'
        )
    names = {s.id: s.name for s in sites}
    for site_id, path in result.site_files.items():
        rows.append(f'<li>网站报告：<a href="{path.name}">{html.escape(names[site_id])}</a></li>')
    title = f"网站巡检周报 {day.isoformat()}"
    page = (
        '<!doctype html><html lang="zh-CN"><head><meta charset="utf-8">'
        f"<title>{title}</title></head><body><h1>{title}</h1><ul>{''.join(rows)}</ul>"
        "</body></html>"
    )
    return atomic.write_text(folder / "index.html", page)


def mail_weekly_reports(reports: WeeklyReports, settings: SmtpSettings, day: dt.date) -> None:
    body = (
        f"本周网站巡检报告已生成（{day.isoformat()}）：组织通报 {len(reports.org_files)} 份，"
        f"网站报告 {len(reports.site_files)} 份。附件为自包含的 HTML 文件，可直接用浏览器打开。\n"
        f"报告目录：{reports.folder}"
    )
    subject = f"网站巡检周报 {day.isoformat()}"
    send_mail(settings, build_message(settings, subject, body, reports.files))


def publish_weekly_reports(
    session: Session,
    out_dir: Path | None = None,
    *,
    day: dt.date | None = None,
    smtp: SmtpSettings | None = None,
) -> WeeklyReports:
    """Write the week's reports; mail them when SMTP is configured (``smtp`` or the env)."""
    day = day or office_today()
    reports = write_weekly_reports(session, out_dir, day=day)
    settings = smtp or SmtpSettings.from_env()
    if settings is not None and reports.files:
        mail_weekly_reports(reports, settings, day)
        reports.mailed_to = settings.recipients
        log.info("weekly reports mailed to %s", ", ".join(settings.recipients))
    return reports
