"""Forgiving Markdown: nested lists by 2 or 4 spaces; warnings that never stop an import."""

import pytest

from app.services.content import check_course
from app.services.content.lint import lint_markdown
from app.services.content.render import render_markdown

NESTED = "- Siapkan berkas\n{i}- KTP\n{i}- NPWP\n{i}{i}- asli dan salinan\n- Datang ke loket\n"


@pytest.mark.parametrize("indent", [2, 4])
def test_nested_lists_indented_by_2_or_4_spaces_render_nested(indent):
    html = render_markdown(NESTED.format(i=" " * indent))
    assert html.count("<ul>") == 3
    assert "<li>Siapkan berkas<ul>\n<li>KTP</li>" in html
    assert "<li>NPWP<ul>\n<li>asli dan salinan</li>" in html
    assert html.rstrip().endswith("<li>Datang ke loket</li>\n</ul>")


def test_extra_still_works_alongside_the_list_extension():
    html = render_markdown("Istilah\n:   Definisi.\n\n| a |\n|---|\n| 1 |\n\n3. tiga\n4. empat\n\n"
                           "Catatan[^1].\n\n[^1]: Kaki.\n\n```\nkode\n```\n")
    assert "<dl>" in html and "<table>" in html and '<ol start="3">' in html
    assert 'class="footnote"' in html and "<pre><code>kode" in html


def test_warnings_name_path_and_line_and_never_fail_the_check(app, course_copy):
    folder = course_copy()
    (folder / "01-dasar" / "04-catatan.md").write_text(
        "---\ntitle: Catatan\n---\n"
        "Paragraf pembuka.\n\n"                                # line 4
        "#### Terlalu dalam\n\n"                               # 6: skips H2 and H3
        "![](../media/diagram.png)\n\n"                        # 8: no alt text
        '<p style="color:red" onclick="x()">merah</p>\n\n'     # 10: two attributes dropped
        "<iframe src=\"https://contoh.id\"></iframe>\n\n"      # 12: tag dropped with content
        "<a href=\"javascript:alert(1)\">klik</a>\n\n"          # 14: address dropped
        "<img src=\"../media/diagram.png\">\n\n"              # 16: no alt attribute
        "```\n<script>dalam kode, aman</script>\n#### juga aman\n```\n"
        "Teks `<b onclick=1>` dalam kode.\n"
    )
    with app.test_request_context():
        course, errors, warnings = check_course(folder, display_root="k")
    assert course is not None and errors == []
    assert [str(w) for w in warnings if "04-catatan" in w.path] == [
        "k/01-dasar/04-catatan.md:6: peringatan: judul melompat dari tingkat 1 ke 4: pakai ##",
        "k/01-dasar/04-catatan.md:8: peringatan: gambar tanpa teks alternatif: tulis apa isinya"
        " di ![…](…) untuk pembaca layar",
        "k/01-dasar/04-catatan.md:10: peringatan: atribut 'style' pada <p> akan dibuang",
        "k/01-dasar/04-catatan.md:10: peringatan: atribut 'onclick' pada <p> akan dibuang",
        "k/01-dasar/04-catatan.md:12: peringatan: HTML <iframe> akan dibuang beserta isinya",
        "k/01-dasar/04-catatan.md:14: peringatan: alamat 'javascript:alert(1)' pada <a> akan"
        " dibuang",
        "k/01-dasar/04-catatan.md:16: peringatan: gambar tanpa teks alternatif: beri atribut alt",
    ]


def test_courses_check_prints_warnings_and_still_exits_0(runner, course_copy):
    folder = course_copy()
    result = runner.invoke(args=["courses", "check", str(folder)])
    assert result.exit_code == 0
    # The sample lesson's <script> and onclick are removed by the sanitiser: the trainer is told.
    assert f"{folder}/01-dasar/01-pembuka.md:14: peringatan: HTML <script> akan dibuang beserta " \
           "isinya" in result.output
    assert "contoh-kursus: OK" in result.output


def test_a_code_example_does_not_decide_how_the_lessons_lists_nest():
    """A YAML example's '  - satu' inside a fence is not a list: the 4-space lists still nest."""
    html = render_markdown(NESTED.format(i="    ") + "\n```yaml\ndaftar:\n  - satu\n```\n")
    assert "<li>Siapkan berkas<ul>\n<li>KTP</li>" in html


def test_lists_that_will_not_nest_are_warned_about_at_their_line():
    """One text nests by one width: 4-space items in a text whose lists nest by 2 render flat,
    and courses check says so instead of staying silent."""
    body = ("- a\n  - a1\n\n"            # lines 10-11: nests by 2
            "1. Satu\n    1. Satu-a\n"    # 14: 4 past its parent, will be flat
            "    2. Satu-b\n\n"          # 15: a sibling of Satu-a, nothing new
            "```\n- x\n    - y\n```\n")  # in a fence: not a list
    found = [(line, "4 spasi" in message) for line, message in lint_markdown(body, 10)]
    assert found == [(14, True)]
    assert lint_markdown(NESTED.format(i="    "), 1) == []
    assert lint_markdown(NESTED.format(i="  "), 1) == []
