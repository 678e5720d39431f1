"""Markdown cannot tie up a worker (issue 10 point 7): refused with path:line within 2 s."""

import time

import pytest

from app.models import Role
from app.services import authoring
from app.services.content.render import MarkdownRefused, render_markdown
from tests.factories import make_user, zip_course

LESSON = "01-dasar/02-kedua.md"
HEADER = "---\ntitle: Jahat\n---\nPembuka yang biasa.\n\n"
PATHOLOGICAL = {
    "brackets": "[" * 20_000,
    "images": "![" * 10_000,
    "links": "[a](" * 5_000,
    "brackets on many lines": "[\n" * 3_000,
    "deep quotes": ">" * 5_000 + " dalam",
    "deep lists": "".join("  " * i + "- a\n" for i in range(1_000)),
    "huge": "kata " * 40_000,
}


@pytest.mark.parametrize("name", PATHOLOGICAL)
def test_courses_check_refuses_pathological_markdown_with_path_and_line(runner, course_copy,
                                                                       name):
    folder = course_copy()
    (folder / LESSON).write_text(HEADER + PATHOLOGICAL[name])
    start = time.perf_counter()
    result = runner.invoke(args=["courses", "check", str(folder)])
    took = time.perf_counter() - start
    assert result.exit_code == 1
    lines = [line for line in result.output.splitlines() if f"{folder}/{LESSON}:" in line]
    assert len(lines) == 1, result.output
    line_number = int(lines[0].split(":")[1])
    assert 4 <= line_number <= 6 + PATHOLOGICAL[name].count("\n")  # the body starts on 4
    assert took < 2, took


def test_the_upload_check_refuses_it_too_within_two_seconds(session, course_copy):
    trainer = make_user(session, email="pelatih@example.go.id", roles=Role.TRAINER)
    folder = course_copy()
    (folder / LESSON).write_text(HEADER + "![" * 10_000)
    start = time.perf_counter()
    check = authoring.stage_upload(session, trainer, "x.zip", zip_course(folder))
    assert time.perf_counter() - start < 2
    assert check.upload is None
    assert [p for p in check.problems if p.startswith(f"contoh-kursus/{LESSON}:6: ")]


def test_rendering_itself_has_size_and_nesting_limits():
    with pytest.raises(MarkdownRefused):
        render_markdown("![" * 10_000)
    with pytest.raises(MarkdownRefused):
        render_markdown(">" * 5_000)
    with pytest.raises(MarkdownRefused):
        render_markdown("a" * 200_000)
    # Ordinary lessons with many links still render.
    links = "\n".join(f"- [tautan {n}](https://example.go.id/{n})" for n in range(90))
    assert render_markdown(links).count("<a ") == 90
