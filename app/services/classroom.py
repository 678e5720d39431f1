"""Face-to-face sessions: trainers hold them, attendance credits their JP once per person.

Attendance is taken from a list of NIPs or emails, from a CSV file, or by the learners
themselves typing (or scanning as a QR code) the session's short code while check-in is open.
Whatever the way and however often a person is recorded, they get one Attendance row and one
"session" ledger entry; a session that teaches a course also completes that course for them,
without a second credit for the same hours (issue 12).
"""

from __future__ import annotations

import re
import secrets
from dataclasses import dataclass
from datetime import date
from decimal import Decimal

from flask_babel import lazy_gettext as _l
from sqlalchemy import delete, func, select

from app.models import Attendance, ClassSession, Course, JpEntry, Role, User, utcnow
from app.services import audit, ledger, progress
from app.services.claims import parse_hours
from app.services.csvfile import RowProblem, read_rows
from app.services.errors import InvalidInput, NotFound
from app.services.types import DbSession, upsert_dialect

# No 0/O, 1/I/L: a code read aloud or off a projector is typed right the first time.
CODE_ALPHABET = "ABCDEFGHJKMNPQRSTUVWXYZ23456789"
CODE_LENGTH = 6
MAX_PEOPLE = 2000
LIST, CSV, CHECK_IN = "list", "csv", "check-in"


class AttendanceRefused(InvalidInput):
    """Some lines name nobody Lentera knows; `problems` lists each, nothing was recorded."""

    def __init__(self, problems: list[str]):
        super().__init__(problems[0])
        self.problems = problems


def new_code() -> str:
    """A random check-in code: CODE_LENGTH (6) characters of CODE_ALPHABET, which leaves out
    look-alikes (0/O, 1/I/L). Not checked for uniqueness here. Raises nothing."""
    return "".join(secrets.choice(CODE_ALPHABET) for _ in range(CODE_LENGTH))


def normalize_code(raw: str) -> str:
    """A typed check-in code as stored: upper case, without spaces or a dash. Raises nothing."""
    return re.sub(r"[\s-]+", "", raw or "").upper()


def create_session(
    session: DbSession, trainer: User, *, title: str, held_on: date, place: str,
    jp: Decimal | str, course_id: int | None = None,
) -> ClassSession:
    """A new session with a fresh, unique check-in code (check-in starts closed).

    Raises InvalidInput for an empty title or place, JP out of range or a day outside the
    ledger's years (`ledger.check_day`); NotFound for an
    unknown course.
    """
    title, place = (title or "").strip(), (place or "").strip()
    if not title or not place:
        raise InvalidInput(_l("Isi judul dan tempat sesi."))
    hours = parse_hours(jp)
    ledger.check_day(held_on)
    if course_id is not None and session.get(Course, course_id) is None:
        raise NotFound()
    code = new_code()
    while session.scalar(select(ClassSession.id).where(ClassSession.code == code)):
        code = new_code()
    class_session = ClassSession(title=title[:200], held_on=held_on, place=place[:200], jp=hours,
                                 course_id=course_id, trainer_id=trainer.id, code=code)
    session.add(class_session)
    session.flush()
    return class_session


def course_choices(session: DbSession) -> list[tuple[int, str]]:
    """(id, title) of every course a session may teach, by title. Raises nothing."""
    return [(course_id, title) for course_id, title in session.execute(
        select(Course.id, Course.title).order_by(Course.title))]


def sessions_of(session: DbSession, viewer: User) -> list[ClassSession]:
    """The trainer's own ClassSessions (an admin's: all of them), newest first. Raises
    nothing."""
    query = select(ClassSession)
    if not viewer.roles & Role.ADMIN:
        query = query.where(ClassSession.trainer_id == viewer.id)
    return list(session.scalars(query.order_by(ClassSession.held_on.desc(),
                                               ClassSession.id.desc())))


def managed_session(session: DbSession, viewer: User, session_id: int) -> ClassSession:
    """The ClassSession with this id, when the viewer runs it (or is an admin). Raises NotFound
    for anyone else's."""
    class_session = session.get(ClassSession, session_id)
    if class_session is None or not (
            class_session.trainer_id == viewer.id or viewer.roles & Role.ADMIN):
        raise NotFound()
    return class_session


def set_checkin(class_session: ClassSession, is_open: bool) -> None:
    """Open or close self check-in with the session's code; the caller commits. Returns
    nothing, raises nothing."""
    class_session.checkin_open = is_open


def record_attendance(
    session: DbSession, class_session: ClassSession, user_ids: list[int], method: str,
    recorded_by_id: int | None,
) -> int:
    """Record people as present, each credited the session's JP (PRODUCT §8); returns how many
    were new. Repeats change nothing: the attendance row and the ledger entry are both
    written "insert unless present". Raises nothing."""
    dialect = upsert_dialect(session)
    new = 0
    for user_id in dict.fromkeys(user_ids):
        inserted = session.execute(dialect.insert(Attendance).values(
            session_id=class_session.id, user_id=user_id, method=method,
            recorded_by_id=recorded_by_id, recorded_at=utcnow(),
        ).on_conflict_do_nothing().returning(Attendance.user_id)).scalar()
        ledger.record(session, user_id=user_id, source=ledger.SESSION, ref_id=class_session.id,
                      hours=class_session.jp, on_date=class_session.held_on,
                      title=class_session.title)
        if class_session.course_id is not None:
            progress.enrol(session, user_id, class_session.course_id)
            progress.record_completion(session, user_id, class_session.course_id, credit=False)
        new += inserted is not None
    return new


