"""What trainers did to their courses: the versions imported, and uploads waiting to go live."""

from __future__ import annotations

from datetime import datetime

from sqlalchemy import ForeignKey, LargeBinary, String
from sqlalchemy.orm import Mapped, mapped_column, relationship

from app.models.base import Base, utcnow
from app.models.course import Course
from app.models.user import User


class CourseVersion(Base):
    """One imported version of a course: which version, its content, who imported it and how."""

    __tablename__ = "course_version"

    id: Mapped[int] = mapped_column(primary_key=True)
    course_id: Mapped[int] = mapped_column(ForeignKey("course.id"), index=True)
    # The free-text `version` of course.md, as learners see it.
    version: Mapped[str | None] = mapped_column(String(50))
    content_hash: Mapped[str] = mapped_column(String(64))
    # Null when the command line imported it.
    imported_by_id: Mapped[int | None] = mapped_column(ForeignKey("user.id"))
    imported_at: Mapped[datetime] = mapped_column(default=utcnow)
    source: Mapped[str] = mapped_column(String(10))  # "cli" or "upload"

    course: Mapped[Course] = relationship()
    imported_by: Mapped[User | None] = relationship()


class CourseUpload(Base):
    """A checked .zip kept until its trainer publishes it; learners never see it.

    The archive itself is stored, so publishing imports exactly what was previewed, and a
    published course keeps showing its current version until then.
    """

    __tablename__ = "course_upload"

    id: Mapped[int] = mapped_column(primary_key=True)
    slug: Mapped[str] = mapped_column(String(100), index=True)
    filename: Mapped[str] = mapped_column(String(255))
    title: Mapped[str] = mapped_column(String(200))
    version: Mapped[str | None] = mapped_column(String(50))
    content_hash: Mapped[str] = mapped_column(String(64))
    size: Mapped[int]
    uploaded_by_id: Mapped[int] = mapped_column(ForeignKey("user.id"), index=True)
    uploaded_at: Mapped[datetime] = mapped_column(default=utcnow)
    # Up to 50 MB: loaded only when previewing or publishing.
    data: Mapped[bytes] = mapped_column(LargeBinary, deferred=True)

    uploaded_by: Mapped[User] = relationship()
