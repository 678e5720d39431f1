"""Taking quizzes: attempts, limits, grading on the server, completion, JP and certificates."""

import random
from datetime import UTC, datetime, timedelta
from decimal import Decimal
from pathlib import Path

import pytest
from sqlalchemy import func, select

from app.models import (
    AttemptResult,
    Certificate,
    Enrolment,
    Lesson,
    Question,
    QuizAttempt,
    utcnow,
)
from app.services import progress, quizzes
from app.services.content import import_course, load_course
from app.services.grading import correct_answers
from tests.factories import make_course, make_user, wrong_answers


def steps(session, course):
    return session.scalars(
        select(Lesson).where(Lesson.course_id == course.id, Lesson.retired.is_(False))
        .order_by(Lesson.position)
    ).all()


def the_quiz(session, course):
    return next(step for step in steps(session, course) if step.is_quiz).quiz


def answers_for(attempt, right=True):
    """Answers built from the attempt's own key: all right (the short one in other case and
    spacing, which still counts), or all wrong."""
    snapshot = quizzes.snapshot_of(attempt)
    if not right:
        return wrong_answers(snapshot)
    answers = correct_answers(snapshot)
    short = next(q for q in snapshot.questions if q.is_short)
    answers[short.key] = "  DUA   puluh "
    return answers


@pytest.fixture
def setup(session, course_copy):
    course = make_course(session, course_copy())
    learner = make_user(session)
    session.commit()
    return course, learner, the_quiz(session, course)


def test_all_right_scores_100_and_passes(session, setup):
    _, learner, quiz = setup
    attempt = quizzes.start_attempt(session, learner.id, quiz)
    graded = quizzes.submit_attempt(session, attempt, answers_for(attempt))
    assert (graded.points_earned, graded.points_possible, graded.score) == (4, 4, Decimal("100"))
    assert graded.passed is True
    assert [r.correct for r in graded.results] == [True, True, True]


def test_multiple_choice_needs_exactly_the_right_set(session, setup):
    _, learner, quiz = setup
    attempt = quizzes.start_attempt(session, learner.id, quiz)
    answers = answers_for(attempt)
    multiple = next(q for q in attempt.snapshot["questions"] if q["kind"] == "multiple")
    answers[str(multiple["id"])] = answers[str(multiple["id"])][:1]  # one of the two
    graded = quizzes.submit_attempt(session, attempt, answers)
    assert (graded.points_earned, graded.score, graded.passed) == (2, Decimal("50.00"), False)


def test_options_of_another_question_are_ignored(session, setup):
    _, learner, quiz = setup
    attempt = quizzes.start_attempt(session, learner.id, quiz)
    questions = attempt.snapshot["questions"]
    single = next(q for q in questions if q["kind"] == "single")
    other = next(q for q in questions if q["kind"] == "multiple")
    forged = {str(single["id"]): [str(o["id"]) for o in other["options"]]}
    graded = quizzes.submit_attempt(session, attempt, forged)
    assert graded.points_earned == 0


def test_the_attempt_limit_holds(session, setup):
    _, learner, quiz = setup
    for _ in range(3):
        attempt = quizzes.start_attempt(session, learner.id, quiz)
        quizzes.submit_attempt(session, attempt, answers_for(attempt, right=False))
    assert quizzes.status(session, learner.id, quiz).left == 0
    with pytest.raises(quizzes.NoAttemptsLeft):
        quizzes.start_attempt(session, learner.id, quiz)


def test_an_open_attempt_is_resumed_with_the_same_order(session, setup):
    _, learner, quiz = setup
    first = quizzes.start_attempt(session, learner.id, quiz, rng=random.Random(1))
    again = quizzes.start_attempt(session, learner.id, quiz, rng=random.Random(2))
    assert again.id == first.id and again.snapshot == first.snapshot
    assert quizzes.status(session, learner.id, quiz).used == 1


def test_shuffle_changes_the_order_per_attempt(session, setup):
    _, learner, quiz = setup
    orders = set()
    for seed in range(3):
        attempt = quizzes.start_attempt(session, learner.id, quiz, rng=random.Random(seed))
        orders.add(tuple(
            (q["id"], tuple(o["id"] for o in q["options"])) for q in attempt.snapshot["questions"]
        ))
        quizzes.submit_attempt(session, attempt, {})
    assert len(orders) > 1


def test_without_shuffle_the_authored_order_is_kept(session, setup):
    _, learner, quiz = setup
    quiz.shuffle = False
    attempt = quizzes.start_attempt(session, learner.id, quiz, rng=random.Random(7))
    positions = [session.get(Question, q["id"]).position for q in attempt.snapshot["questions"]]
    assert positions == [1, 2, 3]


