"""The quiz format of PRODUCT §3: `## ` questions, `- [x]` options, `= ` answers, `>` notes."""

from __future__ import annotations

import hashlib
import re
import unicodedata
from collections.abc import Callable
from dataclasses import dataclass, field
from decimal import Decimal, InvalidOperation

from flask_babel import lazy_gettext as _l

_OPTION = re.compile(r"^[-*+] \[( |x|X)\]\s+(.*)$")
_ANSWER = re.compile(r"^=(.*)$")
_POINTS = re.compile(r"\s*\{points=([^}]*)\}\s*$")


# "= 3,5 ± 0,1" (or "+-", "+/-"): a number with a tolerance; a decimal comma or point.
_NUMBER = r"[-+−]?\d+(?:[.,]\d+)?"
_TOLERANCE = re.compile(rf"^({_NUMBER})\s*(?:±|\+-|\+/-)\s*(\d+(?:[.,]\d+)?)$")


def normalize_answer(text: str) -> str:
    """A short answer as compared: Unicode NFKC (composed and decomposed accents, full-width
    letters), case-folded, trimmed, spaces collapsed (PRODUCT §3, issue 13). Raises nothing."""
    folded = unicodedata.normalize("NFKC", unicodedata.normalize("NFKC", text).casefold())
    return " ".join(folded.split())


def parse_number(text: str) -> Decimal | None:
    """The Decimal a learner or trainer wrote ("3,5" or "3.5", "-2"), or None when the text is
    not one ("1 000" is not). Raises nothing."""
    text = normalize_answer(text).replace("−", "-")
    if not re.fullmatch(_NUMBER, text):
        return None
    try:
        return Decimal(text.replace(",", "."))
    except InvalidOperation:
        return None


def accepted_form(text: str) -> str:
    """How a `= answer` line is stored: normalised text, or "3.5 ± 0.1" for a number with a
    tolerance (decimal point, one canonical sign), which answer_matches reads back. Raises
    nothing."""
    normal = normalize_answer(text)
    match = _TOLERANCE.fullmatch(normal.replace("−", "-"))
    if match:
        value = Decimal(match.group(1).replace(",", "."))
        tolerance = Decimal(match.group(2).replace(",", "."))
        return f"{value} ± {tolerance}"
    return normal


def answer_matches(given: str, accepted: list[str]) -> bool:
    """Whether a learner's short answer is one of the accepted ones (stored by accepted_form).

    Text matches after normalize_answer; a number matches a numeric answer by value, with a
    decimal comma or point ("3,5" = "3.5" = "3,50"), within the tolerance when one is given.
    Raises nothing."""
    normal = normalize_answer(given)
    if not normal:
        return False
    number = parse_number(normal)
    for answer in accepted:
        if normal == answer:
            return True
        if number is None:
            continue
        match = _TOLERANCE.fullmatch(answer)
        if match:
            value, tolerance = Decimal(match.group(1)), Decimal(match.group(2))
            if abs(number - value) <= tolerance:
                return True
        elif (expected := parse_number(answer)) is not None and expected == number:
            return True
    return False


@dataclass
class ParsedOption:
    text_md: str
    correct: bool


@dataclass
class ParsedQuestion:
    line: int
    prompt_md: str
    points: int
    kind: str  # single | multiple | short
    options: list[ParsedOption] = field(default_factory=list)
    accepted: list[str] = field(default_factory=list)
    explanation_md: str = ""
    content_hash: str = ""


def parse_quiz(
    body: str, first_line: int, problem: Callable[[int, object], None]
) -> tuple[str, list[ParsedQuestion]]:
    """(intro Markdown, ParsedQuestions) of a quiz body (PRODUCT §3). Each malformed question
    goes to `problem(line, message)`, lines counted from `first_line`; raises nothing."""
    lines = body.split("\n")
    starts, in_fence = [], False
    for i, line in enumerate(lines):
        if line.lstrip().startswith(("```", "~~~")):
            in_fence = not in_fence
        elif not in_fence and line.startswith("## "):
            starts.append(i)
    intro = "\n".join(lines[: starts[0]] if starts else lines)
    questions = []
    for n, start in enumerate(starts):
        end = starts[n + 1] if n + 1 < len(starts) else len(lines)
        question = _parse_question(lines[start:end], first_line + start, problem)
        if question:
            questions.append(question)
    return intro, questions