def remove_attendance(
    session: DbSession, class_session: ClassSession, user_id: int, removed_by_id: int
) -> None:
    """Undo a mistaken record (a mistyped NIP): the attendance and the session's JP for that
    person go; the audit log keeps who removed whom. A course the session completed for them
    stays completed (their certificate may already be printed). Returns nothing. Raises
    NotFound when that person is not recorded."""
    attendance = session.get(Attendance, (class_session.id, user_id))
    if attendance is None:
        raise NotFound()
    session.delete(attendance)
    session.execute(delete(JpEntry).where(
        JpEntry.user_id == user_id, JpEntry.source == ledger.SESSION,
        JpEntry.ref_id == class_session.id))
    audit.record(session, removed_by_id, "session.attendance_remove",
                 f"session:{class_session.id}", user_id=user_id)


def _find_person(session: DbSession, value: str) -> User | None:
    value = value.strip()
    if "@" in value:
        query = select(User).where(func.lower(User.email) == value.lower())
    else:
        digits = re.sub(r"\s+", "", value)
        if not digits.isdigit():
            return None
        query = select(User).where(User.nip == digits)
    return session.scalar(query.where(User.active.is_(True)))


def attend_by_list(
    session: DbSession, class_session: ClassSession, text: str, recorded_by_id: int
) -> int:
    """Record attendance from one NIP or email per line (commas and semicolons also separate);
    returns how many were new. Raises AttendanceRefused listing every unknown entry (then
    nobody is recorded), InvalidInput for an empty list or more than MAX_PEOPLE."""
    values = [v.strip() for v in re.split(r"[\n,;]+", text or "") if v.strip()]
    if not values:
        raise InvalidInput(_l("Tulis paling sedikit satu NIP atau email."))
    if len(values) > MAX_PEOPLE:
        raise InvalidInput(_l("Paling banyak %(n)d orang sekaligus.", n=MAX_PEOPLE))
    people, problems = [], []
    for value in values:
        person = _find_person(session, value)
        if person is None:
            problems.append(str(_l("%(value)s: tidak ada pengguna aktif dengan NIP atau email ini",
                                   value=value[:100])))
        else:
            people.append(person.id)
    if problems:
        raise AttendanceRefused(problems)
    return record_attendance(session, class_session, people, LIST, recorded_by_id)


def attend_by_csv(
    session: DbSession, class_session: ClassSession, filename: str, data: bytes,
    recorded_by_id: int,
) -> int:
    """Record attendance from a CSV with a `nip` or an `email` column (a row may fill either);
    returns how many were new. Raises AttendanceRefused listing every bad row as
    `file:line: message` (then nothing is recorded)."""
    name = (filename or "hadir.csv").replace("\\", "/").rsplit("/", 1)[-1][:100]
    header = data[:4096].decode("utf-8-sig", "replace").split("\n", 1)[0].lower()
    columns = tuple(c for c in ("nip", "email") if c in header) or ("nip",)
    rows, problems = read_rows(data, columns)
    people = []
    for line, record in rows:
        value = record.get("nip") or record.get("email") or ""
        person = _find_person(session, value) if value else None
        if person is None:
            problems.append(RowProblem(line, str(
                _l("tidak ada pengguna aktif dengan NIP atau email %(value)s", value=value[:100])
                if value else _l("NIP dan email kosong"))))
        else:
            people.append(person.id)
    if not rows and not problems:
        problems.append(RowProblem(1, str(_l("tidak ada baris peserta"))))
    if len(people) > MAX_PEOPLE:
        problems.append(RowProblem(1, str(_l("paling banyak %(n)d orang sekaligus",
                                               n=MAX_PEOPLE))))
    if problems:
        raise AttendanceRefused([f"{name}:{p.line}: {p.message}"
                                 for p in sorted(problems, key=lambda p: p.line)])
    return record_attendance(session, class_session, people, CSV, recorded_by_id)


def check_in(session: DbSession, user: User, code: str) -> tuple[ClassSession, bool]:
    """The learner checks in with a session's code while check-in is open.

    Returns the session and whether this was new (a second check-in is harmless). Raises
    InvalidInput for an unknown code or a session whose check-in is closed (one message for
    both, so codes cannot be probed).
    """
    class_session = session.scalar(
        select(ClassSession).where(ClassSession.code == normalize_code(code)))
    if class_session is None or not class_session.checkin_open:
        raise InvalidInput(_l("Kode tidak dikenal atau presensi sesi ini sudah ditutup. "
                              "Periksa kode di layar pelatih."))
    new = record_attendance(session, class_session, [user.id], CHECK_IN, user.id)
    return class_session, bool(new)


@dataclass
class Attendee:
    user_id: int
    name: str
    nip: str | None
    email: str
    method: str


def attendees(session: DbSession, class_session: ClassSession) -> list[Attendee]:
    """An Attendee (id, name, NIP, email, how recorded) per person present, by name. Raises
    nothing."""
    rows = session.execute(
        select(User.id, User.name, User.nip, User.email, Attendance.method)
        .join(Attendance, Attendance.user_id == User.id)
        .where(Attendance.session_id == class_session.id)
        .order_by(User.name, User.id))
    return [Attendee(*row) for row in rows]
