"""Reminders of mandatory courses: the email preferences page and `flask reminders send`."""

from flask import Blueprint

bp = Blueprint("notifications", __name__)

from app.notifications import views  # noqa: E402,F401
