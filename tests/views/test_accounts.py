"""Accounts people manage themselves (issue 10 point 5), with a real SMTP server."""

import re

import pytest
from sqlalchemy import select

from app.extensions import db
from app.models import AuditEntry, Role, User
from tests.factories import PASSWORD
from tests.pages import csrf_token_in
from tests.views.test_sessions import cookie, replay, sign_in, signed_in

NIP = "198609262015051001"


@pytest.fixture
def mail_app(fresh_app, smtp_server):
    controller, inbox = smtp_server
    app = fresh_app(MAIL_SERVER="127.0.0.1", MAIL_PORT=controller.port,
                    BASE_URL="https://lentera.instansi.go.id", SELF_REGISTRATION=True)
    app.inbox = inbox.messages
    return app


def post_form(client, path, data, page=None):
    token = csrf_token_in(client.get(page or path).get_data(as_text=True))
    response = client.post(path, data={"csrf_token": token, **data})
    response.close()  # the mail goes out once the response is done, as under gunicorn
    return response


def bodies(inbox):
    return [message for _to, message in inbox]


def test_forgot_password_by_nip_mails_a_one_time_link_that_ends_old_sessions(mail_app, make):
    user = make.user(email="ani@instansi.go.id", nip=NIP, name="Ani")
    old = sign_in(mail_app, user)
    client = mail_app.test_client()
    response = post_form(client, "/password/forgot", {"login": "19860926 201505 1 001"})
    page = response.get_data(as_text=True)
    assert "Jika email atau NIP itu terdaftar" in page
    assert response.headers["Cache-Control"] == "no-store"
    [message] = bodies(mail_app.inbox)
    assert message["To"] == "Ani <ani@instansi.go.id>"
    assert message["Subject"] == "Atur ulang kata sandi Lentera"
    body = message.get_payload(decode=True).decode()
    path = re.search(r"https://lentera\.instansi\.go\.id(/password/\S+)", body).group(1)
    response = post_form(client, path, {"password": "sandi-baru-ani", "confirm": "sandi-baru-ani"})
    assert response.status_code == 303
    assert not signed_in(old)  # the reset ended the session that was open before
    assert client.get(path).status_code == 404  # one use only
    fresh = mail_app.test_client()
    token = csrf_token_in(fresh.get("/login").get_data(as_text=True))
    fresh.post("/login", data={"login": NIP, "password": "sandi-baru-ani", "csrf_token": token})
    assert signed_in(fresh)
    with mail_app.app_context():
        actions = set(db.session.scalars(select(AuditEntry.action)))
    assert {"link.password", "auth.password_reset"} <= actions


def test_forgot_password_never_tells_whether_an_account_exists(mail_app, make):
    make.user(email="ada@instansi.go.id")
    client = mail_app.test_client()
    known = post_form(client, "/password/forgot", {"login": "ada@instansi.go.id"})
    unknown = post_form(client, "/password/forgot", {"login": "tidak-ada@instansi.go.id"})

    def text(response):
        page = response.get_data(as_text=True)
        return re.sub(r'[\w-]{20,}\.[\w-]+\.[\w-]+', "", page)  # the CSRF token differs

    assert known.status_code == unknown.status_code == 200
    assert text(known) == text(unknown)
    assert len(mail_app.inbox) == 1


def test_forgot_password_is_throttled_per_account_silently(mail_app, make):
    make.user(email="ada@instansi.go.id")
    client = mail_app.test_client()
    for _ in range(5):
        response = post_form(client, "/password/forgot", {"login": "ADA@instansi.go.id"})
        assert "Jika email atau NIP itu terdaftar" in response.get_data(as_text=True)
    assert len(mail_app.inbox) == 3  # RESET_PER_ACCOUNT an hour


def test_account_page_changes_name_language_and_password(app, make):
    user = make.user(name="Budi")
    client, other_device = sign_in(app, user), sign_in(app, user)
    response = post_form(client, "/account", {"action": "profile", "profile-name": "Budi Santoso",
                                              "profile-locale": "en"})
    assert response.status_code == 303
    page = client.get("/account").get_data(as_text=True)
    assert "My account" in page and "Budi Santoso" in page
    assert client.get("/account").headers["Cache-Control"] == "no-store"
    wrong = post_form(client, "/account", {"action": "password", "password-current": "salah",
                                           "password-password": "sandi-baru-budi",
                                           "password-confirm": "sandi-baru-budi"})
    assert "The current password is wrong." in wrong.get_data(as_text=True)
    response = post_form(client, "/account", {"action": "password",
                                              "password-current": PASSWORD,
                                              "password-password": "sandi-baru-budi",
                                              "password-confirm": "sandi-baru-budi"})
    assert response.status_code == 303
    assert signed_in(client) and not signed_in(other_device)
    with app.app_context():
        person = db.session.get(User, user.id)
        assert (person.name, person.locale) == ("Budi Santoso", "en")


