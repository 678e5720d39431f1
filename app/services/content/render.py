"""Markdown -> sanitised HTML, done once at import time."""

import re
import threading
import xml.etree.ElementTree as etree

import markdown
import nh3
from flask_babel import lazy_gettext as _l
from markdown.blockprocessors import OListProcessor
from markdown.extensions import Extension
from markdown.treeprocessors import Treeprocessor

EXTENSIONS = ["extra", "admonition", "mdx_truly_sane_lists"]

_TAGS = set(nh3.ALLOWED_TAGS) | {"figure", "figcaption", "details", "summary"}
_ATTRIBUTES = {
    "*": {"class", "id", "title", "lang"},
    "a": {"href", "title"},
    "img": {"src", "alt", "title", "width", "height", "loading"},
    "th": {"align", "colspan", "rowspan"},
    "td": {"align", "colspan", "rowspan"},
    "ol": {"start"},
    "abbr": {"title"},
}


def sanitize(html: str) -> str:
    """The HTML with its structure and classes kept, and scripts, handlers, styles and foreign
    URL schemes dropped. Raises nothing."""
    return nh3.clean(
        html,
        tags=_TAGS,
        attributes=_ATTRIBUTES,
        url_schemes={"http", "https", "mailto"},
        link_rel="noopener noreferrer",
    )


class _RewriteLinks(Treeprocessor):
    def __init__(self, md: markdown.Markdown, rewrites: dict[str, str]) -> None:
        super().__init__(md)
        self.rewrites = rewrites

    def run(self, root: etree.Element) -> None:
        for el in root.iter():
            attr = {"a": "href", "img": "src"}.get(el.tag)
            target = el.get(attr) if attr else None
            if attr and target is not None and target in self.rewrites:
                el.set(attr, self.rewrites[target])
            if el.tag == "img":
                el.set("loading", "lazy")


class _RewriteLinksExtension(Extension):
    def __init__(self, rewrites: dict[str, str]) -> None:
        super().__init__()
        self.rewrites = rewrites

    def extendMarkdown(self, md: markdown.Markdown) -> None:  # noqa: N802 (Python-Markdown's name)
        # After inline patterns (priority 20) have turned links into elements.
        md.treeprocessors.register(_RewriteLinks(md, self.rewrites), "lentera_links", 5)


_LIST_ITEM = re.compile(r"^( *)(?:[-*+]|\d+[.)]) +\S")


def list_indent(text: str) -> int:
    """How deep this document nests its lists: 4 when every nested item is indented by 4 or
    more spaces, else 2 (PRODUCT §3 accepts both; mdx_truly_sane_lists takes one per text).
    Raises nothing."""
    indents = {len(m.group(1)) for m in map(_LIST_ITEM.match, _outside_fences(text)) if m}
    nested = [n for n in indents if n > 0]
    return 4 if nested and min(nested) >= 4 else 2


_FENCE_LINE = re.compile(r"^ {0,3}(```|~~~)")


def _outside_fences(text: str) -> list[str]:
    """The lines of `text` outside fenced code: a YAML example's "  - a" is not a list."""
    out, in_fence = [], False
    for line in text.split("\n"):
        if _FENCE_LINE.match(line):
            in_fence = not in_fence
        elif not in_fence:
            out.append(line)
    return out


def flattened_items(text: str) -> list[int]:
    """0-based numbers of the list items that will not nest: indented 4 or more spaces past
    their parent in a text whose other lists nest by 2 (list_indent picks one per text).
    Raises nothing."""
    if list_indent(text) != 2:
        return []
    found, parent, in_fence = [], None, False
    for number, line in enumerate(text.split("\n")):
        if _FENCE_LINE.match(line):
            in_fence = not in_fence
            continue
        if in_fence:
            continue
        if match := _LIST_ITEM.match(line):
            indent = len(match.group(1))
            if parent is not None and indent - parent >= 4:
                found.append(number)
            parent = indent
        elif line.strip() and not line.startswith(" "):
            parent = None  # a paragraph ends the list
    return found


# The footnote "back" link's tooltip, in the course's language.
_BACKLINK_TITLE = {"id": "Kembali ke catatan kaki {}", "en": "Back to footnote {}"}


