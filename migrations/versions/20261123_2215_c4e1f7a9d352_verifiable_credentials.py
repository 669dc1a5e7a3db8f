"""verifiable credentials

Revision ID: c4e1f7a9d352
Revises: a7d3c9e41b20
Create Date: 2026-11-23 22:15:00.000000

"""
from alembic import op
import sqlalchemy as sa


# revision identifiers, used by Alembic.
revision = 'c4e1f7a9d352'
down_revision = 'a7d3c9e41b20'
branch_labels = None
depends_on = None


def upgrade():
    op.create_table(
        'credentials',
        sa.Column('id', sa.Integer(), nullable=False),
        sa.Column('certificate_id', sa.Integer(), nullable=False),
        sa.Column('status_list', sa.Integer(), nullable=False),
        sa.Column('status_index', sa.Integer(), nullable=False),
        sa.Column('revoked', sa.Boolean(), server_default=sa.false(), nullable=False),
        sa.Column('issued_at', sa.DateTime(timezone=True), nullable=False),
        sa.Column('verification_method', sa.String(length=255), nullable=False),
        sa.Column('document', sa.JSON(), nullable=False),
        sa.Column('public_document', sa.JSON(), nullable=False),
        sa.ForeignKeyConstraint(
            ['certificate_id'], ['certificates.id'],
            name=op.f('fk_credentials_certificate_id_certificates'),
        ),
        sa.PrimaryKeyConstraint('id', name=op.f('pk_credentials')),
        sa.UniqueConstraint('certificate_id', name=op.f('uq_credentials_certificate_id')),
        sa.UniqueConstraint(
            'status_list', 'status_index', name=op.f('uq_credentials_status_list_status_index')
        ),
    )
    op.create_table(
        'credential_preferences',
        sa.Column('user_id', sa.Integer(), nullable=False),
        sa.Column('public_subject', sa.Boolean(), server_default=sa.false(), nullable=False),
        sa.Column(
            'include_license_number', sa.Boolean(), server_default=sa.false(), nullable=False
        ),
        sa.ForeignKeyConstraint(
            ['user_id'], ['users.id'], name=op.f('fk_credential_preferences_user_id_users')
        ),
        sa.PrimaryKeyConstraint('user_id', name=op.f('pk_credential_preferences')),
    )


def downgrade():
    op.drop_table('credential_preferences')
    op.drop_table('credentials')
