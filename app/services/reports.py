"""The supervisor's completion report: SQL aggregates over the viewer's unit subtree.

Each learner × course pair that matters is one row: the learner enrolled in the course, or
the course is mandatory for the learner's unit. Its status is, in this order:
completed (Enrolment.completed_at), overdue (mandatory, past the due date), in progress
(enrolled), not started. Every query here is scoped by app.services.scope.scoped_unit_ids and
does its counting in the database: no Python loop over learners, no query per row.
"""

from __future__ import annotations

from collections.abc import Iterator
from dataclasses import dataclass, field
from datetime import date, datetime
from decimal import Decimal
from typing import Any

from flask_babel import lazy_gettext as _l
from sqlalchemy import (
    CTE,
    ColumnElement,
    Integer,
    Label,
    Subquery,
    and_,
    case,
    func,
    literal,
    or_,
    select,
    union_all,
)
from sqlalchemy.orm import aliased

from app.models import (
    Assignment,
    Course,
    Enrolment,
    JpEntry,
    Lesson,
    QuizAttempt,
    ReportRollup,
    Unit,
    User,
)
from app.services import ledger, rollups
from app.services.assignments import covers
from app.services.courses import course_visible_by_id
from app.services.dates import Calendar
from app.services.errors import InvalidInput
from app.services.paging import PAGE_SIZE, Page, fetch_page
from app.services.scope import learner_in_scope, scoped_unit_ids, unit_in_scope
from app.services.types import AnySelect, DbSession

NOT_STARTED, IN_PROGRESS, COMPLETED, OVERDUE = "not_started", "in_progress", "completed", "overdue"
STATUSES = (NOT_STARTED, IN_PROGRESS, COMPLETED, OVERDUE)
STATUS_LABELS = {
    NOT_STARTED: _l("Belum mulai"),
    IN_PROGRESS: _l("Sedang berjalan"),
    COMPLETED: _l("Selesai"),
    OVERDUE: _l("Terlambat"),
}


@dataclass(frozen=True)
class Filters:
    """What the viewer asked for; every field is optional."""

    unit_id: int | None = None
    course_id: int | None = None
    status: str | None = None
    date_from: date | None = None  # completions on or after this day
    date_to: date | None = None  # completions on or before this day
    page: int = 1

    def __post_init__(self) -> None:
        if self.status is not None and self.status not in STATUSES:
            raise InvalidInput(_l("Status tidak dikenal."))
        if self.date_from and self.date_to and self.date_from > self.date_to:
            raise InvalidInput(_l("Tanggal awal periode harus sebelum tanggal akhirnya."))
        if self.page < 1:
            raise InvalidInput(_l("Nomor halaman tidak valid."))


@dataclass
class Counts:
    """Learner × course figures of one unit, one course, or everything."""

    learners: int = 0
    rows: int = 0
    enrolled: int = 0
    completed: int = 0
    overdue: int = 0

    @property
    def rate(self) -> int:
        """Completed share of the rows (enrolled or mandatory), in whole percent."""
        return round(100 * self.completed / self.rows) if self.rows else 0


@dataclass
class UnitLine:
    unit_id: int
    code: str
    name: str
    depth: int
    counts: Counts


@dataclass
class CourseLine:
    course_id: int
    title: str
    jp: Decimal
    mandatory: int
    counts: Counts


@dataclass
class Summary:
    units: list[UnitLine]
    courses: list[CourseLine]
    total: Counts = field(default_factory=Counts)


@dataclass
class StatusRow:
    """One line of the report and of its exports."""

    user_id: int
    name: str
    nip: str | None
    unit: str
    course: str
    jp: Decimal
    status: str
    enrolled_at: datetime | None
    completed_at: datetime | None
    due_on: date | None
    jp_this_year: Decimal
    # This year's credited JP by source, from the ledger (their sum is jp_this_year).
    jp_course: Decimal = Decimal(0)
    jp_session: Decimal = Decimal(0)
    jp_claim: Decimal = Decimal(0)


@dataclass
class JpLine:
    user_id: int
    name: str
    nip: str | None
    unit: str
    jp_this_year: Decimal
    jp_course: Decimal = Decimal(0)
    jp_session: Decimal = Decimal(0)
    jp_claim: Decimal = Decimal(0)
    # Outside training waiting for a decision: shown apart, not counted.
    jp_pending: Decimal = Decimal(0)


