"""The report's per-unit roll-ups always give the figures the rows themselves give."""

from dataclasses import replace
from datetime import UTC, datetime, timedelta

import pytest
from sqlalchemy import delete, insert, update

from app.extensions import db
from app.models import Enrolment, ReportRollup, User
from app.services import progress, reports, rollups
from app.services.reports import Filters
from tests.factories import make_assignment
from tests.seed import seed


@pytest.fixture
def org(session, tmp_path):
    return seed(session, tmp_path)


def figures(session, org, who="sup", **filters):
    """The summary from the roll-ups, and the same summary from the rows (roll-ups hidden)."""
    viewer = session.get(User, org.users[who])
    from_rollups = reports.summary(session, viewer, Filters(**filters), org.calendar)
    assert rollups.built(session)
    session.execute(delete(ReportRollup))
    assert not rollups.built(session)
    from_rows = reports.summary(session, viewer, Filters(**filters), org.calendar)
    session.rollback()
    return from_rollups, from_rows


def assert_same(session, org):
    for who in ("sup", "sup2"):
        for course in (None, *org.courses.values()):
            a, b = figures(session, org, who, course_id=course)
            assert a == b


def test_the_rollups_give_the_rows_figures_for_every_scope_and_course(session, org):
    assert_same(session, org)


def test_every_kind_of_change_reaches_the_rollups_at_commit(session, org):
    # A learner starts a course (a Core INSERT … ON CONFLICT, as the reader does)…
    progress.enrol(session, org.users["citra"], org.courses["A"])
    session.commit()
    assert_same(session, org)
    # …finishes one (the ORM)…
    session.execute(update(Enrolment).where(Enrolment.user_id == org.users["budi"])
                    .values(completed_at=datetime.now(UTC)))
    session.commit()
    assert_same(session, org)
    # …moves to another unit, is deactivated…
    hana = session.get(User, org.users["hana"])
    hana.unit_id = org.units["BIRO-UMUM"]
    session.commit()
    assert_same(session, org)
    session.get(User, org.users["ani"]).active = False
    session.commit()
    assert_same(session, org)
    # …a course becomes mandatory with a due date already past…
    make_assignment(session, org.courses["A"], org.units["DITJEN"],
                    org.calendar.today - timedelta(days=3))
    session.commit()
    assert_same(session, org)
    # …and an enrolment goes.
    session.execute(delete(Enrolment).where(Enrolment.user_id == org.users["fajar"]))
    session.commit()
    assert_same(session, org)


def test_overdue_follows_the_calendar_without_a_recount(session, org):
    viewer = session.get(User, org.users["sup"])
    later = replace(org.calendar, today=org.calendar.today + timedelta(days=30))
    before = reports.summary(session, viewer, Filters(), org.calendar).total.overdue
    after = reports.summary(session, viewer, Filters(), later).total.overdue
    assert after > before  # the assignment due in 10 days is overdue a month later


def test_rows_loaded_around_the_app_are_counted_by_the_command(app, org, session, runner):
    session.commit()
    with db.engine.begin() as conn:  # as the benchmark's COPY or a restore: no ORM, no hooks
        conn.execute(insert(Enrolment).values(user_id=org.users["citra"],
                                              course_id=org.courses["B"],
                                              enrolled_at=datetime(2026, 1, 5, tzinfo=UTC)))
    a, b = figures(session, org)
    assert a != b
    result = runner.invoke(args=["reports", "rollups"])
    assert result.exit_code == 0, result.output
    session.expire_all()
    a, b = figures(session, org)
    assert a == b
