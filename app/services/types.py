"""The one session type the services take.

Views pass Flask-SQLAlchemy's `db.session` (a `scoped_session`), the CLI, the tests and the
benchmark pass a plain `Session`: both offer the same methods, so every service annotates its
`session` parameter with `DbSession`.
"""

from __future__ import annotations

from typing import Any, TypeAlias

from sqlalchemy.orm import Session, scoped_session

DbSession: TypeAlias = Session | scoped_session[Any]
