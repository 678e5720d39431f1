"""Certificates: the learner's PDF and the public page that checks one by its code."""

from flask import Blueprint

bp = Blueprint("certificates", __name__)

from app.certificates import views  # noqa: E402,F401
