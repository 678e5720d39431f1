from flask import abort, current_app, redirect, request, url_for
from flask_login import current_user

from app.access import SIGNED_IN, access
from app.auth.forms import EmptyForm
from app.extensions import db
from app.learn import bp
from app.models import Course
from app.services import progress, quizzes
from app.services.courses import course_media, visible_course, visible_lesson
from app.web import htmx_request_targets_fragment, reads_without_transaction, render_page

LESSON_URL = "/courses/<slug>/<module>/<lesson>"


@bp.route(LESSON_URL)
@access(SIGNED_IN)
def lesson(slug: str, module: str, lesson: str):
    """The reader: stored HTML, previous/next, and the "Selesai & lanjut" control."""
    reads_without_transaction()  # reads, and at most two idempotent inserts
    step = visible_lesson(db.session, slug, f"{module}/{lesson}", current_user)
    here = progress.reading_position(db.session, current_user.id, step)
    if not here.opened and step.course.published:
        progress.record_opening(db.session, current_user.id, step)
        db.session.commit()
    quiz_status = attempts = None
    if step.is_quiz:
        quiz_status = quizzes.status(db.session, current_user.id, step.quiz)
        attempts = quizzes.attempts_of(db.session, current_user.id, step.quiz)
    return render_page(
        "learn/lesson.html",
        lesson=step,
        course=step.course,
        is_done=here.completed,
        previous=here.previous,
        following=here.following,
        done=here.done,
        total=here.total,
        quiz_status=quiz_status,
        attempts=attempts,
    )


@bp.route(LESSON_URL + "/complete", methods=["POST"])
@access(SIGNED_IN)
def complete(slug: str, module: str, lesson: str):
    """Record completion. htmx gets the control back in its done state; a plain form moves on."""
    step = visible_lesson(db.session, slug, f"{module}/{lesson}", current_user)
    if not EmptyForm().validate_on_submit():
        abort(400)
    progress.complete_step(db.session, current_user.id, step)
    db.session.commit()
    here = progress.reading_position(db.session, current_user.id, step)
    if not htmx_request_targets_fragment():
        if here.following is None:
            return redirect(url_for("catalog.course", slug=slug), code=303)
        return redirect(lesson_url(here.following, slug), code=303)
    return render_page(
        "learn/lesson.html",
        "learn/_complete.html",
        lesson=step,
        course=step.course,
        is_done=True,
        following=here.following,
        done=here.done,
        total=here.total,
    )


def lesson_url(step, slug: str | None = None) -> str:
    module, name = step.path.split("/", 1)
    return url_for("learn.lesson", slug=slug or step.course.slug, module=module, lesson=name)


@bp.app_template_global()
def url_for_lesson(step, slug: str) -> str:
    return lesson_url(step, slug)


@bp.app_template_global()
def url_for_course(slug: str) -> str:
    return url_for("catalog.course", slug=slug)


@bp.route("/courses/<slug>/media/<path:name>")
@access(SIGNED_IN)
def media(slug: str, name: str):
    """Course images and attachments; URLs carry ?v=<hash>, so they are cached for a year."""
    course: Course = visible_course(db.session, slug, current_user)
    item = course_media(db.session, course, name)
    response = current_app.response_class(item.data, mimetype=item.content_type)
    response.set_etag(item.sha256)
    if request.args.get("v") == item.sha256[:12]:
        response.cache_control.private = True
        response.cache_control.max_age = current_app.config["STATIC_MAX_AGE"]
        response.cache_control.immutable = True
    else:
        response.cache_control.private = True
        response.cache_control.no_cache = True
    return response.make_conditional(request)
