"""The JP ledger: writing entries once, and every total of learning hours read from it.

Rules (PRODUCT §2, §8; issue 12): JP are credited in the year of the day they were earned, in
Asia/Jakarta; a person gets one entry per course, per session and per claim, however often the
event is recorded; only credited entries count towards the yearly target, pending claims are
shown apart and rejected ones not at all.
"""

from __future__ import annotations

from collections.abc import Iterator
from dataclasses import dataclass
from datetime import date, datetime
from decimal import Decimal
from typing import Any
from zoneinfo import ZoneInfo

from flask_babel import lazy_gettext as _l
from flask_babel import lazy_pgettext as pgettext  # extracted under this name, with context
from sqlalchemy import ColumnElement, Label, Numeric, Subquery, case, cast, func, select

from app.models import JpEntry, Unit, User, utcnow
from app.models.ledger import CLAIM, COURSE, CREDITED, PENDING, REJECTED, SESSION
from app.services.errors import InvalidInput
from app.services.types import AnySelect, DbSession, upsert_dialect

LEDGER_ZONE = ZoneInfo("Asia/Jakarta")
SOURCES = (COURSE, SESSION, CLAIM)
SOURCE_LABELS = {
    COURSE: _l("kursus"),
    SESSION: _l("sesi tatap muka"),
    CLAIM: _l("pelatihan luar"),
}
# One entry's source ("Sesi tatap muka · 2 Mar 2026"): the same Indonesian as SOURCE_LABELS,
# which name the totals per source, but singular in English.
ENTRY_SOURCE_LABELS = {
    COURSE: pgettext("one JP entry", "kursus"),
    SESSION: pgettext("one JP entry", "sesi tatap muka"),
    CLAIM: pgettext("one JP entry", "pelatihan luar"),
}
STATUS_LABELS = {
    CREDITED: _l("diakui"),
    PENDING: _l("menunggu persetujuan"),
    REJECTED: _l("ditolak"),
}
ZERO = Decimal("0")
# The years a ledger entry may fall in: the same window the year pickers and `?year=` accept,
# so every year a person has entries in can be shown (a typo such as 1926 or 2206 cannot).
FIRST_YEAR, LAST_YEAR = 2000, 2100


def check_day(day: date) -> date:
    """The day itself, when its year lies within FIRST_YEAR..LAST_YEAR (2000–2100). Raises
    InvalidInput otherwise."""
    if not FIRST_YEAR <= day.year <= LAST_YEAR:
        raise InvalidInput(_l("Tanggal harus antara tahun %(first)d dan %(last)d.",
                              first=FIRST_YEAR, last=LAST_YEAR))
    return day


def local_day(moment: datetime) -> date:
    """The Asia/Jakarta calendar day of a UTC instant: the day (and year) JP are credited to
    (PRODUCT §2: JP count in the year of completion). Raises nothing."""
    return moment.astimezone(LEDGER_ZONE).date()


def record(
    session: DbSession, *, user_id: int, source: str, ref_id: int, hours: Decimal, on_date: date,
    title: str, status: str = CREDITED, decided_by_id: int | None = None,
    decided_at: datetime | None = None,
) -> bool:
    """Write one entry unless this person already has one for this source and reference.

    `hours` are JP (Decimal, two places); `on_date` is a local day. Returns True when the
    entry is new, False for a repeat (a second completion, a second attendance record): the
    unique (user, source, ref_id) key makes simultaneous repeats safe too. Raises nothing.
    """
    dialect = upsert_dialect(session)
    inserted = session.execute(
        dialect.insert(JpEntry).values(
            user_id=user_id, source=source, ref_id=ref_id, hours=hours, on_date=on_date,
            year=on_date.year, title=title[:200], status=status, decided_by_id=decided_by_id,
            decided_at=decided_at, created_at=utcnow(),
        ).on_conflict_do_nothing().returning(JpEntry.id)
    ).scalar()
    return inserted is not None


@dataclass
class JpTotals:
    """One person's JP in one year: credited per source, and claims still waiting."""

    course: Decimal = ZERO
    session: Decimal = ZERO
    claim: Decimal = ZERO
    pending: Decimal = ZERO

    @property
    def total(self) -> Decimal:
        """What counts towards the target: credited hours of every source."""
        return self.course + self.session + self.claim

    def by_source(self) -> list[tuple[str, Decimal]]:
        """[(source, credited JP)] for course, session and claim, in that order."""
        return [(COURSE, self.course), (SESSION, self.session), (CLAIM, self.claim)]


def _credited(source: str) -> ColumnElement[Any]:
    return func.coalesce(func.sum(case(
        (JpEntry.status == CREDITED, case((JpEntry.source == source, JpEntry.hours))))), 0)


