"""Moodle question banks (GIFT and Aiken) to Lentera's Markdown quiz format (PRODUCT §3, §8).

No GIFT parser on PyPI is both maintained and small (the few there turn GIFT into Moodle XML or
build GIFT, not read it into data), so this is a small reader of our own for the documented
format (docs.moodle.org "GIFT format"):

- `// comments`, `$CATEGORY: a/b` lines, `::title::`, `[markdown]`/`[html]`/`[plain]` marks;
- `{=right ~wrong}` single choice, `{~%50%a ~%50%b ~%-100%c}` multiple choice (weights become
  all-or-nothing, and the report says so), `{T}`/`{FALSE}`, `{=a =b}` short answer,
  `{#3.5:0.1}`, `{#1..5}` and `{# =3.5:0.1 =4}` numeric answers, text after `}` (a missing
  word: the blank is shown as ___), `#feedback` per answer and `####general feedback`;
- the escapes `\\:` `\\=` `\\#` `\\{` `\\}` `\\~` and `\\n`.

What has no counterpart in Lentera (matching `{=a -> b}`, essays `{}`, descriptions without
answers) is reported with its source line, never silently dropped.

Aiken (docs.moodle.org "Aiken format") is read in full: one-line question, `A.` or `A)`
options, `ANSWER: X`.
"""

from __future__ import annotations

import re
from dataclasses import dataclass, field
from decimal import Decimal, InvalidOperation

from flask_babel import lazy_gettext as _l


@dataclass
class BankQuestion:
    line: int
    text: str  # Markdown
    kind: str  # single | multiple | short
    options: list[tuple[str, bool]] = field(default_factory=list)
    accepted: list[str] = field(default_factory=list)  # as written after "= "
    explanation: str = ""
    title: str = ""


@dataclass
class BankQuiz:
    title: str
    questions: list[BankQuestion] = field(default_factory=list)


@dataclass
class Conversion:
    quizzes: list[BankQuiz] = field(default_factory=list)
    notes: list[tuple[int, str]] = field(default_factory=list)  # converted, with a change
    skipped: list[tuple[int, str]] = field(default_factory=list)  # not converted
    errors: list[tuple[int, str]] = field(default_factory=list)  # the file is malformed

    @property
    def question_count(self) -> int:
        return sum(len(q.questions) for q in self.quizzes)


def convert_bank(text: str, name: str) -> Conversion:
    """A Conversion of a GIFT or Aiken file (told apart by its content): its quizzes, and the
    notes, skipped questions and errors by source line (PRODUCT §8).

    `name` is the file name, the title of a quiz without a category. Raises nothing: a
    malformed file is reported in `errors`."""
    text = text.lstrip("\ufeff").replace("\r\n", "\n").replace("\r", "\n")
    title = re.sub(r"[-_]+", " ", re.sub(r"\.(gift|txt|aiken)$", "", name, flags=re.I))
    title = re.sub(r"^\d+\s+", "", title).strip().capitalize() or "Kuis"
    if _looks_like_aiken(text):
        return _aiken(text, title)
    return _gift(text, title)


def quiz_markdown(quiz: BankQuiz) -> str:
    """A quiz file in Lentera's format (PRODUCT §3): front matter, then `## ` questions.
    Raises nothing."""
    return quiz_markdown_with_lines(quiz)[0]


def quiz_markdown_with_lines(quiz: BankQuiz) -> tuple[str, list[int]]:
    """(quiz_markdown, for each of its lines (index 0 = line 1) the bank's source line of the
    question it belongs to (1 for the front matter)), so problems point into the bank.
    Raises nothing."""
    title = quiz.title.replace('"', "'")
    out = [f'---\ntitle: "{title}"\ntype: quiz\n---\n']
    sources = [1] * (out[0].count("\n") + 1)
    for q in quiz.questions:
        first_part = len(out)
        first, _, rest = q.text.strip().partition("\n")
        heading = _one_line(first)
        if match := re.search(r"\{points=[^}]*\}$", heading):
            # Text in the bank, not Lentera's weight mark: the brace as an entity stays text.
            heading = heading[:match.start()] + "&#123;" + heading[match.start() + 1:]
        out.append(f"## {heading}\n")
        if q.title:
            out.append(f"<!-- Moodle: {q.title.replace('--', '—')} -->\n")
        if rest.strip():
            out.append(rest.strip() + "\n")
        for option, correct in q.options:
            out.append(f"- [{'x' if correct else ' '}] {_one_line(option)}")
        for answer in q.accepted:
            out.append(f"= {_one_line(answer)}")
        if q.explanation.strip():
            out.append("")
            out.extend("> " + line if line else ">" for line in q.explanation.strip().split("\n"))
        out.append("")
        sources += [q.line] * sum(part.count("\n") + 1 for part in out[first_part:])
    return "\n".join(out).rstrip() + "\n", sources


