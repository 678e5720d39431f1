"""Lentera: mobile-first course modules for civil servants."""

from __future__ import annotations

import gc
from pathlib import Path

from flask import Flask
from werkzeug.middleware.proxy_fix import ProxyFix

from app.config import DEV_SECRET_KEY, MIN_SECRET_KEY_BYTES, Config


class InsecureSecretKey(RuntimeError):
    """Start-up refused: production without a SECRET_KEY of its own."""


def check_secret_key(app: Flask) -> None:
    """Outside debug and testing, a missing, default or short SECRET_KEY stops start-up.

    Anyone who knows the key can forge a session or remember cookie, i.e. be anyone.
    """
    if app.debug or app.testing:
        return
    key = app.config.get("SECRET_KEY") or ""
    size = len(key.encode() if isinstance(key, str) else key)
    if not key or key == DEV_SECRET_KEY or size < MIN_SECRET_KEY_BYTES:
        raise InsecureSecretKey(
            "Lentera will not start: SECRET_KEY is missing, is the development value, or is "
            f"shorter than {MIN_SECRET_KEY_BYTES} bytes. Set it to a long random value, e.g. "
            "SECRET_KEY=$(python3 -c 'import secrets; print(secrets.token_hex(32))'), and keep "
            "it the same across restarts and app servers. (`make run` makes one in instance/.)"
        )


def create_app(config: type | dict | None = None) -> Flask:
    """Config → extensions → security → blueprints → template helpers → error handlers → CLI."""
    from app.config import shipped  # static/: beside app/ in a clone, inside it once installed

    app = Flask(__name__, static_folder=str(shipped("static")), instance_relative_config=True)
    app.config.from_object(Config)
    if isinstance(config, dict):
        app.config.update(config)
    elif config is not None:
        app.config.from_object(config)
    check_secret_key(app)
    hops = int(app.config.get("TRUSTED_PROXY_HOPS") or 0)
    if hops > 0:
        # Only the address and scheme: links use BASE_URL, never a forwarded Host.
        # Flask's documented way to add middleware; mypy refuses assigning to a method
        # (python/mypy#7347, the maintainers' advice there is this ignore).
        app.wsgi_app = ProxyFix(  # type: ignore[method-assign]
            app.wsgi_app, x_for=hops, x_proto=hops, x_host=0, x_port=0, x_prefix=0)

    from app import compression, cookie_sessions, extensions, i18n

    # Before Flask-Babel reads it: where the compiled catalogues are (see app/i18n.py).
    app.config.setdefault("BABEL_TRANSLATION_DIRECTORIES", str(i18n.usable_translations(
        Path(app.root_path) / "translations", Path(app.instance_path) / "translations")))
    if not app.config["SQLALCHEMY_DATABASE_URI"]:
        # No DATABASE_URL: a file in the instance folder, which is instance/ in a clone and
        # <virtualenv>/var/app-instance/ for an installed package (never site-packages).
        app.config["SQLALCHEMY_DATABASE_URI"] = (
            f"sqlite:///{Path(app.instance_path) / 'lentera.db'}")

    # First after_request hook registered, so the last to run: it compresses the final body.
    compression.init_app(app)
    extensions.init_app(app)
    cookie_sessions.init_app(app)

    from app import web

    web.init_app(app)

    from app import logredact, safe_input

    # After web.init_app, so the input guard runs before the access check; before the
    # blueprints, so their <int:…> routes use the safe converter.
    safe_input.init_app(app)
    logredact.init_app(app)

    _register_blueprints(app)

    from app import templating

    templating.init_app(app)

    from app import api

    api.init_app(app)

    from app import errors

    errors.init_app(app)

    from app import cli

    cli.init_app(app)
    return app


def create_process_app(config: type | dict | None = None) -> Flask:
    """create_app(config) for the one app a process lives with: `wsgi.py` (gunicorn, `flask
    --app wsgi`), the `lentera` command and the benchmark's server.

    The cyclic garbage collector is off while the app is built: start-up imports and creates
    hundreds of thousands of objects and no garbage, yet set off full collections that cost
    about a quarter of a command's start-up (`flask courses import`: 1.65 s → 1.3 s for 200
    lessons; docs/performance.md). Then everything built so far is moved out of the
    collector's sight for good (gc.freeze, as the gc documentation suggests for objects that
    live as long as the process), so later collections do not walk it again. Not for tests,
    which build many apps and drop them: they use create_app. Raises what create_app raises.
    """
    enabled = gc.isenabled()
    gc.disable()
    try:
        app = create_app(config)
    finally:
        if enabled:
            gc.enable()
    gc.freeze()
    return app


def _register_blueprints(app: Flask) -> None:
    """Every blueprint, in the order their routes were always registered."""
    from app.admin import bp as admin_bp
    from app.auth import bp as auth_bp
    from app.authoring import bp as authoring_bp
    from app.catalog import bp as catalog_bp
    from app.certificates import bp as certificates_bp
    from app.classroom import bp as classroom_bp
    from app.learn import bp as learn_bp
    from app.ledger import bp as ledger_bp
    from app.notifications import bp as notifications_bp
    from app.offline import bp as offline_bp
    from app.quiz import bp as quiz_bp
    from app.reports import bp as reports_bp

    app.register_blueprint(auth_bp)
    app.register_blueprint(catalog_bp)
    app.register_blueprint(learn_bp)
    app.register_blueprint(quiz_bp)
    app.register_blueprint(certificates_bp)
    app.register_blueprint(reports_bp)
    app.register_blueprint(admin_bp)
    app.register_blueprint(authoring_bp)
    app.register_blueprint(notifications_bp)
    app.register_blueprint(ledger_bp)
    app.register_blueprint(classroom_bp)
    app.register_blueprint(offline_bp)
