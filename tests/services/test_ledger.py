"""The JP ledger: course completions, face-to-face sessions and outside-training claims."""

from datetime import date, timedelta
from decimal import Decimal
from pathlib import Path

import pytest
from sqlalchemy import func, select

from app.models import Attendance, Enrolment, JpEntry, Lesson, Role
from app.services import claims, classroom, ledger, progress
from app.services.errors import Forbidden, InvalidInput, NotFound
from tests.factories import make_course, make_unit, make_user

DATA = Path(__file__).parent.parent / "data"
PNG = (DATA / "courses" / "contoh-kursus" / "media" / "diagram.png").read_bytes()
PDF = (DATA / "courses" / "contoh-kursus" / "media" / "panduan.pdf").read_bytes()
TODAY = date(2026, 6, 15)


def finish(session, user, course):
    for lesson in session.scalars(select(Lesson).where(Lesson.course_id == course.id)):
        progress.complete_lesson(session, user.id, lesson)


def entries(session, user_id):
    return session.scalars(select(JpEntry).where(JpEntry.user_id == user_id)).all()


def test_completing_a_course_writes_one_entry_dated_in_jakarta(session, course_copy):
    course = make_course(session, course_copy())
    learner = make_user(session)
    finish(session, learner, course)
    finish(session, learner, course)  # replays, a second quiz pass: nothing more
    assert progress.record_completion(session, learner.id, course.id) is False
    [entry] = entries(session, learner.id)
    assert (entry.source, entry.ref_id, entry.status, entry.hours) == (
        "course", course.id, "credited", course.jp)
    enrolment = session.scalar(select(Enrolment).where(Enrolment.user_id == learner.id))
    assert entry.on_date == ledger.local_day(enrolment.completed_at)
    assert entry.year == entry.on_date.year
    totals = ledger.year_totals(session, learner.id, entry.year)
    assert (totals.course, totals.total) == (course.jp, course.jp)


def test_local_day_is_jakartas_not_utcs():
    from datetime import UTC, datetime

    # 31 December 20:00 UTC is already 1 January 03:00 in Jakarta: next year's JP.
    assert ledger.local_day(datetime(2025, 12, 31, 20, 0, tzinfo=UTC)) == date(2026, 1, 1)


def test_the_same_credit_twice_is_written_once(session):
    learner = make_user(session)
    values = dict(user_id=learner.id, source="session", ref_id=7, hours=Decimal("3"),
                  on_date=TODAY, title="Sesi")
    assert ledger.record(session, **values) is True
    assert ledger.record(session, **values) is False
    assert ledger.year_totals(session, learner.id, 2026).session == Decimal("3")


# ---- face-to-face sessions ---------------------------------------------------------------

@pytest.fixture
def people(session):
    make_unit(session, "INDUK", "Induk", None)
    make_unit(session, "ANAK", "Anak", "INDUK")
    make_unit(session, "LAIN", "Lain", None)
    trainer = make_user(session, roles=Role.TRAINER, email="pelatih@example.go.id")
    sup = make_user(session, roles=Role.SUPERVISOR | Role.LEARNER, unit_code="INDUK")
    ani = make_user(session, email="ani@example.go.id", nip="198609262015051001",
                    unit_code="ANAK")
    budi = make_user(session, email="budi@example.go.id", unit_code="ANAK")
    outsider = make_user(session, email="lain@example.go.id", unit_code="LAIN")
    admin = make_user(session, roles=Role.ADMIN)
    return dict(trainer=trainer, sup=sup, ani=ani, budi=budi, outsider=outsider, admin=admin)


def new_session(session, trainer, **overrides):
    values = dict(title="Tatap muka SPBE", held_on=TODAY, place="Aula", jp="4")
    values.update(overrides)
    return classroom.create_session(session, trainer, **values)


@pytest.mark.parametrize("held_on", [date(1926, 3, 2), date(2206, 3, 2)])
def test_a_session_outside_the_ledgers_years_is_refused(session, people, held_on):
    """A typo in the year would credit JP to a year no page or API can show."""
    with pytest.raises(InvalidInput, match="2000"):
        new_session(session, people["trainer"], held_on=held_on)


def test_attendance_recorded_twice_credits_once(session, people):
    s = new_session(session, people["trainer"])
    classroom.attend_by_list(session, s, "198609262015 051001\nbudi@example.go.id",
                             people["trainer"].id)
    again = classroom.attend_by_list(session, s, "ANI@example.go.id, budi@example.go.id",
                                     people["trainer"].id)
    assert again == 0
    s.checkin_open = True
    _same, new = classroom.check_in(session, people["ani"], s.code.lower())
    assert new is False
    assert session.scalar(select(func.count()).select_from(Attendance)) == 2
    [entry] = entries(session, people["ani"].id)
    assert (entry.source, entry.hours, entry.on_date, entry.title) == (
        "session", Decimal("4"), TODAY, "Tatap muka SPBE")
    assert ledger.year_totals(session, people["ani"].id, 2026).session == Decimal("4")


