"""CSV and XLSX files of the report's rows, with the same columns as the screen.

Both stream in flat memory: CSV row by row, XLSX through openpyxl's write-only mode into a
temporary file that is then sent in chunks. Neither lets a spreadsheet run a cell as a
formula (OWASP "CSV injection"), including Excel set to `;` as its list separator, as it is
with Indonesian regional settings.
"""

from __future__ import annotations

import csv
import io
import re
import tempfile
from collections.abc import Iterable, Iterator
from dataclasses import dataclass
from datetime import date, datetime
from typing import TYPE_CHECKING
from zoneinfo import ZoneInfo

from flask_babel import lazy_gettext as _l

from app.services.nip import mask_nip
from app.services.reports import STATUS_LABELS, StatusRow

if TYPE_CHECKING:
    from openpyxl.cell.cell import Cell


@dataclass(frozen=True)
class Column:
    heading: object  # a lazy string: translated when the file is written
    width: int  # in Excel's character widths
    text: bool = False  # a text column: its cells are never numbers, dates or formulas
    key: str = ""  # what the column holds, for the screen's labels (LABELS)


# The one list of columns, for the CSV, the XLSX and (in the same order) the screen.
COLUMNS = (
    Column(_l("Nama"), 28, text=True, key="name"),
    Column(_l("NIP"), 21, text=True, key="nip"),
    Column(_l("Unit"), 28, text=True, key="unit"),
    Column(_l("Kursus"), 32, text=True, key="course"),
    Column(_l("JP kursus"), 10, key="jp"),
    Column(_l("Status"), 16, text=True, key="status"),
    Column(_l("Terdaftar"), 12, key="enrolled_at"),
    Column(_l("Selesai"), 12, key="completed_at"),
    Column(_l("Tenggat"), 12, key="due_on"),
    Column(_l("JP tahun ini"), 12, key="jp_this_year"),
    Column(_l("JP dari kursus"), 12, key="jp_course"),
    Column(_l("JP sesi tatap muka"), 12, key="jp_session"),
    Column(_l("JP pelatihan luar"), 12, key="jp_claim"),
)
HEADINGS = tuple(c.heading for c in COLUMNS)
# The same headings by key, for the report's table on screen (reports/rows.html).
LABELS = {c.key: c.heading for c in COLUMNS}

# A formula starts with one of these, at the start of a cell or right after a separator that
# some spreadsheet may split on (`,` `;` tab `|`), spaces or a quote in between.
_FORMULA_START = "=+-@\t\r"
_RISKY = re.compile(r"(^|[,;\t|\r\n])([\s\"']*)(?=[=+\-@\t\r])")


def safe_text(value: str) -> str:
    """Text a spreadsheet shows as text: an apostrophe goes before every place where a formula
    could start (OWASP CSV injection). `Budi;=1+2;@SUM(1)` becomes `'Budi;'=1+2;'@SUM(1)`: the
    whole cell is guarded, and so is each piece Excel would make of it when it splits on `;`.
    Harmless text comes back unchanged."""
    if not _needs_guard(value):
        return value
    guarded = _RISKY.sub(lambda m: m.group(1) + m.group(2) + "'", value)
    return guarded if guarded.startswith("'") else "'" + guarded


def _needs_guard(value: str) -> bool:
    return bool(value) and (value[0] in _FORMULA_START or _RISKY.search(value) is not None)


def _local_day(moment: datetime | None, zone: ZoneInfo) -> date | None:
    return moment.astimezone(zone).date() if moment else None


def cells(row: StatusRow, zone: ZoneInfo) -> list:
    """One row's values in column order, unguarded: text, dates as dates, JP as numbers."""
    return [
        row.name, mask_nip(row.nip), row.unit, row.course, row.jp,
        str(STATUS_LABELS[row.status]), _local_day(row.enrolled_at, zone),
        _local_day(row.completed_at, zone), row.due_on, row.jp_this_year,
        row.jp_course, row.jp_session, row.jp_claim,
    ]


def _csv_value(value) -> str:
    if value is None:
        return ""
    if isinstance(value, date):
        return value.isoformat()
    if isinstance(value, str):
        return safe_text(value)
    return str(value)


