from flask import current_app
from flask_login import current_user

from app.access import SIGNED_IN, access
from app.catalog import bp
from app.extensions import db
from app.services import progress
from app.services.assignments import mandatory_state
from app.services.courses import visible_course
from app.web import local_calendar, render_page


@bp.route("/")
@access(SIGNED_IN)
def index():
    """The catalog of published courses with the learner's progress."""
    cards = progress.catalog(db.session, current_user.id)
    return render_page("catalog/index.html", cards=cards, today=_today())


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
        jp=progress.jp_between(
            db.session, current_user.id, calendar.year_start, calendar.year_end
        ),
        target=current_app.config["JP_YEARLY_TARGET"],
        completed=progress.completed_courses(db.session, current_user.id),
    )


@bp.route("/courses/<slug>/")
@access(SIGNED_IN)
def course(slug: str):
    """The outline; opening it enrols the learner."""
    course = visible_course(db.session, slug, current_user)
    if course.published and progress.ensure_enrolled(db.session, current_user.id, course.id):
        db.session.commit()
    enrolment = progress.enrolment_of(db.session, current_user.id, course.id)
    modules = progress.outline(db.session, course, current_user.id)
    items = [item for module in modules for item in module.items]
    done = sum(item.done for item in items)
    return render_page(
        "catalog/course.html",
        course=course,
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
