"""Read a course folder, check it against PRODUCT §3 and report every problem at once."""

from __future__ import annotations

import hashlib
import math
import posixpath
import re
from collections.abc import Callable, Iterator
from dataclasses import dataclass, field
from decimal import Decimal, InvalidOperation
from pathlib import Path
from typing import Any, TypeAlias, TypeVar

from flask_babel import lazy_gettext as _l

from app.services.content.frontmatter import FrontMatter, FrontMatterError, parse_front_matter
from app.services.content.images import (
    RESIZABLE,
    VARIANT_MARK,
    ImageInfo,
    image_info,
    with_image_sizes,
)
from app.services.content.lint import lint_markdown
from app.services.content.moodle import convert_bank, merged, quiz_markdown_with_lines
from app.services.content.quiz_format import parse_quiz
from app.services.content.render import (
    MarkdownRefused,
    RenderJob,
    markdown_hazard,
    render_many,
    render_markdown,
)

SLUG = re.compile(r"[a-z0-9][a-z0-9-]*")
NUMBERED = re.compile(r"(\d{2,})-([a-z0-9][a-z0-9-]*)")

_T = TypeVar("_T")
# render(rel, body, first_line, url_dir, language): a body's sanitised HTML, links rewritten.
Render: TypeAlias = Callable[[str, str, int, str, str], str]
# rewrites(rel, body, first_line, url_dir): {link target as written: its URL}.
Rewrites: TypeAlias = Callable[[str, str, int, str], dict[str, str]]


def _numbered(name: str) -> re.Match[str]:
    """NUMBERED's match of a module folder or lesson stem that the scan already accepted."""
    match = NUMBERED.fullmatch(name)
    assert match is not None, name  # _scan and _scan_module keep only matching names
    return match
MEDIA_TYPES = {
    ".png": ("image/png", (b"\x89PNG\r\n\x1a\n",)),
    ".jpg": ("image/jpeg", (b"\xff\xd8\xff",)),
    ".jpeg": ("image/jpeg", (b"\xff\xd8\xff",)),
    ".gif": ("image/gif", (b"GIF87a", b"GIF89a")),
    ".webp": ("image/webp", (b"RIFF",)),
    ".pdf": ("application/pdf", (b"%PDF-",)),
}
MAX_MEDIA_BYTES = 10 * 1024 * 1024
WORDS_PER_MINUTE = 200
# Lessons and quizzes in Markdown; Moodle question banks (GIFT, Aiken .txt) become quizzes.
BANK_SUFFIXES = (".gift", ".txt")
LESSON_SUFFIXES = (".md", *BANK_SUFFIXES)

COURSE_KEYS = {"title", "summary", "jp", "language", "level", "tags", "version", "owner",
               "completion"}
MODULE_KEYS = {"title"}
LESSON_KEYS = {"id", "title", "minutes", "type"}
QUIZ_KEYS = {"id", "title", "type", "pass_mark", "attempts", "shuffle", "time_limit"}
# A lesson's identity: "module/lesson", both without their NN- order prefix (PRODUCT §3).
IDENTITY = re.compile(r"[a-z0-9][a-z0-9-]*/[a-z0-9][a-z0-9-]*")

# [text](target "title") and ![alt](target); reference definitions "[id]: target".
_INLINE_LINK = re.compile(r"!?\[(?:[^\]\\]|\\.)*\]\(\s*<?([^)\s>]+)>?(?:\s+[\"'(][^)]*)?\)")
_REF_LINK = re.compile(r"^\s{0,3}\[(?!\^)[^\]]+\]:\s*<?(\S+?)>?(?:\s|$)", re.M)
_EXTERNAL = re.compile(r"^(?:[a-z][a-z0-9+.-]*:|//|#)", re.I)


@dataclass(frozen=True)
class Problem:
    path: str  # the course folder as the user named it, then the file: "courses/x/01-a/02-b.md"
    line: int
    message: str
    warning: bool = False  # warnings are told, but never stop an import

    def __str__(self) -> str:
        if self.warning:
            return f"{self.path}:{self.line}: {_l('peringatan')}: {self.message}"
        return f"{self.path}:{self.line}: {self.message}"


@dataclass
class RenderedQuestion:
    content_hash: str
    kind: str
    points: int
    prompt_html: str
    explanation_html: str
    options: list[tuple[str, bool]]  # (html, correct)
    accepted: list[str]