def totals_columns() -> tuple[Label[Any], ...]:
    """Aggregate columns over JpEntry, in JP (Decimal): jp_course, jp_session, jp_claim
    (credited), jp_total and jp_pending. Raises nothing."""
    total = func.coalesce(func.sum(case((JpEntry.status == CREDITED, JpEntry.hours))), 0)
    pending = func.coalesce(func.sum(case((JpEntry.status == PENDING, JpEntry.hours))), 0)
    return (
        _credited(COURSE).label("jp_course"), _credited(SESSION).label("jp_session"),
        _credited(CLAIM).label("jp_claim"), total.label("jp_total"), pending.label("jp_pending"),
    )


def year_totals(session: DbSession, user_id: int, year: int) -> JpTotals:
    """A JpTotals: one person's JP in one year by source, plus pending claims (not counted).
    One aggregate query; raises nothing."""
    course, sess, claim, _total, pending = session.execute(
        select(*totals_columns()).where(JpEntry.user_id == user_id, JpEntry.year == year)
    ).one()
    return JpTotals(*(Decimal(v or 0) for v in (course, sess, claim, pending)))


def credited_between(session: DbSession, user_id: int, start: date, end: date) -> Decimal:
    """Credited JP (a Decimal, every source) earned on local days in [start, end). Raises
    nothing."""
    total = session.scalar(
        select(func.coalesce(func.sum(JpEntry.hours), 0)).where(
            JpEntry.user_id == user_id, JpEntry.status == CREDITED,
            JpEntry.on_date >= start, JpEntry.on_date < end)
    )
    return Decimal(total or 0)


def entries(session: DbSession, user_id: int, year: int | None = None) -> list[JpEntry]:
    """One person's JpEntries (every status), newest first; one year or all of them. Raises
    nothing."""
    query = select(JpEntry).where(JpEntry.user_id == user_id)
    if year is not None:
        query = query.where(JpEntry.year == year)
    return list(session.scalars(query.order_by(JpEntry.on_date.desc(), JpEntry.id.desc())))


def years(session: DbSession, user_id: int) -> list[int]:
    """The years in which the person has entries, newest first. Raises nothing."""
    return list(session.scalars(
        select(JpEntry.year).where(JpEntry.user_id == user_id).distinct()
        .order_by(JpEntry.year.desc())))


def totals_by_user(year: int, people: AnySelect | None = None) -> Subquery:
    """A subquery "jp_year": per user_id, the year's jp_course, jp_session, jp_claim, jp_total
    and jp_pending (JP, Decimal). Raises nothing.

    `people` (a SELECT of user ids) narrows it, e.g. to a supervisor's subtree."""
    query = select(JpEntry.user_id, *totals_columns()).where(JpEntry.year == year)
    if people is not None:
        query = query.where(JpEntry.user_id.in_(people))
    return query.group_by(JpEntry.user_id).subquery("jp_year")


def zero_or(column: Any) -> ColumnElement[Any]:
    """The column, or 0 where the person has no entry (an outer join's NULL). Raises nothing."""
    return func.coalesce(column, cast(0, Numeric(8, 2)))


def people_in_units(units: AnySelect) -> AnySelect:
    """A SELECT of the ids of active people whose unit is among `units`. Raises nothing."""
    return select(User.id).where(User.active.is_(True), User.unit_id.in_(units))


__all__ = [
    "CLAIM", "COURSE", "CREDITED", "PENDING", "REJECTED", "SESSION", "JpTotals", "LEDGER_ZONE",
    "ENTRY_SOURCE_LABELS", "SOURCES", "SOURCE_LABELS", "STATUS_LABELS", "check_day",
    "credited_between", "entries", "local_day", "record", "totals_by_user", "totals_columns",
    "year_totals", "years", "zero_or",
]


@dataclass
class HrRow:
    """One person's year for the HR export: the full NIP (PRODUCT §2), totals by source."""

    nip: str | None
    name: str
    email: str
    unit: str
    year: int
    jp_course: Decimal
    jp_session: Decimal
    jp_claim: Decimal
    jp_total: Decimal
    jp_pending: Decimal


def hr_rows(session: DbSession, year: int, batch: int = 500) -> Iterator[HrRow]:
    """HrRows: every active member of staff (a person in a unit) with their full NIP and JP of
    `year` by source, zeros included, by unit and name (PRODUCT §2: the HR export); streamed
    from a server-side cursor `batch` rows at a time. Raises nothing."""
    jp = totals_by_user(year)
    query = (
        select(User.nip, User.name, User.email, Unit.name, *(
            zero_or(jp.c[name]) for name in
            ("jp_course", "jp_session", "jp_claim", "jp_total", "jp_pending")))
        .join(Unit, Unit.id == User.unit_id)
        .outerjoin(jp, jp.c.user_id == User.id)
        .where(User.active.is_(True))
        .order_by(Unit.path, User.name, User.id)
    )
    result = session.execute(query.execution_options(yield_per=batch))
    try:
        for nip, name, email, unit, *values in result:
            yield HrRow(nip, name, email, unit, year, *(Decimal(v) for v in values))
    finally:
        result.close()