# Limits that keep Python-Markdown's work small (issue 10): its link and image patterns take
# time that grows with the cube of the "[" in one paragraph ("![" × 10,000 runs for minutes),
# and deep nesting recurses. Real lessons stay far below them.
MAX_MARKDOWN_CHARS = 100_000
MAX_BRACKETS_PER_BLOCK = 100
MAX_BRACKETS = 2_000
MAX_QUOTE_DEPTH = 16
MAX_INDENT = 64  # columns of leading space outside code fences: about 16 list levels
_QUOTES = re.compile(r"^(?:\s*>)+")


class MarkdownRefused(ValueError):
    """Markdown too large or too deeply nested to render safely; `line` is 1-based."""

    def __init__(self, line: int, message: str):
        super().__init__(message)
        self.line = line


def markdown_hazard(text: str) -> MarkdownRefused | None:
    """The first limit the text breaks, as a MarkdownRefused (its line within the text and
    message) to raise or report, or None. Linear time; raises nothing."""
    if len(text) > MAX_MARKDOWN_CHARS:
        return MarkdownRefused(1, str(_l(
            "teks terlalu panjang (%(n)d karakter; paling banyak %(max)d): bagi menjadi "
            "beberapa pelajaran", n=len(text), max=MAX_MARKDOWN_CHARS)))
    in_fence = False
    block_brackets = total = 0
    for number, line in enumerate(text.split("\n"), start=1):
        stripped = line.lstrip()
        if stripped.startswith(("```", "~~~")):
            in_fence = not in_fence
            continue
        if in_fence:
            continue
        if not stripped:
            block_brackets = 0
            continue
        brackets = line.count("[")
        block_brackets += brackets
        total += brackets
        if block_brackets > MAX_BRACKETS_PER_BLOCK or total > MAX_BRACKETS:
            return MarkdownRefused(number, str(_l(
                "terlalu banyak '[' dalam satu paragraf (paling banyak %(max)d) atau dalam "
                "satu berkas (%(total)d): bagi paragrafnya atau kurangi tautan",
                max=MAX_BRACKETS_PER_BLOCK, total=MAX_BRACKETS)))
        quotes = _QUOTES.match(line)
        indent = len(line.expandtabs(4)) - len(line.expandtabs(4).lstrip())
        if (quotes and quotes.group(0).count(">") > MAX_QUOTE_DEPTH) or indent > MAX_INDENT:
            return MarkdownRefused(number, str(_l(
                "susunan bertingkat terlalu dalam (kutipan lebih dari %(q)d tingkat atau "
                "indentasi lebih dari %(i)d spasi)", q=MAX_QUOTE_DEPTH, i=MAX_INDENT)))
    return None


_converters = threading.local()


def _markdown(language: str, nested_indent: int) -> markdown.Markdown:
    """This thread's Markdown converter for a course language and list indent, made once.

    Building one (its extensions and their patterns) cost more than converting a typical
    lesson, which made a 200-lesson import slow (docs/performance.md). Reused after `reset()`,
    which clears what a document leaves behind (footnotes, references); the link rewrites are
    set on it before each document.
    """
    cache: dict[tuple[str, int], markdown.Markdown] = _converters.__dict__.setdefault("md", {})
    md = cache.get((language, nested_indent))
    if md is None:
        md = cache[(language, nested_indent)] = markdown.Markdown(
            extensions=[*EXTENSIONS, _RewriteLinksExtension({})],
            extension_configs={
                "extra": {"footnotes": {
                    "BACKLINK_TITLE": _BACKLINK_TITLE.get(language, _BACKLINK_TITLE["id"])}},
                "mdx_truly_sane_lists": {"nested_indent": nested_indent},
            },
            output_format="html",
        )
        # "3." starts a list at 3, as sane_lists did before mdx_truly_sane_lists replaced it.
        olist = md.parser.blockprocessors["olist"]
        assert isinstance(olist, OListProcessor)  # registered by Python-Markdown itself
        # types-Markdown declares LAZY_OL a ClassVar; set on the instance it changes only
        # this Markdown object, as intended, not every Markdown in the process.
        olist.LAZY_OL = False  # type: ignore[misc]
    return md