def test_a_second_submission_changes_nothing(session, setup):
    _, learner, quiz = setup
    attempt = quizzes.start_attempt(session, learner.id, quiz)
    first = quizzes.submit_attempt(session, attempt, answers_for(attempt, right=False))
    submitted_at = first.submitted_at
    again = quizzes.submit_attempt(session, attempt, answers_for(attempt))
    assert (again.score, again.submitted_at) == (Decimal("0"), submitted_at)
    assert session.scalar(select(func.count()).select_from(AttemptResult)) == 3
    assert quizzes.status(session, learner.id, quiz).used == 1


def test_answers_after_the_time_limit_are_refused(session, setup):
    _, learner, quiz = setup
    start = utcnow()
    attempt = quizzes.start_attempt(session, learner.id, quiz, now=start)
    assert attempt.deadline_at == start + timedelta(minutes=5)
    late = start + timedelta(minutes=5) + quizzes.GRACE + timedelta(seconds=1)
    graded = quizzes.submit_attempt(session, attempt, answers_for(attempt), now=late)
    assert graded.timed_out and graded.score == 0 and not graded.passed


def test_answers_within_the_grace_period_count(session, setup):
    _, learner, quiz = setup
    start = utcnow()
    attempt = quizzes.start_attempt(session, learner.id, quiz, now=start)
    in_grace = start + timedelta(minutes=5, seconds=20)
    assert quizzes.submit_attempt(session, attempt, answers_for(attempt), now=in_grace).passed


def test_an_abandoned_timed_attempt_is_used_up(session, setup):
    _, learner, quiz = setup
    start = utcnow() - timedelta(hours=1)
    abandoned = quizzes.start_attempt(session, learner.id, quiz, now=start)
    fresh = quizzes.start_attempt(session, learner.id, quiz)
    assert fresh.id != abandoned.id and fresh.number == 2
    session.refresh(abandoned)
    assert abandoned.timed_out and abandoned.submitted_at is not None


def test_passing_the_last_step_completes_the_course_once_with_jp_and_certificate(
    session, setup
):
    course, learner, quiz = setup
    for step in steps(session, course):
        if not step.is_quiz:
            progress.complete_lesson(session, learner.id, step)
    enrolment = session.scalar(select(Enrolment).where(Enrolment.user_id == learner.id))
    assert enrolment.completed_at is None  # the quiz is not passed yet

    failed = quizzes.start_attempt(session, learner.id, quiz)
    quizzes.submit_attempt(session, failed, answers_for(failed, right=False))
    session.refresh(enrolment)
    assert enrolment.completed_at is None

    passed = quizzes.start_attempt(session, learner.id, quiz)
    quizzes.submit_attempt(session, passed, answers_for(passed))
    session.refresh(enrolment)
    completed_at = enrolment.completed_at
    assert completed_at is not None and enrolment.jp_credited == Decimal("2")
    this_year = (datetime(completed_at.year, 1, 1, tzinfo=UTC),
                 datetime(completed_at.year + 1, 1, 1, tzinfo=UTC))
    last_year = (datetime(completed_at.year - 1, 1, 1, tzinfo=UTC), this_year[0])
    assert progress.jp_between(session, learner.id, *this_year) == Decimal("2")
    assert progress.jp_between(session, learner.id, *last_year) == Decimal("0")

    certificate = session.scalar(select(Certificate))
    assert certificate.learner_name == learner.name
    assert len(certificate.code) >= 22  # 128 random bits, base64url

    # A third, passing attempt (attempts remain) does not move the completion date.
    third = quizzes.start_attempt(session, learner.id, quiz)
    quizzes.submit_attempt(session, third, answers_for(third))
    session.refresh(enrolment)
    assert enrolment.completed_at == completed_at
    assert session.scalar(select(func.count()).select_from(Certificate)) == 1


def test_best_attempt_counts(session, setup):
    _, learner, quiz = setup
    good = quizzes.start_attempt(session, learner.id, quiz)
    quizzes.submit_attempt(session, good, answers_for(good))
    bad = quizzes.start_attempt(session, learner.id, quiz)
    quizzes.submit_attempt(session, bad, answers_for(bad, right=False))
    status = quizzes.status(session, learner.id, quiz)
    assert (status.best_score, status.passed, status.used, status.left) == (
        Decimal("100"), True, 2, 1)


