"""Courses, lessons and the caller's progress: the learner's side of the API."""

from __future__ import annotations

from flask import current_app

from app.access import SIGNED_IN, access
from app.api import bp
from app.api.auth import caller, token_required
from app.api.idempotency import idempotent
from app.api.schemas import (
    Completion,
    CompletionRequest,
    CourseOutline,
    CoursePage,
    Enrolled,
    ErrorSchema,
    LessonDetail,
    MyProgress,
    PageArgs,
)
from app.extensions import db
from app.learn.views import url_for_lesson
from app.services import progress
from app.services.content.links import absolute_links
from app.services.courses import visible_course, visible_lesson_by_id
from app.services.paging import page_of
from app.web import local_calendar

NOT_FOUND = "No such course or lesson, or not one the caller may see."


def lesson_page_url(lesson) -> str:
    return url_for_lesson(lesson, _external=True)


@bp.route("/courses")
@access(SIGNED_IN)
@token_required
@bp.arguments(PageArgs, location="query")
@bp.response(200, CoursePage)
def list_courses(args):
    """Published courses

    Each with its JP, lesson count and the caller's percent done, by title; paged.
    """
    cards = progress.catalog(db.session, caller().id)
    page = page_of(cards, args["page"], args["per_page"])
    return {
        "items": [
            {"slug": c.course.slug, "title": c.course.title, "summary": c.course.summary,
             "jp": c.course.jp, "lesson_count": c.total, "percent": c.percent,
             "enrolled": c.enrolled, "due_on": c.due_on}
            for c in page.items
        ],
        "page": page.number, "per_page": page.size, "total": page.total,
    }


@bp.route("/courses/<slug>")
@access(SIGNED_IN)
@token_required
@bp.response(200, CourseOutline)
@bp.alt_response(404, schema=ErrorSchema,
                 description=NOT_FOUND)
def course_outline(slug: str):
    """A course's outline

    Modules → lessons and quizzes with ids, titles, minutes and the caller's status. An
    unpublished course is seen only by its trainer and admins (as on the web).
    """
    user = caller()
    course = visible_course(db.session, slug, user)
    modules = progress.outline(db.session, course, user.id)
    enrolment = progress.enrolment_of(db.session, user.id, course.id)
    items = [item for module in modules for item in module.items]
    done = sum(item.done for item in items)
    return {
        "slug": course.slug, "title": course.title, "summary": course.summary,
        "jp": course.jp, "version": course.version, "published": course.published,
        "enrolled": enrolment is not None,
        "completed_at": enrolment.completed_at if enrolment else None,
        "percent": int(100 * done / len(items)) if items else 0,
        "modules": [
            {"title": m.module.title, "items": [
                {"id": i.lesson.id, "kind": i.lesson.kind, "title": i.lesson.title,
                 "minutes": i.lesson.minutes,
                 "status": "done" if i.done else "opened" if i.opened else "not_started"}
                for i in m.items]}
            for m in modules
        ],
    }


@bp.route("/courses/<slug>/enrol", methods=["POST"])
@access(SIGNED_IN)
@token_required
@idempotent
@bp.response(200, Enrolled)
@bp.alt_response(404, schema=ErrorSchema,
                 description=NOT_FOUND)
@bp.alt_response(409, schema=ErrorSchema,
                 description="An unpublished course (a preview) records nothing.")
def enrol(slug: str):
    """Enrol the caller

    Enrolling again changes nothing and answers the same.
    """
    user = caller()
    course = visible_course(db.session, slug, user)
    enrolment = progress.enrol_in(db.session, user.id, course)
    return {"slug": course.slug, "enrolled_at": enrolment.enrolled_at,
            "completed_at": enrolment.completed_at}


@bp.route("/lessons/<int:lesson_id>")
@access(SIGNED_IN)
@token_required
@bp.response(200, LessonDetail)
@bp.alt_response(404, schema=ErrorSchema,
                 description=NOT_FOUND)
def lesson(lesson_id: int):
    """A lesson

    Its sanitised HTML with absolute media and lesson links, and the previous and next step's
    ids. Opening a lesson of a published course records that the caller reached it (as the
    web reader does). A quiz step's questions are at GET /quizzes/{id}.
    """
    user = caller()
    step = visible_lesson_by_id(db.session, lesson_id, user)
    here = progress.reading_position(db.session, user.id, step)
    if not here.opened and step.course.published:
        progress.record_opening(db.session, user.id, step)
        db.session.commit()
    page_url = lesson_page_url(step)
    return {
        "id": step.id, "course": step.course.slug, "kind": step.kind, "title": step.title,
        "minutes": step.minutes, "html": absolute_links(step.body_html, page_url),
        "url": page_url,
        "previous_id": here.previous.id if here.previous else None,
        "next_id": here.following.id if here.following else None,
        "done": here.completed,
    }


@bp.route("/lessons/<int:lesson_id>/complete", methods=["POST"])
@access(SIGNED_IN)
@token_required
@idempotent
@bp.arguments(CompletionRequest, required=False)
@bp.response(200, Completion)
@bp.alt_response(404, schema=ErrorSchema,
                 description=NOT_FOUND)
@bp.alt_response(409, schema=ErrorSchema,
                 description="A quiz completes by being passed; a preview records "
                 "nothing (code `not_recordable`).")
def complete_lesson(body, lesson_id: int):
    """Mark a lesson done

    Completing it again changes nothing. When it was the course's last step, the course is
    completed (its JP credited, its certificate issued). A completion made offline sends
    `completed_at`, the phone's time: kept beside the server's, never later than the server's
    clock nor earlier than the enrolment, and the course's JP go to that time's year.
    """
    user = caller()
    step = visible_lesson_by_id(db.session, lesson_id, user)
    progress.complete_step(db.session, user.id, step, (body or {}).get("completed_at"))
    here = progress.reading_position(db.session, user.id, step)
    enrolment = progress.enrolment_of(db.session, user.id, step.course_id)
    return {
        "lesson_id": step.id, "done": here.done, "total": here.total,
        "course_completed_at": enrolment.completed_at if enrolment else None,
        "next_id": here.following.id if here.following else None,
    }


@bp.route("/me/progress")
@access(SIGNED_IN)
@token_required
@bp.response(200, MyProgress)
def my_progress():
    """The caller's progress

    Per course enrolled in or mandatory: percent, status, completion time, due date; and the
    JP credited this year (local calendar year) against the yearly target.
    """
    user = caller()
    calendar = local_calendar()
    cards = progress.enrolled_courses(db.session, user.id)
    return {
        "courses": [
            {"slug": c.course.slug, "title": c.course.title, "percent": c.percent,
             "status": c.status(calendar.today), "completed_at": c.completed_at,
             "due_on": c.due_on}
            for c in cards
        ],
        "year": calendar.today.year,
        "jp_this_year": progress.jp_between(db.session, user.id, calendar.year_start,
                                            calendar.year_end),
        "jp_target": current_app.config["JP_YEARLY_TARGET"],
    }