def test_an_unknown_person_in_the_list_records_nobody(session, people):
    s = new_session(session, people["trainer"])
    with pytest.raises(classroom.AttendanceRefused) as refused:
        classroom.attend_by_list(session, s, "ani@example.go.id\nsiapa@example.go.id",
                                 people["trainer"].id)
    assert refused.value.problems == [
        "siapa@example.go.id: tidak ada pengguna aktif dengan NIP atau email ini"]
    assert session.scalar(select(func.count()).select_from(JpEntry)) == 0


def test_a_bad_csv_row_is_named_by_file_and_line_and_nothing_is_imported(session, people):
    s = new_session(session, people["trainer"])
    data = b"nama,nip,email\nAni,198609262015051001,\nX,,\nBudi,,budi@example.go.id\nY,123,\n"
    with pytest.raises(classroom.AttendanceRefused) as refused:
        classroom.attend_by_csv(session, s, "hadir.csv", data, people["trainer"].id)
    assert refused.value.problems == [
        "hadir.csv:3: NIP dan email kosong",
        "hadir.csv:5: tidak ada pengguna aktif dengan NIP atau email 123",
    ]
    assert session.scalar(select(func.count()).select_from(Attendance)) == 0
    good = b"nip,email\n198609262015051001,\n,budi@example.go.id\n"
    assert classroom.attend_by_csv(session, s, "hadir.csv", good, people["trainer"].id) == 2


def test_check_in_only_while_open_and_with_the_right_code(session, people):
    s = new_session(session, people["trainer"])
    with pytest.raises(InvalidInput):
        classroom.check_in(session, people["ani"], s.code)  # not open yet
    classroom.set_checkin(s, True)
    with pytest.raises(InvalidInput):
        classroom.check_in(session, people["ani"], "ZZZZZZ" if s.code != "ZZZZZZ" else "YYYYYY")
    _s, new = classroom.check_in(session, people["ani"], f" {s.code[:3]}-{s.code[3:]} ")
    assert new is True
    classroom.set_checkin(s, False)
    with pytest.raises(InvalidInput):
        classroom.check_in(session, people["budi"], s.code)


def test_a_session_that_teaches_a_course_completes_it_without_counting_twice(
        session, people, course_copy):
    course = make_course(session, course_copy())
    s = new_session(session, people["trainer"], course_id=course.id, jp="2")
    classroom.attend_by_list(session, s, "ani@example.go.id", people["trainer"].id)
    enrolment = session.scalar(select(Enrolment).where(Enrolment.user_id == people["ani"].id))
    assert enrolment.completed_at is not None
    finish(session, people["ani"], course)  # later reading it on a phone adds nothing
    assert [(e.source, e.hours) for e in entries(session, people["ani"].id)] == [
        ("session", Decimal("2"))]


def test_only_the_trainer_or_an_admin_manages_a_session(session, people):
    s = new_session(session, people["trainer"])
    other = make_user(session, roles=Role.TRAINER)
    with pytest.raises(NotFound):
        classroom.managed_session(session, other, s.id)
    assert classroom.managed_session(session, people["admin"], s.id) is s


# ---- outside training -------------------------------------------------------------------

def file(session, user, **overrides):
    values = dict(title="Diklat PIM", organiser="LAN", starts_on=TODAY - timedelta(days=3),
                  ends_on=TODAY - timedelta(days=1), hours="8", proof=PNG, today=TODAY)
    values.update(overrides)
    return claims.file_claim(session, user, **values)


@pytest.mark.parametrize("data", [
    b"GIF89a" + b"\0" * 100,  # an image, but not an allowed one
    b"<html><script>alert(1)</script>",  # a page, whatever its name says
    b"%PDF-1.7 but cut off",  # a truncated PDF
    b"\x89PNG\r\n\x1a\n" + b"\0" * 20,  # a PNG signature without its header chunk
    b"",
])
def test_a_proof_is_judged_by_its_content(data):
    with pytest.raises(InvalidInput):
        claims.proof_type(data)


def test_proof_types_and_size_limit():
    assert claims.proof_type(PNG) == "image/png"
    assert claims.proof_type(PDF) == "application/pdf"
    assert claims.proof_type(b"\xff\xd8\xff\xe0" + b"\0" * 50) == "image/jpeg"
    with pytest.raises(InvalidInput):
        claims.proof_type(PNG + b"\0" * (5 * 1024 * 1024))


@pytest.mark.parametrize("overrides", [
    {"title": "  "}, {"hours": "0"}, {"hours": "abc"}, {"hours": "1.234"}, {"hours": "NaN"},
    {"starts_on": TODAY, "ends_on": TODAY - timedelta(days=1)},
    {"ends_on": TODAY + timedelta(days=1)},
    {"starts_on": date(1999, 12, 30), "ends_on": date(1999, 12, 31)},
    {"starts_on": date(1926, 3, 2), "ends_on": TODAY},
])
def test_a_claim_with_bad_values_is_refused(session, people, overrides):
    with pytest.raises(InvalidInput):
        file(session, people["ani"], **overrides)


