"""`flask credentials init-key|backfill`: the issuer's key, and credentials for old certificates."""

from __future__ import annotations

import click
from flask import current_app
from flask.cli import AppGroup

from ce_platform.credentials import keys, services
from ce_platform.extensions import db

credentials_cli = AppGroup("credentials", help="Manage the verifiable credentials of certificates.")


def _key_path() -> str:
    path = current_app.config.get("CREDENTIAL_KEY_FILE")
    if not path:
        raise click.ClickException(
            "Set CE_CREDENTIAL_KEY_FILE to the path of the issuer's key file (outside the "
            "database, backed up) first."
        )
    return path


@credentials_cli.command("init-key")
@click.option(
    "--rotate", is_flag=True, help="Replace the signing key; old public keys stay published."
)
def init_key(rotate: bool):
    """Create the issuer's Ed25519 key file (mode 0600), or rotate to a new key."""
    path = _key_path()
    try:
        ring = keys.rotate(path) if rotate else keys.init_key(path)
    except keys.KeyFileError as exc:
        raise click.ClickException(str(exc)) from None
    did = services.configured_issuer().did
    click.echo(
        f"{'rotated' if rotate else 'created'} {path}: signing key {did}#{ring.current.fragment}"
    )
    if ring.retired:
        click.echo(f"{len(ring.retired)} older key(s) stay in the DID document")
    click.echo("Back this file up now: without it no new credential can be signed.")


@credentials_cli.command("backfill")
@click.option("--batch", default=100, show_default=True, type=click.IntRange(1, 10000))
def backfill(batch: int):
    """Issue credentials for certificates that have none, one committed batch at a time."""
    _key_path()
    try:
        issuer = services.configured_issuer()
    except keys.KeyFileError as exc:
        raise click.ClickException(str(exc)) from None
    total = 0
    while True:
        issued = services.backfill(db.session, issuer, batch=batch)
        db.session.commit()
        total += issued
        if issued < batch:
            break
        click.echo(f"... {total}")
    click.echo(f"issued {total} credential(s)")


def init_app(app) -> None:
    app.cli.add_command(credentials_cli)
