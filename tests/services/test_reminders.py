"""Reminders of mandatory courses: `flask reminders send` against a real SMTP server, the weekly
limit, the supervisors' digest within their subtree, opting out, and the notices in the app."""

from datetime import timedelta

import pytest
from sqlalchemy import func, select

from app.extensions import db
from app.models import ReminderSent, Role, User, utcnow
from app.services.dates import Calendar
from app.services.mail import MailSettings
from app.services.reminders import send_reminders
from tests.conftest import free_port

ZONE = "Asia/Jakarta"


def inbox_by_recipient(inbox) -> dict:
    return {rcpt: message for rcpts, message in inbox.messages for rcpt in rcpts}


def body(message) -> str:
    return message.get_payload(decode=True).decode()


@pytest.fixture
def office(app, make):
    """KEMEN → SETJEN → BIRO, and KEMEN → DIT. The course is overdue by 2 days in BIRO and due
    in 3 days in DIT."""
    make.unit("KEMEN", "Kementerian")
    make.unit("SETJEN", "Sekretariat Jenderal", "KEMEN")
    units = {"BIRO": make.unit("BIRO", "Biro Umum", "SETJEN"),
             "DIT": make.unit("DIT", "Direktorat", "KEMEN")}
    course = make.course()
    people = {
        "ani": make.user(name="Ani Lestari", email="ani@instansi.go.id", unit_code="BIRO"),
        "budi": make.user(name="Budi Santoso", email="budi@instansi.go.id", unit_code="BIRO"),
        "cici": make.user(name="Cici Paramida", email="cici@instansi.go.id", unit_code="DIT",
                          locale="en"),
        "dodi": make.user(name="Dodi Firmansyah", email="dodi@instansi.go.id", unit_code="BIRO"),
        "sari": make.user(name="Sari Kepala", email="sari@instansi.go.id", unit_code="SETJEN",
                          roles=Role.SUPERVISOR | Role.LEARNER),
        "dian": make.user(name="Dian Kepala", email="dian@instansi.go.id", unit_code="DIT",
                          roles=Role.SUPERVISOR | Role.LEARNER),
    }
    make.completed(people["budi"], course, *course.lesson_paths)
    today = Calendar.now(ZONE).today
    make.assignment(course, units["BIRO"], today - timedelta(2))
    make.assignment(course, units["DIT"], today + timedelta(3))
    with app.app_context():
        db.session.get(User, people["dodi"].id).remind_by_email = False
        db.session.commit()
    return people, course, today


def test_the_command_emails_due_and_overdue_learners_and_a_digest_to_their_supervisor(
    fresh_app, office, smtp_server
):
    people, course, today = office
    controller, inbox = smtp_server
    app = fresh_app(MAIL_SERVER="127.0.0.1", MAIL_PORT=controller.port,
                    BASE_URL="https://lentera.instansi.go.id")
    result = app.test_cli_runner().invoke(args=["reminders", "send"])
    assert result.exit_code == 0, result.output
    assert "3 email ke peserta (3 kursus), 1 ringkasan ke atasan" in result.output

    mail = inbox_by_recipient(inbox)
    # Budi finished, Dodi opted out; Dian (a supervisor who learns too) has the course due in
    # DIT, where nobody is overdue: a reminder, no digest. Sari gets the one digest.
    assert set(mail) == {"ani@instansi.go.id", "cici@instansi.go.id", "dian@instansi.go.id",
                         "sari@instansi.go.id"}
    ani = body(mail["ani@instansi.go.id"])
    assert "Halo Ani Lestari" in ani and "Kursus Contoh: tenggat" in ani
    assert "sudah lewat 2 hari" in ani
    assert f"https://lentera.instansi.go.id/courses/{course.slug}/" in ani
    assert "https://lentera.instansi.go.id/me/notifications" in ani
    assert mail["ani@instansi.go.id"]["Subject"] == (
        "Pengingat: 1 kursus wajib perlu Anda selesaikan")
    cici = mail["cici@instansi.go.id"]  # chose English
    assert cici["Subject"] == "Reminder: 1 mandatory course is waiting for you"
    assert "in 3 days" in body(cici)

    digest = body(mail["sari@instansi.go.id"])
    assert "Ani Lestari" in digest and "Dodi Firmansyah" in digest  # opted out of reminders only
    assert "Cici" not in digest and "Dian" not in digest  # another subtree
    assert "Budi" not in digest  # finished
    assert "Sari Kepala —" not in digest
    assert mail["sari@instansi.go.id"]["Subject"].startswith("Ringkasan mingguan: 2 pegawai")

    # Every message is dated and has its own Message-ID (RFC 5322; spam filters check both).
    assert all(message["Date"] for _rcpts, message in inbox.messages)
    ids = [message["Message-ID"] for _rcpts, message in inbox.messages]
    assert len(set(ids)) == 4 and all(i and i.endswith(">") for i in ids)

    # Cron runs again the same day: nothing more.
    again = app.test_cli_runner().invoke(args=["reminders", "send"])
    assert again.exit_code == 0 and "0 email ke peserta (0 kursus), 0 ringkasan" in again.output
    assert len(inbox.messages) == 4


