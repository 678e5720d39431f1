"""On a phone: fail a quiz, retry, pass, complete the course, get and verify the certificate."""

import io
from pathlib import Path

import pytest
from sqlalchemy import select

from app.extensions import db
from app.models import QuestionOption
from tests.browser.conftest import PHONE
from tests.factories import PASSWORD

playwright = pytest.importorskip("playwright.sync_api", reason="the playwright package is missing")
expect = playwright.expect
pytestmark = pytest.mark.browser

LESSONS = ("dasar/pembuka", "dasar/kedua", "lanjutan/lanjut")


def correct_option_texts(app) -> set[str]:
    with app.app_context():
        return {
            html.replace("<code>", "").replace("</code>", "")
            for html in db.session.scalars(
                select(QuestionOption.text_html).where(QuestionOption.correct.is_(True)))
        }


def answer(page, right: set[str] | None):
    """Tick every option (right ones only, or wrong ones only) and type the short answer."""
    for fieldset in page.locator("fieldset.question").all():
        text_box = fieldset.get_by_role("textbox")
        if text_box.count():
            text_box.fill("dua puluh" if right else "sepuluh")
            continue
        for choice in fieldset.locator("label.choice").all():
            is_right = choice.inner_text().strip() in (right or set())
            if (right is not None and is_right) or (right is None and not is_right):
                choice.click()
                if fieldset.get_by_role("radio").count():
                    break


def test_fail_retry_pass_complete_and_verify(app, browser, live_server, make):
    course = make.course()
    user = make.user(name="Budi Santoso", nip="198609262015051001")
    make.completed(user, course, *LESSONS)
    right = correct_option_texts(app)
    context = browser.new_context(viewport=PHONE, locale="id-ID", accept_downloads=True)
    page = context.new_page()
    try:
        page.goto(live_server + "/login")
        page.get_by_label("Email atau NIP").fill(user.email)
        page.get_by_label("Kata sandi").fill(PASSWORD)
        page.get_by_role("button", name="Masuk").click()
        page.goto(live_server + "/courses/contoh-kursus/dasar/kuis")

        page.get_by_role("button", name="Mulai kuis").click()
        expect(page.get_by_text("Pertanyaan 1 dari 3")).to_be_visible()
        expect(page.get_by_role("timer")).to_contain_text("Sisa waktu")
        answer(page, right=None)
        page.get_by_role("button", name="Kirim jawaban").click()
        expect(page.get_by_text("Belum lulus — nilai lulus 80.")).to_be_visible()
        assert page.evaluate("document.documentElement.scrollWidth <= window.innerWidth")

        page.get_by_role("button", name="Coba lagi").click()
        expect(page.get_by_text("Pertanyaan 1 dari 3")).to_be_visible()
        answer(page, right=right)
        page.get_by_role("button", name="Kirim jawaban").click()
        expect(page.get_by_text("Lulus — nilai lulus 80.")).to_be_visible()
        expect(page.get_by_text("Selamat! Anda telah menyelesaikan kursus ini.")).to_be_visible()

        with page.expect_download() as info:
            page.get_by_role("link", name="Unduh sertifikat (PDF)").click()
        from pypdf import PdfReader

        pdf = PdfReader(io.BytesIO(Path(info.value.path()).read_bytes()))
        text = pdf.pages[0].extract_text()
        assert "Budi Santoso" in text and "19860926******1001" in text
        assert "Kursus Contoh" in text and "2 JP" in text
        verify_url = next(word for word in text.split() if "/verify/" in word)

        page.goto(verify_url)
        expect(page.get_by_text("Sertifikat ini sah.")).to_be_visible()
        expect(page.locator("dd").first).to_have_text("Budi Santoso (NIP 19860926******1001)")
        page.goto(live_server + "/me/learning")
        expect(page.locator(".jp")).to_contain_text("2 dari target 20 JP")
    finally:
        context.close()
