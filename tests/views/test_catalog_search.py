"""Catalog search by title, summary and tag; filters by tag and level (issue 14, point 12)."""

import shutil

import pytest

from tests.factories import DATA


@pytest.fixture
def two_courses(make, tmp_path):
    make.course()  # "Kursus Contoh": tags uji, contoh; level Dasar
    other = tmp_path / "keamanan-siber"
    shutil.copytree(DATA / "courses" / "contoh-kursus", other)
    (other / "course.md").write_text(
        "---\ntitle: Keamanan Siber\nsummary: Melindungi data pribadi pegawai.\njp: 3\n"
        "level: Lanjutan\ntags: [keamanan, data]\n---\nTentang keamanan.\n", encoding="utf-8")
    make.course(other)


def titles(page: str) -> list[str]:
    return [t for t in ("Kursus Contoh", "Keamanan Siber") if f">{t}</a></h2>" in page]


@pytest.mark.parametrize(("query", "found"), [
    ("", ["Kursus Contoh", "Keamanan Siber"]),
    ("q=keamanan", ["Keamanan Siber"]),          # title
    ("q=DATA+PRIBADI", ["Keamanan Siber"]),      # summary, any case, every word
    ("q=uji", ["Kursus Contoh"]),                # a tag
    ("q=kursus+siber", []),                      # every word must match
    ("tag=data", ["Keamanan Siber"]),
    ("level=Dasar", ["Kursus Contoh"]),
    ("q=kursus&level=Lanjutan", []),
])
def test_search_and_filters_find_the_right_courses(login, two_courses, query, found):
    page = login().client.get("/?" + query).get_data(as_text=True)
    assert titles(page) == found
    if not found:
        assert "Tidak ada kursus yang cocok" in page


def test_the_search_form_works_without_javascript_and_keeps_its_choices(login, two_courses):
    page = login().client.get("/?q=data&tag=data&level=Lanjutan").get_data(as_text=True)
    assert '<form method="get" action="/"' in page
    assert 'value="data" maxlength="100"' in page
    assert '<option value="data" selected>' in page and '<option value="Lanjutan" selected>' in page
    assert "1 kursus ditemukan." in page


@pytest.mark.parametrize(("query", "message"), [
    ("tag=tidak-ada", "Tidak ada kursus dengan topik"),
    ("level=Mahir", "Tidak ada kursus dengan tingkat"),
    ("q=" + "x" * 101, "Kata pencarian terlalu panjang"),
])
def test_a_filter_that_cannot_match_says_so(login, two_courses, query, message):
    response = login().client.get("/?" + query)
    assert response.status_code == 400
    assert message in response.get_data(as_text=True)
