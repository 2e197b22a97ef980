"""Mailing the weekly reports through an SMTP relay configured by ``GOVPATROL_SMTP_*``.

``GOVPATROL_SMTP_HOST`` switches mailing on: each user with an e-mail address gets the
reports of their own sites or office (scheduler.weekly); ``GOVPATROL_SMTP_TO`` (comma-separated),
when set, also receives a copy of everything;
``_PORT`` (25, or 465 with ``_SSL``), ``_USER``/``_PASSWORD``, ``_FROM``, ``_STARTTLS=1`` and
``_SSL=1`` adjust it. Government mail relays are often plain port 25 on the intranet, so no
encryption is forced; set STARTTLS or SSL where the relay offers it.
"""

from __future__ import annotations

import smtplib
import ssl
from collections.abc import Mapping, Sequence
from dataclasses import dataclass
from email.message import EmailMessage
from email.utils import formatdate, make_msgid
from pathlib import Path

from govpatrol.core.settings import settings as environment_settings

TIMEOUT_S = 30.0
# Attachments beyond this total are listed by path instead: relays commonly refuse mails
# over 10-25 MB, and a report for every site of a province would exceed it.
MAX_ATTACHMENT_BYTES = 8 * 1024 * 1024


@dataclass(frozen=True)
class SmtpSettings:
    host: str
    port: int
    sender: str
    recipients: tuple[str, ...]
    user: str | None = None
    password: str | None = None
    starttls: bool = False
    use_ssl: bool = False

    @classmethod
    def from_env(cls, env: Mapping[str, str] | None = None) -> SmtpSettings | None:
        """The settings, or None when mailing is not configured."""
        configured = environment_settings(env)
        if not configured.smtp_host:
            return None
        return cls(
            host=configured.smtp_host,
            port=configured.smtp_port
            if configured.smtp_port is not None
            else (465 if configured.smtp_ssl else 25),
            sender=configured.smtp_from,
            recipients=configured.smtp_to,
            user=configured.smtp_user,
            password=configured.smtp_password,
            starttls=configured.smtp_starttls,
            use_ssl=configured.smtp_ssl,
        )


def build_message(
    settings: SmtpSettings,
    subject: str,
    body: str,
    attachments: Sequence[Path],
    to: Sequence[str] | None = None,
) -> EmailMessage:
    """A message to ``to`` (default: the configured copy recipients)."""
    message = EmailMessage()
    message["Subject"] = subject
    message["From"] = settings.sender
    message["To"] = ", ".join(to if to is not None else settings.recipients)
    message["Date"] = formatdate(localtime=True)
    message["Message-ID"] = make_msgid(domain="govpatrol.local")
    left_out: list[Path] = []
    total = 0
    attached: list[Path] = []
    for path in attachments:
        size = path.stat().st_size
        if total + size > MAX_ATTACHMENT_BYTES:
            left_out.append(path)
            continue
        total += size
        attached.append(path)
    if left_out:
        body += "\n\n以下报告未作为附件发送（邮件大小限制），请在报告目录查看：\n" + "\n".join(
            str(p) for p in left_out
        )
    message.set_content(body)
    for path in attached:
        message.add_attachment(
            path.read_bytes(), maintype="text", subtype="html", filename=path.name
        )
    return message


def send_mail(settings: SmtpSettings, message: EmailMessage) -> None:
    send_mails(settings, [message], raise_first=True)


def send_mails(
    settings: SmtpSettings, messages: Sequence[EmailMessage], *, raise_first: bool = False
) -> dict[str, str]:
    """Send over one connection; a message the relay refuses (an unknown mailbox) does not
    stop the others. Returns ``{To: reason}`` of the refused ones. A relay that cannot be
    reached at all raises: nothing was sent, and the caller says so."""
    failures: dict[str, str] = {}
    if not messages:
        return failures
    context = ssl.create_default_context()
    smtp_cls = smtplib.SMTP_SSL if settings.use_ssl else smtplib.SMTP
    kwargs = {"context": context} if settings.use_ssl else {}
    with smtp_cls(settings.host, settings.port, timeout=TIMEOUT_S, **kwargs) as smtp:
        if settings.starttls and not settings.use_ssl:
            smtp.starttls(context=context)
        if settings.user and settings.password:
            smtp.login(settings.user, settings.password)
        for message in messages:
            try:
                smtp.send_message(message)
            except (smtplib.SMTPRecipientsRefused, smtplib.SMTPDataError) as exc:
                if raise_first:
                    raise
                failures[str(message["To"])] = str(exc)
                smtp.rset()
    return failures
