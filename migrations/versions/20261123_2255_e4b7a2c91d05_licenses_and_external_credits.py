"""licenses and external credits

Revision ID: e4b7a2c91d05
Revises: f3dfe93db5f0
Create Date: 2026-11-23 22:50:00.000000

"""
from alembic import op
import sqlalchemy as sa


# revision identifiers, used by Alembic.
revision = 'e4b7a2c91d05'
down_revision = 'f3dfe93db5f0'
branch_labels = None
depends_on = None


def upgrade():
    op.create_table('licenses',
    sa.Column('id', sa.Integer(), nullable=False),
    sa.Column('user_id', sa.Integer(), nullable=False),
    sa.Column('profession', sa.String(length=40), nullable=False),
    sa.Column('state', sa.String(length=2), nullable=False),
    sa.Column('number', sa.String(length=64), server_default='', nullable=False),
    sa.Column('renewal_date', sa.Date(), nullable=False),
    sa.Column('cycle_months', sa.Integer(), nullable=False),
    sa.Column('total_hours', sa.Numeric(precision=6, scale=2), nullable=False),
    sa.Column('requirements', sa.JSON(), server_default='{}', nullable=False),
    sa.Column('created_at', sa.DateTime(timezone=True), nullable=False),
    sa.ForeignKeyConstraint(['user_id'], ['users.id'], name=op.f('fk_licenses_user_id_users')),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_licenses'))
    )
    with op.batch_alter_table('licenses', schema=None) as batch_op:
        batch_op.create_index(batch_op.f('ix_licenses_user_id'), ['user_id'], unique=False)

    op.create_table('external_credits',
    sa.Column('id', sa.Integer(), nullable=False),
    sa.Column('user_id', sa.Integer(), nullable=False),
    sa.Column('title', sa.String(length=300), nullable=False),
    sa.Column('provider', sa.String(length=200), nullable=False),
    sa.Column('completed_on', sa.Date(), nullable=False),
    sa.Column('credits', sa.JSON(), nullable=False),
    sa.Column('hours', sa.Numeric(precision=6, scale=2), nullable=False),
    sa.Column('file_name', sa.String(length=200), nullable=False),
    sa.Column('file_type', sa.String(length=40), nullable=False),
    sa.Column('file_data', sa.LargeBinary(), nullable=False),
    sa.Column('created_at', sa.DateTime(timezone=True), nullable=False),
    sa.ForeignKeyConstraint(['user_id'], ['users.id'], name=op.f('fk_external_credits_user_id_users')),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_external_credits'))
    )
    with op.batch_alter_table('external_credits', schema=None) as batch_op:
        batch_op.create_index(batch_op.f('ix_external_credits_user_id'), ['user_id'], unique=False)


def downgrade():
    with op.batch_alter_table('external_credits', schema=None) as batch_op:
        batch_op.drop_index(batch_op.f('ix_external_credits_user_id'))
    op.drop_table('external_credits')
    with op.batch_alter_table('licenses', schema=None) as batch_op:
        batch_op.drop_index(batch_op.f('ix_licenses_user_id'))
    op.drop_table('licenses')
