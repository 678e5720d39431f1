"""A printable course: the whole course in order, for the print page (HTML) and the PDF booklet
(services/printing). For classrooms and service counters where not everyone has a phone
(issue 12, point 6). Quiz questions print without their answers; the answer key (correct
options, accepted short answers, explanations) is a separate document for the course's trainers
and admins.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass, field

from sqlalchemy import select
from sqlalchemy.orm import selectinload

from app.models import Course, Lesson, Module, Question
from app.services.content.links import absolute_links
from app.services.types import DbSession


@dataclass
class PrintOption:
    text_html: str
    correct: bool | None  # None unless printing the answer key


@dataclass
class PrintQuestion:
    number: int
    kind: str  # single | multiple | short
    points: int
    prompt_html: str
    options: list[PrintOption]
    accepted: list[str]  # empty unless printing the answer key
    explanation_html: str  # empty unless printing the answer key


@dataclass
class PrintStep:
    lesson: Lesson
    body_html: str  # links and images made absolute (the stored HTML is relative to the lesson)
    questions: list[PrintQuestion] = field(default_factory=list)


@dataclass
class PrintModule:
    module: Module
    steps: list[PrintStep]


@dataclass
class PrintableCourse:
    course: Course
    modules: list[PrintModule]
    with_answers: bool


def printable_course(session: DbSession, course: Course, *, with_answers: bool,
                     lesson_url: Callable[[Lesson], str]) -> PrintableCourse:
    """Every live module, lesson and quiz of the course in order, ready to print.

    `lesson_url(lesson)` is the lesson's path on the site, to resolve its relative links. The
    answers (which options are correct, accepted short answers, explanations) are filled in
    only when `with_answers`: the caller decides who may see them. Raises nothing.
    """
    lessons = session.scalars(
        select(Lesson).where(Lesson.course_id == course.id, Lesson.retired.is_(False))
        .options(selectinload(Lesson.quiz))
        .order_by(Lesson.position)
    ).all()
    quiz_ids = [lesson.id for lesson in lessons if lesson.is_quiz]
    questions: dict[int, list[Question]] = {}
    for question in session.scalars(
        select(Question).where(Question.quiz_id.in_(quiz_ids), Question.retired.is_(False))
        .options(selectinload(Question.options)).order_by(Question.position)
    ):
        questions.setdefault(question.quiz_id, []).append(question)

    by_module: dict[int, list[PrintStep]] = {}
    for lesson in lessons:
        step = PrintStep(lesson, absolute_links(lesson.body_html, lesson_url(lesson)))
        for number, question in enumerate(questions.get(lesson.id, []), 1):
            step.questions.append(PrintQuestion(
                number=number, kind=question.kind, points=question.points,
                prompt_html=question.prompt_html,
                options=[PrintOption(o.text_html, o.correct if with_answers else None)
                         for o in question.options],
                accepted=list(question.accepted) if with_answers else [],
                explanation_html=question.explanation_html if with_answers else "",
            ))
        by_module.setdefault(lesson.module_id, []).append(step)
    modules = [PrintModule(module, by_module[module.id]) for module in course.modules
               if not module.retired and module.id in by_module]
    return PrintableCourse(course, modules, with_answers)
