"""Write a checked course into the database, keeping progress for unchanged paths."""

from __future__ import annotations

from dataclasses import dataclass

from sqlalchemy import select
from sqlalchemy.orm import Session

from app.models import (
    Course,
    Lesson,
    MediaFile,
    Module,
    Question,
    QuestionOption,
    Quiz,
    User,
    utcnow,
)
from app.services.content.loader import ParsedCourse, RenderedQuestion


@dataclass
class ImportResult:
    course: Course
    created: int
    updated: int
    unchanged: int
    retired: int


def import_course(
    session: Session, parsed: ParsedCourse, source_path: str, *, publish: bool = False
) -> ImportResult:
    """Create or update a course from its parsed folder. The caller commits (or rolls back).

    Lessons and modules are matched by path: a kept path keeps its id, so learners keep
    their progress; a path that disappeared is retired, never deleted.
    """
    course = session.scalar(select(Course).where(Course.slug == parsed.slug))
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

    modules = {
        m.dir_name: m for m in session.scalars(select(Module).where(Module.course_id == course.id))
    }
    for position, pm in enumerate(parsed.modules, start=1):
        module = modules.pop(pm.dir_name, None) or Module(course=course, dir_name=pm.dir_name)
        module.title, module.intro_html = pm.title, pm.intro_html
        module.position, module.retired = position, False
        session.add(module)
    for module in modules.values():
        module.retired = True
    session.flush()
    module_ids = dict(
        session.execute(
            select(Module.dir_name, Module.id).where(Module.course_id == course.id)
        ).all()
    )

    existing = {
        lesson.path: lesson
        for lesson in session.scalars(select(Lesson).where(Lesson.course_id == course.id))
    }
    created = updated = unchanged = 0
    for position, pl in enumerate(parsed.lessons, start=1):
        lesson = existing.pop(pl.path, None)
        if lesson is None:
            lesson = Lesson(course_id=course.id, path=pl.path)
            session.add(lesson)
            created += 1
        elif lesson.content_hash == pl.content_hash and lesson.position == position and (
            not lesson.retired
        ):
            unchanged += 1
        else:
            updated += 1
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
    retired = 0
    for lesson in existing.values():
        retired += not lesson.retired
        lesson.retired = True

    media = {
        m.path: m
        for m in session.scalars(select(MediaFile).where(MediaFile.course_id == course.id))
    }
    for pm in parsed.media:
        item = media.pop(pm.path, None)
        if item is None:
            item = MediaFile(course_id=course.id, path=pm.path)
            session.add(item)
        if item.sha256 != pm.sha256:
            item.content_type, item.data = pm.content_type, pm.data
            item.sha256, item.size = pm.sha256, len(pm.data)
    for item in media.values():
        session.delete(item)
    session.flush()
    return ImportResult(course, created, updated, unchanged, retired)


def _sync_questions(session: Session, quiz: Quiz, parsed: list[RenderedQuestion]) -> None:
    """Keep a question's id while its text is unchanged; retire the ones that disappeared.

    Old attempts keep their own snapshot, so their scores stay readable either way.
    """
    existing = {
        q.content_hash: q
        for q in session.scalars(select(Question).where(Question.quiz_id == quiz.lesson_id))
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
