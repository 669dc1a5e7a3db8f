"""`flask audit verify`: check the audit chain from the shell (cron, monitoring)."""

from __future__ import annotations

import click
from flask.cli import AppGroup

from ce_platform.admin import services
from ce_platform.extensions import db

audit_cli = AppGroup("audit", help="Inspect the audit log.")


@audit_cli.command("verify")
def verify():
    """Walk the audit chain; exit 1 naming the first event that was altered or follows a gap."""
    status = services.check_chain(db.session)
    if status.intact:
        click.echo(f"audit chain intact: {status.count} events")
        return
    event = status.broken_at
    click.echo(
        f"audit chain broken at event #{event.id} "
        f"({event.action}, {event.created_at.isoformat()}): {status.problem}",
        err=True,
    )
    raise SystemExit(1)


def init_app(app) -> None:
    app.cli.add_command(audit_cli)
