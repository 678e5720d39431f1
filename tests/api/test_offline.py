"""GET /api/v1/courses/{slug}/offline and offline completions over the API (issue 11)."""

import json

from sqlalchemy import select

from app.extensions import db
from app.models import Lesson, LessonProgress


def test_the_offline_package_has_everything_but_the_answers(make, api):
    make.course()
    me = api()
    response = me.get("/courses/contoh-kursus/offline")
    assert response.status_code == 200
    package = response.get_json()
    assert package["total_bytes"] > sum(m["bytes"] for m in package["media"]) > 0
    first = package["lessons"][0]
    assert first["url"].startswith("http://localhost/courses/contoh-kursus/")
    assert "http://localhost/courses/contoh-kursus/media/diagram.png" in first["html"]
    quiz = next(item for item in package["lessons"] if item["kind"] == "quiz")["quiz"]
    assert quiz["questions"][0]["options"] or quiz["questions"][0]["kind"] == "short"
    for secret in ('"correct"', '"accepted"', "explanation"):
        assert secret not in json.dumps(package)
    assert me.get("/courses/nope/offline").status_code == 404
    assert me.client.get("/api/v1/courses/contoh-kursus/offline").status_code == 401


def test_an_offline_completion_keeps_the_phones_time_once(app, make, api):
    course = make.course()
    me = api()
    with app.app_context():
        lesson_id = db.session.scalar(select(Lesson.id).where(
            Lesson.course_id == course.id, Lesson.path == "dasar/pembuka"))
    me.post("/courses/contoh-kursus/enrol")
    body = {"completed_at": "2999-01-01T00:00:00+07:00"}
    headers = {"Idempotency-Key": "phone-item-1"}
    first = me.post(f"/lessons/{lesson_id}/complete", json=body, headers=headers)
    again = me.post(f"/lessons/{lesson_id}/complete", json=body, headers=headers)
    assert first.status_code == again.status_code == 200
    assert again.headers["Idempotent-Replayed"] == "true"
    assert me.post(f"/lessons/{lesson_id}/complete",
                   json={"completed_at": "yesterday"}).status_code == 422
    with app.app_context():
        row = db.session.scalar(select(LessonProgress).where(
            LessonProgress.lesson_id == lesson_id))
        assert row.completed_on_device_at <= row.completed_at
