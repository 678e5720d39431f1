"""One-time secrets never reach an access log: the server's and gunicorn's lines are redacted.

Password and confirmation links carry their secret in a path segment (/password/<secret>,
/register/confirm/<secret>); the page then drops it from the address bar by redirecting.
"""

from __future__ import annotations

import logging
import re

from flask import Flask

SECRET_PATHS = re.compile(r"(/(?:password|register/confirm)/)(?!forgot\b)[^/?\s\"]+")


def redact(text: str) -> str:
    """'/password/abc123' → '/password/[…]' wherever it occurs in a log line."""
    return SECRET_PATHS.sub(r"\1[…]", text)


class RedactSecrets(logging.Filter):
    """A logging filter for Werkzeug's development server log."""

    def filter(self, record: logging.LogRecord) -> bool:
        if record.args:
            record.args = tuple(redact(a) if isinstance(a, str) else a for a in record.args)
        if isinstance(record.msg, str):
            record.msg = redact(record.msg)
        return True


try:
    from gunicorn.glogging import Logger as _GunicornLogger
except ImportError:  # pragma: no cover - gunicorn is a dependency, but not on Windows
    _GunicornLogger = object


class GunicornLogger(_GunicornLogger):
    """gunicorn's logger with the request line, path and referrer redacted (gunicorn.conf.py)."""

    def atoms(self, resp, req, environ, request_time):
        atoms = super().atoms(resp, req, environ, request_time)
        for key in ("r", "U", "f", "{raw_uri}e"):
            if isinstance(atoms.get(key), str):
                atoms[key] = redact(atoms[key])
        return atoms


def init_app(app: Flask) -> None:
    logger = logging.getLogger("werkzeug")
    if not any(isinstance(f, RedactSecrets) for f in logger.filters):
        logger.addFilter(RedactSecrets())
