"""Who is mailed which weekly reports (scheduler.weekly): each webmaster their own sites, each
office its overview with the sites under it, GOVPATROL_SMTP_TO a copy of everything; checked
on a real SMTP server on 127.0.0.1 (aiosmtpd), by the envelope recipients and attachments."""

from __future__ import annotations

import datetime as dt
import email
import email.policy
from collections.abc import Iterator
from pathlib import Path

import pytest
from sqlmodel import Session

from govpatrol.core.db import get_engine
from govpatrol.core.models import Org, Scan, ScanStatus, Site, User, UserSite, utcnow
from scheduler.mail import SmtpSettings
from scheduler.weekly import publish_weekly_reports
from tests.smtp_server import smtp_server

DAY = dt.date(2026, 11, 23)
REFUSED = "gone@example.gov.cn"


class Inbox:
    """Keeps every message with its envelope recipients; refuses one mailbox as a relay
    refuses an address that no longer exists."""

    def __init__(self) -> None:
        self.received: list[tuple[tuple[str, ...], email.message.EmailMessage]] = []

    async def handle_RCPT(self, server, session, envelope, address, rcpt_options) -> str:
        if address == REFUSED:
            return "550 5.1.1 no such mailbox"
        envelope.rcpt_tos.append(address)
        return "250 OK"

    async def handle_DATA(self, server, session, envelope) -> str:
        message = email.message_from_bytes(envelope.content, policy=email.policy.default)
        self.received.append((tuple(envelope.rcpt_tos), message))
        return "250 OK"

    def files_of(self, address: str) -> set[str]:
        """The attachments every message to ``address`` carried."""
        return {
            part.get_filename()
            for rcpts, message in self.received
            if address in rcpts
            for part in message.iter_attachments()
        }


@pytest.fixture
def smtp() -> Iterator[tuple[Inbox, int]]:
    inbox = Inbox()
    with smtp_server(inbox) as port:
        yield inbox, port


def _province(session: Session) -> dict[str, int]:
    """A city with two districts, and an unrelated province department; one scanned site
    in each district, one at the city, one at the department."""
    city, other = Org(name="示例市"), Org(name="外省某厅")
    session.add_all([city, other])
    session.commit()
    a, b = Org(name="甲区", parent_id=city.id), Org(name="乙区", parent_id=city.id)
    session.add_all([a, b])
    session.commit()
    sites = {
        "a": Site(name="甲区民政局", url="http://127.0.0.1:9/a/", org_id=a.id),
        "b": Site(name="乙区教育局", url="http://127.0.0.1:9/b/", org_id=b.id),
        "city": Site(name="示例市门户", url="http://127.0.0.1:9/city/", org_id=city.id),
        "other": Site(name="外省某厅网站", url="http://127.0.0.1:9/other/", org_id=other.id),
    }
    session.add_all(sites.values())
    session.commit()
    for site in sites.values():
        session.add(
            Scan(site_id=site.id, status=ScanStatus.done, complete=True, trigger="schedule",
                 as_of=DAY - dt.timedelta(days=1), started_at=utcnow(), finished_at=utcnow())
        )  # fmt: skip
    users = [
        User(username="wm_a", password_hash="!", role="webmaster", email="wm_a@example.gov.cn"),
        User(username="wm_ab", password_hash="!", role="webmaster", email="wm_ab@example.gov.cn"),
        User(username="wm_other", password_hash="!", role="webmaster", email=REFUSED),
        User(username="wm_nomail", password_hash="!", role="webmaster"),
        User(username="sup_city", password_hash="!", role="supervisor", org_id=city.id,
             email="sup_city@example.gov.cn"),
        User(username="sup_a", password_hash="!", role="supervisor", org_id=a.id,
             email="sup_a@example.gov.cn"),
        User(username="sup_other", password_hash="!", role="supervisor", org_id=other.id,
             email="sup_other@example.gov.cn"),
        User(username="root", password_hash="!", role="admin"),  # no office, no address
    ]  # fmt: skip
    session.add_all(users)
    session.commit()
    by_name = {u.username: u.id for u in users}
    links = [("wm_a", "a"), ("wm_ab", "a"), ("wm_ab", "b"), ("wm_other", "other"),
             ("wm_nomail", "city")]  # fmt: skip
    session.add_all(UserSite(user_id=by_name[u], site_id=sites[s].id) for u, s in links)
    session.commit()
    return {
        **{f"site_{k}": s.id for k, s in sites.items()},
        "org_city": city.id,
        "org_a": a.id,
        "org_b": b.id,
        "org_other": other.id,
    }


