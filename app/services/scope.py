"""Whose records a viewer may see in reports: the one place that decides it.

An admin sees every unit; a supervisor sees their own unit and everything below it; nobody
else sees anything. People without a unit (members of the public) are in no unit's scope,
so they appear in no report.
"""

from __future__ import annotations

from flask_babel import lazy_gettext as _l
from sqlalchemy import select

from app.models import Role, Unit, User
from app.services.errors import Forbidden, NotFound
from app.services.types import AnySelect, DbSession


def scoped_unit_ids(session: DbSession, viewer: User) -> AnySelect:
    """A SELECT of the ids of the units whose people `viewer` may see: every unit for an admin,
    a supervisor's own unit and everything below it (PRODUCT §2).

    Raises Forbidden for anyone else, and for a supervisor not yet linked to a unit (with a
    message saying so)."""
    if viewer.roles & Role.ADMIN:
        return select(Unit.id)
    if viewer.roles & Role.SUPERVISOR:
        path = session.scalar(select(Unit.path).where(Unit.id == viewer.unit_id))
        if path is None:
            raise Forbidden(_l(
                "Akun atasan Anda belum terhubung ke unit kerja. Hubungi admin Lentera."))
        # A literal prefix: PostgreSQL answers it from the text_pattern_ops index.
        return select(Unit.id).where(Unit.path.like(f"{path}%"))
    raise Forbidden()


def unit_in_scope(session: DbSession, viewer: User, unit_id: int) -> Unit:
    """The Unit with this id, if the viewer may see it. Raises NotFound for another unit (never
    Forbidden: its name stays private), Forbidden as scoped_unit_ids does."""
    unit = session.scalar(
        select(Unit).where(Unit.id == unit_id, Unit.id.in_(scoped_unit_ids(session, viewer)))
    )
    if unit is None:
        raise NotFound()
    return unit


def units_in_scope(session: DbSession, viewer: User) -> list[Unit]:
    """The viewer's Units in tree order, for pickers. Raises Forbidden as scoped_unit_ids does."""
    return list(session.scalars(
        select(Unit).where(Unit.id.in_(scoped_unit_ids(session, viewer))).order_by(Unit.path)
    ))


def learner_in_scope(session: DbSession, viewer: User, user_id: int) -> User:
    """The User with this id, when they belong to a unit in the viewer's scope (people with no
    unit never do). Raises NotFound otherwise, Forbidden as scoped_unit_ids does."""
    learner = session.scalar(
        select(User).where(
            User.id == user_id, User.unit_id.in_(scoped_unit_ids(session, viewer))
        )
    )
    if learner is None:
        raise NotFound()
    return learner
