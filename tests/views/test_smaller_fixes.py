"""The smaller faults of issue 10 (points 3 and 9), each repro turned into a test."""

import io
import logging
import os
import shutil
import signal
import socket
import subprocess
import sys
import time
from pathlib import Path

import pytest
from pypdf import PdfReader
from sqlalchemy import func, select

from app.extensions import db
from app.logredact import redact
from app.models import Course, CourseUpload, Enrolment, LessonProgress, QuizAttempt, Role
from app.services import authoring
from app.services.errors import Forbidden
from tests.conftest import free_port
from tests.factories import make_user, zip_course
from tests.views.test_quiz import COURSE, complete_course, form_answers, start

ROOT = Path(__file__).parents[2]


def count(app, model, **where):
    with app.app_context():
        query = select(func.count()).select_from(model).filter_by(**where)
        return db.session.scalar(query)


def test_an_image_pointing_at_a_course_does_not_enrol_the_reader(app, login, make):
    """<img src="/courses/other-course/"> in a lesson: the browser fetches it as an image."""
    make.course()
    me = login()
    image = {"Sec-Fetch-Dest": "image", "Sec-Fetch-Mode": "no-cors"}
    me.client.get(COURSE, headers=image)
    me.client.get(COURSE + "dasar/pembuka", headers=image)
    assert count(app, Enrolment, user_id=me.user.id) == 0
    assert count(app, LessonProgress, user_id=me.user.id) == 0
    # A real navigation (or htmx) still records both.
    me.client.get(COURSE, headers={"Sec-Fetch-Dest": "document", "Sec-Fetch-Mode": "navigate"})
    me.client.get(COURSE + "dasar/pembuka", headers={"HX-Request": "true",
                                                         "Sec-Fetch-Dest": "empty"})
    assert count(app, Enrolment, user_id=me.user.id) == 1
    assert count(app, LessonProgress, user_id=me.user.id) == 1


def test_an_open_attempt_cannot_be_submitted_once_the_course_is_unpublished(app, login, make):
    make.course()
    me = login()
    url = start(me)
    answers = form_answers(app, url, right=True)
    token = me.csrf(url)
    with app.app_context():
        db.session.scalar(select(Course)).published = False
        db.session.commit()
    response = me.client.post(url, data={**answers, "csrf_token": token})
    assert response.status_code == 403
    assert "tidak diterbitkan" in response.get_data(as_text=True)
    with app.app_context():
        assert db.session.scalar(select(QuizAttempt)).submitted_at is None


def test_a_staged_upload_belongs_to_its_trainer(session, course_copy):
    folder = course_copy()
    course_md = folder / "course.md"
    course_md.write_text(course_md.read_text().replace("owner: pelatih@example.go.id\n", ""))
    first = make_user(session, roles=Role.TRAINER)
    second = make_user(session, roles=Role.TRAINER)
    data = zip_course(folder)
    staged = authoring.stage_upload(session, first, "x.zip", data).upload
    with pytest.raises(Forbidden):
        authoring.stage_upload(session, second, "x.zip", data)
    assert session.scalars(select(CourseUpload)).all() == [staged]
    # Its own trainer may replace it.
    again = authoring.stage_upload(session, first, "x.zip", data).upload
    assert session.scalars(select(CourseUpload)).all() == [again]


@pytest.mark.parametrize("path", ["/me/learning", "/account", "/reports/", "/reports/rows",
                                  "/reports/export.csv", "/reports/export.xlsx", "/admin/users",
                                  # pages added since: the JP ledger, its HR export, claims,
                                  # notifications and face-to-face sessions (attendance names)
                                  "/me/jp", "/me/jp/claims/new", "/jp/claims/review",
                                  "/jp/hr-export.csv", "/jp/hr-export.xlsx",
                                  "/me/notifications", "/classroom/"])
def test_personal_pages_and_exports_are_not_stored_by_any_cache(login, path):
    me = login(roles=Role.ADMIN | Role.SUPERVISOR | Role.TRAINER | Role.LEARNER)
    response = me.client.get(path)
    assert response.status_code == 200
    assert response.headers["Cache-Control"] == "no-store"


def move_session_to(client, host: str) -> None:
    """The same browser session, sent to a request whose Host header names another site."""
    client.set_cookie("session", client.get_cookie("session").value, domain=host)


