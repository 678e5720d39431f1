"""@idempotent: an API view that honours the Idempotency-Key header.

    @bp.route("/things/<int:thing_id>/do", methods=["POST"])
    @access(SIGNED_IN)
    @idempotent
    @bp.arguments(SomeSchema)          # optional
    @bp.response(200, ReplySchema)
    def do_thing(body, thing_id):
        services.do(db.session, caller().id, ...)   # no commit here: @idempotent commits
        return {...}

With the header, the first request runs the view and stores its status and JSON body with the
work, in one transaction (services/idempotency.run_once); a replay of the same key by the same
user gets the stored reply (header `Idempotent-Replayed: true`) and changes nothing; the same
key with another method, path or body is a 422. Without the header the view simply runs.
Either way the decorator commits after a successful view; an error rolls everything back.
"""

from __future__ import annotations

from copy import deepcopy
from functools import wraps

from flask import current_app, jsonify, request

from app.extensions import db
from app.services import idempotency

HEADER = "Idempotency-Key"
PARAMETER = {
    "in": "header",
    "name": HEADER,
    "required": False,
    "schema": {"type": "string", "minLength": 1, "maxLength": idempotency.MAX_KEY_LENGTH},
    "description": (
        "Any unique text (a UUID) chosen by the client for this action. A replay with the same "
        "key returns the first reply and changes nothing; the same key with a different "
        "request is refused with 422. Keys are kept for at least 7 days."
    ),
}


def idempotent(view):
    """Make an API view honour Idempotency-Key (see the module's docstring)."""

    @wraps(view)
    def wrapper(*args, **kwargs):
        from app.api.auth import caller

        key = request.headers.get(HEADER)
        if key is None:
            response = current_app.make_response(view(*args, **kwargs))
            db.session.commit()
            return response

        def work():
            response = current_app.make_response(view(*args, **kwargs))
            return response.status_code, response.get_json(silent=True) or {}

        fingerprint = idempotency.fingerprint(request.method, request.path, request.get_data())
        reply = idempotency.run_once(db.session, caller().id, key, fingerprint, work)
        db.session.commit()
        response = jsonify(reply.body) if reply.status != 204 else current_app.response_class()
        response.status_code = reply.status
        if reply.replayed:
            response.headers["Idempotent-Replayed"] = "true"
        return response

    wrapper._apidoc = deepcopy(getattr(view, "_apidoc", {}))
    manual = wrapper._apidoc.setdefault("manual_doc", {})
    manual["parameters"] = [*manual.get("parameters", []), PARAMETER]
    return wrapper
