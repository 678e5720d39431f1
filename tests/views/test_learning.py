"""The learner's pages over HTTP: catalog, outline, reader, completion, media."""

import re

from sqlalchemy import event, func, select

from app.extensions import db
from app.models import Enrolment, LessonProgress, Role, utcnow
from tests.pages import csrf_token_in

COURSE = "/courses/contoh-kursus/"
FIRST = COURSE + "dasar/pembuka"
SECOND = COURSE + "dasar/kedua"
LAST = COURSE + "lanjutan/lanjut"


def count(app, model, **where):
    with app.app_context():
        query = select(func.count()).select_from(model).filter_by(**where)
        return db.session.scalar(query)


def test_the_catalog_lists_published_courses_with_progress(login, make):
    make.course()
    me = login()
    page = me.client.get("/").get_data(as_text=True)
    assert "Kursus Contoh" in page and "2 JP" in page and "4 langkah" in page
    assert "<progress" not in page  # not enrolled yet: no bar
    make.completed(me.user, make.course(), "dasar/pembuka")
    page = me.client.get("/").get_data(as_text=True)
    assert 'value="25"' in page and "25% · 1 dari 4 selesai" in page


def test_opening_a_course_enrols_once_and_offers_to_start(app, login, make):
    make.course()
    me = login()
    assert count(app, Enrolment) == 0
    page = me.client.get(COURSE).get_data(as_text=True)
    me.client.get(COURSE)
    assert count(app, Enrolment, user_id=me.user.id) == 1
    assert "Mulai belajar: Pembuka" in page
    assert f'href="{FIRST}"' in page
    assert "Dasar-dasar" in page and "Pengantar modul dasar." in page
    assert "Kuis" in page


def test_lanjutkan_resumes_at_the_first_step_not_done(login, make):
    course = make.course()
    me = login()
    make.completed(me.user, course, "dasar/pembuka")
    me.client.get(FIRST)
    page = me.client.get(COURSE).get_data(as_text=True)
    assert "Lanjutkan: Pelajaran Kedua" in page
    assert page.count('class="is-done"') == 1


def test_the_reader_serves_stored_html_with_previous_and_next(login, make):
    make.course()
    me = login()
    page = me.client.get(SECOND).get_data(as_text=True)
    assert "<table>" in page and 'id="bagian"' in page
    assert f'rel="prev" href="{FIRST}"' in page
    assert f'rel="next" href="{COURSE}dasar/kuis"' in page
    assert "Selesai & lanjut" in page
    first = me.client.get(FIRST).get_data(as_text=True)
    assert 'rel="prev"' not in first


def test_reading_records_the_opening_once(app, login, make):
    make.course()
    me = login()
    me.client.get(FIRST)
    me.client.get(FIRST)
    assert count(app, LessonProgress, user_id=me.user.id) == 1
    assert count(app, Enrolment, user_id=me.user.id) == 1


def test_completing_without_javascript_moves_to_the_next_lesson(app, login, make):
    make.course()
    me = login()
    token = me.csrf(FIRST)
    response = me.client.post(FIRST + "/complete", data={"csrf_token": token})
    assert response.status_code == 303 and response.headers["Location"] == SECOND
    # Done twice (a double tap) still counts once.
    me.client.post(FIRST + "/complete", data={"csrf_token": token})
    with app.app_context():
        rows = db.session.scalars(select(LessonProgress.completed_at)).all()
    assert len(rows) == 1 and rows[0] is not None
    page = me.client.get(FIRST).get_data(as_text=True)
    assert "Pelajaran ini sudah selesai" in page and "25% · 1 dari 4 selesai" in page


def test_a_lesson_page_shows_each_reader_only_their_own_name_progress_and_token(login, make):
    """Lesson pages are rendered once and kept (web.cached_page): what belongs to a reader
    (name, progress, done state, CSRF token, messages) must still be theirs on every view."""
    make.course()
    ani, budi = login(name="Ani <b>Sari</b>"), login(name="Budi")
    ani.client.post(FIRST + "/complete", data={"csrf_token": ani.csrf(FIRST)})
    first_for_ani = ani.client.get(FIRST).get_data(as_text=True)
    first_for_budi = budi.client.get(FIRST).get_data(as_text=True)
    assert "Ani &lt;b&gt;Sari&lt;/b&gt;" in first_for_ani and "<b>Sari" not in first_for_ani
    assert "Pelajaran ini sudah selesai" in first_for_ani and "25% · 1 dari 4" in first_for_ani
    assert "Budi" in first_for_budi and "Ani" not in first_for_budi
    assert "Selesai & lanjut" in first_for_budi and "0% · 0 dari 4" in first_for_budi
    # Ani's message after finishing showed on her next page, once, and never on Budi's.
    assert "✓ Pembuka selesai." in first_for_ani
    assert "Pembuka selesai." not in first_for_budi
    second_for_ani = ani.client.get(SECOND).get_data(as_text=True)
    assert "Pembuka selesai." not in second_for_ani
    # Each page carries its reader's own token, and it works.
    budi_token = csrf_token_in(first_for_budi)
    assert budi_token != csrf_token_in(first_for_ani)
    response = budi.client.post(FIRST + "/complete", data={"csrf_token": budi_token})
    assert response.status_code == 303
    assert "\ue000" not in first_for_budi and "\ue000" not in second_for_ani


