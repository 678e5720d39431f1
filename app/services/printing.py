"""A printable course as a PDF booklet (reportlab), for classrooms and service counters where
not everyone has a phone (issue 12, point 6). What is printed: services/printable.

Imported only where a booklet is drawn, so the app and its commands start without reportlab.
The PDF is built with reportlab's platypus, already a dependency: pure wheels on every platform,
so `pip install .` alone makes it work (WeasyPrint needs the system's Pango libraries;
xhtml2pdf sits on reportlab anyway and brings ~10 more packages, without glyph-by-glyph font
fallback). Lesson HTML was sanitised at import, so it holds only a small known set of tags;
`_Flow` below turns that set into flowables with the certificate's Unicode fonts.
"""

from __future__ import annotations

import hashlib
import io
import posixpath
import re
import threading
from collections import OrderedDict
from collections.abc import Callable
from dataclasses import dataclass
from html.parser import HTMLParser
from typing import Any
from urllib.parse import urlsplit

from flask_babel import format_decimal, ngettext
from flask_babel import gettext as _
from reportlab.lib import colors
from reportlab.lib.enums import TA_CENTER
from reportlab.lib.pagesizes import A4
from reportlab.lib.styles import ParagraphStyle
from reportlab.lib.units import mm
from reportlab.pdfgen.canvas import Canvas
from reportlab.platypus import (
    BaseDocTemplate,
    CondPageBreak,
    Flowable,
    HRFlowable,
    Image,
    KeepTogether,
    PageBreak,
    Paragraph,
    SimpleDocTemplate,
    Spacer,
    Table,
    TableStyle,
    XPreformatted,
)
from sqlalchemy import select

from app.models import MediaFile
from app.services.printable import PrintableCourse, PrintQuestion
from app.services.types import DbSession
from app.services.typesetting import BOLD, REGULAR, fitted_paragraph, markup, register_fonts

# --- PDF -------------------------------------------------------------------------------------

PAGE_WIDTH, PAGE_HEIGHT = A4
MARGIN = 20 * mm
TEXT_WIDTH = PAGE_WIDTH - 2 * MARGIN
INK = colors.HexColor("#1c1b19")
ACCENT = colors.HexColor("#8a4b00")
MUTED = colors.HexColor("#5b5850")


def _styles() -> dict[str, ParagraphStyle]:
    base = ParagraphStyle("body", fontName=REGULAR, fontSize=10.5, leading=15, textColor=INK,
                          spaceAfter=6)
    return {
        "body": base,
        "h1": ParagraphStyle("h1", base, fontName=BOLD, fontSize=18, leading=23, spaceBefore=4,
                             spaceAfter=8, textColor=ACCENT),
        "h2": ParagraphStyle("h2", base, fontName=BOLD, fontSize=14, leading=18, spaceBefore=10,
                             spaceAfter=6),
        "h3": ParagraphStyle("h3", base, fontName=BOLD, fontSize=12, leading=16, spaceBefore=8,
                             spaceAfter=4),
        "module": ParagraphStyle("module", base, fontName=BOLD, fontSize=22, leading=28,
                                 spaceAfter=10, textColor=ACCENT),
        "meta": ParagraphStyle("meta", base, fontSize=9, leading=12, textColor=MUTED),
        "pre": ParagraphStyle("pre", base, fontSize=9, leading=12, backColor=colors.whitesmoke,
                              borderPadding=4, spaceBefore=4, spaceAfter=8),
        "cell": ParagraphStyle("cell", base, fontSize=9, leading=12, spaceAfter=0),
        "quote": ParagraphStyle("quote", base, leftIndent=12, textColor=MUTED),
        "caption": ParagraphStyle("caption", base, fontSize=9, leading=12, textColor=MUTED,
                                  alignment=TA_CENTER),
    }


