"""gunicorn.conf.py, which gunicorn reads from the working directory in production, and the
warm-up it runs in each worker (app/warmup.py)."""

import logging
import runpy
import socket
from pathlib import Path
from types import SimpleNamespace

from app import autocommit_reads
from app.extensions import db
from app.warmup import warm_up

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


def test_a_worker_still_starts_when_the_database_is_down(fresh_app, caplog):
    app = fresh_app(SQLALCHEMY_DATABASE_URI="postgresql+psycopg://nobody:rahasia@127.0.0.1:1/none")
    settings = runpy.run_path(str(CONF))
    with caplog.at_level(logging.WARNING, logger="app.warmup"):
        settings["post_worker_init"](SimpleNamespace(wsgi=app))
    # Where and why, without the password.
    assert "could not connect to the database at postgresql+psycopg://nobody:***@127.0.0.1:1/none" \
        in caplog.text
    assert "refused" in caplog.text and "rahasia" not in caplog.text
    names = app.jinja_env.list_templates(extensions=["html"])
    assert set(names) <= {key[1] for key in app.jinja_env.cache}


def test_a_database_that_never_answers_does_not_hold_a_worker_back(fresh_app, caplog):
    """It accepts the connection (the kernel does, from the listen backlog) and says nothing:
    without a bound the worker waited minutes, serving nothing, not even the sign-in page."""
    with socket.socket() as silent:
        silent.bind(("127.0.0.1", 0))
        silent.listen(8)
        port = silent.getsockname()[1]
        app = fresh_app(SQLALCHEMY_DATABASE_URI=f"postgresql+psycopg://x@127.0.0.1:{port}/db")
        with caplog.at_level(logging.WARNING, logger="app.warmup"):
            warm_up(app, connect_wait_s=0.5)
        assert f"the database at postgresql+psycopg://x@127.0.0.1:{port}/db did not answer " \
            "within 0.5 s; serving without it" in caplog.text
        assert app.test_client().get("/login").status_code == 200
