"""Typed models, one module per aggregate. Nothing here imports Flask."""

from app.models.audit import AuditEntry
from app.models.base import Base, utcnow
from app.models.certificate import Certificate
from app.models.course import Course, Lesson, MediaFile, Module, Quiz
from app.models.progress import Enrolment, LessonProgress
from app.models.quiz import AttemptChoice, AttemptResult, Question, QuestionOption, QuizAttempt
from app.models.user import Role, Unit, User

__all__ = [
    "AttemptChoice", "AttemptResult", "AuditEntry", "Base", "Certificate", "Course", "Enrolment",
    "Lesson", "LessonProgress", "MediaFile", "Module", "Question", "QuestionOption", "Quiz",
    "QuizAttempt", "Role", "Unit", "User", "utcnow",
]
