from dataclasses import dataclass
from typing import Any, Protocol

from flask import (
    Response,
    current_app,
    flash,
    g,
    redirect,
    render_template,
    request,
    session,
    url_for,
)
from flask_babel import format_date, get_locale
from flask_babel import gettext as _
from flask_login import current_user
from markupsafe import Markup, escape

from app.access import SIGNED_IN, access
from app.extensions import (
    SIGN_IN_READS,
    UNLIMITED_ENDPOINTS,
    commit_keeping_loaded,
    db,
    redis_client,
)
from app.learn import bp
from app.models import Course, Lesson, Role, User
from app.safe_input import clean_text
from app.services import progress, quizzes, user_cache
from app.services.content.loader import NUMBERED
from app.services.courses import (
    can_manage,
    course_media,
    managed_course,
    visible_course,
    visible_lesson,
)
from app.services.errors import NotFound
from app.services.printable import printable_course
from app.services.sessions import session_key, session_user
from app.web import (
    cached_fragment,
    cached_page,
    hole,
    htmx_request_targets_fragment,
    is_navigation,
    local_calendar,
    reads_without_transaction,
    render_page,
    signed_csrf_token,
    user_partition,
)

LESSON_URL = "/courses/<slug>/<module>/<lesson>"


@bp.route(LESSON_URL)
@access(SIGNED_IN)
def lesson(slug: str, module: str, lesson: str):
    """The reader: stored HTML, previous/next, and the "Selesai & lanjut" control."""
    # The page the sign-in's own query found (_sign_in_and_read), when it ran on this request
    # and the page is a published reading lesson asked for whole.
    page: progress.ReaderPage | None = g.pop(_READING, None)
    if page is not None:
        return _reading_lesson(page)
    reads_without_transaction()  # reads, and at most two idempotent inserts
    # Quizzes, previews of unpublished courses, old URLs and lessons that do not exist.
    try:
        step = visible_lesson(db.session, slug, f"{module}/{lesson}", current_user)
    except NotFound:
        # Before lesson identities, URLs carried the NN- prefixes: bookmarks and links stored
        # in lessons imported then still lead to the lesson.
        old_module, old_lesson = NUMBERED.fullmatch(module), NUMBERED.fullmatch(lesson)
        if old_module is None or old_lesson is None:
            raise
        return redirect(url_for(".lesson", slug=slug, module=old_module.group(2),
                                lesson=old_lesson.group(2)), code=301)
    here = progress.reading_position(db.session, current_user.id, step)
    if step.course.published:
        _record_first_opening(here, step)
    quiz_status = attempts = None
    # is_quiz first: a plain lesson's page must not query for a quiz it has not got.
    if step.is_quiz and step.quiz is not None:
        quiz_status = quizzes.status(db.session, current_user.id, step.quiz)
        attempts = quizzes.attempts_of(db.session, current_user.id, step.quiz)
    return render_page(
        "learn/lesson.html",
        lesson=step,
        course=step.course,
        course_links=CourseLinks(slug),
        is_done=here.completed,
        previous=here.previous,
        following=here.following,
        done=here.done,
        total=here.total,
        quiz_status=quiz_status,
        attempts=attempts,
    )


_READING = "lentera_reading"  # on g: the page found by the user loader's query, for the view


def _sign_in_and_read(ref: str) -> User | None:
    """Flask-Login's user loader on the lesson page (extensions.SIGN_IN_READS): the session
    check, the user's row and the page in one query (progress.reader_page), so a lesson page
    is one round trip to the database and none to Redis. The same rules as every other page
    (services/sessions.session_user): None for an ended session or a malformed reference.
    A published reading lesson asked for whole waits on `g` for the view (_reading_lesson),
    and its user is in no database session (user_cache.detached): that page reads only the
    user's columns. Anything else takes the view's general path with the user attached.
    Raises only what the database raises.

    Flask-Login may also ask here for a request the view never saw: the error page of a URL
    the input guard refused (safe_input) reads current_user too. Arguments the guard refuses
    (a NUL, which PostgreSQL cannot take as text) then get the ordinary check, not the
    page's query."""
    key = session_key(ref)
    args = request.view_args or {}
    if key is None:
        return None
    names = ("slug", "module", "lesson")
    if not all(isinstance(args.get(n), str) and clean_text(args[n]) for n in names):
        return session_user(db.session, ref, redis_client())
    reading = progress.reader_page(db.session, args["slug"],
                                   f"{args['module']}/{args['lesson']}", key)
    if reading is None:
        return None
    if reading.page is not None and not htmx_request_targets_fragment():
        user = user_cache.detached(reading.user)
        setattr(g, _READING, reading.page)
    else:
        user = user_cache.attach(db.session, reading.user)
    user.session_ref = ref
    return user


