"""Per-unit roll-ups of the completion report, kept up to date at each commit.

The report summary over a whole ministry would otherwise walk every learner × course row on
each view (linear in learners: ≈ 180 ms at 50,000, seconds at 500,000). `report_rollup` holds,
per unit and course, the counts of those rows over the unit's own active members; a summary
then sums a few thousand small rows for the viewer's subtree (`reports.summary`).

Kept current on write, in the same transaction, two ways:

- the learner's own events, which happen all day long (a first enrolment, a course completed),
  add one to their unit's row with a single UPDATE or upsert (`count_enrolment`,
  `count_completion`, called by services/progress). Concurrent learners of one unit then only
  queue for that row's lock for the rest of their short transactions;
- everything else that changes the counts (a user's unit or active flag, an assignment, the
  unit tree, an enrolment changed any other way) recounts the units concerned just before the
  commit (`refresh`), all of them for an assignment or the tree. These are rare staff actions.

Until the roll-ups have been counted once (a database upgraded with learners in it), neither
way writes anything, so a report never sums a partial table: it reads the rows themselves
until `flask reports rollups` has run. Bulk loads that bypass the ORM (the benchmark's COPY, a
restore) run that command afterwards too.
The period filter ("Dari"/"Sampai") needs each row's completion date, so a summary with a
period still reads the rows themselves.
"""

from __future__ import annotations

from collections.abc import Iterable
from datetime import date
from typing import Any

from sqlalchemy import case, delete, event, func, insert, inspect, literal, select, update
from sqlalchemy.orm import ORMExecuteState, Session

from app.models import Assignment, Enrolment, ReportRollup, Unit, User
from app.services.types import DbSession, upsert_dialect

ALL = "all"
_KEY = "rollup_units"
# Execution option of a statement whose effect on the roll-ups its caller counts itself.
COUNTED = {"rollup_counted": True}


def refresh(session: DbSession, unit_ids: Iterable[int] | None = None) -> None:
    """Recount the roll-up rows of these units (None: every unit) from the live rows, with the
    same rules as reports._status_rows: a unit's active members × (their enrolments ∪ the
    courses assigned to the unit or above it). Three indexed queries over the units' own
    members, so a learner's commit recounts one unit in milliseconds. Runs in the caller's
    transaction. Raises nothing."""
    ids = None if unit_ids is None else sorted(set(unit_ids))
    if ids == []:
        return
    members = select(User.unit_id, func.count()).where(User.active.is_(True)).group_by(
        User.unit_id)
    enrolled = (
        select(User.unit_id, Enrolment.course_id, func.count(),
               func.count(Enrolment.completed_at))
        .join(User, User.id == Enrolment.user_id)
        .where(User.active.is_(True))
        .group_by(User.unit_id, Enrolment.course_id)
    )
    units = select(Unit.id, Unit.path)
    if ids is not None:
        members = members.where(User.unit_id.in_(ids))
        enrolled = enrolled.where(User.unit_id.in_(ids))
        units = units.where(Unit.id.in_(ids))
    headcount = {unit: n for unit, n in session.execute(members) if unit is not None}
    paths = dict(session.execute(units).all())
    # Due date per unit and course: the earliest assignment on the unit or any unit above it.
    due: dict[tuple[int, int], date] = {}
    assignments = session.execute(
        select(Unit.path, Assignment.course_id, Assignment.due_on)
        .join(Unit, Unit.id == Assignment.unit_id)).all()
    for unit, path in paths.items():
        for above, course, due_on in assignments:
            if path.startswith(above):
                key = (unit, course)
                due[key] = min(due_on, due.get(key, due_on))
    counts: dict[tuple[int, int], list[int]] = {}
    for unit_id, course, n, done in session.execute(enrolled):
        if unit_id in paths:
            counts[(unit_id, course)] = [int(n), int(done)]
    lines = []
    for key in set(counts) | {k for k in due if headcount.get(k[0])}:
        n, done = counts.get(key, [0, 0])
        rows = headcount.get(key[0], 0) if key in due else n
        if rows:
            lines.append({"unit_id": key[0], "course_id": key[1], "due_on": due.get(key),
                          "rows": rows, "enrolled": n, "completed": done})
    stale = delete(ReportRollup)
    if ids is not None:
        stale = stale.where(ReportRollup.unit_id.in_(ids))
    session.execute(stale)
    if lines:
        session.execute(insert(ReportRollup), lines)


