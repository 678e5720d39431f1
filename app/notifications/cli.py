"""flask reminders send: the reminder emails of mandatory courses, for cron."""

import click
from flask import current_app, url_for
from flask.cli import AppGroup
from flask_babel import gettext as _

from app.extensions import db
from app.models import utcnow
from app.services.mail import MailSettings
from app.services.reminders import send_reminders
from app.web import local_calendar

reminders = AppGroup("reminders", help="Remind people of their mandatory courses by email.")


def _absolute(path: str) -> str:
    base = current_app.config.get("BASE_URL") or "http://localhost"
    return base.rstrip("/") + path


@reminders.command("send")
def send_command():
    """Email learners whose mandatory courses fall due within 7 days or are overdue (each course
    at most once a week), and supervisors a weekly digest of their overdue staff. Safe to run
    from cron as often as you like, e.g. daily: `flask --app wsgi reminders send`. Exits 1 when
    no mail server is configured or some email could not be sent (it is tried again next run).
    """
    settings = MailSettings.from_config(current_app.config)
    if settings is None:
        raise click.ClickException(_("MAIL_SERVER belum diatur: tidak ada email yang dikirim."))
    with current_app.test_request_context(base_url=_absolute("/")):
        summary = send_reminders(
            db.session, settings, today=local_calendar().today, now=utcnow(),
            course_url=lambda slug: _absolute(url_for("catalog.course", slug=slug)),
            report_url=_absolute(url_for("reports.index", status="overdue")),
            preferences_url=_absolute(url_for("notifications.preferences")),
        )
    db.session.commit()
    click.echo(_("Pengingat terkirim: %(emails)d email ke peserta (%(courses)d kursus), "
                 "%(digests)d ringkasan ke atasan.", emails=summary.learner_emails,
                 courses=summary.courses, digests=summary.digests))
    if summary.failed:
        raise click.ClickException(_("%(num)d email gagal dikirim: %(to)s",
                                     num=len(summary.failed), to=", ".join(summary.failed)))
