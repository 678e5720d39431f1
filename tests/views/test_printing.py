"""A printable course: the whole course as one page and as a PDF booklet, questions without
answers; the answer key for the course's trainer and admins only."""

import io
import re

import pdfplumber
import pytest

from app.models import Role
from app.services.printing import MARGIN
from app.services.typesetting import BOLD, CJK, REGULAR, has_glyph

COURSE = "/courses/contoh-kursus/"
TITLES = ["Dasar-dasar", "Pembuka", "Pelajaran Kedua", "Kuis Dasar", "Lanjutan"]
PROMPTS = ["Apa kepanjangan SPBE?", "Pilih semua kata sandi yang kuat.",
           "Berapa JP minimal per tahun?"]
# What only the answer key may show: explanations, accepted short answers, the correct marks.
ANSWERS = ["SPBE diatur dalam Perpres 95/2018", "dua puluh", "☑"]
FONT_OF = {"DejaVuSans": REGULAR, "DejaVuSans-Bold": BOLD, "DroidSansFallback": CJK}


def pdf_pages(data: bytes):
    with pdfplumber.open(io.BytesIO(data)) as pdf:
        return [(page.width, page.chars, page.extract_text() or "", len(page.images))
                for page in pdf.pages]


def in_order(text: str, items: list[str]) -> bool:
    positions = [text.find(item) for item in items]
    return -1 not in positions and positions == sorted(positions)


def test_a_learner_prints_the_whole_course_in_order_without_answers(login, make):
    make.course()
    me = login()
    response = me.client.get(COURSE + "print")
    page = response.get_data(as_text=True)
    assert response.status_code == 200
    assert in_order(page, ["Kursus Contoh", *TITLES])
    assert in_order(page, PROMPTS)
    for answer in ANSWERS:
        assert answer not in page, answer
    assert "print-correct" not in page
    # The lesson's relative image URL now works from this page too.
    src = re.search(r'<img[^>]+src="([^"]+diagram\.png[^"]*)"', page).group(1)
    assert src.startswith("/courses/contoh-kursus/media/diagram.png")
    assert me.client.get(src.replace("&amp;", "&")).status_code == 200
    assert "kunci jawaban" not in page  # no link to what a learner may not open
    outline = me.client.get(COURSE).get_data(as_text=True)
    assert 'href="/courses/contoh-kursus/print"' in outline


def test_the_booklet_has_a_cover_every_lesson_and_image_and_no_answers(login, make):
    make.course()
    response = login().client.get(COURSE + "print.pdf")
    assert response.status_code == 200 and response.mimetype == "application/pdf"
    pages = pdf_pages(response.data)
    cover = pages[0][2]
    assert "Kursus Contoh" in cover and "2 JP" in cover and "Versi 1.0" in cover
    text = "\n".join(p[2] for p in pages[1:])
    assert in_order(text, TITLES) and in_order(text, PROMPTS)
    for answer in ANSWERS:
        assert answer not in text, answer
    assert sum(p[3] for p in pages) >= 1  # the lesson's image
    for width, chars, _text, _images in pages:
        assert all(c["x0"] >= MARGIN - 1 and c["x1"] <= width - MARGIN + 1 for c in chars)


@pytest.mark.parametrize(
    ("who", "status"),
    [("learner", 403), ("supervisor", 403), ("other trainer", 404), ("owner", 200),
     ("admin", 200)],
)
def test_the_answer_key_is_for_the_courses_trainer_and_admins(login_as, make, who, status):
    owner = make.user(email="pelatih@example.go.id", roles=Role.TRAINER)
    make.course()
    me = login_as(who, owner)
    page = me.client.get(COURSE + "print/answer-key")
    pdf = me.client.get(COURSE + "print/answer-key.pdf")
    assert (page.status_code, pdf.status_code) == (status, status)
    if status == 200:
        html = page.get_data(as_text=True)
        text = "\n".join(p[2] for p in pdf_pages(pdf.data))
        for answer in ANSWERS:
            assert answer in html and answer in text, answer
        assert "KUNCI JAWABAN" in text
        assert "kunci jawaban (PDF)" in me.client.get(COURSE + "print").get_data(as_text=True)


def test_a_draft_prints_for_its_trainer_only(login, make):
    owner = make.user(email="pelatih@example.go.id", roles=Role.TRAINER)
    make.course(publish=False)
    assert login().client.get(COURSE + "print").status_code == 404
    assert login().client.get(COURSE + "print.pdf").status_code == 404
    assert login(owner).client.get(COURSE + "print.pdf").status_code == 200


def test_any_script_prints_in_the_booklet(course_copy, login, make):
    folder = course_copy()
    course_md = folder / "course.md"
    course_md.write_text(course_md.read_text().replace(
        "title: Kursus Contoh", "title: Pelatihan Şişli 数字化转型 " + "Kepemimpinan " * 12))
    lesson = folder / "01-dasar" / "01-pembuka.md"
    lesson.write_text(lesson.read_text().replace(
        "Selamat datang.", "Selamat datang, 王小明 dan Şükrü. Lihat https://contoh.go.id/"
        + "sangat-panjang-" * 10 + " dan [situs](https://jdih.go.id/peraturan)."))
    make.course(folder)
    pages = pdf_pages(login().client.get(COURSE + "print.pdf").data)
    text = "\n".join(p[2] for p in pages).replace("\n", "")
    assert "王小明" in text and "Şükrü" in text and "数字化转型" in text
    assert "(https://jdih.go.id/peraturan)" in text  # paper has no links: the address is printed
    for width, chars, _text, _images in pages:
        for char in chars:
            assert char["x0"] >= MARGIN - 1 and char["x1"] <= width - MARGIN + 1, char["text"]
            if not char["text"].isspace():
                font = FONT_OF[char["fontname"].split("+", 1)[-1]]
                assert has_glyph(font, char["text"]), char["text"]


def test_the_booklet_is_built_once_per_version_revalidates_and_follows_a_reimport(
        course_copy, login, make):
    """A class downloading the booklet together shares one build; a browser that has it gets
    304; a re-imported course is never served from the old build."""
    folder = course_copy()
    make.course(folder)
    me = login()
    first = me.client.get(COURSE + "print.pdf")
    assert first.status_code == 200 and first.headers["ETag"]
    assert "private" in first.headers["Cache-Control"]
    again = me.client.get(COURSE + "print.pdf", headers={"If-None-Match": first.headers["ETag"]})
    assert again.status_code == 304
    other = login().client.get(COURSE + "print.pdf")
    assert other.headers["ETag"] == first.headers["ETag"] and other.data == first.data

    course_md = folder / "course.md"
    course_md.write_text(course_md.read_text().replace("title: Kursus Contoh",
                                                       "title: Kursus Contoh Baru"))
    make.course(folder)
    changed = me.client.get(COURSE + "print.pdf", headers={"If-None-Match": first.headers["ETag"]})
    assert changed.status_code == 200 and changed.headers["ETag"] != first.headers["ETag"]
    assert "Kursus Contoh Baru" in pdf_pages(changed.data)[0][2]
