"""The signed-in user's row, kept in Redis so a request need not ask the database who is signed in.

Every signed-in request loads its user (Flask-Login's user loader), and under load that
round trip was a fifth of a lesson page's time (docs/performance.md). Here the row's columns
are kept in Redis under `lentera:user:<id>` (never the password hash), and turned back into a
`User` attached to the request's session without a query: relationships and the hash still
load from the database when something reads them.

The cache is never stale on purpose. Whenever a user row changes through the ORM (a new
session_version that ends every session, deactivation, a role, name or locale change), the
commit replaces the entry with a short-lived tombstone, so the next request reads the database
again; a reader that fetched the old row just before that commit cannot write it back over
the tombstone (SET NX). A bulk `update(User)` drops every entry. Code that changes users
outside the ORM calls `forget()`. Entries also expire after TTL_SECONDS as a last resort.

    user = user_cache.load(session, redis: Redis | None, user_id)   # None: no such user
    user_cache.forget(redis: Redis | None, [user_id])

Server-side sessions (one row per signed-in browser) can keep their "this session still
exists" check here too: `load_with_session` / `remember_session` / `forget_session`, keyed by
the session secret's digest, with the same tombstone rule, so a sign-out is seen at once.
"""

from __future__ import annotations

import json
import logging
from collections.abc import Iterable
from contextlib import suppress
from datetime import date, datetime
from decimal import Decimal
from functools import cache
from typing import TYPE_CHECKING, Any

from sqlalchemy import inspect
from sqlalchemy.orm import make_transient_to_detached
from sqlalchemy.orm.attributes import instance_dict

from app.models import User
from app.services.types import DbSession

if TYPE_CHECKING:  # redis is imported by whoever makes the client: start-up need not
    from redis import Redis
    from redis.client import Pipeline

PREFIX = "lentera:user:"
SESSION_PREFIX = "lentera:login:"
TTL_SECONDS = 300
log = logging.getLogger(__name__)
TOMBSTONE = b"-"
TOMBSTONE_SECONDS = 30  # longer than any request that might still hold the old row
NOT_CACHED = frozenset({"password_hash"})  # secrets stay in the database
SESSION_OPEN = b"1"  # under SESSION_PREFIX + digest: the database confirmed it lately


def _key(user_id: int) -> str:
    return f"{PREFIX}{user_id}"


@cache
def columns() -> tuple[tuple[str, type], ...]:
    """The cached columns (every one but the password hash) as (name, Python type), worked
    out once (every request decodes). The lesson page reads the same ones (progress.reader_page).
    Raises nothing."""
    out = []
    for attr in inspect(User).column_attrs:
        if attr.key in NOT_CACHED:
            continue
        try:
            kind = attr.columns[0].type.python_type
        except NotImplementedError:
            kind = object
        out.append((attr.key, kind))
    return tuple(out)


def _encode(user: User) -> bytes:
    values = {}
    for name, _kind in columns():
        value = getattr(user, name)
        if isinstance(value, datetime | date | Decimal):
            value = value.isoformat() if not isinstance(value, Decimal) else str(value)
        values[name] = value
    return json.dumps(values, separators=(",", ":")).encode()


def _decode(raw: bytes | str) -> dict[str, Any]:
    values: dict[str, Any] = json.loads(raw)
    for name, kind in columns():
        value = values.get(name)
        if value is None:
            continue
        if kind is datetime:
            values[name] = datetime.fromisoformat(value)
        elif kind is date:
            values[name] = date.fromisoformat(value)
        elif kind is Decimal:
            values[name] = Decimal(value)
    return values


def load(session: DbSession, redis: Redis | None, user_id: int) -> User | None:
    """The user with this id, attached to `session`, from Redis when cached (no query), else
    from the database (then cached). `redis` None: straight from the database. None when
    there is no such user. A Redis failure falls back to the database. Raises nothing."""
    return _load(session, redis, user_id, None)[0]


def load_with_session(session: DbSession, redis: Redis | None, user_id: int,
                      digest: str) -> tuple[User | None, bool]:
    """`load(user_id)`, and whether the session with this secret digest was confirmed by the
    database lately and not ended since (False: ask the database), in one round trip to
    Redis: what every signed-in request asks (services/sessions.session_user). Raises
    nothing."""
    return _load(session, redis, user_id, digest)


def _load(session: DbSession, redis: Redis | None, user_id: int,
          digest: str | None) -> tuple[User | None, bool]:
    if redis is None:
        return session.get(User, user_id), False
    key = _key(user_id)
    try:
        if digest is None:
            raw, known = redis.get(key), None
        else:
            raw, known = redis.mget([key, SESSION_PREFIX + digest])
    except Exception:  # noqa: BLE001 - a Redis outage must not sign everyone out
        return session.get(User, user_id), False
    if raw and raw != TOMBSTONE:
        values = _decode(raw)
        if values.get("id") == user_id:
            return attach(session, values), known == SESSION_OPEN
    user = session.get(User, user_id)
    if user is not None and raw is None:  # never over a tombstone
        with suppress(Exception):  # the cache is an optimisation only
            redis.set(key, _encode(user), ex=TTL_SECONDS, nx=True)
    return user, known == SESSION_OPEN


