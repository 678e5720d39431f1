"""Reading and checking course folders, without a database or HTTP."""

import os
import sys
from pathlib import Path

import pytest

from app.services.content import check_course, load_course
from app.services.content.render import render_markdown

DATA = Path(__file__).parents[1] / "data" / "courses"
BROKEN = DATA.parent / "broken"


@pytest.fixture(autouse=True)
def _ctx(app):
    with app.app_context():  # messages are translated with Flask-Babel
        yield


def problems_of(folder: Path) -> list[str]:
    course, problems = load_course(folder, display_root=folder.name)
    assert course is None
    return [str(p) for p in problems]


def test_a_good_course_is_parsed_in_folder_order():
    course, problems = load_course(DATA / "contoh-kursus")
    assert problems == []
    assert course.slug == "contoh-kursus"
    assert (course.title, str(course.jp), course.tags) == ("Kursus Contoh", "2", ["uji", "contoh"])
    assert [m.dir_name for m in course.modules] == ["dasar", "lanjutan"]
    assert [lesson.path for lesson in course.lessons] == [
        "dasar/pembuka", "dasar/kedua", "dasar/kuis", "lanjutan/lanjut",
    ]
    quiz = course.lessons[2]
    assert quiz.kind == "quiz"
    assert (quiz.quiz.pass_mark, quiz.quiz.max_attempts, quiz.quiz.shuffle) == (80, 3, True)
    assert (quiz.quiz.time_limit_minutes, quiz.quiz.question_count) == (5, 3)
    assert sorted(m.path for m in course.media) == ["diagram.png", "panduan.pdf"]


def test_links_to_lessons_and_media_become_urls_relative_to_the_lesson():
    course, _ = load_course(DATA / "contoh-kursus")
    html = course.lessons[0].body_html
    assert 'href="kedua#bagian"' in html
    assert 'href="../lanjutan/lanjut"' in html
    media = next(m for m in course.media if m.path == "diagram.png")
    assert f'src="../media/diagram.png.lentera-32w?v={media.sha256[:12]}"' in html
    # The course description is shown at /courses/<slug>/, one level up from lessons.
    assert 'href="dasar/pembuka"' in course.description_html


def test_trainer_html_is_sanitised_at_import():
    course, _ = load_course(DATA / "contoh-kursus")
    html = course.lessons[0].body_html
    assert "<script" not in html and "alert(" not in html
    assert "javascript:" not in html and "onclick" not in html
    assert '<div class="admonition note">' in html


def test_markdown_extra_features_render():
    html = render_markdown(
        "| a | b |\n|---|---|\n| 1 | 2 |\n\nIstilah\n:   arti\n\nteks[^1]\n\n[^1]: catatan\n\n"
        "```python\nprint(1)\n```\n"
    )
    for fragment in ("<table>", "<dl>", 'class="footnote"', "<pre><code", "print(1)",
                     'title="Kembali ke catatan kaki 1"'):
        assert fragment in html


def test_minutes_default_to_word_count(course_copy):
    folder = course_copy()
    long_lesson = folder / "01-dasar" / "04-panjang.md"
    long_lesson.write_text("---\ntitle: Panjang\n---\n" + "kata " * 450, encoding="utf-8")
    course, problems = load_course(folder)
    assert problems == []
    assert next(lsn for lsn in course.lessons if lsn.path.endswith("/panjang")).minutes == 3


