"""Admin pages over HTTP: units, users, staff import with one-time links, mandatory courses."""

import io
import re
from datetime import date, timedelta

from sqlalchemy import select

from app.extensions import db
from app.models import Assignment, AuditEntry, Role, Unit, User
from tests.factories import PASSWORD

HEADER = "email,name,nip,unit_code,role\n"


def unit_path(app, code):
    with app.app_context():
        return db.session.scalar(select(Unit.path).where(Unit.code == code))


def test_admins_add_and_move_units(app, login, make):
    admin = login(roles=Role.ADMIN)
    kemen = make.unit("KEMEN", "Kementerian")
    token = admin.csrf("/admin/units")
    response = admin.client.post("/admin/units", data={
        "csrf_token": token, "code": "BIRO", "name": "Biro Umum", "parent": str(kemen)})
    assert response.status_code == 303
    sub = make.unit("SUB", "Sub Bagian", "BIRO")
    page = admin.client.get("/admin/units").get_data(as_text=True)
    # Sub Bagian sits two lists deep (issue 14: the tree is nested, not flat).
    assert "Biro Umum" in page
    above = page.split(">Sub Bagian<")[0].split('<ul class="tree">', 1)[1]
    assert above.count('<ul class="tree">') == 2
    other = make.unit("LAIN", "Instansi Lain")
    biro = db_id(app, "BIRO")
    response = admin.client.post(f"/admin/units/{biro}", data={
        "csrf_token": token, "code": "BIRO", "name": "Biro Umum", "parent": str(other)})
    assert response.status_code == 303
    assert unit_path(app, "SUB") == f"/{other}/{biro}/{sub}/"
    # Moving below its own sub-unit is refused with a message, nothing changes.
    response = admin.client.post(f"/admin/units/{biro}", data={
        "csrf_token": token, "code": "BIRO", "name": "Biro Umum", "parent": str(sub)})
    assert "tidak dapat dipindahkan" in response.get_data(as_text=True)
    assert unit_path(app, "SUB") == f"/{other}/{biro}/{sub}/"
    duplicate = admin.client.post("/admin/units", data={
        "csrf_token": token, "code": "SUB", "name": "Lagi", "parent": ""})
    assert "Kode SUB sudah dipakai unit lain." in duplicate.get_data(as_text=True)


def db_id(app, code):
    with app.app_context():
        return db.session.scalar(select(Unit.id).where(Unit.code == code))


def test_admins_search_users_and_change_roles_with_an_audit_entry(app, login, make):
    admin = login(roles=Role.ADMIN)
    make.unit("BIRO", "Biro")
    ani = make.user(name="Ani Lestari", nip="198609262015051001")
    make.user(name="Budi")
    page = admin.client.get("/admin/users?q=lestari").get_data(as_text=True)
    assert "Ani Lestari" in page and "Budi" not in page
    assert "19860926******1001" in page and "198609262015051001" not in page
    assert "Ani Lestari" in admin.client.get("/admin/users?q=1986 0926").get_data(as_text=True)
    response = admin.client.post(f"/admin/users/{ani.id}", data={
        "csrf_token": admin.csrf(f"/admin/users/{ani.id}"), "roles": ["1", "4"],
        "unit": str(db_id(app, "BIRO")), "active": "y", "name": "Ani Lestari",
        "email": ani.email})
    assert response.status_code == 303
    with app.app_context():
        user = db.session.get(User, ani.id)
        assert Role(user.roles) == Role.LEARNER | Role.SUPERVISOR and user.unit.code == "BIRO"
        entry = db.session.scalar(select(AuditEntry))
        assert (entry.action, entry.actor_id, entry.target) == (
            "user.roles", admin.user.id, f"user:{ani.id}")
        assert (entry.details["before"], entry.details["after"]) == (
            ["learner"], ["learner", "supervisor"])


def test_an_admin_cannot_lock_themselves_out(login):
    admin = login(roles=Role.ADMIN)
    response = admin.client.post(f"/admin/users/{admin.user.id}", data={
        "csrf_token": admin.csrf("/admin/users"), "roles": ["1"], "unit": "", "active": "y",
        "name": "Admin", "email": admin.user.email})
    assert response.status_code == 200
    assert "tidak dapat mencabut peran admin" in response.get_data(as_text=True)


def upload(admin, text, **extra):
    data = {"csrf_token": admin.csrf("/admin/users/import"),
            "file": (io.BytesIO(text.encode()), "pegawai.csv"), **extra}
    return admin.client.post("/admin/users/import", data=data,
                             content_type="multipart/form-data")


def test_a_bad_import_lists_every_bad_row_and_imports_nothing(app, login, make):
    admin = login(roles=Role.ADMIN)
    make.unit("BIRO", "Biro")
    response = upload(admin, HEADER + "ani@instansi.go.id,Ani,,BIRO,learner\n"
                      "budi@instansi.go.id,Budi,12345,BIRO,learner\n"
                      "citra@instansi.go.id,Citra,,HILANG,learner\n")
    page = response.get_data(as_text=True)
    assert "2 masalah ditemukan; tidak ada yang diimpor." in page
    assert "Baris 3: NIP 12345 salah: NIP harus 18 angka." in page
    assert "Baris 4: unit HILANG tidak dikenal" in page
    with app.app_context():
        assert db.session.scalar(select(User).where(User.email == "ani@instansi.go.id")) is None


