"""Sessions end when they should (issue 10 point 1): replayed cookies are refused."""

import hashlib
import hmac
import time

import pytest
from flask import request
from flask.sessions import SecureCookieSessionInterface

from app import InsecureSecretKey, create_app
from app.auth import device_name
from app.config import DEV_SECRET_KEY
from app.extensions import db
from app.models import Role, User
from app.services.sessions import end_all_sessions
from tests.factories import PASSWORD
from tests.pages import csrf_token_in


def sign_in(app, user, *, remember=True):
    client = app.test_client()
    token = csrf_token_in(client.get("/login").get_data(as_text=True))
    response = client.post("/login", data={"login": user.email, "password": PASSWORD,
                                           "csrf_token": token,
                                           **({"remember": "y"} if remember else {})})
    assert response.status_code == 302
    return client


def cookie(client, name):
    found = client.get_cookie(name)
    return found.value if found else None


def replay(app, **cookies):
    """A new browser that only has the given cookies."""
    other = app.test_client()
    for name, value in cookies.items():
        other.set_cookie(name, value)
    return other


def signed_in(client, path="/me/learning") -> bool:
    return client.get(path).status_code == 200


LESSON = "/courses/contoh-kursus/dasar/pembuka"


@pytest.fixture(params=["/me/learning", LESSON], ids=["a page", "a lesson page"])
def probe(request, make):
    """Where a test checks whether a browser is signed in: any page, and a lesson page, which
    checks the session in its own query rather than through the user cache."""
    if request.param == LESSON:
        make.course()
    return request.param


def logout(client):
    token = csrf_token_in(client.get("/me/learning").get_data(as_text=True))
    assert client.post("/logout", data={"csrf_token": token}).status_code == 302


def test_after_logout_the_old_session_and_remember_cookies_open_nothing(app, make, probe):
    user = make.user()
    client = sign_in(app, user)
    old_session, old_remember = cookie(client, "session"), cookie(client, "remember_token")
    assert old_remember and signed_in(replay(app, session=old_session), probe)
    assert signed_in(replay(app, remember_token=old_remember), probe)
    logout(client)
    assert not signed_in(client, probe)
    assert not signed_in(replay(app, session=old_session), probe)
    assert not signed_in(replay(app, remember_token=old_remember), probe)
    assert not signed_in(replay(app, session=old_session, remember_token=old_remember), probe)


def test_a_session_cookie_taken_to_another_browser_opens_nothing(app, make, probe):
    """Flask-Login's "strong" session protection binds a session to its browser."""
    client = sign_in(app, make.user(), remember=False)
    assert signed_in(client, probe)
    elsewhere = replay(app, session=cookie(client, "session"))
    assert elsewhere.get(probe, headers={"User-Agent": "another browser"}).status_code == 302


def test_signing_out_on_one_device_keeps_the_others(app, make):
    user = make.user()
    phone, laptop = sign_in(app, user), sign_in(app, user)
    logout(phone)
    assert not signed_in(phone) and signed_in(laptop)


def test_a_deactivated_supervisor_can_no_longer_export(app, make, login):
    make.unit("BIRO", "Biro")
    supervisor = make.user(roles=Role.SUPERVISOR | Role.LEARNER, unit_code="BIRO")
    client = sign_in(app, supervisor)
    remember = cookie(client, "remember_token")
    assert client.get("/reports/export.csv").status_code == 200
    admin = login(roles=Role.ADMIN)
    response = admin.client.post(f"/admin/users/{supervisor.id}", data={
        "csrf_token": admin.csrf(f"/admin/users/{supervisor.id}"), "roles": ["1", "4"],
        "unit": "", "name": "Atasan", "email": supervisor.email})  # "active" unticked
    assert response.status_code == 303
    assert client.get("/reports/export.csv").status_code == 302  # to the login page
    assert replay(app, remember_token=remember).get("/reports/export.csv").status_code == 302
    assert sign_in_fails(app, supervisor)


def sign_in_fails(app, user) -> bool:
    client = app.test_client()
    token = csrf_token_in(client.get("/login").get_data(as_text=True))
    response = client.post("/login", data={"login": user.email, "password": PASSWORD,
                                           "csrf_token": token})
    return response.status_code == 200 and not signed_in(client)


def test_the_user_loader_refuses_an_inactive_user_in_the_same_request_cycle(app, make, probe):
    user = make.user()
    client = sign_in(app, user)
    assert signed_in(client, probe)
    with app.app_context():
        db.session.get(User, user.id).active = False
        db.session.commit()
    assert not signed_in(client, probe)


