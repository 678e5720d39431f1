"""The page shell: access checks, security headers, fingerprinted static files, htmx helpers."""

from __future__ import annotations

import hashlib
import re
import secrets
import threading
from collections import OrderedDict
from collections.abc import Callable, Hashable
from functools import cache, lru_cache
from pathlib import Path
from typing import Any, TypeVar

from flask import (
    Flask,
    Response,
    current_app,
    g,
    has_request_context,
    render_template,
    request,
    session,
    url_for,
)
from flask_babel import format_decimal, get_locale, gettext
from flask_login import current_user
from flask_wtf.csrf import generate_csrf
from htmx_flask import request as htmx_request  # flask.request, typed with its `.htmx`
from markupsafe import Markup
from werkzeug.routing import IntegerConverter

from app.access import PUBLIC, access, check_access
from app.safe_input import clean_text
from app.services.dates import Calendar

K = TypeVar("K")
V = TypeVar("V")

CSP = "; ".join(
    [
        "default-src 'none'",
        "script-src 'self'",
        "style-src 'self'",
        "img-src 'self'",
        "connect-src 'self'",
        "manifest-src 'self'",
        "form-action 'self'",
        "base-uri 'none'",
        "frame-ancestors 'none'",
    ]
)


# Personal pages and exports: Cache-Control: no-store (ASVS 8.2.1).
NO_STORE_BLUEPRINTS = {"auth", "reports", "admin", "ledger", "notifications", "classroom"}
NO_STORE_ENDPOINTS = {"catalog.my_learning", "certificates.download", "quiz.attempt"}


@cache
def _fingerprint(static_folder: str, filename: str) -> str | None:
    path = Path(static_folder) / filename
    if not path.is_file():
        return None
    return hashlib.sha256(path.read_bytes()).hexdigest()[:12]


def _add_static_version(endpoint: str, values: dict) -> None:
    """url_for('static', filename=…) gains ?v=<content hash>, so the file can be cached forever."""
    if endpoint == "static" and "filename" in values and "v" not in values:
        version = _fingerprint(current_app.static_folder, values["filename"])
        if version:
            values["v"] = version


SECURITY_HEADERS = (
    ("Content-Security-Policy", CSP),
    ("X-Content-Type-Options", "nosniff"),
    ("Referrer-Policy", "same-origin"),
    ("X-Frame-Options", "DENY"),
)


def _secure_headers(response: Response) -> Response:
    # Runs on every response: the header names present are looked at once, and a page's
    # Cache-Control is written as text rather than through response.cache_control, which
    # parses and rewrites the header at each assignment (a lesson page's 1.5 ms of Python
    # spent 34 µs here; docs/performance.md).
    headers = response.headers
    present = {name.lower() for name, _value in headers.items()}
    for name, value in SECURITY_HEADERS:
        if name.lower() not in present:
            headers.add(name, value)
    if request.endpoint == "static" and "v" in request.args and response.status_code in (200, 304):
        response.cache_control.public = True
        response.cache_control.max_age = current_app.config["STATIC_MAX_AGE"]
        response.cache_control.immutable = True
        response.cache_control.no_cache = None
    elif "cache-control" not in present:  # else the view said how it may be kept
        if request.blueprint in NO_STORE_BLUEPRINTS or request.endpoint in NO_STORE_ENDPOINTS:
            # Personal data and exports: not even the browser's cache or back button keeps them.
            headers["Cache-Control"] = "no-store"
        else:
            # Pages are personal (progress, names): never cached by shared proxies.
            headers["Cache-Control"] = "private, no-cache"
    return response


def external_url(endpoint: str, **values) -> str:
    """An absolute link for emails and certificates: BASE_URL, never the request's Host header.

    Without BASE_URL, development and tests use the request's host; production falls back to
    SERVER_NAME or http://localhost (and logs a warning at start-up), since a Host header is
    whatever the client sent.
    """
    path = url_for(endpoint, **values)
    base = current_app.config.get("BASE_URL")
    if not base:
        if (current_app.debug or current_app.testing) and has_request_context():
            base = request.host_url
        else:
            server = current_app.config.get("SERVER_NAME") or "localhost"
            base = f"{current_app.config.get('PREFERRED_URL_SCHEME', 'http')}://{server}"
    return base.rstrip("/") + path


def return_path() -> str:
    """Where the language form brings the person back: this page, with its query, after a
    GET; the home page after anything else, and for a URL the input guard refused (its NUL
    or broken text is not written into the page)."""
    if request.method != "GET" or not clean_text(request.full_path):
        return "/"
    return request.full_path


