"""Marshmallow schemas of the API: what it accepts and answers, and so its OpenAPI document."""

import marshmallow as ma
from marshmallow import fields, validate


class Strict(ma.Schema):
    """Unknown fields are an error (422), not silently dropped."""

    class Meta:
        ordered = True
        unknown = ma.RAISE


class ErrorBody(Strict):
    code = fields.String(required=True, metadata={"example": "not_found"})
    message = fields.String(required=True)
    fields_ = fields.Dict(data_key="fields", metadata={
        "description": "For 422: which request fields were refused and why."})


class ErrorSchema(Strict):
    error = fields.Nested(ErrorBody, required=True)


def paged(item_schema, name: str):
    """A page of items: the items, page, per_page and the total count."""
    return type(name, (Strict,), {
        "items": fields.List(fields.Nested(item_schema), required=True),
        "page": fields.Integer(required=True),
        "per_page": fields.Integer(required=True),
        "total": fields.Integer(required=True),
    })


class PageArgs(Strict):
    page = fields.Integer(load_default=1, validate=validate.Range(1, 100_000))
    per_page = fields.Integer(load_default=50, validate=validate.Range(1, 200))


# --- tokens


class TokenRequest(Strict):
    login = fields.String(required=True, validate=validate.Length(1, 254),
                          metadata={"description": "Email address or NIP."})
    password = fields.String(required=True, validate=validate.Length(1, 1024))
    label = fields.String(validate=validate.Length(max=100), metadata={
        "description": "Optional name of the device or system, shown on the account page."})


class TokenReply(Strict):
    token = fields.String(required=True)
    expires_at = fields.DateTime(required=True)


# --- courses and lessons


class CourseCard(Strict):
    slug = fields.String(required=True)
    title = fields.String(required=True)
    summary = fields.String(required=True)
    jp = fields.Float(required=True)
    lesson_count = fields.Integer(required=True)
    percent = fields.Integer(required=True, metadata={"description": "Caller's percent done."})
    enrolled = fields.Boolean(required=True)
    due_on = fields.Date(allow_none=True, required=True)


CoursePage = paged(CourseCard, "CoursePage")


class OutlineItem(Strict):
    id = fields.Integer(required=True)
    kind = fields.String(required=True, validate=validate.OneOf(["lesson", "quiz"]))
    title = fields.String(required=True)
    minutes = fields.Integer(required=True)
    status = fields.String(required=True,
                           validate=validate.OneOf(["not_started", "opened", "done"]))


class OutlineModule(Strict):
    title = fields.String(required=True)
    items = fields.List(fields.Nested(OutlineItem), required=True)


class CourseOutline(Strict):
    slug = fields.String(required=True)
    title = fields.String(required=True)
    summary = fields.String(required=True)
    jp = fields.Float(required=True)
    version = fields.String(allow_none=True, required=True)
    published = fields.Boolean(required=True)
    enrolled = fields.Boolean(required=True)
    completed_at = fields.DateTime(allow_none=True, required=True)
    percent = fields.Integer(required=True)
    modules = fields.List(fields.Nested(OutlineModule), required=True)


class Enrolled(Strict):
    slug = fields.String(required=True)
    enrolled_at = fields.DateTime(required=True)
    completed_at = fields.DateTime(allow_none=True, required=True)


class LessonDetail(Strict):
    id = fields.Integer(required=True)
    course = fields.String(required=True, metadata={"description": "The course's slug."})
    kind = fields.String(required=True, validate=validate.OneOf(["lesson", "quiz"]))
    title = fields.String(required=True)
    minutes = fields.Integer(required=True)
    html = fields.String(required=True, metadata={
        "description": "Sanitised HTML; media and lesson links are absolute URLs."})
    url = fields.String(required=True, metadata={"description": "The lesson's web page."})
    previous_id = fields.Integer(allow_none=True, required=True)
    next_id = fields.Integer(allow_none=True, required=True)
    done = fields.Boolean(required=True)


class Completion(Strict):
    lesson_id = fields.Integer(required=True)
    done = fields.Integer(required=True, metadata={"description": "Steps done in the course."})
    total = fields.Integer(required=True)
    course_completed_at = fields.DateTime(allow_none=True, required=True)
    next_id = fields.Integer(allow_none=True, required=True)


class ProgressLine(Strict):
    slug = fields.String(required=True)
    title = fields.String(required=True)
    percent = fields.Integer(required=True)
    status = fields.String(required=True, validate=validate.OneOf(
        ["not_started", "in_progress", "completed", "overdue"]))
    completed_at = fields.DateTime(allow_none=True, required=True)
    due_on = fields.Date(allow_none=True, required=True)


