"""Lessons keep their identity through real editing: renumbering, moving, renaming (issue 13)."""

from pathlib import Path

from sqlalchemy import select

from app.extensions import db
from app.models import Lesson
from app.services import progress
from app.services.content import check_course, diff_course, import_course, load_course
from tests.factories import make_course, make_user

COURSE_MD = "---\ntitle: Tiga Langkah\nsummary: Uji identitas\njp: 1\n---\nDeskripsi.\n"


def lesson_file(title: str, extra: str = "") -> str:
    return f"---\ntitle: {title}\n{extra}---\nIsi {title}.\n"


def three_lessons(tmp_path: Path) -> Path:
    folder = tmp_path / "tiga-langkah"
    (folder / "01-modul").mkdir(parents=True)
    (folder / "course.md").write_text(COURSE_MD)
    for name in ("01-satu", "02-dua", "03-tiga"):
        (folder / "01-modul" / f"{name}.md").write_text(lesson_file(name[3:].capitalize()))
    return folder


def reimport(session, folder):
    parsed, problems = load_course(folder)
    assert problems == [], [str(p) for p in problems]
    result = import_course(session, parsed, str(folder))
    session.commit()
    return result


def by_path(session, course, path) -> Lesson | None:
    return session.scalar(select(Lesson).where(Lesson.course_id == course.id,
                                               Lesson.path == path))


def test_renumbering_files_to_insert_a_lesson_keeps_everyones_progress(session, tmp_path):
    folder = three_lessons(tmp_path)
    course = make_course(session, folder)
    learner = make_user(session)
    for lesson in session.scalars(select(Lesson).where(Lesson.course_id == course.id)):
        progress.complete_lesson(session, learner.id, lesson)
    session.commit()
    assert progress.course_counts(session, learner.id, course.id) == (3, 3)

    # The trainer inserts 02-baru.md and renumbers the two lessons after it.
    module = folder / "01-modul"
    (module / "03-tiga.md").rename(module / "04-tiga.md")
    (module / "02-dua.md").rename(module / "03-dua.md")
    (module / "02-baru.md").write_text(lesson_file("Baru"))
    result = reimport(session, folder)

    assert (result.created, result.updated, result.unchanged, result.retired) == (1, 0, 3, 0)
    assert progress.course_counts(session, learner.id, course.id) == (3, 4)
    outline = progress.outline(session, course, learner.id)
    assert [(i.lesson.path, i.done) for m in outline for i in m.items] == [
        ("modul/satu", True), ("modul/baru", False), ("modul/dua", True), ("modul/tiga", True)]


def test_an_id_in_the_front_matter_moves_a_lesson_to_another_module(session, tmp_path):
    folder = three_lessons(tmp_path)
    course = make_course(session, folder)
    learner = make_user(session)
    tiga = by_path(session, course, "modul/tiga")
    progress.complete_lesson(session, learner.id, tiga)
    session.commit()

    # "Tiga" moves to a new module under a new file name; its id keeps who finished it.
    (folder / "01-modul" / "03-tiga.md").unlink()
    (folder / "02-lanjutan").mkdir()
    (folder / "02-lanjutan" / "01-penutup.md").write_text(
        lesson_file("Penutup", "id: modul/tiga\n"))
    result = reimport(session, folder)

    moved = by_path(session, course, "modul/tiga")
    assert moved.id == tiga.id and moved.title == "Penutup" and not moved.retired
    assert moved.module.dir_name == "lanjutan"
    assert (result.created, result.updated, result.retired) == (0, 1, 0)
    assert progress.lesson_state(session, learner.id, moved.id).completed_at is not None


def test_two_lessons_with_one_identity_are_an_error_naming_both(tmp_path):
    folder = three_lessons(tmp_path)
    (folder / "01-modul" / "04-satu.md").write_text(lesson_file("Satu lagi"))
    (folder / "01-modul" / "05-lain.md").write_text(
        lesson_file("Lain", "minutes: 2\nid: modul/dua\n"))
    course, errors, _warnings = check_course(folder, display_root="k")
    assert course is None
    assert [str(e) for e in errors] == [
        "k/01-modul/04-satu.md:1: identitas 'modul/satu' sudah dipakai oleh 01-modul/01-satu.md;"
        " ubah nama berkas atau beri 'id:' yang lain",
        "k/01-modul/05-lain.md:4: identitas 'modul/dua' sudah dipakai oleh 01-modul/02-dua.md;"
        " ubah nama berkas atau beri 'id:' yang lain",
    ]


