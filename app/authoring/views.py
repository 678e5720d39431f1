"""The trainer area: courses, uploads and their previews, publishing, analytics, the audit log."""

from dataclasses import dataclass

from flask import current_app, flash, redirect, request, url_for
from flask_babel import format_datetime, get_locale
from flask_babel import gettext as _
from flask_babel import lazy_gettext as _l
from flask_login import current_user
from markupsafe import Markup

from app.access import access
from app.authoring import bp
from app.authoring.forms import OwnerForm, UploadForm
from app.extensions import db
from app.learn.views import LessonAddress, lesson_route
from app.models import CourseUpload, Role
from app.safe_input import page_arg
from app.services import analytics, authoring, uploads
from app.services.audit import audit_actions, audit_page
from app.services.courses import managed_course
from app.services.errors import DomainError, InvalidInput
from app.web import render_page

MANAGE = Role.TRAINER | Role.ADMIN
PREVIEW_URL = "/uploads/<int:upload_id>/preview/"

ACTION_LABELS = {
    "course.import": _l("Impor kursus"),
    "course.publish": _l("Terbitkan kursus"),
    "course.unpublish": _l("Tarik kursus dari peserta"),
    "course.owner": _l("Ganti pemilik kursus"),
    "user.roles": _l("Ubah peran pengguna"),
}
SOURCE_LABELS = {"cli": _l("baris perintah"), "upload": _l("unggahan web")}


# Date, then time as each language writes it (Indonesian separates hours with a dot).
_WHEN = {"id": "d MMM y, HH.mm", "en": "d MMM y, HH:mm"}


def format_when(value) -> str:
    """A timestamp in the user's time zone and language: '23 Nov 2026, 19.51'."""
    return format_datetime(value, _WHEN.get(str(get_locale()), _WHEN["id"])) if value else ""


def audit_label(action: str) -> str:
    """An audit action's name in the reader's language ("course.publish" → "Terbitkan kursus")."""
    return str(ACTION_LABELS.get(action, action))


def version_source(source: str) -> str:
    """Where a course version came from, in words ("upload" → "unggahan web")."""
    return str(SOURCE_LABELS.get(source, source))


@bp.route("/")
@access(MANAGE)
def index():
    """The trainer's courses (every course for an admin), and uploads waiting to go live."""
    board = authoring.dashboard(db.session, current_user)
    return render_page("authoring/index.html", board=board)


@bp.route("/upload", methods=["GET", "POST"])
@access(MANAGE)
def upload():
    """Upload a course .zip: refused, or checked with every problem listed, or staged."""
    form = UploadForm()
    refused = problems = None
    if form.validate_on_submit():
        storage = form.archive.data
        data = storage.read(uploads.MAX_UPLOAD_BYTES + 1)
        try:
            check = authoring.stage_upload(db.session, current_user, storage.filename, data)
        except uploads.ArchiveRefused as exc:
            refused = exc.reasons
        except DomainError as exc:
            refused = [str(exc)]
        else:
            if check.upload is not None:
                db.session.commit()
                flash(_("Arsip lolos pemeriksaan. Lihat pratinjaunya, lalu terbitkan."), "info")
                return redirect(url_for(".upload_detail", upload_id=check.upload.id), code=303)
            problems = check.problems
    # The page comes back with 200 and the problems on it, like every form of Lentera.
    return render_page("authoring/upload.html", form=form, refused=refused, problems=problems)


@bp.route("/uploads/<int:upload_id>")
@access(MANAGE)
def upload_detail(upload_id: int):
    """A staged upload: what publishing it would change, and the buttons to do it."""
    upload = authoring.managed_upload(db.session, upload_id, current_user)
    plan = authoring.plan_upload(db.session, upload)
    return render_page("authoring/upload_detail.html", plan=plan,
                       change_summary=authoring.change_summary)


def _import_upload(upload_id: int, *, publish: bool):
    upload = authoring.managed_upload(db.session, upload_id, current_user)
    try:
        result = authoring.import_upload(db.session, upload, current_user, publish=publish,
                                         confirmed=request.form.get("confirm_archive") == "1")
    except authoring.ArchiveNotConfirmed as exc:
        db.session.rollback()
        flash(str(exc), "error")
        return redirect(url_for(".upload_detail", upload_id=upload_id), code=303)
    db.session.commit()
    counts = authoring.change_summary(result.diff)
    if publish:
        flash(_("%(title)s diterbitkan (%(counts)s).", title=result.course.title, counts=counts),
              "info")
    else:
        flash(_("%(title)s disimpan sebagai draf (%(counts)s). Peserta belum dapat melihatnya.",
                title=result.course.title, counts=counts), "info")
    return redirect(url_for(".course", slug=result.course.slug), code=303)


