"""Idempotency-Key: a replayed request gets the first reply again and changes nothing.

The key row is inserted in the caller's transaction before the work and holds the reply once
the work is done; both commit together. On PostgreSQL a concurrent request with the same key
blocks on the unique (user, key) index until the first commits, then reads its stored reply;
if the first rolled back, the second does the work itself. On SQLite writers queue anyway.
"""

from __future__ import annotations

import hashlib
import json
from collections.abc import Callable
from dataclasses import dataclass
from datetime import datetime, timedelta
from typing import Any

from flask_babel import lazy_gettext as _l
from sqlalchemy import delete, select, update

from app.models import IdempotencyKey, utcnow
from app.services.errors import Conflict, IdempotencyMismatch, InvalidInput
from app.services.types import DbSession, rowcount, upsert_dialect

# Kept at least this long (PRODUCT §5 / issue 9: "at least 7 days"); older keys are purged.
RETENTION = timedelta(days=7)
MAX_KEY_LENGTH = 200


@dataclass(frozen=True)
class Reply:
    status: int
    body: dict[str, Any]
    replayed: bool


def fingerprint(method: str, path: str, body: bytes) -> str:
    """SHA-256 of the request: method, path and the JSON body in canonical form (key order and
    spacing do not matter); a body that is not JSON (or nests too deep to read) counts byte for
    byte. Raises nothing."""
    try:
        canonical = json.dumps(json.loads(body or b"null"), sort_keys=True,
                               separators=(",", ":")).encode()
    except (ValueError, RecursionError):
        canonical = body
    return hashlib.sha256(method.encode() + b" " + path.encode() + b"\n" + canonical).hexdigest()


def run_once(
    session: DbSession, user_id: int, key: str, request_fingerprint: str,
    work: Callable[[], tuple[int, dict[str, Any]]], now: datetime | None = None,
) -> Reply:
    """Do `work` (returning status and JSON body) once per (user, key); replays get its reply.

    Raises IdempotencyMismatch when the key came before with another request, Conflict when
    the first request with the key is still running (SQLite only: PostgreSQL waits instead),
    InvalidInput for an empty or overlong key. Errors raised by `work` propagate and the
    caller's rollback removes the key with the work, so a retry runs again. The caller commits.
    """
    key = (key or "").strip()
    if not key or len(key) > MAX_KEY_LENGTH:
        raise InvalidInput(_l("Idempotency-Key harus berisi 1 sampai 200 karakter."))
    now = now or utcnow()
    session.execute(delete(IdempotencyKey).where(
        IdempotencyKey.user_id == user_id, IdempotencyKey.created_at < now - RETENTION))
    dialect = upsert_dialect(session)
    inserted = session.execute(
        dialect.insert(IdempotencyKey.__table__)
        .values(user_id=user_id, key=key, fingerprint=request_fingerprint, created_at=now)
        .on_conflict_do_nothing()
        .returning(IdempotencyKey.__table__.c.id)
    ).scalar()
    if inserted is None:
        stored = session.execute(
            select(IdempotencyKey.fingerprint, IdempotencyKey.status_code, IdempotencyKey.body)
            .where(IdempotencyKey.user_id == user_id, IdempotencyKey.key == key)
        ).one()
        if stored.fingerprint != request_fingerprint:
            raise IdempotencyMismatch(_l(
                "Idempotency-Key ini sudah dipakai untuk permintaan lain."))
        if stored.status_code is None:
            raise Conflict(_l("Permintaan dengan Idempotency-Key ini masih diproses."))
        return Reply(stored.status_code, stored.body or {}, True)
    status, body = work()
    session.execute(
        update(IdempotencyKey)
        .where(IdempotencyKey.user_id == user_id, IdempotencyKey.key == key)
        .values(status_code=status, body=body)
    )
    return Reply(status, body, False)


def purge(session: DbSession, now: datetime | None = None) -> int:
    """Delete keys older than RETENTION everywhere; returns how many. Raises nothing."""
    return rowcount(session.execute(
        delete(IdempotencyKey).where(IdempotencyKey.created_at < (now or utcnow()) - RETENTION)
    ))
