"""Add quiz questions and options, attempts with their graded answers, certificates, and the
JP credited on each completed enrolment.

Revision ID: 0003_quizzes
Revises: 868662668886
Create Date: 2026-11-23 12:35:12.307380

"""
from alembic import op
import sqlalchemy as sa


# revision identifiers, used by Alembic.
revision = '0003_quizzes'
down_revision = '868662668886'
branch_labels = None
depends_on = None


def upgrade():
    op.create_table('certificate',
    sa.Column('id', sa.Integer(), nullable=False),
    sa.Column('code', sa.String(length=32), nullable=False),
    sa.Column('user_id', sa.Integer(), nullable=False),
    sa.Column('course_id', sa.Integer(), nullable=False),
    sa.Column('issued_at', sa.DateTime(timezone=True), nullable=False),
    sa.Column('learner_name', sa.String(length=200), nullable=False),
    sa.Column('masked_nip', sa.String(length=18), nullable=True),
    sa.Column('course_title', sa.String(length=200), nullable=False),
    sa.Column('jp', sa.Numeric(precision=6, scale=2), nullable=False),
    sa.Column('completed_at', sa.DateTime(timezone=True), nullable=False),
    sa.ForeignKeyConstraint(['course_id'], ['course.id'], name=op.f('fk_certificate_course_id_course')),
    sa.ForeignKeyConstraint(['user_id'], ['user.id'], name=op.f('fk_certificate_user_id_user')),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_certificate')),
    sa.UniqueConstraint('code', name=op.f('uq_certificate_code')),
    sa.UniqueConstraint('user_id', 'course_id', name=op.f('uq_certificate_user_id_course_id'))
    )
    with op.batch_alter_table('certificate', schema=None) as batch_op:
        batch_op.create_index(batch_op.f('ix_certificate_course_id'), ['course_id'], unique=False)

    op.create_table('question',
    sa.Column('id', sa.Integer(), nullable=False),
    sa.Column('quiz_id', sa.Integer(), nullable=False),
    sa.Column('content_hash', sa.String(length=64), nullable=False),
    sa.Column('position', sa.Integer(), nullable=False),
    sa.Column('kind', sa.String(length=10), nullable=False),
    sa.Column('prompt_html', sa.Text(), nullable=False),
    sa.Column('explanation_html', sa.Text(), nullable=False),
    sa.Column('points', sa.Integer(), nullable=False),
    sa.Column('accepted', sa.JSON(), nullable=False),
    sa.Column('retired', sa.Boolean(), nullable=False),
    sa.ForeignKeyConstraint(['quiz_id'], ['quiz.lesson_id'], name=op.f('fk_question_quiz_id_quiz')),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_question')),
    sa.UniqueConstraint('quiz_id', 'content_hash', name=op.f('uq_question_quiz_id_content_hash'))
    )
    with op.batch_alter_table('question', schema=None) as batch_op:
        batch_op.create_index(batch_op.f('ix_question_quiz_id'), ['quiz_id'], unique=False)

    op.create_table('quiz_attempt',
    sa.Column('id', sa.Integer(), nullable=False),
    sa.Column('user_id', sa.Integer(), nullable=False),
    sa.Column('quiz_id', sa.Integer(), nullable=False),
    sa.Column('number', sa.Integer(), nullable=False),
    sa.Column('started_at', sa.DateTime(timezone=True), nullable=False),
    sa.Column('deadline_at', sa.DateTime(timezone=True), nullable=True),
    sa.Column('submitted_at', sa.DateTime(timezone=True), nullable=True),
    sa.Column('timed_out', sa.Boolean(), nullable=False),
    sa.Column('snapshot', sa.JSON(), nullable=False),
    sa.Column('answers', sa.JSON(), nullable=True),
    sa.Column('points_earned', sa.Integer(), nullable=True),
    sa.Column('points_possible', sa.Integer(), nullable=True),
    sa.Column('score', sa.Numeric(precision=5, scale=2), nullable=True),
    sa.Column('passed', sa.Boolean(), nullable=True),
    sa.ForeignKeyConstraint(['quiz_id'], ['quiz.lesson_id'], name=op.f('fk_quiz_attempt_quiz_id_quiz')),
    sa.ForeignKeyConstraint(['user_id'], ['user.id'], name=op.f('fk_quiz_attempt_user_id_user')),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_quiz_attempt')),
    sa.UniqueConstraint('user_id', 'quiz_id', 'number', name=op.f('uq_quiz_attempt_user_id_quiz_id_number'))
    )
    with op.batch_alter_table('quiz_attempt', schema=None) as batch_op:
        batch_op.create_index('ix_quiz_attempt_quiz_id_submitted_at', ['quiz_id', 'submitted_at'], unique=False)

    op.create_table('attempt_result',
    sa.Column('attempt_id', sa.Integer(), nullable=False),
    sa.Column('question_id', sa.Integer(), nullable=False),
    sa.Column('correct', sa.Boolean(), nullable=False),
    sa.Column('points', sa.Integer(), nullable=False),
    sa.ForeignKeyConstraint(['attempt_id'], ['quiz_attempt.id'], name=op.f('fk_attempt_result_attempt_id_quiz_attempt')),
    sa.ForeignKeyConstraint(['question_id'], ['question.id'], name=op.f('fk_attempt_result_question_id_question')),
    sa.PrimaryKeyConstraint('attempt_id', 'question_id', name=op.f('pk_attempt_result'))
    )
    with op.batch_alter_table('attempt_result', schema=None) as batch_op:
        batch_op.create_index(batch_op.f('ix_attempt_result_question_id'), ['question_id'], unique=False)

    op.create_table('question_option',
    sa.Column('id', sa.Integer(), nullable=False),
    sa.Column('question_id', sa.Integer(), nullable=False),
    sa.Column('position', sa.Integer(), nullable=False),
    sa.Column('text_html', sa.Text(), nullable=False),
    sa.Column('correct', sa.Boolean(), nullable=False),
    sa.ForeignKeyConstraint(['question_id'], ['question.id'], name=op.f('fk_question_option_question_id_question')),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_question_option'))
    )
    with op.batch_alter_table('question_option', schema=None) as batch_op:
        batch_op.create_index(batch_op.f('ix_question_option_question_id'), ['question_id'], unique=False)

    op.create_table('attempt_choice',
    sa.Column('attempt_id', sa.Integer(), nullable=False),
    sa.Column('option_id', sa.Integer(), nullable=False),
    sa.ForeignKeyConstraint(['attempt_id'], ['quiz_attempt.id'], name=op.f('fk_attempt_choice_attempt_id_quiz_attempt')),
    sa.ForeignKeyConstraint(['option_id'], ['question_option.id'], name=op.f('fk_attempt_choice_option_id_question_option')),
    sa.PrimaryKeyConstraint('attempt_id', 'option_id', name=op.f('pk_attempt_choice'))
    )
    with op.batch_alter_table('attempt_choice', schema=None) as batch_op:
        batch_op.create_index(batch_op.f('ix_attempt_choice_option_id'), ['option_id'], unique=False)

    with op.batch_alter_table('enrolment', schema=None) as batch_op:
        batch_op.add_column(sa.Column('jp_credited', sa.Numeric(precision=6, scale=2), nullable=True))



def downgrade():
    with op.batch_alter_table('enrolment', schema=None) as batch_op:
        batch_op.drop_column('jp_credited')

    with op.batch_alter_table('attempt_choice', schema=None) as batch_op:
        batch_op.drop_index(batch_op.f('ix_attempt_choice_option_id'))

    op.drop_table('attempt_choice')
    with op.batch_alter_table('question_option', schema=None) as batch_op:
        batch_op.drop_index(batch_op.f('ix_question_option_question_id'))

    op.drop_table('question_option')
    with op.batch_alter_table('attempt_result', schema=None) as batch_op:
        batch_op.drop_index(batch_op.f('ix_attempt_result_question_id'))

    op.drop_table('attempt_result')
    with op.batch_alter_table('quiz_attempt', schema=None) as batch_op:
        batch_op.drop_index('ix_quiz_attempt_quiz_id_submitted_at')

    op.drop_table('quiz_attempt')
    with op.batch_alter_table('question', schema=None) as batch_op:
        batch_op.drop_index(batch_op.f('ix_question_quiz_id'))

    op.drop_table('question')
    with op.batch_alter_table('certificate', schema=None) as batch_op:
        batch_op.drop_index(batch_op.f('ix_certificate_course_id'))

    op.drop_table('certificate')
