"""`flask urls`: where the development server answers and where certificates send verifiers."""

from __future__ import annotations

import os

import click
from flask import current_app

from ce_platform.config import local_base_url_warning


@click.command("urls")
def urls() -> None:
    """Print the address `flask run` serves on and the verification links certificates carry."""
    host = os.environ.get("FLASK_RUN_HOST", "127.0.0.1")
    port = os.environ.get("FLASK_RUN_PORT", "5000")
    base_url = current_app.config["BASE_URL"]
    click.echo(f"Serving on http://{host}:{port}")
    click.echo(f"Verification base URL (CE_BASE_URL): {base_url}")
    click.echo(f"Certificates link to {base_url}/verify/<number>")
    warning = local_base_url_warning(base_url)
    if warning:
        click.echo(f"Warning: {warning}")


def init_app(app) -> None:
    app.cli.add_command(urls)
