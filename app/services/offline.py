"""What a phone needs to read a course without signal: its lessons, quiz questions and media.

The package never carries answer keys: questions and options only, as the quiz page shows them
before grading. Its `version` changes whenever anything in it changes, so a phone can tell
that its download is out of date.
"""

from __future__ import annotations

import hashlib
import json
import re
from collections.abc import Callable
from typing import Any
from urllib.parse import urlsplit

from sqlalchemy import select
from sqlalchemy.orm import selectinload

from app.models import Course, Lesson, MediaFile, Module
from app.services.content.links import absolute_links
from app.services.errors import NotFound
from app.services.types import DbSession

_LINK = re.compile(r'(\s(?:src|href)=")([^"]+)(")')

# A lesson page's shell (header, footer, forms) around the stored HTML, in bytes before
# compression: used to estimate the download size shown before it starts.
PAGE_SHELL_BYTES = 4500
COMPRESSION_RATIO = 0.35  # HTML crosses the wire gzip-compressed: about a third of its size


def course_package(
    session: DbSession, course: Course, lesson_url: Callable[[Lesson], str],
) -> dict[str, Any]:
    """Everything to read `course` offline, as JSON-ready data.

    `lesson_url(lesson)` gives a lesson's absolute URL; media URLs in the HTML are made
    absolute against it. Shape: {slug, title, version, total_bytes, lessons: [{id, path,
    kind, title, minutes, url, html, bytes, quiz?: {time_limit_minutes, pass_mark,
    questions: [{id, kind, points, prompt_html, options: [{id, html}]}]}}], media: [{url,
    bytes, content_type}]}. `total_bytes` estimates what crosses the wire: compressed pages
    plus media as stored (images are already compressed). Raises nothing.
    """
    steps = session.scalars(
        select(Lesson)
        .join(Module, Module.id == Lesson.module_id)
        .where(Lesson.course_id == course.id, Lesson.retired.is_(False),
               Module.retired.is_(False))
        .order_by(Module.position, Lesson.position)
        .options(selectinload(Lesson.quiz))
    ).all()
    media_by_path = {m.path: m for m in session.scalars(
        select(MediaFile).where(MediaFile.course_id == course.id))}
    digest = hashlib.sha256(course.content_hash.encode())
    lessons, media, total = [], {}, 0
    for step in steps:
        url = lesson_url(step)
        html = absolute_links(step.body_html, url)
        item = {"id": step.id, "path": step.path, "kind": step.kind, "title": step.title,
                "minutes": step.minutes, "url": url, "html": html}
        if step.is_quiz:
            item["quiz"] = _questions(session, step)
        page_bytes = int((len(html.encode()) + PAGE_SHELL_BYTES) * COMPRESSION_RATIO)
        item["bytes"] = page_bytes
        total += page_bytes
        digest.update(step.content_hash.encode())
        for target in _LINK.findall(html):
            path = urlsplit(target[1]).path
            name = path.split(f"/courses/{course.slug}/media/", 1)
            if len(name) == 2 and name[1] in media_by_path and target[1] not in media:
                found = media_by_path[name[1]]
                media[target[1]] = {"url": target[1], "bytes": found.size,
                                    "content_type": found.content_type}
                total += found.size
        lessons.append(item)
    # The package itself crosses the wire too (compressed JSON carrying the lessons' HTML).
    total += int(len(json.dumps(lessons).encode()) * COMPRESSION_RATIO)
    return {"slug": course.slug, "title": course.title, "version": digest.hexdigest()[:16],
            "total_bytes": total, "lessons": lessons, "media": list(media.values())}


def _questions(session: DbSession, step: Lesson) -> dict[str, Any]:
    """A timed quiz's questions come only with a started attempt, whose clock runs from then
    (as GET /api/v1/quizzes/{id} and the quiz page): the package lists none of them, so
    nobody reads them at leisure before starting; it cannot be answered offline anyway."""
    from app.services.quizzes import questions_of

    settings = step.quiz
    if settings is None:  # not a quiz step
        raise NotFound()
    return {
        "time_limit_minutes": settings.time_limit_minutes,
        "pass_mark": settings.pass_mark,
        "questions": [] if settings.time_limit_minutes else questions_of(session, settings),
    }
