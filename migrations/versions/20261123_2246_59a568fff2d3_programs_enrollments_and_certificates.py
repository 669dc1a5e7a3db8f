"""programs enrollments and certificates

Revision ID: 59a568fff2d3
Revises: c4e1f7a9d352
Create Date: 2026-11-23 22:46:23.291857

"""
from alembic import op
import sqlalchemy as sa


# revision identifiers, used by Alembic.
revision = '59a568fff2d3'
down_revision = 'c4e1f7a9d352'
branch_labels = None
depends_on = None


def upgrade():
    # Programs bundle courses by a rule; a program certificate is numbered like a course one.
    op.create_table('programs',
    sa.Column('id', sa.Integer(), nullable=False),
    sa.Column('slug', sa.String(length=100), nullable=False),
    sa.Column('created_at', sa.DateTime(timezone=True), nullable=False),
    sa.Column('current_revision_id', sa.Integer(), nullable=True),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_programs')),
    sa.UniqueConstraint('slug', name=op.f('uq_programs_slug'))
    )
    op.create_table('program_revisions',
    sa.Column('id', sa.Integer(), nullable=False),
    sa.Column('program_id', sa.Integer(), nullable=False),
    sa.Column('number', sa.Integer(), nullable=False),
    sa.Column('content_hash', sa.String(length=64), nullable=False),
    sa.Column('title', sa.String(length=300), nullable=False),
    sa.Column('summary', sa.Text(), nullable=False),
    sa.Column('objectives', sa.JSON(), nullable=False),
    sa.Column('required', sa.JSON(), nullable=False),
    sa.Column('electives', sa.JSON(), nullable=False),
    sa.Column('electives_needed', sa.Integer(), nullable=False),
    sa.Column('course_order', sa.JSON(), nullable=False),
    sa.Column('rule', sa.String(length=100), nullable=False),
    sa.Column('overview_md', sa.Text(), nullable=False),
    sa.Column('overview_html', sa.Text(), nullable=False),
    sa.Column('source', sa.Text(), nullable=False),
    sa.Column('published_at', sa.DateTime(timezone=True), nullable=False),
    sa.ForeignKeyConstraint(['program_id'], ['programs.id'], name=op.f('fk_program_revisions_program_id_programs')),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_program_revisions')),
    sa.UniqueConstraint('program_id', 'number', name=op.f('uq_program_revisions_program_id_number'))
    )
    with op.batch_alter_table('program_revisions', schema=None) as batch_op:
        batch_op.create_index(batch_op.f('ix_program_revisions_program_id'), ['program_id'], unique=False)

    # programs.current_revision_id refers to a table created after it (as courses do).
    with op.batch_alter_table('programs', schema=None) as batch_op:
        batch_op.create_foreign_key(
            batch_op.f('fk_programs_current_revision_id_program_revisions'),
            'program_revisions', ['current_revision_id'], ['id'],
        )

    op.create_table('program_enrollments',
    sa.Column('id', sa.Integer(), nullable=False),
    sa.Column('user_id', sa.Integer(), nullable=False),
    sa.Column('program_id', sa.Integer(), nullable=False),
    sa.Column('revision_id', sa.Integer(), nullable=False),
    sa.Column('enrolled_at', sa.DateTime(timezone=True), nullable=False),
    sa.ForeignKeyConstraint(['program_id'], ['programs.id'], name=op.f('fk_program_enrollments_program_id_programs')),
    sa.ForeignKeyConstraint(['revision_id'], ['program_revisions.id'], name=op.f('fk_program_enrollments_revision_id_program_revisions')),
    sa.ForeignKeyConstraint(['user_id'], ['users.id'], name=op.f('fk_program_enrollments_user_id_users')),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_program_enrollments')),
    sa.UniqueConstraint('user_id', 'program_id', name=op.f('uq_program_enrollments_user_id_program_id'))
    )
    with op.batch_alter_table('program_enrollments', schema=None) as batch_op:
        batch_op.create_index(batch_op.f('ix_program_enrollments_program_id'), ['program_id'], unique=False)
        batch_op.create_index(batch_op.f('ix_program_enrollments_user_id'), ['user_id'], unique=False)

    op.create_table('program_certificates',
    sa.Column('id', sa.Integer(), nullable=False),
    sa.Column('number', sa.String(length=32), nullable=False),
    sa.Column('number_key', sa.String(length=16), nullable=False),
    sa.Column('program_enrollment_id', sa.Integer(), nullable=False),
    sa.Column('user_id', sa.Integer(), nullable=False),
    sa.Column('program_id', sa.Integer(), nullable=False),
    sa.Column('revision_id', sa.Integer(), nullable=False),
    sa.Column('issued_at', sa.DateTime(timezone=True), nullable=False),
    sa.Column('completion_date', sa.Date(), nullable=False),
    sa.Column('ce_hours', sa.Numeric(precision=6, scale=2), nullable=False),
    sa.Column('snapshot', sa.JSON(), nullable=False),
    sa.Column('pdf', sa.LargeBinary(), nullable=True),
    sa.Column('sha256', sa.String(length=64), nullable=False),
    sa.Column('status', sa.String(length=16), nullable=False),
    sa.Column('revoked_at', sa.DateTime(timezone=True), nullable=True),
    sa.Column('revoked_reason', sa.String(length=32), nullable=True),
    sa.Column('revoked_note', sa.Text(), nullable=True),
    sa.Column('revoked_by_id', sa.Integer(), nullable=True),
    sa.ForeignKeyConstraint(['program_enrollment_id'], ['program_enrollments.id'], name=op.f('fk_program_certificates_program_enrollment_id_program_enrollments')),
    sa.ForeignKeyConstraint(['program_id'], ['programs.id'], name=op.f('fk_program_certificates_program_id_programs')),
    sa.ForeignKeyConstraint(['revision_id'], ['program_revisions.id'], name=op.f('fk_program_certificates_revision_id_program_revisions')),
    sa.ForeignKeyConstraint(['revoked_by_id'], ['users.id'], name=op.f('fk_program_certificates_revoked_by_id_users')),
    sa.ForeignKeyConstraint(['user_id'], ['users.id'], name=op.f('fk_program_certificates_user_id_users')),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_program_certificates')),
    sa.UniqueConstraint('number', name=op.f('uq_program_certificates_number')),
    sa.UniqueConstraint('number_key', name=op.f('uq_program_certificates_number_key')),
    sa.UniqueConstraint('program_enrollment_id', name=op.f('uq_program_certificates_program_enrollment_id'))
    )
    with op.batch_alter_table('program_certificates', schema=None) as batch_op:
        batch_op.create_index(batch_op.f('ix_program_certificates_program_id'), ['program_id'], unique=False)
        batch_op.create_index(batch_op.f('ix_program_certificates_sha256'), ['sha256'], unique=False)
        batch_op.create_index(batch_op.f('ix_program_certificates_user_id'), ['user_id'], unique=False)



def downgrade():
    with op.batch_alter_table('program_certificates', schema=None) as batch_op:
        batch_op.drop_index(batch_op.f('ix_program_certificates_user_id'))
        batch_op.drop_index(batch_op.f('ix_program_certificates_sha256'))
        batch_op.drop_index(batch_op.f('ix_program_certificates_program_id'))

    op.drop_table('program_certificates')
    with op.batch_alter_table('program_enrollments', schema=None) as batch_op:
        batch_op.drop_index(batch_op.f('ix_program_enrollments_user_id'))
        batch_op.drop_index(batch_op.f('ix_program_enrollments_program_id'))

    op.drop_table('program_enrollments')
    with op.batch_alter_table('program_revisions', schema=None) as batch_op:
        batch_op.drop_index(batch_op.f('ix_program_revisions_program_id'))

    with op.batch_alter_table('programs', schema=None) as batch_op:
        batch_op.drop_constraint(
            batch_op.f('fk_programs_current_revision_id_program_revisions'), type_='foreignkey'
        )

    op.drop_table('program_revisions')
    op.drop_table('programs')
