from typing import Any

from flask import abort, redirect, request, url_for
from flask_login import current_user

from app.access import SIGNED_IN, access
from app.extensions import commit_keeping_loaded, db
from app.learn.views import LESSON_URL, url_for_lesson
from app.models import Role
from app.quiz import bp
from app.services import progress, quizzes
from app.services.courses import managed_course, visible_lesson
from app.services.grading import Answer, Snapshot
from app.web import render_page

MAX_ANSWER_LENGTH = quizzes.MAX_ANSWER_LENGTH


@bp.route(LESSON_URL + "/attempts", methods=["POST"])
@access(SIGNED_IN)
def start(slug: str, module: str, lesson: str):
    """Start (or resume) an attempt, then show it at its own URL."""
    step = visible_lesson(db.session, slug, f"{module}/{lesson}", current_user)
    if not step.is_quiz:
        abort(404)
    attempt = quizzes.begin_attempt(db.session, current_user.id, step)
    commit_keeping_loaded(db.session)  # the redirect needs only the attempt's id
    return redirect(url_for("quiz.attempt", attempt_id=attempt.id), code=303)


def _unanswered(answers: dict) -> int:
    """How many questions were left empty (a blank text or no option picked)."""
    return sum(1 for given in answers.values()
               if not (given.strip() if isinstance(given, str) else given))


def _answers_from(form, snapshot: Snapshot) -> dict[str, Answer]:
    """The answers in the form: each question's field is named q<id>."""
    answers: dict[str, Answer] = {}
    for question in snapshot.questions:
        field = f"q{question.id}"
        if question.is_short:
            answers[question.key] = form.get(field, "")[:MAX_ANSWER_LENGTH]
        else:
            answers[question.key] = form.getlist(field)
    return answers


@bp.route("/attempts/<int:attempt_id>", methods=["GET", "POST"])
@access(SIGNED_IN)
def attempt(attempt_id: int):
    """The questions of an attempt in progress, or its graded result."""
    attempt = quizzes.get_attempt(db.session, attempt_id, current_user.id)
    step = quizzes.quiz_step_of(db.session, attempt)
    quiz = step.quiz
    assert quiz is not None  # the attempt's quiz row exists: a foreign key holds it
    snapshot = quizzes.snapshot_of(attempt)
    if request.method == "POST":
        answers = _answers_from(request.form, snapshot)
        empty = _unanswered(answers)
        if (empty and request.form.get("confirm") != "1" and attempt.submitted_at is None
                and not quizzes.is_expired(attempt)):
            # Ask first, on the server, so it works without JavaScript: the answers stay filled.
            status = quizzes.status(db.session, current_user.id, quiz)
            return render_page("quiz/attempt.html", attempt=attempt, lesson=step,
                               course=step.course, status=status, lesson_url=url_for_lesson(step),
                               questions=snapshot.questions, given=answers, unanswered=empty)
        quizzes.submit_attempt(db.session, attempt, answers)
        commit_keeping_loaded(db.session)  # the redirect needs only the attempt's id
        return redirect(url_for("quiz.attempt", attempt_id=attempt.id), code=303)
    if attempt.submitted_at is None and step.course.published and quizzes.is_expired(attempt):
        quizzes.submit_attempt(db.session, attempt, {})  # graded on the answers saved in time
        db.session.commit()
    status = quizzes.status(db.session, current_user.id, quiz)
    context: dict[str, Any] = dict(attempt=attempt, lesson=step, course=step.course,
                                   status=status, lesson_url=url_for_lesson(step))
    if attempt.submitted_at is None:
        return render_page("quiz/attempt.html", questions=snapshot.questions, given={},
                           unanswered=0, **context)
    enrolment = progress.enrolment_of(db.session, current_user.id, step.course_id)
    return render_page(
        "quiz/result.html",
        pass_mark=snapshot.pass_mark,
        review=quizzes.review(attempt),
        course_done=bool(enrolment and enrolment.completed_at),
        following=progress.reading_position(db.session, current_user.id, step).following,
        **context,
    )


@bp.route("/attempts/<int:attempt_id>/draft", methods=["POST"])
@access(SIGNED_IN)
def draft(attempt_id: int):
    """Autosave: the answers given so far on an open attempt (sent by the page as they change).

    204 when stored; 409 when the attempt is graded or its time is up (what was saved in time
    is kept and will be graded).
    """
    attempt = quizzes.get_attempt(db.session, attempt_id, current_user.id)
    answers = _answers_from(request.form, quizzes.snapshot_of(attempt))
    saved = quizzes.save_draft(db.session, attempt, answers)
    db.session.commit()
    return ("", 204) if saved else ("", 409)


@bp.route("/courses/<slug>/quiz-stats")
@access(Role.TRAINER | Role.ADMIN)
def stats(slug: str):
    """For the course's trainer and admins: how each quiz and question went."""
    course = managed_course(db.session, slug, current_user)
    quizzes_of_course = quizzes.course_quizzes(db.session, course.id)
    figures = [quizzes.quiz_stats(db.session, step.quiz) for step in quizzes_of_course
               if step.quiz is not None]
    return render_page("quiz/stats.html", course=course, figures=figures)
