"""Course archives are hostile input: each kind of attack is refused and nothing is left behind.

Every hostile archive is built here, in the test, around a real course.md.
"""

import io
import os
import stat
import warnings
import zipfile
from pathlib import Path

import pytest

from app.services.errors import NotFound
from app.services.uploads import ArchiveRefused, extracted_course, media_member
from tests.factories import zip_course

DATA = Path(__file__).parents[1] / "data" / "courses"
COURSE_MD = (DATA / "contoh-kursus" / "course.md").read_bytes()


@pytest.fixture(autouse=True)
def _ctx(app):
    with app.app_context():  # messages are translated with Flask-Babel
        yield


@pytest.fixture
def work(tmp_path):
    """Where the temporary folders go, so a test can see that nothing is left there."""
    folder = tmp_path / "work"
    folder.mkdir()
    return folder


def archive(*members, compression=zipfile.ZIP_DEFLATED) -> bytes:
    """A zip of (name or ZipInfo, bytes) members."""
    buffer = io.BytesIO()
    with zipfile.ZipFile(buffer, "w", compression) as zf, warnings.catch_warnings():
        warnings.filterwarnings("ignore", "Duplicate name", UserWarning)  # wanted in one test
        for name, data in members:
            zf.writestr(name, data)
    return buffer.getvalue()


def refusal(data: bytes, work: Path, filename: str = "contoh-kursus.zip") -> list[str]:
    """Extract and expect a refusal; prove that nothing was written anywhere near."""
    with pytest.raises(ArchiveRefused) as caught, extracted_course(
        data, filename, temp_root=str(work)
    ):
        pytest.fail("the archive was accepted")
    assert list(work.iterdir()) == []
    assert [p.name for p in work.parent.rglob("*") if p != work] == []
    return caught.value.reasons


def test_a_zip_of_the_course_folder_is_extracted_into_a_temporary_folder(work):
    data = zip_course(DATA / "contoh-kursus")
    with extracted_course(data, "apa-saja.zip", temp_root=str(work)) as folder:
        assert folder.name == "contoh-kursus"
        assert folder.parent.parent == work
        assert (folder / "course.md").read_bytes() == COURSE_MD
        assert (folder / "media" / "diagram.png").is_file()
    assert list(work.iterdir()) == []


def test_a_zip_of_the_folder_contents_takes_its_slug_from_the_file_name(work):
    data = zip_course(DATA / "contoh-kursus", wrap=False)
    with extracted_course(data, "C:\\Users\\rina\\contoh-kursus.ZIP", temp_root=str(work)) as f:
        assert f.name == "contoh-kursus"
        assert (f / "01-dasar" / "01-pembuka.md").is_file()
    reasons = refusal(data, work, filename="Arsip (1).zip")
    assert "bukan nama kursus yang sah" in reasons[0] and "'Arsip (1)'" in reasons[0]


def test_operating_system_clutter_is_skipped(work):
    data = archive(
        ("contoh-kursus/course.md", COURSE_MD),
        ("contoh-kursus/.DS_Store", b"\0\0\0\1Bud1"),
        ("__MACOSX/contoh-kursus/._course.md", b"\0\5\26\7"),
        ("contoh-kursus/media/Thumbs.db", b"\xd0\xcf\x11\xe0"),
    )
    with extracted_course(data, "x.zip", temp_root=str(work)) as folder:
        assert sorted(p.name for p in folder.rglob("*")) == ["course.md"]


@pytest.mark.parametrize(
    ("name", "message"),
    [
        ("contoh-kursus/../../evil.md", "contoh-kursus/../../evil.md: jalur keluar dari folder "
                                        "kursus (..)"),
        ("../evil.md", "../evil.md: jalur keluar dari folder kursus (..)"),
        ("/tmp/evil.md", "/tmp/evil.md: jalur absolut tidak diizinkan"),
        ("C:/Windows/evil.md", "C:/Windows/evil.md: jalur absolut tidak diizinkan"),
        ("contoh-kursus\\..\\..\\evil.md", "nama memakai garis miring terbalik"),
        ("contoh-kursus//evil.md", "contoh-kursus//evil.md: nama berkas tidak wajar"),
    ],
)
def test_names_that_leave_the_folder_are_refused(work, name, message):
    data = archive(("contoh-kursus/course.md", COURSE_MD), (name, b"---\ntitle: x\n---\nx\n"))
    reasons = refusal(data, work)
    assert len(reasons) == 1 and message in reasons[0]


def test_symbolic_links_are_refused(work):
    link = zipfile.ZipInfo("contoh-kursus/media/tautan.png")
    link.create_system = 3  # Unix: the mode lives in the high bits of external_attr
    link.external_attr = (stat.S_IFLNK | 0o777) << 16
    data = archive(("contoh-kursus/course.md", COURSE_MD), (link, b"/etc/passwd"))
    assert refusal(data, work) == [
        "contoh-kursus/media/tautan.png: tautan simbolik tidak diizinkan"
    ]


