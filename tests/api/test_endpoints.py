"""Every endpoint of /api/v1 over HTTP, for each role it allows and refuses."""

import csv
import io
import threading
from datetime import timedelta

import pytest
from sqlalchemy import func, select, update

from app.extensions import db
from app.models import Enrolment, Lesson, LessonProgress, QuizAttempt, Role, utcnow
from app.services import quizzes
from app.services.grading import correct_answers
from tests.api.conftest import ApiClient, get_token
from tests.factories import PEOPLE, UserInfo, api_answers
from tests.seed import expected_rows, seed

ROLES = ("learner", "trainer", "supervisor", "admin")


def ids_of(app, course) -> dict[str, int]:
    with app.app_context():
        return dict(db.session.execute(
            select(Lesson.path, Lesson.id).where(Lesson.course_id == course.id)).all())


def untimed(course_copy, attempts: int | None = 3):
    folder = course_copy()
    quiz = folder / "01-dasar" / "03-kuis.md"
    text = quiz.read_text().replace("time_limit: 5\n", "")
    text = text.replace("attempts: 3\n", f"attempts: {attempts}\n" if attempts else "")
    quiz.write_text(text)
    return folder


# --- courses


@pytest.mark.parametrize("role", ROLES)
def test_every_role_lists_published_courses_with_its_progress(app, make, api, role):
    course = make.course()
    caller = api(role=role)
    make.completed(caller.user, course, "dasar/pembuka")
    body = caller.get("/courses").get_json()
    assert body["total"] == 1 and body["page"] == 1 and body["per_page"] == 50
    [card] = body["items"]
    assert card == {"slug": "contoh-kursus", "title": card["title"], "summary": card["summary"],
                    "jp": 2.0, "lesson_count": 4, "percent": 25, "enrolled": True,
                    "due_on": None}


def test_course_list_pages(app, make, api, course_copy, tmp_path):
    make.course()
    other = course_copy()
    renamed = tmp_path / "kursus-b"
    other.rename(renamed)
    make.course(renamed)
    caller = api()
    first = caller.get("/courses?per_page=1").get_json()
    second = caller.get("/courses?per_page=1&page=2").get_json()
    assert first["total"] == second["total"] == 2
    assert first["items"][0]["slug"] != second["items"][0]["slug"]
    assert caller.get("/courses?per_page=0").status_code == 422
    assert caller.get("/courses?per_page=201").status_code == 422


@pytest.mark.parametrize(("who", "status"), [
    ("learner", 404), ("supervisor", 404), ("other trainer", 404), ("owner", 200),
    ("admin", 200)])
def test_an_unpublished_course_is_seen_only_by_its_trainer_and_admins(make, api, who, status):
    owner = make.user(email="pelatih@example.go.id", roles=Role.TRAINER)
    make.course(publish=False)
    caller = api(owner) if who == "owner" else api(role=who)
    assert caller.get("/courses/contoh-kursus").status_code == status
    assert caller.get("/courses").get_json()["total"] == 0
    if status == 200:  # a preview records nothing
        response = caller.post("/courses/contoh-kursus/enrol")
        assert response.status_code == 409
        assert response.get_json()["error"]["code"] == "not_recordable"


@pytest.mark.parametrize("role", ROLES)
def test_the_outline_has_modules_lessons_and_the_callers_status(app, make, api, role):
    course = make.course()
    caller = api(role=role)
    make.completed(caller.user, course, "dasar/pembuka")
    body = caller.get("/courses/contoh-kursus").get_json()
    assert body["percent"] == 25 and body["enrolled"] and body["completed_at"] is None
    assert [m["title"] for m in body["modules"]] == ["Dasar-dasar", "Lanjutan"]
    items = body["modules"][0]["items"]
    assert [(i["kind"], i["status"]) for i in items] == [
        ("lesson", "done"), ("lesson", "not_started"), ("quiz", "not_started")]
    assert items[0]["id"] == ids_of(app, course)["dasar/pembuka"]
    assert caller.get("/courses/tidak-ada").status_code == 404


def test_enrolling_twice_answers_the_same(app, make, api):
    make.course()
    caller = api()
    first = caller.post("/courses/contoh-kursus/enrol")
    second = caller.post("/courses/contoh-kursus/enrol")
    assert first.status_code == second.status_code == 200
    assert first.get_json() == second.get_json()
    with app.app_context():
        assert db.session.scalar(select(func.count()).select_from(Enrolment)) == 1


# --- lessons


