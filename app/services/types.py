"""The types the services share.

Views pass Flask-SQLAlchemy's `db.session` (a `scoped_session`), the CLI, the tests and the
benchmark pass a plain `Session`: both offer the same methods, so every service annotates its
`session` parameter with `DbSession`. `AnySelect` is a SELECT of any columns.
"""

from __future__ import annotations

from typing import TYPE_CHECKING, Any, TypeAlias, cast

from sqlalchemy import CursorResult, Result, Select
from sqlalchemy.orm import Session, scoped_session

DbSession: TypeAlias = Session | scoped_session[Any]

if TYPE_CHECKING:
    AnySelect: TypeAlias = Select[*tuple[Any, ...]]
else:
    AnySelect = Select


def rowcount(result: Result[Any]) -> int:
    """The number of rows an UPDATE or DELETE matched (`Session.execute` is typed as a plain
    Result). Raises nothing."""
    return cast("CursorResult[Any]", result).rowcount


def upsert_dialect(session: DbSession) -> Any:
    """The dialect module (sqlalchemy.dialects.postgresql or .sqlite) whose `insert` offers
    ON CONFLICT for the session's database. Raises nothing."""
    from sqlalchemy.dialects import postgresql, sqlite

    return postgresql if session.get_bind().dialect.name == "postgresql" else sqlite
