"""Add user.session_version: raising it ends every session, remember cookie and API token.

Revision ID: 0006_session_version
Revises: 0005_authoring
Create Date: 2026-11-30 04:30:00

"""
from alembic import op
import sqlalchemy as sa


revision = "0006_session_version"
down_revision = "0005_authoring"
branch_labels = None
depends_on = None


def upgrade():
    with op.batch_alter_table("user", schema=None) as batch_op:
        batch_op.add_column(
            sa.Column("session_version", sa.Integer(), server_default="1", nullable=False)
        )


def downgrade():
    with op.batch_alter_table("user", schema=None) as batch_op:
        batch_op.drop_column("session_version")