SIGN_IN_READS[f"{bp.name}.lesson"] = _sign_in_and_read
UNLIMITED_ENDPOINTS.add(f"{bp.name}.lesson")  # reading has no rate limit


def _record_first_opening(here: progress.Position,
                          lesson: Lesson | progress.ReaderLesson) -> None:
    """Record the reader's first opening of a lesson of a published course. Only a page the
    reader opened: an <img src> on some page must not record a visit, nor a course download
    fetching every lesson (X-Lentera-Prefetch)."""
    if not here.opened and is_navigation() and "X-Lentera-Prefetch" not in request.headers:
        progress.record_opening(db.session, current_user.id, lesson)
        db.session.commit()


@dataclass(frozen=True)
class _Placeholders:
    """Stands in for the signed-in user and the request while a lesson page is rendered for
    the cache: their values are holes (web.hole), filled for each request."""

    name: Markup
    is_authenticated: bool = True


def _reading_lesson(page: progress.ReaderPage) -> Response:
    """A reading lesson of a published course: one query (progress.reader_page) and a page
    rendered once per lesson version, locale, roles and done-or-not (web.cached_page), with
    this learner's progress, name, CSRF token and messages filled in. The learner's state is
    read on every request and never cached (docs/performance.md)."""
    here = page.position
    _record_first_opening(here, page.lesson)
    context = dict(lesson=page.lesson, course=page.course, previous=here.previous,
                   following=here.following, course_links=CourseLinks(page.course.slug))

    def render() -> str:
        placeholders = _Placeholders(name=hole("name"))
        return render_template(
            "learn/lesson.html", **context, is_done=here.completed,
            progress_html=hole("progress"), flashes_html=hole("flashes"),
            csrf_token=lambda: hole("csrf"), user_partition=lambda: hole("partition"),
            return_path=lambda: hole("path"), current_user=placeholders, request=placeholders)

    values = {
        "csrf": signed_csrf_token(),
        "name": str(escape(current_user.name)),
        "partition": user_partition() or "",
        # The path without its query string: the kept page then shows nothing of the request
        # that a third party could choose, beside a CSRF token signed once per session (BREACH,
        # app/compression.py). Only a live lesson's path reaches here.
        "path": str(escape(request.path)),
        "progress": cached_fragment("learn/_progress.html", done=here.done, total=here.total),
        "flashes": render_template("components/_flashes.html") if "_flashes" in session else "",
    }
    key = ("lesson", page.lesson.id, page.lesson.content_hash, page.course.content_hash,
           str(get_locale()), int(current_user.roles), here.previous, here.following,
           here.completed)
    response = current_app.make_response(cached_page(key, render, values))
    response.vary.add("HX-Request")
    return response


@bp.route(LESSON_URL + "/complete", methods=["POST"])
@access(SIGNED_IN)
def complete(slug: str, module: str, lesson: str):
    """Record completion. htmx gets the control back in its done state; a plain form moves on."""
    step = visible_lesson(db.session, slug, f"{module}/{lesson}", current_user)
    progress.complete_step(db.session, current_user.id, step)
    commit_keeping_loaded(db.session)
    here = progress.reading_position(db.session, current_user.id, step)
    if not htmx_request_targets_fragment():
        flash(_("✓ %(title)s selesai.", title=step.title), "info")
        if here.following is None:
            return redirect(url_for("catalog.course", slug=slug), code=303)
        return redirect(url_for_lesson(here.following, slug), code=303)
    return render_page(
        "learn/lesson.html",
        "learn/_complete.html",
        lesson=step,
        course=step.course,
        course_links=CourseLinks(slug),
        is_done=True,
        following=here.following,
        done=here.done,
        total=here.total,
    )


