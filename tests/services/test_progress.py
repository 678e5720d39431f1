"""Progress: enrolment, opening, completion, resume, catalog figures."""

from sqlalchemy import func, select

from app.models import Enrolment, Lesson
from app.services import progress
from tests.factories import import_folder, make_user


def lessons(session, course):
    return session.scalars(
        select(Lesson).where(Lesson.course_id == course.id).order_by(Lesson.position)
    ).all()


def test_completing_twice_is_a_no_op_and_enrols_once(session, course_copy):
    course = import_folder(session, course_copy())
    learner = make_user(session)
    first = lessons(session, course)[0]
    assert progress.complete_lesson(session, learner.id, first) is True
    done_at = progress.lesson_state(session, learner.id, first.id).completed_at
    assert progress.complete_lesson(session, learner.id, first) is False
    session.expire_all()
    assert progress.lesson_state(session, learner.id, first.id).completed_at == done_at
    assert session.scalar(select(func.count()).select_from(Enrolment)) == 1


def test_resume_points_at_the_first_step_not_done(session, course_copy):
    course = import_folder(session, course_copy())
    learner = make_user(session)
    steps = lessons(session, course)
    assert progress.resume_target(progress.outline(session, course, learner.id)) == steps[0]
    progress.complete_lesson(session, learner.id, steps[0])
    progress.complete_lesson(session, learner.id, steps[1])
    outline = progress.outline(session, course, learner.id)
    assert progress.resume_target(outline) == steps[2]
    assert [i.done for m in outline for i in m.items] == [True, True, False, False]


def test_catalog_shows_each_learners_own_percent(session, course_copy):
    course = import_folder(session, course_copy())
    ani, budi = make_user(session), make_user(session)
    progress.complete_lesson(session, ani.id, lessons(session, course)[0])
    [card] = progress.catalog(session, ani.id)
    assert (card.done, card.total, card.percent, card.enrolled) == (1, 4, 25, True)
    [card] = progress.catalog(session, budi.id)
    assert (card.done, card.percent, card.enrolled) == (0, 0, False)
    assert progress.my_courses(session, budi.id) == []
    assert [c.course.slug for c in progress.my_courses(session, ani.id)] == ["contoh-kursus"]


def test_unpublished_courses_stay_out_of_the_catalog(session, course_copy):
    import_folder(session, course_copy(), publish=False)
    assert progress.catalog(session, make_user(session).id) == []


def test_reading_position_gives_neighbours_state_and_counts_for_one_learner(session, course_copy):
    course = import_folder(session, course_copy())
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