def is_navigation() -> bool:
    """A page the person opened themselves: a top-level navigation or an htmx request.

    Not an <img>, <script>, <iframe> or fetch pointing at the URL from some page: browsers say
    so in Sec-Fetch-Dest (all current ones send it). Without the header, assume a navigation.
    """
    if request.headers.get("HX-Request"):
        return True
    dest = request.headers.get("Sec-Fetch-Dest")
    return dest is None or dest == "document"


def local_calendar() -> Calendar:
    """Today and the day and year boundaries in the organisation's time zone."""
    return Calendar.now(current_app.config["BABEL_DEFAULT_TIMEZONE"])


def format_jp(value) -> str:
    """4.00 -> "4", 2.50 -> "2,5" (in Indonesian)."""
    return format_decimal(value, format="#,##0.##")


def format_score(value) -> str:
    """A quiz score out of 100 as people say it: "75 dari 100" ("–" before any attempt)."""
    if value is None:
        return "–"
    return gettext("%(score)s dari 100", score=format_decimal(value, "#,##0.#"))


def render_page(template: str, partial: str | None = None, **context) -> Response:
    """One URL, two renderings: the whole page, or just its fragment for an htmx request."""
    name = partial if partial and htmx_request_targets_fragment() else template
    response = current_app.make_response(render_template(name, **context))
    response.vary.add("HX-Request")
    return response


def reads_without_transaction() -> None:
    """Let this request's queries run each on its own, outside a transaction (autocommit).

    For views that read a few rows and write at most single idempotent statements (INSERT …
    ON CONFLICT DO NOTHING), never several that must succeed together. It saves psycopg's
    BEGIN and the end-of-request ROLLBACK: two of a lesson page's round trips
    (docs/performance.md). Does nothing once the request has already taken a connection
    (its user came from the database rather than the cache)."""
    from app.extensions import db

    # A user merged in from the Redis cache begins the ORM session but takes no connection;
    # a user read from the database has taken one, in a transaction already.
    transaction = db.session().get_transaction()
    if transaction is None or not transaction._connections:  # noqa: SLF001 (no public way)
        db.session.connection(execution_options={"isolation_level": "AUTOCOMMIT"})


def htmx_request_targets_fragment() -> bool:
    """An htmx request that is not a boosted page navigation wants a fragment."""
    return bool(htmx_request.htmx) and not htmx_request.htmx.boosted


class IdConverter(IntegerConverter):
    """<int:…> in every URL: a database id, so at most 2**31 - 1. A larger number is a 404
    here rather than an integer overflow (a 500) in PostgreSQL."""

    MAX = 2**31 - 1

    def __init__(self, map, *args, **kwargs):  # noqa: A002 (werkzeug's name)
        kwargs.setdefault("max", self.MAX)
        super().__init__(map, *args, **kwargs)


def cached_fragment(template: str, **key: Hashable) -> Markup:
    """A template rendered once per process for each locale and `key`, then served as stored.

    For the parts of every page that depend on nothing else (the <head> links, the menu for a
    set of roles, the offline script's words): rendering them was most of a lesson page's
    Jinja time (docs/performance.md). Such a template must read only the locale and the
    keyword arguments, never the user, the request or the CSRF token. Not cached when
    templates reload (debug), so an edited template shows at once. Returns safe HTML.
    """
    store: dict[tuple[Any, ...], Markup] = current_app.extensions.setdefault(
        "lentera_fragments", {})
    cache_key = (template, str(get_locale()), *sorted(key.items()))
    html = store.get(cache_key)
    if html is None:
        html = Markup(render_template(template, **key))
        if not current_app.jinja_env.auto_reload:
            store[cache_key] = html
    return html


# Placeholders of per-request values in a cached page: private-use characters around a
# random mark, so no text of a lesson or a user can look like one.
_HOLE = f"\ue000{secrets.token_hex(6)}:"
_HOLES = re.compile(re.escape(_HOLE) + "([^\ue001]*)\ue001")
_PAGES_KEPT = 512
_pages_lock = threading.Lock()


def hole(name: str) -> Markup:
    """The placeholder that `cached_page` replaces with this request's value of `name`."""
    return Markup(f"{_HOLE}{name}\ue001")