@dataclass
class ParsedQuiz:
    pass_mark: int = 70
    max_attempts: int | None = None
    shuffle: bool = False
    time_limit_minutes: int | None = None
    questions: list[RenderedQuestion] = field(default_factory=list)

    @property
    def question_count(self) -> int:
        return len(self.questions)


@dataclass
class ParsedLesson:
    # The identity, "pengantar/apa-itu-spbe" (or the front matter's `id:`): the URL and the
    # key of progress, unchanged when files are renumbered.
    path: str
    module_dir: str  # the module's identity: its folder name without the NN- prefix
    kind: str
    title: str
    minutes: int
    body_html: str
    content_hash: str
    quiz: ParsedQuiz | None = None
    source: str = ""  # the file inside the course folder: "01-pengantar/01-apa-itu-spbe.md"


@dataclass
class ParsedModule:
    dir_name: str  # the identity: the folder name without its NN- prefix
    title: str
    intro_html: str


@dataclass
class ParsedMedia:
    path: str  # inside media/
    content_type: str
    data: bytes
    sha256: str
    image: ImageInfo | None = None  # raster images: their size and the widths served


@dataclass
class ParsedCourse:
    slug: str
    title: str
    summary: str
    jp: Decimal
    language: str
    level: str | None
    tags: list[str]
    version: str | None
    owner_email: str | None
    completion: str
    description_html: str
    content_hash: str
    modules: list[ParsedModule] = field(default_factory=list)
    lessons: list[ParsedLesson] = field(default_factory=list)
    media: list[ParsedMedia] = field(default_factory=list)
    warnings: list[Problem] = field(default_factory=list)


_RenderKey: TypeAlias = tuple[str, tuple[tuple[str, str], ...], str]


def _render_key(markdown_text: str, links: dict[str, str], language: str) -> _RenderKey:
    """Everything render_markdown's output depends on, as a dictionary key."""
    return markdown_text, tuple(sorted(links.items())), language


class _Reader:
    """Collects problems while walking one course folder."""

    def __init__(self, folder: Path, display_root: str):
        self.folder = folder
        self.slug = folder.name
        self.root = display_root.rstrip("/")
        self.problems: list[Problem] = []
        self.warnings: list[Problem] = []
        self.images: dict[str, ParsedMedia] = {}
        self.digest = hashlib.sha256()
        self.language = "id"  # the course's, once course.md is read
        # A bank file is checked as the Markdown quiz made from it: its line -> the bank's line.
        self.source_lines: dict[str, list[int]] = {}
        # render_markdown's output rendered ahead in other processes (_render_ahead), by input.
        self.rendered: dict[_RenderKey, str] = {}

    def _line(self, rel: str, line: int) -> int:
        lines = self.source_lines.get(rel)
        return lines[min(max(line, 1), len(lines)) - 1] if lines else line

    def problem(self, rel: str, line: int, message: object) -> None:
        self.problems.append(Problem(f"{self.root}/{rel}", self._line(rel, line), str(message)))

    def html(self, markdown_text: str, links: dict[str, str], language: str) -> str:
        """Sanitised HTML with the course's links rewritten and its images sized."""
        html = self.rendered.get(_render_key(markdown_text, links, language))
        if html is None:
            html = render_markdown(markdown_text, links, language)
        return with_image_sizes(html, links, self.images)

    def warn(self, rel: str, line: int, message: object) -> None:
        self.warnings.append(Problem(f"{self.root}/{rel}", self._line(rel, line), str(message),
                                     warning=True))

    def read_text(self, rel: str) -> str | None:
        data = (self.folder / rel).read_bytes()
        self.digest.update(rel.encode() + b"\0" + data)
        try:
            return data.decode("utf-8-sig").replace("\r\n", "\n")  # a BOM is not text
        except UnicodeDecodeError as exc:
            line = data[: exc.start].count(b"\n") + 1
            self.problem(rel, line, _l("berkas bukan teks UTF-8"))
            return None

    def front_matter(self, rel: str, text: str) -> FrontMatter | None:
        """The parsed file, or None (with a problem) when its Markdown is beyond the limits."""
        try:
            fm = parse_front_matter(text)
        except FrontMatterError as exc:
            self.problem(rel, exc.line, exc.args[0])
            return None
        hazard = markdown_hazard(fm.body)
        if hazard is not None:
            self.problem(rel, fm.body_line + hazard.line - 1, str(hazard))
            return None
        return fm

    def check_keys(self, rel: str, fm: FrontMatter, allowed: set[str]) -> None:
        for key in fm.meta:
            if key not in allowed:
                self.problem(rel, fm.line_of(key), _l(
                    "kunci '%(key)s' tidak dikenal (yang dikenal: %(known)s)",
                    key=key, known=", ".join(sorted(allowed))))

    def required_text(self, rel: str, fm: FrontMatter, key: str) -> str:
        value = fm.meta.get(key)
        if value is None or not str(value).strip():
            self.problem(rel, fm.line_of(key), _l("'%(key)s' wajib diisi", key=key))
            return ""
        return str(value).strip()

    def positive_int(
        self, rel: str, fm: FrontMatter, key: str, *, maximum: int | None = None
    ) -> int | None:
        value = fm.meta.get(key)
        if value is None:
            return None
        if isinstance(value, bool) or not isinstance(value, int) or value < 1 or (
            maximum is not None and value > maximum
        ):
            if maximum is None:
                msg = _l("'%(key)s' harus bilangan bulat lebih dari 0", key=key)
            else:
                msg = _l("'%(key)s' harus bilangan bulat dari 1 sampai %(max)d",
                         key=key, max=maximum)
            self.problem(rel, fm.line_of(key), msg)
            return None
        return value


