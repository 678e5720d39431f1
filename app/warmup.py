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

from babel import Locale
from flask import Flask
from flask_babel import force_locale, get_timezone, get_translations
from sqlalchemy.exc import SQLAlchemyError

log = logging.getLogger(__name__)


def warm_up(app: Flask) -> None:
    """Compile every template, load the locale data and translations of each of
    app.config["LANGUAGES"] and the timezone, and leave one open database connection in each
    engine's pool (the ORM session's, and on PostgreSQL the lesson page's autocommit reads).

    Changes nothing in the database. Raises nothing for a database that does not answer yet:
    that is logged, and the first request connects as it always did.
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
        try:
            engines = [db.engine]
            reads = autocommit_reads.engine_for(db.session)
            if reads is not None:
                engines.append(reads)
            for engine in engines:
                with engine.connect():
                    pass  # checked back in: the pool keeps it for the first request
        except SQLAlchemyError as error:
            log.warning("warm-up: the database did not answer (%s); the first request will "
                        "connect", error.__class__.__name__)
        finally:
            db.session.remove()