@pytest.mark.parametrize("role", ROLES)
def test_a_lesson_has_sanitised_html_with_absolute_links_and_neighbours(app, make, api, role):
    course = make.course()
    ids = ids_of(app, course)
    body = api(role=role).get(f"/lessons/{ids['dasar/pembuka']}").get_json()
    html = body["html"]
    assert "<script" not in html and "javascript:" not in html and "onclick" not in html
    assert 'src="http://localhost/courses/contoh-kursus/media/diagram.png' in html
    assert 'srcset="http://localhost/courses/contoh-kursus/media/diagram.png' in html
    assert 'href="http://localhost/courses/contoh-kursus/lanjutan/lanjut"' in html
    assert 'href="http://localhost/courses/contoh-kursus/dasar/kedua#bagian"' in html
    assert body["previous_id"] is None
    assert body["next_id"] == ids["dasar/kedua"]
    assert body["url"] == "http://localhost/courses/contoh-kursus/dasar/pembuka"
    second = api(role=role).get(f"/lessons/{ids['dasar/kedua']}").get_json()
    assert second["previous_id"] == ids["dasar/pembuka"]


def test_media_links_in_the_api_work(app, make, api, login):
    course = make.course()
    html = api().get(f"/lessons/{ids_of(app, course)['dasar/pembuka']}").get_json()["html"]
    src = html.split('src="', 1)[1].split('"', 1)[0]
    me = login()
    with me.client.get(src.removeprefix("http://localhost")) as response:
        assert response.status_code == 200 and response.mimetype == "image/png"


def test_a_retired_or_unknown_lesson_is_404(app, make, api):
    course = make.course()
    ids = ids_of(app, course)
    with app.app_context():
        db.session.execute(update(Lesson).where(Lesson.id == ids["dasar/kedua"])
                           .values(retired=True))
        db.session.commit()
    caller = api()
    assert caller.get(f"/lessons/{ids['dasar/kedua']}").status_code == 404
    assert caller.get("/lessons/999999").status_code == 404
    assert caller.post("/lessons/999999/complete").status_code == 404


@pytest.mark.parametrize("role", ROLES)
def test_completing_lessons_completes_the_course(app, make, api, role, course_copy):
    course = make.course(untimed(course_copy))
    ids = ids_of(app, course)
    caller = api(role=role)
    first = caller.post(f"/lessons/{ids['dasar/pembuka']}/complete").get_json()
    assert first == {"lesson_id": ids["dasar/pembuka"], "done": 1, "total": 4,
                     "course_completed_at": None, "next_id": ids["dasar/kedua"]}
    refused = caller.post(f"/lessons/{ids['dasar/kuis']}/complete")
    assert refused.status_code == 409
    assert refused.get_json()["error"]["code"] == "not_recordable"
    caller.post(f"/lessons/{ids['dasar/kedua']}/complete")
    caller.post(f"/lessons/{ids['lanjutan/lanjut']}/complete")
    with app.app_context():
        quiz = db.session.get(Lesson, ids["dasar/kuis"]).quiz
        answers = api_answers(correct_answers(quizzes.take_snapshot(db.session, quiz)))
    result = caller.post(f"/quizzes/{ids['dasar/kuis']}/attempts",
                         json={"answers": answers}).get_json()
    assert result["passed"] and result["score"] == 100
    assert caller.get("/courses/contoh-kursus").get_json()["completed_at"] is not None
    progress = caller.get("/me/progress").get_json()
    assert progress["courses"][0]["status"] == "completed"
    assert progress["jp_this_year"] == 2.0 and progress["jp_target"] == 20


# --- quizzes


def test_a_quiz_never_carries_answers_or_explanations(app, make, api, course_copy):
    course = make.course(untimed(course_copy))
    quiz_id = ids_of(app, course)["dasar/kuis"]
    response = api().get(f"/quizzes/{quiz_id}")
    body = response.get_json()
    text = response.get_data(as_text=True)
    assert body["attempts_used"] == 0 and body["attempts_left"] == 3
    assert len(body["questions"]) == 3
    for forbidden in ("correct", "accepted", "explanation", "Perpres", "dua puluh"):
        assert forbidden not in text
    with app.app_context():
        from app.models import Question
        for q in db.session.scalars(select(Question)):
            if q.explanation_html:
                assert q.explanation_html not in text


