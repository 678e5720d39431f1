"""The installable app: manifest, service worker, course downloads and the sign-out clean-up."""

from __future__ import annotations

import hashlib
from datetime import timedelta
from pathlib import Path

from flask import current_app, jsonify, request, url_for
from flask_babel import format_decimal
from flask_babel import gettext as _
from flask_login import current_user

from app.access import PUBLIC, SIGNED_IN, access
from app.extensions import db
from app.learn.views import url_for_lesson
from app.offline import bp
from app.services import api_tokens, offline
from app.services.courses import visible_course
from app.web import keep, user_partition

TOKEN_LIFETIME = timedelta(hours=12)


@bp.route("/sw.js")
@access(PUBLIC)
def service_worker():
    """The service worker, at the site's root so its scope is the whole site; never cached
    long, so a new release reaches phones on their next visit."""
    body = (Path(current_app.static_folder) / "js" / "sw.js").read_bytes()
    shell = [url_for("static", filename=f) for f in (
        "css/app.css", "js/htmx.min.js", "js/app.js", "js/offline.js")]
    version = hashlib.sha256(body + "\n".join(shell).encode()).hexdigest()[:12]
    head = f"const VERSION={version!r},SHELL={shell!r};\n".replace("'", '"').encode()
    response = current_app.response_class(head + body, mimetype="text/javascript")
    response.headers["Service-Worker-Allowed"] = "/"
    response.cache_control.no_cache = True
    return response


@bp.route("/manifest.webmanifest")
@access(PUBLIC)
def manifest():
    """The web app manifest: what the phone shows when Lentera is installed."""
    icon = lambda name, size, purpose="any": {  # noqa: E731
        "src": url_for("static", filename=f"img/{name}"), "sizes": size,
        "type": "image/png", "purpose": purpose}
    response = jsonify({
        "name": "Lentera — belajar singkat untuk ASN",
        "short_name": "Lentera",
        "description": _("Lentera: belajar singkat untuk ASN, dari ponsel."),
        "id": "/",
        "start_url": url_for("catalog.index"),
        "scope": "/",
        "display": "standalone",
        "lang": "id",
        "background_color": "#fbfaf7",
        "theme_color": "#8a4b00",
        "icons": [icon("icon-192.png", "192x192"), icon("icon-512.png", "512x512"),
                  icon("icon-maskable-512.png", "512x512", "maskable")],
    })
    response.mimetype = "application/manifest+json"
    response.cache_control.max_age = 3600
    return response


@bp.route("/courses/<slug>/offline.json")
@access(SIGNED_IN)
def course_package(slug: str):
    """The course for reading offline (same data as GET /api/v1/courses/{slug}/offline)."""
    course = visible_course(db.session, slug, current_user)
    package = offline.course_package(
        db.session, course, lambda step: request.host_url.rstrip("/") + url_for_lesson(step, slug))
    return jsonify(package)


@bp.route("/offline/token", methods=["POST"])
@access(SIGNED_IN)
def api_token():
    """A short-lived API bearer token for the signed-in learner's own pages, so the phone can
    sync its queue through /api/v1 (which never reads the session cookie). Needs the session
    and the CSRF token (sent as X-CSRFToken), so another site cannot obtain one; the page keeps
    it in this user's IndexedDB and revokes it at sign-out."""
    secret, token = api_tokens.issue_token(
        db.session, current_user, lifetime=TOKEN_LIFETIME, label="Lentera offline")
    db.session.commit()
    return jsonify(token=secret, expires_at=token.expires_at.isoformat())


_SIZES_KEPT = 1024
_sizes: dict[tuple[int, str], int] = {}  # (course id, content hash) → bytes, per process


def download_bytes(course) -> int:
    """About how many bytes downloading `course` for offline reading transfers.

    Worked out once per course version (its content hash) and process: building the package
    to count it read every lesson and question, on every view of the course page."""
    key = (course.id, course.content_hash)
    size = _sizes.get(key)
    if size is None:
        size = keep(_sizes, key, offline.course_package(
            db.session, course, url_for_lesson)["total_bytes"], _SIZES_KEPT)
    return size


def offline_context() -> dict:
    """Context for every template: the offline partition and download sizes."""
    return {"user_partition": user_partition, "download_bytes": download_bytes}


def filesize(size: int) -> str:
    """1234567 -> "1,2 MB" (decimal units, as phones show them)."""
    if size >= 1_000_000:
        return _("%(n)s MB", n=format_decimal(size / 1_000_000, "#,##0.#"))
    return _("%(n)s KB", n=format_decimal(max(1, round(size / 1000)), "#,##0"))


# The requests that end this browser's session: the learner's cached pages and queue go too.
SIGN_OUTS = ("auth.logout", "auth.sign_out_everywhere")


@bp.after_app_request
def label_and_clean(response):
    """Pages say whose they are (the service worker caches them per user); signing out tells
    the browser to drop this site's caches and stored data (Clear-Site-Data)."""
    if request.endpoint in SIGN_OUTS and request.method == "POST":
        response.headers["Clear-Site-Data"] = '"cache", "storage"'
    elif response.mimetype == "text/html":
        partition = user_partition()
        if partition:
            response.headers["X-Lentera-User"] = partition
    return response
