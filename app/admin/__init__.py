"""Admin pages: the unit tree, users, staff import, and mandatory course assignments."""

from flask import Blueprint

bp = Blueprint("admin", __name__, url_prefix="/admin")

from app.admin import views  # noqa: E402,F401
