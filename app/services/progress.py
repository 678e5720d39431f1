"""Enrolment and lesson progress: what a learner has opened, finished and where to resume."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date, datetime
from decimal import Decimal
from functools import cache
from typing import Any, cast

from flask_babel import lazy_gettext as _l
from sqlalchemy import (
    ScalarSelect,
    Table,
    and_,
    bindparam,
    case,
    func,
    join,
    literal,
    or_,
    select,
    update,
)
from sqlalchemy.orm import aliased, defer

from app import autocommit_reads
from app.models import (
    Assignment,
    Course,
    Enrolment,
    JpEntry,
    Lesson,
    LessonProgress,
    LoginSession,
    Module,
    Unit,
    User,
    utcnow,
)
from app.services import certificates, ledger, rollups, user_cache
from app.services.assignments import covers
from app.services.courses import NotRecordable, check_recordable
from app.services.sessions import SessionKey
from app.services.types import AnySelect, DbSession, rowcount, upsert_dialect

__all__ = ["NotRecordable"]


@cache
def _insert_or_nothing(dialect: Any, model: Any, columns: tuple[str, ...]) -> Any:
    # Built once per dialect, table and columns, with bound parameters: building it on every
    # call cost more than running it. On the Table, not the ORM class: given its parameters
    # as a dict, an ORM insert takes the ORM's bulk path. RETURNING rather than rowcount.
    return (dialect.insert(model.__table__).values({c: bindparam(c) for c in columns})
            .on_conflict_do_nothing().returning(literal(1))
            .execution_options(**rollups.COUNTED))


def _insert_ignoring_duplicates(session: DbSession, model: Any, **values: Any) -> bool:
    """INSERT … ON CONFLICT DO NOTHING: safe when two requests race to create the same row.
    True when this call inserted it. Enrolments it inserts are counted in the report roll-ups by
    the caller (`enrol`), not recounted at commit."""
    statement = _insert_or_nothing(upsert_dialect(session), model, tuple(values))
    return session.execute(statement, values).first() is not None


@cache
def _open_and_complete(dialect: Any) -> Any:
    # Opened (when it was not yet) and completed (when it was not yet) in one upsert; a row
    # comes back only when this call completed the step. Built once per dialect.
    table = cast(Table, LessonProgress.__table__)  # a Table: see _insert_or_nothing
    row = dialect.insert(table).values(
        {c: bindparam(c) for c in ("user_id", "lesson_id", "opened_at", "completed_at",
                                   "completed_on_device_at")})
    return row.on_conflict_do_update(
        index_elements=[table.c.user_id, table.c.lesson_id],
        set_={"completed_at": row.excluded.completed_at,
              "completed_on_device_at": row.excluded.completed_on_device_at},
        where=table.c.completed_at.is_(None),
    ).returning(literal(1))


_ENROLMENT = select(Enrolment).where(Enrolment.user_id == bindparam("user_id"),
                                     Enrolment.course_id == bindparam("course_id"))


def enrolment_of(session: DbSession, user_id: int, course_id: int) -> Enrolment | None:
    """The learner's Enrolment in the course, or None. Raises nothing."""
    return session.scalar(_ENROLMENT, {"user_id": user_id, "course_id": course_id})


def enrol_in(session: DbSession, user_id: int, course: Course) -> Enrolment:
    """Enrol the learner in a published course (again: no change) and return the enrolment.

    Raises NotRecordable for an unpublished course: previews record nothing.
    """
    if not course.published:
        raise NotRecordable(_l("Pratinjau kursus tidak mencatat kemajuan."))
    enrol(session, user_id, course.id)
    enrolment = enrolment_of(session, user_id, course.id)
    if enrolment is None:  # cannot be: enrol() just inserted it, or it was there already
        raise LookupError(f"no enrolment of user {user_id} in course {course.id}")
    return enrolment


