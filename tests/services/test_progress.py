"""Progress: enrolment, opening, completion, resume, catalog figures."""

from sqlalchemy import func, select

from app.models import Enrolment, Lesson
from app.services import progress
from tests.factories import make_course, make_user


def lessons(session, course):
    return session.scalars(
        select(Lesson).where(Lesson.course_id == course.id).order_by(Lesson.position)
    ).all()


def test_completing_twice_is_a_no_op_and_enrols_once(session, course_copy):
    course = make_course(session, course_copy())
    learner = make_user(session)
    first = lessons(session, course)[0]
    assert progress.complete_lesson(session, learner.id, first) is True
    done_at = progress.lesson_state(session, learner.id, first.id).completed_at
    assert progress.complete_lesson(session, learner.id, first) is False
    session.expire_all()
    assert progress.lesson_state(session, learner.id, first.id).completed_at == done_at
    assert session.scalar(select(func.count()).select_from(Enrolment)) == 1


def test_resume_points_at_the_first_step_not_done(session, course_copy):
    course = make_course(session, course_copy())
    learner = make_user(session)
    steps = lessons(session, course)
    assert progress.resume_target(progress.outline(session, course, learner.id)) == steps[0]
    progress.complete_lesson(session, learner.id, steps[0])
    progress.complete_lesson(session, learner.id, steps[1])
    outline = progress.outline(session, course, learner.id)
    assert progress.resume_target(outline) == steps[2]
    assert [i.done for m in outline for i in m.items] == [True, True, False, False]


def test_catalog_shows_each_learners_own_percent(session, course_copy):
    course = make_course(session, course_copy())
    ani, budi = make_user(session), make_user(session)
    progress.complete_lesson(session, ani.id, lessons(session, course)[0])
    [card] = progress.catalog(session, ani.id)
    assert (card.done, card.total, card.percent, card.enrolled) == (1, 4, 25, True)
    [card] = progress.catalog(session, budi.id)
    assert (card.done, card.percent, card.enrolled) == (0, 0, False)
    assert progress.my_courses(session, budi.id) == []
    assert [c.course.slug for c in progress.my_courses(session, ani.id)] == ["contoh-kursus"]


def test_unpublished_courses_stay_out_of_the_catalog(session, course_copy):
    make_course(session, course_copy(), publish=False)
    assert progress.catalog(session, make_user(session).id) == []


def test_reading_position_gives_neighbours_state_and_counts_for_one_learner(session, course_copy):
    course = make_course(session, course_copy())
    first, second, third, fourth = lessons(session, course)
    second.retired = True
    ani, budi = make_user(session), make_user(session)
    progress.record_opening(session, ani.id, third)
    progress.complete_lesson(session, ani.id, first)
    here = progress.reading_position(session, ani.id, third)
    assert (here.opened, here.completed, here.done, here.total) == (True, False, 1, 3)
    assert (here.previous.path, here.following.path) == (first.path, fourth.path)
    assert here.previous.title == first.title
    start = progress.reading_position(session, ani.id, first)
    assert (start.opened, start.completed, start.previous) == (True, True, None)
    assert start.following.path == third.path  # the retired lesson is skipped
    end = progress.reading_position(session, budi.id, fourth)
    assert (end.opened, end.completed, end.done, end.following) == (False, False, 0, None)
    assert end.previous.path == third.path


def test_an_offline_completion_keeps_the_learners_time_clamped(session, course_copy):
    """Issue 11: the phone's clock is kept, never in the future nor before the enrolment."""
    from datetime import timedelta

    from app.models import LessonProgress, utcnow

    course = make_course(session, course_copy())
    learner = make_user(session)
    steps = [s for s in lessons(session, course) if not s.is_quiz]
    progress.record_opening(session, learner.id, steps[0])
    enrolled = session.scalar(select(Enrolment.enrolled_at).where(
        Enrolment.user_id == learner.id))
    progress.complete_lesson(session, learner.id, steps[0], enrolled - timedelta(days=400))
    progress.complete_lesson(session, learner.id, steps[1], utcnow() + timedelta(days=3))
    rows = {r.lesson_id: r for r in session.scalars(select(LessonProgress))}
    assert rows[steps[0].id].completed_on_device_at == enrolled
    assert rows[steps[1].id].completed_on_device_at <= rows[steps[1].id].completed_at
    assert rows[steps[1].id].completed_at <= utcnow()


def test_jp_go_to_the_year_the_learner_finished_offline(session, course_copy):
    """Finished on the phone on 31 December, synced in January: JP count for December's year."""
    from datetime import UTC, datetime

    from app.models import utcnow
    from app.services import quizzes
    from app.services.grading import correct_answers

    course = make_course(session, course_copy())
    learner = make_user(session)
    steps = lessons(session, course)
    progress.record_opening(session, learner.id, steps[0])
    enrolment = session.scalar(select(Enrolment).where(Enrolment.user_id == learner.id))
    year = utcnow().year - 1
    enrolment.enrolled_at = datetime(year, 12, 1, tzinfo=UTC)
    on_phone = datetime(year, 12, 31, 10, 0, tzinfo=UTC)
    for step in steps:
        if not step.is_quiz:
            progress.complete_lesson(session, learner.id, step, on_phone)
    quiz = next(s for s in steps if s.is_quiz).quiz
    attempt = quizzes.start_attempt(session, learner.id, quiz)
    right = correct_answers(quizzes.snapshot_of(attempt))
    quizzes.submit_attempt(session, attempt, right, answered_on_device_at=on_phone)
    session.refresh(enrolment)
    assert enrolment.completed_at == on_phone
    assert enrolment.completion_recorded_at.year == utcnow().year
    assert progress.jp_between(session, learner.id, datetime(year, 1, 1, tzinfo=UTC),
                               datetime(year + 1, 1, 1, tzinfo=UTC)) == course.jp


def test_one_lookup_finds_this_learners_enrolment_in_this_course(session, course_copy):
    """enrolment_of is the one way to find it: enrol_in, learner_time and record_completion
    all go through it, so they agree on whose enrolment it is."""
    from datetime import timedelta

    course = make_course(session, course_copy())
    ani, budi = make_user(session), make_user(session)
    assert progress.enrolment_of(session, ani.id, course.id) is None
    progress.enrol(session, ani.id, course.id)
    progress.enrol(session, ani.id, course.id)  # twice: still one enrolment
    mine = progress.enrolment_of(session, ani.id, course.id)
    assert (mine.user_id, mine.course_id) == (ani.id, course.id)
    assert progress.enrol_in(session, ani.id, course) is mine
    assert progress.enrolment_of(session, budi.id, course.id) is None
    assert progress.enrolment_of(session, ani.id, course.id + 1) is None
    # A phone's time before the enrolment is moved up to it; Budi has none, so "now" is his floor.
    early = mine.enrolled_at - timedelta(days=3)
    assert progress.learner_time(session, ani.id, course.id, early) == mine.enrolled_at
    now = mine.enrolled_at + timedelta(hours=1)
    assert progress.learner_time(session, budi.id, course.id, early, now) == now