def merged(conversion: Conversion, title: str) -> BankQuiz:
    """A BankQuiz with all questions of a bank, titled `title` (a bank file dropped into a
    module folder). Raises nothing."""
    return BankQuiz(title, [q for quiz in conversion.quizzes for q in quiz.questions])


def slugify(text: str) -> str:
    """'Keamanan Data/Sandi' -> 'keamanan-data-sandi' (ASCII letters and digits). Raises
    nothing."""
    import unicodedata

    ascii_text = unicodedata.normalize("NFKD", text).encode("ascii", "ignore").decode()
    return re.sub(r"[^a-z0-9]+", "-", ascii_text.lower()).strip("-")[:60] or "kuis"


def _one_line(text: str) -> str:
    return " ".join(text.split())


# Aiken ------------------------------------------------------------------------------------

_AIKEN_OPTION = re.compile(r"^([A-Z])[.)]\s+(.*\S)\s*$")
_AIKEN_ANSWER = re.compile(r"^ANSWER:\s*([A-Z])\s*$")


def _looks_like_aiken(text: str) -> bool:
    return bool(re.search(r"^ANSWER:\s*[A-Z]\s*$", text, re.M)) and "{" not in text


def _aiken(text: str, title: str) -> Conversion:
    result = Conversion([BankQuiz(title)])
    block: list[tuple[int, str]] = []
    for number, line in enumerate([*text.split("\n"), ""], start=1):
        if line.strip():
            block.append((number, line.strip()))
            continue
        if block:
            _aiken_question(block, result)
            block = []
    return result


def _aiken_question(block: list[tuple[int, str]], result: Conversion) -> None:
    start, question = block[0]
    options: list[tuple[str, str]] = []
    answer = None
    for number, line in block[1:]:
        if match := _AIKEN_OPTION.match(line):
            options.append((match.group(1), match.group(2)))
        elif match := _AIKEN_ANSWER.match(line):
            answer = match.group(1)
        else:
            result.errors.append((number, str(_l(
                "baris Aiken tak dikenal: pilihan ditulis 'A. teks', kunci 'ANSWER: A'"))))
            return
    letters = [letter for letter, _ in options]
    if len(options) < 2 or answer is None or answer not in letters:
        result.errors.append((start, str(_l(
            "soal Aiken butuh sedikitnya dua pilihan dan 'ANSWER:' dengan huruf salah satunya"))))
        return
    result.quizzes[0].questions.append(BankQuestion(
        start, question, "single", [(text, letter == answer) for letter, text in options]))


# GIFT -------------------------------------------------------------------------------------

_ESCAPES = {"\\:": ":", "\\=": "=", "\\#": "#", "\\{": "{", "\\}": "}", "\\~": "~",
            "\\n": "\n", "\\\\": "\\"}
# Escaped characters are swapped for private-use characters while the structure is read.
_HIDE = {k: chr(0xE000 + i) for i, k in enumerate(_ESCAPES)}
_SHOW = {v: _ESCAPES[k] for k, v in _HIDE.items()}
_WEIGHT = re.compile(r"^%(-?\d+(?:[.,]\d+)?)%")


def _hide(text: str) -> str:
    return re.sub(r"\\[:=#{}~n\\]", lambda m: _HIDE[m.group(0)], text)


def _show(text: str) -> str:
    return "".join(_SHOW.get(ch, ch) for ch in text).strip()


def _gift(text: str, title: str) -> Conversion:
    result = Conversion()
    quiz = BankQuiz(title)
    block: list[tuple[int, str]] = []
    depth = 0

    def flush() -> None:
        nonlocal block
        if block:
            question = _gift_question(block, result)
            if question is not None:
                quiz.questions.append(question)
        block = []

    for number, raw in enumerate(text.split("\n"), start=1):
        line = _hide(raw)
        stripped = line.strip()
        if depth == 0 and stripped.startswith("//"):
            continue
        if depth == 0 and stripped.startswith("$CATEGORY:"):
            flush()
            if quiz.questions:
                result.quizzes.append(quiz)
            name = _show(stripped[len("$CATEGORY:"):]).strip().strip("/")
            name = re.sub(r"^\$(course|system|module|cat\d+)\$/?", "", name).strip("/")
            quiz = BankQuiz(name.split("/")[-1].strip() or title)
            continue
        if not stripped and depth == 0:
            flush()
            continue
        block.append((number, line))
        depth += line.count("{") - line.count("}")
        if depth < 0:
            result.errors.append((number, str(_l("'}' tanpa '{' pembuka"))))
            depth = 0
    if depth > 0:
        result.errors.append((block[0][0] if block else 1, str(_l("'{' tidak ditutup dengan '}'"))))
        block = []
    flush()
    if quiz.questions:
        result.quizzes.append(quiz)
    return result


