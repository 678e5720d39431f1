"""Finding courses and lessons, and who may see or manage them."""

from flask_babel import lazy_gettext as _l
from sqlalchemy import ColumnElement, bindparam, or_, select, true
from sqlalchemy.orm import contains_eager

from app.models import Course, Lesson, MediaFile, Role, User
from app.services.errors import Conflict, NotFound
from app.services.types import DbSession


def can_preview(user: User, course: Course) -> bool:
    """Whether `user` may see `course` while it is unpublished: an admin, or the trainer who
    owns it (PRODUCT §1: trainers preview before publishing). Raises nothing."""
    return bool(user.roles & Role.ADMIN) or (
        bool(user.roles & Role.TRAINER) and course.owner_id == user.id
    )


# Managing a course (its statistics, its versions) needs the same standing as previewing it.
can_manage = can_preview


# Built once, with bound parameters (every course page's first query).
_COURSE_BY_SLUG = select(Course).where(Course.slug == bindparam("slug"))


def visible_course(session: DbSession, slug: str, user: User) -> Course:
    """The Course with this slug, when it is published or `user` may preview it (can_preview).

    Raises NotFound otherwise: to anyone else a draft does not exist, so its name stays
    private."""
    course = session.scalar(_COURSE_BY_SLUG, {"slug": slug})
    if course is None or not (course.published or can_preview(user, course)):
        # An unpublished course is "not found" to others, not "forbidden": its name stays private.
        raise NotFound()
    return course


def managed_course(session: DbSession, slug: str, user: User) -> Course:
    """The Course with this slug, when `user` may manage it (its trainer or an admin).

    Raises NotFound for anyone else: to them the course does not exist."""
    course = session.scalar(select(Course).where(Course.slug == slug))
    if course is None or not can_manage(user, course):
        raise NotFound()
    return course


# Built once, with bound parameters (a completion's and a quiz's first query).
_VISIBLE_LESSON = (
    select(Lesson)
    .join(Lesson.course)
    .options(contains_eager(Lesson.course))
    .where(Course.slug == bindparam("slug"), Lesson.path == bindparam("path"),
           Lesson.retired.is_(False))
)


def visible_lesson(session: DbSession, slug: str, path: str, user: User) -> Lesson:
    """The live (not retired) Lesson at `path` in course `slug`, its course loaded, in one query.

    Raises NotFound for an unknown or retired lesson, and for a lesson of a draft `user` may
    not preview (can_preview)."""
    lesson = session.scalar(_VISIBLE_LESSON, {"slug": slug, "path": path})
    if lesson is None or not (lesson.course.published or can_preview(user, lesson.course)):
        raise NotFound()
    return lesson


def visible_lesson_by_id(session: DbSession, lesson_id: int, user: User) -> Lesson:
    """visible_lesson addressed by id (the API's way): the live Lesson, its course loaded.

    Raises NotFound as visible_lesson does."""
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
    """The live quiz step (a Lesson with its quiz) with this id, in a course `user` may see.

    Raises NotFound as visible_lesson does, and for a plain lesson's id."""
    lesson = visible_lesson_by_id(session, lesson_id, user)
    if not lesson.is_quiz or lesson.quiz is None:
        raise NotFound()
    return lesson


def course_media(session: DbSession, course: Course, name: str) -> MediaFile:
    """The MediaFile of `course` at `name`, its path under media/. Raises NotFound when the
    course has no such file."""
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
    """(id, title) of every course the user may see, by title, for pickers such as the report's
    course filter: a draft only for its trainer and admins, as with can_preview. Raises nothing."""
    return [(course_id, title) for course_id, title in session.execute(
        select(Course.id, Course.title).where(_visible_to(user)).order_by(Course.title)
    )]


def course_visible_by_id(session: DbSession, course_id: int, user: User) -> Course:
    """The Course with this id, when it is published or `user` may preview it. Raises NotFound
    otherwise."""
    course = session.scalar(select(Course).where(Course.id == course_id, _visible_to(user)))
    if course is None:
        raise NotFound()
    return course


class NotRecordable(Conflict):
    """Progress that cannot be recorded here (a quiz ticked off by hand, a preview)."""

    code = "not_recordable"


def check_recordable(lesson: Lesson, *, by_hand: bool = True) -> None:
    """Return quietly when progress on `lesson` may be recorded.

    Raises NotRecordable for a lesson of an unpublished course (a preview records nothing)
    and, `by_hand`, for a quiz: a quiz completes by being passed, never by a tick (PRODUCT §3,
    `completion: all`)."""
    if not lesson.course.published:
        raise NotRecordable(_l("Pratinjau kursus tidak mencatat kemajuan."))
    if by_hand and lesson.is_quiz:
        raise NotRecordable(_l("Kuis selesai ketika Anda lulus, bukan dengan ditandai."))


def published_courses(session: DbSession) -> list[Course]:
    """Every published Course, by title: what can be assigned as mandatory. Raises nothing."""
    return list(session.scalars(
        select(Course).where(Course.published.is_(True)).order_by(Course.title)))
