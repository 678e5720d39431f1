"""Writing and reading the audit log. Entries are only ever added, in the caller's transaction."""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any

from sqlalchemy import func, select
from sqlalchemy.orm import joinedload

from app.models import AuditEntry, User
from app.services.types import DbSession


def record(
    session: DbSession, actor_id: int | None, action: str, target: str, **details: Any
) -> AuditEntry:
    """Add one AuditEntry (actor None: the system) and return it; the caller commits. Raises
    nothing."""
    entry = AuditEntry(actor_id=actor_id, action=action, target=target, details=details)
    session.add(entry)
    return entry


@dataclass
class AuditPage:
    entries: list[AuditEntry]
    page: int
    pages: int
    total: int


def audit_page(
    session: DbSession, *, action: str | None = None, page: int = 1, per_page: int = 50
) -> AuditPage:
    """An AuditPage: one page of entries newest first (their actors loaded), optionally of one
    action, with the page number (clamped to 1..pages), page count and total. Raises
    nothing."""
    where = [AuditEntry.action == action] if action else []
    total = session.scalar(select(func.count()).select_from(AuditEntry).where(*where)) or 0
    pages = max(1, -(-total // per_page))
    page = min(max(1, page), pages)
    entries = session.scalars(
        select(AuditEntry)
        .options(joinedload(AuditEntry.actor))
        .where(*where)
        .order_by(AuditEntry.at.desc(), AuditEntry.id.desc())
        .offset((page - 1) * per_page)
        .limit(per_page)
    ).all()
    return AuditPage(list(entries), page, pages, total)


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
