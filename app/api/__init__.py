"""The JSON API, /api/v1: bearer tokens, JSON errors, an OpenAPI document built from the code.

Built on flask-smorest: marshmallow schemas validate each request and are the source of the
OpenAPI document served at /api/v1/openapi.json (app/api/docs.py); nothing is hand-written.
"""

from flask import Flask
from flask_smorest import Api, Blueprint
from webargs.flaskparser import FlaskParser

from app.api.schemas import ErrorSchema

PREFIX = "/api/v1"



def _has_nul(value) -> bool:
    """True when a NUL character hides anywhere in a decoded JSON value, keys included."""
    stack = [value]
    while stack:
        item = stack.pop()
        if isinstance(item, str):
            if "\x00" in item:
                return True
        elif isinstance(item, dict):
            stack.extend(item.keys())
            stack.extend(item.values())
        elif isinstance(item, list):
            stack.extend(item)
    return False


class JsonParser(FlaskParser):
    """webargs' parser, refusing like any other unreadable body (400) what would otherwise
    become a 500: JSON nested past Python's recursion limit, and NUL characters in strings,
    which PostgreSQL cannot store or compare (the web forms refuse them in app/safe_input)."""

    def _raw_load_json(self, req):
        try:
            data = super()._raw_load_json(req)
        except RecursionError as error:
            self._handle_invalid_json_error(error, req)
        if _has_nul(data):
            self._handle_invalid_json_error(ValueError("NUL character in a JSON string"), req)
        return data


bp = Blueprint("api", __name__, url_prefix=PREFIX)
# Before any view is declared: @bp.arguments binds the parser at decoration time.
bp.ARGUMENTS_PARSER = JsonParser()


class LenteraApi(Api):
    """flask-smorest's Api, documenting our error envelope and leaving error handling to
    app/errors.py (which answers JSON for every /api/ URL, HTML for the rest)."""

    ERROR_SCHEMA = ErrorSchema

    def _register_error_handlers(self):
        pass


def init_app(app: Flask) -> None:
    from app.api import (  # noqa: F401 (routes)
        auth,
        docs,
        errors,
        learning,
        ledger,
        offline,  # noqa: F401 (routes; issue 11)
        quizzes,
        reports,
    )
    from app.extensions import csrf
    from app.web import IdConverter

    api = LenteraApi(app, spec_kwargs={"servers": [{"url": "/"}]})
    api.register_converter(IdConverter, lambda converter: {
        "type": "integer", "minimum": 0, "maximum": IdConverter.MAX})
    api.spec.components.security_scheme(
        "bearerAuth", {"type": "http", "scheme": "bearer",
                       "description": "POST /api/v1/auth/token gives the token."})
    api.register_blueprint(bp)
    # The API reads no session cookie, only its bearer token, so there is nothing to forge.
    csrf.exempt(bp)
    app.register_blueprint(docs.bp)