def test_every_problem_of_a_broken_course_is_reported_at_once_with_its_line():
    assert problems_of(BROKEN / "rusak") == [
        "rusak/01-modul-dua:1: nomor urut 01 sudah dipakai oleh 01-modul",
        "rusak/01-modul/01-tanpa-judul.md:1: 'title' wajib diisi",
        "rusak/01-modul/01-tanpa-judul.md:2: 'minutes' harus bilangan bulat lebih dari 0",
        "rusak/01-modul/01-tanpa-judul.md:4: tautan '../../lain/course.md' keluar dari folder "
        "kursus",
        "rusak/01-modul/02-yaml.md:3: front matter bukan YAML yang valid: found unexpected end "
        "of stream",
        "rusak/01-modul/03-kuis.md:4: 'pass_mark' harus persen dari 0 sampai 100",
        "rusak/01-modul/03-kuis.md:5: 'shuffle' harus true atau false",
        "rusak/01-modul/03-kuis.md:7: kuis belum punya pertanyaan (judul '## ')",
        "rusak/01-modul/catatan.txt:1: berkas pelajaran harus bernama NN-slug.md, misalnya "
        "01-pengantar.md",
        "rusak/2-salah:1: folder modul harus bernama NN-slug, misalnya 01-pengantar",
        "rusak/course.md:1: 'summary' wajib diisi",
        "rusak/course.md:3: 'jp' harus angka lebih dari 0",
        "rusak/course.md:4: kunci 'titel' tidak dikenal (yang dikenal: completion, jp, language, "
        "level, owner, summary, tags, title, version)",
        "rusak/course.md:5: 'language' harus 'id' atau 'en'",
        "rusak/media/gambar.svg:1: jenis berkas tidak diizinkan (hanya PNG, JPEG, WebP, GIF dan "
        "PDF)",
        "rusak/media/palsu.png:1: isi berkas tidak sesuai dengan ekstensinya",
    ]


@pytest.mark.parametrize(
    ("file", "content", "expected"),
    [
        ("course.md", b"---\ntitle: X\nsummary: Y\n---\n", "course.md:1: 'jp' wajib diisi"),
        ("course.md", b"---\ntitle: X\nsummary: Y\njp: 2\nowner: bukan email\n---\n",
         "course.md:5: 'owner' harus alamat email pelatih"),
        ("01-dasar/02-kedua.md", b"---\ntitle: A\n---\nbaris\n\xff\xfe\n",
         "01-dasar/02-kedua.md:5: berkas bukan teks UTF-8"),
        ("01-dasar/02-kedua.md", b"---\ntitle: A\n", "01-dasar/02-kedua.md:1: front matter dibuka"),
        ("01-dasar/02-kedua.md", b"---\ntitle: A\ntype: video\n---\nx\n",
         "01-dasar/02-kedua.md:3: 'type' harus 'lesson' atau 'quiz'"),
        ("01-dasar/02-kedua.md", b"---\ntitle: A\n---\n\n   \n",
         "01-dasar/02-kedua.md:4: pelajaran tidak berisi teks"),
        ("01-dasar/04-tanpa-md", b"x", "01-dasar/04-tanpa-md:1: berkas pelajaran harus bernama"),
        ("lepas.md", b"---\ntitle: A\n---\nx\n", "lepas.md:1: berkas tak terduga"),
        ("01-dasar/03-kuis.md", b"---\ntitle: K\ntype: quiz\nattempts: 0\n---\n## S?\n= a\n",
         "01-dasar/03-kuis.md:4: 'attempts' harus bilangan bulat dari 1 sampai 100"),
    ],
)
def test_each_mistake_names_its_file_and_line(course_copy, file, content, expected):
    folder = course_copy()
    (folder / file).write_bytes(content)
    found = problems_of(folder)
    assert any(p.startswith(f"contoh-kursus/{expected}") for p in found), found


def test_a_link_to_a_missing_file_is_a_warning_with_its_line(course_copy):
    """Issue 13: a dead link is reported where it is, but does not stop the course."""
    folder = course_copy()
    (folder / "01-dasar" / "02-kedua.md").write_bytes(
        b"---\ntitle: A\n---\n```\n[x](tidak-dicek.md)\n```\n[y](../01-dasar/tidak-ada.md)\n")
    course, errors, warnings = check_course(folder, display_root="k")
    assert errors == [] and course is not None
    assert "k/01-dasar/02-kedua.md:7: peringatan: tautan '../01-dasar/tidak-ada.md' menuju " \
        "berkas yang tidak ada" in [str(w) for w in warnings]


