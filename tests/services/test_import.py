"""Importing courses into the database: atomic, path-keyed, retiring instead of deleting."""

import shutil

import pytest
from sqlalchemy import select
from sqlalchemy.exc import IntegrityError

from app.models import Course, Lesson, LessonProgress, MediaFile, Module
from app.services import progress
from app.services.content import import_course, load_course
from tests.factories import make_course, make_user


def lesson_by_path(session, course, path) -> Lesson:
    return session.scalar(select(Lesson).where(Lesson.course_id == course.id, Lesson.path == path))


def test_import_stores_rendered_html_quiz_settings_and_media(session, course_copy):
    course = make_course(session, course_copy(), publish=False)
    assert not course.published
    first = lesson_by_path(session, course, "dasar/pembuka")
    assert "<div class=\"admonition note\">" in first.body_html
    quiz = lesson_by_path(session, course, "dasar/kuis")
    assert quiz.quiz.pass_mark == 80
    # Two files, and the PNG served at its own width (narrower than 360 px) as a variant.
    assert sorted(session.scalars(select(MediaFile.path))) == [
        "diagram.png", "diagram.png.lentera-32w", "panduan.pdf"]


def test_owner_email_links_the_course_to_its_trainer(session, course_copy):
    trainer = make_user(session, email="pelatih@example.go.id")
    assert make_course(session, course_copy()).owner_id == trainer.id


def test_reimport_keeps_progress_of_unchanged_paths_and_retires_removed_lessons(
    session, course_copy
):
    folder = course_copy()
    course = make_course(session, folder)
    learner = make_user(session)
    kept = lesson_by_path(session, course, "dasar/pembuka")
    removed = lesson_by_path(session, course, "lanjutan/lanjut")
    progress.complete_lesson(session, learner.id, kept)
    progress.complete_lesson(session, learner.id, removed)
    session.commit()

    # The trainer edits the first lesson, deletes module 02 and adds a lesson.
    first = folder / "01-dasar" / "01-pembuka.md"
    first.write_text(first.read_text().replace("Selamat datang", "Selamat pagi"))
    (folder / "01-dasar" / "module.md").write_text("---\ntitle: Dasar\n---\n")
    shutil.rmtree(folder / "02-lanjutan")
    link = "atau [modul lanjutan](../02-lanjutan/01-lanjut.md)"
    first.write_text(first.read_text().replace(link, ""))
    (folder / "01-dasar" / "04-baru.md").write_text("---\ntitle: Baru\n---\nIsi baru.\n")
    parsed, problems = load_course(folder)
    assert problems == []
    result = import_course(session, parsed, str(folder))
    session.commit()

    assert (result.created, result.updated, result.retired) == (1, 1, 1)
    same = lesson_by_path(session, course, "dasar/pembuka")
    assert same.id == kept.id and "Selamat pagi" in same.body_html
    assert progress.lesson_state(session, learner.id, same.id).completed_at is not None
    gone = lesson_by_path(session, course, "lanjutan/lanjut")
    assert gone.retired
    # History stays readable: the retired lesson's progress row is still there.
    assert session.get(LessonProgress, (learner.id, gone.id)).completed_at is not None
    module = session.scalar(select(Module).where(Module.dir_name == "lanjutan"))
    assert module.retired
    # The outline and the counts only show live steps.
    outline = progress.outline(session, course, learner.id)
    assert [i.lesson.path for m in outline for i in m.items] == [
        "dasar/pembuka", "dasar/kedua", "dasar/kuis", "dasar/baru",
    ]
    assert progress.course_counts(session, learner.id, course.id) == (1, 4)


def test_a_restored_lesson_comes_back_with_its_progress(session, course_copy):
    folder = course_copy()
    course = make_course(session, folder)
    learner = make_user(session)
    lesson = lesson_by_path(session, course, "lanjutan/lanjut")
    progress.complete_lesson(session, learner.id, lesson)
    backup = folder.parent / "simpan"
    shutil.move(folder / "02-lanjutan", backup)
    first = folder / "01-dasar" / "01-pembuka.md"
    original = first.read_text()
    first.write_text(original.replace("atau [modul lanjutan](../02-lanjutan/01-lanjut.md)", ""))
    make_course(session, folder)
    shutil.move(backup, folder / "02-lanjutan")
    first.write_text(original)
    make_course(session, folder)
    again = lesson_by_path(session, course, "lanjutan/lanjut")
    assert again.id == lesson.id and not again.retired
    assert progress.lesson_state(session, learner.id, again.id).completed_at is not None


def test_a_failed_import_leaves_the_previous_version_untouched(app, session, course_copy):
    folder = course_copy()
    make_course(session, folder)
    session.commit()
    before = session.scalar(select(Course.content_hash))

    first = folder / "01-dasar" / "01-pembuka.md"
    first.write_text(first.read_text().replace("Selamat datang", "Versi baru"))
    parsed, _ = load_course(folder)
    # A missing title (NOT NULL) makes the database refuse the last lesson, mid-import.
    parsed.lessons[-1].title = None
    with pytest.raises(IntegrityError):
        import_course(session, parsed, str(folder))
    session.rollback()

    assert session.scalar(select(Course.content_hash)) == before
    lesson = session.scalar(select(Lesson).where(Lesson.path == "dasar/pembuka"))
    assert "Selamat datang" in lesson.body_html