def complete_step(
    session: DbSession, user_id: int, lesson: Lesson,
    completed_on_device_at: datetime | None = None,
) -> bool:
    """A learner ticks a lesson off: complete_lesson after the rules of check_recordable.
    Returns False when it was already done.

    `completed_on_device_at`: the phone's time of an offline completion (see complete_lesson).
    Raises NotRecordable for a quiz (it completes by being passed) or a preview."""
    check_recordable(lesson)
    return complete_lesson(session, user_id, lesson, completed_on_device_at)


def enrol(session: DbSession, user_id: int, course_id: int) -> None:
    """Enrol a learner in a course; enrolling twice changes nothing. Returns nothing, raises
    nothing."""
    if _insert_ignoring_duplicates(
        session, Enrolment, user_id=user_id, course_id=course_id, enrolled_at=utcnow()
    ):
        rollups.count_enrolment(session, user_id, course_id)


def record_opening(session: DbSession, user_id: int, lesson: Lesson | ReaderLesson) -> None:
    """Remember that the learner reached this lesson (the first opening only). Returns nothing,
    raises nothing."""
    enrol(session, user_id, lesson.course_id)
    _insert_ignoring_duplicates(
        session, LessonProgress, user_id=user_id, lesson_id=lesson.id, opened_at=utcnow()
    )


def learner_time(
    session: DbSession, user_id: int, course_id: int, claimed: datetime | None,
    now: datetime | None = None,
) -> datetime | None:
    """The time a learner says they finished something on their phone, made trustworthy.

    `claimed` (aware datetime) comes from the device clock: it is clamped to never be in the
    future (server `now`) and never before the learner's enrolment in the course. None
    stays None (an online action: the server's own time is the learner's time).
    Source: issue 11 ("never in the future, never before the enrolment"). Raises nothing.
    """
    if claimed is None:
        return None
    now = now or utcnow()
    enrolment = enrolment_of(session, user_id, course_id)
    floor = enrolment.enrolled_at if enrolment else now
    return max(floor, min(claimed, now))


def complete_lesson(
    session: DbSession, user_id: int, lesson: Lesson,
    completed_on_device_at: datetime | None = None,
) -> bool:
    """Mark a step done (a quiz: when passed) and complete the course when it was the last.

    `completed_on_device_at` is the learner's own time for a completion made offline and
    synced later (aware datetime, clamped by `learner_time`); the server's time is kept as well,
    and the course's JP go to the year of the learner's time. Returns False when it was
    already done: a replay is a no-op. Raises nothing; callers apply check_recordable."""
    enrol(session, user_id, lesson.course_id)
    now = utcnow()
    on_device = learner_time(session, user_id, lesson.course_id, completed_on_device_at, now)
    completed_now = session.execute(_open_and_complete(upsert_dialect(session)), {
        "user_id": user_id, "lesson_id": lesson.id, "opened_at": now, "completed_at": now,
        "completed_on_device_at": on_device}).first()
    if completed_now is None:
        return False
    complete_course_if_done(session, user_id, lesson.course_id, learner_at=on_device)
    return True


def complete_course_if_done(
    session: DbSession, user_id: int, course_id: int, learner_at: datetime | None = None,
) -> bool:
    """The `all` rule (PRODUCT §3): every live lesson done and every quiz passed. Recorded once,
    with the JP of that moment, credited to the year of completion (the learner's time when
    the last step was done offline, see `complete_lesson`); the certificate is issued with
    it. Returns True when the course was completed now. Raises nothing."""
    done, total = course_counts(session, user_id, course_id)
    if not total or done < total:
        return False
    return record_completion(session, user_id, course_id, learner_at=learner_at)