def test_each_webmaster_and_office_gets_only_its_own_reports(
    db_url: str, tmp_path: Path, smtp: tuple[Inbox, int]
) -> None:
    inbox, port = smtp
    with Session(get_engine(db_url), expire_on_commit=False) as session:
        ids = _province(session)
        settings = SmtpSettings(host="127.0.0.1", port=port, sender="gp@localhost", recipients=())
        out = publish_weekly_reports(session, tmp_path, day=DAY, smtp=settings)
    site = {k: f"site-{ids[f'site_{k}']}.html" for k in ("a", "b", "city", "other")}
    org = {k: f"org-{ids[f'org_{k}']}.html" for k in ("city", "a", "b", "other")}

    assert inbox.files_of("wm_a@example.gov.cn") == {site["a"]}
    assert inbox.files_of("wm_ab@example.gov.cn") == {site["a"], site["b"]}
    # the city office: its overview and every site under it, nothing of the other province
    assert inbox.files_of("sup_city@example.gov.cn") == {
        org["city"],
        site["a"],
        site["b"],
        site["city"],
    }
    assert inbox.files_of("sup_a@example.gov.cn") == {org["a"], site["a"]}
    assert inbox.files_of("sup_other@example.gov.cn") == {org["other"], site["other"]}
    # one mail per person, addressed to that person alone
    for rcpts, message in inbox.received:
        assert len(rcpts) == 1 and message["To"] == rcpts[0]
    everyone = {r for rcpts, _ in inbox.received for r in rcpts}
    assert everyone == {
        "wm_a@example.gov.cn",
        "wm_ab@example.gov.cn",
        "sup_city@example.gov.cn",
        "sup_a@example.gov.cn",
        "sup_other@example.gov.cn",
    }  # no copy list configured; no address, no mail; the refused one is reported
    assert set(out.mail_failures) == {REFUSED}
    assert REFUSED not in out.mailed_to and "wm_a@example.gov.cn" in out.mailed_to
    assert out.deliveries["wm_a@example.gov.cn"] == (site["a"],)
    (subject,) = [m["Subject"] for r, m in inbox.received if r == ("wm_ab@example.gov.cn",)]
    assert subject == "网站巡检周报 2026-11-23：甲区民政局、乙区教育局"


def test_smtp_to_still_receives_a_copy_of_everything(
    db_url: str, tmp_path: Path, smtp: tuple[Inbox, int], monkeypatch: pytest.MonkeyPatch
) -> None:
    inbox, port = smtp
    monkeypatch.setenv("GOVPATROL_SMTP_HOST", "127.0.0.1")
    monkeypatch.setenv("GOVPATROL_SMTP_PORT", str(port))
    monkeypatch.setenv("GOVPATROL_SMTP_TO", "ban@example.gov.cn")
    with Session(get_engine(db_url), expire_on_commit=False) as session:
        _province(session)
        out = publish_weekly_reports(session, tmp_path, day=DAY)
    assert inbox.files_of("ban@example.gov.cn") == {p.name for p in out.files}
    assert "ban@example.gov.cn" in out.mailed_to and "wm_a@example.gov.cn" in out.mailed_to
    monkeypatch.delenv("GOVPATROL_SMTP_TO")
    assert SmtpSettings.from_env() is not None  # the host alone mails the users
    monkeypatch.delenv("GOVPATROL_SMTP_HOST")
    assert SmtpSettings.from_env() is None
