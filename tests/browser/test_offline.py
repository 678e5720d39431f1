"""Offline on a phone (issue 11): install, download a course, learn without signal, sync once."""

import contextlib
import re
from datetime import timedelta

import pytest
from sqlalchemy import func, select

from app.extensions import db
from app.models import Enrolment, Lesson, LessonProgress, QuizAttempt
from tests.browser.conftest import PHONE
from tests.browser.test_phone import log_in
from tests.browser.test_quiz_phone import answer, correct_option_texts

playwright = pytest.importorskip("playwright.sync_api", reason="the playwright package is missing")
expect = playwright.expect
pytestmark = pytest.mark.browser

COURSE = "/courses/contoh-kursus"
LESSONS = ("dasar/pembuka", "dasar/kedua", "lanjutan/lanjut")  # the canonical URLs


@pytest.fixture
def untimed_course(course_copy):
    """The test course with its quiz untimed, so it can be answered offline."""
    folder = course_copy()
    quiz = folder / "01-dasar" / "03-kuis.md"
    quiz.write_text("\n".join(line for line in quiz.read_text().splitlines()
                              if not line.startswith("time_limit")))
    return folder


def signed_in_phone(browser, live_server, make, folder):
    make.course(folder)
    user = make.user()
    context = browser.new_context(viewport=PHONE, locale="id-ID", is_mobile=True, has_touch=True)
    page = context.new_page()
    log_in(page, live_server, user.email)
    page.user = user
    return page


@pytest.fixture
def learner_phone(browser, live_server, make):
    page = signed_in_phone(browser, live_server, make, "contoh-kursus")
    yield page
    page.context.close()


@pytest.fixture
def untimed_phone(browser, live_server, make, untimed_course):
    page = signed_in_phone(browser, live_server, make, untimed_course)
    yield page
    page.context.close()


def complete_online(app, user_id: int, path: str) -> None:
    """path as in the lesson's URL (01-dasar/02-kedua); stored without the order numbers."""
    from app.models import Lesson
    from app.services import progress

    stored = re.sub(r"(^|/)\d+-", r"\1", path)
    with app.app_context():
        lesson = db.session.scalar(select(Lesson).where(Lesson.path == stored))
        progress.complete_lesson(db.session, user_id, lesson)
        db.session.commit()


def completions(app, user_id: int) -> int:
    with app.app_context():
        return db.session.scalar(select(func.count()).select_from(LessonProgress).where(
            LessonProgress.user_id == user_id, LessonProgress.completed_at.is_not(None)))


def controlled(page, base):
    """Reload until the service worker controls the page (first visit installs it)."""
    page.evaluate("navigator.serviceWorker.ready")
    page.goto(base + COURSE)
    page.wait_for_function("navigator.serviceWorker.controller !== null")


def download(page, base):
    controlled(page, base)
    button = page.get_by_role("button", name="Unduh untuk dibaca offline")
    expect(button).to_contain_text("KB")
    button.click()
    expect(page.get_by_text("✓ Tersedia offline di ponsel ini.")).to_be_visible(timeout=20000)


def test_chromium_finds_lentera_installable(browser, live_server, make, tmp_path):
    """Installability is judged in a real profile (an incognito context never qualifies)."""
    from tests.browser.conftest import CHROMIUM

    user = make.user()
    make.course()
    context = browser.browser_type.launch_persistent_context(
        str(tmp_path / "profile"), executable_path=str(CHROMIUM), viewport=PHONE,
        locale="id-ID", args=["--no-sandbox", "--disable-gpu", "--no-first-run"])
    try:
        page = context.new_page()
        log_in(page, live_server, user.email)
        controlled(page, live_server)
        cdp = context.new_cdp_session(page)
        errors = cdp.send("Page.getInstallabilityErrors")["installabilityErrors"]
        assert errors == []
        manifest = cdp.send("Page.getAppManifest")
        assert not manifest["errors"] and '"display":"standalone"' in manifest["data"]
        scope = page.evaluate("navigator.serviceWorker.ready.then(r => r.scope)")
        assert scope == live_server + "/"
    finally:
        context.close()