def test_the_certificate_link_ignores_the_host_header(fresh_app, make):
    app = fresh_app(BASE_URL="https://lentera.instansi.go.id")
    course = make.course()
    user = make.user()
    from tests.conftest import LoggedIn
    from tests.views.test_sessions import sign_in

    me = LoggedIn(sign_in(app, user, remember=False), user)
    complete_course(app, me, make, course)
    move_session_to(me.client, "jahat.example")
    response = me.client.get(COURSE + "certificate.pdf", base_url="http://jahat.example",
                             headers={"X-Forwarded-Host": "jahat.example"})
    assert response.status_code == 200
    text = PdfReader(io.BytesIO(response.data)).pages[0].extract_text()
    assert "https://lentera.instansi.go.id/verify/" in text
    assert "jahat" not in text


def test_password_links_use_base_url_and_never_the_host_header(fresh_app, make, login):
    app = fresh_app(BASE_URL="https://lentera.instansi.go.id")
    admin = make.user(roles=Role.ADMIN)
    person = make.user(name="Dewi")
    from tests.pages import csrf_token_in
    from tests.views.test_sessions import sign_in

    client = sign_in(app, admin, remember=False)
    token = csrf_token_in(client.get(f"/admin/users/{person.id}").get_data(as_text=True))
    move_session_to(client, "jahat.example")
    page = client.post(f"/admin/users/{person.id}/password-link", data={"csrf_token": token},
                       base_url="http://jahat.example").get_data(as_text=True)
    assert "https://lentera.instansi.go.id/password/" in page and "jahat" not in page


def test_behind_one_trusted_proxy_the_client_address_is_seen(fresh_app):
    """TRUSTED_PROXY_HOPS=1: limits and logs see the client, not the proxy or a forged hop."""
    app = fresh_app(TRUSTED_PROXY_HOPS=1)
    seen = {}

    @app.route("/_address")
    def _address():
        from flask import request

        seen["address"] = request.remote_addr
        return "ok"

    _address.access = "public"
    app.test_client().get("/_address", environ_base={"REMOTE_ADDR": "10.0.0.1"},
                          headers={"X-Forwarded-For": "198.51.100.1, 203.0.113.9"})
    assert seen["address"] == "203.0.113.9"  # the hop the proxy added, not the forged one


def test_one_time_secrets_are_redacted_from_log_lines():
    line = '10.0.0.1 - - "GET /password/s3cr3t-T0ken?x=1 HTTP/1.1" 200 "-" "/register/confirm/abc"'
    assert redact(line) == ('10.0.0.1 - - "GET /password/[…]?x=1 HTTP/1.1" 200 "-" '
                            '"/register/confirm/[…]"')
    assert redact("GET /password/forgot HTTP/1.1") == "GET /password/forgot HTTP/1.1"


def test_the_development_server_log_is_redacted(app, client, caplog):
    record = logging.LogRecord("werkzeug", logging.INFO, __file__, 1, '%s - - [%s] "%s" %s',
                               ("127.0.0.1", "now", "GET /password/rahasia HTTP/1.1", "200"),
                               None)
    for log_filter in logging.getLogger("werkzeug").filters:
        log_filter.filter(record)
    assert "rahasia" not in record.getMessage() and "/password/[…]" in record.getMessage()


@pytest.mark.skipif(shutil.which("gunicorn", path=str(ROOT / ".venv/bin")) is None
                    and not (Path(sys.executable).parent / "gunicorn").exists(),
                    reason="gunicorn is not installed")
def test_gunicorn_access_log_never_shows_a_one_time_link(tmp_path):
    port = free_port()
    log = tmp_path / "access.log"
    env = dict(os.environ, SECRET_KEY="s" * 40, DATABASE_URL=f"sqlite:///{tmp_path / 'x.db'}")
    server = subprocess.Popen(
        [str(Path(sys.executable).parent / "gunicorn"), "--bind", f"127.0.0.1:{port}",
         "--workers", "1", "--access-logfile", str(log), "wsgi:app"],
        cwd=ROOT, env=env, stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL,
        start_new_session=True)
    try:
        for _ in range(100):
            try:
                with socket.create_connection(("127.0.0.1", port), timeout=0.2) as sock:
                    sock.sendall(b"GET /password/rahasia-sekali HTTP/1.0\r\nHost: x\r\n\r\n")
                    sock.recv(100)
                break
            except OSError:
                time.sleep(0.1)
        for _ in range(50):
            if log.exists() and log.read_text():
                break
            time.sleep(0.1)
        text = log.read_text()
        assert "/password/[…]" in text and "rahasia-sekali" not in text
    finally:
        os.killpg(server.pid, signal.SIGTERM)
        server.wait(timeout=10)
