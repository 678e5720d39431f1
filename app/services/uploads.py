"""Course uploads are hostile input: every member of a .zip is checked before a byte is written.

An accepted archive holds either the course folder itself (`literasi-digital-asn/course.md`,
what "compress this folder" makes on Windows and macOS) or the folder's contents
(`course.md` at the top, then the slug is the archive's file name: `literasi-digital-asn.zip`).
Files are only ever written inside a fresh temporary folder that is removed afterwards.
"""

from __future__ import annotations

import io
import posixpath
import re
import stat
import tempfile
import zipfile
import zlib
from collections.abc import Iterator
from contextlib import contextmanager
from dataclasses import dataclass
from pathlib import Path

from flask_babel import format_decimal
from flask_babel import gettext as _

from app.services.content.loader import MAX_MEDIA_BYTES, MEDIA_TYPES, SLUG
from app.services.errors import InvalidInput, NotFound

MAX_UPLOAD_BYTES = 50 * 1024 * 1024
MAX_ENTRIES = 2000
MAX_UNCOMPRESSED_BYTES = 200 * 1024 * 1024
ALLOWED_EXTENSIONS = (".md", ".yml", ".yaml", ".png", ".jpg", ".jpeg", ".webp", ".gif", ".pdf",
                      ".gift", ".txt")
# Left behind by operating systems' zip tools: skipped, never extracted.
_JUNK_TOP = {"__MACOSX"}
_JUNK_NAMES = {"Thumbs.db", "desktop.ini"}
_CENTRAL_RECORD = b"PK\x01\x02"
_DRIVE = re.compile(r"^[A-Za-z]:")
_CONTROL = re.compile(r"[\x00-\x1f\x7f]")
_CHUNK = 64 * 1024


class ArchiveRefused(InvalidInput):
    """The archive is not safe or not a course archive; `reasons` lists every offending member."""

    def __init__(self, reasons: list[str]):
        super().__init__(_("Arsip ditolak: %(reason)s", reason=reasons[0]))
        self.reasons = reasons


@dataclass(frozen=True)
class _Member:
    info: zipfile.ZipInfo
    parts: tuple[str, ...]  # the name split on "/", without a trailing empty part


def _unsafe_name(name: str) -> str | None:
    """Why a member name could write outside the folder or confuse a file system, if it could."""
    if "\\" in name:
        return str(_("%(name)s: nama memakai garis miring terbalik (\\)", name=name))
    if name.startswith("/") or _DRIVE.match(name):
        return str(_("%(name)s: jalur absolut tidak diizinkan", name=name))
    parts = name.removesuffix("/").split("/")
    if ".." in parts:
        return str(_("%(name)s: jalur keluar dari folder kursus (..)", name=name))
    if _CONTROL.search(name) or any(part in ("", ".") for part in parts):
        return str(_("%(name)s: nama berkas tidak wajar", name=name))
    return None


def _is_junk(parts: tuple[str, ...]) -> bool:
    return parts[0] in _JUNK_TOP or parts[-1] in _JUNK_NAMES or any(
        part.startswith(".") for part in parts
    )


def _unreadable_entry(info: zipfile.ZipInfo) -> str | None:
    """Why an entry is refused whatever it holds (unsafe name, link, device, encryption)."""
    name = info.filename
    unsafe = _unsafe_name(name)
    if unsafe:
        return unsafe
    mode = info.external_attr >> 16
    if stat.S_ISLNK(mode):
        return str(_("%(name)s: tautan simbolik tidak diizinkan", name=name))
    if stat.S_IFMT(mode) not in (0, stat.S_IFREG, stat.S_IFDIR):
        return str(_("%(name)s: bukan berkas biasa", name=name))
    if info.flag_bits & 0x1:
        return str(_("%(name)s: berkas terenkripsi tidak dapat dibaca", name=name))
    return None


def _checked_members(archive: zipfile.ZipFile) -> tuple[list[_Member], list[_Member]]:
    """Check every entry; return (directories, files) worth extracting or raise ArchiveRefused."""
    infos = archive.infolist()
    if len(infos) > MAX_ENTRIES:
        raise ArchiveRefused([_too_many_entries()])
    reasons: list[str] = []
    dirs: list[_Member] = []
    files: list[_Member] = []
    seen: set[str] = set()
    declared = 0
    allowed = ", ".join(ALLOWED_EXTENSIONS)
    for info in infos:
        name = info.filename
        unreadable = _unreadable_entry(info)
        if unreadable:
            reasons.append(unreadable)
            continue
        member = _Member(info, tuple(name.removesuffix("/").split("/")))
        if _is_junk(member.parts):
            continue
        if info.is_dir():
            dirs.append(member)
            continue
        if posixpath.splitext(name)[1].lower() not in ALLOWED_EXTENSIONS:
            reasons.append(_("%(name)s: jenis berkas tidak diizinkan (hanya %(allowed)s)",
                             name=name, allowed=allowed))
            continue
        if name in seen:
            reasons.append(_("%(name)s: muncul dua kali di arsip", name=name))
            continue
        seen.add(name)
        declared += info.file_size
        files.append(member)
    if declared > MAX_UNCOMPRESSED_BYTES:
        reasons.append(_too_big_uncompressed())
    if reasons:
        raise ArchiveRefused(reasons)
    return dirs, files


