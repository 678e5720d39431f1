"""Taking quizzes: starting attempts, grading them on the server, and the trainer's figures."""

from __future__ import annotations

import random
from dataclasses import dataclass
from datetime import datetime, timedelta
from decimal import ROUND_HALF_UP, Decimal
from typing import Any, cast

from flask_babel import lazy_gettext as _l
from sqlalchemy import Table, case, func, insert, select, update
from sqlalchemy.exc import IntegrityError
from sqlalchemy.orm import selectinload

from app.models import (
    AttemptChoice,
    AttemptResult,
    Lesson,
    Question,
    QuestionOption,
    Quiz,
    QuizAttempt,
    utcnow,
)
from app.services import progress
from app.services.content.quiz_format import answer_matches
from app.services.courses import check_recordable
from app.services.errors import Conflict, Forbidden, InvalidInput, NotFound
from app.services.types import DbSession, rowcount

# Answers sent a little after the deadline still count: the network is slow, not the learner.
GRACE = timedelta(seconds=30)
MAX_ANSWER_LENGTH = 500


class NoAttemptsLeft(InvalidInput):
    pass


class TimedQuiz(Conflict):
    """A timed quiz is started first and answered within its time: no one-shot answers."""

    code = "timed_quiz"


@dataclass
class QuizStatus:
    used: int
    left: int | None  # None: unlimited
    best_score: Decimal | None
    passed: bool
    open_attempt_id: int | None


def status(session: DbSession, user_id: int, quiz: Quiz, now: datetime | None = None) -> QuizStatus:
    """Attempts used and left, the best score, and an attempt still in progress: one query."""
    now = now or utcnow()
    used, best, passed, open_id = session.execute(
        select(
            func.count(QuizAttempt.id),
            func.max(QuizAttempt.score),
            func.max(case((QuizAttempt.passed.is_(True), 1), else_=0)),
            func.max(case((QuizAttempt.submitted_at.is_(None), QuizAttempt.id))),
        ).where(QuizAttempt.user_id == user_id, QuizAttempt.quiz_id == quiz.lesson_id)
    ).one()
    if open_id is not None and is_expired(session.get_one(QuizAttempt, open_id), now):
        open_id = None
    left = None if quiz.max_attempts is None else max(0, quiz.max_attempts - used)
    return QuizStatus(used, left, best, bool(passed), open_id)


def is_expired(attempt: QuizAttempt, now: datetime | None = None) -> bool:
    """Past its time limit (and the grace period): answers are no longer accepted."""
    return attempt.deadline_at is not None and (now or utcnow()) > attempt.deadline_at + GRACE


def _snapshot(session: DbSession, quiz: Quiz, rng: random.Random) -> dict[str, Any]:
    questions = session.scalars(
        select(Question)
        .where(Question.quiz_id == quiz.lesson_id, Question.retired.is_(False))
        .order_by(Question.position)
        .options(selectinload(Question.options))
    ).all()
    asked = []
    for q in questions:
        opts = [{"id": o.id, "html": o.text_html, "correct": o.correct} for o in q.options]
        if quiz.shuffle:
            rng.shuffle(opts)
        asked.append({
            "id": q.id, "kind": q.kind, "points": q.points, "prompt_html": q.prompt_html,
            "explanation_html": q.explanation_html, "options": opts, "accepted": q.accepted,
        })
    if quiz.shuffle:
        rng.shuffle(asked)
    return {"pass_mark": quiz.pass_mark, "questions": asked}


def start_attempt(
    session: DbSession, user_id: int, quiz: Quiz, now: datetime | None = None,
    rng: random.Random | None = None,
) -> QuizAttempt:
    """Resume the attempt in progress, or start the next one if any are left.

    The order of questions and options is fixed here, in the snapshot, so a reload shows the
    same quiz. Attempts are numbered; the unique (user, quiz, number) key makes two starts at
    the same moment produce one attempt, never two.
    """
    now = now or utcnow()
    _close_expired(session, user_id, quiz, now)
    current = status(session, user_id, quiz, now)
    if current.open_attempt_id is not None:
        return session.get_one(QuizAttempt, current.open_attempt_id)
    if current.left == 0:
        raise NoAttemptsLeft(_l("Kesempatan mengerjakan kuis ini sudah habis."))
    progress.record_opening(session, user_id, quiz.lesson)
    attempt = QuizAttempt(
        user_id=user_id,
        quiz_id=quiz.lesson_id,
        number=current.used + 1,
        started_at=now,
        deadline_at=now + timedelta(minutes=quiz.time_limit_minutes)
        if quiz.time_limit_minutes else None,
        snapshot=_snapshot(session, quiz, rng or random.SystemRandom()),
    )
    try:
        with session.begin_nested():
            session.add(attempt)
    except IntegrityError:
        # Someone (a second tab, a double tap) started this attempt number first: use theirs.
        existing = session.scalar(select(QuizAttempt).where(
            QuizAttempt.user_id == user_id, QuizAttempt.quiz_id == quiz.lesson_id,
            QuizAttempt.number == current.used + 1))
        if existing is None or existing.submitted_at is not None:
            raise NoAttemptsLeft(_l("Kesempatan mengerjakan kuis ini sudah habis.")) from None
        return existing
    return attempt


