"""A completed course's certificate as PDF, and /verify/<code>, the page its QR code opens.

Both URLs are printed on paper (the QR code, the footer line): they never change.
"""

from flask import current_app
from flask_babel import get_timezone
from flask_babel import gettext as _
from flask_login import current_user

from app.access import PUBLIC, SIGNED_IN, access
from app.certificates import bp
from app.extensions import db
from app.services import certificates
from app.web import external_url, format_jp, render_page


@bp.route("/courses/<slug>/certificate.pdf")
@access(SIGNED_IN)
def download(slug: str):
    """The learner's certificate for a course they completed (even if since unpublished)."""
    # Drawing it needs reportlab: imported here, so starting the app does not load it.
    from app.services.certificate_pdf import render_pdf

    course, enrolment = certificates.completed_enrolment(db.session, slug, current_user.id)
    cert = certificates.issue(db.session, enrolment)
    db.session.commit()
    pdf = render_pdf(
        cert, external_url("certificates.verify", code=cert.code),
        _("%(jp)s JP", jp=format_jp(cert.jp)), current_app.config["INSTITUTION_NAME"],
    )
    response = current_app.response_class(pdf, mimetype="application/pdf")
    response.headers["Content-Disposition"] = (
        f'attachment; filename="sertifikat-{course.slug}.pdf"'
    )
    return response


@bp.route("/verify/<code>")
@access(PUBLIC)
def verify(code: str):
    """Anyone holding a certificate's code can check it: valid, for whom, for what."""
    cert = certificates.by_code(db.session, code[:64])
    return (render_page("certificates/verify.html", cert=cert, tz=get_timezone()),
            200 if cert else 404)
