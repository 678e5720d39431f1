"""What a quiz attempt asked (its snapshot) and how it is graded: pure, no session, no I/O.

An attempt stores, as JSON, the questions it showed in the order shown, each with its options
and its key (correct options, accepted short answers), plus the pass mark in force when it
started. `Snapshot` is that JSON's typed shape: `Snapshot.from_json(attempt.snapshot)` reads it
and `to_json()` writes exactly the stored format, so rows written before this module existed
read and grade the same (no migration).

`grade(snapshot, answers)` is the one grading rule (PRODUCT §3): a single or multiple choice
question earns its points only for exactly the right set of options, a short answer when it
matches an accepted one; the score is the percentage of points earned and passes at the
quiz's `pass_mark` or above. The service stores its result; the demo, the benchmark and the
tests build right answers with `correct_answers(snapshot)` instead of reading the JSON.
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass
from decimal import ROUND_HALF_UP, Decimal
from typing import Any

from app.services.content.quiz_format import answer_matches

# What a learner gives for one question: option ids (as text, as forms send them), or the text
# of a short answer. Answers are keyed by the question id as text.
Answer = str | list[str]


@dataclass(frozen=True)
class SnapshotOption:
    id: int
    html: str
    correct: bool

    def to_json(self) -> dict[str, Any]:
        """The option as stored in the attempt's JSON."""
        return {"id": self.id, "html": self.html, "correct": self.correct}


@dataclass(frozen=True)
class SnapshotQuestion:
    id: int
    kind: str  # single | multiple | short
    points: int
    prompt_html: str
    explanation_html: str
    options: tuple[SnapshotOption, ...]  # in the order shown; none for a short answer
    accepted: tuple[str, ...]  # short answers as stored (quiz_format.accepted_form)

    @property
    def is_short(self) -> bool:
        return self.kind == "short"

    @property
    def key(self) -> str:
        """The question's id as answers are keyed (JSON object keys are text)."""
        return str(self.id)

    def to_json(self) -> dict[str, Any]:
        """The question as stored in the attempt's JSON (key order as it always was)."""
        return {
            "id": self.id, "kind": self.kind, "points": self.points,
            "prompt_html": self.prompt_html, "explanation_html": self.explanation_html,
            "options": [o.to_json() for o in self.options], "accepted": list(self.accepted),
        }


@dataclass(frozen=True)
class Snapshot:
    pass_mark: int  # percent
    questions: tuple[SnapshotQuestion, ...]  # in the order shown

    @classmethod
    def from_json(cls, data: Mapping[str, Any]) -> Snapshot:
        """Read an attempt's stored snapshot. Raises KeyError (a required key is missing) or
        TypeError/ValueError (a value of the wrong type) for JSON that is not a snapshot."""
        return cls(
            pass_mark=int(data["pass_mark"]),
            questions=tuple(
                SnapshotQuestion(
                    id=int(q["id"]), kind=str(q["kind"]), points=int(q["points"]),
                    prompt_html=str(q["prompt_html"]),
                    explanation_html=str(q.get("explanation_html") or ""),
                    options=tuple(SnapshotOption(int(o["id"]), str(o["html"]), bool(o["correct"]))
                                  for o in q["options"]),
                    accepted=tuple(str(a) for a in q.get("accepted") or ()),
                )
                for q in data["questions"]
            ),
        )

    def to_json(self) -> dict[str, Any]:
        """The JSON stored on the attempt (QuizAttempt.snapshot)."""
        return {"pass_mark": self.pass_mark, "questions": [q.to_json() for q in self.questions]}


@dataclass(frozen=True)
class QuestionGrade:
    question_id: int
    correct: bool
    points: int  # earned: the question's points when correct, else 0
    answer: Answer  # as kept: the text given, or the valid option ids picked, in id order

    @property
    def picked(self) -> list[int]:
        """The option ids picked ([] for a short answer)."""
        return [int(i) for i in self.answer] if isinstance(self.answer, list) else []


@dataclass(frozen=True)
class Grade:
    questions: tuple[QuestionGrade, ...]  # in the snapshot's order
    points_earned: int
    points_possible: int
    score: Decimal  # percent of the points, 2 places, rounded half up; 0 without points
    passed: bool  # score at or above the snapshot's pass mark

    @property
    def answers(self) -> dict[str, Answer]:
        """The answers as kept on the attempt (QuizAttempt.answers): every question's."""
        return {str(g.question_id): g.answer for g in self.questions}


def _picked(question: SnapshotQuestion, given: object) -> list[str]:
    """The question's own option ids among `given`, once each, in id order; one at most for a
    single choice. Anything but a list (a text, a number) picks nothing."""
    if not isinstance(given, list):
        return []
    valid = {str(o.id) for o in question.options}
    chosen = {str(g) for g in given
              if isinstance(g, str | int) and not isinstance(g, bool)} & valid
    picked = sorted(chosen, key=int)
    return picked[:1] if question.kind == "single" else picked


def grade(snapshot: Snapshot, answers: Mapping[str, object]) -> Grade:
    """Grade `answers` ({question id as text: [option ids] or text}) against the snapshot.

    Returns a Grade: per question (in the snapshot's order) whether it is right, the points
    earned and the answer as kept; the points earned and possible, the score in percent and
    whether it passes. Raises nothing: answers to other questions are ignored, a missing or
    malformed answer (a text for a choice question, a list for a short one) counts as none,
    options of other questions are dropped and a single choice keeps its lowest option id.
    """
    graded = []
    for question in snapshot.questions:
        given = answers.get(question.key)
        kept: Answer
        if question.is_short:
            kept = given if isinstance(given, str) else ""
            correct = answer_matches(kept, list(question.accepted))
        else:
            kept = _picked(question, given)
            correct = set(kept) == {str(o.id) for o in question.options if o.correct}
        graded.append(QuestionGrade(question.id, correct, question.points if correct else 0,
                                    kept))
    earned = sum(g.points for g in graded)
    possible = sum(q.points for q in snapshot.questions)
    score = (Decimal(100 * earned) / possible).quantize(Decimal("0.01"), ROUND_HALF_UP) if (
        possible) else Decimal(0)
    return Grade(tuple(graded), earned, possible, score, score >= snapshot.pass_mark)


def correct_answers(snapshot: Snapshot) -> dict[str, Answer]:
    """Answers that score every point: each choice question's correct option ids (as text),
    each short answer's first accepted answer. Keyed like `grade`'s answers; raises nothing."""
    return {
        q.key: (q.accepted[0] if q.accepted else "") if q.is_short
        else [str(o.id) for o in q.options if o.correct]
        for q in snapshot.questions
    }
