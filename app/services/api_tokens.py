"""Bearer tokens of the JSON API: issued at sign-in, stored only as hashes, listed and revoked.

A token works while it is unexpired and unrevoked, its user is active, and the user's
session_version equals the one stored at issue (app.models.User.session_version: raising it
ends every session, remember cookie and token of that user).
"""

from __future__ import annotations

import hashlib
import secrets
from datetime import datetime, timedelta
from typing import Any

from flask_babel import lazy_gettext as _l
from sqlalchemy import select, update
from sqlalchemy.orm import joinedload

from app.models import ApiToken, User, utcnow
from app.services.accounts import authenticate
from app.services.errors import NotFound, Unauthenticated
from app.services.types import DbSession, rowcount

DEFAULT_LIFETIME = timedelta(days=30)
# last_used_at is written at most this often per token, so reads do not turn into writes.
USE_RESOLUTION = timedelta(minutes=5)


def token_digest(secret: str) -> str:
    """The SHA-256 hex digest of a token's secret: what the table holds instead of the secret
    (PRODUCT §5). Raises nothing."""
    return hashlib.sha256(secret.encode()).hexdigest()


def issue_token(
    session: DbSession, user: User, *, lifetime: timedelta = DEFAULT_LIFETIME,
    label: str | None = None, now: datetime | None = None, **throttling: Any,
) -> tuple[str, ApiToken]:
    """A new random token for the user: (the secret, shown once; its ApiToken row, flushed).
    Raises nothing."""
    now = now or utcnow()
    secret = secrets.token_urlsafe(32)
    token = ApiToken(
        user_id=user.id, token_hash=token_digest(secret), label=(label or "")[:100] or None,
        session_version=user.session_version, created_at=now, expires_at=now + lifetime,
    )
    session.add(token)
    session.flush()
    return secret, token


def sign_in(
    session: DbSession, login: str, password: str, *, lifetime: timedelta = DEFAULT_LIFETIME,
    label: str | None = None, now: datetime | None = None, **throttling: Any,
) -> tuple[str, ApiToken]:
    """Check an email/NIP and password with the web sign-in's own accounts.authenticate (so its
    rules, throttling included, hold for tokens too), then issue a token.

    Raises Unauthenticated without saying which part was wrong, TooManyAttempts while the
    account or address is locked. `throttling` (address, throttle, cost) goes to authenticate;
    the caller commits even on Unauthenticated, so that the failure is counted.
    """
    user = authenticate(session, login, password, **throttling)
    if user is None:
        raise Unauthenticated(_l("Email/NIP atau kata sandi salah."))
    return issue_token(session, user, lifetime=lifetime, label=label, now=now)


def token_in_force(session: DbSession, secret: str, now: datetime | None = None) -> ApiToken | None:
    """The ApiToken row for this secret with its user loaded, if it still works; else None.

    Refused: unknown, revoked, expired, user inactive, or session_version changed since issue.
    Records last_used_at (at most every USE_RESOLUTION). Raises nothing."""
    if not secret or len(secret) > 200:
        return None
    now = now or utcnow()
    token = session.scalar(
        select(ApiToken).options(joinedload(ApiToken.user))
        .where(ApiToken.token_hash == token_digest(secret))
    )
    if (
        token is None or token.revoked_at is not None or token.expires_at <= now
        or not token.user.active or token.user.session_version != token.session_version
    ):
        return None
    if token.last_used_at is None or now - token.last_used_at > USE_RESOLUTION:
        token.last_used_at = now
    return token


def list_tokens(session: DbSession, user: User, now: datetime | None = None) -> list[ApiToken]:
    """The user's ApiTokens that still work, newest first (for "Akun saya"). Raises nothing."""
    now = now or utcnow()
    return list(session.scalars(
        select(ApiToken)
        .where(ApiToken.user_id == user.id, ApiToken.revoked_at.is_(None),
               ApiToken.expires_at > now, ApiToken.session_version == user.session_version)
        .order_by(ApiToken.created_at.desc(), ApiToken.id.desc())
    ))


def revoke_token(
    session: DbSession, user: User, token_id: int, now: datetime | None = None
) -> None:
    """Revoke one of the user's own tokens; revoking twice is fine. Returns nothing. Raises
    NotFound for an unknown token or anyone else's."""
    token = session.get(ApiToken, token_id)
    if token is None or token.user_id != user.id:
        raise NotFound()
    if token.revoked_at is None:
        token.revoked_at = now or utcnow()
    session.flush()


def revoke_all_tokens(session: DbSession, user: User, now: datetime | None = None) -> int:
    """Revoke every token of the user; returns how many were still unrevoked. Raises nothing."""
    return rowcount(session.execute(
        update(ApiToken)
        .where(ApiToken.user_id == user.id, ApiToken.revoked_at.is_(None))
        .values(revoked_at=now or utcnow())
    ))
