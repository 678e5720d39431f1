"""Counts the completion report sums instead of walking every learner (app/services/rollups.py)."""

from __future__ import annotations

from datetime import date

from sqlalchemy import ForeignKey
from sqlalchemy.orm import Mapped, mapped_column

from app.models.base import Base


class ReportRollup(Base):
    """Learner × course rows of one unit's active members and one course: how many, how many
    enrolled, how many completed. A course is mandatory for all of a unit's members or for none,
    with one due date (the earliest assignment covering the unit), so overdue is worked out when
    read: the rows not completed, once due_on has passed. Completion status only; a JP column
    can be added from the JP ledger the same way."""

    __tablename__ = "report_rollup"

    unit_id: Mapped[int] = mapped_column(
        ForeignKey("unit.id", ondelete="CASCADE"), primary_key=True)
    course_id: Mapped[int] = mapped_column(
        ForeignKey("course.id", ondelete="CASCADE"), primary_key=True, index=True)
    due_on: Mapped[date | None]
    rows: Mapped[int]
    enrolled: Mapped[int]
    completed: Mapped[int]