def table_csv(columns: Iterable[Column], lines: Iterable[list], chunk: int = 16 * 1024,
              ) -> Iterator[str]:
    """Any export's CSV text: a heading row of `columns`, then one row per list of values in
    `lines` (in column order), in chunks of about `chunk` characters, so memory stays flat
    however many rows. Every field is quoted, so a separator inside a name never starts a new
    cell, and text is guarded by `safe_text`. The headings are translated at once, while the
    request (and its signed-in user's language) is still there; the rows come as they are read.
    """
    headings = [str(c.heading) for c in columns]

    def chunks() -> Iterator[str]:
        buffer = io.StringIO()
        writer = csv.writer(buffer, quoting=csv.QUOTE_ALL)
        buffer.write("\ufeff")  # lets Excel read UTF-8 names correctly
        writer.writerow(headings)
        for values in lines:
            writer.writerow([_csv_value(v) for v in values])
            if buffer.tell() >= chunk:
                yield buffer.getvalue()
                buffer.seek(0)
                buffer.truncate()
        yield buffer.getvalue()

    return chunks()


def csv_chunks(rows: Iterable[StatusRow], zone: ZoneInfo, chunk: int = 16 * 1024) -> Iterator[str]:
    """The completion report's rows as CSV (see `table_csv`)."""
    return table_csv(COLUMNS, (cells(row, zone) for row in rows), chunk)


def _column_letter(n: int) -> str:
    from openpyxl.utils import get_column_letter

    return get_column_letter(n)


def xlsx_file(rows: Iterable[StatusRow], zone: ZoneInfo, title: str):
    """The completion report's rows as a workbook (see `table_xlsx`)."""
    return table_xlsx(COLUMNS, (cells(row, zone) for row in rows), title)


def table_xlsx(columns: tuple[Column, ...], lines: Iterable[list], title: str):
    """Any export's workbook in an open temporary file, positioned at its start: a heading row
    of `columns`, then one row per list of values in `lines` (in column order).

    openpyxl's write-only mode sends each row to disk as it is appended, and the finished
    workbook is zipped into the temporary file, so memory stays flat however many rows. Text
    cells are stored as text (never a formula, whatever they start with) and formatted as text
    ("@"), so Excel shows `=1+2` or a NIP as written, with no apostrophe; dates are dates and
    JP numbers. The header row is bold, frozen and has filters; columns have widths.
    The caller closes the file (the temporary file then disappears).
    """
    from openpyxl import Workbook  # imported here: only exports need it, not every process
    from openpyxl.cell import WriteOnlyCell
    from openpyxl.styles import Font

    workbook = Workbook(write_only=True)
    sheet = workbook.create_sheet(title=_sheet_title(title))
    for n, column in enumerate(columns, start=1):
        sheet.column_dimensions[_column_letter(n)].width = column.width
    sheet.freeze_panes = "A2"
    bold = Font(bold=True)

    def heading(text: str) -> Cell:
        cell = WriteOnlyCell(sheet, value=text)
        cell.data_type = "s"
        cell.font = bold
        return cell

    def text_cell(value: str) -> Cell:
        return xlsx_text_cell(sheet, value)

    def date_cell(value: date) -> Cell:
        # openpyxl stores a date as a date; types-openpyxl's WriteOnlyCell lists datetime only.
        cell = WriteOnlyCell(sheet, value=value)  # type: ignore[arg-type]
        cell.number_format = "yyyy-mm-dd"
        return cell

    sheet.append([heading(str(c.heading)) for c in columns])
    count = 0
    for values in lines:
        line: list[object] = []
        for column, value in zip(columns, values, strict=True):
            if value is None:
                line.append(None)
            elif column.text:
                line.append(text_cell(value))
            elif isinstance(value, date):
                line.append(date_cell(value))
            else:
                line.append(value)
        sheet.append(line)
        count += 1
    sheet.auto_filter.ref = f"A1:{_column_letter(len(columns))}{count + 1}"
    out = tempfile.TemporaryFile()  # noqa: SIM115 - closed by file_chunks or the caller
    try:
        workbook.save(out)
    except BaseException:
        out.close()
        raise
    out.seek(0)
    return out


def xlsx_text_cell(sheet, value: str):
    """A write-only XLSX cell holding `value` as text: never a formula or a number, whatever it
    starts with, shown as written (no apostrophe), and still text when someone edits it."""
    from openpyxl.cell import WriteOnlyCell

    cell = WriteOnlyCell(sheet, value=value)
    cell.data_type = "s"  # a string, even when it starts with "="
    cell.number_format = "@"
    if _needs_guard(value):
        cell.quotePrefix = True  # and it stays text when someone edits it in Excel
    return cell


def file_chunks(handle, size: int = 64 * 1024) -> Iterator[bytes]:
    """A file's bytes in chunks; the file is closed when the last one is sent or the client
    goes away (the generator is closed)."""
    try:
        while chunk := handle.read(size):
            yield chunk
    finally:
        handle.close()


def _sheet_title(title: str) -> str:
    # Excel refuses these characters in a sheet name, and names longer than 31.
    return re.sub(r"[\[\]:*?/\\]", " ", title)[:31] or "Sheet1"