def _word_minutes(text: str) -> int:
    return max(1, math.ceil(len(re.findall(r"\w+", text)) / WORDS_PER_MINUTE))


def _unnumbered(rel: str) -> str:
    """'01-pengantar/02-dua.md' -> 'pengantar/dua': a lesson path without order prefixes."""
    parts = posixpath.splitext(rel)[0].split("/")
    return "/".join(re.sub(r"^\d{2,}-", "", part) for part in parts)


def _link_targets(body: str, first_line: int) -> Iterator[tuple[int, str]]:
    """Yield (line, target) for every relative link or image in a Markdown body."""
    in_fence = False
    for offset, line in enumerate(body.split("\n")):
        if line.lstrip().startswith(("```", "~~~")):
            in_fence = not in_fence
        if in_fence:
            continue
        for match in (*_INLINE_LINK.finditer(line), *_REF_LINK.finditer(line)):
            target = match.group(1)
            if not _EXTERNAL.match(target):
                yield first_line + offset, target


def load_course(
    folder: Path, display_root: str | None = None
) -> tuple[ParsedCourse | None, list[Problem]]:
    """Parse and check a course folder. Returns (course, []) or (None, problems).

    Problems name files under `display_root` (default: the folder as given). Warnings, which
    never stop an import, are in `course.warnings` (see check_course for them with errors).
    Raises nothing: every mistake is a `path:line: message` problem (PRODUCT §3)."""
    course, errors, _warnings = check_course(folder, display_root)
    return course, errors


def check_course(
    folder: Path, display_root: str | None = None, processes: int = 1
) -> tuple[ParsedCourse | None, list[Problem], list[Problem]]:
    """Parse and check a course folder: (course or None, errors, warnings), each sorted.

    Errors (a course with any is never imported) and warnings (told, never blocking) are
    `path:line: message` problems, PRODUCT §3. With `processes` > 1 (the command line), the
    lessons' Markdown is rendered ahead in that many forked processes (render_many); the
    result is the same. Raises nothing."""
    r = _Reader(folder, display_root or str(folder))
    if not folder.is_dir():
        return None, [Problem(str(folder), 1, str(_l("folder kursus tidak ditemukan")))], []
    if not SLUG.fullmatch(r.slug):
        r.problem("", 1, _l("nama folder kursus harus huruf kecil, angka dan tanda '-'"))

    # First pass: which files exist, so links can be checked against them.
    modules, lessons, media = _scan(r, folder)
    _check_numbering(r, modules, lessons)
    # Identities first, so links between lessons can be rewritten to their URLs.
    module_ids = _module_identities(r, modules)
    sources, lesson_files = _lesson_identities(r, modules, lessons, module_ids)
    parsed_media = _check_media(r, media)
    r.images = {m.path: m for m in parsed_media if m.image is not None}
    media_urls = {m.path: m.sha256[:12] for m in parsed_media}
    rewrites = _link_rewriter(r, lesson_files, media_urls)

    def render(rel: str, body: str, first_line: int, url_dir: str, language: str) -> str:
        """Rendered, sanitised HTML of a body, its images sized; warnings for what it loses."""
        links = rewrites(rel, body, first_line, url_dir)
        for line, message in lint_markdown(body, first_line):
            r.warn(rel, line, message)
        return r.html(body, links, language)

    course = _guarded(r, "course.md", _read_course_md, r, render)
    r.language = course.language if course else "id"
    if processes > 1:
        _render_ahead(r, sources, lesson_files, media_urls, processes)
    _assemble(r, course, modules, lessons, module_ids, sources, lesson_files, rewrites, render)
    warnings = sorted(r.warnings, key=lambda p: (p.path, p.line))
    if r.problems or course is None:
        return None, sorted(r.problems, key=lambda p: (p.path, p.line)), warnings
    course.media = parsed_media
    course.content_hash = r.digest.hexdigest()
    course.warnings = warnings
    return course, [], warnings


