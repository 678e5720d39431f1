"""The completion report for supervisors (their unit subtree) and admins: JSON pages or CSV."""

from __future__ import annotations

from flask import Response, request, stream_with_context

from app.access import access
from app.api import bp
from app.api.auth import caller, token_required
from app.api.schemas import ErrorSchema, ReportArgs, ReportPage
from app.extensions import db
from app.models import Role
from app.reports.exports import csv_chunks
from app.services import reports
from app.services.nip import mask_nip
from app.web import local_calendar

REPORTERS = Role.SUPERVISOR | Role.ADMIN
CSV = "text/csv"


def _filters(args) -> reports.Filters:
    return reports.Filters(
        unit_id=args.get("unit"), course_id=args.get("course"), status=args.get("status"),
        date_from=args.get("from_"), date_to=args.get("to"), page=args["page"],
    )


@bp.route("/reports/completions")
@access(REPORTERS)
@token_required
@bp.doc(responses={"200": {"content": {
    "application/json": {"schema": {"$ref": "#/components/schemas/ReportPage"}},
    CSV: {"schema": {"type": "string"}}}}})
@bp.arguments(ReportArgs, location="query")
@bp.response(200, ReportPage)
@bp.alt_response(403, schema=ErrorSchema,
                 description="Only supervisors (their unit subtree) and admins.")
@bp.alt_response(404, schema=ErrorSchema,
                 description="A unit or course outside what the caller may see.")
def completions(args):
    """Completion report

    Learner × course rows with their status, filtered like the web report (unit subtree,
    course, status, completion dates) and scoped to the caller's units. Paged as JSON; with
    `Accept: text/csv` the whole filtered result is streamed as CSV (page and per_page are
    then ignored), the same columns as the web export.
    """
    user = caller()
    filters = _filters(args)
    cal = local_calendar()
    if request.accept_mimetypes.best_match(["application/json", CSV]) == CSV and (
        request.accept_mimetypes[CSV] > request.accept_mimetypes["application/json"]
    ):
        rows = reports.export_rows(db.session, user, filters, cal)
        return Response(
            stream_with_context(csv_chunks(rows, cal.zone)), mimetype=CSV,
            headers={"Content-Disposition":
                     f'attachment; filename="laporan-penyelesaian-{cal.today}.csv"',
                     "Cache-Control": "no-store"},
        )
    page = reports.status_rows(db.session, user, filters, cal, per_page=args["per_page"])
    return {
        "items": [
            {"user_id": r.user_id, "name": r.name, "nip": mask_nip(r.nip) if r.nip else None,
             "unit": r.unit,
             "course": r.course, "course_jp": r.jp, "status": r.status,
             "enrolled_at": r.enrolled_at, "completed_at": r.completed_at,
             "due_on": r.due_on, "jp_this_year": r.jp_this_year,
             "jp_by_source": {"course": r.jp_course, "session": r.jp_session,
                              "claim": r.jp_claim}}
            for r in page.items
        ],
        "page": page.number, "per_page": page.size, "total": page.total,
    }
