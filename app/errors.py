"""Every error becomes a friendly, translated page; no stack trace reaches a user."""

from flask import Flask, current_app, render_template, request
from flask_babel import lazy_gettext as _l
from flask_wtf.csrf import CSRFError
from werkzeug.exceptions import HTTPException, InternalServerError

from app.api import errors as api_errors
from app.extensions import db
from app.services.errors import Conflict, DomainError, Forbidden, NotFound

_MESSAGES = {
    400: (_l("Permintaan tidak dapat diproses"),
          _l("Ada yang tidak beres dengan permintaan ini. Muat ulang halaman lalu coba lagi.")),
    403: (_l("Akses ditolak"), _l("Akun Anda tidak memiliki izin untuk membuka halaman ini.")),
    404: (_l("Halaman tidak ditemukan"),
          _l("Halaman yang Anda cari tidak ada atau sudah dipindahkan.")),
    405: (_l("Cara akses tidak diizinkan"), _l("Halaman ini tidak dapat dibuka dengan cara itu.")),
    409: (_l("Tidak dapat dicatat"),
          _l("Langkah ini tidak dapat ditandai selesai dari sini. "
             "Kuis selesai ketika Anda lulus.")),
    413: (_l("Berkas terlalu besar"),
          _l("Berkas yang Anda kirim melebihi batas unggahan 50 MB. Perkecil gambar atau PDF "
             "di dalam kursus, lalu unggah lagi.")),
    429: (_l("Terlalu banyak percobaan"), _l("Tunggu sebentar, lalu coba lagi.")),
    500: (_l("Terjadi kesalahan"),
          _l("Maaf, ada masalah di pihak kami dan tim kami sudah diberi tahu. "
             "Silakan coba lagi nanti.")),
}


def error_page(status: int, message=None):
    title, default_message = _MESSAGES.get(status, _MESSAGES[500])
    html = render_template(
        "errors/error.html", status=status, title=title, message=message or default_message
    )
    return html, status


def _http_error(exc: HTTPException):
    if exc.code in (301, 302, 303, 307, 308):
        return exc
    if api_errors.is_api_request():
        return api_errors.from_http_exception(exc)
    return error_page(exc.code or 500)


def _csrf_error(exc: CSRFError):
    if api_errors.is_api_request():
        return api_errors.from_http_exception(exc)
    return error_page(
        400, _l("Formulir ini sudah kedaluwarsa. Muat ulang halaman lalu kirim lagi.")
    )


def _domain_error(exc: DomainError):
    if api_errors.is_api_request():
        return api_errors.from_domain_error(exc)
    status = (404 if isinstance(exc, NotFound) else 403 if isinstance(exc, Forbidden)
              else 409 if isinstance(exc, Conflict) else 400)
    return error_page(status, str(exc) or None)


def _server_error(exc: Exception):
    db.session.rollback()
    original = getattr(exc, "original_exception", exc)
    current_app.logger.error(
        "Unhandled error on %s %s", request.method, request.path, exc_info=original
    )
    if api_errors.is_api_request():
        return api_errors.server_error()
    return error_page(500)


def init_app(app: Flask) -> None:
    app.register_error_handler(CSRFError, _csrf_error)
    app.register_error_handler(DomainError, _domain_error)
    app.register_error_handler(InternalServerError, _server_error)
    app.register_error_handler(HTTPException, _http_error)
    app.register_error_handler(Exception, _server_error)
