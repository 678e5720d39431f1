"""Tokens, the error envelope and access: the API's foundations."""

from datetime import timedelta

import pytest
from sqlalchemy import select

from app.extensions import db, limiter
from app.models import ApiToken, User, utcnow
from app.services import api_tokens
from tests.api.conftest import get_token
from tests.factories import PASSWORD


def test_a_token_is_issued_for_email_or_nip_and_only_its_hash_is_stored(app, client, make):
    user = make.user(nip="198609262015051001")
    response = client.post("/api/v1/auth/token",
                           json={"login": "198609262015051001", "password": PASSWORD})
    assert response.status_code == 201
    body = response.get_json()
    assert len(body["token"]) >= 40
    with app.app_context():
        stored = db.session.scalars(select(ApiToken)).one()
        assert stored.token_hash == api_tokens.token_digest(body["token"])
        assert body["token"] not in (stored.token_hash, stored.label)
        lifetime = stored.expires_at - stored.created_at
        assert lifetime == timedelta(days=30)
    assert get_token(client, user.email)
    me = client.get("/api/v1/me/progress", headers={"Authorization": f"Bearer {body['token']}"})
    assert me.status_code == 200


def test_the_lifetime_is_a_setting(fresh_app, make):
    other = fresh_app(API_TOKEN_DAYS=2)
    user = make.user()
    body = other.test_client().post(
        "/api/v1/auth/token", json={"login": user.email, "password": PASSWORD}).get_json()
    with other.app_context():
        token = db.session.scalars(select(ApiToken)).one()
        assert token.expires_at - token.created_at == timedelta(days=2)
        assert body["expires_at"].startswith(token.expires_at.strftime("%Y-%m-%dT%H:%M"))


@pytest.mark.parametrize("password", ["salah-sekali", ""])
def test_a_wrong_password_is_401_in_the_envelope(client, make, password):
    user = make.user()
    response = client.post("/api/v1/auth/token", json={"login": user.email,
                                                        "password": password})
    assert response.status_code in (401, 422)
    error = response.get_json()["error"]
    assert set(error) >= {"code", "message"}
    if response.status_code == 401:
        assert error["message"] == "Email/NIP atau kata sandi salah."


def test_an_inactive_account_gets_no_token_and_its_tokens_stop(app, client, make, api):
    caller = api()
    assert caller.get("/me/progress").status_code == 200
    with app.app_context():
        db.session.get(User, caller.user.id).active = False
        db.session.commit()
    assert caller.get("/me/progress").status_code == 401
    response = client.post("/api/v1/auth/token",
                           json={"login": caller.user.email, "password": PASSWORD})
    assert response.status_code == 401


def test_raising_the_session_version_ends_every_token(app, api):
    caller = api()
    with app.app_context():
        db.session.get(User, caller.user.id).session_version += 1
        db.session.commit()
    response = caller.get("/me/progress")
    assert response.status_code == 401
    assert response.headers["WWW-Authenticate"].startswith("Bearer")
    assert response.get_json()["error"]["code"] == "unauthorized"


def test_an_expired_token_is_refused(app, api):
    caller = api()
    with app.app_context():
        token = db.session.scalars(select(ApiToken)).one()
        token.expires_at = utcnow() - timedelta(seconds=1)
        db.session.commit()
    assert caller.get("/me/progress").status_code == 401


def test_delete_revokes_only_the_token_used(app, make, api):
    user = make.user()
    first, second = api(user), api(user)
    assert first.delete("/auth/token").status_code == 204
    assert first.get("/me/progress").status_code == 401
    assert second.get("/me/progress").status_code == 200
    with app.app_context():
        person = db.session.get(User, user.id)
        left = api_tokens.list_tokens(db.session, person)
        assert [t.token_hash for t in left] == [api_tokens.token_digest(second.token)]
        api_tokens.revoke_token(db.session, person, left[0].id)
        db.session.commit()
    assert second.get("/me/progress").status_code == 401


