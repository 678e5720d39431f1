"""Lessons and modules are keyed by identity: names without their NN- order prefixes.

`lesson.path` "01-pengantar/02-apa-itu-spbe" becomes "pengantar/apa-itu-spbe" and
`module.dir_name` "01-pengantar" becomes "pengantar", so renumbering files keeps learners'
progress (PRODUCT §3). Rows keep their ids: progress, attempts and answers stay attached.
Where two rows of one course would get the same identity, both keep their old key (the next
import reports the clash to the trainer as an error, and imports nothing until it is fixed).

Revision ID: 0011_lesson_identity
Revises: 0006_session_version
Create Date: 2026-11-30 05:00:00

"""
import re
from collections import Counter

from alembic import op
import sqlalchemy as sa


revision = "0011_lesson_identity"
down_revision = "0013_reminders"
branch_labels = None
depends_on = None

_NUMBERED = re.compile(r"\d{2,}-([a-z0-9][a-z0-9-]*)")

module = sa.table("module", sa.column("id", sa.Integer), sa.column("course_id", sa.Integer),
                  sa.column("dir_name", sa.String))
lesson = sa.table("lesson", sa.column("id", sa.Integer), sa.column("course_id", sa.Integer),
                  sa.column("path", sa.String))


def _strip(name: str) -> str:
    match = _NUMBERED.fullmatch(name)
    return match.group(1) if match else name


def _rekey(bind, table, key, new_key) -> None:
    rows = bind.execute(sa.select(table.c.id, table.c.course_id, key)).all()
    wanted = {row.id: new_key(row[2]) for row in rows}
    taken = Counter((row.course_id, wanted[row.id]) for row in rows)
    # Two steps so that swapping keys never trips the unique constraint on the way.
    moving = [row for row in rows if wanted[row.id] != row[2]
              and taken[(row.course_id, wanted[row.id])] == 1]
    for row in moving:
        bind.execute(table.update().where(table.c.id == row.id)
                     .values({key.name: f"~{row.id}"}))
    for row in moving:
        bind.execute(table.update().where(table.c.id == row.id)
                     .values({key.name: wanted[row.id]}))


def upgrade():
    bind = op.get_bind()
    _rekey(bind, module, module.c.dir_name, _strip)
    _rekey(bind, lesson, lesson.c.path,
           lambda path: "/".join(_strip(part) for part in path.split("/", 1)))


def downgrade():
    # The numbers are not kept: a downgrade leaves identities as they are, which the old code
    # reads as paths (the next import of each course re-keys its lessons by file name).
    pass