def _render_ahead(r: _Reader, sources: dict[str, tuple[str | None, FrontMatter | None]],
                  lesson_files: dict[str, str], media_urls: dict[str, str],
                  processes: int) -> None:
    """Render every reading lesson's body in other processes, into r.rendered.

    The inputs are worked out as _read_lesson will (its body, its links, the course's
    language), with a second link rewriter whose problems are dropped: the pass that follows
    reports them once. r.html uses a rendering only when its inputs are exactly these."""
    silent = _link_rewriter(_Reader(r.folder, r.root), lesson_files, media_urls)
    jobs: list[RenderJob] = []
    for rel, (text, fm) in sources.items():
        if text is None or fm is None or fm.meta.get("type", "lesson") != "lesson":
            continue
        url_dir = lesson_files[rel].split("/")[0]
        jobs.append((fm.body, silent(rel, fm.body, fm.body_line, url_dir), r.language))
    for (body, links, language), html in zip(jobs, render_many(jobs, processes), strict=True):
        if html is not None:
            r.rendered[_render_key(body, links, language)] = html


def _scan(r: _Reader, folder: Path) -> tuple[
    list[tuple[int, str]], dict[str, list[tuple[int, str]]], dict[str, Path]
]:
    """The course folder's files: [(NN, module folder)], {module folder: [(NN, lesson file)]}
    and {path under media/: file}; anything else is a problem."""
    modules: list[tuple[int, str]] = []
    lessons: dict[str, list[tuple[int, str]]] = {}
    media: dict[str, Path] = {}
    for entry in sorted(folder.iterdir()):
        name = entry.name
        if name.startswith("."):
            continue
        if entry.is_symlink():
            r.problem(name, 1, _l("tautan simbolik tidak diizinkan"))
        elif entry.is_dir() and name == "media":
            _scan_media(r, entry, media)
        elif entry.is_dir():
            m = NUMBERED.fullmatch(name)
            if not m:
                r.problem(name, 1, _l("folder modul harus bernama NN-slug, misalnya 01-pengantar"))
                continue
            modules.append((int(m.group(1)), name))
            lessons[name] = _scan_module(r, entry)
        elif name != "course.md":
            r.problem(name, 1, _l(
                "berkas tak terduga di folder kursus: pelajaran ada di folder modul, "
                "gambar di media/"))
    return modules, lessons, media


def _scan_media(r: _Reader, entry: Path, media: dict[str, Path]) -> None:
    for f in sorted(entry.rglob("*")):
        rel = f.relative_to(entry).as_posix()
        if f.is_symlink():
            r.problem(f"media/{rel}", 1, _l("tautan simbolik tidak diizinkan"))
        elif f.is_file() and not f.name.startswith("."):
            media[rel] = f


def _scan_module(r: _Reader, entry: Path) -> list[tuple[int, str]]:
    """A module folder's lesson files as [(NN, file name)]; anything else is a problem."""
    name = entry.name
    found: list[tuple[int, str]] = []
    for f in sorted(entry.iterdir()):
        if f.name.startswith(".") or f.name == "module.md":
            continue
        stem, suffix = posixpath.splitext(f.name)
        lm = NUMBERED.fullmatch(stem)
        if f.is_symlink():
            r.problem(f"{name}/{f.name}", 1, _l("tautan simbolik tidak diizinkan"))
        elif not f.is_file() or suffix not in LESSON_SUFFIXES or not lm:
            r.problem(f"{name}/{f.name}", 1, _l(
                "berkas pelajaran harus bernama NN-slug.md, misalnya 01-pengantar.md"))
        else:
            found.append((int(lm.group(1)), f.name))
    return found


