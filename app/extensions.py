"""Extensions, created unbound here and bound to the app in create_app."""

import os
from collections.abc import Callable

import click
from flask import Flask, current_app, has_app_context, has_request_context, request, session
from flask_babel import Babel
from flask_babel import lazy_gettext as _l
from flask_limiter import Limiter
from flask_limiter.util import get_remote_address
from flask_login import LoginManager, current_user, user_loaded_from_cookie
from flask_sqlalchemy import SQLAlchemy
from flask_wtf import CSRFProtect
from htmx_flask import Htmx
from sqlalchemy import event
from sqlalchemy.engine import Engine
from sqlalchemy.orm import Session

from app.config import shipped
from app.models import User
from app.models.base import Base
from app.services import user_cache

db = SQLAlchemy(model_class=Base)
login_manager = LoginManager()
csrf = CSRFProtect()
babel = Babel()


class _Limiter(Limiter):
    """Flask-Limiter, skipping the endpoints of UNLIMITED_ENDPOINTS outright.

    For an endpoint without limits (even one marked `limiter.exempt`) its check before every
    request still resolves exemptions and meta limits: 75 µs of a lesson page's 1.5 ms of
    Python (docs/performance.md). `_check_request_limit` is that check; should a release of
    Flask-Limiter rename it, this override is simply never called and every limit still
    applies."""

    def _check_request_limit(self, callable_name: str | None = None,
                             in_middleware: bool = True) -> None:
        if request.endpoint in UNLIMITED_ENDPOINTS:
            return
        super()._check_request_limit(callable_name, in_middleware)


limiter = _Limiter(key_func=get_remote_address, default_limits=[])
htmx = Htmx()

# Endpoints that have no rate limit at all (the lesson page registers itself).
UNLIMITED_ENDPOINTS: set[str] = set()


def select_locale() -> str:
    """The user's own setting, then the session's choice, then the browser's languages."""
    languages = ("id", "en")
    if not has_request_context():  # the command line speaks the default language
        return "id"
    if request.path.startswith("/api/"):  # the API speaks the caller's Accept-Language
        return request.accept_languages.best_match(languages) or "id"
    if current_user and current_user.is_authenticated and current_user.locale in languages:
        return current_user.locale
    if session.get("locale") in languages:
        return session["locale"]
    return browser_language(request.accept_languages, languages)


def browser_language(accepted, languages: tuple[str, ...], default: str = "id") -> str:
    """The first of the browser's languages, by its quality, that we speak: "en-GB,id;q=0.5"
    is English (werkzeug's best_match prefers the exact "id" over the regional "en-GB")."""
    for tag, _quality in accepted:  # sorted by quality, best first
        primary = tag.replace("_", "-").split("-")[0].lower()
        if primary in languages:
            return primary
    return default


def redis_client():
    """The app's Redis (REDIS_URL), or None when it runs without one."""
    return current_app.extensions.get("lentera_redis") if has_app_context() else None


# Views that check the sign-in in their own query, with the rows they show: the endpoint →
# a loader(reference) → the active user, or None. One round trip instead of two (Redis for the
# user, then the database for the page). The lesson page registers itself (learn/views.py).
SIGN_IN_READS: dict[str, Callable[[str], User | None]] = {}


@login_manager.user_loader
def load_user(user_id: str) -> User | None:
    """The session or remember cookie's reference → its active user, while the session lives.

    Refused (None): signed out, session version raised, user deactivated, or an old-style
    bare id (services/sessions.py). On a view of SIGN_IN_READS, that view's loader decides
    by the same rules, in its own query.
    """
    read_along = SIGN_IN_READS.get(request.endpoint or "") if has_request_context() else None
    if read_along is not None:
        return read_along(user_id)
    from app.services.sessions import session_user

    return session_user(db.session, user_id, redis_client())


@user_loaded_from_cookie.connect
def _bind_restored_session(_app, user=None, **_extra) -> None:
    """A session restored from the remember cookie gets the browser identifier that "strong"
    session protection checks: Flask-Login 0.6 sets it only in login_user, so without this the
    request after a restore found no identifier, signed the person out and deleted their
    remember cookie ("Ingat saya" lasted one page)."""
    if has_request_context():
        session["_id"] = login_manager._session_identifier_generator()