class MyProgress(Strict):
    courses = fields.List(fields.Nested(ProgressLine), required=True)
    year = fields.Integer(required=True)
    jp_this_year = fields.Float(required=True)
    jp_target = fields.Integer(required=True)


# --- quizzes


class OptionOut(Strict):
    id = fields.Integer(required=True)
    html = fields.String(required=True)


class QuestionOut(Strict):
    id = fields.Integer(required=True)
    kind = fields.String(required=True, validate=validate.OneOf(["single", "multiple", "short"]))
    points = fields.Integer(required=True)
    prompt_html = fields.String(required=True)
    options = fields.List(fields.Nested(OptionOut), required=True)


class QuizDetail(Strict):
    id = fields.Integer(required=True)
    course = fields.String(required=True)
    title = fields.String(required=True)
    pass_mark = fields.Integer(required=True, metadata={"description": "Percent."})
    time_limit_minutes = fields.Integer(allow_none=True, required=True)
    max_attempts = fields.Integer(allow_none=True, required=True)
    attempts_used = fields.Integer(required=True)
    attempts_left = fields.Integer(allow_none=True, required=True,
                                   metadata={"description": "null: unlimited."})
    passed = fields.Boolean(required=True)
    best_score = fields.Float(allow_none=True, required=True)
    open_attempt_id = fields.Integer(allow_none=True, required=True)
    questions = fields.List(fields.Nested(QuestionOut), required=True)


class AnswerValue(fields.Field):
    """A list of option ids, or the text of a short answer."""

    def _deserialize(self, value, attr, data, **kwargs):
        if isinstance(value, str):
            if len(value) > 500:
                raise ma.ValidationError("at most 500 characters")
            return value
        if isinstance(value, list) and len(value) <= 50 and all(
            isinstance(v, int) and not isinstance(v, bool) for v in value
        ):
            return [str(v) for v in value]
        raise ma.ValidationError("a list of option ids or a text")


def _at_most(n: int):
    def check(value: dict) -> None:
        if len(value) > n:
            raise ma.ValidationError(f"at most {n} answers")

    return check


class AnswersIn(Strict):
    answers = fields.Dict(
        keys=fields.String(),
        values=AnswerValue(metadata={"oneOf": [
            {"type": "array", "items": {"type": "integer"}, "maxItems": 50},
            {"type": "string", "maxLength": 500},
        ]}),
        required=True, validate=_at_most(200),
        metadata={"maxProperties": 200, "description":
                  "question_id → [option ids] or the short answer's text; keys that are not "
                  "questions of the attempt are ignored."},
    )


class QuestionResult(Strict):
    id = fields.Integer(required=True)
    correct = fields.Boolean(required=True)
    points = fields.Integer(required=True)
    explanation_html = fields.String(required=True)


class AttemptResult(Strict):
    attempt_id = fields.Integer(required=True)
    number = fields.Integer(required=True)
    score = fields.Float(required=True)
    passed = fields.Boolean(required=True)
    timed_out = fields.Boolean(required=True)
    submitted_at = fields.DateTime(required=True)
    attempts_left = fields.Integer(allow_none=True, required=True)
    questions = fields.List(fields.Nested(QuestionResult), required=True)


class AttemptStarted(Strict):
    attempt_id = fields.Integer(required=True)
    number = fields.Integer(required=True)
    started_at = fields.DateTime(required=True)
    deadline_at = fields.DateTime(allow_none=True, required=True, metadata={
        "description": "Answers after this moment (plus 30 s of grace) score nothing."})
    questions = fields.List(fields.Nested(QuestionOut), required=True, metadata={
        "description": "In this attempt's order (shuffled when the quiz says so)."})


# --- reports


class ReportArgs(PageArgs):
    unit = fields.Integer(validate=validate.Range(1, 999_999_999))
    course = fields.Integer(validate=validate.Range(1, 999_999_999))
    status = fields.String(validate=validate.OneOf(
        ["not_started", "in_progress", "completed", "overdue"]))
    from_ = fields.Date(data_key="from", metadata={"description": "Completed on or after."})
    to = fields.Date(metadata={"description": "Completed on or before."})


class ReportRow(Strict):
    user_id = fields.Integer(required=True)
    name = fields.String(required=True)
    nip = fields.String(allow_none=True, required=True, metadata={"description": "Masked."})
    unit = fields.String(required=True)
    course = fields.String(required=True)
    course_jp = fields.Float(required=True)
    status = fields.String(required=True, validate=validate.OneOf(
        ["not_started", "in_progress", "completed", "overdue"]))
    enrolled_at = fields.DateTime(allow_none=True, required=True)
    completed_at = fields.DateTime(allow_none=True, required=True)
    due_on = fields.Date(allow_none=True, required=True)
    jp_this_year = fields.Float(required=True)


ReportPage = paged(ReportRow, "ReportPage")