def test_a_lesson_page_shows_nothing_of_a_query_string_beside_its_token(login, make):
    """BREACH (app/compression.py): the kept lesson page carries a CSRF token signed once per
    session, so it must not echo text a third party can put in its link. The language form
    returns to the lesson itself."""
    make.course()
    me = login()
    me.client.get(FIRST)
    page = me.client.get(FIRST + "?q=csrf_token%3DImZha2Ui").get_data(as_text=True)
    assert "ImZha2Ui" not in page and "q=csrf" not in page
    assert f'name="next" value="{FIRST}"' in page


def test_completing_the_last_lesson_returns_to_the_course(login, make):
    make.course()
    me = login()
    response = me.client.post(LAST + "/complete", data={"csrf_token": me.csrf(LAST)})
    assert response.headers["Location"] == COURSE


def test_completing_through_htmx_returns_the_control_and_the_new_progress(login, make):
    make.course()
    me = login()
    token = me.csrf(FIRST)
    response = me.client.post(
        FIRST + "/complete",
        headers={"HX-Request": "true", "X-CSRFToken": token},
    )
    fragment = response.get_data(as_text=True)
    assert response.status_code == 200
    assert "HX-Request" in response.headers["Vary"]
    assert "<html" not in fragment
    assert fragment.lstrip().startswith('<div id="complete"')
    assert "Pelajaran ini sudah selesai" in fragment
    assert f'href="{SECOND}"' in fragment and "Lanjut: Pelajaran Kedua" in fragment
    assert 'id="course-progress" hx-swap-oob="true"' in fragment
    assert "25% · 1 dari 4 selesai" in fragment


def test_a_completion_reads_the_lesson_course_and_user_once(app, login, make):
    """After its commit, a completion shows the objects it read before the commit; reading
    them again cost three of its nine statements."""
    make.course()
    me = login()
    token = me.csrf(FIRST)
    with app.app_context():
        engine = db.engine
    statements = []

    def listener(_conn, _cursor, statement, *_args):
        statements.append(" ".join(statement.split()).lower())

    event.listen(engine, "before_cursor_execute", listener)
    try:
        response = me.client.post(FIRST + "/complete",
                                  headers={"HX-Request": "true", "X-CSRFToken": token})
    finally:
        event.remove(engine, "before_cursor_execute", listener)
    assert "Pelajaran ini sudah selesai" in response.get_data(as_text=True)
    # A whole row of each: the lesson's stored HTML, the course's description, the user's
    # password hash (never selected by the lighter queries of the reader).
    for column in ("lesson.body_html", "course.description_html", "user.password_hash"):
        rows = [s for s in statements if s.startswith("select") and column in s.replace('"', "")]
        assert len(rows) <= 1, (column, statements)


def test_htmx_requests_need_the_csrf_header_too(login, make):
    make.course()
    me = login()
    response = me.client.post(FIRST + "/complete", headers={"HX-Request": "true"})
    assert response.status_code == 400


def test_a_quiz_shows_its_rules_and_cannot_be_ticked_off_by_hand(login, make):
    make.course()
    me = login()
    quiz = COURSE + "dasar/kuis"
    page = me.client.get(quiz).get_data(as_text=True)
    assert "3 pertanyaan" in page and "Nilai lulus 80" in page and "batas waktu 5 menit" in page
    assert "Selesai & lanjut" not in page
    assert me.client.post(quiz + "/complete", data={"csrf_token": me.csrf()}).status_code == 409


def test_my_learning_lists_enrolled_courses_with_percent(login, make):
    course = make.course()
    me = login()
    assert "Anda belum mengikuti kursus apa pun." in me.client.get("/me/learning").get_data(
        as_text=True)
    make.completed(me.user, course, "dasar/pembuka", "dasar/kedua")
    page = me.client.get("/me/learning").get_data(as_text=True)
    assert "Kursus Contoh" in page and "50% · 2 dari 4 selesai" in page


