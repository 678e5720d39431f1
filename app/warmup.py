"""What a new gunicorn worker prepares before its first request (gunicorn.conf.py).

Each worker is a process of its own: whatever it does lazily the first time, the first
learners to reach it after a start or a release pay for. Measured in one worker on the
benchmark's data (docs/performance.md), a learner's first catalogue page took 85 ms against
34 ms for the next, the first course outline 98 against 23 ms, the first lesson 41 against
7 ms: compiling templates, loading Babel's locale data (about 22 ms a language, for the
first JP figure or date), and connecting to PostgreSQL twice (the session's engine and the
lesson page's autocommit engine). Under the 300 learners of `make bench` that first cost
lands in the first ten seconds, as four workers pay it at once.
"""

from __future__ import annotations

import logging
import threading

from babel import Locale
from flask import Flask
from flask_babel import force_locale, get_timezone, get_translations
from sqlalchemy import Engine
from sqlalchemy.exc import SQLAlchemyError

log = logging.getLogger(__name__)

# How long a worker waits for its first database connections before it serves anyway.
CONNECT_WAIT_S = 5.0


def warm_up(app: Flask, connect_wait_s: float = CONNECT_WAIT_S) -> None:
    """Compile every template, load the locale data and translations of each of
    app.config["LANGUAGES"] and the timezone, and leave one open database connection in each
    engine's pool (the ORM session's, and on PostgreSQL the lesson page's autocommit reads).

    The connections are opened on a thread of their own, waited for `connect_wait_s` seconds
    at most: a database that accepts connections but never answers would otherwise hold
    every worker for the kernel's TCP timeout (minutes) before it served anything, even the
    sign-in page. Changes nothing in the database, and connects to the reports' replica
    (REPORTS_DATABASE_URL) only when a report asks. A database that is down or slow is logged,
    with its URL (password hidden) and the cause, and the first request connects as it always
    did. Raises what a broken setting raises (an unknown TIMEZONE: UnknownTimeZoneError), so
    the server stops at start instead of failing every page that shows a date.
    """
    env = app.jinja_env
    for name in env.list_templates(extensions=["html"]):
        env.get_template(name)

    with app.test_request_context("/"):
        get_timezone()
        for code in app.config["LANGUAGES"]:
            Locale.parse(code).number_symbols  # noqa: B018 - loads the locale's data once
            with force_locale(code):
                get_translations()

    from app import autocommit_reads
    from app.extensions import db

    with app.app_context():
        engines = [db.engine]
        reads = autocommit_reads.engine_for(db.session)
        if reads is not None:
            engines.append(reads)
        db.session.remove()
    done = threading.Event()
    threading.Thread(target=_connect, args=(engines, done), name="lentera-warm-up",
                     daemon=True).start()
    if not done.wait(connect_wait_s):
        log.warning("warm-up: the database at %s did not answer within %g s; serving without "
                    "it, the first request will connect", _where(engines[0]), connect_wait_s)


def _where(engine: Engine) -> str:
    return engine.url.render_as_string(hide_password=True)


def _connect(engines: list[Engine], done: threading.Event) -> None:
    """Open and check in one connection per engine; log why not. Sets `done` either way."""
    try:
        for engine in engines:
            engine.connect().close()  # back in the pool, which keeps it for the first request
    except SQLAlchemyError as error:
        cause = str(getattr(error, "orig", None) or error).strip().splitlines()[0]
        log.warning("warm-up: could not connect to the database at %s (%s); the first "
                    "request will try again", _where(engine), cause)
    finally:
        done.set()
