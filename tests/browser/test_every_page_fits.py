"""Every page, for every role, in both languages, fits a 360 px phone with data full of long tokens.

The test walks the URL map: every GET route that renders HTML is opened by each role allowed
to open it, in Bahasa Indonesia and in English, and nothing may be wider than the viewport.
A new route whose URL needs a value this walk does not know fails here: add it to VALUES.
"""

import re
import shutil
from datetime import timedelta
from decimal import Decimal

import pytest
from flask import url_for
from sqlalchemy import select

from app.access import PUBLIC
from app.extensions import db
from app.models import Course, Lesson, Role, Unit, User
from app.services import certificates, claims, classroom, progress, quizzes
from app.services.assignments import assign_course
from app.services.authoring import stage_upload
from app.services.grading import correct_answers
from app.services.password_links import issue_link
from app.web import local_calendar
from tests.browser.conftest import PHONE
from tests.factories import DATA, PASSWORD, make_course, make_unit, make_user, zip_course

playwright = pytest.importorskip("playwright.sync_api", reason="the playwright package is missing")
pytestmark = pytest.mark.browser

# Unbroken tokens longer than a phone's line: words, an address, an email, a code.
WORD = "Pengarusutamaanpembangunanberkelanjutannasional"  # 47 characters
URL = "https://lentera.instansi.go.id/panduan/" + "x" * 40
EMAIL = "raden.mas.pengarusutamaanberkelanjutan@kementerian-pendayagunaan.go.id"

# A phone's browser widens its layout viewport to fit a page that overflows, so compare with
# the screen's width, not window.innerWidth.
FIT = """(limit) => {
  if (document.documentElement.scrollWidth <= limit) return [];
  return [...document.querySelectorAll('body *')]
    .filter(el => el.getBoundingClientRect().right > limit + 1)
    .slice(0, 5).map(el => el.tagName.toLowerCase() + '.' + el.className + ': '
                     + (el.textContent || '').trim().slice(0, 40));
}"""


# A one-word label (a button, a badge) squeezed by its neighbours breaks inside the word
# ("Hap-us"): its text then spans more than one line.
BROKEN_WORDS = """() => [...document.querySelectorAll('button, a.btn, .badge')].filter(el => {
  const text = (el.textContent || '').trim();
  if (!text || /\\s/.test(text) || el.getClientRects().length === 0) return false;
  const range = document.createRange();
  range.selectNodeContents(el);
  return new Set([...range.getClientRects()].map(r => Math.round(r.top))).size > 1;
}).slice(0, 5).map(el => el.tagName.toLowerCase() + ': ' + el.textContent.trim())"""


