"""The supervisor's completion report and its CSV/XLSX exports."""

from flask import Blueprint

bp = Blueprint("reports", __name__, url_prefix="/reports")

from app.reports import views  # noqa: E402,F401
