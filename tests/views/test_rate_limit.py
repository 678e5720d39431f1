"""Guessing passwords is slowed down, with the counters in Redis as in production."""

import os
import uuid

import pytest
import redis

from app.extensions import limiter
from tests.pages import csrf_token_in

REDIS_URL = os.environ.get("TEST_REDIS_URL", "redis://127.0.0.1:6379/15")


@pytest.fixture
def limited_app(app, fresh_app):
    try:
        redis.Redis.from_url(REDIS_URL, socket_connect_timeout=1).ping()
    except redis.RedisError:
        # CI sets LENTERA_REQUIRE_REDIS=1: there the real Redis must be tested, not skipped.
        if os.environ.get("LENTERA_REQUIRE_REDIS") == "1":
            pytest.fail(f"Redis is required but not reachable at {REDIS_URL}")
        pytest.skip(f"Redis is not reachable at {REDIS_URL}")
    prefix = f"lentera-test-{uuid.uuid4().hex}"
    yield fresh_app(RATELIMIT_ENABLED=True, RATELIMIT_STORAGE_URI=REDIS_URL,
                    RATELIMIT_KEY_PREFIX=prefix)
    client = redis.Redis.from_url(REDIS_URL)
    for key in client.scan_iter(f"*{prefix}*"):
        client.delete(key)
    # Flask-Limiter keeps its storage on the shared extension object: give it back to `app`.
    limiter.init_app(app)


def test_the_eleventh_login_attempt_in_a_minute_is_refused_politely(limited_app, make):
    user = make.user()
    client = limited_app.test_client()
    page = client.get("/login").get_data(as_text=True)
    token = csrf_token_in(page)
    statuses = [
        client.post("/login", data={"login": user.email, "password": "tebakan-salah",
                                    "csrf_token": token}).status_code
        for _ in range(11)
    ]
    assert statuses == [200] * 10 + [429]
    response = client.post("/login", data={"login": user.email, "password": "x",
                                           "csrf_token": token})
    assert response.status_code == 429
    assert "Terlalu banyak percobaan" in response.get_data(as_text=True)
    # Reading pages is not limited.
    assert client.get("/login").status_code == 200
