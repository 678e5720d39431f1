"""Write a checked course into the database, keeping progress for every kept identity.

A lesson is matched by its identity (module and file name without NN- prefixes, or its `id:`),
so renumbering files keeps learners' progress (PRODUCT §3). What an import will change is
computed once, by diff_course, for the preview, `courses check` and the import itself.
"""

from __future__ import annotations

from dataclasses import dataclass, field

from sqlalchemy import func, select, union
from sqlalchemy.orm import selectinload

from app.models import (
    Course,
    Lesson,
    LessonProgress,
    MediaFile,
    Module,
    Question,
    QuestionOption,
    Quiz,
    QuizAttempt,
    User,
    utcnow,
)
from app.services.content.images import encode_variants, variant_path
from app.services.content.loader import ParsedCourse, RenderedQuestion
from app.services.types import DbSession


@dataclass(frozen=True)
class Step:
    """A lesson or quiz as a diff names it."""

    identity: str  # "pengantar/apa-itu-spbe"
    title: str
    kind: str  # lesson | quiz
    learners: int = 0  # with progress or attempts in it (counted for retired steps only)


@dataclass
class CourseDiff:
    """What importing a parsed course changes, by identity: new, changed, unchanged, retired.

    "changed" means its source text changed or it moved to another module; a step that only
    moved up or down (renumbered files) is unchanged.
    """

    new: list[Step] = field(default_factory=list)
    changed: list[Step] = field(default_factory=list)
    unchanged: list[Step] = field(default_factory=list)
    retired: list[Step] = field(default_factory=list)

    @property
    def at_risk(self) -> list[Step]:
        """Retired steps that learners have progress or attempts in."""
        return [step for step in self.retired if step.learners]


def diff_course(session: DbSession, course: Course | None, parsed: ParsedCourse) -> CourseDiff:
    """A CourseDiff: which steps of a parsed course are new, changed, unchanged or would be
    retired against its imported version (None: not imported yet), each retired step with
    its count of learners (PRODUCT §3). One query for the current steps, one for those
    learners. Raises nothing."""
    diff = CourseDiff()
    existing = {}
    if course is not None and course.id is not None:
        rows = session.execute(
            select(Lesson.id, Lesson.path, Lesson.title, Lesson.kind, Lesson.content_hash,
                   Lesson.retired, Module.dir_name)
            .join(Module, Module.id == Lesson.module_id)
            .where(Lesson.course_id == course.id)
            .order_by(Lesson.position)
        ).all()
        existing = {row.path: row for row in rows}
    for pl in parsed.lessons:
        row = existing.get(pl.path)
        step = Step(pl.path, pl.title, pl.kind)
        if row is None or row.retired:
            diff.new.append(step)
        elif row.content_hash != pl.content_hash or row.dir_name != pl.module_dir:
            diff.changed.append(step)
        else:
            diff.unchanged.append(step)
    kept = {pl.path for pl in parsed.lessons}
    leaving = [row for row in existing.values() if not row.retired and row.path not in kept]
    learners = _learners(session, [row.id for row in leaving])
    diff.retired = [Step(row.path, row.title, row.kind, learners.get(row.id, 0))
                    for row in leaving]
    return diff


def _learners(session: DbSession, lesson_ids: list[int]) -> dict[int, int]:
    """How many learners opened, finished or attempted each lesson or quiz: {lesson id: n}."""
    if not lesson_ids:
        return {}
    touched = union(
        select(LessonProgress.lesson_id.label("lesson_id"), LessonProgress.user_id.label("uid"))
        .where(LessonProgress.lesson_id.in_(lesson_ids)),
        select(QuizAttempt.quiz_id.label("lesson_id"), QuizAttempt.user_id.label("uid"))
        .where(QuizAttempt.quiz_id.in_(lesson_ids)),
    ).subquery()
    return dict(session.execute(
        select(touched.c.lesson_id, func.count()).group_by(touched.c.lesson_id)
    ).all())


@dataclass
class ImportResult:
    course: Course
    created: int
    updated: int
    unchanged: int
    retired: int
    diff: CourseDiff


def import_course(
    session: DbSession, parsed: ParsedCourse, source_path: str, *, publish: bool = False
) -> ImportResult:
    """Create or update a course from its parsed folder; returns the ImportResult (the course
    and the counts of diff_course, computed before anything changes). The caller commits (or
    rolls back), so an import is atomic (PRODUCT §3).

    Lessons and modules are matched by identity: a kept identity keeps its id, so learners
    keep their progress; an identity that disappeared is retired, never deleted. Raises
    nothing of its own: `parsed` has passed load_course."""
    course = session.scalar(select(Course).where(Course.slug == parsed.slug))
    diff = diff_course(session, course, parsed)
    course = _sync_course(session, course, parsed, source_path, publish=publish)
    module_ids = _sync_modules(session, course, parsed)
    _sync_lessons(session, course, parsed, module_ids)
    _sync_media(session, course, parsed)
    session.flush()
    return ImportResult(course, len(diff.new), len(diff.changed), len(diff.unchanged),
                        len(diff.retired), diff)


def _sync_course(session: DbSession, course: Course | None, parsed: ParsedCourse,
                 source_path: str, *, publish: bool) -> Course:
    """The course row (new and unpublished when it did not exist) with course.md's fields."""
    if course is None:
        course = Course(slug=parsed.slug, published=False)
        session.add(course)
    course.title = parsed.title
    course.summary = parsed.summary
    course.description_html = parsed.description_html
    course.jp = parsed.jp
    course.language = parsed.language
    course.level = parsed.level
    course.tags = parsed.tags
    course.version = parsed.version
    course.owner_email = parsed.owner_email
    course.completion = parsed.completion
    course.source_path = source_path
    course.content_hash = parsed.content_hash
    course.imported_at = utcnow()
    if parsed.owner_email:
        owner_id = session.scalar(select(User.id).where(User.email == parsed.owner_email))
        course.owner_id = owner_id or course.owner_id
    if publish:
        course.published = True
    session.flush()
    return course