def test_sign_out_everywhere_ends_every_device_and_changes_the_remember_cookie(app, make, probe):
    user = make.user()
    phone, laptop = sign_in(app, user), sign_in(app, user)
    old_remember = cookie(laptop, "remember_token")
    token = csrf_token_in(phone.get("/account").get_data(as_text=True))
    response = phone.post("/account/sign-out-everywhere", data={"csrf_token": token})
    assert response.status_code == 303
    assert not signed_in(phone, probe) and not signed_in(laptop, probe)
    assert not signed_in(replay(app, remember_token=old_remember), probe)
    again = sign_in(app, user)
    assert cookie(again, "remember_token") != old_remember and signed_in(again, probe)


def test_end_all_sessions_raises_the_version_that_cookies_carry(app, make, probe):
    user = make.user()
    client = sign_in(app, user)
    remember = cookie(client, "remember_token")
    assert remember.split("|")[0].split(".")[:2] == [str(user.id), "1"]
    assert signed_in(client, probe)
    with app.app_context():
        person = db.session.get(User, user.id)
        end_all_sessions(db.session, person)
        db.session.commit()
        assert person.session_version == 2
    assert not signed_in(client, probe)


def test_the_remember_cookie_is_samesite_httponly(app, make):
    client = app.test_client()
    user = make.user()
    token = csrf_token_in(client.get("/login").get_data(as_text=True))
    response = client.post("/login", data={"login": user.email, "password": PASSWORD,
                                           "csrf_token": token, "remember": "y"})
    header = next(h for h in response.headers.getlist("Set-Cookie")
                  if h.startswith("remember_token="))
    assert "SameSite=Lax" in header and "HttpOnly" in header


def test_the_csrf_token_changes_at_login(app, make):
    user = make.user()
    client = app.test_client()
    before = csrf_token_in(client.get("/login").get_data(as_text=True))
    client.post("/login", data={"login": user.email, "password": PASSWORD, "csrf_token": before})
    after = csrf_token_in(client.get("/me/learning").get_data(as_text=True))
    with client.session_transaction() as sess:
        raw = sess["csrf_token"]
    assert before != after
    assert raw not in before  # a new secret, not the guest's one re-signed


def test_a_cookie_forged_with_the_old_default_key_opens_nothing(app, make):
    """remember_token=1|hmac("1") and a session saying _user_id=1 under any known key."""
    admin = make.user(roles=Role.ADMIN)
    client = app.test_client()
    key = app.config["SECRET_KEY"].encode()
    digest = hmac.new(key, str(admin.id).encode(), hashlib.sha512).hexdigest()
    client.set_cookie("remember_token", f"{admin.id}|{digest}")
    assert client.get("/admin/").status_code == 302
    serializer = SecureCookieSessionInterface().get_signing_serializer(app)
    forged = replay(app, session=serializer.dumps({"_user_id": str(admin.id), "_fresh": True}))
    assert forged.get("/admin/").status_code == 302


@pytest.mark.parametrize("key", [None, "", DEV_SECRET_KEY, "x" * 31])
def test_production_refuses_to_start_without_its_own_secret_key(key):
    with pytest.raises(InsecureSecretKey, match="SECRET_KEY"):
        create_app({"SECRET_KEY": key, "TESTING": False, "DEBUG": False,
                    "SQLALCHEMY_DATABASE_URI": "sqlite://"})


def test_production_starts_with_a_long_random_key():
    app = create_app({"SECRET_KEY": "k" * 32, "TESTING": False,
                      "SQLALCHEMY_DATABASE_URI": "sqlite://"})
    assert not app.testing


def test_sessions_older_than_a_remember_cookie_are_forgotten_at_the_next_sign_in(session):
    from datetime import timedelta

    from sqlalchemy import select

    from app.models import LoginSession, utcnow
    from app.services.sessions import open_session, session_user, sessions_of
    from tests.factories import make_user

    user = make_user(session)
    old = open_session(session, user, device="ponsel lama")
    session.flush()
    sessions_of(session, user.id)[0].created_at = utcnow() - timedelta(days=31)
    session.flush()
    open_session(session, user, device="laptop", lifetime=timedelta(days=30))
    assert session.scalars(select(LoginSession.device)).all() == ["laptop"]
    assert session_user(session, old) is None


ANDROID_CHROME = ("Mozilla/5.0 (Linux; Android 13; SM-A145F) AppleWebKit/537.36 (KHTML, like "
                  "Gecko) Chrome/120.0.0.0 Mobile Safari/537.36")


def test_signed_in_devices_are_named_as_people_know_them_not_by_user_agent(app, make):
    user = make.user()
    client = app.test_client()
    client.environ_base["HTTP_USER_AGENT"] = ANDROID_CHROME
    token = csrf_token_in(client.get("/login").get_data(as_text=True))
    client.post("/login", data={"login": user.email, "password": PASSWORD, "csrf_token": token})
    page = client.get("/account").get_data(as_text=True)
    assert ">Chrome · Android <" in page  # what a phone's owner recognises
    assert ">Mozilla/5.0" not in page  # the raw string only on hover (title)