def replay_twice_from_two_tabs(app, page, base) -> None:
    """Put the first two lessons' completions back in the queue twice; two tabs sync each time."""
    other = page.context.new_page()
    other.goto(base + COURSE)
    replay = """items => new Promise(ok => { const r = indexedDB.open('lentera-' +
        document.getElementById('page').dataset.user, 1);
        r.onsuccess = () => { const tx = r.result.transaction('queue', 'readwrite');
        items.forEach(i => tx.objectStore('queue').put(i)); tx.oncomplete = () => ok(); }; })"""
    with app.app_context():
        ids = dict(db.session.execute(select(Lesson.path, Lesson.id)).all())
    items = [{"key": f"replay-{n}", "kind": "complete", "url": f"{COURSE}/{path}/complete",
              "api": f"/api/v1/lessons/{ids[path]}/complete", "title": path,
              "body": {"completed_at": "2020-01-01T00:00:00Z"}, "state": "pending"}
             for n, path in enumerate(LESSONS[:2])]
    for _ in range(2):
        page.evaluate(replay, items)
        for tab in (page, other):  # every page load syncs: both tabs at once
            tab.evaluate("location.reload()")
        for tab in (page, other):
            tab.wait_for_load_state()
            expect(tab.locator("#sync-status")).to_be_hidden(timeout=10000)


def test_download_learn_offline_and_sync_exactly_once(app, live_server, untimed_phone):
    page, base = untimed_phone, live_server
    done_before = LESSONS[2]
    complete_online(app, page.user.id, done_before)
    right = correct_option_texts(app)
    download(page, base)
    page.context.set_offline(True)
    for path in LESSONS:
        page.goto(base + f"{COURSE}/{path}")
        expect(page.locator("h1")).not_to_have_text("Tidak ada sambungan")
    page.goto(base + f"{COURSE}/{LESSONS[0]}")
    expect(page.get_by_role("img", name="Diagram contoh")).to_be_visible()
    for path in LESSONS[:2]:
        page.goto(base + f"{COURSE}/{path}")
        page.get_by_role("button", name="Selesai & lanjut").click()
        expect(page.get_by_text("✓ Selesai · belum tersinkron")).to_be_visible()
    page.reload()
    expect(page.get_by_text("✓ Selesai · belum tersinkron")).to_be_visible()
    expect(page.get_by_text("2 belum tersinkron")).to_be_visible()
    page.screenshot(path="/tmp/i11-offline-lesson.png")

    page.goto(base + f"{COURSE}/dasar/kuis")
    page.get_by_role("button", name="Mulai kuis").click()
    expect(page.get_by_text("Jawaban disimpan di ponsel")).to_be_visible()
    answer(page, right)
    page.get_by_role("button", name="Simpan jawaban").click()
    expect(page.get_by_text("Kuis akan dinilai saat ponsel kembali online.")).to_be_visible()
    page.reload()
    expect(page.get_by_text("Kuis akan dinilai saat ponsel kembali online.")).to_be_visible()
    expect(page.get_by_text("3 belum tersinkron")).to_be_visible()
    assert completions(app, page.user.id) == 1

    page.context.set_offline(False)
    expect(page.locator("#sync-status")).to_be_hidden(timeout=10000)
    assert completions(app, page.user.id) == 4  # 1 before + 2 lessons + the quiz passed
    with app.app_context():
        attempts = db.session.scalars(select(QuizAttempt)).all()
        enrolment = db.session.scalar(select(Enrolment))
        assert [(a.passed, a.submitted_at is not None) for a in attempts] == [(True, True)]
        assert enrolment.jp_credited == enrolment.course.jp and enrolment.completed_at
    with app.app_context():
        on_device = db.session.scalars(select(LessonProgress.completed_on_device_at).where(
            LessonProgress.user_id == page.user.id,
            LessonProgress.completed_at.is_not(None))).all()
    assert len([t for t in on_device if t]) == 3  # the phone's times of the offline ones

    # The same items replayed twice, from two tabs at once: nothing more is counted.
    replay_twice_from_two_tabs(app, page, base)
    assert completions(app, page.user.id) == 4
    with app.app_context():
        assert db.session.scalar(select(func.count()).select_from(QuizAttempt)) == 1


