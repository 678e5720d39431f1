"""Courses from Markdown folders: check, render, import (PRODUCT §3)."""

from app.services.content.importer import ImportResult, import_course
from app.services.content.loader import ParsedCourse, Problem, load_course

__all__ = ["ImportResult", "ParsedCourse", "Problem", "import_course", "load_course"]
