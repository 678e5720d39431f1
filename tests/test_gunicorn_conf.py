"""gunicorn.conf.py, which gunicorn reads from the working directory in production, and the
warm-up it runs in each worker (app/warmup.py)."""

import logging
import runpy
from pathlib import Path
from types import SimpleNamespace

from flask_babel import force_locale, gettext

from app import autocommit_reads
from app.extensions import db

CONF = Path(__file__).resolve().parent.parent / "gunicorn.conf.py"


def _engines(app):
    with app.app_context():
        reads = autocommit_reads.engine_for(db.session)
        return [db.engine] + ([reads] if reads is not None else [])


def test_a_worker_is_warmed_up_before_its_first_request(fresh_app):
    app = fresh_app()
    settings = runpy.run_path(str(CONF))
    assert settings["logger_class"] == "app.logredact.GunicornLogger"
    names = app.jinja_env.list_templates(extensions=["html"])
    assert not set(names) <= {key[1] for key in app.jinja_env.cache}
    assert all(engine.pool.checkedin() == 0 for engine in _engines(app))

    settings["post_worker_init"](SimpleNamespace(wsgi=app))

    assert set(names) <= {key[1] for key in app.jinja_env.cache}
    # A connection waits in each pool for the first request; none is left checked out.
    for engine in _engines(app):
        assert engine.pool.checkedin() == 1
        assert engine.pool.checkedout() == 0
    # English is loaded already, and still translates.
    with app.test_request_context("/"), force_locale("en"):
        assert gettext("Masuk") == "Sign in"


def test_a_worker_still_starts_when_the_database_does_not_answer(fresh_app, caplog):
    app = fresh_app(SQLALCHEMY_DATABASE_URI="postgresql+psycopg://nobody@127.0.0.1:1/none")
    settings = runpy.run_path(str(CONF))
    with caplog.at_level(logging.WARNING, logger="app.warmup"):
        settings["post_worker_init"](SimpleNamespace(wsgi=app))
    assert "the database did not answer" in caplog.text
    names = app.jinja_env.list_templates(extensions=["html"])
    assert set(names) <= {key[1] for key in app.jinja_env.cache}
