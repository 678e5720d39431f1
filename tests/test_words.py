"""Words a native reader would stumble on stay out of the app (issue 14, point 10)."""

import re
from pathlib import Path

from app.models import Role
from tests.factories import DATA

ROOT = Path(__file__).parents[1]


def test_retired_lessons_are_archived_not_pensioned():
    shipped = [p for p in (ROOT / "app").rglob("*") if p.suffix in (".py", ".html", ".po")]
    assert [p.name for p in shipped if "pensiun" in p.read_text(encoding="utf-8")] == []


def test_a_version_imported_from_the_command_line_does_not_say_so_twice(runner, login, make):
    trainer = make.user(email="pelatih@example.go.id", roles=Role.TRAINER)
    result = runner.invoke(args=["courses", "import", "--publish",
                                 str(DATA / "courses" / "contoh-kursus")])
    assert result.exit_code == 0, result.output
    page = login(trainer).client.get("/authoring/courses/contoh-kursus").get_data(as_text=True)
    line = re.search(r"diimpor [^<]*", page).group(0)
    assert line.count("baris perintah") == 1 and "oleh" not in line
