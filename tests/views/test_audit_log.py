"""The audit log in the admin area, in plain translated words (issue 10 point 10)."""

import io
import re

from app.models import Role
from tests.pages import csrf_token_in

HEADER = "email,name,nip,unit_code,role\n"


def fail_to_sign_in(app, email, times):
    client = app.test_client()
    token = csrf_token_in(client.get("/login").get_data(as_text=True))
    for _ in range(times):
        client.post("/login", data={"login": email, "password": "salah", "csrf_token": token},
                    environ_base={"REMOTE_ADDR": "203.0.113.5"})


def test_the_audit_log_says_who_did_what_and_when(app, login, make):
    admin = login(roles=Role.ADMIN, name="Admin Utama")
    make.unit("BIRO", "Biro")
    budi = make.user(name="Budi", roles=Role.SUPERVISOR | Role.LEARNER, unit_code="BIRO")
    fail_to_sign_in(app, budi.email, 10)
    # A role change and a deactivation.
    admin.client.post(f"/admin/users/{budi.id}", data={
        "csrf_token": admin.csrf(f"/admin/users/{budi.id}"), "roles": ["1"], "unit": "",
        "name": "Budi", "email": budi.email})
    # A one-time link, a staff import, an export.
    admin.client.post(f"/admin/users/{budi.id}/password-link",
                      data={"csrf_token": admin.csrf(f"/admin/users/{budi.id}")})
    response = admin.client.post("/admin/users/import", content_type="multipart/form-data", data={
        "csrf_token": admin.csrf("/admin/users/import"),
        "file": (io.BytesIO((HEADER + "ani@instansi.go.id,Ani,,BIRO,learner\n").encode()),
                 "a.csv")})
    link = re.search(r'value="http://localhost(/password/[^"]+)"',
                     response.get_data(as_text=True)).group(1)
    client = app.test_client()
    token = csrf_token_in(client.get(link).get_data(as_text=True))
    client.post(link, data={"csrf_token": token, "password": "sandi-ani-baru",
                            "confirm": "sandi-ani-baru"})
    admin.client.get("/reports/export.csv?status=completed")

    page = admin.client.get("/admin/audit").get_data(as_text=True)
    budi_named = f"Budi ({budi.email})"
    for sentence in [
        f"5 kali gagal masuk berturut-turut ke akun {budi_named} (alamat 203.0.113.5).",
        f"Akun {budi_named} dikunci 15 menit setelah 10 kali gagal masuk",
        f"Admin Utama mengubah peran {budi_named} dari peserta, atasan menjadi peserta.",
        f"Admin Utama menonaktifkan akun {budi_named}; semua sesinya diakhiri.",
        f"Admin Utama membuat tautan kata sandi sekali pakai untuk {budi_named}.",
        "Admin Utama mengimpor pegawai: 1 baru, 0 diperbarui, 1 tautan kata sandi.",
        "Ani (ani@instansi.go.id) memilih kata sandi baru lewat tautan sekali pakai",
        "Admin Utama mengunduh laporan penyelesaian (CSV).",
    ]:
        assert sentence in page, sentence
    assert "<time datetime=" in page

    lockouts = admin.client.get("/admin/audit?action=auth.lockout").get_data(as_text=True)
    assert "dikunci 15 menit" in lockouts and "mengimpor pegawai" not in lockouts

    admin.client.post("/language", data={"csrf_token": admin.csrf("/admin/audit"),
                                          "locale": "en", "next": "/admin/audit"})
    english = admin.client.get("/admin/audit").get_data(as_text=True)
    assert f"Admin Utama deactivated the account {budi_named}" in english
    assert "Audit log" in english


def test_only_admins_see_the_audit_log(login):
    supervisor = login(roles=Role.SUPERVISOR)
    assert supervisor.client.get("/admin/audit").status_code == 403


def test_every_action_the_code_records_has_plain_words_in_both_languages():
    """An action added by another feature (the HR export, attendance removal, assignments)
    must not show as a raw code like "jp.hr_export" on the audit page."""
    from pathlib import Path

    from app import create_app
    from app.admin.audit_words import action_name

    source = "\n".join(p.read_text() for p in Path("app").rglob("*.py"))
    recorded = set(re.findall(r'record\(\s*[\w.]+,\s*[\w.]+,\s*"([a-z_]+\.[a-z_]+)"', source))
    recorded |= {f"link.{p}" for p in ("password", "confirm")}
    assert {"jp.hr_export", "user.deactivate", "staff.import"} <= recorded
    app = create_app({"TESTING": True, "SECRET_KEY": "x" * 40,
                      "SQLALCHEMY_DATABASE_URI": "sqlite://"})
    for locale in ("id", "en"):
        with app.test_request_context(headers={"Accept-Language": locale}):
            for action in sorted(recorded):
                assert action_name(action) != action, (locale, action)