def test_reimporting_a_changed_quiz_keeps_old_attempts_readable(session, setup):
    course, learner, quiz = setup
    attempt = quizzes.start_attempt(session, learner.id, quiz)
    quizzes.submit_attempt(session, attempt, answers_for(attempt))
    session.commit()
    snapshot = attempt.snapshot

    folder = Path(course.source_path)
    quiz_file = folder / "01-dasar" / "03-kuis.md"
    quiz_file.write_text(quiz_file.read_text().replace(
        "## Berapa JP minimal per tahun?\n\n= 20\n= dua puluh",
        "## Berapa JP minimal setahun?\n\n= 20"))
    parsed, problems = load_course(folder)
    assert problems == []
    import_course(session, parsed, str(folder))
    session.commit()

    session.expire_all()
    old = session.get(QuizAttempt, attempt.id)
    assert old.snapshot == snapshot and old.score == Decimal("100")
    live = [q.prompt_html for q in session.get(Lesson, quiz.lesson_id).quiz.questions]
    assert any("setahun" in p for p in live) and not any("per tahun" in p for p in live)
    retired = session.scalars(select(Question).where(Question.retired.is_(True))).all()
    assert len(retired) == 1 and "per tahun" in retired[0].prompt_html


def test_trainer_statistics_are_aggregated(session, setup):
    _, learner, quiz = setup
    other = make_user(session)
    a = quizzes.start_attempt(session, learner.id, quiz)
    quizzes.submit_attempt(session, a, answers_for(a))  # 100, passed
    b = quizzes.start_attempt(session, other.id, quiz)
    quizzes.submit_attempt(session, b, answers_for(b, right=False))  # 0, failed
    stats = quizzes.quiz_stats(session, quiz)
    assert (stats.attempts, stats.pass_rate, stats.average_score) == (2, 0.5, 50.0)
    single = next(s for s in stats.questions if s.question.kind == "single")
    assert (single.answered, single.correct_share) == (2, 0.5)
    # The right option by one learner, the first wrong one by the other, the last by no one.
    right = next(o.id for o in single.question.options if o.correct)
    assert single.picks[right] == 1 and sorted(single.picks.values()) == [0, 1, 1]




def test_a_late_submission_is_graded_on_the_answers_saved_in_time(session, setup):
    """Issue 11: the network was slow, not the learner; what they had given in time counts."""
    _, learner, quiz = setup
    start = utcnow()
    attempt = quizzes.start_attempt(session, learner.id, quiz, now=start)
    assert quizzes.save_draft(session, attempt, answers_for(attempt), now=start + timedelta(
        minutes=4))
    late = start + timedelta(minutes=5) + quizzes.GRACE + timedelta(minutes=3)
    graded = quizzes.submit_attempt(session, attempt, answers_for(attempt, right=False), now=late)
    assert graded.timed_out and graded.passed and graded.score == Decimal("100")


def test_answers_saved_after_the_deadline_are_not_kept(session, setup):
    _, learner, quiz = setup
    start = utcnow()
    attempt = quizzes.start_attempt(session, learner.id, quiz, now=start)
    quizzes.save_draft(session, attempt, answers_for(attempt, right=False),
                       now=start + timedelta(minutes=1))
    late = start + timedelta(minutes=5) + quizzes.GRACE + timedelta(seconds=1)
    assert not quizzes.save_draft(session, attempt, answers_for(attempt), now=late)
    graded = quizzes.submit_attempt(session, attempt, answers_for(attempt), now=late)
    assert graded.timed_out and graded.score == 0


def test_an_abandoned_timed_attempt_is_graded_on_its_saved_answers(session, setup):
    _, learner, quiz = setup
    start = utcnow() - timedelta(hours=1)
    abandoned = quizzes.start_attempt(session, learner.id, quiz, now=start)
    quizzes.save_draft(session, abandoned, answers_for(abandoned), now=start)
    quizzes.start_attempt(session, learner.id, quiz)
    session.refresh(abandoned)
    assert abandoned.timed_out and abandoned.passed


def test_a_draft_keeps_only_well_formed_answers_to_its_own_questions(session, setup):
    _, learner, quiz = setup
    attempt = quizzes.start_attempt(session, learner.id, quiz)
    short = next(q for q in attempt.snapshot["questions"] if q["kind"] == "short")
    choice = next(q for q in attempt.snapshot["questions"] if q["kind"] != "short")
    quizzes.save_draft(session, attempt, {
        "999999": ["1"], str(short["id"]): ["not", "text"], str(choice["id"]): "12",
    })
    assert attempt.draft_answers == {}