def _close_expired(session: DbSession, user_id: int, quiz: Quiz, now: datetime) -> None:
    """An attempt whose time ran out unsubmitted is graded on the answers saved in time."""
    for attempt in session.scalars(select(QuizAttempt).where(
        QuizAttempt.user_id == user_id, QuizAttempt.quiz_id == quiz.lesson_id,
        QuizAttempt.submitted_at.is_(None), QuizAttempt.deadline_at.is_not(None),
    )):
        if is_expired(attempt, now):
            _grade(session, attempt, attempt.draft_answers or {}, now, timed_out=True)


def get_attempt(session: DbSession, attempt_id: int, user_id: int) -> QuizAttempt:
    """The learner's own attempt; anyone else's is simply not found."""
    attempt = session.get(QuizAttempt, attempt_id)
    if attempt is None or attempt.user_id != user_id:
        raise NotFound()
    return attempt


def save_draft(
    session: DbSession, attempt: QuizAttempt, answers: dict[str, list[str] | str],
    now: datetime | None = None,
) -> bool:
    """Keep the answers given so far on an open attempt (autosave while answering).

    `answers` has the shape of `submit_attempt`'s, {question id: [option ids] or text}; only
    ids of the attempt's own questions are kept. Returns False (and stores nothing) when the
    attempt is already graded or past its deadline and grace: what was saved in time stays.
    """
    now = now or utcnow()
    if attempt.submitted_at is not None or is_expired(attempt, now):
        return False
    kept: dict[str, str | list[str]] = {}
    for q in attempt.snapshot["questions"]:
        given = answers.get(str(q["id"]))
        if q["kind"] == "short" and isinstance(given, str):
            kept[str(q["id"])] = given[:MAX_ANSWER_LENGTH]
        elif q["kind"] != "short" and isinstance(given, list):
            kept[str(q["id"])] = [str(g) for g in given if isinstance(g, str | int)][:50]
    attempt.draft_answers = kept
    attempt.draft_saved_at = now
    return True


def submit_attempt(
    session: DbSession, attempt: QuizAttempt, answers: dict[str, list[str] | str],
    now: datetime | None = None, answered_on_device_at: datetime | None = None,
) -> QuizAttempt:
    """Grade an attempt once. A second submission (double tap, replay) changes nothing.

    Raises Forbidden while the quiz's course is unpublished (issue 10).
    A submission arriving after the deadline (and its grace) is graded on the answers saved
    before the deadline (`save_draft`), never on what came late; with none saved it scores 0.
    `answered_on_device_at` is the learner's time for answers given offline: a pass then
    completes the quiz at that (clamped) time, see `progress.complete_lesson`.
    """
    now = now or utcnow()
    if attempt.submitted_at is not None:
        return attempt
    step = session.get(Lesson, attempt.quiz_id)
    if step is None or not step.course.published:
        # A course taken back from learners records nothing, an open attempt included.
        raise Forbidden(_l("Kursus ini sedang tidak diterbitkan; jawaban tidak dapat dikirim."))
    late = is_expired(attempt, now)
    given = (attempt.draft_answers or {}) if late else answers
    return _grade(session, attempt, given, now, timed_out=late,
                  on_device_at=answered_on_device_at)


