"""The report's per-unit roll-ups always give the figures the rows themselves give."""

import threading
from dataclasses import replace
from datetime import UTC, datetime, timedelta

import pytest
from sqlalchemy import delete, insert, update

from app.extensions import db
from app.models import Enrolment, ReportRollup, User
from app.services import progress, reports, rollups
from app.services.reports import Filters
from tests.factories import make_assignment, make_user
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


def test_a_learners_own_progress_is_counted_without_a_recount(session, org, monkeypatch):
    """Starting and finishing a course add to one roll-up row; no unit is recounted."""
    recounts = []
    real_refresh = rollups.refresh
    monkeypatch.setattr(rollups, "refresh", lambda s, units=None: (
        recounts.append(units), real_refresh(s, units))[1])
    progress.enrol(session, org.users["citra"], org.courses["A"])  # a first enrolment
    progress.enrol(session, org.users["citra"], org.courses["A"])  # a duplicate: no change
    progress.enrol(session, org.users["hana"], org.courses["A"])   # mandatory for her unit
    progress.enrol(session, org.users["eko"], org.courses["B"])    # deactivated: not counted
    progress.enrol(session, org.users["gita"], org.courses["B"])   # no unit: not counted
    session.commit()
    assert_same(session, org)
    assert progress.record_completion(session, org.users["citra"], org.courses["A"])
    assert progress.record_completion(session, org.users["budi"], org.courses["A"])
    session.commit()
    assert_same(session, org)
    assert recounts == []


def test_before_the_first_count_the_learners_events_write_no_partial_rollups(session, org):
    session.execute(delete(ReportRollup))  # a database just upgraded: never counted
    session.commit()
    progress.enrol(session, org.users["citra"], org.courses["B"])
    progress.record_completion(session, org.users["budi"], org.courses["A"])
    hana = session.get(User, org.users["hana"])
    hana.unit_id = org.units["BIRO-UMUM"]  # a staff change recounts a unit…
    session.commit()
    assert not rollups.built(session)  # …but not into an empty table, which would look complete


def test_learners_of_one_unit_finishing_at_once_are_all_counted(app, session, org):
    """Concurrent requests (own sessions and connections) on one unit's roll-up row: no error,
    no lost count. Meaningful on PostgreSQL (CI); SQLite simply queues the writers."""
    learners = [make_user(session, unit_code="BIRO-SDM").id for _ in range(8)]
    session.commit()
    barrier = threading.Barrier(len(learners))
    failures = []

    def finish(user_id):
        with app.app_context():
            try:
                barrier.wait()
                progress.enrol(db.session, user_id, org.courses["B"])
                progress.record_completion(db.session, user_id, org.courses["B"])
                db.session.commit()
            except Exception as error:  # noqa: BLE001 (collected and asserted below)
                failures.append(error)
            finally:
                db.session.remove()

    threads = [threading.Thread(target=finish, args=(uid,)) for uid in learners]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join(30)
    assert failures == []
    session.expire_all()
    assert_same(session, org)



@pytest.mark.parametrize("change", ["move", "deactivate"])
@pytest.mark.parametrize("event", ["enrol", "complete"])
def test_a_learner_moved_or_deactivated_mid_request_is_counted_where_they_are(
        app, session, org, change, event):
    """An admin moves a learner to another unit (or deactivates them) while the learner's
    enrolment or completion is still in its transaction: the figures still equal the rows.
    Without a lock on the learner's row, the learner's count landed in the old unit while the
    admin's recount of the units could not see the uncommitted change (PostgreSQL only:
    SQLite runs one writer at a time, so it cannot interleave them)."""
    if db.engine.dialect.name != "postgresql":
        pytest.skip("needs concurrent writers (PostgreSQL)")
    learner = make_user(session, unit_code="BIRO-SDM").id
    session.commit()
    if event == "complete":
        progress.enrol(session, learner, org.courses["B"])
        session.commit()
    failures = []

    def admin_changes():
        with app.app_context():
            try:
                user = db.session.get(User, learner)
                if change == "move":
                    user.unit_id = org.units["BIRO-UMUM"]
                else:
                    user.active = False
                db.session.commit()
            except Exception as error:  # noqa: BLE001 (collected and asserted below)
                failures.append(error)
            finally:
                db.session.remove()

    with app.app_context():
        if event == "enrol":
            progress.enrol(db.session, learner, org.courses["B"])  # not committed yet
        else:
            progress.record_completion(db.session, learner, org.courses["B"])
        admin = threading.Thread(target=admin_changes)
        admin.start()
        # The admin's commit recounts the units, or waits for a lock of ours (2 s pass).
        admin.join(2)
        db.session.commit()
        db.session.remove()
    admin.join(30)
    assert failures == []
    session.expire_all()
    assert_same(session, org)
