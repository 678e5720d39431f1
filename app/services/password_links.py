"""One-time links to set a password: only a hash of the secret is stored; each works once."""

from __future__ import annotations

import hashlib
import secrets
from datetime import datetime, timedelta

from flask_babel import lazy_gettext as _l
from sqlalchemy import select, update

from app.models import PasswordToken, User, utcnow
from app.services.accounts import check_password_strength
from app.services.audit import record
from app.services.errors import NotFound
from app.services.passwords import hash_password
from app.services.sessions import end_all_sessions
from app.services.types import DbSession, rowcount

LIFETIME = timedelta(days=7)
# A reset asked for by someone who forgot their password: short-lived, like the email.
RESET_LIFETIME = timedelta(hours=1)


def _digest(secret: str) -> str:
    return hashlib.sha256(secret.encode()).hexdigest()


def issue_link(
    session: DbSession, user_id: int, *, now: datetime | None = None,
    lifetime: timedelta = LIFETIME,
    purpose: str = "password", actor_id: int | None = None, audit: bool = True,
) -> tuple[str, datetime]:
    """A new secret for the user's link (older unused links stop working) and its expiry.

    `purpose` is "password" (set or reset it) or "confirm" (a self-registered address). The
    issue is written to the audit log (never the secret). Raises nothing.
    """
    now = now or utcnow()
    session.execute(
        update(PasswordToken)
        .where(PasswordToken.user_id == user_id, PasswordToken.used_at.is_(None),
               PasswordToken.purpose == purpose)
        .values(used_at=now)
    )
    secret = secrets.token_urlsafe(32)
    expires_at = now + lifetime
    session.add(PasswordToken(user_id=user_id, token_hash=_digest(secret), created_at=now,
                              expires_at=expires_at, purpose=purpose))
    if audit:  # a staff import writes one entry for all its links instead
        record(session, actor_id, f"link.{purpose}", f"user:{user_id}",
               expires=expires_at.isoformat())
    session.flush()
    return secret, expires_at


def valid_link(session: DbSession, secret: str, *, now: datetime | None = None) -> PasswordToken:
    """The PasswordToken of this secret, when it is unused, unexpired and its user active.
    Raises NotFound otherwise, with one message that says what to do (ask for a new link)."""
    token = session.scalar(
        select(PasswordToken).join(PasswordToken.user)
        .where(PasswordToken.token_hash == _digest(secret or ""), User.active.is_(True),
               PasswordToken.purpose == "password")
    )
    if token is None or token.used_at is not None or token.expires_at <= (now or utcnow()):
        raise NotFound(_l(
            "Tautan ini tidak berlaku: sudah dipakai, kedaluwarsa, atau salah salin. "
            "Mintalah tautan baru kepada admin Lentera."))
    return token


def redeem_link(
    session: DbSession, secret: str, password: str, *, cost: tuple[int, int],
    now: datetime | None = None,
) -> User:
    """Set the password through the link; returns the User. A second use (even a concurrent
    one) is refused.

    Every existing session, remember cookie and API token of the user ends (end_all_sessions).
    Raises NotFound as valid_link does and for a link already used, InvalidInput for a
    password too short."""
    now = now or utcnow()
    token = valid_link(session, secret, now=now)
    check_password_strength(password)
    claimed = session.execute(
        update(PasswordToken)
        .where(PasswordToken.id == token.id, PasswordToken.used_at.is_(None))
        .values(used_at=now)
    )
    if rowcount(claimed) != 1:
        raise NotFound(_l("Tautan ini sudah dipakai. Silakan masuk dengan kata sandi Anda."))
    user = token.user
    user.password_hash = hash_password(password, *cost)
    end_all_sessions(session, user)
    record(session, user.id, "auth.password_reset", f"user:{user.id}")
    return user


def confirm_address(session: DbSession, secret: str, *, now: datetime | None = None) -> User:
    """Confirm a self-registered address: the account becomes active; returns the User. Raises
    NotFound when the link is not valid (valid_link)."""
    now = now or utcnow()
    token = session.scalar(select(PasswordToken).where(
        PasswordToken.token_hash == _digest(secret or ""), PasswordToken.purpose == "confirm"))
    if token is None or token.used_at is not None or token.expires_at <= now:
        raise NotFound(_l(
            "Tautan konfirmasi ini tidak berlaku: sudah dipakai, kedaluwarsa, atau salah salin. "
            "Daftar lagi untuk menerima tautan baru."))
    claimed = session.execute(
        update(PasswordToken)
        .where(PasswordToken.id == token.id, PasswordToken.used_at.is_(None))
        .values(used_at=now))
    if rowcount(claimed) != 1:
        raise NotFound(_l("Tautan ini sudah dipakai. Silakan masuk."))
    token.user.active = True
    record(session, token.user.id, "auth.confirm", f"user:{token.user.id}")
    return token.user
