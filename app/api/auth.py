"""Bearer tokens: who is calling (load_bearer), and POST/DELETE /auth/token."""

from __future__ import annotations

from datetime import timedelta

from flask import current_app, g, request
from flask_login import current_user

from app.access import PUBLIC, SIGNED_IN, access
from app.api import bp
from app.api.schemas import ErrorSchema, TokenReply, TokenRequest
from app.auth.views import password_cost, sign_in_throttle
from app.extensions import db, login_manager
from app.models import User
from app.services import api_tokens
from app.services.errors import Unauthenticated

BEARER: list[dict[str, list[str]]] = [{"bearerAuth": []}]


def token_required(view):
    """Document a view as needing the bearer token (and answering 401 without one)."""
    view = bp.alt_response(401, schema=ErrorSchema,
                           description="No working bearer token.")(view)
    return bp.doc(security=BEARER)(view)


def load_bearer() -> User | None:
    """The user of the request's working bearer token, or None. The session cookie is never
    read for the API: the caller starts anonymous and only a token makes it someone."""
    g._login_user = login_manager.anonymous_user()
    scheme, _, secret = request.headers.get("Authorization", "").partition(" ")
    if scheme.lower() != "bearer" or not secret.strip():
        return None
    token = api_tokens.token_in_force(db.session, secret.strip())
    if token is None:
        return None
    if db.session.dirty:  # last_used_at moved on
        db.session.commit()
    g._login_user = token.user
    g.api_token_id = token.id
    return token.user


def caller() -> User:
    """The signed-in caller of an API view (its rule already let a token holder in)."""
    return current_user._get_current_object()


@bp.route("/auth/token", methods=["POST"])
@access(PUBLIC)
@bp.arguments(TokenRequest)
@bp.response(201, TokenReply)
@bp.alt_response(401, schema=ErrorSchema,
                 description="Wrong login or password, or the account is inactive.")
@bp.alt_response(429, schema=ErrorSchema,
                 description="Too many sign-in attempts; wait and retry.")
def create_token(body):
    """Get a bearer token

    Sign in with an email address or NIP and the password; the token is shown only here.
    Send it as `Authorization: Bearer <token>`. It expires after API_TOKEN_DAYS (30) days and
    stops working at sign-out everywhere, a password change or deactivation.
    """
    lifetime = timedelta(days=current_app.config["API_TOKEN_DAYS"])
    try:
        secret, token = api_tokens.sign_in(
            db.session, body["login"], body["password"], lifetime=lifetime,
            label=body.get("label"), address=request.remote_addr,
            throttle=sign_in_throttle(), cost=password_cost())
    except Unauthenticated:
        db.session.commit()  # the failed attempt counts towards the account's budget
        raise
    db.session.commit()
    return {"token": secret, "expires_at": token.expires_at}


@bp.route("/auth/token", methods=["DELETE"])
@access(SIGNED_IN)
@token_required
@bp.response(204)
def delete_token():
    """Revoke the token of this request

    The token stops working at once; other tokens of the account keep working.
    """
    api_tokens.revoke_token(db.session, caller(), g.api_token_id)
    db.session.commit()
    return ""
