"""Signed-in sessions that the server can end.

Each sign-in creates a LoginSession row holding the SHA-256 of a random secret. The browser's
session cookie and remember cookie carry the reference "<user id>.<session version>.<secret>"
(Flask-Login's user id string). A request is signed in only while that row exists, the user is
active and the user's session_version still equals the one in the reference:

- signing out deletes the row, so a replayed session or remember cookie finds nothing, while
  the user's other devices stay signed in;
- end_all_sessions raises User.session_version and deletes every row: every session, remember
  cookie and API token (which store the version too) of that user stops working at once.

Chosen over a server-side session library: Flask's signed cookie session stays as it is (no
session store to run or to scale), and one indexed lookup per request is all it costs.
"""

from __future__ import annotations

import hashlib
import secrets
from dataclasses import dataclass
from datetime import datetime, timedelta
from typing import TYPE_CHECKING

from sqlalchemy import delete, select, update

from app.models import LoginSession, User, utcnow
from app.services import user_cache
from app.services.types import DbSession

if TYPE_CHECKING:
    from redis import Redis


def _digest(secret: str) -> str:
    return hashlib.sha256(secret.encode()).hexdigest()


def _parse(ref: str) -> tuple[int, int, str] | None:
    parts = (ref or "").split(".")
    if len(parts) != 3 or not all(p.isascii() and p.isdigit() for p in parts[:2]):
        return None
    if len(parts[0]) > 12 or len(parts[1]) > 12 or not 20 <= len(parts[2]) <= 64:
        return None
    return int(parts[0]), int(parts[1]), parts[2]


@dataclass(frozen=True)
class SessionKey:
    """What a session reference asks the database: this user, at this session version, with
    a LoginSession row of this secret digest (SHA-256 hex)."""

    user_id: int
    version: int
    digest: str


def session_key(ref: str) -> SessionKey | None:
    """The reference "<user id>.<session version>.<secret>" taken apart for a query that checks
    the session itself (progress.reader_page); None for a malformed one. Raises nothing."""
    parsed = _parse(ref)
    if parsed is None:
        return None
    return SessionKey(parsed[0], parsed[1], _digest(parsed[2]))


def open_session(session: DbSession, user: User, *, device: str | None = None,
                 lifetime: timedelta | None = None, now: datetime | None = None) -> str:
    """Start a server-side session for a user who just proved who they are.

    Returns the reference to keep in the session and remember cookies (and to set as
    `user.session_ref`, which Flask-Login's `get_id()` hands out). The user's sessions older
    than `lifetime` (the remember cookie's) are forgotten on the way. Raises nothing.
    """
    if lifetime is not None:
        session.execute(delete(LoginSession).where(
            LoginSession.user_id == user.id,
            LoginSession.created_at < (now or utcnow()) - lifetime))
    secret = secrets.token_urlsafe(32)
    session.add(LoginSession(user_id=user.id, token_hash=_digest(secret),
                             device=(device or "")[:200] or None))
    session.flush()
    ref = f"{user.id}.{user.session_version}.{secret}"
    user.session_ref = ref
    return ref


def session_user(session: DbSession, ref: str, redis: Redis | None = None) -> User | None:
    """The active user a session reference belongs to, or None when it has ended.

    Ended means: signed out (row deleted), the user's session version raised, the user
    deactivated, or a malformed or forged reference. With `redis` (a client, or None), the
    user's row and "this session still exists" come from services/user_cache when it knows
    them, so a signed-in request usually asks the database nothing; a change to the user or a
    sign-out drops those entries at commit, so the answer is never stale.
    """
    parsed = _parse(ref)
    if parsed is None:
        return None
    user_id, version, secret = parsed
    digest = _digest(secret)
    user, known = user_cache.load_with_session(session, redis, user_id, digest)
    if user is None or not user.active or user.session_version != version:
        return None
    if not known:
        alive = session.scalar(select(LoginSession.id).where(
            LoginSession.token_hash == digest, LoginSession.user_id == user_id))
        if alive is None:
            return None
        user_cache.remember_session(redis, digest)
    user.session_ref = ref
    return user


def close_session(session: DbSession, ref: str, redis: Redis | None = None) -> None:
    """Sign-out on this device only: the session and its remember cookie stop working. Returns
    nothing and raises nothing: a malformed or unknown reference is ignored, and a Redis
    failure is logged (user_cache.forget_session)."""
    parsed = _parse(ref)
    if parsed is not None:
        digest = _digest(parsed[2])
        session.execute(delete(LoginSession).where(LoginSession.token_hash == digest))
        user_cache.forget_session(redis, [digest])


def end_all_sessions(session: DbSession, user: User) -> None:
    """End every session, remember cookie and API token of the user at once.

    Increments `User.session_version` (API tokens compare it) and deletes the user's LoginSession
    rows. Called on "Keluar dari semua perangkat", password change or reset, and deactivation.
    Works in the caller's transaction; the caller commits. Raises nothing.
    """
    session.execute(
        update(User).where(User.id == user.id)
        .values(session_version=User.session_version + 1)
        .execution_options(synchronize_session=False)
    )
    session.execute(delete(LoginSession).where(LoginSession.user_id == user.id))
    session.refresh(user, ["session_version"])
    user.session_ref = None


def sessions_of(session: DbSession, user_id: int) -> list[LoginSession]:
    """The user's LoginSessions (signed-in devices), newest first. Raises nothing."""
    return list(session.scalars(
        select(LoginSession).where(LoginSession.user_id == user_id)
        .order_by(LoginSession.created_at.desc(), LoginSession.id.desc())))
