"""On a 360 px phone: a lesson with a 4 MB photo costs at most 100 KB of image, and a trainer
reads a quiz's answer key (issue 13). Screenshots go to LENTERA_SCREENSHOTS when it is set."""

import os
from pathlib import Path

import pytest

from app.models import Role
from tests.browser.test_phone import fits_the_screen, log_in
from tests.views.test_images import phone_photo

playwright = pytest.importorskip("playwright.sync_api", reason="the playwright package is missing")
expect = playwright.expect
pytestmark = pytest.mark.browser


def screenshot(page, name: str) -> None:
    folder = os.environ.get("LENTERA_SCREENSHOTS")
    if folder:
        page.screenshot(path=str(Path(folder) / name), full_page=True)


def test_a_phone_downloads_at_most_100_kb_for_a_4_mb_photo(phone, live_server, make,
                                                            course_copy):
    folder = course_copy()
    (folder / "media" / "foto.jpg").write_bytes(phone_photo())
    lesson = folder / "01-dasar" / "02-kedua.md"
    lesson.write_text(lesson.read_text().replace(
        "## Bagian {#bagian}", "![Antrean di loket pelayanan](../media/foto.jpg)\n\n"
        "## Bagian {#bagian}"))
    make.course(folder)
    make.user(email="budi@example.go.id")
    page = phone
    photo_bytes = []

    def count(response):
        if "foto.jpg" in response.url:
            photo_bytes.append(len(response.body()))

    page.on("response", count)
    log_in(page, live_server, "budi@example.go.id")
    page.goto(live_server + "/courses/contoh-kursus/dasar/kedua")
    image = page.get_by_role("img", name="Antrean di loket pelayanan")
    image.scroll_into_view_if_needed()
    expect(image).to_have_js_property("complete", True)
    # A 360 px screen at device pixel ratio 2 picks the 720 px variant.
    current = page.evaluate("document.querySelector('img[alt^=Antrean]').currentSrc")
    assert "foto.jpg.lentera-720w?v=" in current
    assert len(photo_bytes) == 1 and photo_bytes[0] <= 100 * 1024
    assert fits_the_screen(page)
    screenshot(page, "lesson-with-photo-360.png")


def test_a_trainer_reads_the_answer_key_on_a_phone(phone, live_server, make):
    make.user(email="pelatih@example.go.id", roles=Role.TRAINER)
    make.course()
    page = phone
    log_in(page, live_server, "pelatih@example.go.id")
    page.goto(live_server + "/authoring/courses/contoh-kursus")
    page.get_by_role("link", name="Kuis Dasar").click()
    expect(page.get_by_role("heading", name="Kuis Dasar", level=1)).to_be_visible()
    expect(page.get_by_text("✓ Benar:").first).to_be_visible()
    expect(page.get_by_text("SPBE diatur dalam Perpres 95/2018.")).to_be_visible()
    assert fits_the_screen(page)
    screenshot(page, "answer-key-360.png")
