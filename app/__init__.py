"""Lentera: mobile-first course modules for civil servants."""

from __future__ import annotations

from flask import Flask

from app.config import Config


def create_app(config: type | dict | None = None) -> Flask:
    """Config → extensions → security → blueprints → error handlers → CLI."""
    app = Flask(__name__, static_folder="../static", instance_relative_config=True)
    app.config.from_object(Config)
    if isinstance(config, dict):
        app.config.update(config)
    elif config is not None:
        app.config.from_object(config)

    from app import compression, extensions

    # First after_request hook registered, so the last to run: it compresses the final body.
    compression.init_app(app)
    extensions.init_app(app)

    from app import web

    web.init_app(app)

    from app.admin import bp as admin_bp
    from app.auth import bp as auth_bp
    from app.authoring import bp as authoring_bp
    from app.catalog import bp as catalog_bp
    from app.learn import bp as learn_bp
    from app.quiz import bp as quiz_bp
    from app.reports import bp as reports_bp

    app.register_blueprint(auth_bp)
    app.register_blueprint(catalog_bp)
    app.register_blueprint(learn_bp)
    app.register_blueprint(quiz_bp)
    app.register_blueprint(reports_bp)
    app.register_blueprint(admin_bp)
    app.register_blueprint(authoring_bp)

    from app import api

    api.init_app(app)

    from app import errors

    errors.init_app(app)

    from app import cli

    cli.init_app(app)
    return app