def test_self_registration_confirms_the_address_and_gives_no_nip_no_unit(mail_app):
    client = mail_app.test_client()
    assert "Daftar" in client.get("/login").get_data(as_text=True)
    response = post_form(client, "/register", {
        "name": "Warga Umum", "email": "warga@example.com", "password": "sandi-warga-1",
        "confirm": "sandi-warga-1"})
    assert "Buka tautan di dalamnya" in response.get_data(as_text=True)
    token = csrf_token_in(client.get("/login").get_data(as_text=True))
    client.post("/login", data={"login": "warga@example.com", "password": "sandi-warga-1",
                                "csrf_token": token})
    assert not signed_in(client)  # not before the address is confirmed
    [message] = bodies(mail_app.inbox)
    body = message.get_payload(decode=True).decode()
    path = re.search(r"https://lentera\.instansi\.go\.id(/register/confirm/\S+)", body).group(1)
    assert client.get(path).status_code == 303
    assert client.get(path).status_code == 404  # once
    token = csrf_token_in(client.get("/login").get_data(as_text=True))
    client.post("/login", data={"login": "warga@example.com", "password": "sandi-warga-1",
                                "csrf_token": token})
    assert signed_in(client)
    with mail_app.app_context():
        person = db.session.scalar(select(User).where(User.email == "warga@example.com"))
        assert (person.nip, person.unit_id, Role(person.roles)) == (None, None, Role.LEARNER)


def test_registering_a_taken_address_says_nothing_on_the_page(mail_app, make):
    make.user(email="ada@instansi.go.id")
    client = mail_app.test_client()
    response = post_form(client, "/register", {
        "name": "Orang Lain", "email": "ada@instansi.go.id", "password": "sandi-lain-12",
        "confirm": "sandi-lain-12"})
    assert "Buka tautan di dalamnya" in response.get_data(as_text=True)
    [message] = bodies(mail_app.inbox)
    assert "sudah punya akun" in message.get_payload(decode=True).decode()


def test_self_registration_is_off_unless_the_operator_turns_it_on(client):
    assert client.get("/register").status_code == 404
    assert "Daftar" not in client.get("/login").get_data(as_text=True)


def test_admins_create_one_user_and_edit_name_email_and_nip(app, login, make):
    admin = login(roles=Role.ADMIN)
    make.unit("BIRO", "Biro")
    page = admin.client.get("/admin/users/new").get_data(as_text=True)
    unit_id = re.search(r'<option value="(\d+)"[^>]*>Biro', page).group(1)
    response = post_form(admin.client, "/admin/users/new", {
        "name": "Citra", "email": "Citra@Instansi.go.id", "nip": "1986 0926 2015 0510 01",
        "roles": ["1", "4"], "unit": unit_id})
    assert response.status_code == 200
    assert "/password/" in response.get_data(as_text=True)  # the link to hand out
    with app.app_context():
        citra = db.session.scalar(select(User).where(User.email == "citra@instansi.go.id"))
        assert (citra.nip, Role(citra.roles), citra.unit.code) == (
            NIP, Role.LEARNER | Role.SUPERVISOR, "BIRO")
        citra_id = citra.id
    bad = post_form(admin.client, f"/admin/users/{citra_id}", {
        "name": "Citra Dewi", "email": "citra@instansi.go.id", "nip": "198613322015051001",
        "roles": ["1"], "unit": "", "active": "y"})
    assert "NIP" in bad.get_data(as_text=True) and bad.status_code == 200
    response = post_form(admin.client, f"/admin/users/{citra_id}", {
        "name": "Citra Dewi", "email": "citra.dewi@instansi.go.id", "nip": "",
        "roles": ["1"], "unit": "", "active": "y"})
    assert response.status_code == 303
    with app.app_context():
        citra = db.session.get(User, citra_id)
        assert (citra.name, citra.email, citra.nip) == (
            "Citra Dewi", "citra.dewi@instansi.go.id", NIP)


def test_a_locked_account_is_told_when_to_try_again(app, make):
    user = make.user()
    client = app.test_client()
    token = csrf_token_in(client.get("/login").get_data(as_text=True))
    for _ in range(10):
        client.post("/login", data={"login": user.email, "password": "salah",
                                    "csrf_token": token})
    response = client.post("/login", data={"login": user.email, "password": PASSWORD,
                                           "csrf_token": token})
    assert "Coba lagi dalam 15 menit" in response.get_data(as_text=True)
    assert 14 * 60 < int(response.headers["Retry-After"]) <= 15 * 60
    assert not signed_in(client)
    assert cookie(client, "remember_token") is None
    assert replay(app).get("/me/learning").status_code == 302


def test_akun_saya_lists_and_revokes_api_tokens(app, make):
    user = make.user()
    api = app.test_client()
    reply = api.post("/api/v1/auth/token", json={"login": user.email, "password": PASSWORD,
                                                 "label": "Ponsel Android"})
    assert reply.status_code == 201
    bearer = {"Authorization": f"Bearer {reply.get_json()['token']}"}
    assert api.get("/api/v1/me/progress", headers=bearer).status_code == 200
    client = sign_in(app, user)
    page = client.get("/account").get_data(as_text=True)
    assert "Ponsel Android" in page
    action = re.search(r'action="(/account/tokens/\d+/revoke)"', page).group(1)
    response = post_form(client, action, {}, page="/account")
    assert response.status_code == 303
    assert "Ponsel Android" not in client.get("/account").get_data(as_text=True)
    assert api.get("/api/v1/me/progress", headers=bearer).status_code == 401


def test_sign_out_everywhere_kills_api_tokens_too(app, make):
    user = make.user()
    api = app.test_client()
    token = api.post("/api/v1/auth/token", json={"login": user.email,
                                                 "password": PASSWORD}).get_json()["token"]
    client = sign_in(app, user)
    response = post_form(client, "/account/sign-out-everywhere", {}, page="/account")
    assert response.status_code == 303
    reply = api.get("/api/v1/me/progress", headers={"Authorization": f"Bearer {token}"})
    assert reply.status_code == 401