def _parse_question(
    block: list[str], line_no: int, problem: Callable[[int, object], None]
) -> ParsedQuestion | None:
    heading, points = _heading_and_points(block[0], line_no, problem)
    question = ParsedQuestion(line_no, heading, points, "")
    body_ok = _read_body(block, line_no, question, problem)
    kind_ok = _check_kind(question, line_no, problem)
    if kind_ok is None:
        return None
    question.content_hash = hashlib.sha256("\n".join(block).strip().encode()).hexdigest()
    return question if body_ok and kind_ok else None


def _heading_and_points(
    first: str, line_no: int, problem: Callable[[int, object], None]
) -> tuple[str, int]:
    """The question's heading text and its points (`{points=N}`, 1 when absent or wrong)."""
    heading = first[3:].strip()
    points = 1
    if match := _POINTS.search(heading):
        heading = heading[: match.start()].strip()
        value = match.group(1).strip()
        if value.isascii() and value.isdigit() and 0 < int(value) <= 100:
            points = int(value)
        else:
            problem(line_no, _l("{points=N} harus bilangan bulat dari 1 sampai 100"))
    if not heading:
        problem(line_no, _l("pertanyaan tanpa teks setelah '## '"))
    return heading, points


def _read_body(
    block: list[str], line_no: int, question: ParsedQuestion,
    problem: Callable[[int, object], None],
) -> bool:
    """Fill the prompt, options or accepted answers and explanation; False after a problem."""
    prompt, explanation = [], []
    phase, in_fence, ok = "prompt", False, True
    for offset, line in enumerate(block[1:], start=1):
        here = line_no + offset
        if line.lstrip().startswith(("```", "~~~")):
            in_fence = not in_fence
        option = None if in_fence else _OPTION.match(line)
        answer = None if in_fence else _ANSWER.match(line)
        if phase in ("prompt", "items") and (option or answer):
            phase = "items"
            ok = _add_item(question, option, answer, here, problem) and ok
        elif phase == "prompt":
            prompt.append(line)
        elif not line.strip():
            continue
        elif line.startswith(">") and not in_fence:
            phase = "explanation"
            explanation.append(line[1:].removeprefix(" "))
        elif phase == "items" and line.startswith(("  ", "\t")) and question.options:
            question.options[-1].text_md += " " + line.strip()
        else:
            problem(here, _l(
                "teks tak terduga setelah pilihan jawaban; tulis penjelasan sebagai kutipan (> …)"))
            ok = False
    if prompt:
        question.prompt_md = question.prompt_md + "\n\n" + "\n".join(prompt).strip()
    question.explanation_md = "\n".join(explanation).strip()
    return ok


def _add_item(
    question: ParsedQuestion, option: re.Match[str] | None, answer: re.Match[str] | None,
    here: int, problem: Callable[[int, object], None],
) -> bool:
    """One `- [ ]`/`- [x]` option or `=` accepted answer onto the question; False if empty."""
    ok = True
    if option:
        correct = option.group(1) != " "
        if not option.group(2).strip():
            problem(here, _l("pilihan jawaban kosong setelah '- [ ]'"))
            ok = False
        question.options.append(ParsedOption(option.group(2).strip(), correct))
    elif answer:
        text = accepted_form(answer.group(1))
        if not text:
            problem(here, _l("jawaban singkat kosong setelah '='"))
            ok = False
        question.accepted.append(text)
    return ok


def _check_kind(
    question: ParsedQuestion, line_no: int, problem: Callable[[int, object], None]
) -> bool | None:
    """Set the question's kind; None when it has no kind at all, False after a problem."""
    if question.options and question.accepted:
        problem(line_no, _l("pertanyaan mencampur pilihan (- [ ]) dan jawaban singkat (=)"))
        return None
    if not question.options and not question.accepted:
        problem(line_no, _l("pertanyaan tanpa pilihan (- [ ] / - [x]) atau jawaban singkat (=)"))
        return None
    ok = True
    if question.options:
        correct = sum(o.correct for o in question.options)
        if len(question.options) < 2:
            problem(line_no, _l("pertanyaan pilihan butuh sedikitnya dua pilihan"))
            ok = False
        if correct == 0:
            problem(line_no, _l("tidak ada pilihan yang ditandai benar ([x])"))
            ok = False
        question.kind = "single" if correct == 1 else "multiple"
    else:
        question.kind = "short"
    return ok
