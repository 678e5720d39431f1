"""One statement, read alone in autocommit on a connection of its own: the lesson page's read.

A lesson page asks PostgreSQL one question (services/progress.reader_page). Asked through the
ORM session, the asking cost more than the answer: a pool checkout, switching the connection
to autocommit and back again at checkin, SQLAlchemy's execution context and result objects,
and closing the session's transaction at teardown — about 1 ms of Python per page, against
0.1 ms of work in PostgreSQL (docs/performance.md). Here a second engine on the same database
keeps its connections in autocommit from the moment they open, so a checkout and a checkin
change nothing on them; the statement is compiled once and sent with psycopg as a prepared
statement; the rows come back as plain tuples.

Only for a single SELECT that needs no transaction: it sees what was committed when it runs,
like any statement outside a transaction. On another database than PostgreSQL (SQLite, the
embedded default) it runs through the caller's session instead, so callers need not care.

    rows = autocommit_reads.rows(session, statement, {"slug": ..., "user_id": ...})
"""

from __future__ import annotations

import threading
from collections.abc import Mapping, Sequence
from typing import Any
from weakref import WeakKeyDictionary

from sqlalchemy import Engine, create_engine, event
from sqlalchemy.sql import Select

from app.services.types import DbSession

_lock = threading.Lock()
_engines: WeakKeyDictionary[Engine, _Reads] = WeakKeyDictionary()
_counts = threading.local()


class _Reads:
    """The autocommit engine beside one application engine, and its compiled statements."""

    def __init__(self, primary: Engine):
        self.engine = create_engine(
            primary.url, isolation_level="AUTOCOMMIT", pool_reset_on_return=None,
            pool_pre_ping=False, pool_recycle=300,
            connect_args={"application_name": "lentera-reads"})
        self.sql: dict[Select, str] = {}

    def compiled(self, statement: Select) -> str:
        sql = self.sql.get(statement)
        if sql is None:
            sql = self.sql[statement] = str(statement.compile(dialect=self.engine.dialect))
        return sql


def _reads_for(primary: Engine) -> _Reads:
    reads = _engines.get(primary)
    if reads is None:
        with _lock:
            reads = _engines.get(primary)
            if reads is None:
                reads = _engines[primary] = _Reads(primary)
                # The application's engine disposed (an app's end in the tests): so is ours.
                # Like the main engine, it must hold no connection when a process forks.
                event.listen(primary, "engine_disposed",
                             lambda _engine: reads.engine.dispose())
    return reads


def engine_for(session: DbSession) -> Engine | None:
    """The autocommit engine `rows` uses beside the session's engine (None on SQLite).
    For tests and operators' checks."""
    primary = session.get_bind()
    if primary.dialect.name != "postgresql":
        return None
    return _reads_for(primary).engine  # type: ignore[arg-type]


def rows(session: DbSession, statement: Select,
         params: Mapping[str, Any]) -> Sequence[Sequence[Any]]:
    """The rows (tuples, in the statement's column order) of `statement`, a SELECT built once
    at import time and given every bind parameter in `params`.

    On PostgreSQL: one prepared statement on a pooled autocommit connection of the session's
    database, outside the session and any transaction. When the connection turns out to be
    closed (PostgreSQL restarted), every pooled connection goes, as the main engine does on a
    disconnect, and the read is tried once more on a new one: it is a read, so that is safe.
    Elsewhere: `session.execute(statement, params).all()`. Raises what the database raises
    (psycopg.Error on PostgreSQL) when the second try fails too.
    """
    import psycopg

    primary = session.get_bind()
    if primary.dialect.name != "postgresql":
        return session.execute(statement, params).all()
    reads = _reads_for(primary)  # type: ignore[arg-type]
    sql = reads.compiled(statement)
    _counts.statements = getattr(_counts, "statements", 0) + 1
    for last_try in (False, True):
        connection = reads.engine.raw_connection()
        try:
            driver: psycopg.Connection = connection.driver_connection  # type: ignore[assignment]
            return driver.execute(sql, params, prepare=True).fetchall()
        except psycopg.OperationalError:
            connection.invalidate()  # never handed out again
            if last_try:
                raise
            reads.engine.dispose()  # its companions in the pool are as dead: a new pool
        finally:
            connection.close()
    raise AssertionError("unreachable")


def statements_run() -> int:
    """How many statements `rows` sent to PostgreSQL from this thread so far (for tests)."""
    return getattr(_counts, "statements", 0)
