"""Certificates: issued once at completion, printed as PDF, verified by their code."""

from __future__ import annotations

import io
import secrets

from flask_babel import format_date
from flask_babel import gettext as _
from reportlab.graphics import renderPDF
from reportlab.graphics.barcode.qr import QrCodeWidget
from reportlab.graphics.shapes import Drawing
from reportlab.lib.enums import TA_LEFT
from reportlab.lib.pagesizes import A4, landscape
from reportlab.lib.units import mm
from reportlab.pdfgen import canvas
from sqlalchemy import select

from app.models import Certificate, Course, Enrolment, User
from app.services.nip import mask_nip
from app.services.types import DbSession
from app.services.typesetting import fitted_paragraph, register_fonts


def new_code() -> str:
    """128 random bits as 22 URL-safe characters: unguessable."""
    return secrets.token_urlsafe(16)


def completed_enrolment(session: DbSession, slug: str, user_id: int) -> tuple[Course, Enrolment]:
    """The course and the learner's completed enrolment in it (even if the course has since
    been unpublished); NotFound when they have not completed it."""
    from app.services.errors import NotFound

    row = session.execute(
        select(Course, Enrolment)
        .join(Enrolment, Enrolment.course_id == Course.id)
        .where(Course.slug == slug, Enrolment.user_id == user_id,
               Enrolment.completed_at.is_not(None))
    ).first()
    if row is None:
        raise NotFound()
    return row[0], row[1]


def issue(session: DbSession, enrolment: Enrolment) -> Certificate:
    """The certificate of a completed enrolment, created the first time it is asked for."""
    existing = session.scalar(select(Certificate).where(
        Certificate.user_id == enrolment.user_id, Certificate.course_id == enrolment.course_id))
    if existing:
        return existing
    user = session.get_one(User, enrolment.user_id)
    course = session.get_one(Course, enrolment.course_id)
    certificate = Certificate(
        code=new_code(), user_id=user.id, course_id=course.id, learner_name=user.name,
        masked_nip=mask_nip(user.nip) or None, course_title=course.title,
        jp=enrolment.jp_credited if enrolment.jp_credited is not None else course.jp,
        completed_at=enrolment.completed_at,
    )
    session.add(certificate)
    session.flush()
    return certificate


def by_code(session: DbSession, code: str) -> Certificate | None:
    """The certificate with this verification code, or None when there is none."""
    return session.scalar(select(Certificate).where(Certificate.code == code))


MARGIN = 25 * mm  # text keeps this far from the paper's edge; the frame is drawn at 12 mm


def render_pdf(certificate: Certificate, verify_url: str, jp_text: str,
               institution: str = "") -> bytes:
    """A one-page landscape A4 certificate with a QR code to its public verification page.

    Any name and title print: fonts cover Latin Extended and CJK (services/typesetting), and
    every text block wraps and shrinks to stay inside its box, `MARGIN` from the edges.
    `institution` (the INSTITUTION_NAME setting) heads the page as the issuer.
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
