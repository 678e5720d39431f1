"""Typed models, one module per aggregate. Nothing here imports Flask."""

from app.models.assignment import Assignment
from app.models.audit import AuditEntry
from app.models.base import Base, utcnow
from app.models.course import Course, Lesson, MediaFile, Module, Quiz
from app.models.progress import Enrolment, LessonProgress
from app.models.user import PasswordToken, Role, Unit, User

__all__ = [
    "Assignment", "AuditEntry", "Base", "Course", "Enrolment", "Lesson", "LessonProgress",
    "MediaFile", "Module", "PasswordToken", "Quiz", "Role", "Unit", "User", "utcnow",
]