def count_enrolment(session: DbSession, user_id: int, course_id: int) -> None:
    """Count one new enrolment of `user_id` in `course_id` in the roll-up of the learner's unit.

    Call it only when the enrolment row was really inserted (not on a duplicate). One upsert:
    `enrolled` + 1, and `rows` + 1 unless the course is mandatory for the unit (then every
    member is already a row). Nothing for a learner without a unit or deactivated (the report
    leaves them out), nor before the roll-ups are built (`built`). Raises nothing.
    """
    if not built(session):
        return
    dialect = upsert_dialect(session)
    r = ReportRollup.__table__.c
    # FOR SHARE on the learner's row: an admin moving or deactivating them waits for this
    # transaction, so their recount of the units sees this enrolment (and if they came
    # first, this reads the learner's new unit). Without it the count could land in the old
    # unit while the recount missed it.
    learner = select(User.unit_id, literal(course_id), literal(1), literal(1), literal(0)).where(
        User.id == user_id, User.active.is_(True), User.unit_id.is_not(None)
    ).with_for_update(read=True)
    upsert = dialect.insert(ReportRollup).from_select(
        ["unit_id", "course_id", "rows", "enrolled", "completed"], learner)
    session.execute(upsert.on_conflict_do_update(
        index_elements=[r.unit_id, r.course_id],
        set_={"enrolled": r.enrolled + 1,
              # an optional course's rows are its enrolments; a mandatory one's, every member
              "rows": r.rows + case((r.due_on.is_(None), 1), else_=0)},
    ).execution_options(**COUNTED))


def count_completion(session: DbSession, user_id: int, course_id: int) -> None:
    """Count one more completed enrolment of `user_id` in `course_id` in their unit's roll-up.

    Call it only when the enrolment went from not completed to completed. One UPDATE of one
    row; nothing for a learner without a unit or deactivated, or when the row is missing (the
    roll-ups are not built yet). Raises nothing.
    """
    # FOR SHARE, as in count_enrolment: a concurrent move of the learner waits for us.
    unit = select(User.unit_id).where(User.id == user_id, User.active.is_(True)) \
        .with_for_update(read=True)
    session.execute(
        update(ReportRollup)
        .where(ReportRollup.unit_id == unit.scalar_subquery(),
               ReportRollup.course_id == course_id)
        .values(completed=ReportRollup.completed + 1)
        .execution_options(synchronize_session=False, **COUNTED))


def built(session: DbSession) -> bool:
    """Whether the roll-ups hold anything (a database upgraded with learners in it has none
    until `flask reports rollups`; the summary then reads the rows themselves). Raises
    nothing."""
    return session.scalar(select(ReportRollup.unit_id).limit(1)) is not None


def _mark(session: DbSession, units: Any) -> None:
    marked = session.info.setdefault(_KEY, set())
    if units == ALL:
        session.info[_KEY] = ALL
    elif marked != ALL:
        marked.update(u for u in units if u is not None)


@event.listens_for(Session, "after_flush")
def _collect(session: Session, _context: object) -> None:
    user_ids: set[int] = set()
    units: set[int] = set()
    for obj in (*session.new, *session.dirty, *session.deleted):
        if isinstance(obj, Enrolment):
            user_ids.add(obj.user_id)
        elif isinstance(obj, User):
            state = inspect(obj)
            unit_history = state.attrs.unit_id.history
            if obj in session.new or obj in session.deleted or unit_history.has_changes() \
                    or state.attrs.active.history.has_changes():
                units.update(v for v in (*unit_history.added, *unit_history.deleted,
                                         *unit_history.unchanged) if v is not None)
        elif isinstance(obj, Assignment | Unit):
            if isinstance(obj, Unit) and obj in session.new:
                continue  # a new unit has no members yet
            _mark(session, ALL)
            return
    if user_ids:
        units.update(session.scalars(select(User.unit_id).where(User.id.in_(user_ids))))
    if units:
        _mark(session, units)


@event.listens_for(Session, "do_orm_execute")
def _collect_statements(state: ORMExecuteState) -> None:
    if not (state.is_insert or state.is_update or state.is_delete):
        return
    if state.execution_options.get("rollup_counted"):
        return  # its caller counted it (count_enrolment, count_completion)
    classes = {m.class_ for m in (state.all_mappers or ())}
    if Enrolment in classes:
        values = {getattr(k, "key", k): getattr(v, "value", None)
                  for k, v in (getattr(state.statement, "_values", None) or {}).items()}
        user_id = values.get("user_id")
        if state.is_insert and isinstance(user_id, int):
            state.session.info.setdefault("rollup_users", set()).add(user_id)
        else:
            _mark(state.session, ALL)
    elif User in classes and state.is_update:
        changed = {getattr(k, "key", k) for k in (getattr(state.statement, "_values", None) or {})}
        if changed & {"unit_id", "active"}:
            _mark(state.session, ALL)
    elif classes & {Assignment, Unit, User}:
        _mark(state.session, ALL)


@event.listens_for(Session, "before_commit")
def _refresh_before_commit(session: Session) -> None:
    if session.new or session.deleted or session.dirty:
        session.flush()  # the commit's own flush comes after this hook: collect its changes
    if not (session.info.get(_KEY) or session.info.get("rollup_users")):
        return
    users = session.info.pop("rollup_users", None)
    if users:
        _mark(session, set(session.scalars(select(User.unit_id).where(User.id.in_(users)))))
    units = session.info.pop(_KEY, None)
    if units == ALL:
        refresh(session)
    elif units and built(session):  # a partial recount of an empty table would look complete
        refresh(session, units)


@event.listens_for(Session, "after_soft_rollback")
def _forget(session: Session, _previous: object) -> None:
    session.info.pop(_KEY, None)
    session.info.pop("rollup_users", None)
