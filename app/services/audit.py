"""Writing and reading the audit log. Entries are only ever added, in the caller's transaction."""

from __future__ import annotations

from typing import Any

from sqlalchemy import select
from sqlalchemy.orm import joinedload

from app.models import AuditEntry, User
from app.services.paging import PAGE_SIZE, Page, fetch_page
from app.services.types import DbSession


def record(
    session: DbSession, actor_id: int | None, action: str, target: str, **details: Any
) -> AuditEntry:
    """Add one AuditEntry (actor None: the system) and return it; the caller commits. Raises
    nothing."""
    entry = AuditEntry(actor_id=actor_id, action=action, target=target, details=details)
    session.add(entry)
    return entry


def audit_page(
    session: DbSession, *, action: str | None = None, page: int = 1, per_page: int = PAGE_SIZE
) -> Page[AuditEntry]:
    """A Page of entries newest first (their actors loaded), optionally of one action; a page
    past the last shows the last. Raises InvalidInput for a page below 1."""
    where = [AuditEntry.action == action] if action else []
    query = (select(AuditEntry).options(joinedload(AuditEntry.actor)).where(*where)
             .order_by(AuditEntry.at.desc(), AuditEntry.id.desc()))
    return fetch_page(session, query, page, per_page, clamp=True, entities=True)


def audit_actions(session: DbSession) -> list[str]:
    """The distinct actions that occur in the log, sorted, for the filter. Raises nothing."""
    return list(session.scalars(select(AuditEntry.action).distinct().order_by(AuditEntry.action)))


def people_named(session: DbSession, entries: list[AuditEntry]) -> dict[str, str]:
    """{"user:42": "Ani Lestari (ani@…)"} for the user targets of `entries`, in one query;
    users no longer there are left out. Raises nothing."""
    ids = {int(e.target[5:]) for e in entries
           if e.target.startswith("user:") and e.target[5:].isascii()
           and e.target[5:].isdigit() and len(e.target) < 15}
    if not ids:
        return {}
    rows = session.execute(select(User.id, User.name, User.email).where(User.id.in_(ids)))
    return {f"user:{i}": f"{name} ({email})" for i, name, email in rows}
