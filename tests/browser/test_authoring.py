"""A trainer on a phone uploads a course with a mistake, fixes it, previews, publishes;
a learner then finds it in the catalog."""

import re

import pytest

from app.models import Role
from tests.browser.conftest import PHONE
from tests.browser.test_phone import fits_the_screen, log_in
from tests.factories import zip_course

playwright = pytest.importorskip("playwright.sync_api", reason="the playwright package is missing")
expect = playwright.expect
pytestmark = pytest.mark.browser


def choose_zip(page, data: bytes) -> None:
    page.get_by_label("Berkas .zip kursus").set_input_files(
        files=[{"name": "contoh-kursus.zip", "mimeType": "application/zip", "buffer": data}]
    )
    page.get_by_role("button", name="Periksa & unggah").click()


def test_a_trainer_uploads_fixes_previews_and_publishes_a_course(
    phone, browser, live_server, make, course_copy
):
    make.user(email="pelatih@example.go.id", name="Rina Pelatih", roles=Role.TRAINER)
    learner = make.user(name="Budi")
    folder = course_copy()
    lesson = folder / "01-dasar" / "01-pembuka.md"
    good = lesson.read_text()
    lesson.write_text(good.replace("minutes: 3", "minutes: tiga"))
    broken_zip = zip_course(folder)
    lesson.write_text(good)
    fixed_zip = zip_course(folder)
    page = phone

    log_in(page, live_server, "pelatih@example.go.id")
    page.get_by_role("link", name="Area pelatih").click()
    expect(page.get_by_role("heading", name="Area pelatih", level=1)).to_be_visible()
    page.get_by_role("link", name="Unggah kursus (.zip)").click()

    choose_zip(page, broken_zip)
    problems = page.get_by_role("alert")
    expect(problems).to_contain_text("1 kesalahan ditemukan")
    expect(problems).to_contain_text(
        "contoh-kursus/01-dasar/01-pembuka.md:3: 'minutes' harus bilangan bulat lebih dari 0")
    assert fits_the_screen(page)

    choose_zip(page, fixed_zip)
    expect(page.get_by_text("Lolos pemeriksaan: 2 modul, 4 langkah")).to_be_visible()
    assert fits_the_screen(page)

    page.get_by_role("link", name="Pratinjau seperti peserta").click()
    expect(page.get_by_role("heading", name="Kursus Contoh", level=1)).to_be_visible()
    expect(page.get_by_role("note")).to_contain_text("peserta belum melihatnya")
    page.get_by_role("link", name=re.compile("Mulai belajar: Pembuka")).click()
    expect(page.get_by_role("heading", name="Pembuka", level=1)).to_be_visible()
    image = page.get_by_role("img", name="Diagram contoh")
    expect(image).to_be_visible()
    # Lazy and decoded off the main thread: wait for it rather than sample it once.
    expect(image).to_have_js_property("complete", True)
    assert image.evaluate("img => img.naturalWidth > 0")
    assert fits_the_screen(page)
    page.get_by_role("link", name="Kembali ke unggahan").click()

    page.get_by_role("button", name="Terbitkan").click()
    expect(page.get_by_role("status")).to_contain_text("Kursus Contoh diterbitkan")
    expect(page.get_by_text("lewat unggahan web")).to_be_visible()
    assert page.js_errors == []

    context = browser.new_context(viewport=PHONE, locale="id-ID")
    reader = context.new_page()
    try:
        log_in(reader, live_server, learner.email)
        reader.get_by_role("link", name="Kursus Contoh").click()
        expect(reader.get_by_role("heading", name="Kursus Contoh", level=1)).to_be_visible()
        start = reader.get_by_role("link", name=re.compile("Mulai belajar: Pembuka"))
        expect(start).to_be_visible()
        expect(reader.get_by_role("link", name="Area pelatih")).to_have_count(0)
    finally:
        context.close()
