"""Writing the audit log. Entries are only ever added, in the caller's transaction."""

from sqlalchemy.orm import Session

from app.models import AuditEntry


def record(
    session: Session, actor_id: int | None, action: str, target: str, **details
) -> AuditEntry:
    entry = AuditEntry(actor_id=actor_id, action=action, target=target, details=details)
    session.add(entry)
    return entry
