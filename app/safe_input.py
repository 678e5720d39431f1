"""Hostile input stops at the door: one guard, safe URL converters and one query-arg parser.

- NUL bytes and invalid UTF-8 anywhere in the path, query string or form fields: 400/404
  before any view or database sees them (PostgreSQL refuses NUL in text and would answer 500).
- `<int:…>` in URLs accepts ASCII digits only, up to 2³¹−1 (a database integer): anything
  else is a 404, never an overflow.
- Views read numbers and dates from the query string through int_arg/date_arg: superscript
  or Arabic-Indic digits, huge numbers and far-off dates become a friendly 400.
"""

from __future__ import annotations

from datetime import date
from urllib.parse import unquote_to_bytes

from flask import Flask, abort, request
from flask_babel import gettext as _
from werkzeug.routing import IntegerConverter

from app.services.errors import InvalidInput

MAX_ID = 2**31 - 1
# Dates anyone means in a report or a form; beyond them date arithmetic overflows.
EARLIEST, LATEST = date(1900, 1, 1), date(2100, 12, 31)


class SafeIntConverter(IntegerConverter):
    """`<int:x>`: ASCII digits, at most 10 of them, no larger than a 32-bit database id."""

    regex = r"[0-9]{1,10}"

    def __init__(self, map, fixed_digits=0, min=None, max=MAX_ID, signed=False):  # noqa: A002
        super().__init__(map, fixed_digits=fixed_digits, min=min, max=max, signed=signed)


def _clean_bytes(raw: bytes) -> bool:
    if b"\x00" in raw:
        return False
    try:
        raw.decode("utf-8")
    except UnicodeDecodeError:
        return False
    return True


def clean_text(value: str) -> bool:
    """Whether decoded text is what the guard lets through: no NUL (PostgreSQL refuses it in
    text) and no U+FFFD (Werkzeug decodes invalid UTF-8 with errors="replace")."""
    return "\x00" not in value and "\ufffd" not in value


def guard_request():
    """before_request: refuse NUL bytes and invalid UTF-8 in the path, query and form."""
    path = request.environ.get("PATH_INFO", "")
    if not _clean_bytes(path.encode("latin-1", "replace")):
        abort(404)
    query = request.environ.get("QUERY_STRING", "")
    if query and not _clean_bytes(unquote_to_bytes(query.replace("+", " "))):
        abort(400)
    if request.method not in ("POST", "PUT", "PATCH", "DELETE"):
        return None
    if request.mimetype == "application/x-www-form-urlencoded":
        # Werkzeug leaves invalid UTF-8 percent-encoded as text: check the raw body instead.
        body = request.get_data(cache=True)
        if not _clean_bytes(unquote_to_bytes(body.replace(b"+", b" "))):
            abort(400)
    if request.mimetype in ("application/x-www-form-urlencoded", "multipart/form-data"):
        for key, value in request.form.items(multi=True):
            if not (clean_text(key) and clean_text(value)):
                abort(400)
        for storage in request.files.values():
            if storage.filename and not clean_text(storage.filename):
                abort(400)
    return None


def parse_int(value: str | None, *, minimum: int = 0, maximum: int = MAX_ID) -> int | None:
    """ASCII digits within bounds → int; empty → None; anything else → InvalidInput."""
    value = (value or "").strip()
    if not value:
        return None
    if not (value.isascii() and value.isdigit() and len(value) <= 10):
        raise InvalidInput(_("Angka tidak valid: %(value)s.", value=value[:20]))
    number = int(value)
    if not minimum <= number <= maximum:
        raise InvalidInput(_("Angka di luar batas: %(value)s.", value=value[:20]))
    return number


def int_arg(name: str, default: int | None = None, *, minimum: int = 0,
            maximum: int = MAX_ID) -> int | None:
    """A whole number from the query string, or `default` when absent; bad values are a 400."""
    number = parse_int(request.args.get(name), minimum=minimum, maximum=maximum)
    return default if number is None else number


def page_arg(name: str = "page") -> int:
    """A page number from the query string: 1 when absent, a 400 when not a sensible number."""
    return int_arg(name, 1, minimum=1, maximum=1_000_000) or 1


def parse_date(value: str | None) -> date | None:
    """An ISO date (2026-12-31) between 1900 and 2100; empty → None; else InvalidInput."""
    value = (value or "").strip()
    if not value:
        return None
    try:
        if not value.isascii():
            raise ValueError(value)
        day = date.fromisoformat(value)
    except ValueError:
        raise InvalidInput(_("Tanggal tidak valid; tulis seperti 2026-12-31.")) from None
    if not EARLIEST <= day <= LATEST:
        raise InvalidInput(_("Tanggal harus antara tahun 1900 dan 2100."))
    return day


def date_arg(name: str) -> date | None:
    return parse_date(request.args.get(name))


def init_app(app: Flask) -> None:
    """Install the converter (before any route is added) and the guard (before other hooks)."""
    app.url_map.converters["int"] = SafeIntConverter
    app.before_request_funcs.setdefault(None, []).insert(0, guard_request)