def test_someone_elses_token_cannot_be_revoked_by_id(app, api):
    mine, theirs = api(), api()
    with app.app_context():
        their_token = db.session.scalar(select(ApiToken).where(
            ApiToken.user_id == theirs.user.id))
        me = db.session.get(User, mine.user.id)
        with pytest.raises(api_tokens.NotFound):
            api_tokens.revoke_token(db.session, me, their_token.id)


def test_the_session_cookie_is_never_accepted(login):
    me = login()
    assert me.client.get("/").status_code == 200  # signed in on the web
    response = me.client.get("/api/v1/me/progress")
    assert response.status_code == 401
    assert response.is_json


def test_posts_need_no_csrf_token(api, make):
    make.course()
    caller = api()
    assert caller.post("/courses/contoh-kursus/enrol").status_code == 200


@pytest.mark.parametrize(("method", "path", "kwargs", "status", "code"), [
    ("GET", "/api/v1/tidak-ada", {}, 404, "not_found"),
    ("PUT", "/api/v1/courses", {}, 405, "method_not_allowed"),
    ("POST", "/api/v1/auth/token", {"data": "login=a", "content_type":
                                    "application/x-www-form-urlencoded"}, 415,
     "unsupported_media_type"),
    ("POST", "/api/v1/auth/token", {"data": "{not json", "content_type": "application/json"},
     400, "bad_request"),
    ("POST", "/api/v1/auth/token", {"json": {"login": "a"}}, 422, "invalid_request"),
    ("POST", "/api/v1/auth/token", {"json": {"login": "a", "password": "b", "x": 1}}, 422,
     "invalid_request"),
    ("GET", "/api/v1/courses", {}, 401, "unauthorized"),
])
def test_every_error_is_json_in_the_envelope(client, method, path, kwargs, status, code):
    response = client.open(path, method=method, **kwargs)
    assert response.status_code == status
    assert response.mimetype == "application/json"
    assert response.get_json()["error"]["code"] == code
    assert response.get_json()["error"]["message"]


DEEP = "[" * 100_000 + "]" * 100_000  # nests past Python's recursion limit


def test_deeply_nested_json_is_400_not_500(client):
    response = client.post("/api/v1/auth/token", data=DEEP, content_type="application/json")
    assert response.status_code == 400
    assert response.get_json()["error"]["code"] == "bad_request"


@pytest.mark.parametrize("body", [
    {"login": "\u0000\u00c9", "password": "x"},  # found by Schemathesis on PostgreSQL: a 500
    {"login": "a@example.go.id", "password": "x", "\u0000": 1},
])
def test_a_nul_character_anywhere_in_json_is_400_not_500(client, body):
    response = client.post("/api/v1/auth/token", json=body)
    assert response.status_code == 400
    assert response.get_json()["error"]["code"] == "bad_request"


@pytest.mark.parametrize("body", [DEEP, "{not json"])
def test_a_hostile_body_with_an_idempotency_key_is_400_and_changes_nothing(app, make, api,
                                                                          body):
    from app.models import Lesson, LessonProgress

    learner = api(role="learner")
    course = make.course()
    with app.app_context():
        lesson_id = db.session.scalar(select(Lesson.id).where(
            Lesson.course_id == course.id, Lesson.path == course.lesson_paths[0]))
    response = learner.client.post(
        f"/api/v1/lessons/{lesson_id}/complete", data=body, content_type="application/json",
        headers=learner.headers({"Idempotency-Key": "hostile-1"}))
    assert response.status_code == 400
    assert response.get_json()["error"]["code"] == "bad_request"
    with app.app_context():
        assert db.session.scalar(select(LessonProgress).where(
            LessonProgress.user_id == learner.user.id)) is None


