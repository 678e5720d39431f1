"""Moodle question banks: every GIFT construct and Aiken, converted into quizzes that pass."""

import shutil

import pytest

from app.services.content import check_course
from app.services.content.moodle import convert_bank, quiz_markdown
from app.services.content.quiz_format import answer_matches, normalize_answer
from tests.conftest import DATA

BANKS = DATA / "banks"


@pytest.fixture
def gift(app):
    with app.test_request_context():
        yield convert_bank((BANKS / "bank.gift").read_text("utf-8"), "bank")


def questions(conversion):
    return {q.line: q for quiz in conversion.quizzes for q in quiz.questions}


def test_gift_categories_become_quizzes_with_every_convertible_question(gift):
    assert [(quiz.title, len(quiz.questions)) for quiz in gift.quizzes] == [
        ("Dasar", 6), ("Angka", 4)]
    q = questions(gift)
    # Single choice, its title kept, general and per-answer feedback as the explanation.
    assert q[4].title == "Q1 SPBE" and q[4].kind == "single"
    assert q[4].options[0] == ("Sistem Pemerintahan Berbasis Elektronik", True)
    assert q[4].explanation.startswith("SPBE diatur dalam Perpres Nomor 95 Tahun 2018.")
    assert "Bukan pelayanan." in q[4].explanation
    # Weighted multiple choice: positive weights are the right set; \# is a literal '#'.
    assert q[11].kind == "multiple"
    assert q[11].options == [("T3mp3h!Kelapa#2025", True), ("kuda-baterai-staples-benar", True),
                             ("123456", False), ("password", False)]
    # True/false, with the feedback for a right answer as the explanation.
    assert q[19].options == [("Benar", True), ("Salah", False)]
    assert q[19].explanation == "Ya, 18 digit."
    assert q[21].options == [("Benar", False), ("Salah", True)]
    assert q[23].kind == "short" and q[23].accepted == ["20", "dua puluh", "duapuluh"]
    # A missing word: the text after the answers stays, the blank shown as ___.
    assert q[25].text == "Ibu kota Indonesia adalah ___ sejak 1945."
    # Numeric: tolerance, range, several answers.
    assert q[29].accepted == ["3,14 ± 0,01"]
    assert q[31].accepted == ["3 ± 2"]
    assert q[33].accepted == ["3,5", "3 ± 0,5"]
    # Escapes.
    assert q[38].text == "Tanda = ~ # { } dan titik dua : tetap utuh?"
    assert q[38].options[0] == ("Ya: semuanya {utuh}", True)


def test_gift_says_what_changed_and_what_it_could_not_convert_by_source_line(gift):
    assert gift.errors == []
    assert [line for line, _ in gift.notes] == [11, 23, 33]
    assert "semua-atau-tidak" in gift.notes[0][1]
    assert [(line, message.split(" ")[1]) for line, message in gift.skipped] == [
        (43, "menjodohkan"), (48, "esai:"), (50, "tanpa")]


def test_aiken_is_read_in_full_and_its_mistakes_are_reported(app):
    with app.test_request_context():
        good = convert_bank((BANKS / "aiken.txt").read_text("utf-8"), "01-aiken")
        bad = convert_bank("Soal?\nA. satu\nB. dua\nANSWER: C\n\nSoal 2?\nA. x\nB. y\n"
                           "jawab A\nANSWER: A\n", "x.txt")
    assert [(q.text, q.options) for q in good.quizzes[0].questions] == [
        ("Apa kepanjangan ASN?", [("Aparatur Sipil Negara", True),
                                  ("Aparat Sipil Nasional", False),
                                  ("Anggota Sipil Negara", False)]),
        ("Berapa digit NIP?", [("16", False), ("18", True)]),
    ]
    assert good.quizzes[0].title == "Aiken"
    assert [line for line, _ in bad.errors] == [1, 9]


def test_converted_quizzes_pass_the_course_check(app, course_copy):
    folder = course_copy()
    with app.test_request_context():
        conversion = convert_bank((BANKS / "bank.gift").read_text("utf-8"), "bank")
        for n, quiz in enumerate(conversion.quizzes, start=5):
            (folder / "01-dasar" / f"{n:02d}-bank-{n}.md").write_text(quiz_markdown(quiz))
        course, errors, _warnings = check_course(folder)
    assert errors == []
    quiz = next(lsn for lsn in course.lessons if lsn.path == "dasar/bank-6").quiz
    assert [q.accepted for q in quiz.questions][:2] == [["3.14 ± 0.01"], ["3 ± 2"]]


