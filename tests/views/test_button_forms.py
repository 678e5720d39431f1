"""Button-only forms (the button_form macro) post exactly what the page gives them, CSRF token
included; without the token CSRFProtect alone refuses them with a 400 and nothing changes."""

import re
from datetime import date

from sqlalchemy import select

from app.extensions import db
from app.models import ClassSession, LessonProgress, QuizAttempt, Role, User
from app.services import classroom


def form_fields(html: str, action: str) -> dict[str, str]:
    """The hidden fields of the page's POST form that goes to `action` (one must exist)."""
    [body] = re.findall(rf'<form method="post" action="{re.escape(action)}"[^>]*>(.*?)</form>',
                        html, re.S)
    return dict(re.findall(r'<input type="hidden" name="([^"]+)" value="([^"]*)">', body))


def test_the_lesson_and_quiz_buttons_need_their_token(app, login, make):
    course = make.course()
    me = login()
    lesson_path = course.lesson_paths[0]
    [quiz_path] = [path for path in course.lesson_paths if path.endswith("kuis")]
    lesson_url = f"/courses/{course.slug}/{lesson_path}"
    done_url = lesson_url + "/complete"
    fields = form_fields(me.client.get(lesson_url).get_data(as_text=True), done_url)
    assert set(fields) == {"csrf_token"} and fields["csrf_token"]
    assert me.client.post(done_url).status_code == 400
    with app.app_context():
        assert db.session.scalar(select(LessonProgress.completed_at)) is None
    assert me.client.post(done_url, data=fields).status_code == 303
    with app.app_context():
        assert db.session.scalar(select(LessonProgress.completed_at)) is not None

    quiz_url = f"/courses/{course.slug}/{quiz_path}"
    start_url = quiz_url + "/attempts"
    fields = form_fields(me.client.get(quiz_url).get_data(as_text=True), start_url)
    assert me.client.post(start_url).status_code == 400
    with app.app_context():
        assert db.session.scalar(select(QuizAttempt.id)) is None
    response = me.client.post(start_url, data=fields)
    assert response.status_code == 303 and "/attempts/" in response.headers["Location"]


def test_the_check_in_buttons_post_their_hidden_choice(app, login, make):
    trainer = login(roles=Role.TRAINER)
    with app.app_context():
        person = db.session.get(User, trainer.user.id)
        held = classroom.create_session(db.session, person, title="Sesi", held_on=date.today(),
                                        place="Aula", jp="2")
        db.session.commit()
        session_id = held.id
    page, action = f"/classroom/{session_id}", f"/classroom/{session_id}/checkin"

    def is_open() -> bool:
        with app.app_context():
            return db.session.get(ClassSession, session_id).checkin_open

    fields = form_fields(trainer.client.get(page).get_data(as_text=True), action)
    assert fields["open"] == "1" and fields["csrf_token"]
    assert trainer.client.post(action, data={"open": "1"}).status_code == 400
    assert not is_open()
    assert trainer.client.post(action, data=fields).status_code == 303
    assert is_open()
    fields = form_fields(trainer.client.get(page).get_data(as_text=True), action)
    assert fields["open"] == "0"
    assert trainer.client.post(action, data=fields).status_code == 303
    assert not is_open()


def test_signing_out_needs_the_token_too(login):
    me = login()
    fields = form_fields(me.client.get("/").get_data(as_text=True), "/logout")
    assert me.client.post("/logout").status_code == 400
    assert me.client.get("/account").status_code == 200  # still signed in
    assert me.client.post("/logout", data=fields).status_code == 302
    assert me.client.get("/account").status_code == 302  # to the login page


def test_an_admins_password_link_button_needs_its_token(login, make):
    admin = login(roles=Role.ADMIN)
    person = make.user(name="Budi")
    page, action = f"/admin/users/{person.id}", f"/admin/users/{person.id}/password-link"
    fields = form_fields(admin.client.get(page).get_data(as_text=True), action)
    assert admin.client.post(action).status_code == 400
    response = admin.client.post(action, data=fields)
    assert response.status_code == 200 and "/password/" in response.get_data(as_text=True)


def test_a_lesson_page_cached_for_everyone_gives_each_reader_their_own_tokens(login, make):
    """The reading page is rendered once for many readers (web.cached_page): the macro's token
    is the per-request one, so each reader's buttons post with their own."""
    course = make.course()
    lesson_url = f"/courses/{course.slug}/{course.lesson_paths[0]}"
    ani, budi = login(), login()
    forms = {}
    for who in (ani, budi):
        html = who.client.get(lesson_url).get_data(as_text=True)
        forms[who] = (form_fields(html, lesson_url + "/complete"), form_fields(html, "/logout"))
    assert forms[ani][0]["csrf_token"] != forms[budi][0]["csrf_token"]
    for who in (ani, budi):
        complete, logout = forms[who]
        assert complete["csrf_token"] == logout["csrf_token"]
        assert who.client.post(lesson_url + "/complete", data=complete).status_code == 303
        assert who.client.post("/logout", data=logout).status_code == 302
