"""Logging in and out, CSRF, language choice."""

import pytest

from tests.factories import PASSWORD
from tests.pages import csrf_token_in


def csrf_of(client, path="/login"):
    page = client.get(path).get_data(as_text=True)
    return csrf_token_in(page)


@pytest.mark.parametrize("login_as", ["email", "nip", "nip with spaces"])
def test_log_in_with_email_or_nip(client, make, login_as):
    user = make.user(email="ani@example.go.id", nip="198609262015051001")
    login = {"email": "ANI@example.go.id", "nip": "198609262015051001",
             "nip with spaces": "19860926 201505 1 001"}[login_as]
    response = client.post("/login", data={
        "login": login, "password": PASSWORD, "csrf_token": csrf_of(client)})
    assert response.status_code == 302 and response.headers["Location"] == "/"
    assert "Masuk sebagai Pengguna" in client.get("/").get_data(as_text=True)
    assert user.id


def test_a_wrong_password_says_so_without_telling_which_part(client, make):
    user = make.user()
    response = client.post("/login", data={
        "login": user.email, "password": "salah-sekali", "csrf_token": csrf_of(client)})
    page = response.get_data(as_text=True)
    assert response.status_code == 200
    assert "Email/NIP atau kata sandi salah." in page
    assert client.get("/").status_code == 302  # still a guest


def test_empty_fields_are_named_in_indonesian(client):
    response = client.post(
        "/login", data={"login": "", "password": "", "csrf_token": csrf_of(client)}
    )
    page = response.get_data(as_text=True)
    assert "Isi email atau NIP Anda." in page and "Isi kata sandi Anda." in page
    assert 'aria-invalid="true"' in page


def test_a_form_without_its_csrf_token_is_refused(client, make):
    user = make.user()
    response = client.post("/login", data={"login": user.email, "password": PASSWORD})
    assert response.status_code == 400
    assert "Formulir ini sudah kedaluwarsa" in response.get_data(as_text=True)
    assert client.get("/").status_code == 302


def test_login_only_returns_to_pages_of_this_site(client, make):
    user = make.user()
    for target, expected in [("/me/learning", "/me/learning"), ("https://jahat.example/", "/"),
                             ("//jahat.example/", "/")]:
        client.get("/login")
        with client.session_transaction() as sess:
            sess.clear()
        response = client.post("/login", data={
            "login": user.email, "password": PASSWORD, "next": target,
            "csrf_token": csrf_of(client)})
        assert response.headers["Location"] == expected


def test_logout_needs_a_post_with_token_and_ends_the_session(login):
    me = login()
    assert me.client.get("/logout").status_code == 405
    assert me.client.post("/logout").status_code == 400  # no token
    assert me.client.get("/").status_code == 200
    me.client.post("/logout", data={"csrf_token": me.csrf()})
    assert me.client.get("/").status_code == 302


def test_session_protection_is_strong(app):
    assert app.login_manager.session_protection == "strong"
