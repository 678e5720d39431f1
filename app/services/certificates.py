"""Certificates: issued once at completion, printed as PDF, verified by their code."""

from __future__ import annotations

import io
import secrets

from flask_babel import format_date
from flask_babel import gettext as _
from sqlalchemy import select
from sqlalchemy.orm import Session

from app.models import Certificate, Course, Enrolment, User
from app.services.nip import mask_nip


def new_code() -> str:
    """128 random bits as 22 URL-safe characters: unguessable."""
    return secrets.token_urlsafe(16)


def completed_enrolment(session: Session, slug: str, user_id: int) -> tuple[Course, Enrolment]:
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


def issue(session: Session, enrolment: Enrolment) -> Certificate:
    """The certificate of a completed enrolment, created the first time it is asked for."""
    existing = session.scalar(select(Certificate).where(
        Certificate.user_id == enrolment.user_id, Certificate.course_id == enrolment.course_id))
    if existing:
        return existing
    user = session.get(User, enrolment.user_id)
    course = session.get(Course, enrolment.course_id)
    certificate = Certificate(
        code=new_code(), user_id=user.id, course_id=course.id, learner_name=user.name,
        masked_nip=mask_nip(user.nip) or None, course_title=course.title,
        jp=enrolment.jp_credited if enrolment.jp_credited is not None else course.jp,
        completed_at=enrolment.completed_at,
    )
    session.add(certificate)
    session.flush()
    return certificate


def by_code(session: Session, code: str) -> Certificate | None:
    return session.scalar(select(Certificate).where(Certificate.code == code))


def render_pdf(certificate: Certificate, verify_url: str, jp_text: str) -> bytes:
    """A one-page landscape A4 certificate with a QR code to its public verification page."""
    # reportlab loads here, not at start-up: every process (the CLI too) imports this module.
    from reportlab.graphics import renderPDF
    from reportlab.graphics.barcode.qr import QrCodeWidget
    from reportlab.graphics.shapes import Drawing
    from reportlab.lib.pagesizes import A4, landscape
    from reportlab.lib.units import mm
    from reportlab.pdfgen import canvas

    buffer = io.BytesIO()
    width, height = landscape(A4)
    pdf = canvas.Canvas(buffer, pagesize=(width, height))
    pdf.setTitle(_("Sertifikat: %(course)s", course=certificate.course_title))
    pdf.setAuthor("Lentera")
    pdf.setStrokeColorRGB(0.54, 0.29, 0)
    pdf.setLineWidth(3)
    pdf.rect(12 * mm, 12 * mm, width - 24 * mm, height - 24 * mm)

    center = width / 2
    pdf.setFillColorRGB(0.54, 0.29, 0)
    pdf.setFont("Helvetica-Bold", 30)
    pdf.drawCentredString(center, height - 45 * mm, _("SERTIFIKAT"))
    pdf.setFillColorRGB(0.1, 0.1, 0.1)
    pdf.setFont("Helvetica", 14)
    pdf.drawCentredString(center, height - 60 * mm, _("diberikan kepada"))
    pdf.setFont("Helvetica-Bold", 24)
    pdf.drawCentredString(center, height - 75 * mm, certificate.learner_name)
    pdf.setFont("Helvetica", 13)
    if certificate.masked_nip:
        pdf.drawCentredString(center, height - 84 * mm, f"NIP {certificate.masked_nip}")
    pdf.drawCentredString(center, height - 98 * mm, _("telah menyelesaikan kursus"))
    pdf.setFont("Helvetica-Bold", 18)
    pdf.drawCentredString(center, height - 110 * mm, certificate.course_title)
    pdf.setFont("Helvetica", 13)
    completed = format_date(certificate.completed_at, format="long")
    pdf.drawCentredString(
        center, height - 122 * mm,
        _("%(jp)s · selesai pada %(date)s", jp=jp_text, date=completed),
    )

    qr = QrCodeWidget(verify_url)
    x1, y1, x2, y2 = qr.getBounds()
    size = 32 * mm
    drawing = Drawing(size, size, transform=[size / (x2 - x1), 0, 0, size / (y2 - y1), 0, 0])
    drawing.add(qr)
    renderPDF.draw(drawing, pdf, 22 * mm, 20 * mm)
    pdf.setFont("Helvetica", 10)
    pdf.drawString(60 * mm, 38 * mm, _("Kode verifikasi: %(code)s", code=certificate.code))
    pdf.drawString(60 * mm, 32 * mm, _("Periksa keaslian di %(url)s", url=verify_url))
    pdf.showPage()
    pdf.save()
    return buffer.getvalue()
