"""Finding courses and lessons, and who may see or manage them."""

from flask_babel import lazy_gettext as _l
from sqlalchemy import ColumnElement, or_, select, true
from sqlalchemy.orm import contains_eager

from app.models import Course, Lesson, MediaFile, Role, User
from app.services.errors import Conflict, NotFound
from app.services.types import DbSession


def can_preview(user: User, course: Course) -> bool:
    """Unpublished courses are visible to their owner and to admins only."""
    return bool(user.roles & Role.ADMIN) or (
        bool(user.roles & Role.TRAINER) and course.owner_id == user.id
    )


# Managing a course (its statistics, its versions) needs the same standing as previewing it.
can_manage = can_preview


def visible_course(session: DbSession, slug: str, user: User) -> Course:
    """The course with this slug if published, or unpublished and previewable by this user
    (can_preview). Raises NotFound otherwise."""
    course = session.scalar(select(Course).where(Course.slug == slug))
    if course is None or not (course.published or can_preview(user, course)):
        # An unpublished course is "not found" to others, not "forbidden": its name stays private.
        raise NotFound()
    return course


def managed_course(session: DbSession, slug: str, user: User) -> Course:
    """A course this user may manage; to anyone else it does not exist."""
    course = session.scalar(select(Course).where(Course.slug == slug))
    if course is None or not can_manage(user, course):
        raise NotFound()
    return course


def visible_lesson(session: DbSession, slug: str, path: str, user: User) -> Lesson:
    """A live lesson with its course loaded, in one query."""
    lesson = session.scalar(
        select(Lesson)
        .join(Lesson.course)
        .options(contains_eager(Lesson.course))
        .where(Course.slug == slug, Lesson.path == path, Lesson.retired.is_(False))
    )
    if lesson is None or not (lesson.course.published or can_preview(user, lesson.course)):
        raise NotFound()
    return lesson


def visible_lesson_by_id(session: DbSession, lesson_id: int, user: User) -> Lesson:
    """visible_lesson addressed by id (the API's way): live, in a course the user may see."""
    lesson = session.scalar(
        select(Lesson)
        .join(Lesson.course)
        .options(contains_eager(Lesson.course))
        .where(Lesson.id == lesson_id, Lesson.retired.is_(False))
    )
    if lesson is None or not (lesson.course.published or can_preview(user, lesson.course)):
        raise NotFound()
    return lesson


def visible_quiz(session: DbSession, lesson_id: int, user: User) -> Lesson:
    """A live quiz step the user may see; a plain lesson's id is NotFound here."""
    lesson = visible_lesson_by_id(session, lesson_id, user)
    if not lesson.is_quiz or lesson.quiz is None:
        raise NotFound()
    return lesson


def course_media(session: DbSession, course: Course, name: str) -> MediaFile:
    """A media file of the course by its path under media/; NotFound otherwise."""
    item = session.scalar(
        select(MediaFile).where(MediaFile.course_id == course.id, MediaFile.path == name)
    )
    if item is None:
        raise NotFound()
    return item


def _visible_to(user: User) -> ColumnElement[bool]:
    """SQL condition: the course is one `user` may see (published, or theirs to preview)."""
    if user.roles & Role.ADMIN:
        return true()
    if user.roles & Role.TRAINER:
        return or_(Course.published.is_(True), Course.owner_id == user.id)
    return Course.published.is_(True)


def visible_course_choices(session: DbSession, user: User) -> list[tuple[int, str]]:
    """(id, title) of the courses the user may see, by title: for pickers such as the report's
    course filter (a draft appears only to its trainer and admins, as with can_preview)."""
    return [(course_id, title) for course_id, title in session.execute(
        select(Course.id, Course.title).where(_visible_to(user)).order_by(Course.title)
    )]


def course_visible_by_id(session: DbSession, course_id: int, user: User) -> Course:
    """The course with this id if the user may see it; NotFound otherwise."""
    course = session.scalar(select(Course).where(Course.id == course_id, _visible_to(user)))
    if course is None:
        raise NotFound()
    return course


class NotRecordable(Conflict):
    """Progress that cannot be recorded here (a quiz ticked off by hand, a preview)."""

    code = "not_recordable"


def check_recordable(lesson: Lesson, *, by_hand: bool = True) -> None:
    """Previews record nothing; quizzes complete by being passed, never by a tick.

    Raises NotRecordable. The rule of PRODUCT §3 (completion `all`: every quiz *passed*).
    """
    if not lesson.course.published:
        raise NotRecordable(_l("Pratinjau kursus tidak mencatat kemajuan."))
    if by_hand and lesson.is_quiz:
        raise NotRecordable(_l("Kuis selesai ketika Anda lulus, bukan dengan ditandai."))


def published_courses(session: DbSession) -> list[Course]:
    """Published courses by title (what can be assigned as mandatory)."""
    return list(session.scalars(
        select(Course).where(Course.published.is_(True)).order_by(Course.title)))