def test_symlinks_are_refused(course_copy, tmp_path):
    folder = course_copy()
    secret = tmp_path / "rahasia.png"
    secret.write_bytes(b"\x89PNG\r\n\x1a\nrahasia")
    (folder / "media" / "tautan.png").symlink_to(secret)
    assert "contoh-kursus/media/tautan.png:1: tautan simbolik tidak diizinkan" in problems_of(
        folder
    )


def test_a_course_without_course_md_or_modules_says_so(tmp_path):
    folder = tmp_path / "kosong"
    folder.mkdir()
    assert problems_of(folder) == [
        "kosong/course.md:1: course.md tidak ada",
        "kosong/course.md:1: kursus belum punya modul (folder NN-slug)",
    ]


def test_one_lessons_footnotes_abbreviations_and_links_never_reach_the_next():
    """The Markdown converter is reused between documents: nothing of one may leak into the
    next one rendered in the same thread."""
    from app.services.content.render import render_markdown

    first = render_markdown("ASN belajar.[^1] Lihat [bab](bab.md).\n\n[^1]: Catatan.\n\n"
                            "*[ASN]: Aparatur Sipil Negara", {"bab.md": "/courses/x/bab"})
    assert "Catatan" in first and "<abbr" in first and 'href="/courses/x/bab"' in first
    second = render_markdown("ASN lagi. Lihat [bab](bab.md).")
    assert "Catatan" not in second and "footnote" not in second
    assert "<abbr" not in second
    assert 'href="bab.md"' in second


@pytest.mark.skipif(not sys.platform.startswith("linux"), reason="render_many forks on Linux")
def test_rendering_on_every_core_gives_the_same_course_and_warnings(course_copy, monkeypatch):
    """`flask courses import|check` render lessons in forked processes (render_many): the
    course and its warnings are what one process makes, each warning told once, and a lesson
    rendered ahead is not rendered again."""
    from app.services.content import loader

    folder = course_copy()
    module = folder / "02-lanjutan"
    for n in range(2, 32):
        (module / f"{n:02d}-bagian-{n}.md").write_text(
            f"---\ntitle: Bagian {n}\n---\n# Bagian {n}\n\nLihat [sebelumnya]({n - 1:02d}-"
            f"bagian-{n - 1}.md), [pembuka](../01-dasar/01-pembuka.md#awal), [hilang]"
            f"(tidak-ada-{n}.md) dan ![diagram](../media/diagram.png).\n\n- satu\n- dua[^c]\n\n"
            f"[^c]: Catatan {n}.\n", encoding="utf-8")
    (module / "02-bagian-2.md").write_text(
        "---\ntitle: Bagian 2\n---\nKe [yang lama](00-lanjut.md) dan [awal](01-lanjut.md).\n",
        encoding="utf-8")

    one, errors_one, warnings_one = check_course(folder, display_root="k")
    calls = []
    real = loader.render_markdown
    monkeypatch.setattr(loader, "render_markdown", lambda *a: calls.append(a) or real(*a))
    many, errors_many, warnings_many = check_course(folder, display_root="k", processes=2)

    assert errors_one == errors_many == []
    assert [str(w) for w in warnings_many] == [str(w) for w in warnings_one]
    assert sum("tidak-ada-7.md" in str(w) for w in warnings_many) == 1
    assert [(lesson.path, lesson.body_html) for lesson in many.lessons] == [
        (lesson.path, lesson.body_html) for lesson in one.lessons]
    assert 'href="bagian-6"' in many.lessons[-25].body_html  # a lesson's link, rewritten
    assert not any(text.startswith("# Bagian") for text, *_ in calls)


_PARENT = os.getpid()


def _render_or_die(job):
    """render_many's job function, except that a forked child dies on its first document."""
    from app.services.content.render import render_markdown

    if os.getpid() != _PARENT:
        os._exit(9)
    return render_markdown(*job)


