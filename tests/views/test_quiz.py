"""Quizzes over HTTP: taking, grading, results, certificates, verification, statistics."""

import io

import pytest
from pypdf import PdfReader
from sqlalchemy import select

from app.extensions import db
from app.models import Certificate, QuizAttempt, Role
from app.services import quizzes
from app.services.grading import correct_answers
from tests.factories import wrong_answers

COURSE = "/courses/contoh-kursus/"
QUIZ = COURSE + "dasar/kuis"
LESSONS = ("dasar/pembuka", "dasar/kedua", "lanjutan/lanjut")


def start(me) -> str:
    response = me.client.post(QUIZ + "/attempts", data={"csrf_token": me.csrf(QUIZ)})
    assert response.status_code == 303
    return response.headers["Location"]


def form_answers(app, attempt_url: str, right: bool) -> dict:
    """The attempt's answers as its form sends them (a field q<id> per question); right ones
    write the short answer in other case ("Dua Puluh"), which still counts."""
    attempt_id = int(attempt_url.rsplit("/", 1)[1])
    with app.app_context():
        snapshot = quizzes.snapshot_of(db.session.get(QuizAttempt, attempt_id))
    answers = correct_answers(snapshot) if right else wrong_answers(snapshot)
    if right:
        answers |= {q.key: "Dua Puluh" for q in snapshot.questions if q.is_short}
    return {f"q{key}": given for key, given in answers.items()}


def take(app, me, right: bool):
    url = start(me)
    data = form_answers(app, url, right)
    data["csrf_token"] = me.csrf(url)
    response = me.client.post(url, data=data)
    assert response.status_code == 303 and response.headers["Location"] == url
    return url, me.client.get(url).get_data(as_text=True)


def test_the_quiz_cover_offers_to_start(login, make):
    make.course()
    me = login()
    page = me.client.get(QUIZ).get_data(as_text=True)
    assert "Mulai kuis" in page and "3 kali percobaan" in page and "batas waktu 5 menit" in page
    assert "Jawab semua pertanyaan." in page


def test_no_answer_key_or_explanation_reaches_the_learner_before_grading(login, make):
    make.course()
    me = login()
    page = me.client.get(start(me)).get_data(as_text=True)
    assert "Pertanyaan 1 dari 3" in page and "Sisa waktu" in page
    assert page.count('type="radio"') == 3 and page.count('type="checkbox"') == 3
    assert 'type="text"' in page
    for secret in ("Perpres 95/2018", "Sandi yang kuat panjang", "Minimal 20 JP", "dua puluh",
                   "correct", "benar)", "accepted"):
        assert secret not in page, secret
    # The cover page does not leak either.
    cover = me.client.get(QUIZ).get_data(as_text=True)
    assert "Perpres 95/2018" not in cover and "Lanjutkan kuis" in cover


def test_submitting_shows_the_score_verdicts_and_explanations(app, login, make):
    make.course()
    me = login()
    _, page = take(app, me, right=False)
    assert "Belum lulus — nilai lulus 80." in page
    assert page.count("✗ Salah") == 3
    assert "Perpres 95/2018" in page and "Minimal 20 JP" in page
    assert "Coba lagi" in page


def test_a_retry_and_a_pass_mark_the_quiz_done(app, login, make):
    make.course()
    me = login()
    take(app, me, right=False)
    _, page = take(app, me, right=True)
    assert "Lulus — nilai lulus 80." in page and page.count("✓ Benar") == 3
    assert "Coba lagi" not in page
    cover = me.client.get(QUIZ).get_data(as_text=True)
    assert "✓ Lulus. Nilai terbaik Anda 100 dari 100." in cover
    assert "Sisa 1 kesempatan." in cover
    assert "1 dari 4 selesai" in cover


def test_a_double_tap_on_submit_costs_one_attempt(app, login, make):
    make.course()
    me = login()
    url = start(me)
    data = form_answers(app, url, right=True) | {"csrf_token": me.csrf(url)}
    assert me.client.post(url, data=data).status_code == 303
    assert me.client.post(url, data=data).status_code == 303
    with app.app_context():
        assert db.session.scalar(select(QuizAttempt.number)) == 1
        assert len(db.session.scalars(select(QuizAttempt)).all()) == 1


def test_when_attempts_run_out_no_more_can_start(app, login, make):
    make.course()
    me = login()
    for _ in range(3):
        take(app, me, right=False)
    cover = me.client.get(QUIZ).get_data(as_text=True)
    assert "Kesempatan mengerjakan kuis ini sudah habis." in cover and "Coba lagi" not in cover
    response = me.client.post(QUIZ + "/attempts", data={"csrf_token": me.csrf(QUIZ)})
    assert response.status_code == 400
    assert "sudah habis" in response.get_data(as_text=True)


def test_another_learners_attempt_is_not_found(login, make):
    make.course()
    me, other = login(), login()
    url = start(me)
    assert other.client.get(url).status_code == 404
    assert other.client.post(url, data={"csrf_token": other.csrf()}).status_code == 404


