"""`flask certificates revoke`: revoke from the shell, with a reason on the record."""

from __future__ import annotations

import click
from flask.cli import AppGroup

from ce_platform.certificates import services
from ce_platform.certificates.models import REVOCATION_REASONS
from ce_platform.core.errors import CEError
from ce_platform.extensions import db

certificates_cli = AppGroup("certificates", help="Manage issued certificates.")


@certificates_cli.command("revoke")
@click.argument("number")
@click.option("--reason", required=True, type=click.Choice(list(REVOCATION_REASONS)))
@click.option(
    "--note", required=True, help="What happened (kept in the audit log, never shown publicly)."
)
@click.option("--yes", is_flag=True, help="Do not ask for confirmation.")
def revoke(number: str, reason: str, note: str, yes: bool):
    """Revoke certificate NUMBER; it will verify as revoked, never as missing."""
    try:
        certificate = services.find_certificate(db.session, number)
        if not yes:
            participant = certificate.snapshot["participant"]["display_name"]
            click.confirm(
                f"Revoke {certificate.number} ({participant}, "
                f"{certificate.snapshot['course']['title']}) as "
                f'"{REVOCATION_REASONS[reason]}"? This cannot be undone',
                abort=True,
            )
        services.revoke(db.session, certificate, actor_id=None, reason=reason, note=note)
    except CEError as exc:
        db.session.rollback()
        raise click.ClickException(exc.message) from None
    db.session.commit()
    click.echo(f"revoked {certificate.number} ({REVOCATION_REASONS[reason]})")


def init_app(app) -> None:
    app.cli.add_command(certificates_cli)