_BLOCKS = {"p", "h1", "h2", "h3", "h4", "h5", "h6", "li", "dt", "dd", "pre", "figcaption",
           "blockquote", "div", "ul", "ol", "dl", "table", "tr", "td", "th", "thead", "tbody",
           "figure", "hr", "details", "summary", "section", "article", "aside", "header",
           "footer"}
_INLINE = {"strong": "b", "b": "b", "em": "i", "i": "i", "sup": "super", "sub": "sub",
           "u": "u", "s": "strike", "del": "strike", "code": None, "kbd": None, "a": None}


@dataclass
class _OpenList:
    kind: str  # ul | ol
    counter: int  # the number of the last item so far


# A table being gathered: rows of cells, each (is a header cell, its paragraphs as markup).
_TableRows = list[list[tuple[bool, list[str]]]]


class _Flow(HTMLParser):
    """Sanitised lesson HTML → reportlab flowables, with the Unicode fonts and images."""

    def __init__(self, styles: dict[str, ParagraphStyle],
                 image_for: Callable[[str], Image | None]) -> None:
        super().__init__(convert_charrefs=True)
        self.styles, self.image_for = styles, image_for
        self.out: list[Flowable] = []
        self.text: list[str] = []  # the paragraph being gathered, as reportlab markup
        self.inline: list[str] = []  # open inline tags, as reportlab tags
        self.links: list[str | None] = []
        self.lists: list[_OpenList] = []
        self.pre = 0
        self.quote = 0
        self.admonition: list[list[Flowable]] = []
        self.divs: list[bool] = []  # per open <div>: is it an admonition?
        self.table: _TableRows | None = None
        self.style_name = "body"
        self.skip = 0  # depth inside an element left out
        self.bold = 0  # depth inside <strong>/<b>/<th>/admonition titles: the bold face

    # The flowables gathered go into the innermost open box (admonition), else the document.
    def _emit(self, flowable: Flowable) -> None:
        (self.admonition[-1] if self.admonition else self.out).append(flowable)

    def _flush(self) -> None:
        body = "".join(self.text).strip()
        self.text = []
        if not body:
            return
        if self.table is not None:
            if self.table and self.table[-1]:
                self.table[-1][-1][1].append(body)
            return
        style = self.styles[self.style_name]
        indent = 14 * len(self.lists) + 12 * self.quote
        if indent or self.quote:
            style = ParagraphStyle("indented", style, leftIndent=indent,
                                   textColor=MUTED if self.quote else style.textColor)
        if self.pre:
            self._emit(XPreformatted(body, self.styles["pre"]))
        else:
            self._emit(Paragraph(body, style))

    def handle_starttag(self, tag: str, attrs_list: list[tuple[str, str | None]]) -> None:
        attrs = dict(attrs_list)
        if self.skip:
            self.skip += tag == "a"
            return
        if tag == "a" and "footnote-backref" in (attrs.get("class") or ""):
            self.skip = 1  # "↩ back to the text" means nothing on paper
            return
        # A <p> right after a list item's number stays on the number's line.
        plain = re.sub(r"<[^>]+>", "", "".join(self.text)).strip()
        only_marker = bool(self.lists) and (plain == "•" or plain.rstrip(".").isdigit())
        if tag in _BLOCKS and not self.pre and not (tag == "p" and only_marker):
            self._flush()
        if self._start_block(tag, attrs) or self._start_table_part(tag, attrs):
            return
        if tag in _INLINE:
            self._start_inline(tag, attrs)

    def _start_block(self, tag: str, attrs: dict[str, str | None]) -> bool:
        """Open a heading, list, item, quote, pre, div or admonition title; False for others."""
        if tag in ("h1", "h2"):
            self.style_name = "h2"
        elif tag in ("h3", "h4", "h5", "h6", "dt", "summary"):
            self.style_name = "h3"
        elif tag == "figcaption":
            self.style_name = "caption"
        elif tag in ("ul", "ol"):
            self.lists.append(_OpenList(tag, int(attrs.get("start") or 1) - 1))
        elif tag == "li" and self.lists:
            open_list = self.lists[-1]
            open_list.counter += 1
            self.text.append(f"{open_list.counter}. " if open_list.kind == "ol" else "• ")
        elif tag == "blockquote":
            self.quote += 1
        elif tag == "pre":
            self.pre += 1
        elif tag == "div":
            is_box = "admonition" in (attrs.get("class") or "").split()
            self.divs.append(is_box)
            if is_box:
                self.admonition.append([])
        elif tag == "p" and "admonition-title" in (attrs.get("class") or ""):
            self.bold += 1
            self.inline.append("admonition-title")
        else:
            return False
        return True

    def _start_table_part(self, tag: str, attrs: dict[str, str | None]) -> bool:
        """Open a table, row or cell, or put in a line break, rule or image; False for others."""
        if tag == "table":
            self.table = []
        elif tag == "tr" and self.table is not None:
            self.table.append([])
        elif tag in ("td", "th") and self.table is not None and self.table:
            self.table[-1].append((tag == "th", []))
            self.bold += tag == "th"
        elif tag == "br":
            self.text.append("<br/>")
        elif tag == "hr":
            self._emit(HRFlowable(width="100%", color=MUTED, spaceBefore=4, spaceAfter=8))
        elif tag == "img":
            image = self.image_for(attrs.get("src") or "")
            if image is not None:
                self._emit(image)
            elif attrs.get("alt"):
                self.text.append(markup(f"[{attrs['alt']}]"))
        else:
            return False
        return True

    def _start_inline(self, tag: str, attrs: dict[str, str | None]) -> None:
        """Open a run in another face, a code font or an underlined link."""
        if tag in ("code", "kbd"):
            self.text.append('<font backColor="#eeeeee">')
            self.inline.append("font")
        elif tag == "a":
            self.links.append(attrs.get("href"))
            self.text.append("<u>")
            self.inline.append("u")
        elif _INLINE[tag] == "b":
            # An explicit <font name> inside <b> would undo it: the runs pick the bold face.
            self.bold += 1
            self.inline.append("")
        elif (reportlab_tag := _INLINE[tag]) is not None:
            self.text.append(f"<{reportlab_tag}>")
            self.inline.append(reportlab_tag)

    def handle_endtag(self, tag: str) -> None:
        if self.skip:
            self.skip -= tag == "a"
            return
        if tag in _INLINE and self.inline:
            self._end_inline(tag)
            return
        if tag == "p" and self.inline and self.inline[-1] == "admonition-title":
            self.inline.pop()
            self.bold -= 1
        if tag in ("td", "th") and self.table is not None and self.table and self.table[-1]:
            self._flush()
            self.bold -= tag == "th"
            return
        if tag in _BLOCKS and not (self.pre and tag != "pre"):
            self._flush()
        self._end_block(tag)

    def _end_inline(self, tag: str) -> None:
        """Close the innermost run; after a link to outside the course, print its address."""
        if tag == "a":
            href = self.links.pop() if self.links else None
            self.text.append("</u>")
            self.inline.pop()
            # Paper has no links: an outside address is printed after the text (links
            # within the course point at pages the booklet already holds).
            if href and urlsplit(href).scheme in ("http", "https", "mailto"):
                self.text.append(markup(f" ({href})").replace(
                    "<font ", '<font size="8" ', 1))
            return
        closing = self.inline.pop()
        if closing:
            self.text.append(f"</{closing}>")
        else:
            self.bold -= 1

    def _end_block(self, tag: str) -> None:
        """Close a heading, list, quote, pre, admonition box or table."""
        if tag in ("h1", "h2", "h3", "h4", "h5", "h6", "dt", "summary", "figcaption"):
            self.style_name = "body"
        elif tag in ("ul", "ol") and self.lists:
            self.lists.pop()
        elif tag == "blockquote" and self.quote:
            self.quote -= 1
        elif tag == "pre" and self.pre:
            self.pre -= 1
        elif tag == "div" and self.divs and self.divs.pop() and self.admonition:
            inner = self.admonition.pop()
            box = Table([[inner]], colWidths=[TEXT_WIDTH - 14 * len(self.lists)])
            box.setStyle(TableStyle([
                ("BACKGROUND", (0, 0), (-1, -1), colors.HexColor("#fff4d6")),
                ("BOX", (0, 0), (-1, -1), 0.8, ACCENT),
                ("LEFTPADDING", (0, 0), (-1, -1), 8), ("RIGHTPADDING", (0, 0), (-1, -1), 8),
            ]))
            self._emit(box)
        elif tag == "table" and self.table is not None:
            self._emit_table()

    def handle_data(self, data: str) -> None:
        if self.skip:
            return
        if self.table is not None and not (self.table and self.table[-1]):
            return  # whitespace between table rows
        if not self.pre:
            data = re.sub(r"\s+", " ", data)
        bold = self.bold > 0 or self.style_name in ("h2", "h3")
        self.text.append(markup(data, bold=bold))

    def _emit_table(self) -> None:
        rows = [row for row in self.table or [] if row]
        self.table = None
        if not rows:
            return
        columns = max(len(row) for row in rows)
        cells: list[list[Paragraph | str]] = [
            [Paragraph("".join(parts), self.styles["cell"]) for _header, parts in row]
            + [""] * (columns - len(row)) for row in rows]
        table = Table(cells, colWidths=[TEXT_WIDTH / columns] * columns, repeatRows=1)
        table.setStyle(TableStyle([
            ("GRID", (0, 0), (-1, -1), 0.5, MUTED), ("VALIGN", (0, 0), (-1, -1), "TOP"),
            ("BACKGROUND", (0, 0), (-1, 0), colors.HexColor("#f1eee6")),
        ]))
        self._emit(table)
        self._emit(Spacer(1, 6))

    def close(self) -> None:
        super().close()
        self._flush()


