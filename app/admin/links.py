"""Delivering one-time password links: by email when SMTP is configured, else to the admin."""

from __future__ import annotations

from flask import current_app
from flask_babel import force_locale
from flask_babel import gettext as _

from app.services.mail import MailSettings, build_message, send_all
from app.services.staff import PasswordLink
from app.web import external_url


def link_url(secret: str) -> str:
    """The absolute URL of the set-password page, from BASE_URL (never the Host header)."""
    return external_url("auth.set_password", token=secret)


def deliver(links: list[PasswordLink]) -> tuple[bool, list[PasswordLink]]:
    """Email the links when SMTP is configured; return (mailed?, links left to hand out)."""
    settings = MailSettings.from_config(current_app.config)
    if settings is None or not links:
        return False, links
    messages = {}
    for link in links:
        with force_locale("id"):
            body = _(
                "Halo %(name)s,\n\nAkun Lentera Anda sudah dibuat. Buka tautan ini untuk membuat "
                "kata sandi (berlaku sampai %(expires)s, hanya sekali pakai):\n\n%(url)s\n\n"
                "Setelah itu masuk dengan email atau NIP Anda.\n",
                name=link.name, url=link_url(link.secret),
                expires=link.expires_at.strftime("%Y-%m-%d %H:%M UTC"))
            subject = _("Buat kata sandi Lentera Anda")
        messages[id(link)] = build_message(settings, (link.name, link.email), subject, body)
    failed = {id(m) for m in send_all(settings, list(messages.values()))}
    return True, [link for link in links if id(messages[id(link)]) in failed]
