"""The grading rule on its own: a snapshot and answers in, a grade out; no database."""

from decimal import Decimal

import pytest

from app.services.grading import Snapshot, correct_answers, grade
from tests.factories import wrong_answers

# A snapshot exactly as attempts have stored it since quizzes began (issue 3): rows written
# before the typed shape existed must read, write back and grade the same.
STORED = {
    "pass_mark": 70,
    "questions": [
        {"id": 11, "kind": "single", "points": 1, "prompt_html": "<p>SPBE?</p>",
         "explanation_html": "<p>Perpres 95/2018.</p>",
         "options": [{"id": 102, "html": "<p>Pelayanan</p>", "correct": False},
                     {"id": 101, "html": "<p>Pemerintahan</p>", "correct": True},
                     {"id": 103, "html": "<p>Pengadaan</p>", "correct": False}],
         "accepted": []},
        {"id": 12, "kind": "multiple", "points": 2, "prompt_html": "<p>Sandi kuat?</p>",
         "explanation_html": "",
         "options": [{"id": 201, "html": "a", "correct": True},
                     {"id": 202, "html": "b", "correct": False},
                     {"id": 203, "html": "c", "correct": True}],
         "accepted": []},
        {"id": 13, "kind": "short", "points": 1, "prompt_html": "<p>JP?</p>",
         "explanation_html": "", "options": [], "accepted": ["20", "dua puluh"]},
    ],
}


@pytest.fixture
def snapshot():
    return Snapshot.from_json(STORED)


def test_the_stored_format_reads_and_writes_back_unchanged(snapshot):
    assert snapshot.to_json() == STORED
    assert [q.kind for q in snapshot.questions] == ["single", "multiple", "short"]
    assert [o.id for o in snapshot.questions[0].options] == [102, 101, 103]  # order shown


def test_a_snapshot_that_is_not_one_is_refused():
    with pytest.raises(KeyError):
        Snapshot.from_json({})


def test_the_right_answers_score_everything(snapshot):
    answers = correct_answers(snapshot)
    assert answers == {"11": ["101"], "12": ["201", "203"], "13": "20"}
    result = grade(snapshot, answers)
    assert (result.points_earned, result.points_possible, result.score, result.passed) == (
        4, 4, Decimal("100.00"), True)
    assert [(g.question_id, g.correct, g.points) for g in result.questions] == [
        (11, True, 1), (12, True, 2), (13, True, 1)]


def test_wrong_answers_score_nothing(snapshot):
    result = grade(snapshot, wrong_answers(snapshot))
    assert (result.points_earned, result.score, result.passed) == (0, Decimal("0.00"), False)


def test_multiple_choice_needs_exactly_the_right_set(snapshot):
    answers = correct_answers(snapshot) | {"12": ["201"]}
    result = grade(snapshot, answers)
    assert (result.points_earned, result.score, result.passed) == (2, Decimal("50.00"), False)


def test_what_is_kept_is_cleaned(snapshot):
    result = grade(snapshot, {
        "11": ["103", "101", "101"],  # single choice: one option, the lowest id
        "12": ["203", "999", "201"],  # an option of no question of the attempt is dropped
        "13": "  DUA   puluh ",
        "99": ["1"],  # not a question of the attempt
    })
    assert result.answers == {"11": ["101"], "12": ["201", "203"], "13": "  DUA   puluh "}
    assert [g.picked for g in result.questions] == [[101], [201, 203], []]
    assert result.passed


def test_answers_of_the_wrong_shape_count_as_none(snapshot):
    result = grade(snapshot, {"11": "101", "12": [201, 203], "13": ["20"]})
    # A text is no choice and a list no short answer; option ids may come as numbers.
    assert [g.correct for g in result.questions] == [False, True, False]
    assert result.answers == {"11": [], "12": ["201", "203"], "13": ""}


def test_the_pass_mark_itself_passes(snapshot):
    at_mark = Snapshot.from_json(STORED | {"pass_mark": 75})
    answers = correct_answers(at_mark) | {"11": []}  # 3 of 4 points
    assert grade(at_mark, answers).score == Decimal("75.00")
    assert grade(at_mark, answers).passed
    above = Snapshot.from_json(STORED | {"pass_mark": 76})
    assert not grade(above, answers).passed


def test_the_score_is_rounded_half_up():
    heavy = {**STORED["questions"][2], "id": 14, "points": 31}
    snapshot = Snapshot.from_json({"pass_mark": 0,
                                   "questions": [STORED["questions"][0], heavy]})
    result = grade(snapshot, {"11": ["101"]})  # 1 of 32 points: 3.125 %
    assert result.score == Decimal("3.13")


def test_a_quiz_without_points_scores_zero():
    result = grade(Snapshot.from_json({"pass_mark": 70, "questions": []}), {})
    assert (result.points_possible, result.score, result.passed) == (0, Decimal(0), False)
