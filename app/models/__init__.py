"""Typed models, one module per aggregate. Nothing here imports Flask."""

from app.models.api import ApiToken, IdempotencyKey
from app.models.assignment import Assignment
from app.models.audit import AuditEntry
from app.models.authoring import CourseUpload, CourseVersion
from app.models.base import Base, utcnow
from app.models.certificate import Certificate
from app.models.course import Course, Lesson, MediaFile, Module, Quiz
from app.models.progress import Enrolment, LessonProgress
from app.models.quiz import AttemptChoice, AttemptResult, Question, QuestionOption, QuizAttempt
from app.models.report import ReportRollup
from app.models.user import PasswordToken, Role, Unit, User

__all__ = [
    "ApiToken", "IdempotencyKey",
    "Assignment", "AttemptChoice", "AttemptResult", "AuditEntry", "Base", "Certificate", "Course",
    "CourseUpload", "CourseVersion", "Enrolment", "Lesson", "LessonProgress", "MediaFile", "Module",
    "PasswordToken", "Question", "QuestionOption", "Quiz", "QuizAttempt", "ReportRollup", "Role",
    "Unit", "User",
    "utcnow",
]
