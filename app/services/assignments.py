"""Mandatory courses: assigning a course to a unit subtree with a due date."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date
from functools import cache

from flask_babel import lazy_gettext as _l
from sqlalchemy import ColumnElement, and_, bindparam, func, select
from sqlalchemy.orm import aliased, joinedload

from app.models import Assignment, Course, Enrolment, Role, Unit, User, utcnow
from app.services.audit import record
from app.services.errors import InvalidInput, NotFound
from app.services.scope import scoped_unit_ids, unit_in_scope
from app.services.types import AnySelect, DbSession


def covers(assigned_unit: type[Unit], home_unit: type[Unit]) -> ColumnElement[bool]:
    """An SQL condition: an assignment to `assigned_unit` covers people whose unit is
    `home_unit` (the same unit or one below it, PRODUCT §2). Raises nothing."""
    return home_unit.path.like(assigned_unit.path.concat("%"))


def nearest_due_on(user_id: int) -> AnySelect:
    """A SELECT of (course_id, due): the nearest due date of each course mandatory for one
    learner, through any unit above theirs. Raises nothing."""
    assigned, home = aliased(Unit), aliased(Unit)
    return (
        select(Assignment.course_id, func.min(Assignment.due_on).label("due_on"))
        .join(assigned, assigned.id == Assignment.unit_id)
        .join(home, covers(assigned, home))
        .join(User, User.unit_id == home.id)
        .where(User.id == user_id)
        .group_by(Assignment.course_id)
    )


@dataclass
class MandatoryState:
    due_on: date
    completed: bool

    def overdue(self, today: date) -> bool:
        return not self.completed and self.due_on < today


# Built once, on first use: every course page asks it, and building it cost more than running
# it; built lazily, a process that never shows a course page (the CLI) does not pay for it.
@cache
def _mandatory_state_query() -> AnySelect:
    due = (nearest_due_on(bindparam("user_id"))  # type: ignore[arg-type]
           .where(Assignment.course_id == bindparam("course_id")).subquery())
    return (select(due.c.due_on, Enrolment.completed_at)
            .select_from(due)
            .outerjoin(Enrolment, and_(Enrolment.course_id == due.c.course_id,
                                       Enrolment.user_id == bindparam("user_id"))))


def mandatory_state(session: DbSession, user_id: int, course_id: int) -> MandatoryState | None:
    """The MandatoryState of one course for one learner (its nearest due date, and whether
    they completed it), or None when it is not mandatory for them. One query; raises
    nothing."""
    row = session.execute(_mandatory_state_query(),
                          {"user_id": user_id, "course_id": course_id}).first()
    if row is None:
        return None
    return MandatoryState(row.due_on, row.completed_at is not None)


def assign_course(
    session: DbSession, actor: User, course_id: int, unit_id: int, due_on: date, *, today: date
) -> Assignment:
    """Make a course mandatory for a unit subtree, due on `due_on`; assigning it again moves
    the due date. Returns the Assignment (audited, flushed).

    A supervisor may assign only within their own scope, an admin anywhere (PRODUCT §1).
    Raises NotFound for a unit outside the actor's scope or an unknown or unpublished course,
    Forbidden for someone neither admin nor supervisor (or a supervisor without a unit),
    InvalidInput for a due date before `today` (a local date)."""
    unit = unit_in_scope(session, actor, unit_id)
    course = session.get(Course, course_id)
    if course is None or not course.published:
        raise NotFound(_l("Kursus tidak ditemukan atau belum diterbitkan."))
    if due_on < today:
        raise InvalidInput(_l("Tenggat tidak boleh sebelum hari ini."))
    assignment = session.scalar(
        select(Assignment).where(Assignment.course_id == course.id, Assignment.unit_id == unit.id)
    )
    if assignment is None:
        assignment = Assignment(course=course, unit=unit, due_on=due_on)
        session.add(assignment)
    assignment.due_on, assignment.assigned_by, assignment.assigned_at = due_on, actor.id, utcnow()
    session.flush()
    record(session, actor.id, "assignment.set", f"course:{course.slug}", unit=unit.code,
           due_on=due_on.isoformat())
    return assignment


def assignment_in_scope(session: DbSession, actor: User, assignment_id: int) -> Assignment:
    """The Assignment with this id, when its unit is in the actor's scope. Raises NotFound for
    any other (or none), Forbidden for someone without a scope (scoped_unit_ids)."""
    assignment = session.scalar(
        select(Assignment).where(
            Assignment.id == assignment_id,
            Assignment.unit_id.in_(scoped_unit_ids(session, actor)),
        )
    )
    if assignment is None:
        raise NotFound()
    return assignment


def remove_assignment(session: DbSession, actor: User, assignment_id: int) -> None:
    """Delete an assignment in the actor's units (audited); returns nothing. Raises NotFound
    otherwise, Forbidden for someone without a scope (scoped_unit_ids)."""
    assignment = assignment_in_scope(session, actor, assignment_id)
    record(session, actor.id, "assignment.remove", f"course:{assignment.course.slug}",
           unit=assignment.unit.code, due_on=assignment.due_on.isoformat())
    session.delete(assignment)


def assignments_in_scope(session: DbSession, viewer: User) -> list[Assignment]:
    """The Assignments the viewer may see and change (those of their units), nearest due first.
    Raises Forbidden for someone without a scope (scoped_unit_ids)."""
    query = (
        select(Assignment)
        .options(joinedload(Assignment.course), joinedload(Assignment.unit),
                 joinedload(Assignment.assigner))
        .where(Assignment.unit_id.in_(scoped_unit_ids(session, viewer)))
        .order_by(Assignment.due_on, Assignment.id)
    )
    return list(session.scalars(query))


def can_assign(user: User) -> bool:
    """Whether this user may assign courses: admins and supervisors (PRODUCT §1). Raises
    nothing."""
    return bool(user.roles & (Role.ADMIN | Role.SUPERVISOR))