def test_a_claim_counts_only_once_approved(session, people):
    claim = file(session, people["ani"], hours="2,5")
    totals = ledger.year_totals(session, people["ani"].id, 2026)
    assert (totals.total, totals.pending) == (Decimal(0), Decimal("2.5"))
    assert [line.claim.id for line in claims.pending_queue(session, people["sup"])] == [claim.id]
    entry = claims.decide(session, people["sup"], claim.id, approve=True)
    assert (entry.status, entry.decided_by_id) == ("credited", people["sup"].id)
    assert entry.decided_at is not None
    totals = ledger.year_totals(session, people["ani"].id, 2026)
    assert (totals.claim, totals.total, totals.pending) == (Decimal("2.5"), Decimal("2.5"), 0)
    with pytest.raises(InvalidInput):  # decided once
        claims.decide(session, people["admin"], claim.id, approve=False, reason="x")


def test_rejecting_needs_a_reason_and_is_not_counted(session, people):
    claim = file(session, people["ani"])
    with pytest.raises(InvalidInput):
        claims.decide(session, people["sup"], claim.id, approve=False, reason="  ")
    entry = claims.decide(session, people["admin"], claim.id, approve=False,
                          reason="Sertifikat tidak terbaca")
    assert (entry.status, entry.reason) == ("rejected", "Sertifikat tidak terbaca")
    assert ledger.year_totals(session, people["ani"].id, 2026).total == 0
    [line] = claims.claims_of(session, people["ani"].id)
    assert line.entry.status == "rejected"


def test_claims_are_seen_and_decided_within_the_subtree_only(session, people):
    claim = file(session, people["outsider"])
    assert claims.pending_queue(session, people["sup"]) == []
    for viewer in ("sup", "ani", "trainer"):
        with pytest.raises(NotFound):
            claims.visible_claim(session, people[viewer], claim.id)
    with pytest.raises(NotFound):
        claims.decide(session, people["sup"], claim.id, approve=True)
    assert claims.visible_claim(session, people["outsider"], claim.id) is claim
    assert claims.visible_claim(session, people["admin"], claim.id) is claim
    own = file(session, people["sup"])
    assert own.id not in [line.claim.id for line in claims.pending_queue(session, people["sup"])]
    with pytest.raises(Forbidden):
        claims.decide(session, people["sup"], own.id, approve=True)
    with pytest.raises(Forbidden):
        claims.decide(session, people["ani"], claim.id, approve=True)
    admins_own = file(session, people["admin"])
    assert admins_own.id not in [
        line.claim.id for line in claims.pending_queue(session, people["admin"])]
    with pytest.raises(Forbidden):
        claims.decide(session, people["admin"], admins_own.id, approve=True)


def test_the_hr_export_has_every_person_with_totals_by_source_and_the_full_nip(session, people):
    s = new_session(session, people["trainer"])
    classroom.attend_by_list(session, s, "ani@example.go.id", people["trainer"].id)
    claims.decide(session, people["sup"], file(session, people["ani"], hours="3").id,
                  approve=True)
    file(session, people["budi"], hours="5")
    rows = {r.email: r for r in ledger.hr_rows(session, 2026)}
    ani = rows["ani@example.go.id"]
    assert ani.nip == "198609262015051001"
    assert (ani.jp_course, ani.jp_session, ani.jp_claim, ani.jp_total, ani.jp_pending) == (
        0, Decimal(4), Decimal(3), Decimal(7), 0)
    assert (rows["budi@example.go.id"].jp_total, rows["budi@example.go.id"].jp_pending) == (
        0, Decimal(5))
    assert "pelatih@example.go.id" not in rows  # no unit: not staff of the organisation
    assert list(ledger.hr_rows(session, 2025))[0].jp_total == 0


def test_a_mistaken_attendance_is_removed_with_its_jp_and_can_be_recorded_again(
        session, people):
    from app.models import AuditEntry

    s = new_session(session, people["trainer"])
    classroom.attend_by_list(session, s, "budi@example.go.id", people["trainer"].id)
    classroom.remove_attendance(session, s, people["budi"].id, people["trainer"].id)
    assert classroom.attendees(session, s) == []
    assert ledger.year_totals(session, people["budi"].id, 2026).total == 0
    [logged] = session.scalars(select(AuditEntry)).all()
    assert (logged.action, logged.details) == ("session.attendance_remove",
                                               {"user_id": people["budi"].id})
    with pytest.raises(NotFound):
        classroom.remove_attendance(session, s, people["budi"].id, people["trainer"].id)
    classroom.attend_by_list(session, s, "budi@example.go.id", people["trainer"].id)
    assert ledger.year_totals(session, people["budi"].id, 2026).session == Decimal("4")