def _check_numbering(r: _Reader, modules: list[tuple[int, str]],
                     lessons: dict[str, list[tuple[int, str]]]) -> None:
    """No two modules, and no two lessons of a module, share a number."""
    for where, names in [("", [m for _, m in modules])] + [
        (f"{mod}/", [f for _, f in files]) for mod, files in lessons.items()
    ]:
        seen: dict[int, str] = {}
        for name in sorted(names):
            number = int(_numbered(posixpath.splitext(name)[0]).group(1))
            if number in seen:
                r.problem(where + name, 1, _l("nomor urut %(n)02d sudah dipakai oleh %(other)s",
                                              n=number, other=seen[number]))
            seen.setdefault(number, name)


def _module_identities(r: _Reader, modules: list[tuple[int, str]]) -> dict[str, str]:
    """{module folder: its identity (the name without NN-)}; a repeated identity is a problem."""
    module_ids: dict[str, str] = {}
    seen_modules: dict[str, str] = {}
    for _, mod in sorted(modules):
        ident = _numbered(mod).group(2)
        if ident in seen_modules:
            r.problem(mod, 1, _l(
                "modul ini dan %(other)s sama-sama bernama '%(id)s' tanpa nomor urut",
                other=seen_modules[ident], id=ident))
        seen_modules.setdefault(ident, mod)
        module_ids[mod] = ident
    return module_ids


def _lesson_identities(
    r: _Reader, modules: list[tuple[int, str]], lessons: dict[str, list[tuple[int, str]]],
    module_ids: dict[str, str],
) -> tuple[dict[str, tuple[str | None, FrontMatter | None]], dict[str, str]]:
    """Each lesson file read once: ({path: (text, front matter)}, {path: identity}), the
    identity "module/lesson" from the names or the front matter's `id`."""
    sources: dict[str, tuple[str | None, FrontMatter | None]] = {}
    lesson_files: dict[str, str] = {}  # "01-a/02-b.md" -> "a/b"
    seen_lessons: dict[str, str] = {}
    for _, mod in sorted(modules):
        for _, fname in sorted(lessons[mod]):
            rel = f"{mod}/{fname}"
            stem, suffix = posixpath.splitext(fname)
            text = r.read_text(rel)
            if text is not None and suffix in BANK_SUFFIXES:
                text = _bank_quiz(r, rel, text, _numbered(stem).group(2))
            fm = r.front_matter(rel, text) if text is not None else None
            sources[rel] = (text, fm)
            ident = f"{module_ids[mod]}/{_numbered(stem).group(2)}"
            line = 1
            if fm is not None and "id" in fm.meta:
                line = fm.line_of("id")
                given = str(fm.meta["id"]).strip()
                if not IDENTITY.fullmatch(given) or len(given) > 200:
                    r.problem(rel, line, _l(
                        "'id' harus berbentuk modul/pelajaran dengan huruf kecil, angka dan "
                        "tanda '-', misalnya pengantar/apa-itu-spbe"))
                else:
                    ident = given
            if ident in seen_lessons:
                r.problem(rel, line, _l(
                    "identitas '%(id)s' sudah dipakai oleh %(other)s; ubah nama berkas atau "
                    "beri 'id:' yang lain", id=ident, other=seen_lessons[ident]))
            seen_lessons.setdefault(ident, rel)
            lesson_files[rel] = ident
    return sources, lesson_files


