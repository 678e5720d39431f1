"""What the JSON API keeps: bearer tokens (only their hashes) and Idempotency-Key replies."""

from __future__ import annotations

from datetime import datetime
from typing import Any

from sqlalchemy import JSON, ForeignKey, Index, String, UniqueConstraint
from sqlalchemy.orm import Mapped, mapped_column, relationship

from app.models.base import Base, utcnow
from app.models.user import User


class ApiToken(Base):
    """A bearer token. Only the SHA-256 of the secret is stored: a leaked table opens nothing.

    It works while it is unexpired, unrevoked, its user is active and the user's
    session_version is still the one it was issued under (logout everywhere, a password change
    or deactivation raise that version and so end every token).
    """

    __tablename__ = "api_token"

    id: Mapped[int] = mapped_column(primary_key=True)
    user_id: Mapped[int] = mapped_column(ForeignKey("user.id"), index=True)
    token_hash: Mapped[str] = mapped_column(String(64), unique=True)
    # What the holder said it is ("Lentera Android", "SIMPEG sync"), shown on "Akun saya".
    label: Mapped[str | None] = mapped_column(String(100))
    session_version: Mapped[int]
    created_at: Mapped[datetime] = mapped_column(default=utcnow)
    expires_at: Mapped[datetime]
    last_used_at: Mapped[datetime | None]
    revoked_at: Mapped[datetime | None]

    user: Mapped[User] = relationship()


class IdempotencyKey(Base):
    """One Idempotency-Key of one user: the request it came with and the reply it got.

    The row is inserted in the same transaction as the work it guards, so the work and the
    stored reply are committed together or not at all; the unique (user, key) makes a
    concurrent replay wait for the first request and then read its reply.
    """

    __tablename__ = "idempotency_key"
    __table_args__ = (
        UniqueConstraint("user_id", "key"),
        Index("ix_idempotency_key_created_at", "created_at"),
    )

    id: Mapped[int] = mapped_column(primary_key=True)
    user_id: Mapped[int] = mapped_column(ForeignKey("user.id"))
    key: Mapped[str] = mapped_column(String(200))
    # SHA-256 of method, path and the canonical JSON body: the same key with another request
    # is refused rather than answered with the wrong reply.
    fingerprint: Mapped[str] = mapped_column(String(64))
    status_code: Mapped[int | None]
    body: Mapped[dict[str, Any] | None] = mapped_column(JSON)
    created_at: Mapped[datetime] = mapped_column(default=utcnow)
