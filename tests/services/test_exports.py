"""The export files themselves: safe in a spreadsheet, usable in Excel, flat in memory."""

import csv
import io
import tracemalloc
import zipfile
from datetime import UTC, date, datetime
from decimal import Decimal
from zoneinfo import ZoneInfo

import pytest
from openpyxl import load_workbook
from openpyxl.utils import get_column_letter

from app.reports.exports import COLUMNS, HEADINGS, csv_chunks, file_chunks, safe_text, xlsx_file
from app.services.reports import COMPLETED, StatusRow

ZONE = ZoneInfo("Asia/Jakarta")


def row(name="Budi Santoso", nip="198503122010011001", unit="Biro SDM", n=0) -> StatusRow:
    return StatusRow(
        user_id=n, name=name, nip=nip, unit=unit, course="Keamanan Informasi",
        jp=Decimal("2.50"), status=COMPLETED,
        enrolled_at=datetime(2026, 3, 1, 20, 0, tzinfo=UTC),  # 2 March in Jakarta
        completed_at=datetime(2026, 3, 5, 1, 0, tzinfo=UTC), due_on=date(2026, 6, 30),
        jp_this_year=Decimal("7.50"))


def rows(count: int):
    for n in range(count):
        yield row(name=f"Peserta {n} {'x' * (n % 40)}", nip=f"1985031220100110{n % 100:02d}",
                  n=n)


@pytest.mark.parametrize(("value", "expected"), [
    ("Budi Santoso", "Budi Santoso"),
    ("Budi;=1+2;@SUM(1)", "'Budi;'=1+2;'@SUM(1)"),
    ("=1+2", "'=1+2"),
    ("+62811", "'+62811"),
    ("-5", "'-5"),
    ("@SUM(A1)", "'@SUM(A1)"),
    ("\tx", "'\tx"),
    ("\rx", "'\rx"),
    ("Ani, =cmd|' /C calc'!A0", "'Ani, '=cmd|' /C calc'!A0"),
    ('Biro "Umum"; "=1"', "'Biro \"Umum\"; \"'=1\""),
    ("Bagian 01-02 (A+B)", "Bagian 01-02 (A+B)"),  # a dash inside a word is no formula
    ("", ""),
])
def test_text_that_could_start_a_formula_is_guarded_wherever_it_starts(value, expected):
    assert safe_text(value) == expected


def test_the_csv_quotes_every_field_and_splits_into_no_formula_on_semicolons():
    text = "".join(csv_chunks([row(name="Budi;=1+2;@SUM(1)", unit="@Biro")], ZONE))
    lines = text[1:].splitlines()
    assert lines[0] == ",".join(f'"{h}"' for h in HEADINGS)
    parsed = next(csv.reader([lines[1]]))
    assert lines[1] == ",".join('"' + v.replace('"', '""') + '"' for v in parsed)
    # Excel set to ";" splits the line there, quotes or not: no piece may start a formula.
    for piece in lines[1].split(";"):
        assert not piece.lstrip('"').startswith(("=", "+", "-", "@")), piece
    record = next(csv.DictReader(io.StringIO(text[1:])))
    assert record["Nama"] == "'Budi;'=1+2;'@SUM(1)"
    assert record["Unit"] == "'@Biro"
    assert record["NIP"] == "19850312******1001"
    assert record["Terdaftar"] == "2026-03-02"
    assert record["JP kursus"] == "2.50"


def test_the_workbook_keeps_text_as_typed_and_is_ready_to_filter():
    hostile = "Budi;=1+2;@SUM(1)"
    with xlsx_file([row(name=hostile), row(name="=HYPERLINK(\"x\")", nip="199001012015012002")],
                   ZONE, "Laporan: penyelesaian/2026") as handle:
        data = handle.read()
    with zipfile.ZipFile(io.BytesIO(data)) as archive:
        sheet_xml = archive.read("xl/worksheets/sheet1.xml").decode()
    assert "<f>" not in sheet_xml  # no cell is a formula
    book = load_workbook(io.BytesIO(data))
    sheet = book.active
    assert sheet.title == "Laporan  penyelesaian 2026"
    assert [c.value for c in sheet[1]] == [str(h) for h in HEADINGS]
    assert all(c.font.bold for c in sheet[1])
    name, nip = sheet["A2"], sheet["B2"]
    # Shown exactly as typed: text, no apostrophe; quotePrefix keeps it text when edited.
    assert (name.value, name.data_type, name.quotePrefix) == (hostile, "s", True)
    assert sheet["A3"].value == "=HYPERLINK(\"x\")" and sheet["A3"].data_type == "s"
    # NIP as text, so Excel never turns it into 1.98503E+17.
    assert (nip.value, nip.data_type, nip.number_format) == ("19850312******1001", "s", "@")
    assert sheet["G2"].value.date() == date(2026, 3, 2)
    assert sheet["G2"].number_format == "yyyy-mm-dd"
    assert sheet["E2"].value == 2.5
    assert sheet.freeze_panes == "A2"
    last = get_column_letter(len(COLUMNS))
    assert sheet.auto_filter.ref == f"A1:{last}3"
    assert [round(sheet.column_dimensions[get_column_letter(n)].width)
            for n in range(1, len(COLUMNS) + 1)] == [c.width for c in COLUMNS]


def test_the_workbook_file_is_closed_when_sent_or_abandoned():
    handle = xlsx_file(rows(3), ZONE, "Laporan")
    chunks = file_chunks(handle, size=1024)
    next(chunks)
    chunks.close()  # the client went away
    assert handle.closed


def _peak_bytes(make) -> int:
    tracemalloc.start()
    try:
        make()
        return tracemalloc.get_traced_memory()[1]
    finally:
        tracemalloc.stop()


def _csv(count: int) -> None:
    for _chunk in csv_chunks(rows(count), ZONE):
        pass


def _xlsx(count: int) -> None:
    with xlsx_file(rows(count), ZONE, "Laporan") as handle:
        for _chunk in file_chunks(handle):
            pass


@pytest.mark.parametrize("export", [_csv, _xlsx], ids=["csv", "xlsx"])
def test_an_export_ten_times_longer_needs_no_more_memory(export):
    export(50)  # first-use imports and caches are not the export's
    small, large = _peak_bytes(lambda: export(300)), _peak_bytes(lambda: export(3_000))
    # Ten times the rows: kept in memory, the peak would grow about tenfold.
    assert large < small * 1.5 + 256 * 1024, (small, large)