def _link_rewriter(
    r: _Reader, lesson_files: dict[str, str], media_urls: dict[str, str]
) -> Rewrites:
    """rewrites(rel, body, first_line, url_dir): each relative link target in `body` mapped to
    its URL, broken ones reported."""
    # A link written before the files were renumbered or moved ("02-dua.md" after 02-dua.md
    # became 03-dua.md) still finds its lesson: by the path without NN- prefixes, or by an id.
    by_identity: dict[str, str] = {ident: rel for rel, ident in lesson_files.items()}
    by_identity.update({_unnumbered(rel): rel for rel in lesson_files})

    def rewrites(rel: str, body: str, first_line: int, url_dir: str) -> dict[str, str]:
        """Map each relative link target in `body` to its URL, reporting broken ones."""
        out: dict[str, str] = {}
        base = posixpath.dirname(rel)
        for line, target in _link_targets(body, first_line):
            path, _, fragment = target.partition("#")
            resolved = posixpath.normpath(posixpath.join(base, path))
            if resolved.startswith("../") or resolved == "..":
                r.problem(rel, line, _l("tautan '%(t)s' keluar dari folder kursus", t=target))
            elif resolved in lesson_files or _unnumbered(resolved) in by_identity:
                if resolved not in lesson_files:
                    now = by_identity[_unnumbered(resolved)]
                    r.warn(rel, line, _l("tautan '%(t)s' menuju %(now)s (nomor atau tempatnya "
                                         "berubah); perbarui tautannya", t=target, now=now))
                    resolved = now
                url = posixpath.relpath(lesson_files[resolved], url_dir)
                out[target] = url + (f"#{fragment}" if fragment else "")
            elif resolved.startswith("media/") and resolved[6:] in media_urls:
                url = posixpath.relpath(resolved, url_dir)
                out[target] = f"{url}?v={media_urls[resolved[6:]]}"
            else:
                # A warning, not an error (issue 13): the trainer is told where, and the rest
                # of the course can still be published; the link stays as written.
                r.warn(rel, line, _l("tautan '%(t)s' menuju berkas yang tidak ada", t=target))
        return out

    return rewrites


def _assemble(r: _Reader, course: ParsedCourse | None, modules: list[tuple[int, str]],
              lessons: dict[str, list[tuple[int, str]]], module_ids: dict[str, str],
              sources: dict[str, tuple[str | None, FrontMatter | None]],
              lesson_files: dict[str, str], rewrites: Rewrites, render: Render) -> None:
    """Read every module.md and lesson in order onto the course (when course.md was read)."""
    if not modules:
        r.problem("course.md", 1, _l("kursus belum punya modul (folder NN-slug)"))
    for _, mod in sorted(modules):
        parsed_module = _guarded(r, f"{mod}/module.md", _read_module, r, mod, module_ids[mod],
                                 render)
        if course and parsed_module:
            course.modules.append(parsed_module)
        if not lessons[mod]:
            r.problem(f"{mod}/", 1, _l("modul belum punya pelajaran"))
        for _, fname in sorted(lessons[mod]):
            rel = f"{mod}/{fname}"
            lesson = _guarded(r, rel, _read_lesson, r, rel, *sources[rel], lesson_files[rel],
                              module_ids[mod], rewrites)
            if course and lesson:
                course.lessons.append(lesson)


def _bank_quiz(r: _Reader, rel: str, text: str, slug: str) -> str | None:
    """A Moodle question bank (GIFT or Aiken) in a module folder, as a Markdown quiz.

    What could not be converted, or was changed on the way, is a warning at its source line.
    """
    conversion = convert_bank(text, slug)
    for line, message in conversion.errors:
        r.problem(rel, line, message)
    for line, message in conversion.skipped + conversion.notes:
        r.warn(rel, line, message)
    if not conversion.question_count:
        if not conversion.errors:
            r.problem(rel, 1, _l("bank soal tanpa soal yang dapat dikonversi"))
        return None
    markdown_text, r.source_lines[rel] = quiz_markdown_with_lines(
        merged(conversion, slug.replace("-", " ").capitalize()))
    return markdown_text


def _guarded(r: _Reader, rel: str, read: Callable[..., _T | None], *args: Any) -> _T | None:
    """Markdown that passed the limits but still could not be rendered is a problem, not a 500."""
    try:
        return read(*args)
    except MarkdownRefused as exc:
        r.problem(rel, exc.line, str(exc))
        return None