def render_markdown(
    text: str, rewrites: dict[str, str] | None = None, language: str = "id"
) -> str:
    """Sanitised HTML of trainer Markdown, with the link targets found in `rewrites` replaced.

    Raises MarkdownRefused for text beyond the limits above (markdown_hazard), or nested too
    deeply to render."""
    hazard = markdown_hazard(text)
    if hazard is not None:
        raise hazard
    md = _markdown(language, list_indent(text))
    links = md.treeprocessors["lentera_links"]
    assert isinstance(links, _RewriteLinks)  # registered by _markdown
    links.rewrites = rewrites or {}
    try:
        return sanitize(md.reset().convert(text))
    except RecursionError:
        raise MarkdownRefused(1, str(_l("susunan bertingkat terlalu dalam untuk ditampilkan"))) \
            from None


# (Markdown text, link rewrites, language): one render_markdown call, as render_many takes it.
RenderJob = tuple[str, dict[str, str], str]
# Fewer documents than this are rendered in this process: starting processes costs more.
_MANY = 24
# At most this many processes for one course: each is forked in turn by this one.
_MOST_PROCESSES = 8


def _die_with(parent: int) -> None:
    """In a child of render_many: be killed when the parent dies (Linux's PR_SET_PDEATHSIG),
    so a `flask courses import` stopped with SIGTERM or SIGKILL leaves no renderer behind,
    blocked for ever on a pipe nobody reads."""
    import ctypes
    import os
    import signal

    ctypes.CDLL(None, use_errno=True).prctl(1, signal.SIGKILL)  # 1: PR_SET_PDEATHSIG
    if os.getppid() != parent:  # it died before that took effect
        os._exit(1)


def _render_or_none(job: RenderJob) -> str | None:
    try:
        return render_markdown(*job)
    except Exception:  # noqa: BLE001 - the caller renders it again itself and reports it
        return None


def render_many(jobs: list[RenderJob], processes: int) -> list[str | None]:
    """render_markdown(*job) for each job, spread over this process and up to `processes` - 1
    forked ones.

    For the command line's `flask courses import|check`, which renders a whole course in one
    go: converting Markdown is most of a 200-lesson import after start-up
    (docs/performance.md), and one process uses one core. The first job is rendered here
    before any fork, so the children start with this process's imports and a ready converter;
    this process then renders its own share while they render theirs. A document that could
    not be rendered (text beyond the limits, say) comes back as None, for the caller to render
    again and report in its own words. With one process, few jobs or outside Linux (forking
    is unsafe on macOS and missing on Windows), nothing is started and every entry is None.
    Uses at most 8 processes. Returns a list as long as `jobs`. Raises nothing: when no
    process can be started, or one dies, what it had not sent back is None as well.
    """
    import multiprocessing
    import os
    import sys
    from concurrent.futures import ProcessPoolExecutor
    from concurrent.futures.process import BrokenProcessPool

    processes = min(processes, _MOST_PROCESSES)
    if processes < 2 or len(jobs) < _MANY or not sys.platform.startswith("linux"):
        return [None] * len(jobs)
    first = _render_or_none(jobs[0])
    rest = jobs[1:]
    theirs_at = [n for n in range(len(rest)) if n % processes]  # every processes-th is ours
    chunk = max(1, len(theirs_at) // ((processes - 1) * 4))
    out: list[str | None] = [None] * len(rest)
    pool = None
    try:
        pool = ProcessPoolExecutor(processes - 1, mp_context=multiprocessing.get_context("fork"),
                                   initializer=_die_with, initargs=(os.getpid(),))
        theirs = pool.map(_render_or_none, [rest[n] for n in theirs_at], chunksize=chunk)
        for n in range(0, len(rest), processes):
            out[n] = _render_or_none(rest[n])
        for n, html in zip(theirs_at, theirs, strict=True):
            out[n] = html
    except (OSError, NotImplementedError, BrokenProcessPool):
        # A fork refused (a process limit), no semaphores, or a child killed: what is missing
        # is rendered by the caller. Children already started must not outlive the command
        # (they are not daemons: the interpreter would wait for them at exit, for ever).
        if pool is not None:
            for child in list((getattr(pool, "_processes", None) or {}).values()):
                child.kill()
            pool.shutdown(wait=False, cancel_futures=True)
    else:
        pool.shutdown()
    return [first, *out]
