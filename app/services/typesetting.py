"""Unicode text in PDFs: the fonts shipped in app/fonts, glyph fallback, and text that fits its box.

Certificates and printed courses carry any name and any title: Turkish `Ş`, Vietnamese tone
marks, Chinese names. The PDF's built-in Helvetica covers Latin-1 only, so both use DejaVu Sans
(Latin Extended, Greek, Cyrillic; Bitstream Vera licence) and fall back, glyph by glyph, to Droid
Sans Fallback (CJK, Apache 2.0) for whatever DejaVu lacks. Both are TrueType-outline files, the
kind reportlab embeds (it cannot embed CFF-outline OpenType such as Noto Sans CJK).
"""

from __future__ import annotations

import re
from functools import cache
from pathlib import Path
from typing import Literal
from xml.sax.saxutils import escape

from reportlab.lib.colors import Color
from reportlab.lib.enums import TA_CENTER
from reportlab.lib.styles import ParagraphStyle
from reportlab.pdfbase import pdfmetrics
from reportlab.pdfbase.ttfonts import TTFont
from reportlab.platypus import Paragraph

FONT_DIR = Path(__file__).resolve().parent.parent / "fonts"
REGULAR = "Lentera"
BOLD = "Lentera-Bold"
CJK = "Lentera-CJK"


@cache
def register_fonts() -> None:
    """Register the three fonts with reportlab once per process; `<b>` maps to the bold face.
    Raises reportlab's TTFError only if a font file in app/fonts is missing or broken."""
    pdfmetrics.registerFont(TTFont(REGULAR, str(FONT_DIR / "DejaVuSans.ttf")))
    pdfmetrics.registerFont(TTFont(BOLD, str(FONT_DIR / "DejaVuSans-Bold.ttf")))
    pdfmetrics.registerFont(TTFont(CJK, str(FONT_DIR / "DroidSansFallback.ttf")))
    pdfmetrics.registerFontFamily(REGULAR, normal=REGULAR, bold=BOLD, italic=REGULAR,
                                  boldItalic=BOLD)
    pdfmetrics.registerFontFamily(CJK, normal=CJK, bold=CJK, italic=CJK, boldItalic=CJK)


@cache
def _coverage(font_name: str) -> frozenset[int]:
    register_fonts()
    font = pdfmetrics.getFont(font_name)
    assert isinstance(font, TTFont)  # register_fonts registers TrueType fonts only
    return frozenset(font.face.charToGlyph)


def has_glyph(font_name: str, char: str) -> bool:
    """Whether the registered font draws this character. Meant for our fonts (REGULAR, BOLD,
    CJK): raises KeyError for an unknown font name, AssertionError for a built-in one."""
    return ord(char) in _coverage(font_name)


def font_runs(text: str, bold: bool = False) -> list[tuple[str, str]]:
    """[(font name, text)]: consecutive characters that one font draws, DejaVu first, then CJK.

    Spaces and characters neither font has stay in the run they occur in. [] for "".
    Raises nothing.
    """
    primary = BOLD if bold else REGULAR
    runs: list[tuple[str, str]] = []
    for char in text:
        if char.isspace() or has_glyph(primary, char):
            font = primary
        elif has_glyph(CJK, char):
            font = CJK
        else:
            font = runs[-1][0] if runs else primary
        if char.isspace() and runs:
            font = runs[-1][0]
        if runs and runs[-1][0] == font:
            runs[-1] = (font, runs[-1][1] + char)
        else:
            runs.append((font, char))
    return runs


def markup(text: str, bold: bool = False) -> str:
    """Paragraph markup for plain text: escaped, each run in the font that has its glyphs.
    Raises nothing."""
    return "".join(
        f'<font name="{font}">{escape(run)}</font>' for font, run in font_runs(text, bold)
    )


_CJK_CHAR = re.compile(r"[\u2e80-\u9fff\uac00-\ud7af\uf900-\ufaff\uff00-\uffef]")


def has_cjk(text: str) -> bool:
    """Whether the text holds any Chinese, Japanese or Korean character. Raises nothing."""
    return bool(_CJK_CHAR.search(text))


def fitted_paragraph(text: str, width: float, height: float, size: float, min_size: float,
                     bold: bool = False, alignment: Literal[0, 1, 2, 4] = TA_CENTER,
                     color: Color | tuple[float, float, float] = (0.1, 0.1, 0.1)) -> Paragraph:
    """A paragraph of plain text that fits `width` × `height` points, wrapped and shrunk as needed.

    Tries sizes from `size` down to `min_size` (points, steps of 1), breaking lines between words;
    text without spaces to break at (Chinese, a long URL) is broken between any two characters.
    At `min_size` the text is cut with an ellipsis rather than drawn outside the box.
    Raises nothing.
    """
    register_fonts()
    if not isinstance(color, Color):
        color = Color(*color)
    body = markup(text, bold)
    current = size
    while True:
        for wrap in ("CJK",) if has_cjk(text) else (None, "CJK"):
            style = ParagraphStyle(
                "fitted", fontName=BOLD if bold else REGULAR, fontSize=current,
                leading=current * 1.2, alignment=alignment, wordWrap=wrap, textColor=color,
            )
            paragraph = Paragraph(body, style)
            _, needed = paragraph.wrap(width, height)
            if needed <= height and (wrap == "CJK" or paragraph.minWidth() <= width):
                return paragraph
        if current <= min_size:
            break
        current = max(min_size, current - 1)
    # Still too long at the smallest size: keep as many characters as fit.
    lines = max(1, int(height // (min_size * 1.2)))
    style = ParagraphStyle("fitted", fontName=BOLD if bold else REGULAR, fontSize=min_size,
                           leading=min_size * 1.2, alignment=alignment, wordWrap="CJK",
                           textColor=color)
    keep = len(text)
    while keep > 1:
        keep = int(keep * 0.9)
        paragraph = Paragraph(markup(text[:keep].rstrip() + "…", bold), style)
        _, needed = paragraph.wrap(width, height)
        if needed <= lines * min_size * 1.2 + 0.01:
            return paragraph
    return paragraph
