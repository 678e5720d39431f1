"""Reminder emails sent, so that each course is reminded at most once a week."""

from __future__ import annotations

from datetime import datetime

from sqlalchemy import ForeignKey, Index, String
from sqlalchemy.orm import Mapped, mapped_column

from app.models.base import Base, utcnow


class ReminderSent(Base):
    """One email about one mandatory course ("course"), or one supervisor's digest ("digest")."""

    __tablename__ = "reminder_sent"
    __table_args__ = (Index("ix_reminder_sent_user_id_kind_sent_at", "user_id", "kind", "sent_at"),)

    id: Mapped[int] = mapped_column(primary_key=True)
    user_id: Mapped[int] = mapped_column(ForeignKey("user.id"))
    kind: Mapped[str] = mapped_column(String(10))
    # The course reminded of; None for a digest.
    course_id: Mapped[int | None] = mapped_column(ForeignKey("course.id"), index=True)
    sent_at: Mapped[datetime] = mapped_column(default=utcnow)
