"""Add report_rollup: per unit and course, the learner × course rows, enrolled and completed
counts the completion report sums (kept up to date at each commit). Filled by
`flask reports rollups` after upgrading a database that already holds learners.

Revision ID: 0014_report_rollup
Revises: 0007_api
Create Date: 2026-11-30 04:48:48

"""
from alembic import op
import sqlalchemy as sa


revision = "0014_report_rollup"
down_revision = "0009_offline_sync"
branch_labels = None
depends_on = None


def upgrade():
    op.create_table(
        "report_rollup",
        sa.Column("unit_id", sa.Integer(), nullable=False),
        sa.Column("course_id", sa.Integer(), nullable=False),
        sa.Column("due_on", sa.Date(), nullable=True),
        sa.Column("rows", sa.Integer(), nullable=False),
        sa.Column("enrolled", sa.Integer(), nullable=False),
        sa.Column("completed", sa.Integer(), nullable=False),
        sa.ForeignKeyConstraint(["course_id"], ["course.id"],
                                name=op.f("fk_report_rollup_course_id_course"),
                                ondelete="CASCADE"),
        sa.ForeignKeyConstraint(["unit_id"], ["unit.id"],
                                name=op.f("fk_report_rollup_unit_id_unit"), ondelete="CASCADE"),
        sa.PrimaryKeyConstraint("unit_id", "course_id", name=op.f("pk_report_rollup")),
    )
    with op.batch_alter_table("report_rollup", schema=None) as batch_op:
        batch_op.create_index(batch_op.f("ix_report_rollup_course_id"), ["course_id"],
                              unique=False)


def downgrade():
    with op.batch_alter_table("report_rollup", schema=None) as batch_op:
        batch_op.drop_index(batch_op.f("ix_report_rollup_course_id"))
    op.drop_table("report_rollup")
