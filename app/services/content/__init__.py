"""Courses from Markdown folders: check, render, import (PRODUCT §3)."""

from app.services.content.importer import CourseDiff, ImportResult, diff_course, import_course
from app.services.content.loader import ParsedCourse, Problem, check_course, load_course

__all__ = ["CourseDiff", "ImportResult", "ParsedCourse", "Problem", "check_course",
           "diff_course", "import_course", "load_course"]
