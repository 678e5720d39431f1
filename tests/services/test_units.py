"""The unit tree: moving re-paths a whole subtree in one statement; CSV import in any order."""

import pytest
from sqlalchemy import event, select

from app.models import Unit
from app.services.errors import InvalidInput
from app.services.units import import_units, unit_tree, upsert_unit


def paths(session):
    return {code: path for code, path in session.execute(select(Unit.code, Unit.path))}


def test_moving_a_unit_repaths_its_subtree_in_one_update(session):
    ids = {code: upsert_unit(session, code, code.title(), parent).id for code, parent in [
        ("A", None), ("B", "A"), ("C", "B"), ("D", "C"), ("E", None)]}
    statements = []
    engine = session.get_bind()

    def listener(_conn, _cursor, statement, *_args):
        statements.append(statement)

    event.listen(engine, "before_cursor_execute", listener)
    try:
        upsert_unit(session, "B", "Biro B", "E")
    finally:
        event.remove(engine, "before_cursor_execute", listener)
    assert len([s for s in statements if s.startswith("UPDATE unit SET path")]) == 1
    assert paths(session) == {
        "A": f"/{ids['A']}/", "E": f"/{ids['E']}/", "B": f"/{ids['E']}/{ids['B']}/",
        "C": f"/{ids['E']}/{ids['B']}/{ids['C']}/",
        "D": f"/{ids['E']}/{ids['B']}/{ids['C']}/{ids['D']}/",
    }
    assert session.scalar(select(Unit.name).where(Unit.code == "B")) == "Biro B"


def test_a_unit_cannot_move_below_itself(session):
    upsert_unit(session, "A", "A")
    upsert_unit(session, "B", "B", "A")
    with pytest.raises(InvalidInput, match="tidak dapat dipindahkan"):
        upsert_unit(session, "A", "A", "B")
    with pytest.raises(InvalidInput, match="tidak dikenal"):
        upsert_unit(session, "C", "C", "TIDAK-ADA")


def test_import_accepts_parents_after_children(session):
    csv = "code,name,parent_code\nSUB,Sub-unit,UNIT\nUNIT,Unit,KEMEN\nKEMEN,Kementerian,\n"
    result = import_units(session, csv.encode())
    assert result.problems == [] and (result.created, result.updated) == (3, 0)
    tree = paths(session)
    assert tree["SUB"].startswith(tree["UNIT"]) and tree["UNIT"].startswith(tree["KEMEN"])
    again = import_units(session, "code,name,parent_code\nSUB,Sub Baru,KEMEN\n")
    assert (again.created, again.updated) == (0, 1)
    assert paths(session)["SUB"] == tree["KEMEN"] + tree["SUB"].rsplit("/", 2)[1] + "/"


def test_import_reports_every_bad_row_by_line(session):
    csv = ("code,name,parent_code\n"
           "OK,Baik,\n"
           "bad code!,Salah,\n"
           "OK,Ganda,\n"
           "X,Tanpa induk,HILANG\n"
           "Y,,OK\n"
           "Z,Z,Z\n")
    result = import_units(session, csv)
    lines = [(p.line, p.message) for p in result.problems]
    assert [line for line, _m in lines] == [3, 4, 6, 7, 5]
    assert "kode OK sudah ada di baris 2" in lines[1][1]
    assert "unit induk HILANG tidak dikenal" in dict(lines)[5]
    assert paths(session) == {}


def test_import_finds_a_cycle_in_the_file(session):
    result = import_units(session, "code,name,parent_code\nA,A,B\nB,B,A\n")
    assert [p.line for p in result.problems] == [2, 3]
    assert "lingkaran" in result.problems[0].message


def test_import_explains_a_wrong_header_and_encoding(session):
    assert "kolom parent_code tidak ada" in import_units(session, "code,name\nA,A\n") \
        .problems[0].message
    assert "UTF-8" in import_units(session, "code,name,parent_code\n\xff".encode("latin-1")) \
        .problems[0].message


def test_the_tree_keeps_siblings_in_the_order_they_were_made_past_nine_units(session):
    """Paths hold ids: ordered as text, unit 10 came before unit 9."""
    root = upsert_unit(session, "ROOT", "Root")
    children = [upsert_unit(session, f"U{n:02d}", f"Unit {n}", "ROOT") for n in range(12)]
    assert [u.id for u in unit_tree(session)] == [root.id, *(c.id for c in children)]
