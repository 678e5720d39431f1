"""The organisation tree: agency → units → sub-units, with materialised paths for subtrees."""

from sqlalchemy import select
from sqlalchemy.orm import Session

from app.models import Unit


def upsert_unit(session: Session, code: str, name: str, parent_code: str | None = None) -> Unit:
    """Create or rename a unit under its parent (the parent must exist already)."""
    parent = None
    if parent_code:
        parent = session.scalar(select(Unit).where(Unit.code == parent_code))
        if parent is None:
            raise ValueError(f"unknown parent unit {parent_code}")
    unit = session.scalar(select(Unit).where(Unit.code == code))
    if unit is None:
        unit = Unit(code=code, name=name, parent=parent, path="")
        session.add(unit)
        session.flush()
    unit.name, unit.parent = name, parent
    unit.path = f"{parent.path if parent else '/'}{unit.id}/"
    return unit
