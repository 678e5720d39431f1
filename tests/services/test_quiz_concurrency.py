"""Simultaneous requests from one learner: the attempt limit and single grading still hold.

Each thread has its own app context, so its own database session and connection, as
concurrent web requests do. CI runs this on PostgreSQL; on SQLite writers simply queue.
"""

import threading

import pytest
from sqlalchemy import func, select

from app.extensions import db
from app.models import AttemptResult, Lesson, QuizAttempt
from app.services import quizzes
from app.services.grading import correct_answers
from tests.factories import make_course, make_user

THREADS = 8


def run_together(app, work):
    """Run `work(session)` in THREADS threads released at the same instant; collect outcomes."""
    barrier = threading.Barrier(THREADS)
    outcomes = []

    def target():
        with app.app_context():
            barrier.wait()
            try:
                outcomes.append(work(db.session))
                db.session.commit()
            except quizzes.NoAttemptsLeft:
                db.session.rollback()
                outcomes.append("refused")
            finally:
                db.session.remove()

    threads = [threading.Thread(target=target) for _ in range(THREADS)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join(30)
    return outcomes


@pytest.fixture
def one_attempt_quiz(app, course_copy):
    with app.app_context():
        course = make_course(db.session, course_copy())
        quiz = db.session.scalar(
            select(Lesson).where(Lesson.course_id == course.id, Lesson.kind == "quiz")
        ).quiz
        quiz.max_attempts = 1
        learner = make_user(db.session)
        db.session.commit()
        return quiz.lesson_id, learner.id


def test_simultaneous_starts_make_one_attempt(app, one_attempt_quiz):
    quiz_id, user_id = one_attempt_quiz

    def start(session):
        quiz = session.get(Lesson, quiz_id).quiz
        return quizzes.start_attempt(session, user_id, quiz).id

    outcomes = run_together(app, start)
    assert len(outcomes) == THREADS
    with app.app_context():
        assert db.session.scalar(select(func.count()).select_from(QuizAttempt)) == 1
        only = db.session.scalar(select(QuizAttempt.id))
    # Every tap got the same attempt back; none was refused or failed.
    assert set(outcomes) == {only}


def test_simultaneous_submissions_are_graded_once(app, one_attempt_quiz):
    quiz_id, user_id = one_attempt_quiz
    with app.app_context():
        attempt = quizzes.start_attempt(db.session, user_id, db.session.get(Lesson, quiz_id).quiz)
        db.session.commit()
        attempt_id = attempt.id
        right = correct_answers(quizzes.snapshot_of(attempt))

    def submit(session):
        graded = quizzes.submit_attempt(session, session.get(QuizAttempt, attempt_id), right)
        return (graded.score, graded.passed)

    outcomes = run_together(app, submit)
    assert len(outcomes) == THREADS and len(set(outcomes)) == 1
    with app.app_context():
        assert db.session.scalar(select(func.count()).select_from(AttemptResult)) == 3
        assert db.session.scalar(select(func.count()).select_from(QuizAttempt)) == 1
        status = quizzes.status(db.session, user_id, db.session.get(Lesson, quiz_id).quiz)
        assert (status.used, status.left, status.passed) == (1, 0, True)


def test_simultaneous_retries_cannot_exceed_the_limit(app, one_attempt_quiz):
    quiz_id, user_id = one_attempt_quiz
    with app.app_context():
        db.session.get(Lesson, quiz_id).quiz.max_attempts = 2
        first = quizzes.start_attempt(db.session, user_id, db.session.get(Lesson, quiz_id).quiz)
        quizzes.submit_attempt(db.session, first, {})
        db.session.commit()

    def retry_and_submit(session):
        quiz = session.get(Lesson, quiz_id).quiz
        attempt = quizzes.start_attempt(session, user_id, quiz)
        quizzes.submit_attempt(session, attempt, {})
        return attempt.number

    outcomes = run_together(app, retry_and_submit)
    with app.app_context():
        numbers = db.session.scalars(select(QuizAttempt.number).order_by(QuizAttempt.number))
        assert list(numbers) == [1, 2]
    assert set(outcomes) <= {2, "refused"}
