"""Taking quizzes: starting attempts, grading them on the server, and the trainer's figures."""

from __future__ import annotations

import random
from collections.abc import Mapping, Sequence
from dataclasses import dataclass
from datetime import datetime, timedelta
from decimal import Decimal
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
from app.services.courses import check_recordable
from app.services.errors import Conflict, Forbidden, InvalidInput, NotFound
from app.services.grading import Snapshot, SnapshotOption, SnapshotQuestion, grade
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
    """Attempts used and left, the best score, and an attempt still in progress: one query.
    An attempt past its time is not reported as open. Raises nothing."""
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
    """Past its time limit (and the grace period): answers are no longer accepted. False for
    an untimed attempt. Raises nothing."""
    return attempt.deadline_at is not None and (now or utcnow()) > attempt.deadline_at + GRACE


def _live_questions(session: DbSession, quiz: Quiz) -> Sequence[Question]:
    """The quiz's questions that are not retired, in file order, with their options."""
    return session.scalars(
        select(Question)
        .where(Question.quiz_id == quiz.lesson_id, Question.retired.is_(False))
        .order_by(Question.position)
        .options(selectinload(Question.options))
    ).all()


def _asked(question: Question, rng: random.Random | None = None) -> SnapshotQuestion:
    """A question as a snapshot holds it; its options shuffled when `rng` is given."""
    options = [SnapshotOption(o.id, o.text_html, o.correct) for o in question.options]
    if rng is not None:
        rng.shuffle(options)
    return SnapshotQuestion(
        id=question.id, kind=question.kind, points=question.points,
        prompt_html=question.prompt_html, explanation_html=question.explanation_html,
        options=tuple(options), accepted=tuple(question.accepted),
    )


def take_snapshot(session: DbSession, quiz: Quiz, rng: random.Random | None = None) -> Snapshot:
    """What an attempt started now asks: the live questions with their keys and the pass mark.

    With `quiz.shuffle`, questions and options are put in an order of `rng`'s choosing (a new
    SystemRandom when none is given); otherwise the file's order. Raises nothing.
    """
    rng = (rng or random.SystemRandom()) if quiz.shuffle else None
    asked = [_asked(q, rng) for q in _live_questions(session, quiz)]
    if rng is not None:
        rng.shuffle(asked)
    return Snapshot(pass_mark=quiz.pass_mark, questions=tuple(asked))


def snapshot_of(attempt: QuizAttempt) -> Snapshot:
    """The attempt's stored snapshot, typed (see grading.Snapshot.from_json). Raises
    KeyError, TypeError or ValueError only for a stored snapshot that is not one."""
    return Snapshot.from_json(attempt.snapshot)


def start_attempt(
    session: DbSession, user_id: int, quiz: Quiz, now: datetime | None = None,
    rng: random.Random | None = None,
) -> QuizAttempt:
    """Resume the attempt in progress, or start the next one if any are left.

    The order of questions and options is fixed here, in the snapshot, so a reload shows the
    same quiz. Attempts are numbered; the unique (user, quiz, number) key makes two starts at
    the same moment produce one attempt, never two. An attempt whose time ran out is graded
    first. Raises NoAttemptsLeft when every attempt is used (or a simultaneous start took
    the last one and submitted it).
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
        snapshot=take_snapshot(session, quiz, rng).to_json(),
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
    """The learner's own attempt. Raises NotFound for no such attempt and for anyone
    else's."""
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
    True when stored. Raises nothing; the caller checks whose attempt it is (get_attempt).
    """
    now = now or utcnow()
    if attempt.submitted_at is not None or is_expired(attempt, now):
        return False
    kept: dict[str, str | list[str]] = {}
    for q in snapshot_of(attempt).questions:
        given = answers.get(q.key)
        if q.is_short and isinstance(given, str):
            kept[q.key] = given[:MAX_ANSWER_LENGTH]
        elif not q.is_short and isinstance(given, list):
            kept[q.key] = [str(g) for g in given if isinstance(g, str | int)][:50]
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


def _grade(session: DbSession, attempt: QuizAttempt, answers: Mapping[str, object],
           now: datetime, *, timed_out: bool, on_device_at: datetime | None = None
           ) -> QuizAttempt:
    """Grade (grading.grade) and store the result once, with a row per question and per
    option picked; a pass completes the quiz step."""
    result = grade(snapshot_of(attempt), answers)
    # Claim the attempt: only the first of several simultaneous submissions gets rowcount 1.
    claimed = rowcount(session.execute(
        update(QuizAttempt)
        .where(QuizAttempt.id == attempt.id, QuizAttempt.submitted_at.is_(None))
        .values(submitted_at=now, answers=result.answers, points_earned=result.points_earned,
                points_possible=result.points_possible, score=result.score,
                passed=result.passed, timed_out=timed_out)
        .execution_options(synchronize_session=False)
    ))
    if claimed:
        results = [{"attempt_id": attempt.id, "question_id": g.question_id,
                    "correct": g.correct, "points": g.points} for g in result.questions]
        choices = [{"attempt_id": attempt.id, "option_id": option_id}
                   for g in result.questions for option_id in g.picked]
        if results:
            session.execute(insert(cast(Table, AttemptResult.__table__)), results)
        if choices:
            session.execute(insert(cast(Table, AttemptChoice.__table__)), choices)
        if result.passed:
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
    limit is enforced here, on the server). A graded attempt is returned unchanged.
    Raises NotFound when the attempt is not this learner's or not of this quiz, Forbidden
    while the course is unpublished (see submit_attempt)."""
    attempt = get_attempt(session, attempt_id, user_id)
    if attempt.quiz_id != lesson.id:
        raise NotFound()
    return submit_attempt(session, attempt, answers, now)


