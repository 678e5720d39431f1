"""A certificate as a one-page PDF (reportlab). Imported only where one is drawn, so the app and
its commands start without loading reportlab (issuing and verifying: certificates)."""

from __future__ import annotations

import io

from flask_babel import format_date
from flask_babel import gettext as _
from reportlab.graphics import renderPDF
from reportlab.graphics.barcode.qr import QrCodeWidget
from reportlab.graphics.shapes import Drawing
from reportlab.lib.enums import TA_LEFT
from reportlab.lib.pagesizes import A4, landscape
from reportlab.lib.units import mm
from reportlab.pdfgen import canvas

from app.models import Certificate
from app.services.typesetting import fitted_paragraph, register_fonts

MARGIN = 25 * mm  # text keeps this far from the paper's edge; the frame is drawn at 12 mm


def render_pdf(certificate: Certificate, verify_url: str, jp_text: str,
               institution: str = "") -> bytes:
    """A one-page landscape A4 certificate with a QR code to its public verification page.

    Any name and title print: fonts cover Latin Extended and CJK (services/typesetting), and
    every text block wraps and shrinks to stay inside its box, `MARGIN` from the edges.
    `institution` (the INSTITUTION_NAME setting) heads the page as the issuer.
    Returns the PDF's bytes. Raises no domain error (an overlong text is cut, not refused).
    """
    register_fonts()
    buffer = io.BytesIO()
    width, height = landscape(A4)
    pdf = canvas.Canvas(buffer, pagesize=(width, height))
    pdf.setTitle(_("Sertifikat: %(course)s", course=certificate.course_title))
    pdf.setAuthor(institution or "Lentera")
    pdf.setStrokeColorRGB(0.54, 0.29, 0)
    pdf.setLineWidth(3)
    pdf.rect(12 * mm, 12 * mm, width - 24 * mm, height - 24 * mm)
    text_width = width - 2 * MARGIN

    def block(text: str, top: float, box_height: float, size: float, min_size: float,
              bold: bool = False, color: tuple[float, float, float] = (0.1, 0.1, 0.1)) -> float:
        """Draw `text` centred in the box below `top`; return the y where the box ends."""
        paragraph = fitted_paragraph(text, text_width, box_height, size, min_size, bold,
                                     color=color)
        _, used = paragraph.wrap(text_width, box_height)
        paragraph.drawOn(pdf, MARGIN, top - (box_height + used) / 2)
        return top - box_height

    brown = (0.54, 0.29, 0)
    top = height - MARGIN
    if institution:
        top = block(institution, top, 12 * mm, 14, 9, bold=True, color=brown)
    top = block(_("SERTIFIKAT"), top, 15 * mm, 30, 20, bold=True, color=brown)
    top = block(_("diberikan kepada"), top, 8 * mm, 14, 10)
    top = block(certificate.learner_name, top, 20 * mm, 24, 11, bold=True)
    if certificate.masked_nip:
        top = block(f"NIP {certificate.masked_nip}", top, 7 * mm, 13, 10)
    top = block(_("telah menyelesaikan kursus"), top, 8 * mm, 13, 10)
    top = block(certificate.course_title, top, 30 * mm, 18, 9, bold=True)
    completed = format_date(certificate.completed_at, format="long")
    block(_("%(jp)s · selesai pada %(date)s", jp=jp_text, date=completed), top, 8 * mm, 13, 9)

    qr = QrCodeWidget(verify_url)
    x1, y1, x2, y2 = qr.getBounds()
    size = 30 * mm
    drawing = Drawing(size, size, transform=[size / (x2 - x1), 0, 0, size / (y2 - y1), 0, 0])
    drawing.add(qr)
    renderPDF.draw(drawing, pdf, MARGIN - 4 * mm, MARGIN - 6 * mm)
    footer_left = MARGIN + size
    footer_width = width - MARGIN - footer_left
    for line, bottom in (
        (_("Kode verifikasi: %(code)s", code=certificate.code), MARGIN + 12 * mm),
        (_("Periksa keaslian di %(url)s", url=verify_url), MARGIN),
    ):
        paragraph = fitted_paragraph(line, footer_width, 11 * mm, 10, 7, alignment=TA_LEFT)
        paragraph.wrap(footer_width, 11 * mm)
        paragraph.drawOn(pdf, footer_left, bottom)
    pdf.showPage()
    pdf.save()
    return buffer.getvalue()