@bp.route("/uploads/<int:upload_id>/publish", methods=["POST"])
@access(MANAGE)
def publish_upload(upload_id: int):
    """Import the staged version and show it to learners, in one transaction."""
    return _import_upload(upload_id, publish=True)


@bp.route("/uploads/<int:upload_id>/draft", methods=["POST"])
@access(MANAGE)
def draft_upload(upload_id: int):
    """Import the staged version of a course learners cannot see yet, still as a draft."""
    return _import_upload(upload_id, publish=False)


@bp.route("/uploads/<int:upload_id>/discard", methods=["POST"])
@access(MANAGE)
def discard_upload(upload_id: int):
    upload = authoring.managed_upload(db.session, upload_id, current_user)
    authoring.discard_upload(db.session, upload)
    db.session.commit()
    flash(_("Unggahan dibuang. Kursus tidak berubah."), "info")
    return redirect(url_for(".index"), code=303)


@dataclass(frozen=True)
class PreviewLinks:
    """The preview's own links for the learner's templates (`course_links`, as
    learn.views.CourseLinks): its outline and lesson pages, addressed by upload, not slug, so a
    preview stays inside the preview."""

    upload_id: int

    def outline(self) -> str:
        """The staged course's outline."""
        return url_for("authoring.preview_course", upload_id=self.upload_id)

    def lesson(self, step: LessonAddress) -> str:
        """A staged lesson's (or quiz's) page."""
        return url_for("authoring.preview_lesson", upload_id=self.upload_id,
                       **lesson_route(step))


def _preview(upload_id: int) -> tuple[CourseUpload, authoring.Preview, dict]:
    """The staged course, and what its pages need to stay inside the preview: its links and
    the note that says it is one."""
    upload = authoring.managed_upload(db.session, upload_id, current_user)
    preview = authoring.preview_of(authoring.parse_upload(upload))
    # Leaving the preview is a full page load: a boosted one would first re-request the old
    # page's relative image URLs against the new address.
    note = Markup('{} <a href="{}" hx-boost="false">{}</a>').format(
        _("Pratinjau versi yang diunggah: peserta belum melihatnya."),
        url_for(".upload_detail", upload_id=upload.id),
        _("Kembali ke unggahan"),
    )
    return upload, preview, {"course_links": PreviewLinks(upload.id), "preview_note": note}


@bp.route(PREVIEW_URL)
@access(MANAGE)
def preview_course(upload_id: int):
    """The staged course's outline, rendered by the learner's own template."""
    _upload, preview, links = _preview(upload_id)
    return render_page(
        "catalog/course.html",
        course=preview.course,
        modules=preview.modules,
        resume=preview.steps[0] if preview.steps else None,
        done=0,
        total=len(preview.steps),
        started=False,
        **links,
    )


@bp.route(PREVIEW_URL + "<module>/<lesson>")
@access(MANAGE)
def preview_lesson(upload_id: int, module: str, lesson: str):
    """A staged lesson, as the reader will show it once published."""
    _upload, preview, links = _preview(upload_id)
    step = preview.step(f"{module}/{lesson}")
    previous, following = preview.neighbours(step)
    if step.is_quiz:
        links["preview_note"] += Markup(' · <a href="{}">{}</a>').format(
            url_for(".preview_quiz_key", upload_id=upload_id, module=module, lesson=lesson),
            _("Kunci jawaban"))
    return render_page(
        "learn/lesson.html",
        lesson=step,
        course=preview.course,
        is_done=False,
        previous=previous,
        following=following,
        done=0,
        total=len(preview.steps),
        **links,
    )


@bp.route(PREVIEW_URL + "<module>/<lesson>/answers")
@access(MANAGE)
def preview_quiz_key(upload_id: int, module: str, lesson: str):
    """A staged quiz's questions with the right answers and explanations."""
    upload = authoring.managed_upload(db.session, upload_id, current_user)
    key = authoring.staged_quiz_key(authoring.parse_upload(upload), f"{module}/{lesson}")
    back = url_for(".preview_lesson", upload_id=upload.id, module=module, lesson=lesson)
    return render_page("authoring/quiz_key.html", key=key, back=back,
                       crumbs=[(url_for(".upload_detail", upload_id=upload.id),
                                upload.title)])


