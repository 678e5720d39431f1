"""The organisation tree: agency → units → sub-units, with materialised paths for subtrees."""

from __future__ import annotations

import re
from dataclasses import dataclass, field

from flask_babel import lazy_gettext as _l
from sqlalchemy import func, literal, select, update

from app.models import Unit
from app.services.csvfile import RowProblem, read_rows
from app.services.errors import InvalidInput, NotFound
from app.services.types import DbSession

_CODE = re.compile(r"[A-Za-z0-9][A-Za-z0-9._-]{0,39}")


def check_code(code: str) -> str:
    """The unit code trimmed. Raises InvalidInput unless it is 1–40 letters, digits, dots,
    underscores or hyphens."""
    code = (code or "").strip()
    if not _CODE.fullmatch(code):
        raise InvalidInput(_l(
            "Kode unit harus 1–40 huruf, angka, titik, garis bawah atau tanda hubung."))
    return code


def upsert_unit(
    session: DbSession, code: str, name: str, parent_code: str | None = None
) -> Unit:
    """Create a unit, or rename and move it under another parent; returns the Unit (flushed).

    Moving re-paths the unit and its whole subtree in one UPDATE. Raises InvalidInput for a
    bad code (check_code), an empty or too long name, an unknown parent, or a move below
    itself or one of its own sub-units."""
    code = check_code(code)
    name = (name or "").strip()
    if not name or len(name) > 200:
        raise InvalidInput(_l("Nama unit wajib diisi (paling banyak 200 karakter)."))
    parent = None
    if parent_code:
        parent = session.scalar(select(Unit).where(Unit.code == parent_code))
        if parent is None:
            raise InvalidInput(_l("Unit induk %(code)s tidak dikenal.", code=parent_code))
    unit = session.scalar(select(Unit).where(Unit.code == code))
    if unit is None:
        unit = Unit(code=code, name=name, parent=parent, path="")
        session.add(unit)
        session.flush()
        unit.path = f"{parent.path if parent else '/'}{unit.id}/"
        session.flush()
        return unit
    if parent is not None and parent.path.startswith(unit.path):
        raise InvalidInput(_l(
            "Unit %(code)s tidak dapat dipindahkan ke bawah dirinya sendiri atau sub-unitnya.",
            code=code))
    unit.name = name
    old_path = unit.path
    new_path = f"{parent.path if parent else '/'}{unit.id}/"
    if new_path != old_path:
        unit.parent = parent
        session.flush()
        # One statement for the whole subtree: swap the old prefix for the new one.
        session.execute(
            update(Unit)
            .where(Unit.path.like(f"{old_path}%"))
            .values(path=literal(new_path).concat(func.substr(Unit.path, len(old_path) + 1)))
            .execution_options(synchronize_session=False)
        )
        session.expire_all()
        unit = session.get_one(Unit, unit.id)
    return unit


def get_unit(session: DbSession, unit_id: int) -> Unit:
    """The unit with this id. Raises NotFound when there is none."""
    unit = session.get(Unit, unit_id)
    if unit is None:
        raise NotFound()
    return unit


def find_unit(session: DbSession, unit_id: int | None) -> Unit | None:
    """The Unit with this id, or None (no id, or no such unit). Raises nothing."""
    return session.get(Unit, unit_id) if unit_id else None


def code_taken(session: DbSession, code: str) -> bool:
    """Whether a unit already has this code. Raises nothing."""
    return session.scalar(select(Unit.id).where(Unit.code == code)) is not None


def unit_tree(session: DbSession, within: Unit | None = None) -> list[Unit]:
    """Units in tree order (a parent before its children, siblings in the order they were
    made), optionally one subtree only. Raises nothing."""
    query = select(Unit)
    if within is not None:
        query = query.where(Unit.path.like(f"{within.path}%"))
    # By the ids along the path as numbers: as text, "/1/10/" sorts before "/1/9/", which put
    # a unit made later above its older siblings once ids reached two digits.
    return sorted(session.scalars(query),
                  key=lambda unit: [int(part) for part in unit.path.strip("/").split("/")])


def depth(unit: Unit) -> int:
    """0 for an agency, 1 for its units, and so on (PRODUCT §2). Raises nothing."""
    return unit.path.count("/") - 2


@dataclass
class UnitImport:
    created: int = 0
    updated: int = 0
    problems: list[RowProblem] = field(default_factory=list)


def import_units(session: DbSession, data: bytes | str) -> UnitImport:
    """Create or update units from CSV `code,name,parent_code` (PRODUCT §4); parents may come
    after children. Returns a UnitImport: created and updated counts and the bad rows.

    Every bad row is reported with its line, nothing raised; the caller commits only when
    there are none."""
    result = UnitImport()
    rows, result.problems = read_rows(data, ("code", "name", "parent_code"))
    good = _good_rows(rows, result.problems)
    known = set(session.scalars(select(Unit.code)))
    for line, row in good.values():
        parent = row["parent_code"]
        if parent and parent not in good and parent not in known:
            result.problems.append(RowProblem(line, str(_l(
                "unit induk %(code)s tidak dikenal", code=parent))))
    if result.problems:
        return result
    _apply_parents_first(session, good, known, result)
    return result


def _good_rows(
    rows: list[tuple[int, dict[str, str]]], problems: list[RowProblem]
) -> dict[str, tuple[int, dict[str, str]]]:
    """Rows with a valid, unrepeated code that is not its own parent, by code (line, row);
    what is wrong with the others goes into problems."""
    seen: dict[str, int] = {}
    good: dict[str, tuple[int, dict[str, str]]] = {}
    for line, row in rows:
        try:
            code = check_code(row["code"])
        except InvalidInput as exc:
            problems.append(RowProblem(line, str(exc)))
            continue
        if not row["name"]:
            problems.append(RowProblem(line, str(_l("nama unit kosong"))))
        if code in seen:
            problems.append(RowProblem(line, str(_l(
                "kode %(code)s sudah ada di baris %(line)d", code=code, line=seen[code]))))
            continue
        seen[code] = line
        if row["parent_code"] == code:
            problems.append(
                RowProblem(line, str(_l("unit tidak boleh menjadi induknya sendiri"))))
            continue
        good[code] = (line, row)
    return good


def _apply_parents_first(
    session: DbSession, good: dict[str, tuple[int, dict[str, str]]], known: set[str],
    result: UnitImport,
) -> None:
    """Upsert the rows, each after its parent, counting into result; stop at a loop of
    parents or the first refused row, with that in result.problems."""
    # Parents first: apply rows whose parent is already in place until none is left.
    pending = dict(good)
    while pending:
        ready = [code for code, (_line, row) in pending.items()
                 if not row["parent_code"] or row["parent_code"] not in pending]
        if not ready:
            for line, _row in sorted(pending.values()):
                result.problems.append(RowProblem(line, str(_l(
                    "unit induk membentuk lingkaran (unit menjadi induk dari induknya)"))))
            return
        for code in ready:
            line, row = pending.pop(code)
            try:
                upsert_unit(session, code, row["name"], row["parent_code"] or None)
            except InvalidInput as exc:
                result.problems.append(RowProblem(line, str(exc)))
                return
            if code in known:
                result.updated += 1
            else:
                result.created += 1