def html_flowables(html: str, styles: dict[str, ParagraphStyle],
                   image_for: Callable[[str], Image | None]) -> list[Flowable]:
    """ReportLab flowables (paragraphs, lists, tables, images) for sanitised lesson HTML.

    `styles` are the booklet's paragraph styles; `image_for(src)` returns the flowable for an
    image, or None to print its alt text instead. Returns them in document order. Raises
    nothing of its own: a tag it does not know is passed over, its text kept.
    """
    parser = _Flow(styles, image_for)
    parser.feed(html)
    parser.close()
    return parser.out


def _media_name(src: str) -> str | None:
    path = urlsplit(src).path
    return posixpath.basename(path.split("/media/", 1)[1]) if "/media/" in path else None


# Built booklets by course version: a class opening "Unduh buklet" together must not typeset
# the same 30-page PDF once per person (seconds of CPU each). Kept per process, newest 8.
_BOOKLETS: OrderedDict[tuple[Any, ...], bytes] = OrderedDict()
_BOOKLETS_KEPT = 8
_BOOKLETS_LOCK = threading.Lock()


def cached_booklet_pdf(session: DbSession, printable: PrintableCourse, *, institution: str,
                       printed_on: str, variant: str = "") -> tuple[bytes, str]:
    """booklet_pdf, built once per course version and kept: (PDF bytes, an ETag for it).

    The key is everything the PDF shows: the imported version (content hash and import time),
    answers or not, the institution, the printed-on date, and `variant` (the caller's site
    address and language, which links and labels are written in). Raises what booklet_pdf
    raises.
    """
    course = printable.course
    key = (course.id, course.content_hash, str(course.imported_at), printable.with_answers,
           institution, printed_on, variant)
    etag = hashlib.sha256(repr(key).encode()).hexdigest()[:32]
    with _BOOKLETS_LOCK:
        pdf = _BOOKLETS.get(key)
        if pdf is not None:
            _BOOKLETS.move_to_end(key)
            return pdf, etag
    pdf = booklet_pdf(session, printable, institution=institution, printed_on=printed_on)
    with _BOOKLETS_LOCK:
        _BOOKLETS[key] = pdf
        while len(_BOOKLETS) > _BOOKLETS_KEPT:
            _BOOKLETS.popitem(last=False)
    return pdf, etag


