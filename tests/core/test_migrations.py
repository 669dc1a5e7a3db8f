"""The migrations build exactly the schema the models describe, on every engine."""

from alembic.autogenerate import compare_metadata
from alembic.migration import MigrationContext

from ce_platform.extensions import db


def test_models_and_migrations_agree(app):
    # The session database was created by `flask db upgrade` on an empty database.
    connection = db.session.connection()  # the test's own transaction
    context = MigrationContext.configure(
        connection, opts={"compare_type": True, "render_as_batch": True}
    )
    differences = compare_metadata(context, db.metadata)
    assert differences == []


def test_every_table_is_created_by_migrations(app):
    import sqlalchemy as sa

    inspector = sa.inspect(db.session.connection())
    tables = set(inspector.get_table_names())
    assert set(db.metadata.tables) <= tables
    assert "alembic_version" in tables
