"""course revisions keep their CE Broker numbers and codes

Revision ID: 7d41c9e2b6a8
Revises: 5c2e8d1a7b94
Create Date: 2026-11-23 20:30:00.000000

"""

from alembic import op
import sqlalchemy as sa


# revision identifiers, used by Alembic.
revision = "7d41c9e2b6a8"
down_revision = "5c2e8d1a7b94"
branch_labels = None
depends_on = None


def upgrade():
    with op.batch_alter_table("course_revisions", schema=None) as batch_op:
        batch_op.add_column(sa.Column("ce_broker", sa.JSON(), server_default="{}", nullable=False))


def downgrade():
    with op.batch_alter_table("course_revisions", schema=None) as batch_op:
        batch_op.drop_column("ce_broker")
