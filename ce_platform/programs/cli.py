"""`flask courses sync` publishes courses/_programs/ after the courses, each in its own commit."""

from __future__ import annotations

from pathlib import Path

import click
from sqlalchemy import select

from ce_platform.catalog import cli as catalog_cli
from ce_platform.catalog.models import Course
from ce_platform.content.programs import load_programs
from ce_platform.extensions import db
from ce_platform.programs import services


def sync_programs(root: Path) -> int:
    """Validate every program against the published courses and publish the changed ones."""
    published = db.session.scalars(
        select(Course.slug).where(Course.current_revision_id.is_not(None))
    ).all()
    rejected = 0
    for slug, program, diagnostics in load_programs(root, set(published)):
        for diagnostic in diagnostics:
            click.echo(str(diagnostic), err=diagnostic.is_error)
        if program is None:
            rejected += 1
            click.echo(f"program {slug}: rejected")
            continue
        revision, status = services.sync_program(db.session, program)
        db.session.commit()
        click.echo(f"program {slug}: {status} (revision {revision.number})")
    return rejected


def init_app(app) -> None:
    if sync_programs not in catalog_cli.SYNC_HOOKS:
        catalog_cli.SYNC_HOOKS.append(sync_programs)
