""""Pembelajaran saya" and quiz results say what is true (issue 14, point 5)."""

import re
from datetime import timedelta

import pytest

from app.extensions import db
from app.models import Role, User
from app.services.assignments import assign_course
from app.web import local_calendar
from tests.views.test_quiz import COURSE, LESSONS, QUIZ, start, take


def _cards(page: str) -> str:
    """The page without its reminder notices, which link the course a second time."""
    return re.sub(r'<section class="notices".*?</section>', "", page, flags=re.S)


def test_a_finished_mandatory_course_is_listed_once_and_no_longer_as_due(app, login, make):
    make.unit("SETJEN", "Sekretariat Jenderal")
    course = make.course()
    me = login(unit_code="SETJEN")
    with app.app_context():
        admin = db.session.get(User, make.user(roles=Role.ADMIN).id)
        today = local_calendar().today
        assign_course(db.session, admin, course.id, db.session.get(User, me.user.id).unit_id,
                      today + timedelta(days=5), today=today)
        db.session.commit()
    before = me.client.get("/me/learning").get_data(as_text=True)
    assert "Pengingat kursus wajib" in before
    assert _cards(before).count("Kursus Contoh</a>") == 1 and "Wajib</strong> · tenggat" in before

    make.completed(me.user, course, *LESSONS)
    take(app, me, right=True)
    for url in ("/me/learning", "/", COURSE):
        page = me.client.get(url).get_data(as_text=True)
        assert "tenggat" not in page, url
    learning = me.client.get("/me/learning").get_data(as_text=True)
    assert learning.count("Kursus Contoh</a>") == 1
    assert "Kursus yang sudah selesai" in learning
    assert "belum mengikuti kursus" not in learning  # she has: she finished one
    assert "Tidak ada kursus yang sedang Anda ikuti" in learning


def test_an_old_failed_attempt_does_not_congratulate(app, login, make):
    course = make.course()
    me = login()
    make.completed(me.user, course, *LESSONS)
    failed_url, failed = take(app, me, right=False)
    assert "Selamat" not in failed
    _, passed = take(app, me, right=True)
    assert "Selamat! Anda telah menyelesaikan kursus ini." in passed
    assert "Selamat" not in me.client.get(failed_url).get_data(as_text=True)


def test_scores_read_out_of_100_and_no_best_score_before_any(app, login, make):
    make.course()
    me = login()
    start(me)  # an attempt in progress, none graded yet
    cover = me.client.get(QUIZ).get_data(as_text=True)
    assert "Nilai terbaik" not in cover and "–" not in cover
    url = start(me)
    me.client.post(url, data={"csrf_token": me.csrf(url), "confirm": "1"})  # all left empty
    result = me.client.get(url).get_data(as_text=True)
    assert '<p class="score-value">0 dari 100</p>' in result
    assert "Belum lulus. Nilai terbaik Anda 0 dari 100." in me.client.get(QUIZ).get_data(
        as_text=True)


def test_a_quiz_with_empty_answers_asks_before_it_is_graded(app, login, make):
    make.course()
    me = login()
    url = start(me)
    from tests.views.test_quiz import form_answers
    answers = form_answers(app, url, right=True)
    first = sorted(answers)[0]
    partial = {first: answers[first], "csrf_token": me.csrf(url)}
    response = me.client.post(url, data=partial)
    page = response.get_data(as_text=True)
    assert response.status_code == 200 and "2 pertanyaan belum dijawab." in page
    assert 'name="confirm" value="1"' in page
    # What was answered stays filled in, and nothing was graded yet.
    picked = answers[first] if isinstance(answers[first], list) else []
    assert all(f'value="{option}" checked' in page for option in picked)
    assert "Hasil percobaan" not in me.client.get(url).get_data(as_text=True)
    response = me.client.post(url, data={**partial, "confirm": "1"})
    assert response.status_code == 303
    assert "Hasil percobaan 1" in me.client.get(url).get_data(as_text=True)


def test_after_passing_a_quiz_lanjut_leads_to_the_next_step(app, login, make):
    make.course()
    me = login()
    _, page = take(app, me, right=True)
    assert 'href="/courses/contoh-kursus/lanjutan/lanjut">Lanjut: Lanjutan</a>' in page


@pytest.mark.parametrize("path", ["/reports/", "/reports/rows"])
def test_a_report_filter_with_dari_after_sampai_says_so_in_the_page(login, make, path):
    make.unit("SETJEN", "Sekretariat Jenderal")
    make.course()
    sup = login(roles=Role.SUPERVISOR | Role.LEARNER, unit_code="SETJEN")
    response = sup.client.get(path + "?from=2026-05-01&to=2026-04-01")
    page = response.get_data(as_text=True)
    assert response.status_code == 400
    assert 'id="filter-error" role="alert">Tanggal awal periode harus sebelum' in page
    assert 'value="2026-05-01"' in page and "<table" not in page  # the form keeps the input
    assert "Periode penyelesaian" in page


def test_an_unknown_audit_filter_says_so_instead_of_showing_everything(login):
    admin = login(roles=Role.ADMIN)
    response = admin.client.get("/authoring/audit?action=bukan.tindakan")
    page = response.get_data(as_text=True)
    assert response.status_code == 400
    assert "Tindakan “bukan.tindakan” tidak ada di log audit." in page
    assert "entri" not in page


@pytest.mark.parametrize(("query", "message"), [
    ("page=dua", "Nomor halaman tidak valid."),
    ("q=" + "a" * 101, "Kata pencarian terlalu panjang"),
])
def test_the_user_list_says_what_is_wrong_with_its_search(login, query, message):
    response = login(roles=Role.ADMIN).client.get("/admin/users?" + query)
    page = response.get_data(as_text=True)
    assert response.status_code == 400 and message in page
    assert "Tidak ada pengguna yang cocok." not in page