def test_unknown_and_retired_lessons_are_not_found(login, make, course_copy):
    folder = course_copy()
    make.course(folder)
    me = login()
    assert me.client.get(COURSE + "dasar/tidak-ada").status_code == 404
    assert me.client.get("/courses/tidak-ada/").status_code == 404
    (folder / "02-lanjutan" / "01-lanjut.md").unlink()
    (folder / "02-lanjutan" / "02-ganti.md").write_text("---\ntitle: Ganti\n---\nIsi.\n")
    first = folder / "01-dasar" / "01-pembuka.md"
    first.write_text(
        first.read_text().replace("02-lanjutan/01-lanjut.md", "02-lanjutan/02-ganti.md")
    )
    make.course(folder)
    assert me.client.get(LAST).status_code == 404


def test_media_is_served_with_a_year_of_caching_when_fingerprinted(login, make):
    make.course()
    me = login()
    page = me.client.get(FIRST).get_data(as_text=True)
    # The page names the image's served variant, fingerprinted by the original's hash.
    src = re.search(r'src="\.\./media/diagram\.png\.lentera-32w\?v=(\w+)"', page).group(1)
    response = me.client.get(f"{COURSE}media/diagram.png?v={src}")
    assert response.status_code == 200 and response.mimetype == "image/png"
    assert response.data.startswith(b"\x89PNG")
    assert "immutable" in response.headers["Cache-Control"]
    assert "max-age=31536000" in response.headers["Cache-Control"]
    stale = me.client.get(f"{COURSE}media/diagram.png?v=lama")
    assert "immutable" not in stale.headers["Cache-Control"]
    again = me.client.get(
        f"{COURSE}media/diagram.png", headers={"If-None-Match": stale.headers["ETag"]}
    )
    assert again.status_code == 304
    assert me.client.get(f"{COURSE}media/tidak-ada.png").status_code == 404


def test_mandatory_courses_show_their_due_date_and_lateness(app, login, make):
    from datetime import date, timedelta

    from app.models import Assignment

    make.unit("KEMEN", "Kementerian")
    biro = make.unit("BIRO", "Biro", "KEMEN")
    course = make.course()
    me = login(unit_code="BIRO")
    outsider = login()
    due = date.today() + timedelta(days=10)
    make.assignment(course, biro, due)
    for url in ("/", "/me/learning", COURSE):
        page = me.client.get(url).get_data(as_text=True)
        assert "<strong>Wajib</strong>" in page, url
        assert "tenggat" in page and "Terlambat" not in page
        assert "Wajib" not in outsider.client.get(url).get_data(as_text=True)
    with app.app_context():
        assignment = db.session.scalar(select(Assignment))
        assignment.due_on = date.today() - timedelta(days=3)
        db.session.commit()
    for url in ("/", "/me/learning", COURSE):
        assert "<strong>Terlambat</strong>" in me.client.get(url).get_data(as_text=True), url
    with app.app_context():
        db.session.execute(Enrolment.__table__.update().values(completed_at=utcnow()))
        db.session.commit()
    page = me.client.get("/me/learning").get_data(as_text=True)
    # Done: listed once, under the completed courses, no longer as due (issue 14).
    assert "<strong>Wajib</strong>" not in page and "Terlambat" not in page


def test_a_kept_lesson_page_follows_new_text_language_and_roles(login, make, course_copy):
    """The kept lesson page (web.cached_page) is never served past what it depends on: a
    re-imported lesson shows its new text at once, and a reader in English or with other
    roles gets their own language and menu, whoever saw the page first."""
    folder = course_copy()
    make.course(folder)
    learner, admin = login(), login(roles=Role.ADMIN | Role.LEARNER)
    assert "Selamat datang." in learner.client.get(FIRST).get_data(as_text=True)
    lesson = folder / "01-dasar" / "01-pembuka.md"
    lesson.write_text(lesson.read_text().replace("Selamat datang.", "Halo, teks baru."))
    make.course(folder)
    page = learner.client.get(FIRST).get_data(as_text=True)
    assert "Halo, teks baru." in page and "Selamat datang." not in page
    # The admin's menu, not the learner's kept one; and the learner's, not the admin's.
    assert 'href="/admin/"' in admin.client.get(FIRST).get_data(as_text=True)
    assert 'href="/admin/"' not in learner.client.get(FIRST).get_data(as_text=True)
    learner.client.post("/language", data={"locale": "en", "csrf_token": learner.csrf(),
                                           "next": "/"})
    english = learner.client.get(FIRST).get_data(as_text=True)
    assert 'lang="en"' in english and "Signed in as" in english
    assert "Masuk sebagai" in admin.client.get(FIRST).get_data(as_text=True)