def _gift_question(block: list[tuple[int, str]], result: Conversion) -> BankQuestion | None:
    parts = _gift_parts(block, result)
    if parts is None:
        return None
    start, title, text, body, general = parts
    question = BankQuestion(start, text, "", title=title)

    if not body:
        result.skipped.append((start, str(_l(
            "soal esai: Lentera tidak menilai jawaban bebas, tidak dikonversi"))))
        return None
    if re.fullmatch(r"(T|TRUE|F|FALSE)(#.*)?", body, re.S):
        return _true_false(question, body, general)
    if body.startswith("#"):
        return _numeric(question, body[1:], general, result)

    answers = _usable_answers(start, body, result)
    if answers is None:
        return None
    if all(sign == "=" for sign, _w, _t, _fb in answers):
        feedback_of_right = _short_answer(question, answers, start, result)
    else:
        choice_feedback = _choices(question, answers, start, result)
        if choice_feedback is None:
            return None
        feedback_of_right = choice_feedback
    question.explanation = _join(general, *feedback_of_right)
    return question


def _gift_parts(
    block: list[tuple[int, str]], result: Conversion
) -> tuple[int, str, str, str, str] | None:
    """(first line, title, question text, answer body, general feedback) of one GIFT block;
    None, with the reason in result, for a description or a question without text."""
    start = block[0][0]
    source = "\n".join(line for _, line in block)
    source = re.sub(r"(?m)^\s*//.*$", "", source).strip()
    title = ""
    if match := re.match(r"^::(.*?)::", source, re.S):
        title, source = _show(match.group(1)), source[match.end():].strip()
    source = re.sub(r"^\[(markdown|html|plain|moodle)\]", "", source).strip()
    opening, closing = source.find("{"), source.rfind("}")
    if opening < 0:
        result.skipped.append((start, str(_l(
            "deskripsi tanpa jawaban (bukan soal): tidak dikonversi"))))
        return None
    before, body, after = source[:opening], source[opening + 1:closing], source[closing + 1:]
    text = _show(before) + (" ___ " + _show(after) if after.strip() else "")
    text = text.strip()
    if not text:
        result.errors.append((start, str(_l("soal tanpa teks pertanyaan"))))
        return None
    general = ""
    if "####" in body:
        body, general = body.split("####", 1)
    return start, title, text, body.strip(), general


def _true_false(question: BankQuestion, body: str, general: str) -> BankQuestion:
    """`{T}` / `{FALSE#wrong#right}`: a single choice between Benar and Salah."""
    value, *feedback = body.split("#")
    truth = value in ("T", "TRUE")
    question.kind = "single"
    # Content, not interface: in the course's words (Indonesian by default).
    question.options = [("Benar", truth), ("Salah", not truth)]
    # {T#shown when wrong#shown when right}: the explanation is what a right answer earns.
    note = feedback[1] if len(feedback) > 1 else (feedback[0] if feedback else "")
    question.explanation = _join(general, note)
    return question


def _usable_answers(
    start: int, body: str, result: Conversion
) -> list[tuple[str, float | None, str, str]] | None:
    """The `=`/`~` answers of body; None, with the reason in result, when they cannot be read,
    pair items (matching) or one is empty."""
    answers = _answers(body)
    if answers is None:
        result.errors.append((start, str(_l(
            "jawaban GIFT harus diawali '=' atau '~'; karakter khusus ditulis \\= \\~ \\# \\{ "
            "\\} \\:"))))
        return None
    if any("->" in text for _sign, _w, text, _fb in answers):
        result.skipped.append((start, str(_l(
            "soal menjodohkan (->): belum ada padanannya di Lentera, tidak dikonversi"))))
        return None
    if any(not _show(text) for _sign, _w, text, _fb in answers):
        result.errors.append((start, str(_l("jawaban kosong setelah '=' atau '~'"))))
        return None
    return answers


def _short_answer(question: BankQuestion, answers: list[tuple[str, float | None, str, str]],
                  start: int, result: Conversion) -> list[str]:
    """Make question a short answer accepting every `=` answer; returns their feedback."""
    question.kind = "short"
    question.accepted = [_show(t) for _s, _w, t, _fb in answers]
    if any(w is not None and w < 100 for _s, w, _t, _fb in answers):
        result.notes.append((start, str(_l(
            "jawaban singkat berbobot sebagian: setiap jawaban yang diterima kini bernilai "
            "penuh"))))
    return [_show(fb) for *_x, fb in answers if fb]