def record_completion(
    session: DbSession, user_id: int, course_id: int, *, credit: bool = True,
    learner_at: datetime | None = None,
) -> bool:
    """Complete an enrolment once: completion time, JP of that moment, certificate, and (unless
    `credit` is False, when a face-to-face session credits the hours itself) a "course" entry
    in the JP ledger. `learner_at` is the learner's own (clamped) time of an offline
    completion: it is the completion time and decides the ledger entry's day and year; the
    server's time is kept in `completion_recorded_at`. Returns False when the course was
    already complete: nothing changes. Raises nothing."""
    course = session.get_one(Course, course_id)
    now = utcnow()
    claimed = rowcount(session.execute(
        update(Enrolment)
        .where(Enrolment.user_id == user_id, Enrolment.course_id == course_id,
               Enrolment.completed_at.is_(None))
        .values(completed_at=learner_at or now, completion_recorded_at=now,
                jp_credited=course.jp)
        .execution_options(synchronize_session=False, **rollups.COUNTED)
    ))
    if claimed:
        rollups.count_completion(session, user_id, course_id)
        enrolment = enrolment_of(session, user_id, course_id)
        if enrolment is None:  # cannot be: the UPDATE above just completed it
            raise LookupError(f"no enrolment of user {user_id} in course {course_id}")
        session.refresh(enrolment)
        certificates.issue(session, enrolment)
        if credit:
            ledger.record(session, user_id=user_id, source=ledger.COURSE, ref_id=course_id,
                          hours=course.jp, on_date=ledger.local_day(learner_at or now),
                          title=course.title)
    return bool(claimed)


def jp_between(session: DbSession, user_id: int, start: datetime, end: datetime) -> Decimal:
    """Credited JP (a Decimal, every source, from the ledger) earned in [start, end), e.g. this
    local year. Raises nothing.

    The bounds are UTC instants; entries are dated by local day, so a year's bounds match it."""
    return ledger.credited_between(session, user_id, ledger.local_day(start),
                                   ledger.local_day(end))


def completed_courses(
    session: DbSession, user_id: int
) -> list[tuple[Course, Enrolment, Decimal | None]]:
    """[(Course, Enrolment, JP)] of completed courses, newest first; JP is what the course's
    ledger entry credited, None when a face-to-face session completed it and credited the
    hours under its own name. Raises nothing."""
    return [(course, enrolment, hours) for course, enrolment, hours in session.execute(
        select(Course, Enrolment, JpEntry.hours)
        .join(Enrolment, Enrolment.course_id == Course.id)
        .outerjoin(JpEntry, and_(JpEntry.user_id == Enrolment.user_id,
                                 JpEntry.source == ledger.COURSE, JpEntry.ref_id == Course.id,
                                 JpEntry.status == ledger.CREDITED))
        .where(Enrolment.user_id == user_id, Enrolment.completed_at.is_not(None))
        .order_by(Enrolment.completed_at.desc())
    )]


def lesson_state(session: DbSession, user_id: int, lesson_id: int) -> LessonProgress | None:
    """The learner's LessonProgress on one lesson, or None before they opened it. Raises
    nothing."""
    return session.get(LessonProgress, (user_id, lesson_id))


# Built once, with bound parameters: building it on each completion cost more than running it.
_COURSE_COUNTS = (
    select(func.count(LessonProgress.completed_at), func.count(Lesson.id))
    .select_from(Lesson)
    .outerjoin(
        LessonProgress,
        and_(LessonProgress.lesson_id == Lesson.id,
             LessonProgress.user_id == bindparam("user_id")),
    )
    .where(Lesson.course_id == bindparam("course_id"), Lesson.retired.is_(False))
)


def course_counts(session: DbSession, user_id: int, course_id: int) -> tuple[int, int]:
    """(done, total) live steps of a course for one learner. Raises nothing."""
    done, total = session.execute(
        _COURSE_COUNTS, {"user_id": user_id, "course_id": course_id}).one()
    return done, total


