"""Finding courses and lessons, and who may see or manage them."""

from sqlalchemy import select
from sqlalchemy.orm import Session, contains_eager

from app.models import Course, Lesson, Role, User
from app.services.errors import NotFound


def can_preview(user: User, course: Course) -> bool:
    """Unpublished courses are visible to their owner and to admins only."""
    return bool(user.roles & Role.ADMIN) or (
        bool(user.roles & Role.TRAINER) and course.owner_id == user.id
    )


# Managing a course (its statistics, its versions) needs the same standing as previewing it.
can_manage = can_preview


def visible_course(session: Session, slug: str, user: User) -> Course:
    course = session.scalar(select(Course).where(Course.slug == slug))
    if course is None or not (course.published or can_preview(user, course)):
        # An unpublished course is "not found" to others, not "forbidden": its name stays private.
        raise NotFound()
    return course


def managed_course(session: Session, slug: str, user: User) -> Course:
    """A course this user may manage; to anyone else it does not exist."""
    course = session.scalar(select(Course).where(Course.slug == slug))
    if course is None or not can_manage(user, course):
        raise NotFound()
    return course


def visible_lesson(session: Session, slug: str, path: str, user: User) -> Lesson:
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