def _seed(session, tmp_path) -> dict:
    """Units, people, a course, progress, attempts, a certificate, an upload: all long-worded."""
    cal = local_calendar()
    root = make_unit(session, "KEMENTERIAN-" + "X" * 20, f"Kementerian {WORD}", None)
    biro = make_unit(session, "BIRO", f"Biro {WORD}", root.code)
    make_unit(session, "BAGIAN", f"Bagian {WORD}", biro.code)
    people = {
        "learner": make_user(session, email=EMAIL, name=f"Raden {WORD}", roles=Role.LEARNER,
                             unit_code=biro.code, nip="198609262015051001"),
        "trainer": make_user(session, email="pelatih@example.go.id", name=f"Pelatih {WORD}",
                             roles=Role.TRAINER),
        "supervisor": make_user(session, email="atasan." + EMAIL, name=f"Atasan {WORD}",
                                roles=Role.SUPERVISOR | Role.LEARNER, unit_code=root.code),
        "admin": make_user(session, email="admin." + EMAIL, name=f"Admin {WORD}",
                           roles=Role.ADMIN),
    }
    finisher = make_user(session, name=f"Siti {WORD}", unit_code=biro.code)
    course = make_course(session)
    course.title, course.summary = f"Kursus {WORD}", f"Ringkasan {WORD} {URL}"
    course.tags, course.level = [WORD, "uji"], WORD  # level is at most 50 characters
    wide = "<table><tr>" + "".join(f"<th>Kolom {i}</th>" for i in range(12)) + "</tr></table>"
    for lesson in session.scalars(select(Lesson).where(Lesson.course_id == course.id)):
        lesson.title = f"{lesson.title} {WORD}"
        lesson.body_html += f"<p>{WORD}{WORD} {URL}</p>{wide}<pre>{WORD * 3}</pre>"
    session.flush()
    # Due within the week, so the reminder notices show too.
    assign_course(session, people["admin"], course.id, root.id, cal.today + timedelta(days=5),
                  today=cal.today)

    lessons = session.scalars(select(Lesson).where(Lesson.course_id == course.id)
                              .order_by(Lesson.id)).all()
    quiz = next(lesson for lesson in lessons if lesson.is_quiz)
    learner, supervisor = people["learner"], people["supervisor"]
    progress.enrol(session, supervisor.id, course.id)
    progress.enrol(session, learner.id, course.id)
    progress.complete_lesson(session, learner.id, lessons[0])
    failed = quizzes.start_attempt(session, learner.id, quiz.quiz)
    quizzes.submit_attempt(session, failed, {})
    open_attempt = quizzes.start_attempt(session, learner.id, quiz.quiz)

    progress.enrol(session, finisher.id, course.id)
    for lesson in lessons:
        if not lesson.is_quiz:
            progress.complete_lesson(session, finisher.id, lesson)
    passing = quizzes.start_attempt(session, finisher.id, quiz.quiz)
    quizzes.submit_attempt(session, passing, correct_answers(quizzes.snapshot_of(passing)))
    progress.complete_course_if_done(session, finisher.id, course.id)
    enrolment = session.scalar(select(progress.Enrolment).where(
        progress.Enrolment.user_id == finisher.id))
    certificate = certificates.issue(session, enrolment)

    folder = tmp_path / "kursus-unggahan"
    shutil.copytree(DATA / "courses" / "contoh-kursus", folder)
    upload = stage_upload(session, people["trainer"], "kursus-unggahan.zip",
                          zip_course(folder)).upload
    secret, _expires = issue_link(session, finisher.id)
    # A face-to-face session with check-in open and long-named attendees, and a claim.
    class_session = classroom.create_session(
        session, people["trainer"], title=f"Sesi {WORD}", held_on=cal.today,
        place=f"Aula {WORD}", jp="3", course_id=course.id)
    classroom.set_checkin(class_session, True)
    classroom.record_attendance(session, class_session, [learner.id, finisher.id],
                                classroom.LIST, people["trainer"].id)
    claim = claims.file_claim(
        session, learner, title=f"Pelatihan {WORD}", organiser=f"Badan {WORD}",
        starts_on=cal.today - timedelta(days=2), ends_on=cal.today, hours="4",
        proof=(DATA / "courses" / "contoh-kursus" / "media" / "diagram.png").read_bytes(),
        today=cal.today)
    session.commit()
    assert Decimal(course.jp) > 0
    module, name = quiz.path.split("/")
    return {
        "people": {who: user.email for who, user in people.items()},
        "values": {
            "slug": [course.slug],
            "module": [module],
            "lesson": [lesson.path.split("/")[1] for lesson in lessons],
            "attempt_id": [failed.id, open_attempt.id],
            "user_id": [learner.id],
            "unit_id": [root.id],
            "upload_id": [upload.id],
            "code": [certificate.code],
            "token": [secret],
            "name": ["diagram.png"],
            "session_id": [class_session.id],
            "claim_id": [claim.id],
        },
        "lesson_paths": [lesson.path for lesson in lessons],
        "slug": course.slug,
    }


def _urls(app, data) -> list[tuple[str, object]]:
    """(url, access rule) for every GET route that renders a page, with its arguments filled."""
    values = data["values"]
    urls = []
    for rule in app.url_map.iter_rules():
        if "GET" not in rule.methods or rule.endpoint == "static" or rule.rule.startswith("/api"):
            continue
        if (re.search(r"\.(csv|xlsx|pdf|json)$", rule.rule) or "media" in rule.rule
                or "format" in rule.arguments or rule.rule.endswith("/proof")):
            continue  # files, not pages
        missing = [arg for arg in rule.arguments if arg not in values]
        assert not missing, f"{rule.rule}: add example values for {missing} to the walk"
        access = getattr(app.view_functions[rule.endpoint], "access", None)
        if {"module", "lesson"} <= rule.arguments:
            combos = [dict(zip(("module", "lesson"), path.split("/"), strict=True))
                      for path in data["lesson_paths"]]
        else:
            combos = [{}]
        for combo in combos:
            for arg in sorted(rule.arguments - combo.keys()):
                combo[arg] = values[arg][0]
            with app.test_request_context():
                urls.append((url_for(rule.endpoint, **combo), access))
                # Every attempt: one graded (the result page), one in progress (the questions).
                for extra in values["attempt_id"][1:] if "attempt_id" in combo else []:
                    urls.append((url_for(rule.endpoint, **{**combo, "attempt_id": extra}),
                                 access))
    return urls


def _allowed(access, roles) -> bool:
    if access == PUBLIC:
        return True
    if roles is None:
        return False
    return access is not None and bool(roles & access)