def test_a_body_of_another_type_than_the_endpoint_documents_is_415(api):
    me = api(role="learner")
    as_json = me.post("/me/jp/claims", json={"title": "Pelatihan"})
    assert as_json.status_code == 415
    assert "multipart/form-data" in as_json.get_json()["error"]["message"]
    as_form = me.client.post("/api/v1/auth/token", data={"login": "a", "password": "b"},
                             content_type="multipart/form-data")
    assert as_form.status_code == 415
    assert "application/json" in as_form.get_json()["error"]["message"]


def test_validation_errors_name_the_fields(client):
    response = client.post("/api/v1/auth/token", json={"login": "a"})
    assert "password" in response.get_json()["error"]["fields"]


def test_413_is_json(fresh_app):
    other = fresh_app(MAX_CONTENT_LENGTH=100)
    response = other.test_client().post("/api/v1/auth/token",
                                        json={"login": "x" * 200, "password": "y"})
    assert response.status_code == 413
    assert response.get_json()["error"]["code"] == "payload_too_large"


@pytest.fixture
def limited_app(app, fresh_app):
    yield fresh_app(RATELIMIT_ENABLED=True)
    # Flask-Limiter keeps its state on the shared extension object: give it back to `app`.
    limiter.init_app(app)


def test_429_is_json_and_token_sign_in_is_throttled(limited_app, make):
    user = make.user()
    client = limited_app.test_client()
    statuses = [client.post("/api/v1/auth/token",
                            json={"login": user.email, "password": "salah"}).status_code
                for _ in range(11)]
    assert statuses[:10] == [401] * 10
    assert statuses[10] == 429
    response = client.post("/api/v1/auth/token", json={"login": user.email,
                                                        "password": PASSWORD})
    assert response.status_code == 429
    assert response.get_json()["error"]["code"] == "too_many_requests"


def test_500_is_json_and_says_nothing_of_the_cause(fresh_app, make):
    other = fresh_app()
    with other.app_context():
        from app.api.auth import load_bearer  # noqa: F401 (the same app, a failing view)
    view = other.view_functions["api.my_progress"]

    def broken(*args, **kwargs):
        raise RuntimeError("database on fire")

    broken.access = view.access
    other.view_functions["api.my_progress"] = broken
    user = make.user()
    client = other.test_client()
    token = get_token(client, user.email)
    response = client.get("/api/v1/me/progress", headers={"Authorization": f"Bearer {token}"})
    assert response.status_code == 500
    assert response.get_json()["error"]["code"] == "server_error"
    assert "fire" not in response.get_data(as_text=True)


def test_messages_follow_accept_language(client):
    indonesian = client.get("/api/v1/courses").get_json()["error"]["message"]
    english = client.get("/api/v1/courses",
                         headers={"Accept-Language": "en"}).get_json()["error"]["message"]
    assert "Token" in indonesian and indonesian != english
    assert english.startswith("The token")


def test_forbidden_is_403_json(api):
    response = api(role="learner").get("/reports/completions")
    assert response.status_code == 403
    assert response.get_json()["error"]["code"] == "forbidden"


def _api_routes(app):
    for rule in app.url_map.iter_rules():
        if rule.rule.startswith("/api/"):
            url = rule.rule
            for name in rule.arguments:
                url = url.replace(f"<int:{name}>", "1").replace(f"<{name}>", "x")
            for method in sorted(rule.methods - {"HEAD", "OPTIONS"}):
                yield rule.endpoint, method, url


def test_every_api_route_declares_a_rule_and_refuses_guests_with_401_json(app, client):
    from app.access import PUBLIC

    routes = list(_api_routes(app))
    assert len(routes) >= 15
    for endpoint, method, url in routes:
        rule = getattr(app.view_functions[endpoint], "access", None)
        assert rule is not None, endpoint
        if rule == PUBLIC:
            continue
        response = client.open(url, method=method, json={} if method == "POST" else None)
        assert response.status_code == 401, (method, url)
        assert response.get_json()["error"]["code"] == "unauthorized"