@bp.route(PREVIEW_URL + "media/<path:name>")
@access(MANAGE)
def preview_media(upload_id: int, name: str):
    """Images and attachments of a staged course, read from its checked archive."""
    upload = authoring.managed_upload(db.session, upload_id, current_user)
    data, content_type = authoring.preview_media(upload, name)
    response = current_app.response_class(data, mimetype=content_type)
    response.cache_control.private = True
    response.cache_control.no_cache = True
    return response


@bp.route("/courses/<slug>")
@access(MANAGE)
def course(slug: str):
    """One course as its trainer manages it: state, owner, pending upload, version history."""
    page = authoring.course_page(db.session, slug, current_user)
    owner_form = OwnerForm() if current_user.has_role(Role.ADMIN) else None
    return render_page("authoring/course.html", page=page, owner_form=owner_form)


def _set_published(slug: str, published: bool):
    course = managed_course(db.session, slug, current_user)
    if authoring.set_published(db.session, course, current_user, published):
        db.session.commit()
        if published:
            flash(_("%(title)s diterbitkan: peserta dapat melihatnya di katalog.",
                    title=course.title), "info")
        else:
            flash(_("%(title)s ditarik: peserta tidak dapat membukanya lagi. Kemajuan mereka "
                    "tetap tersimpan.", title=course.title), "info")
    return redirect(url_for(".course", slug=slug), code=303)


@bp.route("/courses/<slug>/publish", methods=["POST"])
@access(MANAGE)
def publish_course(slug: str):
    return _set_published(slug, True)


@bp.route("/courses/<slug>/unpublish", methods=["POST"])
@access(MANAGE)
def unpublish_course(slug: str):
    return _set_published(slug, False)


@bp.route("/courses/<slug>/owner", methods=["POST"])
@access(Role.ADMIN)
def assign_owner(slug: str):
    """An admin gives the course to a trainer."""
    course = managed_course(db.session, slug, current_user)
    form = OwnerForm()
    if form.validate_on_submit():
        try:
            owner = authoring.assign_owner(db.session, course, current_user,
                                           form.email.data or "")  # DataRequired: given
        except InvalidInput as exc:
            form.email.errors = [*form.email.errors, str(exc)]
        else:
            db.session.commit()
            flash(_("%(name)s sekarang pemilik kursus ini.", name=owner.name), "info")
            return redirect(url_for(".course", slug=slug), code=303)
    page = authoring.course_page(db.session, slug, current_user)
    return render_page("authoring/course.html", page=page, owner_form=form)


@bp.route("/courses/<slug>/quizzes/<module>/<lesson>")
@access(MANAGE)
def quiz_key(slug: str, module: str, lesson: str):
    """An imported quiz's questions with the right answers and explanations, for the course's
    trainers and admins (correct answers never reach learners before grading)."""
    course = managed_course(db.session, slug, current_user)
    key = authoring.quiz_key(db.session, course, f"{module}/{lesson}")
    back = url_for("learn.lesson", slug=slug, module=module, lesson=lesson)
    return render_page("authoring/quiz_key.html", key=key, back=back,
                       crumbs=[(url_for(".course", slug=slug), course.title)])


@bp.route("/courses/<slug>/analytics")
@access(MANAGE)
def course_analytics(slug: str):
    """Enrolled, started, completed, the drop-off per lesson, the median time to finish."""
    course = managed_course(db.session, slug, current_user)
    stats = analytics.course_analytics(db.session, course)
    return render_page("authoring/analytics.html", course=course, stats=stats)


@bp.route("/audit")
@access(Role.ADMIN)
def audit():
    """The audit log, newest first, for admins."""
    names = audit_actions(db.session)
    actions = [(name, audit_label(name)) for name in names]
    action = request.args.get("action") or None
    if action is not None and action not in names:
        # Say so rather than quietly showing every entry as if the filter had applied.
        response = render_page("authoring/audit.html", page=None, actions=actions, action=action,
                               filter_error=_("Tindakan “%(action)s” tidak ada di log "
                                              "audit.", action=action[:100]))
        response.status_code = 400
        return response
    page = audit_page(db.session, action=action, page=page_arg())
    return render_page("authoring/audit.html", page=page, actions=actions, action=action,
                       filter_error=None)
