"""The ledger's pages over HTTP: sessions, check-in, claims and their proofs, the HR export."""

import csv
import io
from datetime import datetime
from decimal import Decimal
from pathlib import Path
from zoneinfo import ZoneInfo

import pytest
from openpyxl import load_workbook
from sqlalchemy import select

from app.extensions import db
from app.models import AuditEntry, ClassSession, JpClaim, Role

DATA = Path(__file__).parent.parent / "data"
PNG = (DATA / "courses" / "contoh-kursus" / "media" / "diagram.png").read_bytes()
NIP = "198609262015051001"


@pytest.fixture
def org(make):
    make.unit("INDUK", "Induk")
    make.unit("ANAK", "Anak", "INDUK")
    make.unit("LAIN", "Lain")
    return {
        "ani": make.user(email="ani@example.go.id", name="Ani", nip=NIP, unit_code="ANAK"),
        "sup": make.user(roles=Role.SUPERVISOR | Role.LEARNER, unit_code="INDUK",
                         name="Sari Atasan"),
        "sup2": make.user(roles=Role.SUPERVISOR | Role.LEARNER, unit_code="LAIN"),
        "trainer": make.user(roles=Role.TRAINER),
        "admin": make.user(roles=Role.ADMIN),
    }


def post(who, path, data, **kwargs):
    data = dict(data, csrf_token=who.csrf())
    return who.client.post(path, data=data, **kwargs)


def new_class(trainer, **fields) -> int:
    """A face-to-face session the trainer creates through the form; returns its id."""
    response = post(trainer, "/classroom/new", {
        "title": "Kelas", "held_on": "2026-03-02", "place": "Aula", "jp": "2", "course_id": "",
        **fields})
    assert response.status_code == 303
    return int(response.headers["Location"].rstrip("/").rsplit("/", 1)[1])


def test_a_trainer_opens_a_session_and_a_learner_checks_in_once(app, org, login):
    trainer = login(org["trainer"])
    response = post(trainer, "/classroom/new", {"title": "Kelas SPBE", "held_on": "2026-03-02",
                                                "place": "Aula", "jp": "3", "course_id": ""})
    assert response.status_code == 303
    detail = response.headers["Location"]
    with app.app_context():
        code = db.session.scalar(select(ClassSession.code))
    page = trainer.client.get(detail).get_data(as_text=True)
    assert code not in page and "<svg" not in page  # check-in closed: no code shown
    session_id = detail.rstrip("/").rsplit("/", 1)[-1]
    post(trainer, f"/classroom/{session_id}/checkin", {"open": "1"})
    page = trainer.client.get(detail).get_data(as_text=True)
    assert code in page and "<svg" in page and f"check-in?code={code}" in page

    ani = login(org["ani"])
    prefilled = ani.client.get(f"/check-in?code={code.lower()}").get_data(as_text=True)
    assert f'value="{code}"' in prefilled
    first = post(ani, "/check-in", {"code": code}).get_data(as_text=True)
    assert "+3 JP" in first
    again = post(ani, "/check-in", {"code": code}).get_data(as_text=True)
    assert "dihitung sekali" in again
    mine = ani.client.get("/me/jp?year=2026").get_data(as_text=True)
    assert "Kelas SPBE" in mine and "Sesi tatap muka" in mine
    ani.client.post("/language", data={"locale": "en", "csrf_token": ani.csrf()})
    mine = ani.client.get("/me/jp?year=2026").get_data(as_text=True)
    assert "Face-to-face sessions</dt>" in mine  # the total per source
    assert "Face-to-face session · " in mine  # one entry: singular
    ani.client.post("/language", data={"locale": "id", "csrf_token": ani.csrf()})

    other = login(org["sup2"])
    assert other.client.get(detail).status_code == 403  # not a trainer
    stranger = login(roles=Role.TRAINER)
    assert stranger.client.get(detail).status_code == 404  # another trainer's session


def test_a_wrong_code_is_a_friendly_message(org, login):
    ani = login(org["ani"])
    response = post(ani, "/check-in", {"code": "ABCDEF"})
    assert response.status_code == 200 and "Kode tidak dikenal" in response.get_data(as_text=True)


def test_csv_attendance_reports_bad_rows_as_file_line(org, login):
    trainer = login(org["trainer"])
    session_id = new_class(trainer)
    data = f"nip\n{NIP}\n199901012020011002\n".encode()
    response = post(trainer, f"/classroom/{session_id}/attendance.csv",
                    {"file": (io.BytesIO(data), "hadir-maret.csv")},
                    content_type="multipart/form-data")
    page = response.get_data(as_text=True)
    assert "hadir-maret.csv:3: tidak ada pengguna aktif" in page
    assert "0 peserta hadir" in page