@pytest.mark.skipif(not sys.platform.startswith("linux"), reason="render_many forks on Linux")
def test_a_rendering_process_that_dies_costs_nothing_but_time(course_copy, monkeypatch):
    """A child killed mid-course (the kernel's out-of-memory killer, say): this process renders
    what it did not send back, and the course is the same."""
    from app.services.content import render

    folder = course_copy()
    for n in range(2, 40):
        (folder / "02-lanjutan" / f"{n:02d}-bagian-{n}.md").write_text(
            f"---\ntitle: Bagian {n}\n---\nIsi *bagian* {n}.\n", encoding="utf-8")
    one, _, _ = check_course(folder)
    monkeypatch.setattr(render, "_render_or_none", _render_or_die)
    many, errors, _ = check_course(folder, processes=2)
    assert errors == []
    assert [lesson.body_html for lesson in many.lessons] == [
        lesson.body_html for lesson in one.lessons]


def test_files_saved_with_a_byte_order_mark_read_as_without(course_copy):
    """Windows editors start UTF-8 files with a BOM; the front matter behind it still counts
    (it was "'title' wajib diisi" at line 1)."""
    folder = course_copy()
    for rel in ("course.md", "01-dasar/02-kedua.md"):
        path = folder / rel
        path.write_bytes(b"\xef\xbb\xbf" + path.read_bytes().replace(b"\n", b"\r\n"))
    course, errors, _ = check_course(folder)
    assert errors == []
    assert course.title == "Kursus Contoh"
    assert course.lessons[1].title == "Pelajaran Kedua"


_STOPPED_IMPORT = """
import os, sys, time
from pathlib import Path
from app.services.content import render

PARENT = os.getpid()

def slow(job):
    if os.getpid() != PARENT:  # a child: says who it is, then takes its time
        Path(sys.argv[1], str(os.getpid())).touch()
        time.sleep(60)

render._render_or_none = slow
render.render_many([("teks", {}, "id")] * 40, 2)
"""


@pytest.mark.skipif(not sys.platform.startswith("linux"), reason="render_many forks on Linux")
def test_stopping_an_import_stops_its_rendering_processes(tmp_path):
    """A `flask courses import` stopped with SIGTERM (a deploy script, a supervisor) leaves no
    child behind, blocked on a pipe nobody reads any more."""
    import signal
    import subprocess
    import time

    pids = tmp_path / "pids"
    pids.mkdir()
    parent = subprocess.Popen([sys.executable, "-c", _STOPPED_IMPORT, str(pids)],
                              cwd=Path(__file__).parents[2])
    try:
        deadline = time.monotonic() + 30
        while not any(pids.iterdir()) and time.monotonic() < deadline:
            time.sleep(0.05)
        child = int(next(pids.iterdir()).name)
    finally:
        parent.send_signal(signal.SIGTERM)
        parent.wait(timeout=10)

    def alive(pid: int) -> bool:  # a zombie nobody reaps counts as gone
        try:
            return Path(f"/proc/{pid}/stat").read_text().rsplit(")", 1)[1].split()[0] != "Z"
        except (FileNotFoundError, ProcessLookupError):
            return False

    deadline = time.monotonic() + 10
    while alive(child) and time.monotonic() < deadline:
        time.sleep(0.05)
    assert not alive(child)


_FORK_REFUSED = """
import os
from app.services.content import render

real_fork, forks = os.fork, []

def fork():  # the second fork refused, as a process limit (ulimit -u, a pids cgroup) does
    forks.append(1)
    if len(forks) == 2:
        raise BlockingIOError(11, "Resource temporarily unavailable")
    return real_fork()

os.fork = fork
html = render.render_many([(f"teks *{n}*", {}, "id") for n in range(40)], 3)
print(sum(h is not None for h in html), "of", len(html), "rendered")
"""


@pytest.mark.skipif(not sys.platform.startswith("linux"), reason="render_many forks on Linux")
def test_a_refused_fork_leaves_no_child_to_wait_for(tmp_path):
    """The first child started, the second could not be: the command still ends (the child
    started is stopped, not waited for at exit), and the rest is rendered by the caller."""
    import subprocess

    done = subprocess.run([sys.executable, "-c", _FORK_REFUSED], capture_output=True,
                          text=True, timeout=60, cwd=Path(__file__).parents[2])
    assert done.returncode == 0, done.stderr
    assert "of 40 rendered" in done.stdout