def _scope(session: DbSession, viewer: User, filters: Filters) -> AnySelect:
    """The unit ids to report on: the viewer's scope, narrowed to the chosen unit's subtree."""
    if filters.course_id is not None:
        # Only a course the viewer may see (a draft is its trainer's and admins'): NotFound.
        course_visible_by_id(session, filters.course_id, viewer)
    if filters.unit_id is None:
        return scoped_unit_ids(session, viewer)
    unit = unit_in_scope(session, viewer, filters.unit_id)
    return select(Unit.id).where(Unit.path.like(f"{unit.path}%"))


def _status_rows(
    scope: AnySelect, filters: Filters, cal: Calendar, user_id: int | None = None
) -> CTE:
    """CTE of learner × course rows: user_id, unit_id, course_id, dates, mandatory due, status."""
    people: list[ColumnElement[bool]] = [User.active.is_(True), User.unit_id.in_(scope)]
    if user_id is not None:
        people.append(User.id == user_id)
    assigned, home = aliased(Unit), aliased(Unit)
    mandatory_q = (
        select(User.id.label("user_id"), Assignment.course_id.label("course_id"),
               func.min(Assignment.due_on).label("due_on"))
        .join(home, home.id == User.unit_id)
        .join(assigned, covers(assigned, home))
        .join(Assignment, Assignment.unit_id == assigned.id)
        .where(*people)
        .group_by(User.id, Assignment.course_id)
    )
    enrolled = select(Enrolment.user_id, Enrolment.course_id).join(
        User, User.id == Enrolment.user_id).where(*people)
    if filters.course_id is not None:
        mandatory_q = mandatory_q.where(Assignment.course_id == filters.course_id)
        enrolled = enrolled.where(Enrolment.course_id == filters.course_id)
    mandatory = mandatory_q.cte("mandatory")
    unenrolled = select(mandatory.c.user_id, mandatory.c.course_id).where(~(
        select(Enrolment.id).where(Enrolment.user_id == mandatory.c.user_id,
                                   Enrolment.course_id == mandatory.c.course_id).exists()))
    pairs = union_all(enrolled, unenrolled).subquery("pairs")
    status = case(
        (Enrolment.completed_at.is_not(None), COMPLETED),
        (mandatory.c.due_on < cal.today, OVERDUE),
        (Enrolment.id.is_not(None), IN_PROGRESS),
        else_=NOT_STARTED,
    )
    rows = (
        select(
            pairs.c.user_id, pairs.c.course_id, User.unit_id, Enrolment.enrolled_at,
            Enrolment.completed_at, mandatory.c.due_on, status.label("status"),
        )
        .select_from(pairs)
        .join(User, User.id == pairs.c.user_id)
        .outerjoin(Enrolment, and_(Enrolment.user_id == pairs.c.user_id,
                                   Enrolment.course_id == pairs.c.course_id))
        .outerjoin(mandatory, and_(mandatory.c.user_id == pairs.c.user_id,
                                   mandatory.c.course_id == pairs.c.course_id))
    )
    # The period picks completions; unfinished work is always shown.
    if filters.date_from is not None:
        rows = rows.where(or_(Enrolment.completed_at.is_(None),
                              Enrolment.completed_at >= cal.start_of(filters.date_from)))
    if filters.date_to is not None:
        rows = rows.where(or_(Enrolment.completed_at.is_(None),
                              Enrolment.completed_at < cal.end_of(filters.date_to)))
    return rows.cte("status_rows")


def _jp_this_year(scope: AnySelect, cal: Calendar) -> Subquery:
    """Subquery: this (local) year's JP per learner from the ledger: jp_course, jp_session,
    jp_claim, jp_total (credited) and jp_pending."""
    return ledger.totals_by_user(cal.today.year, ledger.people_in_units(scope))


def _counting(rows: CTE) -> tuple[Label[Any], ...]:
    def count_status(name: str) -> ColumnElement[Any]:
        return func.coalesce(func.sum(case((rows.c.status == name, 1), else_=0)), 0)

    return (
        func.count().label("rows"),
        func.count(rows.c.enrolled_at).label("enrolled"),
        count_status(COMPLETED).label("completed"),
        count_status(OVERDUE).label("overdue"),
    )


def _rollup_grid(scope: AnySelect, filters: Filters, cal: Calendar) -> AnySelect:
    """The same grid as a grouped pass over the status rows, summed from the roll-ups
    (app/services/rollups.py): unit, course, mandatory, rows, enrolled, completed, overdue."""
    r = ReportRollup
    due = r.due_on.is_not(None)
    query = select(
        r.unit_id, r.course_id, case((due, r.rows), else_=0), r.rows, r.enrolled, r.completed,
        case((and_(due, r.due_on < cal.today), r.rows - r.completed), else_=0),
    ).where(r.unit_id.in_(scope))
    if filters.course_id is not None:
        query = query.where(r.course_id == filters.course_id)
    return query


