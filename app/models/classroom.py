"""Face-to-face sessions ("sesi tatap muka") and who attended them."""

from __future__ import annotations

from datetime import date, datetime
from decimal import Decimal

from sqlalchemy import ForeignKey, Numeric, String
from sqlalchemy.orm import Mapped, mapped_column, relationship

from app.models.base import Base, utcnow
from app.models.course import Course
from app.models.user import User


class ClassSession(Base):
    """A classroom session a trainer holds; attending it credits its JP."""

    __tablename__ = "class_session"

    id: Mapped[int] = mapped_column(primary_key=True)
    title: Mapped[str] = mapped_column(String(200))
    held_on: Mapped[date]
    place: Mapped[str] = mapped_column(String(200))
    jp: Mapped[Decimal] = mapped_column(Numeric(6, 2))
    # The course it teaches: attending completes that course for people without a phone.
    course_id: Mapped[int | None] = mapped_column(ForeignKey("course.id"), index=True)
    trainer_id: Mapped[int] = mapped_column(ForeignKey("user.id"), index=True)
    # Short code learners type (or scan as a QR code) to check in while check-in is open.
    code: Mapped[str] = mapped_column(String(12), unique=True)
    checkin_open: Mapped[bool] = mapped_column(default=False)
    created_at: Mapped[datetime] = mapped_column(default=utcnow)

    course: Mapped[Course | None] = relationship()
    trainer: Mapped[User] = relationship()


class Attendance(Base):
    """One person at one session, however many times they were recorded."""

    __tablename__ = "attendance"

    session_id: Mapped[int] = mapped_column(ForeignKey("class_session.id"), primary_key=True)
    user_id: Mapped[int] = mapped_column(ForeignKey("user.id"), primary_key=True, index=True)
    # "list", "csv" or "check-in"
    method: Mapped[str] = mapped_column(String(10))
    recorded_by_id: Mapped[int | None] = mapped_column(ForeignKey("user.id"))
    recorded_at: Mapped[datetime] = mapped_column(default=utcnow)

    user: Mapped[User] = relationship(foreign_keys=[user_id])
