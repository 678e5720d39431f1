"""What each learner has opened and finished."""

from __future__ import annotations

from datetime import datetime
from decimal import Decimal

from sqlalchemy import ForeignKey, Numeric, UniqueConstraint
from sqlalchemy.orm import Mapped, mapped_column, relationship

from app.models.base import Base, utcnow
from app.models.course import Course, Lesson


class Enrolment(Base):
    __tablename__ = "enrolment"
    __table_args__ = (UniqueConstraint("user_id", "course_id"),)

    id: Mapped[int] = mapped_column(primary_key=True)
    user_id: Mapped[int] = mapped_column(ForeignKey("user.id"))
    course_id: Mapped[int] = mapped_column(ForeignKey("course.id"), index=True)
    enrolled_at: Mapped[datetime] = mapped_column(default=utcnow)
    completed_at: Mapped[datetime | None] = mapped_column(index=True)
    # When the server recorded the completion; completed_at is the learner's time (the same,
    # except for a completion synced from a phone that was offline).
    completion_recorded_at: Mapped[datetime | None]
    # The course's JP at the moment of completion: a later edit of course.md changes no one's
    # credited hours. Credited to the year of completed_at.
    jp_credited: Mapped[Decimal | None] = mapped_column(Numeric(6, 2))

    course: Mapped[Course] = relationship()


class LessonProgress(Base):
    """One row per learner and lesson, written on first opening and again on completion."""

    __tablename__ = "lesson_progress"

    user_id: Mapped[int] = mapped_column(ForeignKey("user.id"), primary_key=True)
    lesson_id: Mapped[int] = mapped_column(ForeignKey("lesson.id"), primary_key=True, index=True)
    opened_at: Mapped[datetime] = mapped_column(default=utcnow)
    completed_at: Mapped[datetime | None]
    # When the learner finished it on their phone (synced later from offline), clamped to
    # [enrolment, server time]; None when completed online (then completed_at is that time).
    completed_on_device_at: Mapped[datetime | None]

    lesson: Mapped[Lesson] = relationship()