def test_a_timed_quiz_lists_its_questions_only_with_a_started_attempt(app, make, api):
    course = make.course()
    quiz_id = ids_of(app, course)["dasar/kuis"]
    caller = api()
    assert caller.get(f"/quizzes/{quiz_id}").get_json()["questions"] == []
    one_shot = caller.post(f"/quizzes/{quiz_id}/attempts", json={"answers": {}})
    assert one_shot.status_code == 409
    assert one_shot.get_json()["error"]["code"] == "timed_quiz"
    started = caller.post(f"/quizzes/{quiz_id}/attempts/start")
    assert started.status_code == 201
    attempt = started.get_json()
    assert attempt["deadline_at"] and len(attempt["questions"]) == 3
    assert "correct" not in started.get_data(as_text=True)
    assert caller.get(f"/quizzes/{quiz_id}").get_json()["open_attempt_id"] == attempt[
        "attempt_id"]
    result = caller.post(f"/quizzes/{quiz_id}/attempts/{attempt['attempt_id']}",
                         json={"answers": {}}).get_json()
    assert result["timed_out"] is False and result["passed"] is False
    assert result["attempts_left"] == 2
    assert all("explanation_html" in q for q in result["questions"])


def test_the_time_limit_is_enforced_on_the_server(app, make, api):
    course = make.course()
    quiz_id = ids_of(app, course)["dasar/kuis"]
    caller = api()
    attempt = caller.post(f"/quizzes/{quiz_id}/attempts/start").get_json()
    with app.app_context():
        db.session.execute(update(QuizAttempt).values(
            deadline_at=utcnow() - timedelta(minutes=2)))
        db.session.commit()
        started = db.session.get(QuizAttempt, attempt["attempt_id"])
        answers = api_answers(correct_answers(quizzes.snapshot_of(started)))
    late = caller.post(f"/quizzes/{quiz_id}/attempts/{attempt['attempt_id']}",
                       json={"answers": answers}).get_json()
    assert late["timed_out"] is True and late["score"] == 0 and not late["passed"]


def test_someone_elses_attempt_is_not_found(app, make, api):
    course = make.course()
    quiz_id = ids_of(app, course)["dasar/kuis"]
    attempt = api().post(f"/quizzes/{quiz_id}/attempts/start").get_json()
    response = api().post(f"/quizzes/{quiz_id}/attempts/{attempt['attempt_id']}",
                          json={"answers": {}})
    assert response.status_code == 404


def test_attempts_run_out(app, make, api, course_copy):
    course = make.course(untimed(course_copy, attempts=2))
    quiz_id = ids_of(app, course)["dasar/kuis"]
    caller = api()
    for left in (1, 0):
        result = caller.post(f"/quizzes/{quiz_id}/attempts", json={"answers": {}})
        assert result.get_json()["attempts_left"] == left
    refused = caller.post(f"/quizzes/{quiz_id}/attempts", json={"answers": {}})
    assert refused.status_code == 409
    assert refused.get_json()["error"]["code"] == "no_attempts_left"


@pytest.mark.parametrize("answers", [
    {"answers": {"1": [True]}}, {"answers": {"1": [1.5]}}, {"answers": {"1": {"a": 1}}},
    {"answers": []}, {}, {"answers": {"1": "x" * 501}}])
def test_malformed_answers_are_422(app, make, api, course_copy, answers):
    course = make.course(untimed(course_copy))
    quiz_id = ids_of(app, course)["dasar/kuis"]
    response = api().post(f"/quizzes/{quiz_id}/attempts", json=answers)
    assert response.status_code == 422


def test_a_lesson_is_not_a_quiz(app, make, api):
    course = make.course()
    assert api().get(f"/quizzes/{ids_of(app, course)['dasar/pembuka']}").status_code == 404