def attach(session: DbSession, values: dict[str, Any]) -> User:
    """A User made from its row's `values` (columns() names) and attached to `session` as if
    the session had loaded it, with no query: unchanged, nothing to flush. Columns missing
    from `values` (the password hash) load from the database when read. Raises nothing."""
    user = detached(values)
    key = inspect(user).key
    if key is not None and key in session.identity_map:  # the session already holds this user
        return session.merge(user, load=False)
    session.add(user)
    return user


def detached(values: dict[str, Any]) -> User:
    """A User made from its row's `values`, in no session: its columns read as given; what
    `values` lacks (the password hash) and its relationships (unit) cannot be read at all
    (DetachedInstanceError). For a request that reads nothing else of the signed-in user:
    adding to a session was a third of making the user (docs/performance.md). Raises
    nothing."""
    # Made as the ORM's loader makes an instance: without User.__init__ and its attribute
    # events, which were a fifth of this on every signed-in request.
    user = _USER_CLASS.new_instance()
    instance_dict(user).update(values)
    make_transient_to_detached(user)  # the identity key, loaded values committed
    return user


_USER_CLASS = inspect(User).class_manager


def forget(redis: Redis | None, user_ids: Iterable[int]) -> None:
    """Drop these users' entries now; the next request reads them from the database. Returns
    nothing; a Redis failure is logged, not raised."""
    if redis is None:
        return
    ids = list(user_ids)
    if not ids:
        return
    pipe = redis.pipeline(transaction=False)
    for user_id in ids:
        pipe.set(_key(user_id), TOMBSTONE, ex=TOMBSTONE_SECONDS)
    _execute(pipe, f"users {ids}")


def forget_everyone(redis: Redis | None) -> None:
    """Drop every entry (after a bulk change of users whose ids are not known). Returns
    nothing; a Redis failure is logged, not raised."""
    if redis is None:
        return
    try:
        pipe = redis.pipeline(transaction=False)
        for key in redis.scan_iter(match=PREFIX + "*", count=1000):
            pipe.set(key, TOMBSTONE, ex=TOMBSTONE_SECONDS)
    except Exception:  # noqa: BLE001 - see _execute
        log.error("Redis unreachable: cached users not dropped; they expire within %d s",
                  TTL_SECONDS, exc_info=True)
        return
    _execute(pipe, "every user")


def remember_session(redis: Redis | None, digest: str) -> None:
    """Note that the database just confirmed this session (never over a sign-out's tombstone).
    Returns nothing and raises nothing: a Redis failure is ignored (the next request asks
    the database)."""
    if redis is not None:
        with suppress(Exception):
            redis.set(SESSION_PREFIX + digest, SESSION_OPEN, ex=TTL_SECONDS, nx=True)


def forget_session(redis: Redis | None, digests: Iterable[str]) -> None:
    """The sessions ended (sign-out): the next request with them asks the database. Returns
    nothing; a Redis failure is logged, not raised."""
    if redis is None:
        return
    pipe = redis.pipeline(transaction=False)
    for digest in digests:
        pipe.set(SESSION_PREFIX + digest, TOMBSTONE, ex=TOMBSTONE_SECONDS)
    _execute(pipe, "a signed-out session")


def _execute(pipe: Pipeline, what: str) -> None:
    """Send the tombstones. An unreachable Redis must not turn a sign-in, sign-out or change
    to a user into a 500 after the database already committed it: while Redis is down every
    read falls back to the database (which decides); an entry that survives an outage this
    short expires within TTL_SECONDS. Logged as an error for the operator."""
    try:
        pipe.execute()
    except Exception:  # noqa: BLE001 - the database stays the authority
        log.error("Redis unreachable: cache entry for %s not dropped; it expires within %d s",
                  what, TTL_SECONDS, exc_info=True)


def ids_in_where(statement: object) -> list[int] | None:
    """The user ids a bulk UPDATE/DELETE of users names as `user.id = x` or `user.id IN (…)`
    (alone or ANDed with other conditions); None when it cannot tell (then drop everyone).
    Raises nothing."""
    from sqlalchemy.sql import operators
    from sqlalchemy.sql.elements import BinaryExpression, BindParameter, BooleanClauseList

    where = getattr(statement, "whereclause", None)
    if where is None:
        return None
    clauses = list(where.clauses) if isinstance(where, BooleanClauseList) and (
        where.operator is operators.and_) else [where]
    id_column = User.__table__.c.id
    for clause in clauses:
        if not isinstance(clause, BinaryExpression) or not id_column.shares_lineage(clause.left):
            continue
        right = clause.right
        if clause.operator is operators.eq and isinstance(right, BindParameter) and (
                right.value is not None):
            return [int(right.value)]
        if clause.operator is operators.in_op and isinstance(right, BindParameter) and (
                isinstance(right.value, list | tuple)):
            return [int(v) for v in right.value]
    return None