def _sync_modules(session: DbSession, course: Course, parsed: ParsedCourse) -> dict[str, int]:
    """Modules matched by folder name, the missing ones retired; returns {dir_name: id}."""
    modules = {
        m.dir_name: m for m in session.scalars(select(Module).where(Module.course_id == course.id))
    }
    for position, parsed_module in enumerate(parsed.modules, start=1):
        module = (modules.pop(parsed_module.dir_name, None)
                  or Module(course=course, dir_name=parsed_module.dir_name))
        module.title, module.intro_html = parsed_module.title, parsed_module.intro_html
        module.position, module.retired = position, False
        session.add(module)
    for module in modules.values():
        module.retired = True
    session.flush()
    return dict(
        session.execute(
            select(Module.dir_name, Module.id).where(Module.course_id == course.id)
        ).all()
    )


def _sync_lessons(session: DbSession, course: Course, parsed: ParsedCourse,
                  module_ids: dict[str, int]) -> None:
    """Lessons matched by path (so progress stays), their quizzes; the missing ones retired."""
    existing = {
        lesson.path: lesson
        # Each lesson's quiz in one more query, not one per lesson when it is assigned below.
        for lesson in session.scalars(select(Lesson).where(Lesson.course_id == course.id)
                                      .options(selectinload(Lesson.quiz)))
    }
    for position, pl in enumerate(parsed.lessons, start=1):
        lesson = existing.pop(pl.path, None)
        if lesson is None:
            lesson = Lesson(course_id=course.id, path=pl.path)
            session.add(lesson)
        lesson.module_id = module_ids[pl.module_dir]
        lesson.kind, lesson.title, lesson.minutes = pl.kind, pl.title, pl.minutes
        lesson.body_html, lesson.content_hash = pl.body_html, pl.content_hash
        lesson.position, lesson.retired = position, False
        if pl.quiz is None:
            lesson.quiz = None
        else:
            quiz = lesson.quiz or Quiz()
            quiz.pass_mark = pl.quiz.pass_mark
            quiz.max_attempts = pl.quiz.max_attempts
            quiz.shuffle = pl.quiz.shuffle
            quiz.time_limit_minutes = pl.quiz.time_limit_minutes
            quiz.question_count = pl.quiz.question_count
            lesson.quiz = quiz
            session.flush()
            _sync_questions(session, quiz, pl.quiz.questions)
    for lesson in existing.values():
        lesson.retired = True


def _sync_media(session: DbSession, course: Course, parsed: ParsedCourse) -> None:
    """Store each media file, and each raster image's scaled variants (encoded only when the
    image is new or changed: they carry the original's sha256, which fingerprints their URL).
    """
    stored = {
        path: (item_id, sha)
        for item_id, path, sha in session.execute(
            select(MediaFile.id, MediaFile.path, MediaFile.sha256)
            .where(MediaFile.course_id == course.id)
        )
    }

    def put(path: str, content_type: str, data: bytes, sha256: str) -> None:
        item_id, _sha = stored.pop(path, (None, None))
        item = session.get(MediaFile, item_id) if item_id else None
        if item is None:
            item = MediaFile(course_id=course.id, path=path)
            session.add(item)
        item.content_type, item.data, item.sha256, item.size = (
            content_type, data, sha256, len(data))

    for pm in parsed.media:
        wanted = [pm.path]
        if pm.image is not None:
            wanted += [variant_path(pm.path, w) for w in pm.image.widths]
        if all(stored.get(path, (None, None))[1] == pm.sha256 for path in wanted):
            for path in wanted:
                stored.pop(path)
            continue
        put(pm.path, pm.content_type, pm.data, pm.sha256)
        if pm.image is not None:
            for width, content_type, data in encode_variants(pm.data, pm.content_type):
                put(variant_path(pm.path, width), content_type, data, pm.sha256)
    for item_id, _sha in stored.values():
        session.delete(session.get(MediaFile, item_id))


def _sync_questions(session: DbSession, quiz: Quiz, parsed: list[RenderedQuestion]) -> None:
    """Keep a question's id while its text is unchanged; retire the ones that disappeared.

    Old attempts keep their own snapshot, so their scores stay readable either way.
    """
    existing = {
        q.content_hash: q
        for q in session.scalars(select(Question).where(Question.quiz_id == quiz.lesson_id)
                                 .options(selectinload(Question.options)))
    }
    for position, pq in enumerate(parsed, start=1):
        question = existing.pop(pq.content_hash, None)
        if question is None:
            question = Question(
                quiz_id=quiz.lesson_id, content_hash=pq.content_hash, kind=pq.kind,
                points=pq.points, accepted=pq.accepted,
                options=[
                    QuestionOption(position=i, text_html=html, correct=correct)
                    for i, (html, correct) in enumerate(pq.options, start=1)
                ],
            )
            session.add(question)
        # Rendering can change (a media file's fingerprint) while the source stays the same.
        question.prompt_html, question.explanation_html = pq.prompt_html, pq.explanation_html
        for option, (html, _correct) in zip(question.options, pq.options, strict=True):
            option.text_html = html
        question.position, question.retired = position, False
    for question in existing.values():
        question.retired = True