class LessonAddress(Protocol):
    """Whatever knows a lesson's path, "module/lesson": a Lesson, or a row with a path."""

    @property
    def path(self) -> str: ...


def lesson_route(step: LessonAddress) -> dict[str, Any]:
    """The <module> and <lesson> parts of a lesson's URLs, from its path "module/lesson"."""
    module, name = step.path.split("/", 1)
    return {"module": module, "lesson": name}


def url_for_lesson(step: LessonAddress, slug: str | None = None, endpoint: str = "learn.lesson",
                   **values: Any) -> str:
    """The URL of a lesson's page, or of another endpoint addressed by course, module and
    lesson ("learn.complete", "quiz.start", "authoring.quiz_key"). `slug` is the course's
    (default: the lesson's own course); `values` go to url_for (e.g. _external=True).

    Raises TypeError when no slug is given and `step` is not a Lesson (a row has no course).
    """
    if slug is None:
        if not isinstance(step, Lesson):
            raise TypeError("url_for_lesson needs the course's slug for a lesson row")
        slug = step.course.slug
    return url_for(endpoint, slug=slug, **lesson_route(step), **values)


@dataclass(frozen=True)
class CourseLinks:
    """Where the outline and lesson pages link (`course_links` in their templates): the
    learner's pages of the course. The trainer's preview of an upload renders the same
    templates with its own links (authoring.views.PreviewLinks)."""

    slug: str

    def outline(self) -> str:
        """The course's outline page."""
        return url_for("catalog.course", slug=self.slug)

    def lesson(self, step: LessonAddress) -> str:
        """A lesson's (or quiz's) page."""
        return url_for_lesson(step, self.slug)


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


def _printable(slug: str, *, with_answers: bool):
    course = (managed_course if with_answers else visible_course)(db.session, slug, current_user)
    return printable_course(db.session, course, with_answers=with_answers,
                            lesson_url=url_for_lesson)


def _print_page(slug: str, with_answers: bool):
    printable = _printable(slug, with_answers=with_answers)
    return render_page(
        "learn/print.html", printable=printable, course=printable.course,
        can_print_key=can_manage(current_user, printable.course),
        institution=current_app.config["INSTITUTION_NAME"], today=local_calendar().today,
    )


def _print_pdf(slug: str, with_answers: bool):
    # Drawing the booklet needs reportlab: imported here, so starting the app does not load it.
    from app.services.printing import cached_booklet_pdf

    printable = _printable(slug, with_answers=with_answers)
    pdf, etag = cached_booklet_pdf(
        db.session, printable, institution=current_app.config["INSTITUTION_NAME"],
        printed_on=format_date(local_calendar().today, format="long"),
        variant=f"{request.host_url}|{get_locale()}",
    )
    response = current_app.response_class(pdf, mimetype="application/pdf")
    name = f"{slug}-kunci-jawaban.pdf" if with_answers else f"{slug}.pdf"
    response.headers["Content-Disposition"] = f'inline; filename="{name}"'
    response.set_etag(etag)
    response.cache_control.private = True
    response.cache_control.no_cache = True
    return response.make_conditional(request)


@bp.route("/courses/<slug>/print")
@access(SIGNED_IN)
def print_course(slug: str):
    """"Cetak kursus": the whole course in order as one page to print; questions without answers."""
    return _print_page(slug, with_answers=False)


@bp.route("/courses/<slug>/print.pdf")
@access(SIGNED_IN)
def print_course_pdf(slug: str):
    """The same as a PDF booklet with a cover, for a print shop or a service counter."""
    return _print_pdf(slug, with_answers=False)


@bp.route("/courses/<slug>/print/answer-key")
@access(Role.TRAINER | Role.ADMIN)
def print_answer_key(slug: str):
    """The course's trainer's (and admins') copy: every question with its answers."""
    return _print_page(slug, with_answers=True)


@bp.route("/courses/<slug>/print/answer-key.pdf")
@access(Role.TRAINER | Role.ADMIN)
def print_answer_key_pdf(slug: str):
    return _print_pdf(slug, with_answers=True)
