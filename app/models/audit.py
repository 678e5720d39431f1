"""The audit log: who did what to which thing, and when."""

from __future__ import annotations

from datetime import datetime
from typing import Any

from sqlalchemy import JSON, ForeignKey, String
from sqlalchemy.orm import Mapped, mapped_column, relationship

from app.models.base import Base, utcnow
from app.models.user import User


class AuditEntry(Base):
    __tablename__ = "audit_entry"

    id: Mapped[int] = mapped_column(primary_key=True)
    at: Mapped[datetime] = mapped_column(default=utcnow, index=True)
    # Null when the command line or the system acted.
    actor_id: Mapped[int | None] = mapped_column(ForeignKey("user.id"), index=True)
    # A dotted verb: "course.import", "course.publish", "course.unpublish", "user.roles" …
    action: Mapped[str] = mapped_column(String(60), index=True)
    # What it was done to, e.g. "course:literasi-digital-asn" or "user:42".
    target: Mapped[str] = mapped_column(String(200))
    details: Mapped[dict[str, Any]] = mapped_column(JSON, default=dict)

    actor: Mapped[User | None] = relationship()
