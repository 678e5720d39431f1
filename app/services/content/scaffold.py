"""A new course folder to start from: every part of the format, already passing the check."""

from __future__ import annotations

import json
import struct
import zlib
from pathlib import Path


def _png(width: int, height: int, rgb: tuple[int, int, int]) -> bytes:
    """A plain one-colour PNG, written by hand so the scaffold needs no image library."""

    def chunk(tag: bytes, data: bytes) -> bytes:
        return struct.pack(">I", len(data)) + tag + data + struct.pack(
            ">I", zlib.crc32(tag + data)
        )

    row = b"\x00" + bytes(rgb) * width
    header = struct.pack(">IIBBBBB", width, height, 8, 2, 0, 0, 0)
    return (b"\x89PNG\r\n\x1a\n" + chunk(b"IHDR", header)
            + chunk(b"IDAT", zlib.compress(row * height)) + chunk(b"IEND", b""))


def _course_md(title: str, owner: str | None) -> str:
    owner_line = f"owner: {owner}" if owner else "# owner: email-anda@instansi.go.id"
    return f"""---
title: {json.dumps(title, ensure_ascii=False)}
summary: Tulis ringkasan satu-dua kalimat yang tampil di katalog.
jp: 2
language: id
level: Dasar
tags: [contoh]
version: "0.1"
{owner_line}
---
Tulis deskripsi kursus di sini: untuk siapa kursus ini, apa yang akan dipelajari,
dan berapa lama kira-kira.

Mulai dari [pelajaran pertama](01-pengantar/01-selamat-datang.md).
"""


FILES = {
    "01-pengantar/module.md": """---
title: Pengantar
---
Pengantar singkat modul ini tampil di halaman kursus, di atas daftar pelajarannya.
""",
    "01-pengantar/01-selamat-datang.md": """---
title: Selamat Datang
minutes: 3
---
Ini pelajaran pertama. Tulis dengan paragraf pendek: peserta membaca dari ponsel.

![Contoh gambar](../media/contoh.png)

!!! note "Catatan"
    Kotak catatan seperti ini dibuat dengan `!!! note "Judul"` lalu isi yang menjorok
    empat spasi. Jenis lain: `tip`, `warning`, `danger`.

Lanjutkan ke [pelajaran berikutnya](02-menulis-pelajaran.md).
""",
    "01-pengantar/02-menulis-pelajaran.md": """---
title: Menulis Pelajaran
---
## Daftar dan tabel

- Gunakan daftar untuk langkah-langkah.
- Gunakan **huruf tebal** secukupnya.

| Istilah | Arti |
|---------|------|
| JP      | jam pelajaran |

Kembali ke [pelajaran pertama](01-selamat-datang.md).
""",
    "01-pengantar/03-kuis-pengantar.md": """---
title: Kuis Pengantar
type: quiz
pass_mark: 70
attempts: 3
---
## Format apa yang dipakai untuk menulis pelajaran?

- [ ] Dokumen Word
- [x] Markdown
- [ ] Lembar kerja

> Setiap pelajaran adalah satu berkas Markdown (.md).

## Pilih semua yang boleh ada di folder media/. {points=2}

- [x] Gambar PNG
- [x] Berkas PDF
- [ ] Berkas SVG

## Berapa JP kursus ini?

= 2
= dua
""",
}


def scaffold_course(folder: Path, *, title: str, owner: str | None = None) -> list[Path]:
    """Write a new course folder with a sample lesson, quiz and image; returns the paths
    written. Raises FileExistsError when `folder` already exists."""
    folder.mkdir(parents=True, exist_ok=False)
    written = []
    contents = {"course.md": _course_md(title, owner), **FILES}
    for rel, text in contents.items():
        path = folder / rel
        path.parent.mkdir(parents=True, exist_ok=True)
        path.write_text(text, encoding="utf-8")
        written.append(path)
    media = folder / "media" / "contoh.png"
    media.parent.mkdir()
    media.write_bytes(_png(240, 120, (138, 75, 0)))
    written.append(media)
    return written
