"""Sending email over SMTP (smtplib), when the operator has configured a mail server."""

from __future__ import annotations

import smtplib
import ssl
from collections.abc import Mapping
from dataclasses import dataclass
from email.message import EmailMessage
from email.utils import formataddr, formatdate, make_msgid, parseaddr
from typing import Any


@dataclass(frozen=True)
class MailSettings:
    server: str
    port: int = 25
    username: str | None = None
    password: str | None = None
    use_tls: bool = False  # STARTTLS after connecting
    use_ssl: bool = False  # TLS from the first byte (port 465)
    sender: str = "lentera@localhost"
    timeout: float = 10.0

    @classmethod
    def from_config(cls, config: Mapping[str, Any]) -> MailSettings | None:
        """The settings of a Flask config's MAIL_* keys, or None when no MAIL_SERVER is
        configured: links are then handed out by the admin. Raises nothing."""
        if not config.get("MAIL_SERVER"):
            return None
        return cls(
            server=config["MAIL_SERVER"], port=int(config.get("MAIL_PORT") or 25),
            username=config.get("MAIL_USERNAME") or None,
            password=config.get("MAIL_PASSWORD") or None,
            use_tls=bool(config.get("MAIL_USE_TLS")), use_ssl=bool(config.get("MAIL_USE_SSL")),
            sender=config.get("MAIL_DEFAULT_SENDER") or "lentera@localhost",
        )


def build_message(
    settings: MailSettings, to: tuple[str, str], subject: str, body: str
) -> EmailMessage:
    """An EmailMessage in plain text to `to` = (name, address), with the Date and Message-ID
    headers that RFC 5322 asks of the sender (mail without them is often filed as spam).
    Raises nothing."""
    message = EmailMessage()
    message["From"] = settings.sender
    message["Date"] = formatdate(localtime=True)
    domain = parseaddr(settings.sender)[1].rpartition("@")[2]
    message["Message-ID"] = make_msgid(domain=domain or None)
    message["To"] = formataddr(to)
    message["Subject"] = subject
    message.set_content(body)
    return message


def send_all(settings: MailSettings, messages: list[EmailMessage]) -> list[EmailMessage]:
    """Send over one connection; returns the messages that could not be sent (all of them when
    the server cannot be reached). Raises nothing: SMTP and network errors are caught."""
    if not messages:
        return []
    smtp: smtplib.SMTP
    try:
        if settings.use_ssl:
            smtp = smtplib.SMTP_SSL(settings.server, settings.port, timeout=settings.timeout,
                                    context=ssl.create_default_context())
        else:
            smtp = smtplib.SMTP(settings.server, settings.port, timeout=settings.timeout)
    except (OSError, smtplib.SMTPException):
        return list(messages)
    failed = []
    with smtp:
        try:
            if settings.use_tls:
                smtp.starttls(context=ssl.create_default_context())
            if settings.username:
                smtp.login(settings.username, settings.password or "")
        except (OSError, smtplib.SMTPException):
            return list(messages)
        for message in messages:
            try:
                smtp.send_message(message)
            except (OSError, smtplib.SMTPException):
                failed.append(message)
    return failed
