from collections.abc import Callable

import segno
from flask import flash, redirect, request, url_for
from flask_babel import gettext as _
from flask_login import current_user

from app.access import SIGNED_IN, access
from app.classroom import bp
from app.classroom.forms import CheckInForm, CsvForm, ListForm, SessionForm
from app.extensions import db, limiter
from app.models import Role
from app.services import classroom
from app.services.classroom import AttendanceRefused
from app.services.errors import DomainError
from app.services.nip import mask_nip
from app.web import local_calendar, render_page

TRAINERS = Role.TRAINER | Role.ADMIN
MAX_CSV_BYTES = 2 * 1024 * 1024


def _course_choices():
    return [("", _("— tidak ada —"))] + [
        (str(cid), title) for cid, title in classroom.course_choices(db.session)]


@bp.route("/classroom/")
@access(TRAINERS)
def index():
    """The trainer's face-to-face sessions."""
    return render_page("classroom/index.html",
                       sessions=classroom.sessions_of(db.session, current_user))


@bp.route("/classroom/new", methods=["GET", "POST"])
@access(TRAINERS)
def new():
    """Create a session: title, date, place, JP, and optionally the course it teaches."""
    form = SessionForm()
    form.course_id.choices = _course_choices()
    if request.method == "GET":
        form.held_on.data = local_calendar().today
    error = None
    if form.validate_on_submit():
        course_id = form.course_id.data
        try:
            created = classroom.create_session(
                db.session, current_user, title=form.title.data, held_on=form.held_on.data,
                place=form.place.data, jp=form.jp.data,
                course_id=int(course_id) if course_id and course_id.isdigit() else None)
        except DomainError as exc:
            db.session.rollback()
            error = str(exc) or _("Kursus tidak ditemukan.")
        else:
            db.session.commit()
            return redirect(url_for(".detail", session_id=created.id), code=303)
    return render_page("classroom/new.html", form=form, error=error)


def _detail(class_session, *, problems=None, list_form=None, csv_form=None, status=200):
    check_in_url = url_for(".check_in", code=class_session.code, _external=True)
    response = render_page(
        "classroom/detail.html", s=class_session, check_in_url=check_in_url,
        qr_svg=classroom_qr(check_in_url) if class_session.checkin_open else None,
        attendees=classroom.attendees(db.session, class_session),
        list_form=list_form or ListForm(), csv_form=csv_form or CsvForm(),
        problems=problems, mask_nip=mask_nip)
    response.status_code = status
    return response


def classroom_qr(url: str) -> str:
    """The check-in link as an inline SVG QR code (no image request, no script)."""
    return segno.make(url, error="m").svg_inline(border=2, dark="#000", light="#fff", omitsize=True,
                                                  title=_("Kode QR presensi"))


@bp.route("/classroom/<int:session_id>")
@access(TRAINERS)
def detail(session_id: int):
    """A session: its check-in code and QR code while open, attendance, the ways to record it."""
    return _detail(classroom.managed_session(db.session, current_user, session_id))


@bp.route("/classroom/<int:session_id>/checkin", methods=["POST"])
@access(TRAINERS)
def toggle_checkin(session_id: int):
    """Open or close check-in by code."""
    class_session = classroom.managed_session(db.session, current_user, session_id)
    classroom.set_checkin(class_session, request.form.get("open") == "1")
    db.session.commit()
    return redirect(url_for(".detail", session_id=session_id), code=303)


def _record(class_session, record: Callable[[], int], **used_form: ListForm | CsvForm):
    """Record attendance with `record`, which returns how many people are newly present: commit,
    say how many and go back to the session; if refused, roll back and show the problems beside
    the form that was used (list_form= or csv_form=)."""
    try:
        new = record()
    except AttendanceRefused as exc:
        db.session.rollback()
        return _detail(class_session, problems=exc.problems, **used_form)
    db.session.commit()
    flash(_("%(n)d peserta baru tercatat hadir.", n=new), "info")
    return redirect(url_for(".detail", session_id=class_session.id), code=303)


@bp.route("/classroom/<int:session_id>/attendance", methods=["POST"])
@access(TRAINERS)
def attendance_list(session_id: int):
    """Record attendance from NIPs or emails typed or pasted, one per line."""
    class_session = classroom.managed_session(db.session, current_user, session_id)
    form = ListForm()
    if form.validate_on_submit():
        return _record(class_session, lambda: classroom.attend_by_list(
            db.session, class_session, form.people.data or "", current_user.id), list_form=form)
    return _detail(class_session, list_form=form)


@bp.route("/classroom/<int:session_id>/attendance.csv", methods=["POST"])
@access(TRAINERS)
def attendance_csv(session_id: int):
    """Record attendance from a CSV file; any bad row refuses the whole file."""
    class_session = classroom.managed_session(db.session, current_user, session_id)
    form = CsvForm()
    if form.validate_on_submit():
        storage = form.file.data
        data = storage.read(MAX_CSV_BYTES + 1)
        if len(data) > MAX_CSV_BYTES:
            return _detail(class_session, csv_form=form,
                           problems=[_("Berkas CSV lebih dari 2 MB.")])
        return _record(class_session, lambda: classroom.attend_by_csv(
            db.session, class_session, storage.filename, data, current_user.id), csv_form=form)
    return _detail(class_session, csv_form=form)


@bp.route("/classroom/<int:session_id>/attendance/<int:user_id>/delete", methods=["POST"])
@access(TRAINERS)
def remove_attendance(session_id: int, user_id: int):
    """Take a wrongly recorded person off the list, with the session's JP."""
    class_session = classroom.managed_session(db.session, current_user, session_id)
    classroom.remove_attendance(db.session, class_session, user_id, current_user.id)
    db.session.commit()
    flash(_("Peserta dihapus dari daftar hadir; JP sesi ini untuknya dibatalkan."), "info")
    return redirect(url_for(".detail", session_id=session_id), code=303)


@bp.route("/check-in", methods=["GET", "POST"])
@access(SIGNED_IN)
@limiter.limit("20 per minute; 200 per hour", methods=["POST"])
def check_in():
    """The learner types the session's code (or opens the QR code's link) and is present."""
    form = CheckInForm()
    if request.method == "GET" and request.args.get("code"):
        form.code.data = classroom.normalize_code(request.args["code"])[:20]
    error = None
    if form.validate_on_submit():
        try:
            class_session, new = classroom.check_in(db.session, current_user, form.code.data)
        except DomainError as exc:
            db.session.rollback()
            error = str(exc)
        else:
            db.session.commit()
            return render_page("classroom/checked_in.html", s=class_session, new=new)
    return render_page("classroom/check_in.html", form=form, error=error)
