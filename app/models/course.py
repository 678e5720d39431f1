"""Courses as imported from Markdown folders: the rendered HTML is stored, never re-rendered."""

from __future__ import annotations

from datetime import datetime
from decimal import Decimal
from typing import TYPE_CHECKING

from sqlalchemy import JSON, ForeignKey, Index, LargeBinary, Numeric, String, Text, UniqueConstraint
from sqlalchemy.orm import Mapped, mapped_column, relationship

from app.models.base import Base, utcnow

if TYPE_CHECKING:
    from app.models.quiz import Question


class Course(Base):
    __tablename__ = "course"

    id: Mapped[int] = mapped_column(primary_key=True)
    slug: Mapped[str] = mapped_column(String(100), unique=True)
    title: Mapped[str] = mapped_column(String(200))
    summary: Mapped[str] = mapped_column(String(500))
    description_html: Mapped[str] = mapped_column(Text, default="")
    jp: Mapped[Decimal] = mapped_column(Numeric(6, 2))
    language: Mapped[str] = mapped_column(String(5), default="id")
    level: Mapped[str | None] = mapped_column(String(50))
    tags: Mapped[list[str]] = mapped_column(JSON, default=list)
    version: Mapped[str | None] = mapped_column(String(50))
    owner_email: Mapped[str | None] = mapped_column(String(254))
    owner_id: Mapped[int | None] = mapped_column(ForeignKey("user.id"), index=True)
    completion: Mapped[str] = mapped_column(String(20), default="all")
    published: Mapped[bool] = mapped_column(default=False, index=True)
    source_path: Mapped[str] = mapped_column(String(500))
    content_hash: Mapped[str] = mapped_column(String(64))
    imported_at: Mapped[datetime] = mapped_column(default=utcnow)

    modules: Mapped[list[Module]] = relationship(
        back_populates="course", order_by="Module.position", cascade="all, delete-orphan"
    )

    def __repr__(self) -> str:
        return f"<Course {self.slug}>"


class Module(Base):
    __tablename__ = "module"
    __table_args__ = (UniqueConstraint("course_id", "dir_name"),)

    id: Mapped[int] = mapped_column(primary_key=True)
    course_id: Mapped[int] = mapped_column(ForeignKey("course.id"))
    dir_name: Mapped[str] = mapped_column(String(120))
    title: Mapped[str] = mapped_column(String(200))
    intro_html: Mapped[str] = mapped_column(Text, default="")
    position: Mapped[int]
    retired: Mapped[bool] = mapped_column(default=False)

    course: Mapped[Course] = relationship(back_populates="modules")
    lessons: Mapped[list[Lesson]] = relationship(
        back_populates="module", order_by="Lesson.position"
    )


class Lesson(Base):
    """A lesson or a quiz: one readable step of a course, addressed by its source path."""

    __tablename__ = "lesson"
    __table_args__ = (
        UniqueConstraint("course_id", "path"),
        Index("ix_lesson_course_id_position", "course_id", "position"),
    )

    id: Mapped[int] = mapped_column(primary_key=True)
    course_id: Mapped[int] = mapped_column(ForeignKey("course.id"))
    module_id: Mapped[int] = mapped_column(ForeignKey("module.id"), index=True)
    # Relative to the course folder, without ".md": "01-pengantar/01-apa-itu-spbe".
    path: Mapped[str] = mapped_column(String(250))
    kind: Mapped[str] = mapped_column(String(10), default="lesson")
    title: Mapped[str] = mapped_column(String(200))
    minutes: Mapped[int] = mapped_column(default=1)
    body_html: Mapped[str] = mapped_column(Text, default="")
    content_hash: Mapped[str] = mapped_column(String(64))
    position: Mapped[int]
    retired: Mapped[bool] = mapped_column(default=False)

    course: Mapped[Course] = relationship()
    module: Mapped[Module] = relationship(back_populates="lessons")
    quiz: Mapped[Quiz | None] = relationship(back_populates="lesson", cascade="all, delete-orphan")

    @property
    def is_quiz(self) -> bool:
        return self.kind == "quiz"


class Quiz(Base):
    """Settings of a quiz lesson."""

    __tablename__ = "quiz"

    lesson_id: Mapped[int] = mapped_column(ForeignKey("lesson.id"), primary_key=True)
    pass_mark: Mapped[int] = mapped_column(default=70)
    max_attempts: Mapped[int | None]
    shuffle: Mapped[bool] = mapped_column(default=False)
    time_limit_minutes: Mapped[int | None]
    question_count: Mapped[int] = mapped_column(default=0)

    lesson: Mapped[Lesson] = relationship(back_populates="quiz")
    questions: Mapped[list[Question]] = relationship(
        order_by="Question.position",
        primaryjoin="and_(Question.quiz_id == Quiz.lesson_id, Question.retired.is_(False))",
        viewonly=True,
    )


class MediaFile(Base):
    """An image or attachment of a course, kept in the database so an import is one transaction."""

    __tablename__ = "media_file"
    __table_args__ = (UniqueConstraint("course_id", "path"),)

    id: Mapped[int] = mapped_column(primary_key=True)
    course_id: Mapped[int] = mapped_column(ForeignKey("course.id"))
    # Relative to the course's media/ folder: "diagram-spbe.png".
    path: Mapped[str] = mapped_column(String(250))
    content_type: Mapped[str] = mapped_column(String(100))
    sha256: Mapped[str] = mapped_column(String(64))
    size: Mapped[int]
    data: Mapped[bytes] = mapped_column(LargeBinary)
