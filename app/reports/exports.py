"""CSV (streamed) and XLSX files of the report's rows, with the same columns as the screen."""

from __future__ import annotations

import csv
import io
from collections.abc import Iterable, Iterator
from datetime import date, datetime
from zoneinfo import ZoneInfo

from flask_babel import lazy_gettext as _l
from openpyxl import Workbook

from app.services.nip import mask_nip
from app.services.reports import STATUS_LABELS, StatusRow

COLUMNS = (
    _l("Nama"), _l("NIP"), _l("Unit"), _l("Kursus"), _l("JP kursus"), _l("Status"),
    _l("Terdaftar"), _l("Selesai"), _l("Tenggat"), _l("JP tahun ini"),
    _l("JP dari kursus"), _l("JP sesi tatap muka"), _l("JP pelatihan luar"),
)
_FORMULA_START = ("=", "+", "-", "@", "\t", "\r")


def safe_text(value: str) -> str:
    """A spreadsheet must not run a cell as a formula: prefix risky text with an apostrophe."""
    return "'" + value if value.startswith(_FORMULA_START) else value


def _local_day(moment: datetime | None, zone: ZoneInfo) -> date | None:
    return moment.astimezone(zone).date() if moment else None


def cells(row: StatusRow, zone: ZoneInfo) -> list:
    """One row's values in column order: text guarded, dates as dates, JP as numbers."""
    return [
        safe_text(row.name), mask_nip(row.nip), safe_text(row.unit), safe_text(row.course),
        row.jp, str(STATUS_LABELS[row.status]), _local_day(row.enrolled_at, zone),
        _local_day(row.completed_at, zone), row.due_on, row.jp_this_year,
        row.jp_course, row.jp_session, row.jp_claim,
    ]


def _csv_value(value) -> str:
    if value is None:
        return ""
    if isinstance(value, date):
        return value.isoformat()
    return str(value)


def csv_chunks(rows: Iterable[StatusRow], zone: ZoneInfo, chunk: int = 16 * 1024) -> Iterator[str]:
    """The CSV text in chunks of about `chunk` characters: memory stays flat however many rows."""
    buffer = io.StringIO()
    writer = csv.writer(buffer)
    buffer.write("\ufeff")  # lets Excel read UTF-8 names correctly
    writer.writerow([str(c) for c in COLUMNS])
    for row in rows:
        writer.writerow([_csv_value(v) for v in cells(row, zone)])
        if buffer.tell() >= chunk:
            yield buffer.getvalue()
            buffer.seek(0)
            buffer.truncate()
    yield buffer.getvalue()


def xlsx_bytes(rows: Iterable[StatusRow], zone: ZoneInfo, title: str) -> bytes:
    """A write-only workbook (rows go straight to disk, not kept in memory) as bytes."""
    workbook = Workbook(write_only=True)
    sheet = workbook.create_sheet(title=title[:31])
    sheet.append([str(c) for c in COLUMNS])
    for row in rows:
        sheet.append(cells(row, zone))
    out = io.BytesIO()
    workbook.save(out)
    return out.getvalue()
