"""Offline learning: quiz answers autosaved on the open attempt; the learner's own time of a
completion synced from a phone, beside the server's.

Revision ID: 0009_offline_sync
Revises: 0007_api
Create Date: 2026-11-30 04:22:04.269178

"""
from alembic import op
import sqlalchemy as sa


# revision identifiers, used by Alembic.
revision = "0009_offline_sync"
down_revision = "0010_jp_ledger"
branch_labels = None
depends_on = None


def upgrade():
    with op.batch_alter_table('enrolment', schema=None) as batch_op:
        batch_op.add_column(sa.Column('completion_recorded_at', sa.DateTime(timezone=True), nullable=True))

    with op.batch_alter_table('lesson_progress', schema=None) as batch_op:
        batch_op.add_column(sa.Column('completed_on_device_at', sa.DateTime(timezone=True), nullable=True))

    with op.batch_alter_table('quiz_attempt', schema=None) as batch_op:
        batch_op.add_column(sa.Column('draft_answers', sa.JSON(), nullable=True))
        batch_op.add_column(sa.Column('draft_saved_at', sa.DateTime(timezone=True), nullable=True))



def downgrade():
    with op.batch_alter_table('quiz_attempt', schema=None) as batch_op:
        batch_op.drop_column('draft_saved_at')
        batch_op.drop_column('draft_answers')

    with op.batch_alter_table('lesson_progress', schema=None) as batch_op:
        batch_op.drop_column('completed_on_device_at')

    with op.batch_alter_table('enrolment', schema=None) as batch_op:
        batch_op.drop_column('completion_recorded_at')