def file_claim(who, proof=PNG, name="sertifikat.jpg", **overrides):
    values = {"title": "Diklat PIM", "organiser": "LAN", "starts_on": "2026-03-02",
              "ends_on": "2026-03-04", "hours": "8", "proof": (io.BytesIO(proof), name)}
    values.update(overrides)
    return post(who, "/me/jp/claims/new", values, content_type="multipart/form-data")


def test_a_proof_is_judged_by_content_not_name(org, login):
    ani = login(org["ani"])
    response = file_claim(ani, proof=b"<script>alert(1)</script>", name="bukti.pdf")
    assert response.status_code == 200
    assert "PDF, JPEG atau PNG" in response.get_data(as_text=True)
    assert file_claim(ani, name="foto.pdf").status_code == 303  # a PNG with a wrong name is fine


def test_the_proof_reaches_only_the_learner_their_supervisors_and_admins(app, org, login):
    ani = login(org["ani"])
    assert file_claim(ani).status_code == 303
    with app.app_context():
        claim_id = db.session.scalar(select(JpClaim.id))
    url = f"/jp/claims/{claim_id}/proof"
    for who in ("ani", "sup", "admin"):
        client = ani if who == "ani" else login(org[who])
        response = client.client.get(url)
        assert response.status_code == 200, who
        assert response.data == PNG and response.mimetype == "image/png"
        assert response.headers["Content-Disposition"] == (
            f'attachment; filename="bukti-pelatihan-{claim_id}.png"')
        assert response.headers["X-Content-Type-Options"] == "nosniff"
        assert "no-store" in response.headers["Cache-Control"]
    for who in ("sup2", "trainer"):
        assert login(org[who]).client.get(url).status_code == 404, who
    assert app.test_client().get(url).status_code == 302  # a guest is sent to log in


def test_the_supervisor_approves_and_rejects_from_the_queue(app, org, login):
    ani = login(org["ani"])
    file_claim(ani, hours="8")
    file_claim(ani, title="Kursus lain", hours="2")
    with app.app_context():
        first, second = db.session.scalars(select(JpClaim.id).order_by(JpClaim.id)).all()
    sup = login(org["sup"])
    queue = sup.client.get("/jp/claims/review").get_data(as_text=True)
    assert "Diklat PIM" in queue and "Kursus lain" in queue and "198609******" not in queue
    assert login(org["sup2"]).client.get("/jp/claims/review").get_data(as_text=True).count(
        "Diklat PIM") == 0
    response = post(sup, f"/jp/claims/{second}/decision", {"decision": "reject", "reason": ""})
    assert response.status_code == 303
    assert "alasan" in sup.client.get("/jp/claims/review").get_data(as_text=True).lower()
    post(sup, f"/jp/claims/{first}/decision", {"decision": "approve"})
    post(sup, f"/jp/claims/{second}/decision", {"decision": "reject", "reason": "Tanpa stempel"})
    mine = ani.client.get("/me/jp?year=2026").get_data(as_text=True)
    assert "Tanpa stempel" in mine and "ditolak" in mine and "diakui" in mine
    assert "Diputuskan oleh Sari Atasan" in mine
    assert "8 dari target" in mine
    assert post(login(org["sup2"]), f"/jp/claims/{first}/decision",
                {"decision": "approve"}).status_code == 404


def test_the_hr_export_is_for_admins_with_full_nip_and_is_audited(app, org, login):
    for who in ("sup", "trainer", "ani"):
        assert login(org[who]).client.get("/jp/hr-export.csv").status_code == 403
    admin = login(org["admin"])
    response = admin.client.get("/jp/hr-export.csv?year=2026")
    assert response.status_code == 200
    rows = list(csv.DictReader(io.StringIO(response.get_data(as_text=True)[1:])))
    ani = next(r for r in rows if r["Email"] == "ani@example.go.id")
    assert ani["NIP"] == NIP and ani["Tahun"] == "2026" and ani["JP total"] == "0.00"
    workbook = load_workbook(io.BytesIO(admin.client.get("/jp/hr-export.xlsx?year=2026").data))
    values = list(workbook.active.values)
    assert values[0][0] == "NIP" and any(row[0] == NIP for row in values[1:])
    with app.app_context():
        logged = db.session.execute(select(AuditEntry.action, AuditEntry.target,
                                           AuditEntry.details).order_by(AuditEntry.id)).all()
    assert [(a, t, d["format"]) for a, t, d in logged] == [
        ("jp.hr_export", "jp:2026", "csv"), ("jp.hr_export", "jp:2026", "xlsx")]
    assert admin.client.get("/jp/hr-export.csv?year=abc").status_code == 400


