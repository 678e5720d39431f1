"""Bahasa Indonesia by default; English by the user's setting, then by Accept-Language."""

import pytest
from sqlalchemy import select

from app.extensions import db
from app.models import User


def test_indonesian_by_default(client):
    page = client.get("/login").get_data(as_text=True)
    assert '<html lang="id">' in page and "Masuk ke Lentera" in page


def test_the_browser_language_is_followed_for_guests(client):
    page = client.get("/login", headers={"Accept-Language": "en-US,en;q=0.9"}).get_data(
        as_text=True)
    assert '<html lang="en">' in page and "Sign in to Lentera" in page




@pytest.mark.parametrize(("accept", "lang"), [
    ("en-GB,id;q=0.5", "en"),  # a regional English first beats a lesser exact "id"
    ("en-AU,id-ID;q=0.7", "en"),
    ("id-ID,en;q=0.8", "id"),
    ("EN-us", "en"),
    ("de,fr;q=0.9", "id"),
    ("zh-CN,zh;q=0.9,en;q=0.8,id;q=0.7", "en"),
    ("id;q=0.4,en;q=0.3", "id"),
])
def test_the_browsers_most_preferred_language_we_speak_wins(client, accept, lang):
    page = client.get("/login", headers={"Accept-Language": accept}).get_data(as_text=True)
    assert f'<html lang="{lang}">' in page


def test_the_users_own_setting_beats_the_browser(app, login):
    me = login()
    me.client.post("/language", data={"locale": "en", "csrf_token": me.csrf(), "next": "/"})
    with app.app_context():
        assert db.session.scalar(select(User.locale).where(User.id == me.user.id)) == "en"
    page = me.client.get("/", headers={"Accept-Language": "id"}).get_data(as_text=True)
    assert "Course catalog" in page and "My learning" in page

    me.client.post("/language", data={"locale": "id", "csrf_token": me.csrf(), "next": "/"})
    page = me.client.get("/", headers={"Accept-Language": "en"}).get_data(as_text=True)
    assert "Katalog kursus" in page


def test_an_unknown_language_is_ignored(login):
    me = login()
    me.client.post("/language", data={"locale": "fr", "csrf_token": me.csrf()})
    assert "Katalog kursus" in me.client.get("/").get_data(as_text=True)