def _grade(session: DbSession, attempt: QuizAttempt, answers: dict[str, Any], now: datetime,
           *, timed_out: bool, on_device_at: datetime | None = None) -> QuizAttempt:
    results: list[dict[str, Any]] = []
    choices: list[dict[str, Any]] = []
    kept: dict[str, str | list[str]] = {}
    earned = possible = 0
    for q in attempt.snapshot["questions"]:
        given = answers.get(str(q["id"]))
        possible += q["points"]
        if q["kind"] == "short":
            text = given if isinstance(given, str) else ""
            kept[str(q["id"])] = text
            correct = answer_matches(text, q["accepted"])
        else:
            valid = {str(o["id"]) for o in q["options"]}
            picked = sorted({g for g in (given or []) if g in valid}, key=int)
            if q["kind"] == "single":
                picked = picked[:1]
            kept[str(q["id"])] = picked
            right = {str(o["id"]) for o in q["options"] if o["correct"]}
            correct = set(picked) == right
            choices += [{"attempt_id": attempt.id, "option_id": int(p)} for p in picked]
        points = q["points"] if correct else 0
        earned += points
        results.append({"attempt_id": attempt.id, "question_id": q["id"], "correct": correct,
                        "points": points})
    score = (Decimal(100 * earned) / possible).quantize(Decimal("0.01"), ROUND_HALF_UP) if (
        possible) else Decimal(0)
    passed = score >= attempt.snapshot["pass_mark"]
    # Claim the attempt: only the first of several simultaneous submissions gets rowcount 1.
    claimed = rowcount(session.execute(
        update(QuizAttempt)
        .where(QuizAttempt.id == attempt.id, QuizAttempt.submitted_at.is_(None))
        .values(submitted_at=now, answers=kept, points_earned=earned, points_possible=possible,
                score=score, passed=passed, timed_out=timed_out)
        .execution_options(synchronize_session=False)
    ))
    if claimed:
        if results:
            session.execute(insert(cast(Table, AttemptResult.__table__)), results)
        if choices:
            session.execute(insert(cast(Table, AttemptChoice.__table__)), choices)
        if passed:
            lesson = session.get_one(Lesson, attempt.quiz_id)
            progress.complete_lesson(session, attempt.user_id, lesson, on_device_at)
    session.refresh(attempt)
    return attempt


def begin_attempt(session: DbSession, user_id: int, lesson: Lesson) -> QuizAttempt:
    """start_attempt on a quiz step after the recording rules: previews record no attempts
    (raises courses.NotRecordable); NoAttemptsLeft when none are left."""
    check_recordable(lesson, by_hand=False)
    if lesson.quiz is None:  # not a quiz step
        raise NotFound()
    return start_attempt(session, user_id, lesson.quiz)


def answer_at_once(
    session: DbSession, user_id: int, lesson: Lesson, answers: dict[str, list[str] | str],
    now: datetime | None = None, answered_on_device_at: datetime | None = None,
) -> QuizAttempt:
    """Start and grade an attempt in one go (offline sync): untimed quizzes only.
    `answered_on_device_at`: the phone's time of answers given offline (see submit_attempt).

    An attempt already in progress (started on the web) is the one answered. Raises TimedQuiz
    for a timed quiz, NoAttemptsLeft, courses.NotRecordable for a preview. When a simultaneous
    request took the attempt number this one wanted, it tries the next number while any are
    left, so the limit holds and no answers are lost to a race.
    """
    if lesson.quiz is None:  # not a quiz step
        raise NotFound()
    if lesson.quiz.time_limit_minutes:
        raise TimedQuiz(_l(
            "Kuis ini berbatas waktu: mulai dulu percobaannya, lalu kirim jawaban sebelum "
            "waktunya habis."))
    for _ in range(5):
        try:
            attempt = begin_attempt(session, user_id, lesson)
        except NoAttemptsLeft:
            if status(session, user_id, lesson.quiz, now).left == 0:
                raise
            continue
        if attempt.submitted_at is None:
            return submit_attempt(session, attempt, answers, now,
                                  answered_on_device_at=answered_on_device_at)
    raise NoAttemptsLeft(_l("Kesempatan mengerjakan kuis ini sudah habis."))


def submit_own_attempt(
    session: DbSession, user_id: int, lesson: Lesson, attempt_id: int,
    answers: dict[str, list[str] | str], now: datetime | None = None,
) -> QuizAttempt:
    """Grade the learner's own attempt of this quiz (late answers score nothing: the time
    limit is enforced here, on the server). A graded attempt is returned unchanged."""
    attempt = get_attempt(session, attempt_id, user_id)
    if attempt.quiz_id != lesson.id:
        raise NotFound()
    return submit_attempt(session, attempt, answers, now)


def public_questions(questions: list[dict[str, Any]]) -> list[dict[str, Any]]:
    """Questions as a learner may see them before grading: never the correct options, the
    accepted answers or the explanations. Takes snapshot-shaped dicts."""
    return [
        {"id": q["id"], "kind": q["kind"], "points": q["points"],
         "prompt_html": q["prompt_html"],
         "options": [{"id": o["id"], "html": o["html"]} for o in q["options"]]}
        for q in questions
    ]