def test_the_hr_export_is_as_safe_and_usable_as_the_report_exports(app, org, login, make):
    """The same guard as every export (issue 10): quoted fields, no formula after a `;`;
    and the same usable workbook (issue 14): text stays text, header frozen, filters on."""
    make.user(email="budi@example.go.id", name="Budi;=1+2;@SUM(1)", unit_code="ANAK")
    admin = login(org["admin"])
    text = admin.client.get("/jp/hr-export.csv?year=2026").get_data(as_text=True)
    line = next(row for row in text.splitlines() if "budi@example.go.id" in row)
    assert line.split(",")[1] == '"\'Budi;\'=1+2;\'@SUM(1)"'
    assert all(field.startswith('"') for field in line.split(","))
    for piece in line.split(";"):  # what Excel makes of it with `;` as the separator
        assert not piece.lstrip('"').startswith(("=", "+", "-", "@"))
    sheet = load_workbook(io.BytesIO(admin.client.get("/jp/hr-export.xlsx?year=2026").data)).active
    budi = next(row for row in sheet.iter_rows(min_row=2) if row[2].value == "budi@example.go.id")
    assert (budi[1].value, budi[1].data_type, budi[1].number_format) == (
        "Budi;=1+2;@SUM(1)", "s", "@")
    assert sheet.freeze_panes == "A2" and sheet.auto_filter.ref.startswith("A1:J")


def test_a_session_that_teaches_a_course_shows_in_rows_exports_and_my_learning(
        org, login, make):
    course = make.course()
    today = datetime.now(ZoneInfo("Asia/Jakarta")).date()
    trainer = login(org["trainer"])
    session_id = new_class(trainer, title="Kelas contoh", held_on=today.isoformat(), jp="5",
                           course_id=str(course.id))
    post(trainer, f"/classroom/{session_id}/attendance", {"people": NIP})

    sup = login(org["sup"])
    rows = list(csv.DictReader(io.StringIO(
        sup.client.get("/reports/export.csv").get_data(as_text=True)[1:])))
    [ani] = [r for r in rows if r["Nama"] == "Ani"]
    assert ani["Status"] == "Selesai"
    assert [Decimal(ani[c]) for c in ("JP tahun ini", "JP dari kursus", "JP sesi tatap muka",
                                      "JP pelatihan luar")] == [5, 0, 5, 0]
    page = sup.client.get("/reports/rows").get_data(as_text=True)
    assert "JP sesi tatap muka" in page
    mine = login(org["ani"]).client.get("/me/learning").get_data(as_text=True)
    assert "lewat sesi tatap muka" in mine


def test_a_scanned_qr_code_survives_signing_in(client):
    response = client.get("/check-in?code=AB3DEF")
    assert response.status_code == 302
    assert "next=%2Fcheck-in%3Fcode%3DAB3DEF" in response.headers["Location"]


def test_the_supervisors_learner_page_splits_this_years_jp_by_source(app, org, login):
    ani = login(org["ani"])
    file_claim(ani, ends_on=datetime.now(ZoneInfo("Asia/Jakarta")).date().isoformat(),
               starts_on=datetime.now(ZoneInfo("Asia/Jakarta")).date().isoformat())
    page = login(org["sup"]).client.get(f"/reports/learners/{org['ani'].id}").get_data(
        as_text=True)
    assert "Sesi tatap muka" in page and "Pelatihan luar" in page
    assert "Menunggu persetujuan (belum dihitung)" in page and "Diklat PIM" in page
    assert login(org["sup2"]).client.get(f"/reports/learners/{org['ani'].id}").status_code == 404


def test_the_trainer_removes_a_wrongly_recorded_person(org, login):
    trainer = login(org["trainer"])
    session_id = new_class(trainer)
    post(trainer, f"/classroom/{session_id}/attendance", {"people": NIP})
    url = f"/classroom/{session_id}/attendance/{org['ani'].id}/delete"
    assert post(login(roles=Role.TRAINER), url, {}).status_code == 404  # not their session
    assert post(trainer, url, {}).status_code == 303
    page = trainer.client.get(f"/classroom/{session_id}").get_data(as_text=True)
    assert "0 peserta hadir" in page
    assert "Kelas" not in login(org["ani"]).client.get("/me/jp?year=2026").get_data(as_text=True)


def test_a_wrong_year_on_my_jp_says_so_in_the_page_without_another_years_figures(org, login):
    ani = login(org["ani"])
    response = ani.client.get("/me/jp?year=1999")
    page = response.get_data(as_text=True)
    assert response.status_code == 400
    assert 'role="alert"' in page and "Tahun tidak valid" in page
    assert '<select id="year" name="year">' in page  # the picker to correct it
    assert "Catatan JP" not in page and "dari target" not in page  # no figures for some year
