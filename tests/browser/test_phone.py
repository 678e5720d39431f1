"""A learner on a 360 × 740 phone: log in, open the course, read, complete, see progress."""

import re

import pytest

from tests.browser.conftest import PHONE
from tests.factories import PASSWORD

playwright = pytest.importorskip("playwright.sync_api", reason="the playwright package is missing")
expect = playwright.expect
pytestmark = pytest.mark.browser


def log_in(page, base, login):
    page.goto(base + "/login")
    page.get_by_label("Email atau NIP").fill(login)
    page.get_by_label("Kata sandi").fill(PASSWORD)
    page.get_by_role("button", name="Masuk").click()
    expect(page.get_by_role("heading", name="Katalog kursus")).to_be_visible()


def fits_the_screen(page) -> bool:
    return page.evaluate("document.documentElement.scrollWidth <= window.innerWidth")


def test_a_learner_reads_and_completes_a_lesson_on_a_phone(phone, live_server, make):
    make.course()
    make.user(nip="198609262015051001")
    page = phone

    log_in(page, live_server, "19860926 201505 1 001")
    assert fits_the_screen(page)
    page.get_by_role("link", name="Kursus Contoh").click()
    expect(page.get_by_role("heading", name="Kursus Contoh", level=1)).to_be_visible()
    expect(page.locator("#course-progress")).to_contain_text("0% · 0 dari 4 selesai")
    assert fits_the_screen(page)

    page.get_by_role("link", name=re.compile("Mulai belajar: Pembuka")).click()
    expect(page.get_by_role("heading", name="Pembuka", level=1)).to_be_visible()
    expect(page.get_by_role("img", name="Diagram contoh")).to_be_visible()
    assert fits_the_screen(page)

    page.get_by_role("button", name="Selesai & lanjut").click()
    # With htmx too, the lesson is marked done and the reader moves on to the next step.
    expect(page.get_by_role("heading", name="Pelajaran Kedua", level=1)).to_be_visible()
    expect(page.get_by_text("✓ Pembuka selesai.")).to_be_visible()
    expect(page.locator("#course-progress")).to_contain_text("25% · 1 dari 4 selesai")
    assert page.url.endswith("/dasar/kedua")
    page.get_by_role("link", name="Kursus Contoh").first.click()
    expect(page.get_by_role("link", name=re.compile("Lanjutkan: Pelajaran Kedua"))).to_be_visible()
    expect(page.locator(".steps li.is-done")).to_have_count(1)

    page.get_by_role("link", name="Pembelajaran saya").click()
    expect(page.locator(".card")).to_contain_text("25% · 1 dari 4 selesai")

    # Back to the outline from a lesson with an image: no request goes astray on the way
    # (relative image URLs must not be fetched again against the next page's address).
    page.goto(live_server + "/courses/contoh-kursus/dasar/pembuka")
    page.locator("nav.crumbs a").click()
    expect(page.get_by_role("heading", name="Kursus Contoh", level=1)).to_be_visible()
    page.wait_for_load_state("networkidle")
    assert page.js_errors == []


def test_completion_works_as_a_plain_form_without_javascript(browser, live_server, make):
    make.course()
    user = make.user()
    context = browser.new_context(viewport=PHONE, locale="id-ID", java_script_enabled=False)
    page = context.new_page()
    try:
        log_in(page, live_server, user.email)
        page.goto(live_server + "/courses/contoh-kursus/dasar/pembuka")
        page.get_by_role("button", name="Selesai & lanjut").click()
        expect(page.get_by_role("heading", name="Pelajaran Kedua", level=1)).to_be_visible()
        expect(page.locator("#course-progress")).to_contain_text("25% · 1 dari 4 selesai")
    finally:
        context.close()
