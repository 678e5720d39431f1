"""Mandatory courses: who may assign where, who is covered, and what learners see."""

from datetime import date, timedelta

import pytest
from sqlalchemy import event

from app.models import Role, utcnow
from app.services import progress
from app.services.assignments import (
    assign_course,
    assignments_in_scope,
    mandatory_state,
    remove_assignment,
)
from app.services.errors import Forbidden, InvalidInput, NotFound
from tests.factories import make_course, make_enrolment, make_unit, make_user
from tests.seed import second_course

TODAY = date(2026, 6, 15)


@pytest.fixture
def org(session, course_copy):
    units = {code: make_unit(session, code, code, parent).id for code, parent in [
        ("KEMEN", None), ("SETJEN", "KEMEN"), ("BIRO", "SETJEN"), ("DIT", "KEMEN")]}
    course = make_course(session, course_copy())
    people = {
        "sup": make_user(session, roles=Role.SUPERVISOR | Role.LEARNER, unit_code="SETJEN"),
        "admin": make_user(session, roles=Role.ADMIN),
        "staff": make_user(session, unit_code="BIRO"),
        "other": make_user(session, unit_code="DIT"),
        "public": make_user(session),
    }
    return units, course, people


def test_a_supervisor_assigns_only_within_their_scope(session, org):
    units, course, people = org
    assign_course(session, people["sup"], course.id, units["BIRO"], TODAY, today=TODAY)
    for unit in ("DIT", "KEMEN"):
        with pytest.raises(NotFound):
            assign_course(session, people["sup"], course.id, units[unit], TODAY, today=TODAY)
    assign_course(session, people["admin"], course.id, units["DIT"], TODAY, today=TODAY)
    assert [a.unit.code for a in assignments_in_scope(session, people["sup"])] == ["BIRO"]
    assert len(assignments_in_scope(session, people["admin"])) == 2
    dit = next(a for a in assignments_in_scope(session, people["admin"]) if a.unit.code == "DIT")
    with pytest.raises(NotFound):
        remove_assignment(session, people["sup"], dit.id)
    with pytest.raises(Forbidden):
        assign_course(session, people["staff"], course.id, units["BIRO"], TODAY, today=TODAY)


def test_due_dates_cannot_be_in_the_past_and_reassigning_moves_the_date(session, org):
    units, course, people = org
    with pytest.raises(InvalidInput, match="sebelum hari ini"):
        assign_course(session, people["sup"], course.id, units["SETJEN"],
                      TODAY - timedelta(days=1), today=TODAY)
    first = assign_course(session, people["sup"], course.id, units["SETJEN"], TODAY, today=TODAY)
    later = TODAY + timedelta(days=7)
    again = assign_course(session, people["sup"], course.id, units["SETJEN"], later, today=TODAY)
    assert again.id == first.id and again.due_on == later


def test_learners_in_the_subtree_see_it_as_mandatory_and_overdue_when_late(session, org):
    units, course, people = org
    assign_course(session, people["admin"], course.id, units["SETJEN"], TODAY, today=TODAY)
    assign_course(session, people["admin"], course.id, units["BIRO"], TODAY + timedelta(days=9),
                  today=TODAY)
    state = mandatory_state(session, people["staff"].id, course.id)
    assert state.due_on == TODAY  # the nearest of the two
    assert not state.overdue(TODAY) and state.overdue(TODAY + timedelta(days=1))
    assert mandatory_state(session, people["other"].id, course.id) is None
    assert mandatory_state(session, people["public"].id, course.id) is None
    [card] = progress.catalog(session, people["staff"].id)
    assert card.due_on == TODAY and card.overdue(TODAY + timedelta(days=1))
    # Mandatory courses are in "Pembelajaran saya" before the learner opens them.
    assert [c.course.id for c in progress.my_courses(session, people["staff"].id)] == [course.id]
    assert progress.my_courses(session, people["other"].id) == []
    make_enrolment(session, people["staff"].id, course.id, completed_at=utcnow())
    [card] = progress.catalog(session, people["staff"].id)
    assert card.completed and not card.overdue(TODAY + timedelta(days=1))


def test_cards_carry_due_dates_without_a_query_per_card(session, org, tmp_path):
    units, course, people = org
    second = make_course(session, second_course(tmp_path))
    statements = []
    engine = session.get_bind()

    def count(*_args):
        statements.append(1)

    assign_course(session, people["admin"], course.id, units["KEMEN"], TODAY, today=TODAY)
    assign_course(session, people["admin"], second.id, units["BIRO"], TODAY, today=TODAY)
    session.flush()
    event.listen(engine, "before_cursor_execute", count)
    try:
        cards = progress.catalog(session, people["staff"].id)
        mine = progress.my_courses(session, people["staff"].id)
    finally:
        event.remove(engine, "before_cursor_execute", count)
    assert len(statements) == 2
    assert [c.due_on for c in cards] == [TODAY, TODAY] and len(mine) == 2