# Any committed change to a user row drops its cached copy at once (a new session_version
# ends every session on the very next request, from every worker).
@event.listens_for(Session, "after_flush")
def _users_changed(session: Session, _context) -> None:
    changed = {obj.id for obj in (*session.dirty, *session.deleted) if isinstance(obj, User)}
    if changed:
        session.info.setdefault("users_changed", set()).update(changed)


@event.listens_for(Session, "do_orm_execute")
def _users_changed_in_bulk(state) -> None:
    if (state.is_update or state.is_delete) and any(
            m.class_ is User for m in (state.all_mappers or ())):
        ids = user_cache.ids_in_where(state.statement)
        if ids is None:
            state.session.info["users_changed_in_bulk"] = True
        else:
            state.session.info.setdefault("users_changed", set()).update(ids)


@event.listens_for(Session, "after_commit")
def _forget_changed_users(session: Session) -> None:
    changed = session.info.pop("users_changed", None)
    bulk = session.info.pop("users_changed_in_bulk", False)
    redis = redis_client() if (changed or bulk) else None
    if bulk:
        user_cache.forget_everyone(redis)
    elif changed:
        user_cache.forget(redis, changed)


def commit_keeping_loaded(session) -> None:
    """Commit, keeping the loaded objects' attributes instead of expiring them.

    For a view that only adds or updates rows by statement and then shows the objects it read
    before (the lesson, its course, the user): after a plain commit each of them is read again,
    one SELECT apiece (three of a completion's nine statements). `session` is `db.session` or
    a Session; raises what commit raises."""
    target = session() if callable(session) else session
    expiring, target.expire_on_commit = target.expire_on_commit, False
    try:
        target.commit()
    finally:
        target.expire_on_commit = expiring


@event.listens_for(Session, "after_soft_rollback")
def _nothing_changed(session: Session, _previous) -> None:
    session.info.pop("users_changed", None)
    session.info.pop("users_changed_in_bulk", None)


@event.listens_for(Engine, "connect")
def _sqlite_pragmas(dbapi_connection, _record) -> None:
    """WAL lets readers and the one writer of an SQLite file work side by side."""
    if type(dbapi_connection).__module__.startswith("sqlite3"):
        cursor = dbapi_connection.cursor()
        cursor.execute("PRAGMA journal_mode=WAL")
        cursor.execute("PRAGMA foreign_keys=ON")
        cursor.execute("PRAGMA busy_timeout=5000")
        cursor.close()


def enable_migrations(app: Flask) -> None:
    """Flask-Migrate on `app`: what the `flask db` commands and flask_migrate's functions
    (upgrade(), …) need. Not done by create_app: importing Flask-Migrate imports alembic,
    about half a second that every other command and every gunicorn worker paid at start-up
    (`python -X importtime`; docs/performance.md). Call it before flask_migrate.upgrade();
    `flask db …` calls it itself. Does nothing the second time. Raises nothing."""
    if "migrate" not in app.extensions:
        from flask_migrate import Migrate

        Migrate(app, db, directory=str(shipped("migrations")))


_MIGRATIONS_HELP = "Perform database migrations (Flask-Migrate)."


class _MigrationCommands(click.Group):
    """`flask db …`: stands in for Flask-Migrate's command group, and hands everything over to
    it (importing it, enable_migrations) once a `db` command line is actually parsed."""

    def make_context(self, info_name: str | None, args: list[str],
                     parent: click.Context | None = None, **extra) -> click.Context:
        enable_migrations(current_app._get_current_object())  # type: ignore[attr-defined]
        from flask_migrate.cli import db as group  # type: ignore[import-not-found]

        return group.make_context(info_name, args, parent, **extra)


def init_app(app: Flask) -> None:
    os.makedirs(app.instance_path, exist_ok=True)
    if app.config.get("REDIS_URL"):
        import redis

        app.extensions["lentera_redis"] = redis.Redis.from_url(
            app.config["REDIS_URL"], socket_timeout=0.5, socket_connect_timeout=0.5)
    db.init_app(app)
    app.cli.add_command(_MigrationCommands("db", help=_MIGRATIONS_HELP))
    login_manager.init_app(app)
    login_manager.session_protection = "strong"
    login_manager.login_view = "auth.login"
    login_manager.login_message = _l("Silakan masuk untuk melanjutkan.")
    login_manager.login_message_category = "info"
    csrf.init_app(app)
    babel.init_app(app, locale_selector=select_locale)
    limiter.init_app(app)
    htmx.init_app(app)
