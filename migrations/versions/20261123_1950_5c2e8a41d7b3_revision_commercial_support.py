"""course revisions keep the course's commercial-support statement

Revision ID: 5c2e8a41d7b3
Revises: c5f1662f71ae
Create Date: 2026-11-23 19:45:00.000000

"""

from alembic import op
import sqlalchemy as sa


# revision identifiers, used by Alembic.
revision = "5c2e8a41d7b3"
down_revision = "c5f1662f71ae"
branch_labels = None
depends_on = None


def upgrade():
    with op.batch_alter_table("course_revisions", schema=None) as batch_op:
        batch_op.add_column(
            sa.Column("commercial_support", sa.Text(), server_default="", nullable=False)
        )


def downgrade():
    with op.batch_alter_table("course_revisions", schema=None) as batch_op:
        batch_op.drop_column("commercial_support")
