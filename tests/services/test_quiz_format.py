"""The quiz format of PRODUCT §3, parsed and checked at import."""

from pathlib import Path

import pytest

from app.services.content import load_course

DATA = Path(__file__).parents[1] / "data" / "courses"


@pytest.fixture(autouse=True)
def _ctx(app):
    with app.app_context():
        yield


def quiz_of(folder):
    course, problems = load_course(folder)
    assert problems == [], [str(p) for p in problems]
    return next(lesson for lesson in course.lessons if lesson.kind == "quiz")


def test_single_multiple_and_short_questions_with_points_and_explanations():
    quiz = quiz_of(DATA / "contoh-kursus").quiz
    single, multiple, short = quiz.questions
    assert (single.kind, single.points) == ("single", 1)
    assert [correct for _, correct in single.options] == [False, True, False]
    assert "Sistem Pemerintahan Berbasis Elektronik" in single.options[1][0]
    assert "Perpres 95/2018" in single.explanation_html
    assert (multiple.kind, multiple.points) == ("multiple", 2)
    assert multiple.options[0][0] == "<code>T3mp3h!Kelapa#2025</code>"
    assert "{points" not in multiple.prompt_html
    assert (short.kind, short.accepted) == ("short", ["20", "dua puluh"])
    assert (quiz.pass_mark, quiz.max_attempts, quiz.shuffle, quiz.time_limit_minutes) == (
        80, 3, True, 5)


def test_the_intro_before_the_first_question_is_shown_with_its_links_rewritten():
    lesson = quiz_of(DATA / "contoh-kursus")
    assert "Jawab semua pertanyaan." in lesson.body_html
    assert 'href="pembuka"' in lesson.body_html


def test_short_answers_are_normalised():
    from app.services.content.quiz_format import normalize_answer

    assert normalize_answer("  Dua   PULUH ") == "dua puluh"


QUIZ_HEAD = "---\ntitle: K\ntype: quiz\n---\n"


@pytest.mark.parametrize(
    ("body", "expected"),
    [
        ("## Tanpa pilihan?\n\nHanya teks.\n", ":5: pertanyaan tanpa pilihan"),
        ("## Campur?\n\n- [x] a\n- [ ] b\n= c\n", ":5: pertanyaan mencampur pilihan"),
        ("## Tak ada yang benar?\n\n- [ ] a\n- [ ] b\n",
         ":5: tidak ada pilihan yang ditandai benar"),
        ("## Satu pilihan?\n\n- [x] a\n", ":5: pertanyaan pilihan butuh sedikitnya dua pilihan"),
        ("## Poin? {points=nol}\n\n- [x] a\n- [ ] b\n", ":5: {points=N} harus bilangan bulat"),
        ("## Kosong?\n\n=   \n", ":7: jawaban singkat kosong"),
        ("## Pilihan kosong?\n\n- [x] \n- [ ] b\n", ":7: pilihan jawaban kosong"),
        ("## Pilihan kosong?\n\n- [x] a\n- [ ]    \n", ":8: pilihan jawaban kosong"),
        ("## Sisa?\n\n- [x] a\n- [ ] b\n\nteks liar\n", ":10: teks tak terduga setelah pilihan"),
        ("## \n\n- [x] a\n- [ ] b\n", ":5: pertanyaan tanpa teks"),
        ("Hanya pengantar.\n", ":5: kuis belum punya pertanyaan"),
    ],
)
def test_each_malformed_question_is_reported_at_its_line(course_copy, body, expected):
    folder = course_copy()
    (folder / "01-dasar" / "03-kuis.md").write_text(QUIZ_HEAD + body, encoding="utf-8")
    course, problems = load_course(folder, display_root="k")
    found = [str(p) for p in problems]
    assert course is None
    assert any(p.startswith("k/01-dasar/03-kuis.md" + expected) for p in found), found


def test_all_malformed_questions_are_reported_together(course_copy):
    folder = course_copy()
    (folder / "01-dasar" / "03-kuis.md").write_text(
        QUIZ_HEAD + "## A?\n\nteks\n\n## B?\n\n- [ ] x\n- [ ] y\n\n## C?\n\n= ok\n",
        encoding="utf-8",
    )
    _, problems = load_course(folder, display_root="k")
    assert [str(p) for p in problems] == [
        "k/01-dasar/03-kuis.md:5: pertanyaan tanpa pilihan (- [ ] / - [x]) atau jawaban "
        "singkat (=)",
        "k/01-dasar/03-kuis.md:9: tidak ada pilihan yang ditandai benar ([x])",
    ]


def test_headings_inside_code_blocks_are_not_questions(course_copy):
    folder = course_copy()
    (folder / "01-dasar" / "03-kuis.md").write_text(
        QUIZ_HEAD + "## Apa keluaran kode ini?\n\n```\n## bukan pertanyaan\n- [x] bukan opsi\n"
        "```\n\n- [x] satu\n- [ ] dua\n",
        encoding="utf-8",
    )
    quiz = quiz_of(folder).quiz
    assert len(quiz.questions) == 1
    assert "## bukan pertanyaan" in quiz.questions[0].prompt_html
    assert len(quiz.questions[0].options) == 2