def test_signing_out_removes_the_learners_pages_and_queue(live_server, learner_phone):
    page, base = learner_phone, live_server
    download(page, base)
    assert page.evaluate("caches.keys()").count("lentera-meta") == 1
    page.get_by_role("button", name="Keluar").click()
    expect(page.get_by_role("button", name="Masuk")).to_be_visible()
    left = page.evaluate("caches.keys()")
    assert not [name for name in left if name.startswith("lentera-user-")]
    assert page.evaluate("indexedDB.databases().then(d => d.map(x => x.name))") == []
    page.context.set_offline(True)
    # The service worker was removed too, or answers with its "no connection" page.
    with contextlib.suppress(playwright.Error):
        page.goto(base + f"{COURSE}/{LESSONS[0]}")
    expect(page.get_by_role("heading", name="Pembuka")).to_have_count(0)


def test_a_failed_request_says_so_and_keeps_the_answers(app, live_server, learner_phone):
    """The shared htmx handler, and answers saved before a deadline passed while offline."""
    page, base = learner_phone, live_server
    page.goto(base + f"{COURSE}/dasar/kuis")
    page.get_by_role("button", name="Mulai kuis").click()
    fieldsets = page.locator("fieldset.question")
    expect(fieldsets.first).to_be_visible()
    page.locator("fieldset.question input[type=radio]").first.check()
    page.locator("fieldset.question input[type=text]").fill("dua puluh")
    expect(page.get_by_text("Jawaban tersimpan.")).to_be_visible()

    page.reload()
    expect(page.locator("fieldset.question input[type=text]")).to_have_value("dua puluh")

    page.context.set_offline(True)
    page.locator("fieldset.question input[type=text]").fill("dua puluh satu")
    expect(page.get_by_text("Jawaban tersimpan di ponsel ini")).to_be_visible()
    page.get_by_role("button", name="Kirim jawaban").click()
    expect(page.get_by_role("alert")).to_contain_text("Tidak ada sambungan")
    expect(page.locator("fieldset.question input[type=text]")).to_have_value("dua puluh satu")
    assert page.locator("fieldset.question input[type=radio]").first.is_checked()

    # The deadline passes while the phone is offline; sent later, what was saved counts.
    with app.app_context():
        attempt = db.session.scalar(select(QuizAttempt))
        attempt.deadline_at = attempt.started_at - timedelta(minutes=1)
        db.session.commit()
    page.context.set_offline(False)
    page.get_by_role("button", name="Kirim jawaban").click()
    expect(page.get_by_text("nilai lulus 80")).to_be_visible()
    with app.app_context():
        attempt = db.session.scalar(select(QuizAttempt))
        assert attempt.timed_out and attempt.answers[next(
            q for q in attempt.answers if isinstance(attempt.answers[q], str))] == "dua puluh"


def test_the_sample_course_downloads_on_slow_3g_as_big_as_announced(
    app, browser, live_server, make
):
    """CPU 4× slower and DevTools' Slow 3G; the bytes the server sent for the download are
    within 10 % of the size the course page showed before it started."""
    import re
    from pathlib import Path

    page = signed_in_phone(browser, live_server, make,
                           Path(__file__).parents[2] / "courses" / "literasi-digital-asn")
    sent: dict[str, int] = {}
    inner = app.wsgi_app

    def counting(environ, start_response):
        path = environ["PATH_INFO"]
        body = b"".join(inner(environ, start_response))
        if path.startswith("/courses/literasi-digital-asn/") and path not in sent:
            sent[path] = len(body)
        return [body]

    try:
        page.goto(live_server + "/courses/literasi-digital-asn/")
        page.wait_for_function("navigator.serviceWorker.controller !== null")
        page.reload()
        cdp = page.context.new_cdp_session(page)
        cdp.send("Network.enable")
        cdp.send("Network.emulateNetworkConditions", {
            "offline": False, "latency": 2000, "downloadThroughput": 50_000,
            "uploadThroughput": 50_000})
        cdp.send("Emulation.setCPUThrottlingRate", {"rate": 4})
        button = page.get_by_role("button", name="Unduh untuk dibaca offline")
        announced = int(page.locator("[data-offline-course]").get_attribute("data-bytes"))
        assert re.search(r"\(\d+ KB\)", button.inner_text())
        page.locator("[data-offline-course]").scroll_into_view_if_needed()
        page.screenshot(path="/tmp/i11-course-before.png")
        app.wsgi_app = counting
        sent.clear()
        button.click()
        expect(page.get_by_text("✓ Tersedia offline di ponsel ini.")).to_be_visible(
            timeout=180_000)
        expect(button).to_be_hidden()
        expect(page.get_by_role("button", name="Hapus unduhan")).to_be_visible()
        page.screenshot(path="/tmp/i11-course-download.png")
    finally:
        app.wsgi_app = inner
        page.context.close()
    total = sum(sent.values())
    assert len(sent) > 15  # the package, every lesson and quiz, the images
    assert abs(total - announced) <= 0.10 * total, (announced, total)