def summary(session: DbSession, viewer: User, filters: Filters, cal: Calendar) -> Summary:
    """A Summary per unit, per course and overall: learners, rows, enrolled, completed, overdue.

    From the per-unit roll-ups when no period is chosen, else one pass over the status rows,
    grouped by unit and course; the rest are sums of that. Raises Forbidden for a viewer with
    no scope, NotFound for a unit or course filter outside it (see _scope)."""
    scope = _scope(session, viewer, filters)
    if filters.date_from is None and filters.date_to is None and rollups.built(session):
        grid = session.execute(_rollup_grid(scope, filters, cal)).all()
    else:
        rows = _status_rows(scope, filters, cal)
        grid = session.execute(
            select(rows.c.unit_id, rows.c.course_id, func.count(rows.c.due_on),
                   *_counting(rows))
            .group_by(rows.c.unit_id, rows.c.course_id)
        ).all()
    people = (
        select(User.unit_id, func.count().label("learners"))
        .where(User.active.is_(True), User.unit_id.in_(scope))
        .group_by(User.unit_id)
        .subquery("people")
    )
    unit_rows = session.execute(
        select(Unit.id, Unit.code, Unit.name, Unit.path,
               func.coalesce(people.c.learners, literal(0, Integer)))
        .outerjoin(people, people.c.unit_id == Unit.id)
        .where(Unit.id.in_(scope))
        .order_by(Unit.path)
    ).all()
    per_unit: dict[int, list[int]] = {}
    per_course: dict[int, list[int]] = {}
    for unit_id, course_id, mandatory, n, enrolled, done, late in grid:
        u = per_unit.setdefault(unit_id, [0, 0, 0, 0])
        c = per_course.setdefault(course_id, [0, 0, 0, 0, 0])
        for i, v in enumerate((n, enrolled, done, late)):
            u[i] += int(v)
            c[i] += int(v)
        c[4] += int(mandatory)
    top = min((path.count("/") for _id, _c, _n, path, _l in unit_rows), default=2)
    units = [
        UnitLine(uid, code, name, path.count("/") - top,
                 Counts(int(learners), *per_unit.get(uid, [0, 0, 0, 0])))
        for uid, code, name, path, learners in unit_rows
    ]
    titles = session.execute(
        select(Course.id, Course.title, Course.jp).where(Course.id.in_(per_course))
        .order_by(Course.title)).all()
    courses = [
        CourseLine(cid, title, jp, per_course[cid][4],
                   Counts(per_course[cid][0], *per_course[cid][:4]))
        for cid, title, jp in titles
    ]
    learners_total = sum(int(line.counts.learners) for line in units)
    total = Counts(learners_total, *(sum(u[i] for u in per_unit.values()) for i in range(4)))
    return Summary(units, courses, total)


def _rows_query(
    scope: AnySelect, filters: Filters, cal: Calendar, user_id: int | None = None
) -> tuple[AnySelect, CTE]:
    rows = _status_rows(scope, filters, cal, user_id)
    jp_year = _jp_this_year(scope, cal)
    query = (
        select(
            rows.c.user_id, User.name, User.nip, Unit.name.label("unit"),
            Course.title.label("course"), Course.jp, rows.c.status, rows.c.enrolled_at,
            rows.c.completed_at, rows.c.due_on,
            ledger.zero_or(jp_year.c.jp_total).label("jp_this_year"),
            ledger.zero_or(jp_year.c.jp_course), ledger.zero_or(jp_year.c.jp_session),
            ledger.zero_or(jp_year.c.jp_claim),
        )
        .select_from(rows)
        .join(User, User.id == rows.c.user_id)
        .join(Unit, Unit.id == rows.c.unit_id)
        .join(Course, Course.id == rows.c.course_id)
        .outerjoin(jp_year, jp_year.c.user_id == rows.c.user_id)
    )
    if filters.status is not None:
        query = query.where(rows.c.status == filters.status)
    return query, rows


def _status_row(row: Any) -> StatusRow:
    return StatusRow(*row)


def status_rows(
    session: DbSession, viewer: User, filters: Filters, cal: Calendar, per_page: int | None = None
) -> Page[StatusRow]:
    """A Page of StatusRows (learner × course), `per_page` of them (default PAGE_SIZE), by unit,
    name and course, with the total. Two queries. Raises as summary does."""
    query, _rows = _rows_query(_scope(session, viewer, filters), filters, cal)
    return fetch_page(session, query.order_by(Unit.path, User.name, User.id, Course.title),
                      filters.page, per_page or PAGE_SIZE).map(_status_row)