def test_a_badly_formed_id_and_twin_module_names_are_errors(tmp_path):
    folder = three_lessons(tmp_path)
    (folder / "01-modul" / "01-satu.md").write_text(lesson_file("Satu", "id: Satu Saja\n"))
    (folder / "02-modul").mkdir()
    (folder / "02-modul" / "01-x.md").write_text(lesson_file("X"))
    _course, errors, _warnings = check_course(folder, display_root="k")
    messages = [str(e) for e in errors]
    assert messages[0].startswith("k/01-modul/01-satu.md:3: 'id' harus berbentuk modul/pelajaran")
    assert "k/02-modul:1: modul ini dan 01-modul sama-sama bernama 'modul'" in messages[1]


def test_the_preview_diff_and_the_import_result_say_the_same(session, tmp_path):
    """Issue 13's repro: the preview said 1 changed, 2 unchanged, 1 removed, the result
    "0 new, 3 changed, 0 kept, 1 retired", because moving up a place counted as a change."""
    folder = three_lessons(tmp_path)
    (folder / "01-modul" / "04-empat.md").write_text(lesson_file("Empat"))
    course = make_course(session, folder)
    one, two = make_user(session), make_user(session)
    progress.complete_lesson(session, one.id, by_path(session, course, "modul/satu"))
    progress.record_opening(session, two.id, by_path(session, course, "modul/satu"))
    progress.complete_lesson(session, one.id, by_path(session, course, "modul/dua"))
    session.commit()

    (folder / "01-modul" / "01-satu.md").unlink()
    (folder / "01-modul" / "03-tiga.md").write_text(lesson_file("Tiga", "minutes: 4\n"))
    parsed, _ = load_course(folder)
    diff = diff_course(session, course, parsed)
    result = import_course(session, parsed, str(folder))
    session.commit()

    counts = (len(diff.new), len(diff.changed), len(diff.unchanged), len(diff.retired))
    assert counts == (0, 1, 2, 1)
    assert (result.created, result.updated, result.unchanged, result.retired) == counts
    assert [(s.identity, s.learners) for s in diff.at_risk] == [("modul/satu", 2)]


def test_courses_check_lists_what_a_reimport_would_archive_with_learner_counts(
    app, runner, tmp_path
):
    folder = three_lessons(tmp_path)
    with app.app_context():
        course = make_course(db.session, folder)
        learner = make_user(db.session)
        progress.complete_lesson(db.session, learner.id, by_path(db.session, course, "modul/dua"))
        db.session.commit()
    (folder / "01-modul" / "02-dua.md").rename(folder / "01-modul" / "02-kedua.md")
    result = runner.invoke(args=["courses", "check", str(folder)])
    assert result.exit_code == 0, result.output
    assert "tiga-langkah: dibanding versi yang sudah diimpor: 1 baru, 0 diubah, 2 tidak " \
           "berubah, 1 diarsipkan" in result.output
    assert "tiga-langkah: modul/dua (Dua) akan diarsipkan; 1 peserta sudah mengerjakannya. " \
           "Beri berkas barunya 'id: modul/dua' untuk menjaga kemajuan mereka." in result.output


def test_links_written_before_a_renumbering_or_a_move_still_find_their_lesson(tmp_path):
    """Renumbering files must not break every link to them across the course: a link to
    '02-dua.md' finds the lesson now in 03-dua.md (or moved, by its id), with a warning."""
    folder = three_lessons(tmp_path)
    module = folder / "01-modul"
    (module / "01-satu.md").write_text(lesson_file("Satu") + "\n[dua](02-dua.md) "
                                       "[tiga](../01-modul/03-tiga.md#akhir)\n")
    (module / "02-dua.md").rename(module / "03-dua.md")
    (module / "03-tiga.md").unlink()
    (folder / "02-lanjutan").mkdir()
    (folder / "02-lanjutan" / "01-penutup.md").write_text(
        lesson_file("Penutup", "id: modul/tiga\n"))
    (module / "02-baru.md").write_text(lesson_file("Baru") + "\n[hilang](09-hilang.md)\n")

    course, errors, warnings = check_course(folder, display_root="k")
    assert errors == []
    assert [(w.path, w.line, "03-dua.md" in w.message or "01-penutup.md" in w.message)
            for w in warnings if "09-hilang" not in w.message] == [
        ("k/01-modul/01-satu.md", 6, True)] * 2
    assert [str(w) for w in warnings if "09-hilang" in w.message] == [
        "k/01-modul/02-baru.md:6: peringatan: tautan '09-hilang.md' menuju berkas yang tidak ada"]
    (module / "02-baru.md").write_text(lesson_file("Baru"))
    course, errors, warnings = check_course(folder, display_root="k")
    assert errors == []
    satu = next(lesson for lesson in course.lessons if lesson.path == "modul/satu")
    assert 'href="dua"' in satu.body_html and 'href="tiga#akhir"' in satu.body_html