@pytest.mark.parametrize(("agent", "name"), [
    ("Mozilla/5.0 (iPhone; CPU iPhone OS 17_1 like Mac OS X) AppleWebKit/605.1.15 (KHTML, like "
     "Gecko) Version/17.1 Mobile/15E148 Safari/604.1", "Safari · iPhone"),
    ("Mozilla/5.0 (Windows NT 10.0; Win64; x64) AppleWebKit/537.36 (KHTML, like Gecko) "
     "Chrome/120.0.0.0 Safari/537.36 Edg/120.0.0.0", "Edge · Windows"),
    ("Mozilla/5.0 (X11; Linux x86_64; rv:120.0) Gecko/20100101 Firefox/120.0", "Firefox · Linux"),
    ("curl/8.5.0", ""),
])
def test_a_device_name_is_the_browser_and_system(agent, name):
    assert device_name(agent) == name


# The session cookie's signature check is kept per process for a cookie seen before
# (app/cookie_sessions.py): what a kept cookie opens must be what a fresh check would.

def test_a_session_cookie_past_its_lifetime_opens_nothing_though_it_opened_pages_before(
        app, make, probe):
    client = sign_in(app, make.user(), remember=False)
    old = cookie(client, "session")
    assert signed_in(replay(app, session=old), probe)  # checked, and kept
    lifetime = app.config["PERMANENT_SESSION_LIFETIME"]
    app.config["PERMANENT_SESSION_LIFETIME"] = 1  # seconds
    try:
        time.sleep(2.1)  # itsdangerous counts whole seconds: older than 1 s
        assert not signed_in(replay(app, session=old), probe)
    finally:
        app.config["PERMANENT_SESSION_LIFETIME"] = lifetime
    assert signed_in(replay(app, session=old), probe)


def test_a_session_cookie_changed_by_one_character_opens_nothing(app, make, probe):
    client = sign_in(app, make.user(), remember=False)
    good = cookie(client, "session")
    assert signed_in(replay(app, session=good), probe)
    # A character in the middle: the last one of a base64 part may carry unused bits, and
    # a string that decodes to the same bytes is the same signed cookie.
    for at in (len(good) // 3, len(good) - 10):  # in the payload; in the signature
        forged = good[:at] + ("A" if good[at] != "A" else "B") + good[at + 1:]
        assert not signed_in(replay(app, session=forged), probe)


def test_what_one_request_changes_in_the_session_stays_out_of_the_old_cookie(client):
    """A guest's language choice lives in the session: the cookie from before the choice
    still says Indonesian, even after both cookies were seen."""
    token = csrf_token_in(client.get("/login").get_data(as_text=True))
    before = cookie(client, "session")
    assert "Masuk ke Lentera" in client.get("/login").get_data(as_text=True)
    client.post("/language", data={"locale": "en", "csrf_token": token, "next": "/login"})
    assert "Sign in to Lentera" in client.get("/login").get_data(as_text=True)
    other = client.application.test_client()
    other.set_cookie("session", before)
    assert "Masuk ke Lentera" in other.get("/login").get_data(as_text=True)


def test_a_message_is_shown_once_though_its_cookie_is_sent_again(app, make):
    """Flashed messages are a list in the session: never shared between requests."""
    user = make.user()
    client = sign_in(app, user)
    logout(client)  # flashes "Anda sudah keluar." and redirects to the login page
    with_message = cookie(client, "session")
    first = replay(app, session=with_message).get("/login").get_data(as_text=True)
    again = replay(app, session=with_message).get("/login").get_data(as_text=True)
    assert "Anda sudah keluar." in first and "Anda sudah keluar." in again
    shown = replay(app, session=with_message)
    shown.get("/login")
    assert "Anda sudah keluar." not in shown.get("/login").get_data(as_text=True)


def test_a_session_opened_twice_from_one_cookie_gives_two_separate_sessions(app):
    """What one request does to its session (adding to a list of flashed messages) must not
    be in the session the next request opens from the same cookie."""
    serializer = app.session_interface.get_signing_serializer(app)
    sent = serializer.dumps({"_flashes": [["info", "satu"]], "locale": "en"})
    opened = []
    for _ in range(2):
        with app.test_request_context("/", headers={"Cookie": f"session={sent}"}):
            opened.append(app.session_interface.open_session(app, request._get_current_object()))
            opened[-1]["_flashes"].append(["info", "dua"])
            opened[-1]["locale"] = "id"
    assert opened[1]["_flashes"] == [["info", "satu"], ["info", "dua"]]
