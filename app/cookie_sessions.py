"""Flask's signed-cookie session, with the signature check of a cookie seen lately kept.

Every signed-in request opens the session cookie: it builds an itsdangerous serializer, checks
the HMAC, decodes base64 and Flask's tagged JSON. On a lesson page that was 6 % of a worker's
time (docs/performance.md), and a reader sends the very same cookie string page after page.
A cookie string that once passed the check passes it again, so its decoded data is kept per
process, keyed by the exact string and the keys it was checked with. Only its age is checked
again on each request, by the rule itsdangerous applies (TimestampSigner.unsign): older than
PERMANENT_SESSION_LIFETIME, or signed in the future, and it is refused. A string that was
never checked, or was refused, is checked in full, as Flask does.
"""

from __future__ import annotations

import time
from typing import Any

from flask import Flask, Request
from flask.sessions import SecureCookieSession, SecureCookieSessionInterface
from itsdangerous import BadSignature

from app.web import keep

# What is kept must not change under a request: only sessions whose every value is one of
# these immutable types (a signed-in reader's: user reference, freshness, CSRF token, …).
# A session with a list in it (flashed messages) is decoded each time.
_SCALARS = (str, int, float, bool, type(None))
_KEPT = 4096  # cookies per process; about 6 MB at most, then forgotten all at once


class CookieSessionInterface(SecureCookieSessionInterface):
    """SecureCookieSessionInterface whose open_session remembers cookies it verified."""

    def __init__(self) -> None:
        # (cookie, current secret, fallback secrets) -> (decoded data, signed at, Unix seconds)
        self._verified: dict[tuple[str, Any, tuple[Any, ...]], tuple[dict[str, Any], int]] = {}

    def open_session(self, app: Flask, request: Request) -> SecureCookieSession | None:
        """The request's session: empty for no cookie, a bad signature or an expired one;
        None without a secret key (Flask then refuses to use the session). Raises nothing
        beyond what Flask's own open_session raises."""
        value = request.cookies.get(self.get_cookie_name(app))
        if not value or not app.secret_key:
            return super().open_session(app, request)
        max_age = int(app.permanent_session_lifetime.total_seconds())
        key = (value, app.secret_key, tuple(app.config["SECRET_KEY_FALLBACKS"] or ()))
        kept = self._verified.get(key)
        if kept is None:
            serializer = self.get_signing_serializer(app)
            assert serializer is not None  # a secret key is set
            try:
                data, signed = serializer.loads(value, max_age=max_age, return_timestamp=True)
            except BadSignature:  # also SignatureExpired
                return self.session_class()
            kept = (data, int(signed.timestamp()))
            if isinstance(data, dict) and all(isinstance(v, _SCALARS) for v in data.values()):
                keep(self._verified, key, kept, _KEPT)
        data, signed_at = kept
        age = int(time.time()) - signed_at
        if age > max_age or age < 0:  # itsdangerous' SignatureExpired
            return self.session_class()
        return self.session_class(data)


def init_app(app: Flask) -> None:
    app.session_interface = CookieSessionInterface()
