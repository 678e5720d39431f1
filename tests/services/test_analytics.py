"""Course analytics on the real database: counts, drop-off per lesson, median time to finish."""

from datetime import timedelta

from sqlalchemy import update

from app.models import Enrolment, utcnow
from app.services import progress
from app.services.analytics import course_analytics, median_days_to_completion
from tests.factories import make_course, make_user
from tests.services.test_import import lesson_by_path


def enrol(session, course, *, days_ago: float, finished_after: float | None = None):
    """A learner enrolled `days_ago`, who completed the course `finished_after` days later."""
    learner = make_user(session)
    progress.enrol(session, learner.id, course.id)
    enrolled_at = utcnow() - timedelta(days=days_ago)
    completed_at = None if finished_after is None else enrolled_at + timedelta(days=finished_after)
    session.execute(
        update(Enrolment)
        .where(Enrolment.user_id == learner.id)
        .values(enrolled_at=enrolled_at, completed_at=completed_at)
    )
    return learner


def test_a_course_nobody_took_has_zeros_and_no_median(session, course_copy):
    course = make_course(session, course_copy())
    stats = course_analytics(session, course)
    assert (stats.enrolled, stats.started, stats.completed, stats.median_days) == (0, 0, 0, None)
    assert [(s.title, s.reached) for s in stats.lessons] == [
        ("Pembuka", 0), ("Pelajaran Kedua", 0), ("Kuis Dasar", 0), ("Lanjutan", 0)]
    assert stats.percent(0) == 0


def test_median_of_an_odd_and_an_even_number_of_completions(session, course_copy):
    course = make_course(session, course_copy())
    for days in (1, 2, 10):
        enrol(session, course, days_ago=30, finished_after=days)
    enrol(session, course, days_ago=3)  # not finished: not part of the median
    assert round(median_days_to_completion(session, course.id), 6) == 2
    enrol(session, course, days_ago=30, finished_after=4.5)
    # 1, 2, 4.5, 10: the mean of the middle two.
    assert round(median_days_to_completion(session, course.id), 6) == 3.25


def test_the_funnel_counts_enrolled_started_completed_and_reach_in_outline_order(
    session, course_copy
):
    course = make_course(session, course_copy())
    first = lesson_by_path(session, course, "dasar/pembuka")
    second = lesson_by_path(session, course, "dasar/kedua")
    last = lesson_by_path(session, course, "lanjutan/lanjut")
    a = enrol(session, course, days_ago=10, finished_after=2)
    b = enrol(session, course, days_ago=10)
    enrol(session, course, days_ago=1)  # enrolled, never opened a lesson
    for lesson in (first, second, last):
        progress.complete_lesson(session, a.id, lesson)
    progress.record_opening(session, b.id, first)

    stats = course_analytics(session, course)
    assert (stats.enrolled, stats.started, stats.completed) == (3, 2, 1)
    assert round(stats.median_days, 6) == 2
    assert [(s.title, s.module_title, s.is_quiz, s.reached, s.completed)
            for s in stats.lessons] == [
        ("Pembuka", "Dasar-dasar", False, 2, 1),
        ("Pelajaran Kedua", "Dasar-dasar", False, 1, 1),
        ("Kuis Dasar", "Dasar-dasar", True, 0, 0),
        ("Lanjutan", "Lanjutan", False, 1, 1),
    ]
    assert stats.percent(stats.started) == 67
