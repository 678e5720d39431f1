"""People and the organisation tree they belong to."""

from __future__ import annotations

import enum
from datetime import datetime
from typing import TYPE_CHECKING

from sqlalchemy import CheckConstraint, ForeignKey, Index, String, true
from sqlalchemy.orm import Mapped, mapped_column, relationship

from app.models.base import Base, utcnow


class Role(enum.IntFlag):
    """Roles combine: a supervisor usually learns too."""

    LEARNER = 1
    TRAINER = 2
    SUPERVISOR = 4
    ADMIN = 8

    @classmethod
    def parse(cls, names: str) -> Role:
        """'learner,trainer' -> Role.LEARNER | Role.TRAINER; ValueError on an unknown name."""
        role = cls(0)
        for name in filter(None, (n.strip().lower() for n in names.split(","))):
            if name.upper() not in cls.__members__:
                raise ValueError(name)
            role |= cls[name.upper()]
        if not role:
            raise ValueError(names)
        return role

    @property
    def names(self) -> list[str]:
        return [r.name.lower() for r in Role if r in self and r.name]


class Unit(Base):
    """A node of the organisation tree: agency, unit or sub-unit."""

    __tablename__ = "unit"
    # text_pattern_ops lets PostgreSQL use the index for "path LIKE '/1/4/%'" in any collation.
    __table_args__ = (Index("ix_unit_path", "path", postgresql_ops={"path": "text_pattern_ops"}),)

    id: Mapped[int] = mapped_column(primary_key=True)
    code: Mapped[str] = mapped_column(String(40), unique=True)
    name: Mapped[str] = mapped_column(String(200))
    parent_id: Mapped[int | None] = mapped_column(ForeignKey("unit.id"), index=True)
    # Materialised path of ids, "/1/4/9/": a subtree is one indexed prefix match.
    path: Mapped[str] = mapped_column(String(400))

    parent: Mapped[Unit | None] = relationship(remote_side=[id])

    def __repr__(self) -> str:
        return f"<Unit {self.code}>"


class User(Base):
    __tablename__ = "user"
    __table_args__ = (CheckConstraint("roles > 0 AND roles < 16", name="roles_known"),)

    id: Mapped[int] = mapped_column(primary_key=True)
    email: Mapped[str] = mapped_column(String(254), unique=True)
    name: Mapped[str] = mapped_column(String(200))
    nip: Mapped[str | None] = mapped_column(String(18), unique=True)
    password_hash: Mapped[str | None] = mapped_column(String(200))
    roles: Mapped[int] = mapped_column(default=int(Role.LEARNER))
    unit_id: Mapped[int | None] = mapped_column(ForeignKey("unit.id"), index=True)
    locale: Mapped[str | None] = mapped_column(String(5))
    active: Mapped[bool] = mapped_column(default=True)
    created_at: Mapped[datetime] = mapped_column(default=utcnow)
    # Raised whenever every session, remember cookie and API token of the user must end
    # (sign-out everywhere, password change or reset, deactivation). Each of them carries
    # the version it was issued under and is refused once it differs.
    session_version: Mapped[int] = mapped_column(default=1, server_default="1")
    # Email preferences (/me/notifications): reminders of one's own mandatory courses, and for
    # supervisors the weekly digest of their overdue staff. Notices in the app always show.
    remind_by_email: Mapped[bool] = mapped_column(default=True, server_default=true())
    digest_by_email: Mapped[bool] = mapped_column(default=True, server_default=true())

    unit: Mapped[Unit | None] = relationship()

    if TYPE_CHECKING:
        # Not a column: services/sessions sets it on the signed-in request's user ("id.version.
        # secret"); get_id() hands it to Flask-Login. Declared for the type checker only, as
        # SQLAlchemy would try to map an annotation in the class body.
        session_ref: str | None

    # Flask-Login's protocol, written out so models need no Flask import.
    @property
    def is_authenticated(self) -> bool:
        return True

    @property
    def is_active(self) -> bool:
        return self.active

    @property
    def is_anonymous(self) -> bool:
        return False

    def get_id(self) -> str:
        # Flask-Login keeps this string in the session and the remember cookie. After sign-in
        # it names the server-side LoginSession too ("id.version.secret", see
        # services/sessions.py), so that ending the session or raising the version kills both.
        return getattr(self, "session_ref", None) or str(self.id)

    def has_role(self, role: Role) -> bool:
        return bool(self.roles & role)

    @property
    def role_set(self) -> Role:
        return Role(self.roles)

    def __repr__(self) -> str:
        return f"<User {self.email}>"


class LoginSession(Base):
    """One signed-in browser: deleted at sign-out, so a replayed cookie finds nothing.

    The session cookie and the remember cookie carry a secret whose SHA-256 is stored here.
    """

    __tablename__ = "login_session"

    id: Mapped[int] = mapped_column(primary_key=True)
    user_id: Mapped[int] = mapped_column(ForeignKey("user.id"), index=True)
    token_hash: Mapped[str] = mapped_column(String(64), unique=True)
    created_at: Mapped[datetime] = mapped_column(default=utcnow)
    # A short description of the device for "Akun saya" (the browser's User-Agent, cut).
    device: Mapped[str | None] = mapped_column(String(200))


class LoginThrottle(Base):
    """A counter of failed sign-ins (or reset requests) per account or per address.

    Used when no Redis is configured, so all workers of the embedded default share one budget.
    """

    __tablename__ = "login_throttle"

    key: Mapped[str] = mapped_column(String(200), primary_key=True)
    count: Mapped[int] = mapped_column(default=0)
    window_started_at: Mapped[datetime]


class PasswordToken(Base):
    """A one-time link to set a password. Only a hash of the secret is stored."""

    __tablename__ = "password_token"

    id: Mapped[int] = mapped_column(primary_key=True)
    user_id: Mapped[int] = mapped_column(ForeignKey("user.id"), index=True)
    # SHA-256 of the secret in the link: a leaked table cannot be turned into working links.
    token_hash: Mapped[str] = mapped_column(String(64), unique=True)
    created_at: Mapped[datetime] = mapped_column(default=utcnow)
    expires_at: Mapped[datetime]
    used_at: Mapped[datetime | None]
    # "password" (set or reset a password) or "confirm" (confirm a self-registered address).
    purpose: Mapped[str] = mapped_column(String(10), default="password",
                                         server_default="password")

    user: Mapped[User] = relationship()
