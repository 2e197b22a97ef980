"""The Monday-morning publication: every site's report and every organisation's overview
written to ``reports_dir()/<date>/``, then mailed when SMTP is configured.

Who is mailed what (docs/administration.md): each webmaster with an e-mail address gets the
reports of the sites they look after; each user of an office (a supervisor or admin whose
organisation has sites in its subtree) gets that office's overview with the reports of the
sites under it; ``GOVPATROL_SMTP_TO``, when set, gets a copy of everything. Nobody is sent a
site outside their own sites or office.

File names follow the overview's links (``site-<id>.html`` beside ``org-<id>.html``), so the
folder can be copied anywhere, zipped or put on an intranet share and still navigates.
"""

from __future__ import annotations

import datetime as dt
import html
import logging
from collections.abc import Iterable
from dataclasses import dataclass, field
from email.message import EmailMessage
from pathlib import Path

from sqlmodel import Session, col, select

from govpatrol.core import atomic
from govpatrol.core.clock import office_today
from govpatrol.core.models import Org, Site, User, UserSite
from govpatrol.core.settings import reports_dir
from scheduler.mail import SmtpSettings, build_message, send_mails

log = logging.getLogger(__name__)


@dataclass
class WeeklyReports:
    folder: Path
    site_files: dict[int, Path] = field(default_factory=dict)
    org_files: dict[int, Path] = field(default_factory=dict)
    index: Path | None = None
    mailed_to: tuple[str, ...] = ()
    # address -> names of the files it was sent; the refused ones with the relay's reason
    deliveries: dict[str, tuple[str, ...]] = field(default_factory=dict)
    mail_failures: dict[str, str] = field(default_factory=dict)

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


@dataclass
class Delivery:
    """One mail: who, about what, with which report files."""

    to: str
    subject: str
    body: str
    files: list[Path]


def _subtree(orgs: dict[int, Org], root: int) -> set[int]:
    """The org ``root`` and every org below it (loops in bad data end the walk)."""
    children: dict[int | None, list[int]] = {}
    for org in orgs.values():
        children.setdefault(org.parent_id, []).append(org.id)
    found, todo = set(), [root]
    while todo:
        org_id = todo.pop()
        if org_id not in found:
            found.add(org_id)
            todo += children.get(org_id, [])
    return found


def _join(paths: Iterable[Path]) -> list[Path]:
    return list(dict.fromkeys(paths))


def plan_deliveries(session: Session, reports: WeeklyReports, day: dt.date) -> list[Delivery]:
    """The personal mails of the week, one per address: a webmaster's own sites, an
    office's overview and the sites under it. Users without an address get nothing."""
    orgs = {o.id: o for o in session.exec(select(Org))}
    sites = {s.id: s for s in session.exec(select(Site))}
    users = [u for u in session.exec(select(User).order_by(col(User.id))) if u.email]
    links: dict[int, list[int]] = {}
    for link in session.exec(select(UserSite)):
        links.setdefault(link.user_id, []).append(link.site_id)
    files: dict[str, list[Path]] = {}
    topics: dict[str, list[str]] = {}
    for user in users:
        address = user.email or ""
        if user.role == "webmaster":
            own = sorted(sid for sid in links.get(user.id, []) if sid in reports.site_files)
            if own:
                files.setdefault(address, []).extend(reports.site_files[sid] for sid in own)
                topics.setdefault(address, []).extend(sites[sid].name for sid in own)
        elif user.role in ("supervisor", "admin") and user.org_id in reports.org_files:
            under = _subtree(orgs, user.org_id)
            files.setdefault(address, []).append(reports.org_files[user.org_id])
            files[address].extend(
                path
                for sid, path in reports.site_files.items()
                if sid in sites and sites[sid].org_id in under
            )
            topics.setdefault(address, []).append(orgs[user.org_id].name)
    deliveries = []
    for address, paths in files.items():
        names = "、".join(dict.fromkeys(topics[address]))
        deliveries.append(
            Delivery(
                to=address,
                subject=f"网站巡检周报 {day.isoformat()}：{names}",
                body=(
                    f"{names} 本周网站巡检报告（{day.isoformat()}）见附件。附件为自包含的 "
                    "HTML 文件，可直接用浏览器打开；也可登录管理后台查看。"
                ),
                files=_join(paths),
            )
        )
    return deliveries


def mail_weekly_reports(
    reports: WeeklyReports,
    settings: SmtpSettings,
    day: dt.date,
    deliveries: Iterable[Delivery] = (),
) -> None:
    """Send the personal mails and, when ``GOVPATROL_SMTP_TO`` is set, the copy of
    everything; record who got which files and which addresses the relay refused."""
    messages: list[tuple[EmailMessage, str, list[Path]]] = []
    for delivery in deliveries:
        message = build_message(
            settings, delivery.subject, delivery.body, delivery.files, to=[delivery.to]
        )
        messages.append((message, delivery.to, delivery.files))
    if settings.recipients:
        body = (
            f"本周网站巡检报告已生成（{day.isoformat()}）：组织通报 {len(reports.org_files)} 份，"
            f"网站报告 {len(reports.site_files)} 份。附件为自包含的 HTML 文件，可直接用浏览器打开。\n"
            f"报告目录：{reports.folder}"
        )
        subject = f"网站巡检周报 {day.isoformat()}"
        message = build_message(settings, subject, body, reports.files)
        messages.append((message, ", ".join(settings.recipients), reports.files))
    failures = send_mails(settings, [m for m, _, _ in messages])
    reports.mail_failures = failures
    mailed: list[str] = []
    for message, to, paths in messages:
        if str(message["To"]) in failures:
            continue
        reports.deliveries[to] = tuple(p.name for p in paths)
        mailed += [a.strip() for a in to.split(",")]
    reports.mailed_to = tuple(mailed)


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
        mail_weekly_reports(reports, settings, day, plan_deliveries(session, reports, day))
        if reports.mailed_to:
            log.info("weekly reports mailed to %s", ", ".join(reports.mailed_to))
        for to, reason in reports.mail_failures.items():
            log.warning("weekly report to %s refused by the relay: %s", to, reason)
    return reports
