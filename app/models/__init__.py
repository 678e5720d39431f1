"""Typed models, one module per aggregate. Nothing here imports Flask."""

from app.models.audit import AuditEntry
from app.models.authoring import CourseUpload, CourseVersion
from app.models.base import Base, utcnow
from app.models.course import Course, Lesson, MediaFile, Module, Quiz
from app.models.progress import Enrolment, LessonProgress
from app.models.user import Role, Unit, User

__all__ = [
    "AuditEntry", "Base", "Course", "CourseUpload", "CourseVersion", "Enrolment", "Lesson",
    "LessonProgress", "MediaFile", "Module", "Quiz", "Role", "Unit", "User", "utcnow",
]