def test_the_attempt_limit_holds_under_concurrent_submissions(app, make, course_copy):
    course = make.course(untimed(course_copy, attempts=2))
    quiz_id = ids_of(app, course)["dasar/kuis"]
    user = make.user()
    token = get_token(app.test_client(), user.email)
    barrier = threading.Barrier(6)
    statuses = []

    def submit(n):
        client = ApiClient(app.test_client(), None, token)
        barrier.wait()
        response = client.post(f"/quizzes/{quiz_id}/attempts", json={"answers": {}},
                               headers={"Idempotency-Key": f"distinct-{n}"})
        statuses.append(response.status_code)

    threads = [threading.Thread(target=submit, args=(n,)) for n in range(6)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()
    with app.app_context():
        assert db.session.scalar(select(func.count()).select_from(QuizAttempt)) == 2
    assert sorted(statuses).count(200) == 2
    assert set(statuses) <= {200, 409}


# --- progress


def test_my_progress_lists_enrolled_courses(app, make, api):
    course = make.course()
    caller = api()
    assert caller.get("/me/progress").get_json()["courses"] == []
    make.completed(caller.user, course, "dasar/pembuka")
    [line] = caller.get("/me/progress").get_json()["courses"]
    assert (line["slug"], line["percent"], line["status"]) == ("contoh-kursus", 25,
                                                                "in_progress")


# --- reports


@pytest.fixture
def org(app, tmp_path):
    with app.app_context():
        return seed(db.session, tmp_path)


def reporter(api, org, key, roles=Role.SUPERVISOR):
    return api(UserInfo(org.users[key], f"{key}@example.go.id", int(roles)))


@pytest.mark.parametrize("role", ["learner", "trainer"])
def test_learners_and_trainers_get_no_report(api, role):
    assert api(role=role).get("/reports/completions").status_code == 403


def test_a_supervisor_sees_their_subtree_only(api, org):
    body = reporter(api, org, "sup").get("/reports/completions?per_page=200").get_json()
    expected = expected_rows("SETJEN", org.calendar.today)
    assert body["total"] == len(expected)
    got = {(row["name"].lower(), row["course"], row["status"]) for row in body["items"]}
    titles = {"A": "Kursus Contoh", "B": "Kursus Kedua"}
    assert got == {(k, titles[c], s) for (k, c), s in expected.items()}
    assert all(row["nip"] is None or "*" in row["nip"] for row in body["items"])


def test_an_admin_sees_everyone_and_filters_work(api, make, org):
    admin = api(role="admin")
    everything = admin.get("/reports/completions?per_page=200").get_json()
    assert everything["total"] == len(expected_rows(None, org.calendar.today))
    overdue = admin.get("/reports/completions?status=overdue&per_page=200").get_json()
    assert overdue["total"] == sum(
        s == "overdue" for s in expected_rows(None, org.calendar.today).values())
    unit = admin.get(f"/reports/completions?unit={org.units['BIRO-SDM']}").get_json()
    assert unit["total"] == len(expected_rows("BIRO-SDM", org.calendar.today))
    course = admin.get(f"/reports/completions?course={org.courses['B']}").get_json()
    assert {row["course"] for row in course["items"]} == {"Kursus Kedua"}


def test_report_pages(api, org):
    admin = api(role="admin")
    pages = [admin.get(f"/reports/completions?per_page=3&page={n}").get_json()
             for n in (1, 2)]
    assert pages[0]["total"] == pages[1]["total"] > 3
    assert len(pages[0]["items"]) == 3
    assert pages[0]["items"] != pages[1]["items"]


@pytest.mark.parametrize("query", ["unit={DIT}", "course=999999", "status=kacau",
                                   "from=2026-13-01", "from=2026-02-01&to=2026-01-01"])
def test_bad_or_foreign_filters_are_refused(api, org, query):
    response = reporter(api, org, "sup").get(
        "/reports/completions?" + query.format(DIT=org.units["DIT-DATA"]))
    assert response.status_code in (404, 422)
    assert response.get_json()["error"]["code"] in ("not_found", "invalid_request")


def test_a_draft_course_is_not_a_filter_for_a_supervisor(api, org, tmp_path, login, make):
    import shutil

    from tests.factories import DATA
    draft = tmp_path / "rahasia"
    shutil.copytree(DATA / "courses" / "contoh-kursus", draft)
    meta = draft / "course.md"
    meta.write_text(meta.read_text().replace("title: Kursus Contoh", "title: Draf Rahasia"))
    draft_id = make.course(draft, publish=False).id
    sup = reporter(api, org, "sup")
    assert sup.get(f"/reports/completions?course={draft_id}").status_code == 404
    web = login(UserInfo(org.users["sup"], "sup@example.go.id", int(Role.SUPERVISOR)))
    page = web.client.get("/reports/rows").get_data(as_text=True)
    assert "Kursus Kedua" in page and "Draf Rahasia" not in page
    admin_page = login(roles=PEOPLE["admin"]).client.get("/reports/rows").get_data(as_text=True)
    assert "Draf Rahasia" in admin_page


def test_the_report_streams_csv(api, org):
    sup = reporter(api, org, "sup")
    response = sup.get("/reports/completions?status=completed",
                       headers={"Accept": "text/csv"})
    assert response.status_code == 200 and response.mimetype == "text/csv"
    assert response.headers["Cache-Control"] == "no-store"  # an export, like the web's
    assert response.is_streamed
    rows = list(csv.reader(io.StringIO(response.get_data(as_text=True).lstrip("\ufeff"))))
    completed = sum(s == "completed" for s in expected_rows("SETJEN", org.calendar.today)
                    .values())
    assert len(rows) - 1 == completed


def test_rows_and_progress_stay_untouched_by_reading(app, make, api):
    course = make.course()
    caller = api()
    caller.get(f"/lessons/{ids_of(app, course)['dasar/pembuka']}")
    with app.app_context():
        row = db.session.scalars(select(LessonProgress)).one()
        assert row.opened_at is not None and row.completed_at is None
