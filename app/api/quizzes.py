"""Quizzes: questions without answers, one-shot attempts (untimed) and start-then-submit
(timed), graded on the server."""

from __future__ import annotations

from app.access import SIGNED_IN, access
from app.api import bp
from app.api.auth import caller, token_required
from app.api.idempotency import idempotent
from app.api.schemas import AnswersIn, AttemptResult, AttemptStarted, ErrorSchema, QuizDetail
from app.extensions import db
from app.services import quizzes
from app.services.courses import visible_quiz

NOT_FOUND = "No such quiz (or attempt), or not one the caller may see."
REFUSED = ("`no_attempts_left`; `timed_quiz` (use the start-then-submit pair); "
           "`not_recordable` (a preview records no attempts).")


def _answering(view):
    """What both ways of answering share: a signed-in caller with a token, replays answered
    once (Idempotency-Key), the answers as the body and the graded attempt as the result."""
    view = bp.alt_response(404, schema=ErrorSchema, description=NOT_FOUND)(view)
    view = bp.response(200, AttemptResult)(view)
    view = bp.arguments(AnswersIn)(view)
    view = idempotent(view)
    view = token_required(view)
    return access(SIGNED_IN)(view)


def _result(session, user_id, step, attempt) -> dict:
    left = quizzes.status(session, user_id, step.quiz).left
    return {
        "attempt_id": attempt.id, "number": attempt.number, "score": attempt.score,
        "passed": bool(attempt.passed), "timed_out": attempt.timed_out,
        "submitted_at": attempt.submitted_at, "attempts_left": left,
        "questions": quizzes.graded_questions(attempt),
    }


@bp.route("/quizzes/<int:quiz_id>")
@access(SIGNED_IN)
@token_required
@bp.response(200, QuizDetail)
@bp.alt_response(404, schema=ErrorSchema, description=NOT_FOUND)
def quiz(quiz_id: int):
    """A quiz

    Its settings, the caller's attempts used and left, and its questions and options, never
    with the correct options, accepted answers or explanations. A timed quiz lists no
    questions here: they come with the attempt started by POST …/attempts/start, whose clock
    runs from then.
    """
    user = caller()
    step = visible_quiz(db.session, quiz_id, user)
    settings = step.quiz
    assert settings is not None  # visible_quiz refuses a step without its quiz
    state = quizzes.status(db.session, user.id, settings)
    return {
        "id": step.id, "course": step.course.slug, "title": step.title,
        "pass_mark": settings.pass_mark, "time_limit_minutes": settings.time_limit_minutes,
        "max_attempts": settings.max_attempts, "attempts_used": state.used,
        "attempts_left": state.left, "passed": state.passed, "best_score": state.best_score,
        "open_attempt_id": state.open_attempt_id,
        "questions": [] if settings.time_limit_minutes else quizzes.questions_of(db.session,
                                                                                 settings),
    }


@bp.route("/quizzes/<int:quiz_id>/attempts", methods=["POST"])
@_answering
@bp.alt_response(409, schema=ErrorSchema, description=REFUSED)
def answer_quiz(body, quiz_id: int):
    """Answer an untimed quiz in one call

    `answers` maps each question id to a list of option ids (single or multiple choice) or
    to the text (short answer). Graded at once: score, passed, per-question correctness and
    explanations. Refused when no attempts are left. Offline apps send this with an
    Idempotency-Key, so a repeated sync grades once.
    """
    user = caller()
    step = visible_quiz(db.session, quiz_id, user)
    attempt = quizzes.answer_at_once(db.session, user.id, step, body["answers"],
                                     answered_on_device_at=body.get("answered_at"))
    return _result(db.session, user.id, step, attempt)


@bp.route("/quizzes/<int:quiz_id>/attempts/start", methods=["POST"])
@access(SIGNED_IN)
@token_required
@idempotent
@bp.response(201, AttemptStarted)
@bp.alt_response(404, schema=ErrorSchema, description=NOT_FOUND)
@bp.alt_response(409, schema=ErrorSchema, description=REFUSED)
def start_attempt(quiz_id: int):
    """Start an attempt (timed quizzes)

    Starts the next attempt, or resumes the one in progress, and returns its questions and
    its deadline. Submit with POST /quizzes/{quiz_id}/attempts/{attempt_id} before then:
    answers arriving later (beyond 30 s of grace) score nothing. Works for untimed quizzes
    too.
    """
    user = caller()
    step = visible_quiz(db.session, quiz_id, user)
    attempt = quizzes.begin_attempt(db.session, user.id, step)
    return {
        "attempt_id": attempt.id, "number": attempt.number, "started_at": attempt.started_at,
        "deadline_at": attempt.deadline_at,
        "questions": quizzes.public_questions(quizzes.snapshot_of(attempt).questions),
    }, 201


@bp.route("/quizzes/<int:quiz_id>/attempts/<int:attempt_id>", methods=["POST"])
@_answering
def submit_attempt(body, quiz_id: int, attempt_id: int):
    """Submit a started attempt

    Grades the caller's attempt; past its deadline the answers count as none (timed_out).
    Submitting a graded attempt again returns its result unchanged.
    """
    user = caller()
    step = visible_quiz(db.session, quiz_id, user)
    attempt = quizzes.submit_own_attempt(db.session, user.id, step, attempt_id,
                                         body["answers"])
    return _result(db.session, user.id, step, attempt)