def test_at_most_once_a_week_per_course_and_per_digest(session, office, smtp_server):
    people, course, today = office
    controller, inbox = smtp_server
    settings = MailSettings(server="127.0.0.1", port=controller.port)
    urls = dict(course_url=lambda slug: f"/courses/{slug}/", report_url="/reports/",
                preferences_url="/me/notifications")
    now = utcnow()
    first = send_reminders(session, settings, today=today, now=now, **urls)
    assert (first.learner_emails, first.digests) == (3, 1)
    six_days = send_reminders(session, settings, today=today + timedelta(6),
                              now=now + timedelta(days=6, hours=23), **urls)
    # No course reminded twice within the week. By now DIT's due date has passed too, so Dian
    # gets her first digest; Sari's second must wait.
    assert (six_days.learner_emails, six_days.digests) == (0, 1)
    assert inbox.messages[-1][0] == ["dian@instansi.go.id"]
    week = send_reminders(session, settings, today=today + timedelta(7),
                          now=now + timedelta(days=7, minutes=1), **urls)
    assert (week.learner_emails, week.digests) == (3, 1)
    assert sorted(r for rcpts, _m in inbox.messages[-4:] for r in rcpts) == [
        "ani@instansi.go.id", "cici@instansi.go.id", "dian@instansi.go.id", "sari@instansi.go.id"]
    assert session.scalar(select(func.count()).select_from(ReminderSent)) == 9


def test_a_mail_server_that_is_down_records_nothing_and_the_next_run_sends(
    fresh_app, office, smtp_server
):
    controller, inbox = smtp_server
    down = fresh_app(MAIL_SERVER="127.0.0.1", MAIL_PORT=free_port())
    result = down.test_cli_runner().invoke(args=["reminders", "send"])
    assert result.exit_code == 1 and "4 email gagal dikirim" in result.output
    with down.app_context():
        assert db.session.scalar(select(func.count()).select_from(ReminderSent)) == 0
    up = fresh_app(MAIL_SERVER="127.0.0.1", MAIL_PORT=controller.port)
    assert up.test_cli_runner().invoke(args=["reminders", "send"]).exit_code == 0
    assert len(inbox.messages) == 4


def test_without_a_mail_server_the_command_says_so(runner):
    result = runner.invoke(args=["reminders", "send"])
    assert result.exit_code == 1 and "MAIL_SERVER belum diatur" in result.output


def test_notices_show_in_the_app_for_the_people_concerned(office, login):
    people, course, today = office
    ani = login(people["ani"]).client
    for page in ("/me/learning", "/", "/me/notifications"):
        html = ani.get(page).get_data(as_text=True)
        assert "Pengingat kursus wajib" in html and "lewat tenggat 2 hari" in html, page
    cici = login(people["cici"]).client.get("/me/learning").get_data(as_text=True)
    assert "due in 3 days" in cici  # Cici reads English
    budi = login(people["budi"]).client.get("/me/learning").get_data(as_text=True)
    assert "Pengingat kursus wajib" not in budi


def test_each_person_can_turn_the_emails_off_and_on(app, office, login):
    people, course, today = office
    ani = login(people["ani"])
    page = ani.client.get("/me/notifications").get_data(as_text=True)
    assert 'name="reminders"' in page and 'name="digest"' not in page  # not a supervisor
    response = ani.client.post("/me/notifications", data={"csrf_token": ani.csrf()})
    assert response.status_code == 303
    sari = login(people["sari"])
    assert 'name="digest"' in sari.client.get("/me/notifications").get_data(as_text=True)
    sari.client.post("/me/notifications", data={"csrf_token": sari.csrf(), "reminders": "y"})
    with app.app_context():
        assert db.session.get(User, people["ani"].id).remind_by_email is False
        saved = db.session.get(User, people["sari"].id)
        assert (saved.remind_by_email, saved.digest_by_email) == (True, False)
    # Without the CSRF token nothing changes.
    assert ani.client.post("/me/notifications", data={"reminders": "y"}).status_code in (200, 400)
    with app.app_context():
        assert db.session.get(User, people["ani"].id).remind_by_email is False