def export_rows(
    session: DbSession, viewer: User, filters: Filters, cal: Calendar, batch: int = 500
) -> Iterator[StatusRow]:
    """Every StatusRow the filters select, streamed from a server-side cursor `batch` at a time.

    The scope is checked now, before the first row is asked for, so a refusal (Forbidden,
    NotFound, as in summary) can still become an error page rather than a broken download.
    Raises Forbidden for a viewer without a report scope, NotFound for a course or unit
    they may not see."""
    query, _rows = _rows_query(_scope(session, viewer, filters), filters, cal)
    query = query.order_by(Unit.path, User.name, User.id, Course.title)

    def stream() -> Iterator[StatusRow]:
        result = session.execute(query.execution_options(yield_per=batch))
        try:
            for row in result:
                yield _status_row(row)
        finally:
            result.close()

    return stream()


@dataclass
class QuizScore:
    course: str
    quiz: str
    best: Decimal
    attempts: int
    passed: bool


@dataclass
class LearnerReport:
    learner: User
    rows: list[StatusRow]
    jp: ledger.JpTotals
    target: int
    quiz_scores: list[QuizScore] = field(default_factory=list)
    # This year's ledger entries, every source and status.
    entries: list[JpEntry] = field(default_factory=list)

    @property
    def jp_this_year(self) -> Decimal:
        return self.jp.total

    @property
    def below_target(self) -> bool:
        return self.jp_this_year < self.target


def learner_report(
    session: DbSession, viewer: User, user_id: int, cal: Calendar, target: int
) -> LearnerReport:
    """A LearnerReport: one learner's courses and statuses, JP this year by source with the
    target (PRODUCT §2), best quiz scores and this year's ledger entries. Raises NotFound for
    a learner outside the viewer's scope, Forbidden for a viewer with none."""
    learner = learner_in_scope(session, viewer, user_id)
    scope = select(literal(learner.unit_id))
    query, _rows = _rows_query(scope, Filters(), cal, user_id=learner.id)
    rows = [_status_row(r) for r in session.execute(query.order_by(Course.title))]
    year = cal.today.year
    return LearnerReport(learner, rows, ledger.year_totals(session, learner.id, year), target,
                         _best_quiz_scores(session, learner.id),
                         ledger.entries(session, learner.id, year))


def _best_quiz_scores(session: DbSession, user_id: int) -> list[QuizScore]:
    """Each quiz the learner has taken: best score, attempts, passed. One aggregate query."""
    passed = func.max(case((QuizAttempt.passed.is_(True), 1), else_=0))
    query = (
        select(Course.title, Lesson.title, func.max(QuizAttempt.score), func.count(), passed)
        .join(Lesson, Lesson.id == QuizAttempt.quiz_id)
        .join(Course, Course.id == Lesson.course_id)
        .where(QuizAttempt.user_id == user_id, QuizAttempt.submitted_at.is_not(None))
        .group_by(Course.title, Lesson.title, Lesson.position)
        .order_by(Course.title, Lesson.position)
    )
    return [QuizScore(c, q, best, int(n), bool(ok)) for c, q, best, n, ok in session.execute(query)]


def below_target(
    session: DbSession, viewer: User, filters: Filters, cal: Calendar, target: int
) -> Page[JpLine]:
    """A Page of learners whose credited JP this year (ledger) are below the target, fewest
    first, with their JP by source and the claims still pending (not counted, PRODUCT §8).
    Two queries. Raises as summary does."""
    scope = _scope(session, viewer, filters)
    jp_year = _jp_this_year(scope, cal)
    jp = ledger.zero_or(jp_year.c.jp_total)
    query = (
        select(User.id, User.name, User.nip, Unit.name, jp.label("jp"),
               ledger.zero_or(jp_year.c.jp_course), ledger.zero_or(jp_year.c.jp_session),
               ledger.zero_or(jp_year.c.jp_claim), ledger.zero_or(jp_year.c.jp_pending))
        .join(Unit, Unit.id == User.unit_id)
        .outerjoin(jp_year, jp_year.c.user_id == User.id)
        .where(User.active.is_(True), User.unit_id.in_(scope), jp < target)
    )
    page = fetch_page(session, query.order_by(jp, Unit.path, User.name, User.id), filters.page)
    return page.map(lambda row: JpLine(row[0], row[1], row[2], row[3],
                                       *(Decimal(v) for v in row[4:])))