@dataclass
class CourseCard:
    course: Course
    total: int
    done: int
    enrolled: bool
    # The nearest due date when the course is mandatory for the learner.
    due_on: date | None = None
    completed: bool = False
    completed_at: datetime | None = None

    @property
    def percent(self) -> int:
        return int(100 * self.done / self.total) if self.total else 0

    @property
    def mandatory(self) -> bool:
        return self.due_on is not None

    def overdue(self, today: date) -> bool:
        return self.due_on is not None and not self.completed and self.due_on < today

    def status(self, today: date) -> str:
        """completed, overdue, in_progress (enrolled) or not_started: the report's words."""
        if self.completed:
            return "completed"
        if self.overdue(today):
            return "overdue"
        return "in_progress" if self.enrolled else "not_started"


def _due_on(user_id: int) -> ScalarSelect[Any]:
    """Correlated: the nearest due date of Course for this learner, or NULL if not mandatory."""
    assigned, home = aliased(Unit), aliased(Unit)
    return (
        select(func.min(Assignment.due_on))
        .join(assigned, assigned.id == Assignment.unit_id)
        .join(home, covers(assigned, home))
        .join(User, User.unit_id == home.id)
        .where(User.id == user_id, Assignment.course_id == Course.id)
        .correlate(Course)
        .scalar_subquery()
    )


def _cards_query(user_id: int) -> AnySelect:
    """Courses with the learner's done/total counts and due date, in one aggregate query."""
    done = func.count(LessonProgress.completed_at)
    total = func.count(Lesson.id)
    return (
        select(Course, total, done, func.max(Enrolment.id), _due_on(user_id),
               func.max(Enrolment.completed_at))
        .join(Lesson, and_(Lesson.course_id == Course.id, Lesson.retired.is_(False)))
        .outerjoin(
            LessonProgress,
            and_(LessonProgress.lesson_id == Lesson.id, LessonProgress.user_id == user_id),
        )
        .outerjoin(
            Enrolment, and_(Enrolment.course_id == Course.id, Enrolment.user_id == user_id)
        )
        .group_by(Course.id)
        .order_by(Course.title)
    )


def catalog(session: DbSession, user_id: int) -> list[CourseCard]:
    """CourseCards of the published courses, each with the learner's progress and nearest due
    date. Raises nothing."""
    rows = session.execute(_cards_query(user_id).where(Course.published.is_(True)))
    return [_card(*row) for row in rows]


def _card(course: Course, total: int, done: int, enrolment_id: int | None, due_on: date | None,
          completed_at: datetime | None) -> CourseCard:
    return CourseCard(course, total, done, enrolment_id is not None, due_on,
                      completed_at is not None, completed_at)


def enrolled_courses(session: DbSession, user_id: int) -> list[CourseCard]:
    """CourseCards of the published courses the learner is enrolled in or must take, completed
    ones included. Raises nothing.

    Mandatory ones first, nearest due date first; finished ones last."""
    query = _cards_query(user_id).where(
        Course.published.is_(True),
        or_(
            Course.id.in_(select(Enrolment.course_id).where(Enrolment.user_id == user_id)),
            _due_on(user_id).is_not(None),
        ),
    )
    cards = [_card(*row) for row in session.execute(query)]
    return sorted(cards, key=lambda card: (
        card.percent == 100, card.due_on is None, card.due_on or date.max,
    ))


def my_courses(session: DbSession, user_id: int) -> list[CourseCard]:
    """The CourseCards of enrolled_courses() not yet completed ("Pembelajaran saya" lists the
    completed ones once, through completed_courses()). Raises nothing."""
    return [card for card in enrolled_courses(session, user_id) if not card.completed]


@dataclass
class OutlineItem:
    lesson: Lesson
    done: bool
    opened: bool


@dataclass
class OutlineModule:
    module: Module
    items: list[OutlineItem]


