"""Idempotency-Key: a replay returns the first reply and changes nothing, also when the
replays arrive at the same moment (threads, each with its own connection, on PostgreSQL)."""

import threading
from datetime import timedelta

import pytest
from sqlalchemy import func, select

from app.extensions import db
from app.models import Enrolment, IdempotencyKey, LessonProgress, QuizAttempt, utcnow
from app.services import idempotency
from tests.api.conftest import ApiClient, get_token


def lesson_ids(app, course):
    from app.models import Lesson

    with app.app_context():
        return {path: db.session.scalar(select(Lesson.id).where(
            Lesson.course_id == course.id, Lesson.path == path)) for path in course.lesson_paths}


def test_a_replay_returns_the_same_reply_and_changes_nothing(app, make, api):
    course = make.course()
    ids = lesson_ids(app, course)
    caller = api()
    key = {"Idempotency-Key": "4b1d6c1e-0001"}
    first = caller.post(f"/lessons/{ids['01-dasar/01-pembuka']}/complete", headers=key)
    assert first.status_code == 200, first.get_json()
    with app.app_context():
        stamp = db.session.scalar(select(LessonProgress.completed_at))
    again = caller.post(f"/lessons/{ids['01-dasar/01-pembuka']}/complete", headers=key)
    assert (again.status_code, again.get_json()) == (first.status_code, first.get_json())
    assert again.headers["Idempotent-Replayed"] == "true"
    with app.app_context():
        assert db.session.scalar(select(LessonProgress.completed_at)) == stamp
        assert db.session.scalar(select(func.count()).select_from(IdempotencyKey)) == 1


def test_the_same_key_with_another_request_is_422(app, make, api):
    course = make.course()
    ids = lesson_ids(app, course)
    caller = api()
    key = {"Idempotency-Key": "k-1"}
    assert caller.post(f"/lessons/{ids['01-dasar/01-pembuka']}/complete",
                       headers=key).status_code == 200
    other = caller.post(f"/lessons/{ids['01-dasar/02-kedua']}/complete", headers=key)
    assert other.status_code == 422
    assert other.get_json()["error"]["code"] == "idempotency_key_reused"
    with app.app_context():
        done = db.session.scalar(select(func.count(LessonProgress.completed_at)))
        assert done == 1


def test_keys_belong_to_their_user(app, make, api):
    course = make.course()
    ids = lesson_ids(app, course)
    key = {"Idempotency-Key": "same-key"}
    for caller in (api(), api()):
        response = caller.post(f"/lessons/{ids['01-dasar/01-pembuka']}/complete", headers=key)
        assert response.status_code == 200
        assert "Idempotent-Replayed" not in response.headers
    with app.app_context():
        assert db.session.scalar(select(func.count(LessonProgress.completed_at))) == 2


def test_an_error_is_not_stored_so_a_retry_runs_again(app, make, api):
    make.course()
    caller = api()
    key = {"Idempotency-Key": "retry-me"}
    assert caller.post("/courses/tidak-ada/enrol", headers=key).status_code == 404
    with app.app_context():
        assert db.session.scalar(select(func.count()).select_from(IdempotencyKey)) == 0


def test_keys_are_kept_seven_days_then_purged(session, make):
    from tests.factories import make_user

    user = make_user(session)
    now = utcnow()
    reply = idempotency.run_once(session, user.id, "old", "f1", lambda: (200, {"a": 1}),
                                 now=now - timedelta(days=7, minutes=-1))
    assert not reply.replayed
    again = idempotency.run_once(session, user.id, "old", "f1", lambda: (500, {}), now=now)
    assert (again.status, again.body, again.replayed) == (200, {"a": 1}, True)
    later = now + timedelta(minutes=2)
    fresh = idempotency.run_once(session, user.id, "old", "f2", lambda: (201, {"b": 2}),
                                 now=later)
    assert (fresh.status, fresh.replayed) == (201, False)
    assert idempotency.purge(session, now=later + timedelta(days=8)) == 1


@pytest.mark.parametrize("key", ["", "x" * 201])
def test_a_bad_key_is_refused(make, api, key):
    make.course()
    response = api().post("/courses/contoh-kursus/enrol", headers={"Idempotency-Key": key})
    assert response.status_code == 422


def test_the_fingerprint_ignores_json_key_order_and_spacing():
    a = idempotency.fingerprint("POST", "/x", b'{"a": 1, "b": [1, 2]}')
    b = idempotency.fingerprint("POST", "/x", b'{"b":[1,2],"a":1}')
    assert a == b
    assert a != idempotency.fingerprint("POST", "/y", b'{"b":[1,2],"a":1}')


THREADS = 8


def _together(app, token, method, path, json=None, headers=None):
    """The same request from THREADS clients released at once; (status, body) of each."""
    barrier = threading.Barrier(THREADS)
    outcomes = []

    def target():
        client = ApiClient(app.test_client(), None, token)
        barrier.wait()
        response = client.client.open("/api/v1" + path, method=method, json=json,
                                      headers=client.headers(headers))
        outcomes.append((response.status_code, response.get_json()))

    threads = [threading.Thread(target=target) for _ in range(THREADS)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()
    return outcomes


def test_concurrent_replays_of_a_completion_do_it_once(app, make):
    course = make.course()
    ids = lesson_ids(app, course)
    user = make.user()
    token = get_token(app.test_client(), user.email)
    outcomes = _together(app, token, "POST", f"/lessons/{ids['01-dasar/01-pembuka']}/complete",
                         headers={"Idempotency-Key": "burst-1"})
    ok = [o for o in outcomes if o[0] == 200]
    # PostgreSQL: every replay waits for the first and gets its reply. SQLite queues writers
    # and may answer 409 "still in progress" to a replay that overtakes the first commit.
    assert ok and all(o == ok[0] for o in ok)
    assert all(o[0] in (200, 409) for o in outcomes)
    if app.config["SQLALCHEMY_DATABASE_URI"].startswith("postgresql"):
        assert len(ok) == THREADS
    with app.app_context():
        assert db.session.scalar(select(func.count(LessonProgress.completed_at))) == 1
        assert db.session.scalar(select(func.count()).select_from(IdempotencyKey)) == 1


def test_concurrent_replays_of_an_answer_grade_one_attempt(app, make, course_copy):
    folder = course_copy()
    quiz = folder / "01-dasar" / "03-kuis.md"
    quiz.write_text(quiz.read_text().replace("time_limit: 5\n", ""))
    course = make.course(folder)
    quiz_id = lesson_ids(app, course)["01-dasar/03-kuis"]
    user = make.user()
    token = get_token(app.test_client(), user.email)
    outcomes = _together(app, token, "POST", f"/quizzes/{quiz_id}/attempts",
                         json={"answers": {}}, headers={"Idempotency-Key": "sync-7"})
    ok = [o for o in outcomes if o[0] == 200]
    assert ok and all(o == ok[0] for o in ok)
    with app.app_context():
        assert db.session.scalar(select(func.count()).select_from(QuizAttempt)) == 1


def test_concurrent_enrolments_with_one_key(app, make):
    make.course()
    user = make.user()
    token = get_token(app.test_client(), user.email)
    outcomes = _together(app, token, "POST", "/courses/contoh-kursus/enrol",
                         headers={"Idempotency-Key": "enrol-1"})
    assert {o[0] for o in outcomes} <= {200, 409}
    with app.app_context():
        assert db.session.scalar(select(func.count()).select_from(Enrolment)) == 1
