"""Counters of failed attempts in fixed windows, shared by every worker and app server.

Two stores with one interface: Redis when the operator configures REDIS_URL (production), the
database otherwise (the embedded default), so two workers never double a budget. Nothing is
kept in process memory.
"""

from __future__ import annotations

import logging
from dataclasses import dataclass
from datetime import datetime, timedelta
from functools import cache
from typing import TYPE_CHECKING, Protocol

from sqlalchemy import Table, bindparam, case, delete, select
from sqlalchemy.dialects.postgresql import insert as pg_insert
from sqlalchemy.dialects.sqlite import insert as sqlite_insert

from app.models import LoginThrottle, utcnow
from app.services.types import DbSession

if TYPE_CHECKING:
    import redis

log = logging.getLogger(__name__)


@dataclass(frozen=True)
class Count:
    """How many hits a key has in its current window, and when that window ends (UTC)."""

    hits: int
    ends_at: datetime


class Throttle(Protocol):
    def hit(self, key: str, window: timedelta) -> Count:
        """Count one failure under `key`; returns the Count (hits, end of its window), starting
        a window of length `window` when none is running."""
        ...

    def peek(self, key: str, window: timedelta) -> Count | None:
        """The current Count, or None when the key has no hits in a window still running."""
        ...

    def reset(self, key: str) -> None:
        """Forget the key's hits (a successful sign-in)."""
        ...


class DatabaseThrottle:
    """Counters in the login_throttle table, written in the caller's transaction."""

    def __init__(self, session: DbSession, *, now: datetime | None = None):
        self.session, self._now = session, now

    def now(self) -> datetime:
        return self._now or utcnow()

    def hit(self, key: str, window: timedelta) -> Count:
        now = self.now()
        table = LoginThrottle.__table__
        assert isinstance(table, Table)  # a declarative model's table is a Table
        stamp = table.c.window_started_at.type
        expired = table.c.window_started_at < bindparam("cutoff", now - window, type_=stamp)
        fresh = bindparam("fresh", now, type_=stamp)
        dialect = self.session.get_bind().dialect.name
        insert = pg_insert if dialect == "postgresql" else sqlite_insert
        # One atomic statement: concurrent workers each add their hit to the same row.
        statement = insert(table).values(key=key, count=1, window_started_at=now)
        statement = statement.on_conflict_do_update(
            index_elements=[table.c.key],
            set_={"count": case((expired, 1), else_=table.c.count + 1),
                  "window_started_at": case((expired, fresh), else_=table.c.window_started_at)},
        )
        self.session.execute(statement)
        hits, started_at = self.session.execute(
            select(LoginThrottle.count, LoginThrottle.window_started_at)
            .where(LoginThrottle.key == key)).one()
        return Count(hits, started_at + window)

    def peek(self, key: str, window: timedelta) -> Count | None:
        """The current count, or None when the key has no hits in a window still running."""
        row = self.session.execute(
            select(LoginThrottle.count, LoginThrottle.window_started_at)
            .where(LoginThrottle.key == key)).first()
        if row is None:
            return None
        hits, started_at = row
        if started_at + window <= self.now():
            return None
        return Count(hits, started_at + window)

    def reset(self, key: str) -> None:
        self.session.execute(delete(LoginThrottle).where(LoginThrottle.key == key))


class RedisThrottle:
    """Counters in Redis: INCR on a key that expires at the end of its window.

    While Redis cannot be reached, the counters go to `fallback` (the database) instead of
    failing the sign-in with a 500 or letting guesses through uncounted.
    """

    def __init__(self, client: redis.Redis, prefix: str = "lentera:throttle:",
                 fallback: Throttle | None = None):
        self.client, self.prefix, self.fallback = client, prefix, fallback

    def _fallback_after(self, error: Exception) -> Throttle:
        """The store to count in once Redis failed; raises `error` again when there is none."""
        if self.fallback is None:
            raise error
        log.warning("Redis unreachable: sign-in throttling counts in the database")
        return self.fallback

    def hit(self, key: str, window: timedelta) -> Count:
        import redis

        try:
            return self._hit(key, window)
        except redis.RedisError as exc:
            return self._fallback_after(exc).hit(key, window)

    def peek(self, key: str, window: timedelta) -> Count | None:
        """The current count, or None when the key has no hits in a window still running."""
        import redis

        try:
            return self._peek(key, window)
        except redis.RedisError as exc:
            return self._fallback_after(exc).peek(key, window)

    def reset(self, key: str) -> None:
        import redis

        try:
            self._reset(key)
        except redis.RedisError as exc:
            self._fallback_after(exc).reset(key)

    def _hit(self, key: str, window: timedelta) -> Count:
        name = self.prefix + key
        pipe = self.client.pipeline(transaction=True)
        pipe.set(name, 0, nx=True, px=int(window.total_seconds() * 1000))
        pipe.incr(name)
        pipe.pttl(name)
        _created, hits, ttl = pipe.execute()
        return Count(int(hits), utcnow() + timedelta(milliseconds=max(ttl, 0)))

    def _peek(self, key: str, window: timedelta) -> Count | None:
        name = self.prefix + key
        pipe = self.client.pipeline(transaction=True)
        pipe.get(name)
        pipe.pttl(name)
        hits, ttl = pipe.execute()
        if hits is None or ttl is None or ttl < 0:
            return None
        return Count(int(hits), utcnow() + timedelta(milliseconds=ttl))

    def _reset(self, key: str) -> None:
        self.client.delete(self.prefix + key)


@cache
def _redis_client(url: str) -> redis.Redis:
    import redis

    return redis.Redis.from_url(url, socket_timeout=2, socket_connect_timeout=2)


def throttle_store(session: DbSession, redis_url: str | None = None,
                   prefix: str = "lentera:throttle:") -> Throttle:
    """The Throttle to share: Redis when a redis:// URL is given (shared by every worker, with
    the database as its fallback while Redis is unreachable), else the database. Raises
    nothing."""
    if redis_url and redis_url.startswith(("redis://", "rediss://", "unix://")):
        return RedisThrottle(_redis_client(redis_url), prefix, fallback=DatabaseThrottle(session))
    return DatabaseThrottle(session)