def questions_of(session: DbSession, quiz: Quiz) -> list[dict[str, Any]]:
    """The quiz's live questions in file order, answer-free (see public_questions)."""
    questions = session.scalars(
        select(Question)
        .where(Question.quiz_id == quiz.lesson_id, Question.retired.is_(False))
        .order_by(Question.position)
        .options(selectinload(Question.options))
    ).all()
    return [
        {"id": q.id, "kind": q.kind, "points": q.points, "prompt_html": q.prompt_html,
         "options": [{"id": o.id, "html": o.text_html} for o in q.options]}
        for q in questions
    ]


def graded_questions(attempt: QuizAttempt) -> list[dict[str, Any]]:
    """After grading: each question's id, whether it was right, points and explanation."""
    results = {r.question_id: r for r in attempt.results}
    return [
        {"id": q["id"], "correct": bool(results[q["id"]].correct) if q["id"] in results else False,
         "points": results[q["id"]].points if q["id"] in results else 0,
         "explanation_html": q.get("explanation_html") or ""}
        for q in attempt.snapshot["questions"]
    ]


def quiz_step_of(session: DbSession, attempt: QuizAttempt) -> Lesson:
    """The quiz step (lesson) an attempt belongs to."""
    return session.get_one(Lesson, attempt.quiz_id)


def course_quizzes(session: DbSession, course_id: int) -> list[Lesson]:
    """The course's live quiz steps in course order."""
    return list(session.scalars(
        select(Lesson)
        .where(Lesson.course_id == course_id, Lesson.kind == "quiz", Lesson.retired.is_(False))
        .order_by(Lesson.position)
    ))


def attempts_of(session: DbSession, user_id: int, quiz: Quiz) -> list[QuizAttempt]:
    """The user's submitted attempts at this quiz, oldest first ([] if none). Raises nothing."""
    return list(session.scalars(
        select(QuizAttempt)
        .where(QuizAttempt.user_id == user_id, QuizAttempt.quiz_id == quiz.lesson_id,
               QuizAttempt.submitted_at.is_not(None))
        .order_by(QuizAttempt.number)
    ))


@dataclass
class QuestionStats:
    question: Question
    answered: int
    correct_share: float | None
    picks: dict[int, int]  # option id -> times picked


@dataclass
class QuizStats:
    quiz: Quiz
    attempts: int
    pass_rate: float | None
    average_score: float | None
    questions: list[QuestionStats]


def quiz_stats(session: DbSession, quiz: Quiz) -> QuizStats:
    """Pass rate, average score, and per question and option how learners answered: SQL only."""
    attempts, pass_rate, average = session.execute(
        select(
            func.count(QuizAttempt.id),
            func.avg(case((QuizAttempt.passed.is_(True), 1.0), else_=0.0)),
            func.avg(QuizAttempt.score),
        ).where(QuizAttempt.quiz_id == quiz.lesson_id, QuizAttempt.submitted_at.is_not(None))
    ).one()
    per_question = dict(
        (qid, (n, share)) for qid, n, share in session.execute(
            select(
                AttemptResult.question_id,
                func.count(),
                func.avg(case((AttemptResult.correct.is_(True), 1.0), else_=0.0)),
            )
            .join(Question, Question.id == AttemptResult.question_id)
            .where(Question.quiz_id == quiz.lesson_id)
            .group_by(AttemptResult.question_id)
        )
    )
    picks = dict(session.execute(
        select(AttemptChoice.option_id, func.count())
        .join(QuestionOption, QuestionOption.id == AttemptChoice.option_id)
        .join(Question, Question.id == QuestionOption.question_id)
        .where(Question.quiz_id == quiz.lesson_id)
        .group_by(AttemptChoice.option_id)
    ).all())
    questions = []
    for question in session.scalars(
        select(Question)
        .where(Question.quiz_id == quiz.lesson_id, Question.retired.is_(False))
        .order_by(Question.position)
        .options(selectinload(Question.options))
    ):
        answered, share = per_question.get(question.id, (0, None))
        questions.append(QuestionStats(
            question, answered, float(share) if share is not None else None,
            {o.id: picks.get(o.id, 0) for o in question.options},
        ))
    return QuizStats(
        quiz, attempts, float(pass_rate) if pass_rate is not None else None,
        float(average) if average is not None else None, questions,
    )
