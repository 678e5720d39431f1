"""Fixtures: one migrated database per run (SQLite file, or TEST_DATABASE_URL), emptied per test."""

import os
import shutil
import socket
from email import message_from_bytes
from pathlib import Path

import pytest
import redis
from flask_migrate import upgrade
from sqlalchemy import text

from app import create_app
from app.config import TestConfig
from app.extensions import db as _db
from app.extensions import enable_migrations
from tests import factories
from tests.pages import csrf_token_in

DATA = Path(__file__).parent / "data"
# The tests' own Redis database (not 15, which the benchmark and a local server use: the
# redis_store fixture clears the app's keys). People testing side by side set one each.
REDIS_URL = os.environ.get("TEST_REDIS_URL", "redis://127.0.0.1:6379/10")


def _test_config(tmp_path_factory) -> dict:
    config = {k: getattr(TestConfig, k) for k in dir(TestConfig) if k.isupper()}
    url = os.environ.get("TEST_DATABASE_URL")
    if not url:
        url = f"sqlite:///{tmp_path_factory.mktemp('db') / 'lentera-test.db'}"
    config["SQLALCHEMY_DATABASE_URI"] = url
    config["COURSES_DIR"] = str(DATA / "courses")
    return config


@pytest.fixture(scope="session")
def app(tmp_path_factory):
    app = create_app(_test_config(tmp_path_factory))
    with app.app_context():
        if _db.engine.dialect.name == "postgresql":
            with _db.engine.begin() as conn:
                conn.execute(text("DROP SCHEMA public CASCADE"))
                conn.execute(text("CREATE SCHEMA public"))
        enable_migrations(app)
        upgrade()
        _db.session.remove()
    yield app
    with app.app_context():
        _db.engine.dispose()


@pytest.fixture(autouse=True)
def _empty_database(request):
    """Every test starts from empty tables (the schema stays)."""
    yield
    if "app" not in request.fixturenames:
        return
    app = request.getfixturevalue("app")
    with app.app_context():
        _db.session.remove()
        with _db.engine.begin() as conn:
            for table in reversed(_db.metadata.sorted_tables):
                conn.execute(table.delete())
        _db.session.remove()


@pytest.fixture(autouse=True)
def _limiter_as_configured(app):
    """Flask-Limiter keeps `enabled` on the one shared extension object: any app created with
    limits on (a fresh_app, the bench app) would leave them on for every later test. Each test
    starts with the session app's own setting; tests that want limits make their own app."""
    from app.extensions import limiter

    limiter.enabled = app.config["RATELIMIT_ENABLED"]


@pytest.fixture
def fresh_app(app):
    """Another app on the same database, for tests that add their own routes to it."""
    apps = []

    def _make(**overrides):
        config = {k: v for k, v in app.config.items() if k.isupper()}
        config.update(overrides)
        apps.append(create_app(config))
        return apps[-1]

    yield _make
    for other in apps:
        with other.app_context():
            _db.engine.dispose()
    if apps:
        # Flask-Limiter keeps its settings and counters on the one shared extension object:
        # give it back to `app`, so a fresh app with limits on leaves none behind.
        from app.extensions import limiter

        limiter.init_app(app)


@pytest.fixture
def session(app):
    """A database session inside an app context, for tests of the domain layer."""
    with app.app_context():
        yield _db.session
        _db.session.rollback()


@pytest.fixture
def client(app):
    return app.test_client()


@pytest.fixture
def runner(app):
    return app.test_cli_runner()


@pytest.fixture
def make(app):
    """Factories that commit in their own app context and hand back detached plain values."""
    return factories.Factory(app)


@pytest.fixture
def course_copy(tmp_path):
    """A writable copy of a course under tests/data/courses, to break or change in a test."""

    def copy(name: str = "contoh-kursus") -> Path:
        target = tmp_path / name
        shutil.copytree(DATA / "courses" / name, target)
        return target

    return copy


def free_port() -> int:
    """A TCP port on 127.0.0.1 that nothing listens on (yet)."""
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return sock.getsockname()[1]


@pytest.fixture
def smtp_server():
    """(controller, inbox): a real SMTP server on 127.0.0.1 on controller.port; inbox.messages
    holds (recipients, email.message.Message) for every mail it received."""
    from aiosmtpd.controller import Controller

    class Keep:
        def __init__(self):
            self.messages = []

        async def handle_DATA(self, server, session, envelope):  # noqa: N802 (aiosmtpd's name)
            self.messages.append((envelope.rcpt_tos, message_from_bytes(envelope.content)))
            return "250 OK"

    handler = Keep()
    controller = Controller(handler, hostname="127.0.0.1", port=free_port())
    controller.start()
    yield controller, handler
    controller.stop()


def _clear_lentera_keys(client) -> None:
    for key in client.scan_iter("lentera:*"):
        client.delete(key)


@pytest.fixture
def redis_store():
    """A client of the real Redis at REDIS_URL, with the app's keys ("lentera:*") cleared before
    and after the test (user ids are reused from one test to the next). Without a Redis the test
    is skipped, except in CI (LENTERA_REQUIRE_REDIS=1), where it fails."""
    client = redis.Redis.from_url(REDIS_URL, socket_connect_timeout=1)
    try:
        client.ping()
    except redis.RedisError:
        if os.environ.get("LENTERA_REQUIRE_REDIS") == "1":
            pytest.fail(f"Redis is required but not reachable at {REDIS_URL}")
        pytest.skip(f"Redis is not reachable at {REDIS_URL}")
    _clear_lentera_keys(client)
    yield client
    _clear_lentera_keys(client)


class LoggedIn:
    """A test client logged in as someone, with the CSRF token its forms carry."""

    def __init__(self, client, user):
        self.client, self.user = client, user

    def csrf(self, path: str = "/") -> str:
        return csrf_token_in(self.client.get(path).get_data(as_text=True))


@pytest.fixture
def login(app, make):
    """login(role=…) -> a LoggedIn client for a new user with that role."""

    def _login(user=None, **overrides):
        user = user or make.user(**overrides)
        client = app.test_client()
        token = csrf_token_in(client.get("/login").get_data(as_text=True))
        response = client.post(
            "/login",
            data={"login": user.email, "password": factories.PASSWORD, "csrf_token": token},
        )
        assert response.status_code == 302, response.get_data(as_text=True)
        return LoggedIn(client, user)

    return _login


@pytest.fixture
def login_as(login):
    """login_as("owner", owner) or login_as("supervisor"): a client signed in as that person."""

    def _login_as(who: str, owner=None):
        return login(owner) if who == "owner" else login(roles=factories.PEOPLE[who])

    return _login_as
