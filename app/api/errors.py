"""Every error under /api/ is JSON: {"error": {"code": …, "message": …}}, never an HTML page.

app/errors.py calls these for requests under /api/; messages follow Accept-Language.
"""

from __future__ import annotations

from flask import abort, current_app, jsonify, request
from flask_babel import lazy_gettext as _l
from werkzeug.exceptions import HTTPException

from app.api import bp
from app.models import utcnow
from app.services.errors import (
    Conflict,
    DomainError,
    Forbidden,
    IdempotencyMismatch,
    InvalidInput,
    NotFound,
    TooManyAttempts,
    Unauthenticated,
)

API_PATH = "/api/"

CODES = {
    400: "bad_request", 401: "unauthorized", 403: "forbidden", 404: "not_found",
    405: "method_not_allowed", 409: "conflict", 413: "payload_too_large",
    415: "unsupported_media_type", 422: "invalid_request", 429: "too_many_requests",
    500: "server_error",
}
MESSAGES = {
    400: _l("Permintaan tidak dapat diproses."),
    401: _l("Token tidak ada, salah, kedaluwarsa atau sudah dicabut. Minta token baru."),
    403: _l("Akun Anda tidak memiliki izin untuk ini."),
    404: _l("Yang Anda cari tidak ada."),
    405: _l("Metode HTTP ini tidak diizinkan di alamat ini."),
    409: _l("Permintaan ini bertentangan dengan keadaan saat ini."),
    413: _l("Isi permintaan terlalu besar."),
    415: _l("Kirim isi permintaan sebagai application/json."),
    422: _l("Ada isian yang tidak valid."),
    429: _l("Terlalu banyak permintaan. Tunggu sebentar, lalu coba lagi."),
    500: _l("Maaf, ada masalah di pihak kami. Silakan coba lagi nanti."),
}
_JSON_BODY = ("application/json",)
_FORM_BODY = ("multipart/form-data",)


def is_api_request() -> bool:
    return request.path.startswith(API_PATH)


def error_response(status: int, message=None, *, code: str | None = None, fields=None,
                   headers=None):
    """The envelope with the right status; unknown statuses count as 500."""
    if status not in CODES:
        status = 500 if status >= 500 else 400
    body = {"code": code or CODES[status], "message": str(message or MESSAGES[status])}
    if fields:
        body["fields"] = fields
    response = jsonify(error=body)
    response.status_code = status
    if status == 401:
        response.headers["WWW-Authenticate"] = 'Bearer realm="lentera"'
    for name, value in (headers or {}).items():
        response.headers[name] = value
    return response


def _flatten(messages) -> dict:
    """webargs' {"json": {"field": [...]}, "query": {...}} → {"field": [...], ...}."""
    if not isinstance(messages, dict):
        return {"_": messages}
    flat = {}
    for location, errors in messages.items():
        if isinstance(errors, dict):
            flat.update({str(k): v for k, v in errors.items()})
        else:
            flat[str(location)] = errors
    return flat


def from_http_exception(exc: HTTPException):
    status = exc.code or 500
    data = getattr(exc, "data", None) or {}
    fields = _flatten(data["messages"]) if status == 422 and "messages" in data else None
    headers = dict(data.get("headers") or {})
    if status == 405 and hasattr(exc, "valid_methods") and exc.valid_methods:
        headers["Allow"] = ", ".join(exc.valid_methods)
    return error_response(status, data.get("message"), fields=fields, headers=headers)


def from_domain_error(exc: DomainError):
    from app.services.quizzes import NoAttemptsLeft

    message = str(exc) or None
    if isinstance(exc, TooManyAttempts):
        wait = max(1, int((exc.retry_at - utcnow()).total_seconds()))
        return error_response(429, message, headers={"Retry-After": str(wait)})
    if isinstance(exc, Unauthenticated):
        return error_response(401, message)
    if isinstance(exc, NotFound):
        return error_response(404, message)
    if isinstance(exc, Forbidden):
        return error_response(403, message)
    if isinstance(exc, NoAttemptsLeft):
        return error_response(409, message, code="no_attempts_left")
    if isinstance(exc, Conflict):
        return error_response(409, message, code=getattr(exc, "code", None))
    if isinstance(exc, IdempotencyMismatch):
        return error_response(422, message, code="idempotency_key_reused")
    if isinstance(exc, InvalidInput):
        return error_response(422, message)
    return error_response(400, message)


def server_error():
    return error_response(500)


def _declared_body_types() -> tuple[str, ...]:
    """The body media types the view declares (@bp.arguments(…, content_type=…)); JSON when
    it declares none."""
    view = current_app.view_functions.get(request.endpoint or "")
    parameters = getattr(view, "_apidoc", {}).get("arguments", {}).get("parameters", [])
    return tuple({p["content_type"] for p in parameters if p.get("content_type")}) or _JSON_BODY


@bp.before_request
def _only_declared_bodies():
    """A request body must be of the type the endpoint documents (JSON, or a multipart form
    where one is documented): 415 else, naming the right type."""
    body = request.method in ("POST", "PUT", "PATCH") and request.content_length
    if not body:
        return None
    allowed = _declared_body_types()
    if request.mimetype in allowed:
        return None
    if _FORM_BODY[0] in allowed:
        return error_response(415, _l("Kirim isi permintaan sebagai multipart/form-data."))
    abort(415)
