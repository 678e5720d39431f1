"""Two workers sharing one Redis: sign-out, sign-out everywhere, a password change and
deactivation end access on the very next request at the other worker too, whether the
browser sends its session cookie or only its remember cookie (issue 10 point 1 with the
Redis user cache of app/services/user_cache.py)."""


import pytest

from app.extensions import db
from app.models import Role, User
from app.services import accounts, user_cache
from tests.conftest import REDIS_URL
from tests.factories import PASSWORD
from tests.pages import csrf_token_in

PAGE = "/me/learning"


@pytest.fixture
def workers(fresh_app, redis_store):
    """Two app instances on the same database and the same Redis, as two gunicorn workers."""
    return fresh_app(REDIS_URL=REDIS_URL), fresh_app(REDIS_URL=REDIS_URL)


def sign_in(app, email):
    client = app.test_client()
    token = csrf_token_in(client.get("/login").get_data(as_text=True))
    response = client.post("/login", data={"login": email, "password": PASSWORD,
                                           "remember": "y", "csrf_token": token})
    assert response.status_code == 302
    return client


def copy_to(app, client, names=("session", "remember_token")):
    """The same browser's cookies (or only some of them), sent to the other worker."""
    other = app.test_client()
    for name in names:
        cookie = client.get_cookie(name)
        assert cookie is not None, name
        other.set_cookie(name, cookie.value)
    return other


def signed_in(client) -> bool:
    response = client.get(PAGE)
    assert response.status_code in (200, 302)
    return response.status_code == 200


def devices(workers, make):
    """A person signed in on two devices; both answer at worker B, so B has them cached."""
    first, second = workers
    person = make.user(name="Sari Dewi")
    here = sign_in(first, person.email)
    there = sign_in(first, person.email)
    views = {
        "here": copy_to(second, here), "there": copy_to(second, there),
        "there (remember cookie only)": copy_to(second, there, ("remember_token",)),
    }
    for name, view in views.items():
        assert signed_in(view), name
        assert signed_in(view), name  # the second time from Redis
    return person, here, there, views


def test_sign_out_on_one_worker_ends_that_device_at_the_other(workers, make, redis_store):
    person, here, there, views = devices(workers, make)
    assert redis_store.get(user_cache.PREFIX + str(person.id)) not in (None, user_cache.TOMBSTONE)
    token = csrf_token_in(here.get(PAGE).get_data(as_text=True))
    assert here.post("/logout", data={"csrf_token": token}).status_code == 302
    assert not signed_in(views["here"])
    assert signed_in(views["there"])  # only this device signed out
    assert signed_in(views["there (remember cookie only)"])


def test_sign_out_everywhere_on_one_worker_ends_every_device_at_the_other(workers, make):
    _person, here, _there, views = devices(workers, make)
    token = csrf_token_in(here.get("/account").get_data(as_text=True))
    response = here.post("/account/sign-out-everywhere", data={"csrf_token": token})
    assert response.status_code == 303
    for name, view in views.items():
        assert not signed_in(view), name


def test_a_password_change_on_one_worker_ends_the_other_devices_at_the_other(workers, make):
    _person, here, _there, views = devices(workers, make)
    token = csrf_token_in(here.get("/account").get_data(as_text=True))
    response = here.post("/account", data={
        "action": "password", "csrf_token": token, "password-current": PASSWORD,
        "password-password": "a brand new passphrase", "password-confirm":
        "a brand new passphrase"})
    assert response.status_code == 303
    assert signed_in(here)  # this device carries on
    for name in ("there", "there (remember cookie only)"):
        assert not signed_in(views[name]), name
    assert not signed_in(views["here"])  # the old cookies of this device too


def test_deactivation_on_one_worker_ends_every_device_at_the_other(workers, make):
    first, _second = workers
    person, _here, _there, views = devices(workers, make)
    admin = make.user(roles=Role.ADMIN | Role.LEARNER)
    with first.app_context():
        accounts.update_user(db.session, db.session.get(User, admin.id), person.id,
                               roles=Role.LEARNER, unit_id=None, active=False)
        db.session.commit()
    for name, view in views.items():
        assert not signed_in(view), name


def test_a_bulk_deactivation_on_one_worker_ends_access_at_the_other(workers, make):
    from sqlalchemy import update

    first, _second = workers
    person, _here, _there, views = devices(workers, make)
    with first.app_context():
        db.session.execute(update(User).where(User.id == person.id).values(active=False))
        db.session.commit()
    for name, view in views.items():
        assert not signed_in(view), name


def test_ingat_saya_keeps_a_browser_signed_in_after_its_session_cookie_is_gone(app, make):
    """Strong session protection used to sign out a session restored from the remember
    cookie on its second request (and delete the cookie)."""
    person = make.user()
    browser = sign_in(app, person.email)
    restored = copy_to(app, browser, ("remember_token",))
    for _ in range(3):
        assert signed_in(restored)
    other_device = app.test_client()  # the restored session cookie elsewhere is still refused
    other_device.set_cookie("session", restored.get_cookie("session").value)
    assert other_device.get(PAGE, headers={"User-Agent": "another browser"}).status_code == 302


def test_with_redis_down_the_cache_never_turns_a_change_or_sign_out_into_a_500(
        workers, fresh_app, make):
    """The user cache is an optimisation: an unreachable Redis must not turn a change to a user
    or a sign-out into a 500 after the database committed it (the database still decides)."""
    down = fresh_app(REDIS_URL="redis://127.0.0.1:1/0")
    person = make.user()
    browser = copy_to(down, sign_in(workers[0], person.email))
    replay = copy_to(down, browser)
    assert signed_in(browser)
    token = csrf_token_in(browser.get("/account").get_data(as_text=True))
    assert browser.post("/account", data={"action": "profile", "csrf_token": token,
                                          "profile-name": "Nama Baru",
                                          "profile-locale": "id"}).status_code == 303
    assert browser.post("/logout", data={"csrf_token": token}).status_code == 302
    assert not signed_in(replay)
