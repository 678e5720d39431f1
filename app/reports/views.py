from datetime import date

from flask import Response, current_app, request, stream_with_context
from flask_babel import gettext as _
from flask_login import current_user

from app.access import access
from app.errors import error_page
from app.extensions import db
from app.models import Role
from app.reports import bp
from app.reports.exports import LABELS, csv_chunks, file_chunks, xlsx_file
from app.reports_database import reports_session
from app.safe_input import date_arg, int_arg, page_arg
from app.services import reports
from app.services.audit import record
from app.services.courses import visible_course_choices
from app.services.dates import Calendar
from app.services.errors import InvalidInput
from app.services.nip import mask_nip
from app.services.reports import STATUS_LABELS, STATUSES, Filters
from app.services.scope import units_in_scope
from app.services.units import depth
from app.web import local_calendar, render_page

REPORTERS = Role.SUPERVISOR | Role.ADMIN
FILTER_ARGS = ("unit", "course", "status", "from", "to")


def _number(name: str) -> int | None:
    return int_arg(name)


def _day(name: str) -> date | None:
    return date_arg(name)


def _filters() -> Filters:
    """The report's filters from the query string; bad values become a clear 400 page."""
    return Filters(
        unit_id=_number("unit"), course_id=_number("course"),
        status=request.args.get("status") or None, date_from=_day("from"), date_to=_day("to"),
        page=page_arg(),
    )


def _filter_context(filters: Filters) -> dict:
    """What every report page needs to draw the filter form and keep filters in its links."""
    args = {k: request.args[k] for k in FILTER_ARGS if request.args.get(k)}
    return {
        "filters": filters,
        "args": args,
        "units": units_in_scope(reports_session(), current_user),
        "courses": visible_course_choices(reports_session(), current_user),
        "statuses": [(s, STATUS_LABELS[s]) for s in STATUSES],
        "status_labels": STATUS_LABELS,
        "depth": depth,
        "mask_nip": mask_nip,
    }


def _filter_error(exc: InvalidInput) -> Response:
    """A filter that makes no sense is shown in the page, by its form, with no stale rows."""
    args = {k: request.args[k] for k in FILTER_ARGS if request.args.get(k)}
    context = _filter_context(Filters())
    context["args"] = args
    response = render_page("reports/filter_error.html", filter_error=str(exc), **context)
    response.status_code = 400
    return response


@bp.errorhandler(InvalidInput)
def _invalid_filter(exc: InvalidInput):
    if request.endpoint in ("reports.index", "reports.rows", "reports.jp"):
        return _filter_error(exc)
    return error_page(400, str(exc))


@bp.route("/")
@access(REPORTERS)
def index():
    """Summary per unit (with a bar chart) and per course."""
    filters = _filters()
    cal = local_calendar()
    summary = reports.summary(reports_session(), current_user, filters, cal)
    return render_page("reports/index.html", summary=summary, today=cal.today,
                       **_filter_context(filters))


@bp.route("/rows")
@access(REPORTERS)
def rows():
    """Learner × course rows, filtered and paginated: what the exports contain."""
    filters = _filters()
    cal = local_calendar()
    page = reports.status_rows(reports_session(), current_user, filters, cal)
    return render_page("reports/rows.html", page=page, labels=LABELS, **_filter_context(filters))


@bp.route("/jp")
@access(REPORTERS)
def jp():
    """Learners below this year's JP target."""
    filters = _filters()
    cal = local_calendar()
    target = current_app.config["JP_YEARLY_TARGET"]
    page = reports.below_target(reports_session(), current_user, filters, cal, target)
    return render_page("reports/jp.html", page=page, target=target, year=cal.today.year,
                       **_filter_context(filters))


@bp.route("/learners/<int:user_id>")
@access(REPORTERS)
def learner(user_id: int):
    """One learner: courses, status, dates and JP this year."""
    cal = local_calendar()
    report = reports.learner_report(reports_session(), current_user, user_id, cal,
                                    current_app.config["JP_YEARLY_TARGET"])
    return render_page("reports/learner.html", report=report, year=cal.today.year,
                       status_labels=STATUS_LABELS, mask_nip=mask_nip)


def _attachment(extension: str, cal: Calendar) -> str:
    return f'attachment; filename="laporan-penyelesaian-{cal.today.isoformat()}.{extension}"'


@bp.route("/export.csv")
@access(REPORTERS)
def export_csv():
    """The filtered rows as CSV, streamed from a server-side cursor, every field quoted."""
    cal = local_calendar()
    filters = _filters()
    _record_export("csv")
    rows = reports.export_rows(reports_session(), current_user, filters, cal)
    return Response(
        stream_with_context(csv_chunks(rows, cal.zone)),
        mimetype="text/csv",
        headers={"Content-Disposition": _attachment("csv", cal), "Cache-Control": "no-store"},
    )


@bp.route("/export.xlsx")
@access(REPORTERS)
def export_xlsx():
    """The filtered rows as an Excel workbook, built on disk and sent in chunks."""
    cal = local_calendar()
    filters = _filters()
    _record_export("xlsx")
    rows = reports.export_rows(reports_session(), current_user, filters, cal)
    handle = xlsx_file(rows, cal.zone, _("Laporan penyelesaian"))
    return Response(
        file_chunks(handle),
        mimetype="application/vnd.openxmlformats-officedocument.spreadsheetml.sheet",
        headers={"Content-Disposition": _attachment("xlsx", cal), "Cache-Control": "no-store"},
    )


def _record_export(kind: str) -> None:
    """Every export goes to the audit log, with its filters, before any row is read."""
    record(db.session, current_user.id, "report.export", "report:completions", format=kind,
           **{k: request.args[k] for k in FILTER_ARGS if request.args.get(k)})
    db.session.commit()
