"""Typed models, one module per aggregate. Nothing here imports Flask."""

from app.models.api import ApiToken, IdempotencyKey
from app.models.assignment import Assignment
from app.models.audit import AuditEntry
from app.models.authoring import CourseUpload, CourseVersion
from app.models.base import Base, utcnow
from app.models.certificate import Certificate
from app.models.classroom import Attendance, ClassSession
from app.models.course import Course, Lesson, MediaFile, Module, Quiz
from app.models.ledger import JpClaim, JpEntry
from app.models.progress import Enrolment, LessonProgress
from app.models.quiz import AttemptChoice, AttemptResult, Question, QuestionOption, QuizAttempt
from app.models.reminder import ReminderSent
from app.models.report import ReportRollup
from app.models.user import LoginSession, LoginThrottle, PasswordToken, Role, Unit, User

__all__ = [
    "ApiToken", "IdempotencyKey",
    "Assignment", "AttemptChoice", "AttemptResult", "AuditEntry", "Base", "Certificate", "Course",
    "CourseUpload", "CourseVersion", "Enrolment", "Lesson", "LessonProgress", "LoginSession",
    "LoginThrottle", "MediaFile", "Module", "PasswordToken", "Question", "QuestionOption", "Quiz",
    "QuizAttempt", "ReminderSent", "ReportRollup", "Role", "Unit", "User",
    "utcnow",
    "Attendance", "ClassSession", "JpClaim", "JpEntry",
]
