"""Reminders of mandatory courses: emails to learners, weekly digests to supervisors, notices.

Rules (issue 14, point 13):
- a learner is reminded of a mandatory course they have not completed when its nearest due date
  is within `DUE_SOON` days or already past; each course at most once per `WEEK` (ReminderSent);
- a supervisor gets at most one digest per `WEEK` listing the overdue people of their own
  subtree (their unit and every unit below it, never themselves), and none when nobody is
  overdue;
- each person can turn either email off (User.remind_by_email, User.digest_by_email); the notices
  in the app always show.
"""

from __future__ import annotations

from collections import defaultdict
from collections.abc import Callable
from dataclasses import dataclass, field
from datetime import date, datetime, timedelta
from email.message import EmailMessage

from flask_babel import force_locale, format_date, ngettext
from flask_babel import gettext as _
from sqlalchemy import and_, func, select
from sqlalchemy.orm import aliased

from app.models import Assignment, Course, Enrolment, ReminderSent, Role, Unit, User
from app.services.assignments import covers
from app.services.mail import MailSettings, build_message, send_all
from app.services.nip import mask_nip
from app.services.types import AnySelect, DbSession

DUE_SOON = timedelta(days=7)
WEEK = timedelta(days=7)
# A digest lists at most this many rows; the report has the rest.
DIGEST_ROWS = 100


@dataclass(frozen=True)
class DueCourse:
    """A mandatory course one person has not completed, due by `due_on` (a local date)."""

    user_id: int
    course_id: int
    slug: str
    title: str
    due_on: date

    def overdue(self, today: date) -> bool:
        return self.due_on < today

    def days(self, today: date) -> int:
        """Days left (≥ 0) or, when overdue, days late (> 0)."""
        return abs((self.due_on - today).days)


@dataclass
class SendSummary:
    """What `send_reminders` did: emails sent, courses reminded of, digests, failures."""

    learner_emails: int = 0
    courses: int = 0
    digests: int = 0
    failed: list[str] = field(default_factory=list)  # the addresses that could not be reached


def _due(until: date) -> AnySelect:
    """SELECT of DueCourse rows: each active learner's uncompleted published mandatory courses
    whose nearest due date is on or before `until`."""
    assigned, home = aliased(Unit), aliased(Unit)
    due_on = func.min(Assignment.due_on)
    return (
        select(User.id.label("user_id"), Course.id.label("course_id"), Course.slug, Course.title,
               due_on.label("due_on"))
        .select_from(Assignment)
        .join(assigned, assigned.id == Assignment.unit_id)
        .join(home, covers(assigned, home))
        .join(User, User.unit_id == home.id)
        .join(Course, Course.id == Assignment.course_id)
        .outerjoin(Enrolment, and_(Enrolment.user_id == User.id, Enrolment.course_id == Course.id))
        .where(User.active.is_(True), User.roles.op("&")(int(Role.LEARNER)) != 0,
               Course.published.is_(True), Enrolment.completed_at.is_(None))
        .group_by(User.id, Course.id, Course.slug, Course.title)
        .having(due_on <= until)
    )


def _rows(session: DbSession, query: AnySelect) -> list[DueCourse]:
    return [DueCourse(r.user_id, r.course_id, r.slug, r.title, r.due_on)
            for r in session.execute(query)]


def notices(session: DbSession, user_id: int, today: date) -> list[DueCourse]:
    """DueCourses to remind this person of in the app: mandatory, not completed, due within
    DUE_SOON or overdue; overdue first, then nearest. Raises nothing."""
    query = _due(today + DUE_SOON).where(User.id == user_id)
    return sorted(_rows(session, query), key=lambda row: (row.due_on, row.title))


def overdue_staff(
    session: DbSession, supervisor: User, today: date
) -> list[tuple[User, DueCourse]]:
    """[(User, DueCourse)]: overdue people × courses in the supervisor's subtree (themselves
    excluded, PRODUCT §2), by name; [] for a supervisor without a unit. Raises nothing."""
    path = session.scalar(select(Unit.path).where(Unit.id == supervisor.unit_id))
    if path is None:
        return []
    staff_units = select(Unit.id).where(Unit.path.like(f"{path}%"))
    query = _due(today - timedelta(days=1)).where(
        User.unit_id.in_(staff_units), User.id != supervisor.id)
    rows = _rows(session, query)
    people = {u.id: u for u in session.scalars(
        select(User).where(User.id.in_({row.user_id for row in rows})))}
    return sorted(((people[row.user_id], row) for row in rows),
                  key=lambda pair: (pair[0].name, pair[1].due_on, pair[1].title))


def _describe(row: DueCourse, today: date) -> str:
    due = format_date(row.due_on, format="long")
    if row.overdue(today):
        return str(ngettext("%(title)s: tenggat %(due)s, sudah lewat %(num)d hari",
                            "%(title)s: tenggat %(due)s, sudah lewat %(num)d hari",
                            row.days(today), title=row.title, due=due))
    if row.days(today) == 0:
        return str(_("%(title)s: tenggat hari ini (%(due)s)", title=row.title, due=due))
    return str(ngettext("%(title)s: tenggat %(due)s, %(num)d hari lagi",
                        "%(title)s: tenggat %(due)s, %(num)d hari lagi",
                        row.days(today), title=row.title, due=due))


