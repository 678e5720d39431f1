"""A small organisation with known learning records, and an independent oracle for its figures.

The oracle (`expected_rows`) re-derives every learner × course status from the tables below in
plain Python, so the report's SQL is checked against the seed, not against itself.
"""

from __future__ import annotations

import shutil
from dataclasses import dataclass
from datetime import UTC, date, datetime, timedelta
from decimal import Decimal
from pathlib import Path

from app.models import Role
from app.services import ledger
from app.services.dates import Calendar
from tests.factories import DATA, make_assignment, make_course, make_enrolment, make_unit, make_user

ZONE = "Asia/Jakarta"

# code, name, parent
UNITS = [
    ("KEMEN", "Kementerian Contoh", None),
    ("SETJEN", "Sekretariat Jenderal", "KEMEN"),
    ("BIRO-SDM", "Biro SDM", "SETJEN"),
    ("BIRO-UMUM", "Biro Umum", "SETJEN"),
    ("DITJEN", "Ditjen Layanan Digital", "KEMEN"),
    ("DIT-DATA", "Direktorat Data", "DITJEN"),
]
PARENT = {code: parent for code, _name, parent in UNITS}
COURSE_JP = {"A": Decimal(2), "B": Decimal(3)}

# key, unit, roles, active, {course: None (enrolled only) | "now" | "last-year"}
PEOPLE = [
    ("sup", "SETJEN", Role.SUPERVISOR | Role.LEARNER, True, {"A": "now"}),
    ("ani", "BIRO-SDM", Role.LEARNER, True, {"A": "now", "B": "now"}),
    ("budi", "BIRO-SDM", Role.LEARNER, True, {"A": None}),
    ("hana", "BIRO-SDM", Role.LEARNER, True, {"B": None}),
    ("citra", "BIRO-UMUM", Role.LEARNER, True, {}),
    ("dedi", "BIRO-UMUM", Role.LEARNER, True, {"B": "last-year"}),
    ("eko", "BIRO-UMUM", Role.LEARNER, False, {"A": "now"}),  # deactivated
    ("sup2", "DITJEN", Role.SUPERVISOR | Role.LEARNER, True, {}),
    ("fajar", "DIT-DATA", Role.LEARNER, True, {"A": "now", "B": None}),
    ("gita", None, Role.LEARNER, True, {"A": "now"}),  # a member of the public
]
# course, unit, due date as days from today
ASSIGNMENTS = [("A", "SETJEN", -1), ("B", "BIRO-UMUM", 10), ("B", "DIT-DATA", -5)]


@dataclass
class Seeded:
    users: dict[str, int]
    units: dict[str, int]
    courses: dict[str, int]
    calendar: Calendar


def second_course(tmp_path: Path) -> Path:
    """The sample course under another slug, title and JP."""
    folder = tmp_path / "kursus-kedua"
    shutil.copytree(DATA / "courses" / "contoh-kursus", folder)
    meta = folder / "course.md"
    meta.write_text(meta.read_text().replace("title: Kursus Contoh", "title: Kursus Kedua")
                    .replace("jp: 2", "jp: 3"))
    return folder


def seed(session, tmp_path: Path) -> Seeded:
    cal = Calendar.now(ZONE)
    units = {}
    for code, name, parent in UNITS:
        units[code] = make_unit(session, code, name, parent).id
    courses = {
        "A": make_course(session).id,
        "B": make_course(session, second_course(tmp_path)).id,
    }
    now = datetime.now(UTC) - timedelta(minutes=1)
    last_year = cal.year_start - timedelta(days=2)
    users = {}
    for key, unit, roles, active, records in PEOPLE:
        user = make_user(session, email=f"{key}@example.go.id", name=key.title(), roles=roles,
                         unit_code=unit)
        user.active = active
        users[key] = user.id
        for course, completed in records.items():
            done = {"now": now, "last-year": last_year, None: None}[completed]
            make_enrolment(session, user.id, courses[course],
                           enrolled_at=(done or now) - timedelta(days=30), completed_at=done)
            if done is not None:  # what completing writes: the ledger is what reports read
                ledger.record(session, user_id=user.id, source=ledger.COURSE,
                              ref_id=courses[course], hours=COURSE_JP[course],
                              on_date=ledger.local_day(done), title=course)
    for course, unit, days in ASSIGNMENTS:
        make_assignment(session, courses[course], units[unit], cal.today + timedelta(days=days))
    session.commit()
    return Seeded(users, units, courses, cal)


# ---- the oracle -------------------------------------------------------------------------

def ancestors_or_self(unit: str) -> list[str]:
    chain = []
    while unit:
        chain.append(unit)
        unit = PARENT[unit]
    return chain


def in_subtree(unit: str | None, root: str) -> bool:
    return unit is not None and root in ancestors_or_self(unit)


def expected_rows(root: str | None, today: date) -> dict[tuple[str, str], str]:
    """(person, course) -> status for everyone in `root`'s subtree (None: all units)."""
    rows = {}
    for key, unit, _roles, active, records in PEOPLE:
        if not active or unit is None or (root and not in_subtree(unit, root)):
            continue
        due = {}
        for course, assigned_unit, days in ASSIGNMENTS:
            if assigned_unit in ancestors_or_self(unit):
                day = today + timedelta(days=days)
                due[course] = min(due.get(course, day), day)
        for course in set(records) | set(due):
            if records.get(course) is not None:
                status = "completed"
            elif course in due and due[course] < today:
                status = "overdue"
            elif course in records:
                status = "in_progress"
            else:
                status = "not_started"
            rows[(key, course)] = status
    return rows


def expected_jp(root: str | None) -> dict[str, Decimal]:
    """JP completed this year by every active person in the subtree."""
    jp = {}
    for key, unit, _roles, active, records in PEOPLE:
        if not active or unit is None or (root and not in_subtree(unit, root)):
            continue
        jp[key] = sum((COURSE_JP[c] for c, when in records.items() if when == "now"),
                      Decimal(0))
    return jp


def unit_of(key: str) -> str | None:
    return next(unit for k, unit, *_ in PEOPLE if k == key)