def test_an_import_hands_out_one_time_links_that_set_a_password(app, client, login, make):
    admin = login(roles=Role.ADMIN)
    make.unit("BIRO", "Biro")
    response = upload(admin, HEADER + "ani@instansi.go.id,Ani,,BIRO,learner\n"
                      "bukan-email,Budi,,BIRO,learner\n", skip_invalid="y")
    page = response.get_data(as_text=True)
    assert response.headers["Cache-Control"] == "no-store"
    assert "1 pengguna baru, 0 diperbarui, 0 tetap." in page
    assert "Baris 3: email tidak valid: bukan-email" in page
    url = re.search(r'value="(http://localhost/password/[^"]+)"', page).group(1)
    path = url.removeprefix("http://localhost")
    form = client.get(path).get_data(as_text=True)
    assert "Halo Ani." in form
    token = form.split('name="csrf_token" type="hidden" value="', 1)[1].split('"', 1)[0]
    # CSRF is required, and so are 8 characters and a matching confirmation.
    assert client.post(path, data={"password": "rahasia-ani", "confirm": "rahasia-ani"}) \
        .status_code == 400
    short = client.post(path, data={"csrf_token": token, "password": "pendek",
                                    "confirm": "pendek"}).get_data(as_text=True)
    assert "Kata sandi minimal 8 karakter." in short
    response = client.post(path, data={"csrf_token": token, "password": "rahasia-ani",
                                       "confirm": "rahasia-ani"})
    assert response.status_code == 303 and response.headers["Location"] == "/login"
    login_page = client.get("/login").get_data(as_text=True)
    login_token = login_page.split('name="csrf_token" type="hidden" value="')[1].split('"')[0]
    assert client.post("/login", data={"login": "ani@instansi.go.id", "password": "rahasia-ani",
                                       "csrf_token": login_token}).status_code == 302
    # Single use: the link is dead now.
    again = app.test_client().get(path)
    assert again.status_code == 404 and "Tautan ini tidak berlaku" in again.get_data(as_text=True)


def test_with_smtp_configured_the_links_are_emailed(fresh_app, make, smtp_server):
    controller, inbox = smtp_server
    app = fresh_app(MAIL_SERVER="127.0.0.1", MAIL_PORT=controller.port,
                    BASE_URL="https://lentera.instansi.go.id",
                    MAIL_DEFAULT_SENDER="Lentera <lentera@instansi.go.id>")
    make.unit("BIRO", "Biro")
    admin = make.user(roles=Role.ADMIN)
    client = app.test_client()
    page = client.get("/login").get_data(as_text=True)
    token = page.split('name="csrf_token" type="hidden" value="')[1].split('"')[0]
    client.post("/login", data={"login": admin.email, "password": PASSWORD, "csrf_token": token})
    token = client.get("/admin/users/import").get_data(as_text=True) \
        .split('name="csrf_token" type="hidden" value="')[1].split('"')[0]
    response = client.post("/admin/users/import", content_type="multipart/form-data", data={
        "csrf_token": token, "file": (io.BytesIO(
            (HEADER + "ani@instansi.go.id,Ani Lestari,,BIRO,learner\n").encode()), "a.csv")})
    page = response.get_data(as_text=True)
    assert "Tautan untuk membuat kata sandi sudah dikirim lewat email." in page
    assert "/password/" not in page  # nothing left to hand out by hand
    [(recipients, message)] = inbox.messages
    assert recipients == ["ani@instansi.go.id"]
    assert message["Subject"] == "Buat kata sandi Lentera Anda"
    body = message.get_payload(decode=True).decode()
    link = re.search(r"https://lentera\.instansi\.go\.id(/password/\S+)", body).group(1)
    assert "Halo Ani Lestari" in body
    assert "Buat kata sandi" in app.test_client().get(link).get_data(as_text=True)


def test_mandatory_courses_by_a_supervisor_within_scope_only(app, login, make):
    make.unit("KEMEN", "Kementerian")
    setjen = make.unit("SETJEN", "Setjen", "KEMEN")
    other = make.unit("DIT", "Direktorat", "KEMEN")
    course = make.course()
    sup = login(roles=Role.SUPERVISOR | Role.LEARNER, unit_code="SETJEN")
    page = sup.client.get("/admin/assignments").get_data(as_text=True)
    assert "Setjen" in page and "Direktorat" not in page
    token = sup.csrf("/admin/assignments")
    due = (date.today() + timedelta(days=20)).isoformat()
    outside = sup.client.post("/admin/assignments", data={
        "csrf_token": token, "course": str(course.id), "unit": str(other), "due_on": due})
    assert outside.status_code == 404
    bad_date = sup.client.post("/admin/assignments", data={
        "csrf_token": token, "course": str(course.id), "unit": str(setjen), "due_on": "besok"})
    assert "Tanggal tidak valid" in bad_date.get_data(as_text=True)
    ok = sup.client.post("/admin/assignments", data={
        "csrf_token": token, "course": str(course.id), "unit": str(setjen), "due_on": due})
    assert ok.status_code == 303
    with app.app_context():
        assignment = db.session.scalar(select(Assignment))
        assert (assignment.unit_id, assignment.due_on.isoformat()) == (setjen, due)
        mine = assignment.id
    theirs = make.assignment(course, other, date.today())
    assert sup.client.post(f"/admin/assignments/{theirs}/delete",
                           data={"csrf_token": token}).status_code == 404
    # Deleting asks first (issue 14): the first POST shows a confirmation and removes nothing.
    asked = sup.client.post(f"/admin/assignments/{mine}/delete", data={"csrf_token": token})
    assert asked.status_code == 200 and "Hapus kursus wajib?" in asked.get_data(as_text=True)
    assert 'name="confirm" value="1"' in asked.get_data(as_text=True)
    with app.app_context():
        assert len(db.session.scalars(select(Assignment.id)).all()) == 2
    assert sup.client.post(f"/admin/assignments/{mine}/delete",
                           data={"csrf_token": token, "confirm": "1"}).status_code == 303
    with app.app_context():
        assert db.session.scalars(select(Assignment.id)).all() == [theirs]
