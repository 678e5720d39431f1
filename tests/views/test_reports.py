"""The report pages and exports over HTTP, tried as a supervisor and as an attacker would."""

import csv
import io
import re
from collections import Counter
from datetime import date

import pytest
from openpyxl import load_workbook
from sqlalchemy import event

from app.extensions import db
from app.models import Role, User, utcnow
from app.services import reports
from tests.factories import UserInfo, make_enrolment, make_unit, make_user, wrong_answers
from tests.seed import PEOPLE, expected_jp, expected_rows, seed

OUTSIDERS = ("Fajar", "Gita", "Sup2", "Eko")


@pytest.fixture
def org(app, tmp_path):
    with app.app_context():
        return seed(db.session, tmp_path)


@pytest.fixture
def sup(org, login):
    return login(UserInfo(org.users["sup"], "sup@example.go.id", int(Role.SUPERVISOR)))


def read_csv(response) -> list[dict]:
    text = response.get_data(as_text=True)
    assert text.startswith("\ufeff")
    return list(csv.DictReader(io.StringIO(text[1:])))



def table_rows(html: str, caption_id: str) -> list[list[str]]:
    """Cells of the table inside the region labelled by caption_id, tags stripped."""
    region = html.split(f'aria-labelledby="{caption_id}"', 1)[1].split("</table>", 1)[0]
    body = region.split("<tbody>", 1)[1]
    return [
        [re.sub(r"<[^>]+>", "", cell).strip()
         for cell in re.findall(r"<t[hd][^>]*>(.*?)</t[hd]>", row, re.S)]
        for row in re.findall(r"<tr>(.*?)</tr>", body, re.S)
    ]


def test_the_summary_shows_each_units_figures_and_a_chart(org, sup):
    page = sup.client.get("/reports/").get_data(as_text=True)
    expected = expected_rows("SETJEN", org.calendar.today)
    units = {"Sekretariat Jenderal": "SETJEN", "Biro SDM": "BIRO-SDM", "Biro Umum": "BIRO-UMUM"}
    rows = table_rows(page, "units-title")
    # Tree order: the supervisor's unit first, then its sub-units.
    assert rows[0][0] == "Sekretariat Jenderal" and sorted(r[0] for r in rows) == sorted(units)
    for name, learners, enrolled, completed, overdue, rate in rows:
        records = {p[0]: p[4] for p in PEOPLE if p[1] == units[name]}
        pairs = {k: s for k, s in expected.items() if k[0] in records}
        mine = Counter(pairs.values())
        people = sum(1 for p in PEOPLE if p[1] == units[name] and p[3])
        total = sum(mine.values())
        started = sum(1 for key, course in pairs if course in records[key])
        assert (int(learners), int(enrolled), int(completed), int(overdue)) == (
            people, started, mine["completed"], mine["overdue"])
        assert rate == f"{round(100 * mine['completed'] / total) if total else 0}%"
    # The chart: an accessible SVG image with one bar per unit and no inline styles.
    svg = page.split('<svg class="chart"', 1)[1].split("</svg>", 1)[0]
    assert 'role="img"' in svg and 'aria-labelledby="chart-title chart-desc"' in svg
    assert "<title id=\"chart-title\">Tingkat penyelesaian per unit</title>" in svg
    assert svg.count('class="bar"') == 3
    assert "style=" not in page and "<style" not in page
    for outsider in OUTSIDERS + ("Direktorat Data",):
        assert outsider not in page


def test_an_admin_sees_every_unit(org, login, make):
    admin = login(roles=Role.ADMIN)
    page = admin.client.get("/reports/").get_data(as_text=True)
    names = [r[0] for r in table_rows(page, "units-title")]
    assert names[0] == "Kementerian Contoh" and sorted(names) == sorted([
        "Kementerian Contoh", "Sekretariat Jenderal", "Biro SDM", "Biro Umum",
        "Ditjen Layanan Digital", "Direktorat Data"])
    # Each subtree stays together: a parent is directly followed by its own units.
    assert names.index("Direktorat Data") == names.index("Ditjen Layanan Digital") + 1
    rows = admin.client.get("/reports/rows").get_data(as_text=True)
    assert "Fajar" in rows and "Gita" not in rows and "Eko" not in rows


@pytest.mark.parametrize("path", ["/reports/", "/reports/rows", "/reports/jp",
                                  "/reports/export.csv", "/reports/export.xlsx"])
@pytest.mark.parametrize("unit", ["DIT-DATA", "DITJEN", "KEMEN"])
def test_another_units_id_in_the_query_is_not_found(org, sup, path, unit):
    response = sup.client.get(f"{path}?unit={org.units[unit]}")
    assert response.status_code == 404
    assert "Content-Disposition" not in response.headers
    assert "Halaman tidak ditemukan" in response.get_data(as_text=True)