def _learner_message(settings: MailSettings, user: User, rows: list[DueCourse], today: date,
                     course_url: Callable[[str], str], preferences_url: str) -> EmailMessage:
    with force_locale(user.locale or "id"):
        lines = [f"- {_describe(row, today)}\n  {course_url(row.slug)}" for row in rows]
        subject = ngettext("Pengingat: %(num)d kursus wajib perlu Anda selesaikan",
                           "Pengingat: %(num)d kursus wajib perlu Anda selesaikan", len(rows))
        body = _(
            "Halo %(name)s,\n\nKursus wajib berikut belum Anda selesaikan:\n\n%(courses)s\n\n"
            "Email ini dikirim paling banyak sekali seminggu untuk setiap kursus. "
            "Atur pengingat di %(preferences)s\n",
            name=user.name, courses="\n".join(lines), preferences=preferences_url)
    return build_message(settings, (user.name, user.email), subject, body)


def _digest_message(settings: MailSettings, supervisor: User,
                    pairs: list[tuple[User, DueCourse]], today: date, report_url: str,
                    preferences_url: str) -> EmailMessage:
    with force_locale(supervisor.locale or "id"):
        people = len({person.id for person, _row in pairs})
        lines = []
        for person, row in pairs[:DIGEST_ROWS]:
            who = person.name + (f" ({mask_nip(person.nip)})" if person.nip else "")
            lines.append(f"- {who} — {_describe(row, today)}")
        if len(pairs) > DIGEST_ROWS:
            lines.append(_("… dan %(num)d lainnya di laporan.", num=len(pairs) - DIGEST_ROWS))
        subject = ngettext(
            "Ringkasan mingguan: %(num)d pegawai terlambat menyelesaikan kursus wajib",
            "Ringkasan mingguan: %(num)d pegawai terlambat menyelesaikan kursus wajib", people)
        body = _(
            "Halo %(name)s,\n\nDi unit Anda dan unit di bawahnya, kursus wajib berikut sudah "
            "lewat tenggat:\n\n%(rows)s\n\nLaporan lengkap: %(report)s\n"
            "Atur ringkasan ini di %(preferences)s\n",
            name=supervisor.name, rows="\n".join(lines), report=report_url,
            preferences=preferences_url)
    return build_message(settings, (supervisor.name, supervisor.email), subject, body)


def send_reminders(session: DbSession, settings: MailSettings, *, today: date, now: datetime,
                   course_url: Callable[[str], str], report_url: str,
                   preferences_url: str) -> SendSummary:
    """Email every reminder that is due now, over one SMTP connection, and record what was sent.

    `today` is the local date (due dates are local), `now` the UTC instant (sent_at). Messages
    the server refuses are not recorded, so the next run tries them again. The caller commits.
    Raises nothing.
    """
    summary = SendSummary()
    since = now - WEEK
    outbox: list[tuple[EmailMessage, list[ReminderSent]]] = []

    reminded = set(session.execute(
        select(ReminderSent.user_id, ReminderSent.course_id)
        .where(ReminderSent.kind == "course", ReminderSent.sent_at > since)).all())
    by_user: dict[int, list[DueCourse]] = defaultdict(list)
    for row in _rows(session, _due(today + DUE_SOON).where(User.remind_by_email.is_(True))):
        if (row.user_id, row.course_id) not in reminded:
            by_user[row.user_id].append(row)
    users = {u.id: u for u in session.scalars(select(User).where(User.id.in_(by_user)))}
    for user_id, rows in by_user.items():
        rows.sort(key=lambda row: (row.due_on, row.title))
        message = _learner_message(settings, users[user_id], rows, today, course_url,
                                   preferences_url)
        outbox.append((message, [ReminderSent(user_id=user_id, kind="course",
                                              course_id=row.course_id, sent_at=now)
                                 for row in rows]))

    digested = select(ReminderSent.user_id).where(ReminderSent.kind == "digest",
                                                  ReminderSent.sent_at > since)
    supervisors = session.scalars(
        select(User).where(User.active.is_(True), User.roles.op("&")(int(Role.SUPERVISOR)) != 0,
                           User.unit_id.is_not(None), User.digest_by_email.is_(True),
                           User.id.not_in(digested))
        .order_by(User.id))
    for supervisor in supervisors:
        pairs = overdue_staff(session, supervisor, today)
        if pairs:
            message = _digest_message(settings, supervisor, pairs, today, report_url,
                                      preferences_url)
            outbox.append((message, [ReminderSent(user_id=supervisor.id, kind="digest",
                                                  sent_at=now)]))

    failed = {id(m) for m in send_all(settings, [message for message, _records in outbox])}
    for message, records in outbox:
        if id(message) in failed:
            summary.failed.append(message["To"])
            continue
        session.add_all(records)
        if records[0].kind == "digest":
            summary.digests += 1
        else:
            summary.learner_emails += 1
            summary.courses += len(records)
    session.flush()
    return summary


def set_preferences(session: DbSession, user: User, *, reminders: bool, digest: bool) -> None:
    """Turn the reminder emails and (for supervisors) the weekly digest on or off. Returns
    nothing, raises nothing."""
    user.remind_by_email = reminders
    if user.roles & Role.SUPERVISOR:
        user.digest_by_email = digest
    session.flush()
