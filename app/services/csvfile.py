"""Reading the CSV files admins upload or pass to the command line, with line numbers."""

from __future__ import annotations

import csv
import io
from dataclasses import dataclass

from flask_babel import lazy_gettext as _l

MAX_ROWS = 50_000


@dataclass(frozen=True)
class RowProblem:
    """One reason a line of a CSV file cannot be used."""

    line: int
    message: str

    def __str__(self) -> str:
        return f"{self.line}: {self.message}"


def read_rows(
    data: bytes | str, columns: tuple[str, ...]
) -> tuple[list[tuple[int, dict[str, str]]], list[RowProblem]]:
    """(rows, problems): the data rows as (line number, {column: stripped value}), and the
    problems of the file (RowProblems with their line); nothing is raised.

    The header must name the expected columns (any order, any case). Commas or semicolons
    (Excel in Indonesian locales saves with semicolons) separate the values."""
    if isinstance(data, bytes):
        try:
            data = data.decode("utf-8-sig")
        except UnicodeDecodeError:
            return [], [RowProblem(1, str(_l("berkas bukan teks UTF-8; simpan sebagai CSV UTF-8")))]
    first_line = data.split("\n", 1)[0]
    delimiter = ";" if first_line.count(";") > first_line.count(",") else ","
    reader = csv.reader(io.StringIO(data, newline=""), delimiter=delimiter)
    try:
        header = next(reader)
    except StopIteration:
        return [], [RowProblem(1, str(_l("berkas kosong")))]
    header = [name.strip().lower() for name in header]
    missing = [name for name in columns if name not in header]
    if missing:
        return [], [RowProblem(1, str(_l(
            "kolom %(missing)s tidak ada; baris judul harus berisi %(columns)s",
            missing=", ".join(missing), columns=",".join(columns))))]
    rows, problems = [], []
    try:
        for values in reader:
            line = reader.line_num
            if not any(v.strip() for v in values):
                continue  # blank lines are harmless
            if len(values) != len(header):
                problems.append(RowProblem(line, str(_l(
                    "ada %(found)d kolom, seharusnya %(expected)d",
                    found=len(values), expected=len(header)))))
                continue
            record = {name: value.strip() for name, value in zip(header, values, strict=True)}
            rows.append((line, {name: record[name] for name in columns}))
            if len(rows) > MAX_ROWS:
                return [], [RowProblem(line, str(_l(
                    "terlalu banyak baris (paling banyak %(n)d)", n=MAX_ROWS)))]
    except csv.Error as exc:
        problems.append(RowProblem(reader.line_num, str(_l(
            "format CSV rusak: %(error)s", error=str(exc)))))
    return rows, problems
