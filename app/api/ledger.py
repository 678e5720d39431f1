"""The caller's JP ledger and outside-training claims (PRODUCT §5, §8)."""

from __future__ import annotations

from flask import current_app
from flask_smorest import Blueprint
from webargs.multidictproxy import MultiDictProxy

from app.access import SIGNED_IN, access
from app.api import JsonParser, bp
from app.api.auth import caller, token_required
from app.api.schemas import ClaimOut, ClaimUpload, ErrorSchema, JpYearArgs, MyJp
from app.extensions import db
from app.services import claims, ledger
from app.services.claims import MAX_PROOF_BYTES
from app.web import local_calendar

# One multipart body holds the text fields and the proof file, validated by one schema and
# documented as one multipart/form-data requestBody (webargs reads "form" and "files" apart,
# and two arguments would make OpenAPI show two bodies, one hiding the other).
FORM_AND_FILES = "form_and_files"


class _Parser(JsonParser):
    __location_map__ = dict(form_and_files="load_form_and_files", **JsonParser.__location_map__)

    def load_form_and_files(self, req, schema):
        values = req.form.copy()
        values.update(req.files)
        return MultiDictProxy(values, schema)


# Instance attributes: the other endpoints keep flask-smorest's parser and mapping untouched.
bp.ARGUMENTS_PARSER = _Parser()
bp.DEFAULT_LOCATION_CONTENT_TYPE_MAPPING = {
    **Blueprint.DEFAULT_LOCATION_CONTENT_TYPE_MAPPING, FORM_AND_FILES: "multipart/form-data"}


def _totals(totals: ledger.JpTotals) -> dict:
    return {"course": totals.course, "session": totals.session, "claim": totals.claim,
            "total": totals.total, "pending": totals.pending}


def _entry(entry) -> dict:
    return {"id": entry.id, "source": entry.source, "ref_id": entry.ref_id,
            "title": entry.title, "jp": entry.hours, "date": entry.on_date,
            "status": entry.status, "decided_at": entry.decided_at, "reason": entry.reason}


@bp.route("/me/jp")
@access(SIGNED_IN)
@token_required
@bp.arguments(JpYearArgs, location="query")
@bp.response(200, MyJp)
def my_jp(args):
    """The caller's JP ledger for a year

    Every entry of the year (default: this year in Asia/Jakarta) with its source (`course`: a
    completed Lentera course, `session`: a face-to-face session, `claim`: outside training),
    JP, day and status (`credited`, `pending`, `rejected`, with the decision's time and
    reason); the credited totals by source and the pending JP, which do not count towards
    the target until approved.
    """
    user = caller()
    year = args.get("year") or local_calendar().today.year
    return {
        "year": year, "target": current_app.config["JP_YEARLY_TARGET"],
        "totals": _totals(ledger.year_totals(db.session, user.id, year)),
        "entries": [_entry(e) for e in ledger.entries(db.session, user.id, year)],
    }


@bp.route("/me/jp/claims", methods=["POST"])
@access(SIGNED_IN)
@token_required
@bp.arguments(ClaimUpload, location=FORM_AND_FILES, content_type="multipart/form-data")
@bp.response(201, ClaimOut)
@bp.alt_response(422, schema=ErrorSchema, description=(
    "A missing or invalid field, dates in the wrong order or in the future, JP out of range, "
    "or a proof that is not a PDF, JPEG or PNG of at most 5 MB (judged by its content)."))
@bp.alt_response(413, schema=ErrorSchema, description="A body over the upload limit.")
def file_claim(form):
    """Declare outside training

    A multipart form: title, organiser, starts_on, ends_on, jp and the proof file (PDF, JPEG
    or PNG, at most 5 MB). The claim is pending until a supervisor of the caller's unit (or an
    admin) approves it; only then its JP count.
    """
    user = caller()
    proof = form["proof"].read(MAX_PROOF_BYTES + 1)
    claim = claims.file_claim(
        db.session, user, title=form["title"], organiser=form["organiser"],
        starts_on=form["starts_on"], ends_on=form["ends_on"], hours=repr(form["jp"]), proof=proof,
        today=local_calendar().today)
    db.session.commit()
    return {"id": claim.id, "title": claim.title, "organiser": claim.organiser,
            "starts_on": claim.starts_on, "ends_on": claim.ends_on, "jp": claim.hours,
            "status": ledger.PENDING}