def _check_media(r: _Reader, media: dict[str, Path]) -> list[ParsedMedia]:
    out: list[ParsedMedia] = []
    for rel, f in media.items():
        kind = MEDIA_TYPES.get(f.suffix.lower())
        if kind is None:
            r.problem(f"media/{rel}", 1, _l(
                "jenis berkas tidak diizinkan (hanya PNG, JPEG, WebP, GIF dan PDF)"))
            continue
        data = f.read_bytes()
        if len(data) > MAX_MEDIA_BYTES:
            r.problem(f"media/{rel}", 1, _l("berkas lebih besar dari 10 MB"))
            continue
        if not data.startswith(kind[1]) or (f.suffix.lower() == ".webp" and data[8:12] != b"WEBP"):
            r.problem(f"media/{rel}", 1, _l("isi berkas tidak sesuai dengan ekstensinya"))
            continue
        if VARIANT_MARK in rel:
            r.problem(f"media/{rel}", 1, _l("nama berkas media tidak boleh memuat '%(mark)s'",
                                            mark=VARIANT_MARK))
            continue
        image: ImageInfo | None = None
        if kind[0] in RESIZABLE:
            image = image_info(data)
            if image is None:
                r.problem(f"media/{rel}", 1, _l("gambar rusak: tidak dapat dibaca"))
                continue
        r.digest.update(b"media/" + rel.encode() + b"\0" + data)
        out.append(ParsedMedia(rel, kind[0], data, hashlib.sha256(data).hexdigest(), image))
    return out


def _read_course_md(r: _Reader, render: Render) -> ParsedCourse | None:
    rel = "course.md"
    if not (r.folder / rel).is_file():
        r.problem(rel, 1, _l("course.md tidak ada"))
        return None
    text = r.read_text(rel)
    fm = r.front_matter(rel, text) if text is not None else None
    if fm is None:
        return None
    r.check_keys(rel, fm, COURSE_KEYS)
    meta = fm.meta
    title = r.required_text(rel, fm, "title")
    summary = r.required_text(rel, fm, "summary")
    jp = _course_jp(r, rel, fm)
    language = str(meta.get("language", "id"))
    if language not in ("id", "en"):
        r.problem(rel, fm.line_of("language"), _l("'language' harus 'id' atau 'en'"))
    completion = str(meta.get("completion", "all"))
    if completion != "all":
        r.problem(rel, fm.line_of("completion"), _l("'completion' hanya mengenal 'all'"))
    tags = meta.get("tags", [])
    if not isinstance(tags, list) or not all(isinstance(t, str | int) for t in tags):
        r.problem(rel, fm.line_of("tags"),
                  _l("'tags' harus daftar teks, misalnya [data, keamanan]"))
        tags = []
    owner = meta.get("owner")
    if owner is not None and not re.fullmatch(r"[^@\s]+@[^@\s]+\.[^@\s]+", str(owner)):
        r.problem(rel, fm.line_of("owner"), _l("'owner' harus alamat email pelatih"))
    for key in ("level", "version"):
        if key in meta and not isinstance(meta[key], str | int | float):
            r.problem(rel, fm.line_of(key), _l("'%(key)s' harus teks", key=key))
    if len(title) > 200 or len(summary) > 500:
        r.problem(rel, 1, _l("judul paling panjang 200 karakter dan ringkasan 500 karakter"))
    description = render(rel, fm.body, fm.body_line, ".", language if language == "en" else "id")
    return ParsedCourse(
        slug=r.slug,
        title=title,
        summary=summary,
        jp=jp,
        language=language,
        level=str(meta["level"]) if meta.get("level") is not None else None,
        tags=[str(t) for t in tags],
        version=str(meta["version"]) if meta.get("version") is not None else None,
        owner_email=str(owner).lower() if owner else None,
        completion=completion,
        description_html=description,
        content_hash="",
    )


def _course_jp(r: _Reader, rel: str, fm: FrontMatter) -> Decimal:
    """course.md's `jp` (learning hours, more than 0 and below 10,000), after reporting it
    when missing or out of range."""
    meta = fm.meta
    jp = Decimal(0)
    if meta.get("jp") is None:
        r.problem(rel, fm.line_of("jp"), _l("'%(key)s' wajib diisi", key="jp"))
    else:
        try:
            jp = Decimal(str(meta["jp"]))
            if not jp.is_finite() or jp <= 0 or jp >= 10000 or isinstance(meta["jp"], bool):
                raise InvalidOperation
        except InvalidOperation:
            r.problem(rel, fm.line_of("jp"), _l("'jp' harus angka lebih dari 0"))
    return jp


