"""Quiz questions, attempts and what was answered.

An attempt keeps a snapshot of what it asked, so re-importing a quiz never changes an old
score. Answers are also stored as rows, so trainers' statistics are plain SQL aggregates.
"""

from __future__ import annotations

from datetime import datetime
from decimal import Decimal
from typing import Any

from sqlalchemy import JSON, ForeignKey, Index, Numeric, String, Text, UniqueConstraint
from sqlalchemy.orm import Mapped, mapped_column, relationship

from app.models.base import Base, utcnow


class Question(Base):
    __tablename__ = "question"
    __table_args__ = (UniqueConstraint("quiz_id", "content_hash"),)

    id: Mapped[int] = mapped_column(primary_key=True)
    quiz_id: Mapped[int] = mapped_column(ForeignKey("quiz.lesson_id"), index=True)
    # A question keeps its id across re-imports while its text and options stay the same.
    content_hash: Mapped[str] = mapped_column(String(64))
    position: Mapped[int]
    kind: Mapped[str] = mapped_column(String(10))  # single | multiple | short
    prompt_html: Mapped[str] = mapped_column(Text)
    explanation_html: Mapped[str] = mapped_column(Text, default="")
    points: Mapped[int] = mapped_column(default=1)
    # Short answers, normalised (case-folded, trimmed, spaces collapsed).
    accepted: Mapped[list[str]] = mapped_column(JSON, default=list)
    retired: Mapped[bool] = mapped_column(default=False)

    options: Mapped[list[QuestionOption]] = relationship(
        order_by="QuestionOption.position", cascade="all, delete-orphan"
    )


class QuestionOption(Base):
    __tablename__ = "question_option"

    id: Mapped[int] = mapped_column(primary_key=True)
    question_id: Mapped[int] = mapped_column(ForeignKey("question.id"), index=True)
    position: Mapped[int]
    text_html: Mapped[str] = mapped_column(Text)
    correct: Mapped[bool]


class QuizAttempt(Base):
    __tablename__ = "quiz_attempt"
    # Numbering attempts per learner and quiz makes the limit race-proof: two simultaneous
    # starts both try number N, and the database lets only one of them in.
    __table_args__ = (
        UniqueConstraint("user_id", "quiz_id", "number"),
        Index("ix_quiz_attempt_quiz_id_submitted_at", "quiz_id", "submitted_at"),
    )

    id: Mapped[int] = mapped_column(primary_key=True)
    user_id: Mapped[int] = mapped_column(ForeignKey("user.id"))
    quiz_id: Mapped[int] = mapped_column(ForeignKey("quiz.lesson_id"))
    number: Mapped[int]
    started_at: Mapped[datetime] = mapped_column(default=utcnow)
    deadline_at: Mapped[datetime | None]
    submitted_at: Mapped[datetime | None]
    timed_out: Mapped[bool] = mapped_column(default=False)
    # What was asked, in the order shown: questions with their options (and the key, kept
    # on the server only), plus the pass mark in force.
    snapshot: Mapped[dict[str, Any]] = mapped_column(JSON)
    answers: Mapped[dict[str, Any] | None] = mapped_column(JSON)
    # Answers saved as the learner gives them (autosave), and when the server last stored them:
    # a submission arriving after the deadline is graded on what was saved before it.
    draft_answers: Mapped[dict[str, Any] | None] = mapped_column(JSON)
    draft_saved_at: Mapped[datetime | None]
    points_earned: Mapped[int | None]
    points_possible: Mapped[int | None]
    score: Mapped[Decimal | None] = mapped_column(Numeric(5, 2))
    passed: Mapped[bool | None]

    results: Mapped[list[AttemptResult]] = relationship(cascade="all, delete-orphan")


class AttemptResult(Base):
    """One graded question of an attempt."""

    __tablename__ = "attempt_result"

    attempt_id: Mapped[int] = mapped_column(ForeignKey("quiz_attempt.id"), primary_key=True)
    question_id: Mapped[int] = mapped_column(
        ForeignKey("question.id"), primary_key=True, index=True
    )
    correct: Mapped[bool]
    points: Mapped[int]


class AttemptChoice(Base):
    """One option a learner picked in a graded attempt."""

    __tablename__ = "attempt_choice"

    attempt_id: Mapped[int] = mapped_column(ForeignKey("quiz_attempt.id"), primary_key=True)
    option_id: Mapped[int] = mapped_column(
        ForeignKey("question_option.id"), primary_key=True, index=True
    )