def _too_many_entries() -> str:
    return str(_("arsip berisi lebih dari %(n)s berkas", n=format_decimal(MAX_ENTRIES)))


def _too_big_uncompressed() -> str:
    return str(_("isi arsip setelah dibuka lebih dari %(mb)d MB",
                 mb=MAX_UNCOMPRESSED_BYTES // 2**20))


def _course_root(
    dirs: list[_Member], files: list[_Member], filename: str
) -> tuple[str, tuple[str, ...]]:
    """(slug, prefix to strip): the archive's single top folder, or its file name."""
    if any(m.parts == ("course.md",) for m in files):
        stem = posixpath.basename((filename or "").replace("\\", "/"))
        stem = stem[:-4] if stem.lower().endswith(".zip") else stem
        if not SLUG.fullmatch(stem):
            raise ArchiveRefused([_(
                "course.md ada langsung di akar arsip, jadi nama kursus diambil dari nama berkas "
                "zip, tetapi '%(name)s' bukan nama kursus yang sah (huruf kecil, angka dan "
                "tanda '-'). Ganti nama berkasnya, misalnya literasi-digital-asn.zip, atau zip "
                "folder kursusnya.", name=stem)])
        return stem, ()
    tops = {m.parts[0] for m in dirs + files}
    if len(tops) == 1:
        top = tops.pop()
        if any(m.parts == (top, "course.md") for m in files):
            return top, (top,)
    raise ArchiveRefused([_(
        "arsip harus berisi satu folder kursus dengan course.md di dalamnya, atau isi folder "
        "kursus langsung (course.md di akar arsip)")])


def _open(data: bytes) -> zipfile.ZipFile:
    if len(data) > MAX_UPLOAD_BYTES:
        raise ArchiveRefused([_("arsip lebih besar dari %(mb)d MB", mb=MAX_UPLOAD_BYTES // 2**20)])
    # zipfile builds an object for every central-directory record before we can count them;
    # every record starts with this signature, so counting it first bounds that work.
    if data.count(_CENTRAL_RECORD) > MAX_ENTRIES:
        raise ArchiveRefused([_too_many_entries()])
    try:
        return zipfile.ZipFile(io.BytesIO(data))
    except (zipfile.BadZipFile, zipfile.LargeZipFile, ValueError, EOFError):
        raise ArchiveRefused([_("berkas ini bukan arsip .zip yang valid")]) from None


def _extract(archive: zipfile.ZipFile, dirs: list[_Member], files: list[_Member],
             prefix: tuple[str, ...], folder: Path) -> None:
    """Write the members under `folder`, counting the bytes actually inflated."""
    root = folder.resolve()
    root.mkdir()
    total = 0
    for member in dirs:
        rel = member.parts[len(prefix):]
        if rel:
            (root.joinpath(*rel)).mkdir(parents=True, exist_ok=True)
    for member in files:
        target = root.joinpath(*member.parts[len(prefix):])
        if not target.resolve().is_relative_to(root):  # the name checks make this impossible
            raise ArchiveRefused([_("%(name)s: jalur keluar dari folder kursus (..)",
                                    name=member.info.filename)])
        try:
            target.parent.mkdir(parents=True, exist_ok=True)
            with archive.open(member.info) as source, open(target, "xb") as out:
                while chunk := source.read(_CHUNK):
                    total += len(chunk)
                    # Headers can lie about sizes: the limit holds for what is really inflated.
                    if total > MAX_UNCOMPRESSED_BYTES:
                        raise ArchiveRefused([_too_big_uncompressed()])
                    out.write(chunk)
        except (zipfile.BadZipFile, NotImplementedError, RuntimeError, OSError, EOFError,
                zlib.error):
            raise ArchiveRefused([_("%(name)s: rusak atau tidak dapat dibaca",
                                    name=member.info.filename)]) from None


@contextmanager
def extracted_course(
    data: bytes, filename: str, *, temp_root: str | None = None
) -> Iterator[Path]:
    """Check a course archive, extract it into a temporary folder and yield the course folder.

    Raises ArchiveRefused, before anything is written, for anything unsafe; the temporary
    folder (created under `temp_root`, default the system's) is removed when the block ends.
    """
    with _open(data) as archive:
        dirs, files = _checked_members(archive)
        slug, prefix = _course_root(dirs, files, filename)
        with tempfile.TemporaryDirectory(prefix="lentera-upload-", dir=temp_root) as tmp:
            folder = Path(tmp) / slug
            _extract(archive, dirs, files, prefix, folder)
            yield folder


def media_member(data: bytes, filename: str, name: str) -> tuple[bytes, str]:
    """(bytes, content type) of media/<name> in a stored, already checked archive. Raises
    NotFound for a name that is not a media file there (or is over MAX_MEDIA_BYTES),
    ArchiveRefused when the archive cannot be read."""
    kind = MEDIA_TYPES.get(posixpath.splitext(name)[1].lower())
    if kind is None or _unsafe_name(name):
        raise NotFound()
    with _open(data) as archive:
        dirs, files = _checked_members(archive)
        _slug, prefix = _course_root(dirs, files, filename)
        wanted = (*prefix, "media", *name.split("/"))
        member = next((m for m in files if m.parts == wanted), None)
        if member is None or member.info.file_size > MAX_MEDIA_BYTES:
            raise NotFound()
        return archive.read(member.info), kind[0]