def booklet_pdf(session: DbSession, printable: PrintableCourse, *, institution: str,
                printed_on: str) -> bytes:
    """The course as an A4 booklet: a cover (title, JP, version), then every module, lesson,
    image and quiz question in order; with `printable.with_answers`, the answer key instead of
    blank boxes. Page numbers and the course title on every page after the cover.
    Returns the PDF's bytes. Raises no domain error; an image reportlab cannot read is left
    out. Only reportlab's own errors (a LayoutError for an item taller than a page) could
    come through.
    """
    register_fonts()
    course = printable.course
    styles = _styles()
    media = {m.path: m for m in session.scalars(
        select(MediaFile).where(MediaFile.course_id == course.id,
                                MediaFile.content_type.like("image/%")))}

    image_for = _image_finder(media)
    story = _cover(printable, styles, institution=institution, printed_on=printed_on)
    for part in printable.modules:
        story.append(Paragraph(markup(part.module.title, bold=True), styles["module"]))
        story.extend(html_flowables(part.module.intro_html, styles, image_for))
        for step in part.steps:
            story.append(CondPageBreak(40 * mm))
            story.append(Paragraph(markup(step.lesson.title, bold=True), styles["h1"]))
            if (quiz := step.lesson.quiz) is not None:
                rules = [ngettext("%(num)d pertanyaan", "%(num)d pertanyaan",
                                  len(step.questions)),
                         _("Nilai lulus %(mark)s", mark=quiz.pass_mark)]
                story.append(Paragraph(markup(" · ".join(rules)), styles["meta"]))
            story.extend(html_flowables(step.body_html, styles, image_for))
            for question in step.questions:
                story.append(KeepTogether(_question_flowables(question, styles, image_for,
                                                              printable.with_answers)))
        story.append(PageBreak())

    decorate = _page_decorator(course.title)

    buffer = io.BytesIO()
    document = SimpleDocTemplate(
        buffer, pagesize=A4, leftMargin=MARGIN, rightMargin=MARGIN, topMargin=MARGIN,
        bottomMargin=MARGIN, title=course.title, author=institution or "Lentera",
    )
    document.build(story, onFirstPage=decorate, onLaterPages=decorate)
    return buffer.getvalue()