def _choices(question: BankQuestion, answers: list[tuple[str, float | None, str, str]],
             start: int, result: Conversion) -> list[str] | None:
    """Make question a single or multiple choice; returns the feedback to show after a right
    answer, or None (the reason in result) when no answer is right."""
    # Moodle: an '=' answer makes a single-choice question (one radio button), where a
    # '~%50%' answer earns part of the points; without '=' it is multiple answers
    # (checkboxes), where the positive weights together make the right set.
    single = any(sign == "=" for sign, _w, _t, _fb in answers)
    if single:
        correct = [sign == "=" or (w is not None and w >= 100)
                   for sign, w, _t, _fb in answers]
    else:
        correct = [w is not None and w > 0 for _s, w, _t, _fb in answers]
    question.options = [(_show(t), ok) for (_s, _w, t, _fb), ok in zip(answers, correct,
                                                                         strict=True)]
    if not any(correct):
        result.errors.append((start, str(_l("tidak ada jawaban benar (= atau bobot > 0)"))))
        return None
    question.kind = "single" if sum(correct) == 1 else "multiple"
    partial = any(w is not None and 0 < w < 100 for _s, w, _t, _fb in answers)
    if single and partial:
        result.notes.append((start, str(_l(
            "pilihan berbobot sebagian kini dinilai salah: hanya jawaban '=' yang benar"))))
    elif question.kind == "multiple" or partial:
        result.notes.append((start, str(_l(
            "bobot per pilihan diubah menjadi semua-atau-tidak: nilai penuh hanya bila "
            "semua pilihan benar dipilih dan tidak ada yang salah"))))
    feedback_of_right = []
    for (_s, _w, t, fb), ok in zip(answers, correct, strict=True):
        if fb:
            feedback_of_right.append(_show(fb) if ok else f"{_show(t)}: {_show(fb)}")
    return feedback_of_right


def _answers(body: str) -> list[tuple[str, float | None, str, str]] | None:
    """[(sign, weight percent or None, text, feedback)] of `=a#fb ~%50%b` answers."""
    parts = re.split(r"(?=[=~])", body.strip())
    if parts and not parts[0].strip():
        parts = parts[1:]
    out = []
    for part in parts:
        part = part.strip()
        if not part or part[0] not in "=~":
            return None
        sign, rest = part[0], part[1:].strip()
        weight = None
        if match := _WEIGHT.match(rest):
            weight = float(match.group(1).replace(",", "."))
            rest = rest[match.end():].strip()
        text, _, feedback = rest.partition("#")
        out.append((sign, weight, text.strip(), feedback.strip()))
    # "=a -> b": the '=' inside a matching pair is not a new answer, nor is '->' a '~'.
    return out


def _numeric(question: BankQuestion, body: str, general: str,
             result: Conversion) -> BankQuestion | None:
    question.kind = "short"
    body = body.strip()
    entries = [body] if not body.startswith("=") else [
        part.strip() for part in re.split(r"(?=[=~])", body) if part.strip()]
    feedback = []
    for entry in entries:
        if entry.startswith("~"):
            continue  # a wrong numeric answer with its own feedback: nothing to accept
        entry = entry.lstrip("=").strip()
        if match := _WEIGHT.match(entry):
            if float(match.group(1).replace(",", ".")) < 100:
                result.notes.append((question.line, str(_l(
                    "jawaban angka berbobot sebagian: kini bernilai penuh"))))
            entry = entry[match.end():].strip()
        value, _, fb = entry.partition("#")
        if fb.strip():
            feedback.append(_show(fb))
        answer = _number_answer(_show(value))
        if answer is None:
            result.errors.append((question.line, str(_l(
                "jawaban angka tidak terbaca: tulis {#3.5:0.1} atau {#1..5}"))))
            return None
        question.accepted.append(answer)
    if not question.accepted:
        result.errors.append((question.line, str(_l("soal angka tanpa jawaban benar"))))
        return None
    question.explanation = _join(general, *feedback)
    return question


def _number_answer(text: str) -> str | None:
    """'3.5:0.1' -> '3,5 ± 0,1'; '1..5' -> '3 ± 2'; '20' -> '20' (written with a comma)."""
    try:
        if ".." in text:
            low, high = (Decimal(x.strip()) for x in text.split("..", 1))
            value, tolerance = (low + high) / 2, abs(high - low) / 2
        elif ":" in text:
            value, tolerance = (Decimal(x.strip()) for x in text.split(":", 1))
        else:
            value, tolerance = Decimal(text.strip()), Decimal(0)
    except InvalidOperation:
        return None

    def written(number: Decimal) -> str:
        return format(number.normalize(), "f").replace(".", ",")

    return f"{written(value)} ± {written(abs(tolerance))}" if tolerance else written(value)


def _join(*parts: str) -> str:
    return "\n\n".join(_show(p) for p in parts if p and _show(p))
