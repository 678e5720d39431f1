"""Where report queries run: a PostgreSQL streaming replica when `REPORTS_DATABASE_URL` is set,
otherwise the one database everything else uses.

Reports (the pages under /reports/, the CSV and XLSX exports, the API's report later) only read,
and over a national tree they read a lot. A replica takes that load off the primary, which
keeps every write. The replica runs a few hundred milliseconds behind the primary at most
(streaming replication), which a completion report can bear: it says how things stood a
moment ago. Nothing else ever reads from here, so no one reads their own write from a replica.

    from app.reports_database import reports_session
    rows = reports.summary(reports_session(), viewer, filters, cal)
"""

from __future__ import annotations

from flask import Flask, current_app
from sqlalchemy import create_engine
from sqlalchemy.orm import scoped_session, sessionmaker

from app.extensions import db
from app.services.types import DbSession

_STATE = "lentera_reports_db"


class _Replica:
    def __init__(self, url: str, options: dict):
        self.engine = create_engine(url, **options)
        # One session per application context, like Flask-SQLAlchemy's, removed at teardown.
        self.sessions = scoped_session(
            sessionmaker(bind=self.engine, autoflush=False, expire_on_commit=False),
            scopefunc=_context_id)


def _context_id() -> int:
    from flask import g

    return id(g._get_current_object())


def _database_url(url: str) -> str:
    if url.startswith(("postgres://", "postgresql://")):
        return "postgresql+psycopg://" + url.split("://", 1)[1]
    return url


def init_app(app: Flask) -> None:
    url = app.config.get("REPORTS_DATABASE_URL") or ""
    if not url:
        app.extensions[_STATE] = None
        return
    options = dict(app.config.get("SQLALCHEMY_ENGINE_OPTIONS") or {})
    # Its name shows in the replica's pg_stat_activity, so an operator sees who reads there.
    options.setdefault("connect_args", {"application_name": "lentera-reports"})
    replica = _Replica(_database_url(url), options)
    app.extensions[_STATE] = replica

    @app.teardown_appcontext
    def _remove(_exc=None) -> None:
        replica.sessions.remove()


def reports_session() -> DbSession:
    """The session report queries use: the replica's when one is configured, else db.session.
    Read-only by intent: never add or commit through it."""
    replica = current_app.extensions.get(_STATE)
    return db.session if replica is None else replica.sessions()


def reports_engine():
    """The engine behind reports_session() (for tests and the operator's checks)."""
    replica = current_app.extensions.get(_STATE)
    return db.engine if replica is None else replica.engine
