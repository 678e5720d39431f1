"""On paper and on a phone: a lesson prints without navigation, with images and links spelled
out; the printable course and the reminder notices fit a 360 px screen."""

import os
from datetime import timedelta

import pytest

from app.services.dates import Calendar
from tests.browser.test_phone import fits_the_screen, log_in

playwright = pytest.importorskip("playwright.sync_api", reason="the playwright package is missing")
expect = playwright.expect
pytestmark = pytest.mark.browser
# Set LENTERA_SHOTS=/some/dir to keep the screenshots for a look.
SHOTS = os.environ.get("LENTERA_SHOTS")


def shot(page, tmp_path, name: str) -> None:
    page.screenshot(path=str(tmp_path / f"{name}.png"), full_page=True)
    if SHOTS:
        page.screenshot(path=os.path.join(SHOTS, f"{name}.png"), full_page=True)


def test_a_lesson_prints_without_navigation_with_its_image_and_link_addresses(
    phone, live_server, make, course_copy, tmp_path
):
    folder = course_copy()
    lesson = folder / "01-dasar" / "01-pembuka.md"
    lesson.write_text(lesson.read_text().replace(
        "Selamat datang.", "Selamat datang. Baca [peraturannya](https://jdih.go.id/perpres-95)."))
    make.course(folder)
    user = make.user()
    page = phone
    log_in(page, live_server, user.email)
    page.goto(live_server + "/courses/contoh-kursus/dasar/pembuka")
    expect(page.locator("header.top")).to_be_visible()
    page.emulate_media(media="print")
    for hidden in ("header.top", "footer.foot", ".pager", ".crumbs", "#complete"):
        expect(page.locator(hidden)).to_be_hidden()
    expect(page.get_by_role("img", name="Diagram contoh")).to_be_visible()
    after = page.evaluate("""getComputedStyle(
        document.querySelector('a[href="https://jdih.go.id/perpres-95"]'), '::after').content""")
    assert "https://jdih.go.id/perpres-95" in after
    shot(page, tmp_path, "lesson-print")


def test_the_printable_course_and_the_notices_fit_a_phone(phone, live_server, app, make, tmp_path):
    biro = make.unit("BIRO", "Biro Umum")
    course = make.course()
    user = make.user(unit_code="BIRO")
    make.assignment(course, biro, Calendar.now("Asia/Jakarta").today - timedelta(3))
    page = phone
    log_in(page, live_server, user.email)
    expect(page.get_by_role("heading", name="Pengingat kursus wajib")).to_be_visible()
    page.goto(live_server + "/me/notifications")
    expect(page.get_by_text("lewat tenggat 3 hari")).to_be_visible()
    assert fits_the_screen(page)
    shot(page, tmp_path, "notifications")
    page.get_by_label("Kirim email pengingat", exact=False).uncheck()
    page.get_by_role("button", name="Simpan").click()
    expect(page.get_by_text("Pengaturan pemberitahuan disimpan.")).to_be_visible()
    expect(page.get_by_label("Kirim email pengingat", exact=False)).not_to_be_checked()

    page.goto(live_server + "/courses/contoh-kursus/")
    page.get_by_role("link", name="Cetak kursus").click()
    expect(page.get_by_role("heading", name="Kuis Dasar")).to_be_visible()
    assert fits_the_screen(page)
    shot(page, tmp_path, "print-page")
