"""Warnings about a lesson's Markdown: told by `courses check`, never stopping an import.

What they catch is what a learner would lose: a picture a screen reader cannot describe, a
heading outline with a hole in it, HTML that the sanitiser (content.render) will remove.
"""

from __future__ import annotations

import re
from collections.abc import Iterator

from flask_babel import lazy_gettext as _l

from app.services.content.render import _ATTRIBUTES, _TAGS, flattened_items

_FENCE = re.compile(r"^\s*(```|~~~)")
_HEADING = re.compile(r"^(#{1,6})\s+\S")
_CODE_SPAN = re.compile(r"(`+).*?\1")
_NO_ALT_IMAGE = re.compile(r"!\[\s*\]\s*[(\[]")
_TAG = re.compile(r"<(/?)([A-Za-z][A-Za-z0-9-]*)((?:\s[^<>]*)?)/?>")
_ATTR = re.compile(r"""([^\s"'<>/=]+)(?:\s*=\s*("[^"]*"|'[^']*'|[^\s"'=<>`]+))?""")
# nh3 removes these with everything inside them, not only the tags.
_DROPPED_WITH_CONTENT = {"script", "style", "iframe", "object", "embed", "template", "noscript"}


def _lines(body: str, first_line: int) -> Iterator[tuple[int, str]]:
    """(line number, text without code spans) for every line outside fenced code."""
    in_fence = False
    for offset, line in enumerate(body.split("\n")):
        if _FENCE.match(line):
            in_fence = not in_fence
            continue
        if in_fence:
            continue
        yield first_line + offset, _CODE_SPAN.sub("", line)


def lint_markdown(body: str, first_line: int) -> list[tuple[int, str]]:
    """[(line, message)] about images without alt text, skipped heading levels and raw HTML
    the sanitiser will remove; lines count from `first_line`. The page's title is its H1, so
    the body starts at H2. Raises nothing: these are warnings (PRODUCT §3)."""
    found: list[tuple[int, str]] = []
    level = 1
    for line_no, line in _lines(body, first_line):
        if _NO_ALT_IMAGE.search(line):
            found.append((line_no, str(_l(
                "gambar tanpa teks alternatif: tulis apa isinya di ![…](…) untuk pembaca layar"))))
        heading = _HEADING.match(line)
        if heading:
            depth = len(heading.group(1))
            if depth > level + 1:
                found.append((line_no, str(_l(
                    "judul melompat dari tingkat %(a)d ke %(b)d: pakai %(hashes)s",
                    a=level, b=depth, hashes="#" * (level + 1)))))
            level = depth
        for tag in _TAG.finditer(line):
            found.extend((line_no, message) for message in _html_losses(tag))
    for number in flattened_items(body):
        found.append((first_line + number, str(_l(
            "butir daftar ini menjorok 4 spasi, daftar lain di berkas ini 2 spasi: ia akan tampil "
            "datar, tidak bertingkat. Pakai satu lebar indentasi (2 atau 4) dalam satu berkas"))))
    return sorted(found, key=lambda item: item[0])


def _html_losses(tag: re.Match[str]) -> list[str]:
    closing, name, rest = tag.group(1), tag.group(2).lower(), tag.group(3) or ""
    if closing:
        return []
    if name not in _TAGS:
        if name in _DROPPED_WITH_CONTENT:
            return [str(_l("HTML <%(tag)s> akan dibuang beserta isinya", tag=name))]
        return [str(_l("HTML <%(tag)s> akan dibuang (isinya tetap tampil)", tag=name))]
    allowed = _ATTRIBUTES.get("*", set()) | _ATTRIBUTES.get(name, set())
    out = []
    for attr in _ATTR.finditer(rest):
        key, value = attr.group(1).lower(), (attr.group(2) or "").strip("\"'")
        if key not in allowed:
            out.append(str(_l("atribut '%(attr)s' pada <%(tag)s> akan dibuang",
                              attr=key, tag=name)))
        elif key in ("href", "src") and re.match(r"\s*[a-z][a-z0-9+.-]*:", value, re.I) and not (
            re.match(r"\s*(https?|mailto):", value, re.I)
        ):
            out.append(str(_l("alamat '%(url)s' pada <%(tag)s> akan dibuang",
                              url=value[:40], tag=name)))
    if name == "img" and "alt" not in {a.group(1).lower() for a in _ATTR.finditer(rest)}:
        out.append(str(_l("gambar tanpa teks alternatif: beri atribut alt")))
    return out
