"""Certificates print any name and any title: real glyphs, every character inside the margins."""

import io
from datetime import datetime
from decimal import Decimal

import pdfplumber
import pytest

from app.models import Certificate
from app.services.certificate_pdf import MARGIN, render_pdf
from app.services.typesetting import BOLD, CJK, REGULAR, has_glyph

# The PDF's base font names (after the subset prefix) for the fonts of app/fonts.
FONT_OF = {"DejaVuSans": REGULAR, "DejaVuSans-Bold": BOLD, "DroidSansFallback": CJK}

LONG_TITLE = (
    "Pelatihan Teknis Penyusunan Rencana Kerja dan Anggaran Berbasis Kinerja bagi Pejabat "
    "Pengelola Keuangan Daerah pada Satuan Kerja Perangkat Daerah Tahun 2026 Angkatan XII"
)
NAMES = [
    "Şebnem Yılmaz-Çağlayan",
    "王小明",
    "Nguyễn Thị Hương Giang Ḑ",
    "Prof. Dr. Ir. Raden Mas Bambang Hadisoebroto Wicaksonoputro Sastroamidjojo, S.H., M.Sc.",
]
TITLES = [
    LONG_TITLE,
    "数字化转型与电子政务" * 10,
    "https://contoh.go.id/" + "x" * 120,  # one unbroken 141-character token
]


def read(pdf_bytes: bytes):
    with pdfplumber.open(io.BytesIO(pdf_bytes)) as pdf:
        assert len(pdf.pages) == 1
        page = pdf.pages[0]
        return page.width, page.height, page.chars, page.extract_text()


def certificate(name: str, title: str) -> Certificate:
    return Certificate(
        code="Kode-Verifikasi_1234567", learner_name=name, masked_nip="19850312******0001",
        course_title=title, jp=Decimal("4"), completed_at=datetime(2026, 3, 4, 9, 0),
    )


@pytest.mark.parametrize("name", NAMES)
@pytest.mark.parametrize("title", TITLES)
def test_any_name_and_title_print_inside_the_margins_with_real_glyphs(app, name, title):
    with app.test_request_context():
        pdf = render_pdf(certificate(name, title), "http://lentera.test/verify/Kode-Verifikasi_1234567",
                         "4 JP", "Badan Pengembangan Sumber Daya Manusia Provinsi Jawa Barat")
    width, height, chars, text = read(pdf)
    margin = MARGIN - 0.5  # half a point for rounding in the PDF's numbers
    outside = [c["text"] for c in chars if c["x0"] < margin or c["x1"] > width - margin
               or c["top"] < margin or c["bottom"] > height - margin]
    assert not outside, outside
    # No .notdef boxes: every character is drawn in a font that has its glyph.
    for char in chars:
        if char["text"].isspace():
            continue
        font = FONT_OF[char["fontname"].split("+", 1)[-1]]
        assert has_glyph(font, char["text"]), (char["text"], char["fontname"])
    flat = text.replace("\n", "").replace(" ", "")
    assert name.replace(" ", "") in flat
    # A title too long even at the smallest size would end in "…"; these all fit whole.
    assert title.replace(" ", "") in flat
    assert "Badan Pengembangan Sumber Daya Manusia Provinsi Jawa Barat" in text
    assert "Kode-Verifikasi_1234567" in flat


def test_a_title_too_long_for_any_size_is_cut_not_spilled(app):
    with app.test_request_context():
        pdf = render_pdf(certificate("Ani", "Judul sangat panjang " * 60), "http://x/verify/k",
                         "4 JP")
    width, height, chars, text = read(pdf)
    assert all(c["x0"] >= MARGIN - 0.5 and c["x1"] <= width - MARGIN + 0.5 for c in chars)
    assert "…" in text
