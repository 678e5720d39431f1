"""Mandatory courses: a course assigned to a unit and everything below it, with a due date."""

from __future__ import annotations

from datetime import date, datetime

from sqlalchemy import ForeignKey, UniqueConstraint
from sqlalchemy.orm import Mapped, mapped_column, relationship

from app.models.base import Base, utcnow
from app.models.course import Course
from app.models.user import Unit, User


class Assignment(Base):
    """Every learner whose unit lies in this unit's subtree must complete the course by due_on."""

    __tablename__ = "assignment"
    # Assigning the same course to the same unit again changes the due date instead.
    __table_args__ = (UniqueConstraint("course_id", "unit_id"),)

    id: Mapped[int] = mapped_column(primary_key=True)
    course_id: Mapped[int] = mapped_column(ForeignKey("course.id"), index=True)
    unit_id: Mapped[int] = mapped_column(ForeignKey("unit.id"), index=True)
    # The last day on which completing still counts as on time.
    due_on: Mapped[date]
    assigned_by: Mapped[int | None] = mapped_column(ForeignKey("user.id"))
    assigned_at: Mapped[datetime] = mapped_column(default=utcnow)

    course: Mapped[Course] = relationship()
    unit: Mapped[Unit] = relationship()
    assigner: Mapped[User | None] = relationship()
