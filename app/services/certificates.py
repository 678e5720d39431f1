"""Certificates: issued once at completion and verified by their code.

Drawing one as a PDF is apart, in certificate_pdf: progress issues certificates and is imported
by every page and command, which should not load reportlab until a PDF is actually drawn.
"""

from __future__ import annotations

import secrets

from sqlalchemy import select

from app.models import Certificate, Course, Enrolment, User
from app.services.nip import mask_nip
from app.services.types import DbSession


def new_code() -> str:
    """128 random bits as 22 URL-safe characters: unguessable. Raises nothing."""
    return secrets.token_urlsafe(16)


def completed_enrolment(session: DbSession, slug: str, user_id: int) -> tuple[Course, Enrolment]:
    """The course and the learner's completed enrolment in it (even if the course has since
    been unpublished). Raises NotFound when they have not completed it (or no such course)."""
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
    """The certificate of a completed enrolment, created (and flushed) the first time it is
    asked for. Raises nothing for a completed enrolment; the caller checks completion
    (completed_enrolment): one not completed fails the flush with IntegrityError
    (Certificate.completed_at is required)."""
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
    """The certificate with this verification code, or None when there is none. Raises
    nothing."""
    return session.scalar(select(Certificate).where(Certificate.code == code))