@pytest.mark.parametrize("key", ["fajar", "gita", "sup2"])
def test_another_learners_id_in_the_drill_down_is_not_found(org, sup, key):
    assert sup.client.get(f"/reports/learners/{org.users[key]}").status_code == 404
    assert sup.client.get("/reports/learners/999999").status_code == 404


def test_the_drill_down_lists_courses_status_and_jp(org, sup):
    page = sup.client.get(f"/reports/learners/{org.users['ani']}").get_data(as_text=True)
    rows = table_rows(page, "courses-title")
    assert [(r[0], r[2]) for r in rows] == [("Kursus Contoh", "Selesai"),
                                            ("Kursus Kedua", "Selesai")]
    assert f"JP tahun {org.calendar.today.year}: 5 dari target 20" in page
    page = sup.client.get(f"/reports/learners/{org.users['citra']}").get_data(as_text=True)
    assert [(r[0], r[2]) for r in table_rows(page, "courses-title")] == [
        ("Kursus Contoh", "Terlambat"), ("Kursus Kedua", "Belum mulai")]


def test_rows_filter_by_status_and_paginate(org, sup, monkeypatch):
    expected = expected_rows("SETJEN", org.calendar.today)
    page = sup.client.get("/reports/rows?status=overdue").get_data(as_text=True)
    rows = table_rows(page, "rows-title")
    assert sorted(r[0] for r in rows) == sorted(
        k.title() for (k, _c), s in expected.items() if s == "overdue")
    assert {r[5] for r in rows} == {"Terlambat"}
    monkeypatch.setattr(reports, "PAGE_SIZE", 4)
    first = sup.client.get("/reports/rows").get_data(as_text=True)
    pages = -(-len(expected) // 4)
    assert f"Halaman 1 dari {pages}" in first and len(table_rows(first, "rows-title")) == 4
    assert 'rel="next" href="/reports/rows?page=2"' in first
    last = sup.client.get(f"/reports/rows?page={pages}").get_data(as_text=True)
    assert len(table_rows(last, "rows-title")) == len(expected) - 4 * (pages - 1)


def test_learners_below_the_jp_target(org, sup):
    page = sup.client.get("/reports/jp").get_data(as_text=True)
    names = sorted(r[0] for r in table_rows(page, "jp-title"))
    assert names == sorted(k.title() for k, v in expected_jp("SETJEN").items() if v < 20)


@pytest.mark.parametrize(("query", "message"), [
    ("unit=abc", "tidak valid"), ("status=hilang", "Status tidak dikenal"),
    ("from=2026-13-01", "Tanggal tidak valid"),
    ("from=2026-05-02&to=2026-05-01", "Tanggal awal periode"),
])
def test_bad_filters_are_explained(org, sup, query, message):
    response = sup.client.get(f"/reports/rows?{query}")
    assert response.status_code == 400
    assert message in response.get_data(as_text=True)


def test_the_csv_export_streams_the_screens_rows_with_a_dated_name(org, sup):
    with sup.client.get("/reports/export.csv") as response:
        assert response.is_streamed
        assert response.mimetype == "text/csv"
        day = org.calendar.today.isoformat()
        assert response.headers["Content-Disposition"] == (
            f'attachment; filename="laporan-penyelesaian-{day}.csv"')
        rows = read_csv(response)
    page = sup.client.get("/reports/rows").get_data(as_text=True)
    header = page.split('aria-labelledby="rows-title"', 1)[1].split("</thead>", 1)[0]
    assert list(rows[0]) == re.findall(r'<th scope="col">([^<]+)</th>', header)
    expected = expected_rows("SETJEN", org.calendar.today)
    labels = {"completed": "Selesai", "overdue": "Terlambat", "in_progress": "Sedang berjalan",
              "not_started": "Belum mulai"}
    titles = {"A": "Kursus Contoh", "B": "Kursus Kedua"}
    assert sorted((r["Nama"], r["Kursus"], r["Status"]) for r in rows) == sorted(
        (k.title(), titles[c], labels[s]) for (k, c), s in expected.items())
    assert not any(r["Nama"] in OUTSIDERS for r in rows)
    ani = [r for r in rows if r["Nama"] == "Ani"]
    assert {r["JP tahun ini"] for r in ani} == {"5.00"}
    assert all(date.fromisoformat(r["Selesai"]).year == org.calendar.today.year for r in ani)


@pytest.mark.parametrize("hostile", [
    '=HYPERLINK("http://jahat.example","klik")',
    "Budi;=1+2;@SUM(1)",  # Excel with ";" as its list separator (Indonesian settings)
    "+62 811",
])
def test_exports_keep_formulas_from_running(app, org, sup, hostile):
    with app.app_context():
        user = db.session.get(User, org.users["budi"])
        user.name = hostile
        db.session.commit()
    response = sup.client.get("/reports/export.csv?status=overdue")
    text = response.get_data(as_text=True)
    rows = read_csv(response)
    # Every field quoted; the name is guarded wherever a formula could start, even after ";".
    assert all(line.startswith('"') and line.endswith('"')
               for line in text[1:].splitlines() if line)
    guarded = [r["Nama"] for r in rows if r["Nama"].replace("'", "") == hostile.replace("'", "")]
    assert len(guarded) == 1 and guarded[0].startswith("'")
    for piece in guarded[0].split(";"):
        assert not piece.startswith(("=", "+", "-", "@")), piece
    response = sup.client.get("/reports/export.xlsx?status=overdue")
    day = org.calendar.today.isoformat()
    assert response.headers["Content-Disposition"] == (
        f'attachment; filename="laporan-penyelesaian-{day}.xlsx"')
    sheet = load_workbook(io.BytesIO(response.data)).active
    values = list(sheet.iter_rows(values_only=True))
    assert list(values[0]) == list(rows[0])
    assert len(values) == len(rows) + 1
    # In the workbook the name is text, exactly as typed: no apostrophe, no formula.
    cell = next(c for c in sheet["A"] if c.value == hostile)
    assert cell.data_type == "s"
    assert {v[5] for v in values[1:]} == {"Terlambat"}


def count_statements(app, client, url):
    statements = []
    with app.app_context():
        engine = db.engine

    def listener(*_args):
        statements.append(1)

    event.listen(engine, "before_cursor_execute", listener)
    try:
        assert client.get(url).status_code == 200
    finally:
        event.remove(engine, "before_cursor_execute", listener)
    return len(statements)


@pytest.mark.parametrize("url", ["/reports/", "/reports/rows", "/reports/jp",
                                 "/reports/rows?status=completed", "LEARNER"])
def test_a_report_page_issues_the_same_queries_for_ten_or_forty_learners(app, org, sup, url):
    if url == "LEARNER":
        url = f"/reports/learners/{org.users['ani']}"
    sup.client.get(url)  # warm up: first-request work is not the report's
    before = count_statements(app, sup.client, url)
    with app.app_context():
        make_unit(db.session, "SEKSI", "Seksi Baru", "BIRO-SDM")
        for n in range(30):
            user = make_user(db.session, unit_code="SEKSI" if n % 2 else "BIRO-UMUM")
            for course in org.courses.values():
                make_enrolment(db.session, user.id, course,
                               completed_at=utcnow() if n % 3 else None)
        db.session.commit()
    assert count_statements(app, sup.client, url) == before


def test_the_drill_down_shows_best_quiz_scores(app, org, sup):
    from sqlalchemy import select

    from app.models import Course, Lesson
    from app.services import quizzes
    from app.services.grading import correct_answers

    with app.app_context():
        # The seed has two courses with a quiz each: name the one the row below expects.
        quiz = db.session.scalar(select(Lesson).join(Lesson.course).where(
            Lesson.kind == "quiz", Course.slug == "contoh-kursus")).quiz
        for right in (False, True):
            attempt = quizzes.start_attempt(db.session, org.users["ani"], quiz)
            snapshot = quizzes.snapshot_of(attempt)
            answers = correct_answers(snapshot) if right else wrong_answers(snapshot)
            quizzes.submit_attempt(db.session, attempt, answers)
        db.session.commit()
    page = sup.client.get(f"/reports/learners/{org.users['ani']}").get_data(as_text=True)
    assert table_rows(page, "quiz-title") == [
        ["Kuis Dasar", "Kursus Contoh", "100 dari 100", "2", "ya"]]
    other = sup.client.get(f"/reports/learners/{org.users['citra']}").get_data(as_text=True)
    assert "Belum mengerjakan kuis." in other


def test_the_screens_labels_are_the_export_columns_in_both_languages(org, sup):
    """The table's headings and each cell's label (shown beside the value on a phone) are
    the export's COLUMNS, in the reader's language: one list of headings for all three."""
    from app.reports.exports import COLUMNS

    for locale, name in (("id", "Nama"), ("en", "Name")):
        sup.client.post("/language", data={"csrf_token": sup.csrf(), "locale": locale,
                                           "next": "/reports/rows"})
        page = sup.client.get("/reports/rows").get_data(as_text=True)
        table = page.split('aria-labelledby="rows-title"', 1)[1].split("</table>", 1)[0]
        head, body = table.split("</thead>", 1)
        headings = re.findall(r'<th scope="col">([^<]+)</th>', head)
        assert headings[0] == name and len(headings) == len(COLUMNS)
        first_row = re.search(r"<tr>(.*?)</tr>", body, re.S).group(1)
        assert re.findall(r'data-label="([^"]+)"', first_row) == headings[1:]