def test_a_preview_shows_the_quiz_but_records_no_attempt(login, make):
    owner = make.user(email="pelatih@example.go.id", roles=Role.TRAINER)
    make.course(publish=False)
    me = login(owner)
    assert "Mulai kuis" not in me.client.get(QUIZ).get_data(as_text=True)
    assert me.client.post(QUIZ + "/attempts", data={"csrf_token": me.csrf()}).status_code == 409


def complete_course(app, me, make, course):
    make.completed(me.user, course, *LESSONS)
    _, page = take(app, me, right=True)
    return page


def test_completion_gives_jp_and_a_verifiable_certificate(app, client, login, make):
    course = make.course()
    me = login(nip="198503122010011001", name="Ani Lestari")
    page = complete_course(app, me, make, course)
    assert "Selamat! Anda telah menyelesaikan kursus ini." in page

    learning = me.client.get("/me/learning").get_data(as_text=True)
    assert "2 dari target 20 JP" in learning and 'value="10"' in learning
    assert "Kursus yang sudah selesai" in learning
    outline = me.client.get(COURSE).get_data(as_text=True)
    assert "Kursus selesai pada" in outline

    response = me.client.get(COURSE + "certificate.pdf")
    assert response.mimetype == "application/pdf"
    assert "attachment" in response.headers["Content-Disposition"]
    assert response.headers["Cache-Control"] == "no-store"  # a name and NIP: never cached
    text = PdfReader(io.BytesIO(response.data)).pages[0].extract_text()
    with app.app_context():
        code = db.session.scalar(select(Certificate.code))
    for expected in ("Ani Lestari", "19850312******1001", "Kursus Contoh", "2 JP", code):
        assert expected in text, expected
    assert "198503122010011001" not in text
    assert f"/verify/{code}" in text

    verify = client.get(f"/verify/{code}")  # a guest: no login needed
    body = verify.get_data(as_text=True)
    assert verify.status_code == 200 and "Sertifikat ini sah." in body
    assert "Ani Lestari" in body and "Kursus Contoh" in body and "2 JP" in body
    # Nothing more: no email address, no full NIP.
    assert me.user.email not in body and "198503122010011001" not in body


def test_an_unknown_code_says_so_plainly(client):
    response = client.get("/verify/bukan-kode-yang-ada")
    assert response.status_code == 404
    assert "Kode ini tidak dikenal." in response.get_data(as_text=True)


def test_no_certificate_before_completion(login, make):
    make.course()
    me = login()
    assert me.client.get(COURSE + "certificate.pdf").status_code == 404


@pytest.mark.parametrize(
    ("who", "status"),
    [("learner", 403), ("supervisor", 403), ("other trainer", 404), ("owner", 200),
     ("admin", 200)],
)
def test_quiz_statistics_are_for_the_courses_trainer_and_admins(
    app, login, login_as, make, who, status
):
    owner = make.user(email="pelatih@example.go.id", roles=Role.TRAINER)
    make.course()
    learner = login()
    take(app, learner, right=True)
    me = login_as(who, owner)
    response = me.client.get(COURSE + "quiz-stats")
    assert response.status_code == status
    if status == 200:
        page = response.get_data(as_text=True)
        assert "1 percobaan dinilai" in page and "tingkat kelulusan 100%" in page
        assert "100% menjawab benar dari 1 jawaban" in page


def test_the_certificate_outlives_unpublishing(app, login, make):
    from app.models import Course

    course = make.course()
    me = login()
    complete_course(app, me, make, course)
    with app.app_context():
        db.session.get(Course, course.id).published = False
        db.session.commit()
    assert me.client.get(COURSE).status_code == 404
    assert me.client.get(COURSE + "certificate.pdf").mimetype == "application/pdf"


def test_answers_autosaved_come_back_on_the_page_and_count_after_the_deadline(app, login, make):
    """Issue 11: saved as given, shown again after a reload, graded when the submit is late."""
    from datetime import timedelta

    make.course()
    me = login()
    url = start(me)
    answers = form_answers(app, url, right=True)
    draft = url + "/draft"
    assert me.client.post(draft, data=answers).status_code == 400  # no CSRF token
    assert me.client.post(draft, data={**answers, "csrf_token": me.csrf(url)}).status_code == 204
    page = me.client.get(url).get_data(as_text=True)
    assert page.count(" checked>") == sum(
        len(v) for v in answers.values() if isinstance(v, list))
    assert 'value="Dua Puluh"' in page
    attempt_id = int(url.rsplit("/", 1)[1])
    with app.app_context():
        attempt = db.session.get(QuizAttempt, attempt_id)
        attempt.deadline_at = attempt.started_at - timedelta(minutes=5)
        db.session.commit()
    assert me.client.post(draft, data={"csrf_token": me.csrf()}).status_code == 409
    me.client.post(url, data={"csrf_token": me.csrf()})
    with app.app_context():
        attempt = db.session.get(QuizAttempt, attempt_id)
        assert attempt.timed_out and attempt.passed


def test_another_learners_attempt_cannot_be_autosaved(login, make):
    make.course()
    me, other = login(), login(make.user(email="lain@example.go.id"))
    url = start(me)
    assert other.client.post(url + "/draft", data={"csrf_token": other.csrf()}).status_code == 404
