"""The recording rules the web pages and the API share (app/services, not the views)."""

import pytest
from sqlalchemy import select

from app.models import Lesson, Role
from app.services import progress, quizzes
from app.services.courses import NotRecordable, course_visible_by_id, visible_course_choices
from app.services.errors import NotFound
from tests.factories import make_course, make_user


def step(session, course, path):
    return session.scalar(select(Lesson).where(Lesson.course_id == course.id,
                                               Lesson.path == path))


def test_a_quiz_is_not_ticked_off_by_hand(session):
    course = make_course(session)
    learner = make_user(session)
    with pytest.raises(NotRecordable):
        progress.complete_step(session, learner.id, step(session, course, "dasar/kuis"))
    assert progress.complete_step(session, learner.id,
                                  step(session, course, "dasar/pembuka"))
    assert not progress.complete_step(session, learner.id,
                                      step(session, course, "dasar/pembuka"))


def test_a_preview_records_nothing(session):
    course = make_course(session, publish=False)
    owner = make_user(session, roles=Role.TRAINER)
    with pytest.raises(NotRecordable):
        progress.complete_step(session, owner.id, step(session, course, "dasar/pembuka"))
    with pytest.raises(NotRecordable):
        quizzes.begin_attempt(session, owner.id, step(session, course, "dasar/kuis"))
    with pytest.raises(NotRecordable):
        progress.enrol_in(session, owner.id, course)
    assert progress.enrolment_of(session, owner.id, course.id) is None


def test_course_choices_hold_only_what_the_viewer_may_see(session):
    published = make_course(session)
    supervisor = make_user(session, roles=Role.SUPERVISOR)
    admin = make_user(session, roles=Role.ADMIN)
    published.published = False
    session.flush()
    assert visible_course_choices(session, supervisor) == []
    assert visible_course_choices(session, admin) == [(published.id, published.title)]
    with pytest.raises(NotFound):
        course_visible_by_id(session, published.id, supervisor)
    assert course_visible_by_id(session, published.id, admin) is published
