"""GET /courses/{slug}/offline: a course packed for reading without signal (issue 11)."""

from __future__ import annotations

from marshmallow import fields

from app.access import SIGNED_IN, access
from app.api import bp
from app.api.auth import caller, token_required
from app.api.learning import lesson_page_url
from app.api.schemas import ErrorSchema, Strict
from app.extensions import db
from app.services import offline
from app.services.courses import visible_course


class OfflineOption(Strict):
    id = fields.Integer(required=True)
    html = fields.String(required=True)


class OfflineQuestion(Strict):
    id = fields.Integer(required=True)
    kind = fields.String(required=True, metadata={"description": "single, multiple or short"})
    points = fields.Integer(required=True)
    prompt_html = fields.String(required=True)
    options = fields.List(fields.Nested(OfflineOption), required=True)


class OfflineQuiz(Strict):
    time_limit_minutes = fields.Integer(allow_none=True, required=True, metadata={
        "description": "A timed quiz cannot be answered offline."})
    pass_mark = fields.Integer(required=True)
    questions = fields.List(fields.Nested(OfflineQuestion), required=True, metadata={
        "description": "Questions and options only: never the answers or explanations. "
                       "Empty for a timed quiz: its questions come with a started attempt."})


class OfflineLesson(Strict):
    id = fields.Integer(required=True)
    path = fields.String(required=True)
    kind = fields.String(required=True)
    title = fields.String(required=True)
    minutes = fields.Integer(required=True)
    url = fields.String(required=True, metadata={"description": "The lesson's web page."})
    html = fields.String(required=True, metadata={
        "description": "Sanitised HTML; media and lesson links are absolute URLs."})
    bytes = fields.Integer(required=True, metadata={
        "description": "About what its web page transfers (compressed)."})
    quiz = fields.Nested(OfflineQuiz, metadata={"description": "Only on quiz steps."})


class OfflineMedia(Strict):
    url = fields.String(required=True)
    bytes = fields.Integer(required=True)
    content_type = fields.String(required=True)


class OfflineCourse(Strict):
    slug = fields.String(required=True)
    title = fields.String(required=True)
    version = fields.String(required=True, metadata={
        "description": "Changes whenever anything in the package changes: compare it later "
                       "to offer an update."})
    total_bytes = fields.Integer(required=True, metadata={
        "description": "About what downloading everything transfers, this package included."})
    lessons = fields.List(fields.Nested(OfflineLesson), required=True)
    media = fields.List(fields.Nested(OfflineMedia), required=True)


@bp.route("/courses/<slug>/offline")
@access(SIGNED_IN)
@token_required
@bp.response(200, OfflineCourse)
@bp.alt_response(404, schema=ErrorSchema, description="No such course the caller may see.")
def course_offline(slug: str):
    """A course for reading offline

    Every live lesson's sanitised HTML with absolute media URLs, the quizzes' questions
    (never their answers), the media files with their sizes, the total download size and a
    version to compare later.
    """
    course = visible_course(db.session, slug, caller())
    return offline.course_package(db.session, course, lesson_page_url)
