"""audit subject fits any subject

Revision ID: a7d3c9e41b20
Revises: 7d41c9e2b6a8
Create Date: 2026-11-23 20:35:00.000000

"""
from alembic import op
import sqlalchemy as sa


# revision identifiers, used by Alembic.
revision = 'a7d3c9e41b20'
down_revision = '7d41c9e2b6a8'
branch_labels = None
depends_on = None


def upgrade():
    # A failed sign-in names the address asked for (up to 254 characters) and course events
    # name the slug (up to 100): 64 characters refused both on PostgreSQL.
    with op.batch_alter_table('audit_events', schema=None) as batch_op:
        batch_op.alter_column(
            'subject_id',
            existing_type=sa.String(length=64),
            type_=sa.String(length=254),
            existing_nullable=False,
        )


def downgrade():
    with op.batch_alter_table('audit_events', schema=None) as batch_op:
        batch_op.alter_column(
            'subject_id',
            existing_type=sa.String(length=254),
            type_=sa.String(length=64),
            existing_nullable=False,
        )