@pytest.mark.parametrize(
    "name", ["contoh-kursus/media/logo.svg", "contoh-kursus/catatan.docx",
             "contoh-kursus/media/skrip.html", "contoh-kursus/01-dasar/program.exe",
             "contoh-kursus/media/TANPA-EKSTENSI"],
)
def test_file_types_outside_the_format_are_refused_svg_included(work, name):
    data = archive(("contoh-kursus/course.md", COURSE_MD), (name, b"<svg onload=alert(1)>"))
    reasons = refusal(data, work)
    assert reasons == [
        f"{name}: jenis berkas tidak diizinkan (hanya .md, .yml, .yaml, .png, .jpg, .jpeg, "
        ".webp, .gif, .pdf, .gift, .txt)"
    ]


def test_every_offending_member_is_named_at_once(work):
    data = archive(("contoh-kursus/course.md", COURSE_MD), ("../a.md", b"x"),
                   ("contoh-kursus/media/b.svg", b"<svg/>"))
    reasons = refusal(data, work)
    assert [r.split(":")[0] for r in reasons] == ["../a.md", "contoh-kursus/media/b.svg"]


def test_more_than_2000_entries_are_refused(work):
    members = [("contoh-kursus/course.md", COURSE_MD)] + [
        (f"contoh-kursus/media/{i:04}.png", b"\x89PNG\r\n\x1a\n") for i in range(2000)
    ]
    assert refusal(archive(*members), work) == ["arsip berisi lebih dari 2.000 berkas"]
    # Exactly 2,000 entries is fine.
    with extracted_course(archive(*members[:2000]), "x.zip", temp_root=str(work)) as folder:
        assert len(list((folder / "media").iterdir())) == 1999


def test_an_archive_over_50_mb_is_refused(work):
    big = os.urandom(50 * 1024 * 1024)  # random bytes do not compress
    data = archive(("contoh-kursus/course.md", COURSE_MD), ("contoh-kursus/media/a.pdf", big),
                   compression=zipfile.ZIP_STORED)
    assert len(data) > 50 * 1024 * 1024
    assert refusal(data, work) == ["arsip lebih besar dari 50 MB"]


def bomb(megabytes: int) -> bytes:
    """A few hundred kilobytes that inflate to `megabytes` of zeros."""
    buffer = io.BytesIO()
    with zipfile.ZipFile(buffer, "w", zipfile.ZIP_DEFLATED) as zf:
        zf.writestr("contoh-kursus/course.md", COURSE_MD)
        with zf.open("contoh-kursus/media/besar.pdf", "w") as out:
            chunk = b"\0" * 2**20
            for _ in range(megabytes):
                out.write(chunk)
    return buffer.getvalue()


def test_a_zip_bomb_over_200_mb_uncompressed_is_refused(work):
    data = bomb(201)
    assert len(data) < 1024 * 1024
    assert refusal(data, work) == ["isi arsip setelah dibuka lebih dari 200 MB"]


def test_a_bomb_whose_headers_understate_its_size_is_refused(work):
    data = bytearray(bomb(201))
    # Claim 1 KB in the central directory record of the big member (the last record).
    record = data.rfind(b"PK\x01\x02")
    data[record + 24:record + 28] = (1024).to_bytes(4, "little")
    reasons = refusal(bytes(data), work)
    assert reasons == ["contoh-kursus/media/besar.pdf: rusak atau tidak dapat dibaca"]


@pytest.mark.parametrize(
    ("members", "message"),
    [
        ([("a/course.md", COURSE_MD), ("b/course.md", COURSE_MD)], "satu folder kursus"),
        ([("contoh-kursus/01-dasar/01-a.md", b"x")], "satu folder kursus"),
        ([("contoh-kursus/course.md", COURSE_MD)] * 2, "muncul dua kali di arsip"),
    ],
)
def test_archives_that_hold_no_single_course_are_refused(work, members, message):
    assert message in refusal(archive(*members), work)[0]


def test_a_file_that_is_not_a_zip_is_refused(work):
    assert refusal(b"%PDF-1.4 bukan zip", work) == ["berkas ini bukan arsip .zip yang valid"]


def test_media_are_read_from_a_stored_archive_without_extracting_it():
    data = zip_course(DATA / "contoh-kursus")
    image, content_type = media_member(data, "x.zip", "diagram.png")
    assert image == (DATA / "contoh-kursus" / "media" / "diagram.png").read_bytes()
    assert content_type == "image/png"
    for name in ("../course.md", "tidak-ada.png", "../01-dasar/01-pembuka.md"):
        with pytest.raises(NotFound):
            media_member(data, "x.zip", name)
