"""The supervisor's completion report and its CSV/XLSX exports."""

from flask import Blueprint

bp = Blueprint("reports", __name__, url_prefix="/reports")


@bp.record_once
def _reports_database(state) -> None:
    from app import reports_database

    reports_database.init_app(state.app)


from app.reports import views  # noqa: E402,F401
