"""flask demo: a ready-to-try Lentera (idempotent: run it as often as you like)."""

from collections.abc import Sequence
from datetime import timedelta
from pathlib import Path

import click
from flask import current_app
from flask.cli import with_appcontext
from flask_babel import gettext as _
from sqlalchemy import select

from app.auth.cli import password_cost
from app.extensions import db
from app.models import Assignment, ClassSession, Course, Lesson, Role, Unit, User
from app.services import classroom, progress, quizzes
from app.services.accounts import create_user
from app.services.authoring import import_and_record
from app.services.content import load_course
from app.services.grading import correct_answers
from app.services.units import upsert_unit
from app.web import local_calendar

DEMO_PASSWORD = "lentera-demo"

UNITS = [
    ("KEMEN", "Kementerian Contoh", None),
    ("SETJEN", "Sekretariat Jenderal", "KEMEN"),
    ("BIRO-SDM", "Biro Sumber Daya Manusia", "SETJEN"),
    ("BIRO-UMUM", "Biro Umum", "SETJEN"),
    ("DITJEN-LD", "Direktorat Jenderal Layanan Digital", "KEMEN"),
    ("DIT-DATA", "Direktorat Tata Kelola Data", "DITJEN-LD"),
]

ALL = 10_000  # finish the whole course, quizzes passed, certificate earned

# email, name, roles, NIP, unit, how many lessons of each course they have finished
ACCOUNTS = [
    ("admin@lentera.test", "Admin Lentera", Role.ADMIN | Role.LEARNER, None, None, 0),
    ("pelatih@lentera.test", "Rina Pelatih", Role.TRAINER | Role.LEARNER, None, "BIRO-SDM", 0),
    ("atasan@lentera.test", "Hendra Wijaya", Role.SUPERVISOR | Role.LEARNER,
     "197804152005011002", "SETJEN", 1),
    ("budi@lentera.test", "Budi Santoso", Role.LEARNER, "198609262015051001", "BIRO-UMUM", 4),
    ("siti@lentera.test", "Siti Rahmawati", Role.LEARNER, "199102142019032003", "DIT-DATA", ALL),
]


def _pass_quizzes(user_id: int, course: Course) -> None:
    """Answer every quiz of the course right, through the same grading learners go through."""
    for step in db.session.scalars(select(Lesson).where(
        Lesson.course_id == course.id, Lesson.kind == "quiz", Lesson.retired.is_(False)
    )):
        quiz = step.quiz
        assert quiz is not None  # the importer gives every quiz step its quiz row
        if quizzes.status(db.session, user_id, quiz).passed:
            continue
        attempt = quizzes.start_attempt(db.session, user_id, quiz)
        answers = correct_answers(quizzes.snapshot_of(attempt))
        quizzes.submit_attempt(db.session, attempt, answers)


def _course_folders(root: Path) -> list[Path]:
    return sorted(p for p in root.iterdir() if (p / "course.md").is_file())


def _demo_accounts() -> dict[str, User]:
    """The demo units and accounts, created or their roles reset; the accounts by e-mail."""
    for code, name, parent in UNITS:
        upsert_unit(db.session, code, name, parent)
    users = {}
    for email, name, roles, nip, unit, _steps in ACCOUNTS:
        user = db.session.scalar(select(User).where(User.email == email))
        if user is None:
            user = create_user(db.session, email=email, name=name, roles=roles, nip=nip,
                               unit_code=unit, password=DEMO_PASSWORD, cost=password_cost())
        user.roles = int(roles)
        users[email] = user
    db.session.flush()
    return users


def _import_courses(root: Path) -> None:
    """Import and publish every course folder under root; exit 1 on the first with problems."""
    for folder in _course_folders(root):
        parsed, problems = load_course(folder)
        if problems:
            for problem in problems:
                click.echo(str(problem), err=True)
            raise SystemExit(1)
        assert parsed is not None  # load_course returns a course whenever it reports no problem
        import_and_record(db.session, parsed, str(folder.resolve()), actor_id=None, source="cli",
                          publish=True)
    db.session.flush()


def _demo_progress(users: dict[str, User], courses: Sequence[Course]) -> None:
    """Each account's first lessons done as ACCOUNTS says; quizzes passed for those with ALL."""
    for email, *_rest, steps in ACCOUNTS:
        for course in courses if steps else []:
            lessons = db.session.scalars(
                select(Lesson)
                .where(Lesson.course_id == course.id, Lesson.retired.is_(False),
                       Lesson.kind == "lesson")
                .order_by(Lesson.position)
                .limit(steps)
            )
            for lesson in lessons:
                progress.complete_lesson(db.session, users[email].id, lesson)
            if steps == ALL:
                _pass_quizzes(users[email].id, course)


def _demo_assignment_and_class(users: dict[str, User], courses: Sequence[Course]) -> None:
    """One mandatory course and one attended class session, unless there are some already."""
    # Something for the report to show: the first course is mandatory for the whole ministry.
    if courses and db.session.scalar(select(Assignment.id).limit(1)) is None:
        today = local_calendar().today
        root = db.session.scalar(select(Unit).where(Unit.code == UNITS[0][0]))
        db.session.add(Assignment(course=courses[0], unit=root, due_on=today + timedelta(days=30),
                                  assigned_by=users["admin@lentera.test"].id))
    # A face-to-face session Budi attended, so the JP ledger shows more than one source.
    if db.session.scalar(select(ClassSession.id).limit(1)) is None:
        held = classroom.create_session(
            db.session, users["pelatih@lentera.test"], title="Kelas tatap muka: Keamanan data",
            held_on=local_calendar().today, place="Aula Biro Umum", jp="2")
        classroom.record_attendance(db.session, held, [users["budi@lentera.test"].id],
                                    classroom.LIST, users["pelatih@lentera.test"].id)


@click.command("demo")
@with_appcontext
def demo():
    """Import courses/, create the demo organisation and accounts, print the logins."""
    users = _demo_accounts()
    _import_courses(Path(current_app.config["COURSES_DIR"]))
    courses = db.session.scalars(select(Course).where(Course.published.is_(True))).all()
    _demo_progress(users, courses)
    _demo_assignment_and_class(users, courses)
    db.session.commit()

    click.echo(_("Lentera siap. Akun demo (kata sandi semuanya: %(pw)s):", pw=DEMO_PASSWORD))
    for email, name, roles, *_rest in ACCOUNTS:
        click.echo(f"  {email:<24} {', '.join(roles.names):<22} {name}")