def test_a_bank_file_in_a_module_folder_is_a_quiz_with_warnings_at_its_lines(app, course_copy):
    folder = course_copy()
    shutil.copy(BANKS / "bank.gift", folder / "02-lanjutan" / "02-bank-soal.gift")
    shutil.copy(BANKS / "aiken.txt", folder / "02-lanjutan" / "03-aiken.txt")
    with app.test_request_context():
        course, errors, warnings = check_course(folder, display_root="k")
    assert errors == []
    bank = next(lsn for lsn in course.lessons if lsn.path == "lanjutan/bank-soal")
    assert (bank.kind, bank.title, bank.quiz.question_count) == ("quiz", "Bank soal", 10)
    aiken = next(lsn for lsn in course.lessons if lsn.path == "lanjutan/aiken")
    assert aiken.quiz.question_count == 2
    lines = [str(w) for w in warnings if "bank-soal" in w.path]
    assert "k/02-lanjutan/02-bank-soal.gift:43: peringatan: soal menjodohkan" in "\n".join(lines)


@pytest.mark.parametrize(("given", "accepted", "right"), [
    ("Café", ["cafe\u0301"], True),  # composed and decomposed accents
    ("ＪＡＫＡＲＴＡ", ["jakarta"], True),  # full-width letters
    ("  dua   puluh ", ["dua puluh"], True),
    ("STRASSE", ["straße"], True),  # case-folding, not just lower()
    ("3,5", ["3.5"], True),
    ("3.50", ["3,5"], True),
    ("3,55", ["3.5 ± 0.1"], True),
    ("3,7", ["3.5 ± 0.1"], False),
    ("20", ["dua puluh"], False),
    ("", ["x"], False),
])
def test_short_answers_match_fairly(given, accepted, right):
    stored = [normalize_answer(a) for a in accepted]
    assert answer_matches(given, stored) is right


def test_numeric_answers_in_the_quiz_format_accept_a_decimal_comma(app, course_copy):
    folder = course_copy()
    quiz = folder / "01-dasar" / "03-kuis.md"
    quiz.write_text(quiz.read_text() + "\n## Berapa 7 : 2?\n\n= 3,5 ± 0,1\n")
    with app.test_request_context():
        course, errors, _w = check_course(folder)
    assert errors == []
    question = next(lsn for lsn in course.lessons if lsn.path == "dasar/kuis").quiz.questions[-1]
    assert question.accepted == ["3.5 ± 0.1"]
    assert answer_matches("3,45", question.accepted)
    assert not answer_matches("3,39", question.accepted)


def test_gift_partial_credit_in_a_single_choice_stays_single_choice(app):
    """Moodle reads '{=a ~%50%b ~c}' as one radio button where b earns half: choosing a alone
    must stay fully right, not become 'choose a and b'."""
    with app.test_request_context():
        single = convert_bank("Q? {=a ~%50%b ~c}\n\nR? {~%100%a ~b}\n", "x.gift")
        several = convert_bank("Q? {~%50%a ~%50%b ~%-100%c}\n", "x.gift")
    first, second = single.quizzes[0].questions
    assert (first.kind, first.options) == ("single", [("a", True), ("b", False), ("c", False)])
    assert (second.kind, second.options) == ("single", [("a", True), ("b", False)])
    assert [(line, "dinilai salah" in note) for line, note in single.notes] == [(1, True)]
    question = several.quizzes[0].questions[0]
    assert (question.kind, [ok for _, ok in question.options]) == ("multiple", [True, True, False])


def test_gift_answers_without_text_are_reported_not_written_as_empty_options(app):
    with app.test_request_context():
        conversion = convert_bank("Q? {= ~b}\n\nR? {=ya ~}\n\nS? {=x}\n", "x.gift")
    assert [line for line, _ in conversion.errors] == [1, 3]
    assert [q.text for q in conversion.quizzes[0].questions] == ["S?"]


def test_problems_in_a_bank_file_point_at_the_banks_own_lines(app, course_copy):
    """A bank is checked as the Markdown made from it; what that check finds must still name
    the line of the GIFT file the trainer edits, not a line of a file they never see."""
    folder = course_copy()
    (folder / "02-lanjutan" / "02-bank.gift").write_text(
        "// bank\n\n"
        "::A:: Satu? {=ya ~tidak}\n\n"                                  # line 3
        "::B:: Dua <iframe src=\"https://contoh.id\"></iframe>? {=ya}\n\n"  # line 5
        "::C:: Tiga\\n![](../media/diagram.png) {=ya ~tidak}\n",          # line 7
        encoding="utf-8")
    with app.test_request_context():
        _course, errors, warnings = check_course(folder, display_root="k")
    assert errors == []
    found = [(w.line, w.message.split(" ")[1]) for w in warnings if "02-bank.gift" in w.path]
    assert found == [(5, "<iframe>"), (7, "tanpa")]


def test_a_bank_question_ending_in_points_text_keeps_it_as_text_not_a_weight(app, course_copy):
    folder = course_copy()
    (folder / "02-lanjutan" / "02-bank.gift").write_text(
        "Bobot ditulis \\{points=5\\} {=ya ~tidak}\n", encoding="utf-8")
    with app.test_request_context():
        course, errors, _warnings = check_course(folder)
    assert errors == []
    question = next(lsn for lsn in course.lessons if lsn.path == "lanjutan/bank").quiz.questions[0]
    assert question.points == 1
    assert "{points=5}" in question.prompt_html
