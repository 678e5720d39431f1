"""Course analytics for its trainer: who enrolled, started and finished, and where they stop.

Every number is one SQL aggregate; no learner's rows are looped over in Python.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any

from sqlalchemy import Float, distinct, func, select
from sqlalchemy.ext.compiler import compiles
from sqlalchemy.sql.functions import FunctionElement

from app.models import Course, Enrolment, Lesson, LessonProgress, Module
from app.services.types import DbSession


class days_between(FunctionElement[float]):  # lower case: it reads like the SQL function it is
    """Fractional days from the first timestamp to the second, on SQLite and PostgreSQL."""

    type = Float()
    inherit_cache = True
    name = "days_between"


@compiles(days_between)
def _days_between_sqlite(element: days_between, compiler: Any, **kw: Any) -> str:
    start, end = (compiler.process(arg, **kw) for arg in element.clauses)
    return f"(julianday({end}) - julianday({start}))"


@compiles(days_between, "postgresql")
def _days_between_postgresql(element: days_between, compiler: Any, **kw: Any) -> str:
    start, end = (compiler.process(arg, **kw) for arg in element.clauses)
    return f"(EXTRACT(EPOCH FROM ({end} - {start})) / 86400.0)"


@dataclass
class LessonReach:
    title: str
    module_title: str
    is_quiz: bool
    reached: int  # learners who opened it
    completed: int


@dataclass
class CourseAnalytics:
    enrolled: int
    started: int  # opened at least one lesson
    completed: int
    median_days: float | None  # from enrolment to completion, among those who completed
    lessons: list[LessonReach]

    def percent(self, count: int) -> int:
        return round(100 * count / self.enrolled) if self.enrolled else 0


def median_days_to_completion(session: DbSession, course_id: int) -> float | None:
    """The median days (a float) from enrolment to completion among those who completed the
    course, or None when nobody has; computed with window functions (the middle row, or
    the mean of the middle two). Raises nothing."""
    days = days_between(Enrolment.enrolled_at, Enrolment.completed_at)
    ranked = (
        select(
            days.label("days"),
            func.row_number().over(order_by=days).label("rn"),
            func.count().over().label("n"),
        )
        .where(Enrolment.course_id == course_id, Enrolment.completed_at.is_not(None))
        .subquery()
    )
    # For n rows the middle ones are those with n <= 2·rn <= n + 2: one when n is odd, two if even.
    median = session.scalar(
        select(func.avg(ranked.c.days)).where(
            (ranked.c.rn * 2).between(ranked.c.n, ranked.c.n + 2)
        )
    )
    return None if median is None else float(median)


def course_analytics(session: DbSession, course: Course) -> CourseAnalytics:
    """A CourseAnalytics: counts of enrolled, started (opened any lesson, retired ones too) and
    completed learners, the median days from enrolment to completion (None before the
    first), and each live lesson's reach (learners who opened and completed it), for the
    trainer's view of where learners drop off (PRODUCT §1). Raises nothing."""
    enrolled, completed = session.execute(
        select(func.count(), func.count(Enrolment.completed_at)).where(
            Enrolment.course_id == course.id
        )
    ).one()
    # Retired lessons count too: opening one then still meant starting the course.
    started = session.scalar(
        select(func.count(distinct(LessonProgress.user_id)))
        .join(Lesson, Lesson.id == LessonProgress.lesson_id)
        .where(Lesson.course_id == course.id)
    ) or 0
    rows = session.execute(
        select(
            Lesson.title,
            Module.title,
            Lesson.kind,
            func.count(LessonProgress.user_id),
            func.count(LessonProgress.completed_at),
        )
        .join(Module, Module.id == Lesson.module_id)
        .outerjoin(LessonProgress, LessonProgress.lesson_id == Lesson.id)
        .where(Lesson.course_id == course.id, Lesson.retired.is_(False))
        .group_by(Lesson.id, Module.id)
        .order_by(Module.position, Lesson.position)
    )
    lessons = [
        LessonReach(title, module_title, kind == "quiz", reached, done)
        for title, module_title, kind, reached, done in rows
    ]
    return CourseAnalytics(
        enrolled, started, completed, median_days_to_completion(session, course.id), lessons
    )
