"""seat time per enrollment and the folder hash last synced

Revision ID: c5f1662f71ae
Revises: 5e7a1c2d9b40
Create Date: 2026-11-23 19:45:00.000000

"""
from alembic import op
import sqlalchemy as sa


# revision identifiers, used by Alembic.
revision = 'c5f1662f71ae'
down_revision = '5e7a1c2d9b40'
branch_labels = None
depends_on = None


def upgrade():
    with op.batch_alter_table('enrollments', schema=None) as batch_op:
        batch_op.add_column(sa.Column('last_heartbeat_at', sa.DateTime(timezone=True), nullable=True))

    with op.batch_alter_table('courses', schema=None) as batch_op:
        batch_op.add_column(sa.Column('synced_hash', sa.String(length=64), nullable=True))


def downgrade():
    with op.batch_alter_table('courses', schema=None) as batch_op:
        batch_op.drop_column('synced_hash')

    with op.batch_alter_table('enrollments', schema=None) as batch_op:
        batch_op.drop_column('last_heartbeat_at')
