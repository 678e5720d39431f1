"""The completion report's figures against seeded data, per scope (tests/seed.py)."""

from collections import Counter
from datetime import date
from decimal import Decimal

import pytest

from app.models import Role, User
from app.services import reports
from app.services.errors import Forbidden, InvalidInput, NotFound
from app.services.reports import Filters
from tests.seed import PEOPLE, expected_jp, expected_rows, seed, unit_of


@pytest.fixture
def org(session, tmp_path):
    return seed(session, tmp_path)


def viewer(session, org, key):
    return session.get(User, org.users[key])


def all_rows(session, org, who, filters=None):
    page = reports.status_rows(session, who, filters or Filters(), org.calendar)
    assert page.total <= reports.PAGE_SIZE  # one page holds the whole seed
    return page


def as_keys(org, rows):
    name_of = {f"{k.title()}": k for k, *_ in PEOPLE}
    course_of = {"Kursus Contoh": "A", "Kursus Kedua": "B"}
    return {(name_of[r.name], course_of[r.course]): r.status for r in rows}


@pytest.mark.parametrize(("who", "root"), [("sup", "SETJEN"), ("sup2", "DITJEN")])
def test_a_supervisor_sees_exactly_their_subtree(session, org, who, root):
    page = all_rows(session, org, viewer(session, org, who))
    assert as_keys(org, page.items) == expected_rows(root, org.calendar.today)
    assert page.total == len(expected_rows(root, org.calendar.today))


def test_an_admin_sees_every_unit_but_never_the_public_or_the_deactivated(session, org):
    admin = session.get(User, org.users["sup"])
    admin.roles = int(admin.roles) | Role.ADMIN
    rows = as_keys(org, all_rows(session, org, admin).items)
    assert rows == expected_rows(None, org.calendar.today)
    assert not any(key in ("gita", "eko") for key, _course in rows)


def test_the_summary_counts_per_unit_and_per_course(session, org):
    summary = reports.summary(session, viewer(session, org, "sup"), Filters(), org.calendar)
    expected = expected_rows("SETJEN", org.calendar.today)
    assert summary.units[0].code == "SETJEN"
    assert sorted(u.code for u in summary.units) == ["BIRO-SDM", "BIRO-UMUM", "SETJEN"]
    assert [u.depth for u in summary.units] == [0, 1, 1]
    for line in summary.units:
        mine = {k: s for k, s in expected.items() if unit_of(k[0]) == line.code}
        statuses = Counter(mine.values())
        people = [p for p in PEOPLE if p[1] == line.code and p[3]]
        assert line.counts.learners == len(people)
        assert line.counts.rows == len(mine)
        assert line.counts.completed == statuses["completed"]
        assert line.counts.overdue == statuses["overdue"]
        enrolled = sum(1 for (key, course) in mine
                       if course in next(p[4] for p in PEOPLE if p[0] == key))
        assert line.counts.enrolled == enrolled
    by_course = {c.title: c.counts for c in summary.courses}
    for title, course in (("Kursus Contoh", "A"), ("Kursus Kedua", "B")):
        statuses = Counter(s for (k, c), s in expected.items() if c == course)
        assert by_course[title].rows == sum(statuses.values())
        assert by_course[title].completed == statuses["completed"]
        assert by_course[title].overdue == statuses["overdue"]
    statuses = Counter(expected.values())
    assert summary.total.rows == len(expected)
    assert summary.total.completed == statuses["completed"]
    assert summary.total.rate == round(100 * statuses["completed"] / len(expected))
    assert summary.total.learners == 6


def test_status_and_unit_filters(session, org):
    sup = viewer(session, org, "sup")
    expected = expected_rows("BIRO-UMUM", org.calendar.today)
    page = reports.status_rows(session, sup, Filters(unit_id=org.units["BIRO-UMUM"]),
                               org.calendar)
    assert as_keys(org, page.items) == expected
    overdue = reports.status_rows(session, sup, Filters(status="overdue"), org.calendar)
    assert set(as_keys(org, overdue.items)) == {
        k for k, s in expected_rows("SETJEN", org.calendar.today).items() if s == "overdue"}
    course = reports.status_rows(session, sup, Filters(course_id=org.courses["B"]), org.calendar)
    assert {c for _k, c in as_keys(org, course.items)} == {"B"}


def test_the_period_picks_completions_and_keeps_unfinished_work(session, org):
    sup = viewer(session, org, "sup")
    today = org.calendar.today
    page = reports.status_rows(session, sup, Filters(date_from=today.replace(month=1, day=1)),
                               org.calendar)
    rows = as_keys(org, page.items)
    assert ("dedi", "B") not in rows  # completed last year
    assert rows[("citra", "A")] == "overdue"
    expected = {k: s for k, s in expected_rows("SETJEN", today).items() if k != ("dedi", "B")}
    assert rows == expected


def test_another_units_id_is_not_found(session, org):
    sup = viewer(session, org, "sup")
    for unit in ("DIT-DATA", "DITJEN", "KEMEN"):
        with pytest.raises(NotFound):
            reports.summary(session, sup, Filters(unit_id=org.units[unit]), org.calendar)
        with pytest.raises(NotFound):
            list(reports.export_rows(session, sup, Filters(unit_id=org.units[unit]),
                                     org.calendar))


def test_the_drill_down_refuses_learners_outside_the_scope(session, org):
    sup = viewer(session, org, "sup")
    for key in ("fajar", "gita", "sup2"):
        with pytest.raises(NotFound):
            reports.learner_report(session, sup, org.users[key], org.calendar, 20)
    report = reports.learner_report(session, sup, org.users["ani"], org.calendar, 20)
    assert {(r.course, r.status) for r in report.rows} == {
        ("Kursus Contoh", "completed"), ("Kursus Kedua", "completed")}
    assert report.jp_this_year == Decimal(5) and report.below_target


def test_learners_below_the_jp_target(session, org):
    sup = viewer(session, org, "sup")
    jp = expected_jp("SETJEN")
    for target in (20, 4, 2):
        page = reports.below_target(session, sup, Filters(), org.calendar, target)
        got = {line.name.lower(): line.jp_this_year for line in page.items}
        assert got == {k: v for k, v in jp.items() if v < target}
    page = reports.below_target(session, sup, Filters(), org.calendar, 20)
    assert [line.jp_this_year for line in page.items] == sorted(
        line.jp_this_year for line in page.items)


def test_the_export_streams_the_same_rows_as_the_screen(session, org):
    sup = viewer(session, org, "sup")
    exported = list(reports.export_rows(session, sup, Filters(), org.calendar, batch=2))
    assert exported == reports.status_rows(session, sup, Filters(), org.calendar).items


def test_only_supervisors_and_admins_have_a_scope(session, org):
    learner = viewer(session, org, "ani")
    with pytest.raises(Forbidden):
        reports.summary(session, learner, Filters(), org.calendar)
    sup = viewer(session, org, "sup")
    sup.unit_id = None
    with pytest.raises(Forbidden):
        reports.summary(session, sup, Filters(), org.calendar)


def test_bad_filters_are_explained():
    with pytest.raises(InvalidInput):
        Filters(status="hilang")
    with pytest.raises(InvalidInput):
        Filters(date_from=date(2026, 5, 2), date_to=date(2026, 5, 1))
