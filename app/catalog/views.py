from flask import current_app, request
from flask_login import current_user

from app.access import SIGNED_IN, access
from app.catalog import bp
from app.extensions import commit_keeping_loaded, db
from app.learn.views import CourseLinks
from app.services import catalog, ledger, progress, reminders
from app.services.assignments import mandatory_state
from app.services.catalog import CatalogSearch
from app.services.courses import visible_course
from app.services.errors import InvalidInput
from app.web import is_navigation, local_calendar, render_page


@bp.route("/")
@access(SIGNED_IN)
def index():
    """The catalog of published courses with the learner's progress, searchable (a GET form)."""
    wanted = CatalogSearch(text=request.args.get("q", "").strip(),
                           tag=request.args.get("tag", "").strip(),
                           level=request.args.get("level", "").strip())
    cards = progress.catalog(db.session, current_user.id)
    today = _today()
    notices = reminders.notices(db.session, current_user.id, today)
    try:
        result = catalog.search(cards, wanted)
    except InvalidInput as exc:
        result = catalog.search(cards, CatalogSearch())
        response = render_page("catalog/index.html", result=result, wanted=wanted, any=bool(cards),
                               search_error=str(exc), cards=[], today=today, notices=notices)
        response.status_code = 400
        return response
    return render_page("catalog/index.html", result=result, wanted=wanted, any=bool(cards),
                       search_error=None, cards=result.cards, today=today, notices=notices)


@bp.route("/me/learning")
@access(SIGNED_IN)
def my_learning():
    """"Pembelajaran saya": the learner's courses with percent done."""
    cards = progress.my_courses(db.session, current_user.id)
    calendar = local_calendar()
    return render_page(
        "catalog/my_learning.html",
        cards=cards,
        today=calendar.today,
        year=calendar.today.year,
        jp=ledger.year_totals(db.session, current_user.id, calendar.today.year),
        target=current_app.config["JP_YEARLY_TARGET"],
        completed=progress.completed_courses(db.session, current_user.id),
        notices=reminders.notices(db.session, current_user.id, calendar.today),
    )


@bp.route("/courses/<slug>/")
@access(SIGNED_IN)
def course(slug: str):
    """The outline; opening it enrols the learner."""
    course = visible_course(db.session, slug, current_user)
    enrolment = progress.enrolment_of(db.session, current_user.id, course.id)
    # Enrol only someone who opened the page: an <img src="/courses/x/"> in a lesson must not.
    if enrolment is None and course.published and is_navigation():
        progress.enrol(db.session, current_user.id, course.id)
        commit_keeping_loaded(db.session)  # the course and the user are shown as they were read
        enrolment = progress.enrolment_of(db.session, current_user.id, course.id)
    modules = progress.outline(db.session, course, current_user.id)
    items = [item for module in modules for item in module.items]
    done = sum(item.done for item in items)
    return render_page(
        "catalog/course.html",
        course=course,
        course_links=CourseLinks(course.slug),
        modules=modules,
        resume=progress.resume_target(modules),
        done=done,
        total=len(items),
        started=any(item.opened for item in items),
        completed_at=enrolment.completed_at if enrolment else None,
        mandatory=mandatory_state(db.session, current_user.id, course.id),
        today=_today(),
    )


def _today():
    return local_calendar().today