def _image_finder(media: dict[str, MediaFile]) -> Callable[[str], Image | None]:
    """image_for for html_flowables: the course image a src names (by path, else by file
    name), sized to fit the page; None if there is none or reportlab cannot read it."""

    def image_for(src: str) -> Image | None:
        name = _media_name(src)
        item = media.get(name) if name else None
        if item is None:
            item = next((m for m in media.values() if posixpath.basename(m.path) == name), None)
        if item is None:
            return None
        try:
            image = Image(io.BytesIO(item.data))
        except Exception:  # an image reportlab cannot read is left out, not fatal
            return None
        scale = min(1.0, TEXT_WIDTH / image.imageWidth, (PAGE_HEIGHT / 2.5) / image.imageHeight)
        image.drawWidth, image.drawHeight = image.imageWidth * scale, image.imageHeight * scale
        image.hAlign = "CENTER"
        return image

    return image_for


def _cover(printable: PrintableCourse, styles: dict[str, ParagraphStyle], *, institution: str,
           printed_on: str) -> list[Flowable]:
    """The cover page: institution, title, JP and version, answer-key warning, summary, date."""
    course = printable.course
    story: list[Flowable] = []
    story.append(Spacer(1, 30 * mm))
    if institution:
        story.append(fitted_paragraph(institution, TEXT_WIDTH, 14 * mm, 13, 9, bold=True,
                                      color=ACCENT))
        story.append(Spacer(1, 20 * mm))
    story.append(fitted_paragraph(course.title, TEXT_WIDTH, 60 * mm, 28, 14, bold=True))
    story.append(Spacer(1, 8 * mm))
    facts = [_("%(jp)s JP", jp=format_decimal(course.jp, format="#,##0.##"))]
    if course.version:
        facts.append(_("Versi %(version)s", version=course.version))
    story.append(fitted_paragraph(" · ".join(facts), TEXT_WIDTH, 10 * mm, 14, 9))
    if printable.with_answers:
        story.append(Spacer(1, 6 * mm))
        story.append(fitted_paragraph(_("KUNCI JAWABAN — hanya untuk pelatih"), TEXT_WIDTH,
                                      10 * mm, 14, 9, bold=True, color=colors.HexColor("#a3161b")))
    story.append(Spacer(1, 10 * mm))
    story.append(Paragraph(markup(course.summary), ParagraphStyle(
        "summary", styles["body"], alignment=TA_CENTER, textColor=MUTED)))
    story.append(Spacer(1, 20 * mm))
    story.append(Paragraph(markup(_("Dicetak %(date)s", date=printed_on)), ParagraphStyle(
        "printed", styles["meta"], alignment=TA_CENTER)))
    story.append(PageBreak())
    return story