def _read_module(r: _Reader, mod: str, ident: str, render: Render) -> ParsedModule | None:
    rel = f"{mod}/module.md"
    default_title = ident.replace("-", " ").capitalize()
    if not (r.folder / rel).is_file():
        return ParsedModule(ident, default_title, "")
    text = r.read_text(rel)
    fm = r.front_matter(rel, text) if text is not None else None
    if fm is None:
        return None
    r.check_keys(rel, fm, MODULE_KEYS)
    title = str(fm.meta.get("title") or default_title).strip()
    # The intro is shown on the course outline, whose URL is the course folder.
    intro = render(rel, fm.body, fm.body_line, ".", r.language)
    return ParsedModule(ident, title[:200], intro)


def _read_lesson(
    r: _Reader, rel: str, text: str | None, fm: FrontMatter | None, ident: str, module: str,
    rewrites: Rewrites,
) -> ParsedLesson | None:
    if fm is None or text is None:  # unreadable, or beyond the Markdown limits (reported)
        return None
    kind = str(fm.meta.get("type", "lesson"))
    if kind not in ("lesson", "quiz"):
        r.problem(rel, fm.line_of("type"), _l("'type' harus 'lesson' atau 'quiz'"))
        return None
    r.check_keys(rel, fm, QUIZ_KEYS if kind == "quiz" else LESSON_KEYS)
    title = r.required_text(rel, fm, "title")
    if len(title) > 200:
        r.problem(rel, fm.line_of("title"), _l("judul paling panjang 200 karakter"))
    # The lesson's URL is /courses/<slug>/<identity>: relative links start from its module.
    url_dir = ident.split("/")[0]
    links = rewrites(rel, fm.body, fm.body_line, url_dir)
    quiz = None
    body_md = fm.body
    for line, message in lint_markdown(fm.body, fm.body_line):
        r.warn(rel, line, message)
    if kind == "quiz":
        quiz, body_md = _read_quiz(r, rel, fm, lambda md: r.html(md, links, r.language))
    elif not body_md.strip():
        r.problem(rel, fm.body_line, _l("pelajaran tidak berisi teks"))
    minutes = r.positive_int(rel, fm, "minutes") or _word_minutes(fm.body)
    html = r.html(body_md, links, r.language)
    return ParsedLesson(
        path=ident,
        source=rel,
        module_dir=module,
        kind=kind,
        title=title,
        minutes=minutes,
        body_html=html,
        content_hash=hashlib.sha256(text.encode()).hexdigest(),
        quiz=quiz,
    )


def _inline(html: str) -> str:
    """An option is one short paragraph: drop the <p> wrapper Markdown puts around it."""
    if html.startswith("<p>") and html.endswith("</p>") and html.count("<p>") == 1:
        return html[3:-4]
    return html


def _read_quiz(
    r: _Reader, rel: str, fm: FrontMatter, render: Callable[[str], str]
) -> tuple[ParsedQuiz, str]:
    """Settings from the front matter, questions from the body; returns (quiz, intro)."""
    quiz = ParsedQuiz()
    pass_mark = fm.meta.get("pass_mark", 70)
    if isinstance(pass_mark, bool) or not isinstance(pass_mark, int) or not 0 <= pass_mark <= 100:
        r.problem(rel, fm.line_of("pass_mark"), _l("'pass_mark' harus persen dari 0 sampai 100"))
    else:
        quiz.pass_mark = pass_mark
    quiz.max_attempts = r.positive_int(rel, fm, "attempts", maximum=100)
    quiz.time_limit_minutes = r.positive_int(rel, fm, "time_limit", maximum=24 * 60)
    shuffle = fm.meta.get("shuffle", False)
    if not isinstance(shuffle, bool):
        r.problem(rel, fm.line_of("shuffle"), _l("'shuffle' harus true atau false"))
    else:
        quiz.shuffle = shuffle
    before = len(r.problems)
    intro, questions = parse_quiz(
        fm.body, fm.body_line, lambda line, message: r.problem(rel, line, message)
    )
    if not questions and len(r.problems) == before:
        r.problem(rel, fm.body_line, _l("kuis belum punya pertanyaan (judul '## ')"))
    for q in questions:
        quiz.questions.append(RenderedQuestion(
            content_hash=q.content_hash,
            kind=q.kind,
            points=q.points,
            prompt_html=render(q.prompt_md),
            explanation_html=render(q.explanation_md) if q.explanation_md else "",
            options=[(_inline(render(o.text_md)), o.correct) for o in q.options],
            accepted=q.accepted,
        ))
    return quiz, intro