def test_no_page_scrolls_sideways_at_360_px(app, browser, live_server, tmp_path):
    with app.app_context():
        data = _seed(db.session, tmp_path)
        roles = {who: db.session.scalar(select(User.roles).where(User.email == email))
                 for who, email in data["people"].items()}
        assert db.session.scalar(select(Unit.id).where(Unit.code == "BIRO"))
        assert db.session.scalar(select(Course.id))
    urls = _urls(app, data)
    wide, visited = [], 0
    for who in (None, "learner", "trainer", "supervisor", "admin"):
        for locale in ("id-ID", "en-US"):
            context = browser.new_context(viewport=PHONE, locale=locale, is_mobile=True,
                                          has_touch=True, java_script_enabled=False)
            page = context.new_page()
            if who:
                page.goto(live_server + "/login")
                page.fill("input[name=login]", data["people"][who])
                page.fill("input[name=password]", PASSWORD)
                page.click("form.form button[type=submit]")
            for url, access in urls:
                if not _allowed(access, roles.get(who) if who else None):
                    continue
                try:
                    response = page.goto(live_server + url)
                except playwright.Error as exc:  # a file download, not a page
                    if "Download is starting" not in str(exc):
                        raise AssertionError(f"{url} as {who}: {exc}") from exc
                    continue
                assert response.status < 500, f"{url} as {who}: {response.status}"
                if "text/html" not in response.headers.get("content-type", ""):
                    continue
                visited += 1
                overflow = page.evaluate(FIT, PHONE["width"])
                if overflow:
                    wide.append((who, locale, url, page.evaluate(
                        "document.documentElement.scrollWidth"), overflow))
                broken = page.evaluate(BROKEN_WORDS)
                if broken:
                    wide.append((who, locale, url, "a word broken across lines", broken))
            context.close()
    assert visited > 60
    assert wide == [], "\n".join(map(str, wide))


def _signed_in_phone(browser, live_server, email):
    context = browser.new_context(viewport=PHONE, locale="id-ID", is_mobile=True, has_touch=True)
    page = context.new_page()
    page.goto(live_server + "/login")
    page.fill("input[name=login]", email)
    page.fill("input[name=password]", PASSWORD)
    page.click("form.form button[type=submit]")
    return context, page


@pytest.fixture
def seeded_phone(app, browser, live_server, tmp_path):
    """phone(who) -> (data, page): the seeded organisation, and a phone signed in as one of
    its people ("learner", "supervisor", …); the phone is closed after the test."""
    contexts = []

    def phone(who: str):
        with app.app_context():
            data = _seed(db.session, tmp_path)
        context, page = _signed_in_phone(browser, live_server, data["people"][who])
        contexts.append(context)
        return data, page

    yield phone
    for context in contexts:
        context.close()


def test_report_rows_are_cards_with_each_label_beside_its_value(live_server, seeded_phone):
    _data, page = seeded_phone("supervisor")
    page.goto(live_server + "/reports/rows")
    row = page.locator("table.report tbody tr").first
    status = row.locator("td[data-label=Status]")
    assert status.evaluate("el => getComputedStyle(el, '::before').content") == '"Status"'
    cell, value = status.bounding_box(), status.locator(".status").bounding_box()
    assert cell["x"] >= 0 and cell["x"] + cell["width"] <= PHONE["width"]
    assert value["x"] + value["width"] <= PHONE["width"]
    assert abs(value["y"] - cell["y"]) < 12  # on the label's line, not below it
    assert page.locator("table.report thead").bounding_box()["height"] <= 1


def test_a_wide_lesson_table_scrolls_inside_itself_with_a_visible_cue(live_server, seeded_phone):
    data, page = seeded_phone("learner")
    page.goto(f"{live_server}/courses/{data['slug']}/{data['lesson_paths'][0]}")
    table = page.locator(".prose table").last
    assert table.evaluate("t => t.scrollWidth > t.clientWidth")  # it scrolls…
    style = table.evaluate("t => [getComputedStyle(t).backgroundImage,"
                           " getComputedStyle(t).backgroundAttachment]")
    assert "radial-gradient" in style[0] and "local" in style[1]  # …and shows it can
    assert page.evaluate("document.documentElement.scrollWidth") <= PHONE["width"]


def test_a_password_link_has_a_copy_button_that_copies_it(app, browser, live_server, make):
    admin = make.user(roles=Role.ADMIN)
    person = make.user(name="Ani Lestari")
    context = browser.new_context(viewport=PHONE, locale="id-ID")
    context.grant_permissions(["clipboard-read", "clipboard-write"], origin=live_server)
    page = context.new_page()
    try:
        page.goto(live_server + "/login")
        page.fill("input[name=login]", admin.email)
        page.fill("input[name=password]", PASSWORD)
        page.click("form.form button[type=submit]")
        page.goto(f"{live_server}/admin/users/{person.id}")
        page.get_by_role("button", name=re.compile("tautan", re.I)).first.click()
        link = page.get_by_role("textbox", name="Tautan kata sandi untuk Ani Lestari")
        url = link.input_value()
        assert "/password/" in url
        page.get_by_role("button", name="Salin tautan").click()
        playwright.expect(page.get_by_role("button", name="✓ Tersalin")).to_be_visible()
        assert page.evaluate("navigator.clipboard.readText()") == url
    finally:
        context.close()


def test_a_wrong_filter_shows_its_error_instead_of_keeping_the_old_rows(live_server,
                                                                        seeded_phone):
    _data, page = seeded_phone("supervisor")
    page.goto(live_server + "/reports/rows")
    assert page.locator("table.report tbody tr").count() > 0
    page.get_by_text("Saring").click()
    page.fill("#f-from", "2026-05-01")
    page.fill("#f-to", "2026-04-01")
    page.get_by_role("button", name="Terapkan").click()  # htmx-boosted
    playwright.expect(page.get_by_role("alert")).to_contain_text("Tanggal awal periode")
    assert page.locator("table.report").count() == 0
