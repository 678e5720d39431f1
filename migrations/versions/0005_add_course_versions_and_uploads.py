"""Add course versions (who imported which version, when) and staged uploads (checked .zip
archives kept until their trainer publishes them).

Revision ID: 0005_authoring
Revises: 0004_org_reports
Create Date: 2026-11-23 12:40:17.499808

"""
from alembic import op
import sqlalchemy as sa


# revision identifiers, used by Alembic.
revision = "0005_authoring"
down_revision = '0004_org_reports'
branch_labels = None
depends_on = None


def upgrade():
    op.create_table('course_upload',
    sa.Column('id', sa.Integer(), nullable=False),
    sa.Column('slug', sa.String(length=100), nullable=False),
    sa.Column('filename', sa.String(length=255), nullable=False),
    sa.Column('title', sa.String(length=200), nullable=False),
    sa.Column('version', sa.String(length=50), nullable=True),
    sa.Column('content_hash', sa.String(length=64), nullable=False),
    sa.Column('size', sa.Integer(), nullable=False),
    sa.Column('uploaded_by_id', sa.Integer(), nullable=False),
    sa.Column('uploaded_at', sa.DateTime(timezone=True), nullable=False),
    sa.Column('data', sa.LargeBinary(), nullable=False),
    sa.ForeignKeyConstraint(['uploaded_by_id'], ['user.id'], name=op.f('fk_course_upload_uploaded_by_id_user')),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_course_upload'))
    )
    with op.batch_alter_table('course_upload', schema=None) as batch_op:
        batch_op.create_index(batch_op.f('ix_course_upload_slug'), ['slug'], unique=False)
        batch_op.create_index(batch_op.f('ix_course_upload_uploaded_by_id'), ['uploaded_by_id'], unique=False)

    op.create_table('course_version',
    sa.Column('id', sa.Integer(), nullable=False),
    sa.Column('course_id', sa.Integer(), nullable=False),
    sa.Column('version', sa.String(length=50), nullable=True),
    sa.Column('content_hash', sa.String(length=64), nullable=False),
    sa.Column('imported_by_id', sa.Integer(), nullable=True),
    sa.Column('imported_at', sa.DateTime(timezone=True), nullable=False),
    sa.Column('source', sa.String(length=10), nullable=False),
    sa.ForeignKeyConstraint(['course_id'], ['course.id'], name=op.f('fk_course_version_course_id_course')),
    sa.ForeignKeyConstraint(['imported_by_id'], ['user.id'], name=op.f('fk_course_version_imported_by_id_user')),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_course_version'))
    )
    with op.batch_alter_table('course_version', schema=None) as batch_op:
        batch_op.create_index(batch_op.f('ix_course_version_course_id'), ['course_id'], unique=False)



def downgrade():
    with op.batch_alter_table('course_version', schema=None) as batch_op:
        batch_op.drop_index(batch_op.f('ix_course_version_course_id'))

    op.drop_table('course_version')
    with op.batch_alter_table('course_upload', schema=None) as batch_op:
        batch_op.drop_index(batch_op.f('ix_course_upload_uploaded_by_id'))
        batch_op.drop_index(batch_op.f('ix_course_upload_slug'))

    op.drop_table('course_upload')
