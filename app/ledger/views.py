
from flask import (
    Response,
    abort,
    current_app,
    flash,
    redirect,
    request,
    stream_with_context,
    url_for,
)
from flask_babel import gettext as _
from flask_babel import lazy_gettext as _l
from flask_login import current_user

from app.access import SIGNED_IN, access
from app.extensions import db
from app.ledger import bp
from app.ledger.forms import ClaimForm, DecisionForm
from app.models import Role
from app.reports.exports import Column, file_chunks, table_csv, table_xlsx
from app.reports_database import reports_session
from app.services import audit, claims, ledger
from app.services.claims import MAX_PROOF_BYTES
from app.services.errors import DomainError, InvalidInput
from app.services.nip import mask_nip
from app.web import local_calendar, render_page

REVIEWERS = Role.SUPERVISOR | Role.ADMIN


def _year() -> int:
    """?year= or this (local) year; a year outside 2000–2100 is a clear 400."""
    value = request.args.get("year", "").strip()
    if not value:
        return local_calendar().today.year
    if not value.isdigit() or not 2000 <= int(value) <= 2100:
        raise InvalidInput(_("Tahun tidak valid; tulis seperti 2026."))
    return int(value)


@bp.route("/me/jp")
@access(SIGNED_IN)
def mine():
    """"JP saya": this year's hours by source, every entry with its status, and my claims.

    A wrong ?year= (typed or bookmarked) is a 400 that says so above the year picker, with
    no figures: the page never shows another year's hours as if they were the asked one."""
    today = local_calendar().today
    try:
        year = _year()
    except InvalidInput as exc:
        years = sorted(set(ledger.years(db.session, current_user.id)) | {today.year},
                       reverse=True)
        return render_page("ledger/mine.html", year=today.year, years=years,
                           filter_error=str(exc)), 400
    years = sorted(set(ledger.years(db.session, current_user.id)) | {year, today.year},
                   reverse=True)
    return render_page(
        "ledger/mine.html", year=year, years=years,
        jp=ledger.year_totals(db.session, current_user.id, year),
        entries=ledger.entries(db.session, current_user.id, year),
        claims=claims.claims_of(db.session, current_user.id),
        target=current_app.config["JP_YEARLY_TARGET"],
    )


@bp.route("/me/jp/claims/new", methods=["GET", "POST"])
@access(SIGNED_IN)
def new_claim():
    """Declare outside training with a proof file; it waits for the supervisor's decision."""
    form = ClaimForm()
    error = None
    if form.validate_on_submit():
        data = form.proof.data.read(MAX_PROOF_BYTES + 1)
        try:
            claims.file_claim(
                db.session, current_user, title=form.title.data, organiser=form.organiser.data,
                starts_on=form.starts_on.data, ends_on=form.ends_on.data, hours=form.hours.data,
                proof=data, today=local_calendar().today)
        except DomainError as exc:
            db.session.rollback()
            error = str(exc)
        else:
            db.session.commit()
            flash(_("Pengajuan terkirim. JP-nya dihitung setelah atasan Anda menyetujuinya."),
                  "info")
            return redirect(url_for(".mine"), code=303)
    return render_page("ledger/claim_form.html", form=form, error=error)


@bp.route("/jp/claims/<int:claim_id>/proof")
@access(SIGNED_IN)
def proof(claim_id: int):
    """The proof file: only to its learner, the supervisors of their unit subtree and admins;
    always as a download, never rendered by the browser, never cached."""
    claim = claims.visible_claim(db.session, current_user, claim_id)
    response = Response(claim.proof, mimetype=claim.proof_type)
    response.headers["Content-Disposition"] = (
        f'attachment; filename="{claims.proof_filename(claim)}"')
    response.headers["X-Content-Type-Options"] = "nosniff"
    response.headers["Cache-Control"] = "no-store"
    return response


@bp.route("/jp/claims/review")
@access(REVIEWERS)
def review():
    """The queue of pending claims the viewer may decide, oldest first."""
    return render_page("ledger/review.html", lines=claims.pending_queue(db.session, current_user),
                       form=DecisionForm(), mask_nip=mask_nip)


@bp.route("/jp/claims/<int:claim_id>/decision", methods=["POST"])
@access(REVIEWERS)
def decide(claim_id: int):
    """Approve or reject (with a reason) one claim, then back to the queue."""
    form = DecisionForm()
    if not form.validate_on_submit():
        abort(400)
    approve = request.form.get("decision") == "approve"
    if request.form.get("decision") not in ("approve", "reject"):
        abort(400)
    try:
        claims.decide(db.session, current_user, claim_id, approve=approve,
                      reason=form.reason.data or "")
    except InvalidInput as exc:
        db.session.rollback()
        flash(str(exc), "error")
        return redirect(url_for(".review"), code=303)
    db.session.commit()
    flash(_("Pengajuan disetujui.") if approve else _("Pengajuan ditolak."), "info")
    return redirect(url_for(".review"), code=303)


# The HR export's columns: the full NIP (PRODUCT §2 allows it here, and only here), as text.
HR_COLUMNS = (
    Column(_l("NIP"), 21, text=True), Column(_l("Nama"), 28, text=True),
    Column(_l("Email"), 30, text=True), Column(_l("Unit"), 28, text=True),
    Column(_l("Tahun"), 8), Column(_l("JP dari kursus"), 12),
    Column(_l("JP sesi tatap muka"), 12), Column(_l("JP pelatihan luar"), 12),
    Column(_l("JP total"), 10), Column(_l("JP menunggu persetujuan"), 14),
)




def _hr_cells(row: ledger.HrRow) -> list:
    return [row.nip or "", row.name or "", row.email or "", row.unit or "", row.year, row.jp_course,
            row.jp_session, row.jp_claim, row.jp_total, row.jp_pending]


@bp.route("/jp/hr-export.<any(csv, xlsx):format>")
@access(Role.ADMIN)
def hr_export(format: str):
    """For HR (admins only): per person, the year's JP by source with the full NIP. Each
    export is written to the audit log before a byte is sent."""
    year = _year()
    audit.record(db.session, current_user.id, "jp.hr_export", f"jp:{year}", format=format)
    db.session.commit()
    rows = ledger.hr_rows(reports_session(), year)
    filename = f"jp-kepegawaian-{year}.{format}"
    headers = {"Content-Disposition": f'attachment; filename="{filename}"',
               "Cache-Control": "no-store"}
    lines = (_hr_cells(row) for row in rows)
    if format == "csv":
        return Response(stream_with_context(table_csv(HR_COLUMNS, lines)), mimetype="text/csv",
                        headers=headers)
    return Response(
        file_chunks(table_xlsx(HR_COLUMNS, lines, _("JP %(year)d", year=year))),
        mimetype="application/vnd.openxmlformats-officedocument.spreadsheetml.sheet",
        headers=headers)
