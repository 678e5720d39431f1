"""The JP ledger: every credited learning hour is one entry, whatever its source."""

from __future__ import annotations

from datetime import date, datetime
from decimal import Decimal

from sqlalchemy import (
    CheckConstraint,
    ForeignKey,
    Index,
    LargeBinary,
    Numeric,
    String,
    UniqueConstraint,
)
from sqlalchemy.orm import Mapped, mapped_column, relationship

from app.models.base import Base, utcnow
from app.models.user import User

COURSE, SESSION, CLAIM = "course", "session", "claim"
CREDITED, PENDING, REJECTED = "credited", "pending", "rejected"


class JpEntry(Base):
    """Hours credited (or waiting, or refused) to one person from one course, session or claim.

    (user, source, ref_id) is unique: completing a course twice, being recorded twice at a
    session or submitting the same claim twice never credits the hours twice.
    """

    __tablename__ = "jp_entry"
    __table_args__ = (
        UniqueConstraint("user_id", "source", "ref_id"),
        Index("ix_jp_entry_year_user_id", "year", "user_id"),
        CheckConstraint("source IN ('course', 'session', 'claim')", name="source"),
        CheckConstraint("status IN ('credited', 'pending', 'rejected')", name="status"),
    )

    id: Mapped[int] = mapped_column(primary_key=True)
    user_id: Mapped[int] = mapped_column(ForeignKey("user.id"), index=True)
    hours: Mapped[Decimal] = mapped_column(Numeric(6, 2))
    # The day the hours were earned, in Asia/Jakarta, and its year (the target's year).
    on_date: Mapped[date]
    year: Mapped[int]
    source: Mapped[str] = mapped_column(String(10))
    # Course.id, ClassSession.id or JpClaim.id, depending on source.
    ref_id: Mapped[int]
    # What it was, frozen when written: a later rename changes no one's history.
    title: Mapped[str] = mapped_column(String(200))
    status: Mapped[str] = mapped_column(String(10), default=CREDITED)
    # Null when the system credited it (a completed course, an attendance).
    decided_by_id: Mapped[int | None] = mapped_column(ForeignKey("user.id"))
    decided_at: Mapped[datetime | None]
    reason: Mapped[str | None] = mapped_column(String(500))
    created_at: Mapped[datetime] = mapped_column(default=utcnow)

    user: Mapped[User] = relationship(foreign_keys=[user_id])
    decided_by: Mapped[User | None] = relationship(foreign_keys=[decided_by_id])


class JpClaim(Base):
    """Outside training a learner declares, with proof; its ledger entry carries the decision."""

    __tablename__ = "jp_claim"

    id: Mapped[int] = mapped_column(primary_key=True)
    user_id: Mapped[int] = mapped_column(ForeignKey("user.id"), index=True)
    title: Mapped[str] = mapped_column(String(200))
    organiser: Mapped[str] = mapped_column(String(200))
    starts_on: Mapped[date]
    ends_on: Mapped[date]
    hours: Mapped[Decimal] = mapped_column(Numeric(6, 2))
    # The proof: PDF, JPEG or PNG, at most 5 MB, its type found from its content.
    proof_type: Mapped[str] = mapped_column(String(50))
    proof_size: Mapped[int]
    proof: Mapped[bytes] = mapped_column(LargeBinary, deferred=True)
    created_at: Mapped[datetime] = mapped_column(default=utcnow)

    user: Mapped[User] = relationship()