def test_selesai_lanjut_online_cut_midway_and_refused_by_the_server(app, live_server,
                                                                    learner_phone):
    """The merged "Selesai & lanjut" (a boosted form carrying data-queue): online it records and
    moves on; with the network cut as it is tapped, the completion is queued, not lost; an item
    the server refuses (course unpublished meanwhile) shows its reason and is not sent again."""
    from app.models import Course

    page, base = learner_phone, live_server
    sent = []
    page.on("request", lambda r: sent.append(r.url) if "/api/v1/lessons/" in r.url else None)
    page.goto(base + f"{COURSE}/{LESSONS[0]}")
    page.get_by_role("button", name="Selesai & lanjut").click()
    expect(page).to_have_url(base + f"{COURSE}/{LESSONS[1]}")
    expect(page.locator("h1")).to_have_text("Pelajaran Kedua")
    assert completions(app, page.user.id) == 1

    page.context.set_offline(True)  # the signal goes while the lesson is open
    page.get_by_role("button", name="Selesai & lanjut").click()
    expect(page.get_by_text("✓ Selesai · belum tersinkron")).to_be_visible()
    expect(page.get_by_text("1 belum tersinkron")).to_be_visible()
    page.screenshot(path="/tmp/r11-cut-midway.png")
    assert completions(app, page.user.id) == 1

    with app.app_context():
        db.session.scalar(select(Course)).published = False
        db.session.commit()
    page.context.set_offline(False)
    refused = page.locator("[data-sync-refused] li")
    expect(refused).to_contain_text("Pelajaran Kedua")
    expect(refused).to_contain_text("kursus atau pelajaran ini tidak lagi terbuka")
    expect(page.get_by_role("button", name="Sinkronkan sekarang")).to_be_hidden()
    expect(page.get_by_text("0 belum tersinkron")).to_be_hidden()  # nothing is waiting
    page.screenshot(path="/tmp/r11-refused.png")
    tries = len(sent)
    assert tries == 1
    page.reload()  # every page load syncs: a refused item is not among what it sends
    expect(refused).to_contain_text("Pelajaran Kedua")
    page.wait_for_timeout(500)
    assert len(sent) == tries and completions(app, page.user.id) == 1
    refused.get_by_role("button").click()
    expect(page.locator("#sync-status")).to_be_hidden()


def test_offline_a_timed_quiz_needs_signal_and_signing_out_waits_for_it(live_server,
                                                                        learner_phone):
    """A timed quiz says plainly it needs a connection. Signing out offline would leave the
    session open on the server for the next person on the phone: it says so and waits."""
    page, base = learner_phone, live_server
    download(page, base)
    page.context.set_offline(True)
    page.goto(base + f"{COURSE}/dasar/kuis")
    page.get_by_role("button", name="Mulai kuis").click()
    expect(page.get_by_role("alert")).to_contain_text("Kuis berwaktu ini perlu sambungan")
    expect(page.get_by_role("alert")).to_be_in_viewport()
    page.get_by_role("button", name="Keluar").click()
    expect(page.get_by_role("alert")).to_contain_text("Keluar perlu sambungan internet")
    expect(page.get_by_role("alert")).to_be_in_viewport()  # seen where "Keluar" was tapped
    page.screenshot(path="/tmp/r11-signout-offline.png")
    assert [n for n in page.evaluate("caches.keys()") if n.startswith("lentera-user-")]
    page.context.set_offline(False)
    page.get_by_role("button", name="Keluar").click()
    expect(page.get_by_role("button", name="Masuk")).to_be_visible()
    page.goto(base + "/my")
    expect(page.get_by_role("button", name="Keluar")).to_have_count(0)
