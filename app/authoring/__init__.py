"""Trainers' tools: checking, uploading, previewing, publishing and following their courses."""

from flask import Blueprint

bp = Blueprint("authoring", __name__, url_prefix="/authoring")

from app.authoring import views  # noqa: E402,F401