# Built once, as every course page asks them (building them cost more than running them).
_OUTLINE_STEPS = (
    select(Lesson, LessonProgress.completed_at.is_not(None), LessonProgress.user_id.is_not(None))
    .join(Module, Module.id == Lesson.module_id)
    .outerjoin(LessonProgress, and_(LessonProgress.lesson_id == Lesson.id,
                                    LessonProgress.user_id == bindparam("user_id")))
    .where(Lesson.course_id == bindparam("course_id"), Lesson.retired.is_(False))
    .order_by(Module.position, Lesson.position)
    # The outline shows titles: not every lesson's HTML (raise, rather than load it lesson by
    # lesson, if a template ever asks).
    .options(defer(Lesson.body_html, raiseload=True))
)
_OUTLINE_MODULES = (
    select(Module)
    .where(Module.course_id == bindparam("course_id"), Module.retired.is_(False))
    .order_by(Module.position)
)


def outline(session: DbSession, course: Course, user_id: int | None) -> list[OutlineModule]:
    """OutlineModules: modules → lessons with the learner's ticks (none for `user_id` None),
    retired ones hidden. Two queries; raises nothing."""
    params = {"course_id": course.id, "user_id": user_id}
    modules = {m.id: OutlineModule(m, []) for m in session.scalars(_OUTLINE_MODULES, params)}
    for lesson, done, opened in session.execute(_OUTLINE_STEPS, params):
        modules[lesson.module_id].items.append(OutlineItem(lesson, bool(done), bool(opened)))
    return [m for m in modules.values() if m.items]


def resume_target(items: list[OutlineModule]) -> Lesson | None:
    """Where "Lanjutkan" leads: the first step in course order that is not done yet, or None
    when every step is. Raises nothing."""
    for module in items:
        for item in module.items:
            if not item.done:
                return item.lesson
    return None


@dataclass(frozen=True)
class StepLink:
    """What a link to a lesson needs: its path (for the URL) and title."""

    id: int
    path: str
    title: str
    kind: str


@dataclass(frozen=True)
class Position:
    """A lesson as one learner meets it: their state, its neighbours, the course's counts."""

    opened: bool
    completed: bool
    previous: StepLink | None
    following: StepLink | None
    done: int
    total: int


_READING_POSITION = (
    select(Lesson.id, Lesson.path, Lesson.title, Lesson.kind,
           LessonProgress.user_id.is_not(None), LessonProgress.completed_at.is_not(None))
    .outerjoin(
        LessonProgress,
        and_(LessonProgress.lesson_id == Lesson.id,
             LessonProgress.user_id == bindparam("user_id")),
    )
    .where(Lesson.course_id == bindparam("course_id"), Lesson.retired.is_(False))
    .order_by(Lesson.position)
)


def reading_position(session: DbSession, user_id: int, lesson: Lesson) -> Position:
    """Everything the reader shows around a lesson, in one indexed query: the course's live
    steps (light columns only) with this learner's progress on each. Raises nothing."""
    rows = session.execute(
        _READING_POSITION, {"user_id": user_id, "course_id": lesson.course_id}).all()
    return _position([(StepLink(*row[:4]), bool(row[4]), bool(row[5])) for row in rows],
                     lesson.id)


def _position(steps: list[tuple[StepLink, bool, bool]], lesson_id: int) -> Position:
    """Position of `lesson_id` among a course's steps given as (link, opened, completed)."""
    here = next((i for i, (link, _o, _c) in enumerate(steps) if link.id == lesson_id), None)

    def link(i: int) -> StepLink | None:
        return steps[i][0] if here is not None and 0 <= i < len(steps) else None

    return Position(
        opened=here is not None and steps[here][1],
        completed=here is not None and steps[here][2],
        previous=link(here - 1) if here is not None else None,
        following=link(here + 1) if here is not None else None,
        done=sum(completed for _l, _o, completed in steps),
        total=len(steps),
    )


@dataclass(frozen=True)
class ReaderCourse:
    """The columns of a published course that its lesson pages show."""

    id: int
    slug: str
    title: str
    language: str
    content_hash: str
    published: bool = True


