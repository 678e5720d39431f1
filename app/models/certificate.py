"""Certificates of completion, verifiable by anyone who holds the code."""

from __future__ import annotations

from datetime import datetime
from decimal import Decimal

from sqlalchemy import ForeignKey, Numeric, String, UniqueConstraint
from sqlalchemy.orm import Mapped, mapped_column

from app.models.base import Base, utcnow


class Certificate(Base):
    __tablename__ = "certificate"
    __table_args__ = (UniqueConstraint("user_id", "course_id"),)

    id: Mapped[int] = mapped_column(primary_key=True)
    # 128 random bits, URL-safe: unguessable.
    code: Mapped[str] = mapped_column(String(32), unique=True)
    user_id: Mapped[int] = mapped_column(ForeignKey("user.id"))
    course_id: Mapped[int] = mapped_column(ForeignKey("course.id"), index=True)
    issued_at: Mapped[datetime] = mapped_column(default=utcnow)
    # What the certificate says, frozen at completion.
    learner_name: Mapped[str] = mapped_column(String(200))
    masked_nip: Mapped[str | None] = mapped_column(String(18))
    course_title: Mapped[str] = mapped_column(String(200))
    jp: Mapped[Decimal] = mapped_column(Numeric(6, 2))
    completed_at: Mapped[datetime]