def _page_decorator(title_text: str) -> Callable[[Canvas, BaseDocTemplate], None]:
    """Draws the page number and the course title at the foot of every page but the cover."""

    def decorate(canvas: Canvas, doc: BaseDocTemplate) -> None:
        if doc.page == 1:
            return
        canvas.saveState()
        canvas.setFont(REGULAR, 8)
        canvas.setFillColor(MUTED)
        canvas.drawRightString(PAGE_WIDTH - MARGIN, 10 * mm, str(doc.page))
        title = fitted_paragraph(title_text, TEXT_WIDTH - 20 * mm, 5 * mm, 8, 6,
                                 alignment=0, color=MUTED)
        title.wrap(TEXT_WIDTH - 20 * mm, 5 * mm)
        title.drawOn(canvas, MARGIN, 9 * mm)
        canvas.restoreState()

    return decorate


def _question_flowables(question: PrintQuestion, styles: dict[str, ParagraphStyle],
                        image_for: Callable[[str], Image | None],
                        with_answers: bool) -> list[Flowable]:
    out: list[Flowable] = []
    label = _("Pertanyaan %(number)d", number=question.number)
    if question.points != 1:
        label += " · " + ngettext("%(num)d poin", "%(num)d poin", question.points)
    if question.kind == "multiple":
        label += " · " + _("pilih semua yang benar")
    out.append(Paragraph(markup(label, bold=True), styles["h3"]))
    out.extend(html_flowables(question.prompt_html, styles, image_for))
    option_style = ParagraphStyle("option", styles["body"], leftIndent=18, firstLineIndent=-14)
    for option in question.options:
        box = "☑" if option.correct else "☐"
        body = "".join(f.getPlainText() if hasattr(f, "getPlainText") else ""
                       for f in html_flowables(option.text_html, styles, image_for))
        text = markup(f"{box} {body}", bold=bool(option.correct))
        out.append(Paragraph(text, option_style))
    if question.kind == "short":
        if with_answers:
            answers = " / ".join(question.accepted)
            out.append(Paragraph(markup(_("Jawaban yang diterima: %(answers)s",
                                          answers=answers), bold=True), option_style))
        else:
            out.append(Paragraph(markup(_("Jawaban:") + " " + "_" * 40), option_style))
    if with_answers and question.explanation_html:
        out.append(Paragraph(markup(_("Penjelasan:"), bold=True), styles["meta"]))
        out.extend(html_flowables(question.explanation_html, styles, image_for))
    out.append(Spacer(1, 4))
    return out