@dataclass(frozen=True)
class ReaderLesson:
    """The columns of a reading lesson that its page shows (reader_page never makes one for a
    quiz)."""

    id: int
    course_id: int
    path: str
    title: str
    kind: str
    minutes: int
    content_hash: str
    body_html: str

    @property
    def is_quiz(self) -> bool:
        """Whether the step is a quiz, as the templates ask of every step (Lesson.is_quiz)."""
        return self.kind == "quiz"


@dataclass(frozen=True)
class ReaderPage:
    """A reading lesson of a published course, as one learner meets it."""

    course: ReaderCourse
    lesson: ReaderLesson
    position: Position


@dataclass(frozen=True)
class ReaderSession:
    """What one lesson-page query found: the signed-in user's row, and the page if it is a
    reading lesson of a published course."""

    user: dict[str, Any]  # the user's columns but the password hash (user_cache.columns())
    page: ReaderPage | None


_USER_FIELDS = tuple(name for name, _kind in user_cache.columns())

# Built once: the lesson page runs it on every view, with only the parameters changing. The
# sign-in check is part of it: no row at all unless the session exists, the user is active and
# the session version is the user's (the rules of services/sessions.session_user).
_READER_PAGE = (
    select(*(getattr(User, name) for name in _USER_FIELDS),
           Course.id, Course.slug, Course.title, Course.language, Course.content_hash,
           Lesson.id, Lesson.path, Lesson.title, Lesson.kind, Lesson.minutes,
           Lesson.content_hash, case((Lesson.path == bindparam("path"), Lesson.body_html)),
           LessonProgress.user_id.is_not(None), LessonProgress.completed_at.is_not(None))
    .select_from(User)
    .join(LoginSession, and_(LoginSession.user_id == User.id,
                             LoginSession.token_hash == bindparam("session_digest")))
    .outerjoin(join(Course, Lesson, Lesson.course_id == Course.id),
               and_(Course.slug == bindparam("slug"), Course.published.is_(True),
                    Lesson.retired.is_(False)))
    .outerjoin(LessonProgress, and_(LessonProgress.lesson_id == Lesson.id,
                                    LessonProgress.user_id == User.id))
    .where(User.id == bindparam("user_id"), User.active.is_(True),
           User.session_version == bindparam("session_version"))
    .order_by(Lesson.position)
)


def reader_page(session: DbSession, slug: str, path: str,
                signed_in: SessionKey) -> ReaderSession | None:
    """The signed-in session's user and, when `slug`/`path` name a reading lesson of a
    published course, the page with this learner's position in the course — in one query
    (the session and user rows, the course, its live steps, the learner's progress on each,
    this lesson's HTML): a lesson page's one round trip to the database.

    None when the session has ended (signed out, session version raised, user deactivated).
    `page` is None for anything but a published reading lesson (no such live lesson, a quiz,
    an unpublished course): the caller then takes the general path (visible_lesson), which
    knows previews, quizzes and old URLs, and raises NotFound. On PostgreSQL the query runs
    alone in autocommit, outside `session` (app/autocommit_reads.py), so it sees committed
    rows only. Raises only what the database raises.
    """
    rows = autocommit_reads.rows(session, _READER_PAGE, {
        "slug": slug, "path": path, "user_id": signed_in.user_id,
        "session_version": signed_in.version, "session_digest": signed_in.digest})
    if not rows:
        return None
    users = len(_USER_FIELDS)
    user = dict(zip(_USER_FIELDS, rows[0][:users], strict=True))
    pages = [row[users:] for row in rows]  # the columns after the user's, one row per step
    mine = next((row for row in pages if row[11] is not None), None)
    if mine is None or mine[8] == "quiz":
        return ReaderSession(user, None)
    course = ReaderCourse(*mine[:5])
    lesson = ReaderLesson(mine[5], mine[0], mine[6], mine[7], mine[8], mine[9], mine[10],
                          mine[11])
    steps = [(StepLink(row[5], row[6], row[7], row[8]), bool(row[12]), bool(row[13]))
             for row in pages]
    return ReaderSession(user, ReaderPage(course, lesson, _position(steps, lesson.id)))
