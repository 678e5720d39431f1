"""Small factories: make_user(session, **overrides) and friends, the one way tests build data.

Each make_<thing>(session, …) adds (and flushes) one thing and returns the model object; the
`make` fixture (Factory below) runs the same factories for view tests, committed in their own
app context, and hands back plain values that stay valid across requests."""

import io
import itertools
import zipfile
from dataclasses import dataclass
from datetime import date
from pathlib import Path

from app.extensions import db
from app.models import Assignment, Course, Enrolment, Role, Unit, User
from app.services import progress
from app.services.accounts import create_user
from app.services.content import import_course, load_course
from app.services.grading import Answer, Snapshot
from app.services.units import upsert_unit

PASSWORD = "kata-sandi-uji"

# The people access tests sign in as; "owner" is the course's own trainer, given by the test.
PEOPLE = {
    "learner": Role.LEARNER,
    "trainer": Role.TRAINER,
    "other trainer": Role.TRAINER,
    "supervisor": Role.SUPERVISOR | Role.LEARNER,
    "admin": Role.ADMIN,
}
DATA = Path(__file__).parent / "data"
_seq = itertools.count(1)


def make_user(session, **overrides) -> User:
    n = next(_seq)
    values = {
        "email": f"pengguna{n}@example.go.id",
        "name": f"Pengguna {n}",
        "roles": Role.LEARNER,
        "password": PASSWORD,
        "cost": (1, 64),
    }
    values.update(overrides)
    return create_user(session, **values)


def zip_course(folder: Path, *, wrap: bool = True) -> bytes:
    """A .zip of a course folder: the folder itself at the top, or (wrap=False) its contents."""
    buffer = io.BytesIO()
    with zipfile.ZipFile(buffer, "w", zipfile.ZIP_DEFLATED) as archive:
        for path in sorted(folder.rglob("*")):
            rel = path.relative_to(folder).as_posix()
            archive.write(path, f"{folder.name}/{rel}" if wrap else rel)
    return buffer.getvalue()


def make_course(session, folder: Path | str = "contoh-kursus", *, publish: bool = True) -> Course:
    """A course imported from a folder: a Path, or the name of one under tests/data/courses."""
    folder = folder if isinstance(folder, Path) else DATA / "courses" / folder
    parsed, problems = load_course(folder)
    assert not problems, [str(p) for p in problems]
    return import_course(session, parsed, str(folder), publish=publish).course


def make_unit(session, code: str, name: str, parent: str | None = None) -> Unit:
    return upsert_unit(session, code, name, parent)


def make_assignment(session, course_id: int, unit_id: int, due_on: date) -> Assignment:
    assignment = Assignment(course_id=course_id, unit_id=unit_id, due_on=due_on)
    session.add(assignment)
    session.flush()
    return assignment


def make_enrolment(session, user_id: int, course_id: int, **overrides) -> Enrolment:
    enrolment = Enrolment(user_id=user_id, course_id=course_id, **overrides)
    session.add(enrolment)
    session.flush()
    return enrolment


@dataclass(frozen=True)
class UserInfo:
    id: int
    email: str
    roles: int


@dataclass(frozen=True)
class CourseInfo:
    id: int
    slug: str
    lesson_paths: tuple[str, ...]


class Factory:
    """The factories above for view tests: each commits in its own app context and returns
    plain values that stay valid across requests."""

    def __init__(self, app):
        self.app = app

    def user(self, **overrides) -> UserInfo:
        with self.app.app_context():
            user = make_user(db.session, **overrides)
            db.session.commit()
            return UserInfo(user.id, user.email, user.roles)

    def unit(self, code: str, name: str, parent: str | None = None) -> int:
        with self.app.app_context():
            unit = make_unit(db.session, code, name, parent)
            db.session.commit()
            return unit.id

    def course(self, folder: Path | str = "contoh-kursus", *, publish: bool = True) -> CourseInfo:
        with self.app.app_context():
            course = make_course(db.session, folder, publish=publish)
            db.session.commit()
            paths = tuple(
                lesson.path for module in course.modules for lesson in module.lessons
                if not lesson.retired
            )
            return CourseInfo(course.id, course.slug, paths)

    def assignment(self, course: CourseInfo, unit_id: int, due_on: date) -> int:
        with self.app.app_context():
            assignment = make_assignment(db.session, course.id, unit_id, due_on)
            db.session.commit()
            return assignment.id

    def completed(self, user: UserInfo, course: CourseInfo, *paths: str) -> None:
        from sqlalchemy import select

        from app.models import Lesson

        with self.app.app_context():
            for path in paths:
                lesson = db.session.scalar(
                    select(Lesson).where(Lesson.course_id == course.id, Lesson.path == path)
                )
                progress.complete_lesson(db.session, user.id, lesson)
            db.session.commit()


def wrong_answers(snapshot: Snapshot) -> dict[str, Answer]:
    """Answers that score nothing: every option a choice question does not count as correct,
    and a short answer no quiz accepts. The right ones: grading.correct_answers."""
    return {q.key: "bukan jawaban" if q.is_short
            else [str(o.id) for o in q.options if not o.correct] for q in snapshot.questions}


def api_answers(answers: dict[str, Answer]) -> dict[str, str | list[int]]:
    """The same answers as the API takes them: option ids as numbers."""
    return {key: given if isinstance(given, str) else [int(i) for i in given]
            for key, given in answers.items()}