def cached_page(key: tuple[Hashable, ...], render: Callable[[], str],
                values: dict[str, str]) -> str:
    """A page rendered once per `key` with `hole(name)` placeholders, filled for this request.

    `render` renders the page with a hole wherever a per-request value goes (the CSRF token,
    the user's name, their progress…); `values` maps each hole's name to its HTML-safe value.
    `key` must hold everything else the page depends on. The page is rendered with holes,
    not with anyone's values, so a value it forgot to punch out is a hole `values` does not
    name (KeyError), never another person's data. The last 512 pages are kept per process
    (none while templates reload, in debug), already cut at their holes: filling one joins
    its pieces instead of searching the whole page once per hole. Returns the filled HTML;
    raises KeyError for a hole missing from `values`.
    """
    store: OrderedDict[tuple[Hashable, ...], list[str]] = current_app.extensions.setdefault(
        "lentera_pages", OrderedDict())
    with _pages_lock:
        pieces = store.get(key)
        if pieces is not None:
            store.move_to_end(key)
    if pieces is None:
        pieces = _HOLES.split(render())  # text, hole name, text, hole name, …, text
        if not current_app.jinja_env.auto_reload:
            with _pages_lock:
                store[key] = pieces
                while len(store) > _PAGES_KEPT:
                    store.popitem(last=False)
    filled = pieces.copy()
    for at in range(1, len(filled), 2):
        filled[at] = values[filled[at]]
    return "".join(filled)


def nav_here() -> str:
    """Which main-menu entry the current page belongs to (components/_nav.html marks it)."""
    endpoint, blueprint = request.endpoint or "", request.blueprint or ""
    if endpoint == "catalog.index":
        return "catalog"
    if endpoint == "catalog.my_learning":
        return "my_learning"
    if endpoint == "authoring.index":
        return "authoring"
    if blueprint == "classroom" and endpoint != "classroom.check_in":
        return "classroom"
    if blueprint in ("authoring", "reports", "admin"):
        return "authoring_area" if blueprint == "authoring" else blueprint
    return ""


def keep(store: dict[K, V], key: K, value: V, most: int) -> V:
    """Put `value` under `key` in a per-process memo of at most `most` entries, forgetting
    every entry first when it is full (what is forgotten is simply worked out again).
    Returns `value`."""
    if len(store) >= most:
        store.clear()
    store[key] = value
    return value


_SIGNED_TOKENS_KEPT = 4096
_signed_tokens: dict[tuple[str, str], str] = {}


def signed_csrf_token() -> str:
    """Flask-WTF's generate_csrf(): the session's CSRF token, signed, signed once per process.

    A signed token carries the time it was signed, which Flask-WTF looks at only when
    WTF_CSRF_TIME_LIMIT is set. Lentera leaves it None (a token lives as long as its session),
    so the token signed for this session earlier is as good as a new one, and signing it again
    on every lesson page was wasted work. With a time limit set, every call signs afresh.
    Raises what generate_csrf raises (no secret key).
    """
    config = current_app.config
    field = config.get("WTF_CSRF_FIELD_NAME", "csrf_token")
    raw = session.get(field)
    if raw is None or field in g or config.get("WTF_CSRF_TIME_LIMIT") is not None:
        return generate_csrf()
    key = (str(config.get("WTF_CSRF_SECRET_KEY") or current_app.secret_key), str(raw))
    token = _signed_tokens.get(key)
    if token is None:
        token = keep(_signed_tokens, key, generate_csrf(), _SIGNED_TOKENS_KEPT)
    setattr(g, field, token)  # what generate_csrf and the templates' csrf_token() reuse
    return token


def user_partition() -> str | None:
    """An opaque name for the signed-in user's own cache on the phone (None: signed out).

    It changes with session_version, so "sign out everywhere" also orphans old caches."""
    if not current_user.is_authenticated:
        return None
    return _partition(str(current_app.config["SECRET_KEY"]), current_user.id,
                      getattr(current_user, "session_version", 0))


@lru_cache(maxsize=4096)  # asked twice per page (the page, its X-Lentera-User header)
def _partition(secret: str, user_id: int, session_version: int) -> str:
    who = f"{user_id}:{session_version}".encode()
    return hashlib.sha256(secret.encode() + b"\0" + who).hexdigest()[:16]


def init_app(app: Flask) -> None:
    # Before any blueprint adds its rules, so every <int:…> is bounded.
    app.url_map.converters["int"] = IdConverter
    access(PUBLIC)(app.view_functions["static"])
    # First of all before_request hooks: a guest is sent to log in before CSRF is even checked.
    app.before_request_funcs.setdefault(None, []).insert(0, check_access)
    app.url_defaults(_add_static_version)
    app.after_request(_secure_headers)
    if not (app.debug or app.testing or app.config.get("BASE_URL")):
        app.logger.warning("BASE_URL is not set: links in emails and certificates will use "
                           "%s; set BASE_URL to the address people use.",
                           app.config.get("SERVER_NAME") or "http://localhost")