def public_questions(questions: Sequence[SnapshotQuestion]) -> list[dict[str, Any]]:
    """Questions as a learner may see them before grading: never the correct options, the
    accepted answers or the explanations. One dict per question (id, kind, points,
    prompt_html, options as [{id, html}]), in the order given. Raises nothing."""
    return [
        {"id": q.id, "kind": q.kind, "points": q.points, "prompt_html": q.prompt_html,
         "options": [{"id": o.id, "html": o.html} for o in q.options]}
        for q in questions
    ]


def questions_of(session: DbSession, quiz: Quiz) -> list[dict[str, Any]]:
    """The quiz's live questions in file order, answer-free (see public_questions). Raises
    nothing."""
    return public_questions([_asked(q) for q in _live_questions(session, quiz)])


@dataclass(frozen=True)
class ReviewedQuestion:
    """A graded attempt's question with the learner's answer, for the result page."""

    question: SnapshotQuestion
    correct: bool
    points: int  # earned
    text: str  # the short answer given ("" for none, and for choice questions)
    picked: tuple[SnapshotOption, ...]  # the options picked, in the order shown


def review(attempt: QuizAttempt) -> list[ReviewedQuestion]:
    """A graded attempt's questions in the order asked, each with its stored verdict and
    points and what the learner answered. A question without a stored result counts as
    wrong with no points (an attempt not graded yet has none). Raises nothing."""
    results = {r.question_id: r for r in attempt.results}
    given = attempt.answers or {}
    reviewed = []
    for q in snapshot_of(attempt).questions:
        answer = given.get(q.key)
        chosen = {str(i) for i in answer} if isinstance(answer, list) else set()
        result = results.get(q.id)
        reviewed.append(ReviewedQuestion(
            question=q,
            correct=bool(result and result.correct),
            points=result.points if result else 0,
            text=answer if isinstance(answer, str) else "",
            picked=tuple(o for o in q.options if str(o.id) in chosen),
        ))
    return reviewed


def graded_questions(attempt: QuizAttempt) -> list[dict[str, Any]]:
    """After grading: each question's id, whether it was right, points and explanation,
    as dicts in the order asked. Raises nothing (see review)."""
    return [
        {"id": r.question.id, "correct": r.correct, "points": r.points,
         "explanation_html": r.question.explanation_html}
        for r in review(attempt)
    ]


def quiz_step_of(session: DbSession, attempt: QuizAttempt) -> Lesson:
    """The quiz step (lesson) an attempt belongs to. Raises sqlalchemy's NoResultFound
    only if that lesson row is gone (attempts reference it, so it is not)."""
    return session.get_one(Lesson, attempt.quiz_id)


def course_quizzes(session: DbSession, course_id: int) -> list[Lesson]:
    """The course's live quiz steps in course order ([] for none, or no such course).
    Raises nothing."""
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
    """Pass rate, average score, and per question and option how learners answered: SQL only.

    Rates and shares are fractions 0–1, the average score is in percent (0–100); each is
    None before any answer. Only live questions are listed. Raises nothing."""
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
    for question in _live_questions(session, quiz):
        answered, share = per_question.get(question.id, (0, None))
        questions.append(QuestionStats(
            question, answered, float(share) if share is not None else None,
            {o.id: picks.get(o.id, 0) for o in question.options},
        ))
    return QuizStats(
        quiz, attempts, float(pass_rate) if pass_rate is not None else None,
        float(average) if average is not None else None, questions,
    )
