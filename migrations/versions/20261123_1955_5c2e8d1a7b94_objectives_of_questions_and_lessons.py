"""objectives of questions and lessons

Revision ID: 5c2e8d1a7b94
Revises: 5c2e8a41d7b3
Create Date: 2026-11-23 19:30:00.000000

"""
from alembic import op
import sqlalchemy as sa


# revision identifiers, used by Alembic.
revision = '5c2e8d1a7b94'
down_revision = '5c2e8a41d7b3'
branch_labels = None
depends_on = None


def upgrade():
    with op.batch_alter_table('lessons', schema=None) as batch_op:
        batch_op.add_column(sa.Column('objectives', sa.JSON(), server_default='[]', nullable=False))

    with op.batch_alter_table('questions', schema=None) as batch_op:
        batch_op.add_column(sa.Column('objectives', sa.JSON(), server_default='[]', nullable=False))


def downgrade():
    with op.batch_alter_table('questions', schema=None) as batch_op:
        batch_op.drop_column('objectives')

    with op.batch_alter_table('lessons', schema=None) as batch_op:
        batch_op.drop_column('objectives')
