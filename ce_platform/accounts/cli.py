"""`flask users ...`: create accounts and change roles from the shell."""

from __future__ import annotations

import sys

import click
from flask import current_app
from flask.cli import AppGroup

from ce_platform.accounts import services
from ce_platform.core.access import ROLES
from ce_platform.core.errors import CEError
from ce_platform.extensions import db

users_cli = AppGroup("users", help="Manage accounts.")


@users_cli.command("create")
@click.option("--email", required=True)
@click.option("--name", "full_name", required=True, help="Full name as printed on certificates.")
@click.option("--role", type=click.Choice(ROLES), default="learner", show_default=True)
@click.option(
    "--password",
    help="Visible in the shell history and process list: prefer --password-stdin or the prompt.",
)
@click.option(
    "--password-stdin",
    "password_stdin",
    is_flag=True,
    help="Read the password from the first line of standard input (never echoed).",
)
@click.option("--profession", default="other", show_default=True)
@click.option("--credentials", default="")
def create_user(email, full_name, role, password, password_stdin, profession, credentials):
    """Create an account; the password is prompted for (hidden) unless piped or given."""
    if password is not None and password_stdin:
        raise click.UsageError("give either --password or --password-stdin, not both")
    if password_stdin:
        password = _password_from_stdin()
    elif password is None:
        password = click.prompt("Password", hide_input=True, confirmation_prompt=True)
    try:
        user = services.register_user(
            db.session,
            email=email,
            password=password,
            full_name=full_name,
            role=role,
            profession=profession,
            credentials=credentials,
            settings=services.Settings.from_config(current_app.config),
        )
        services.record_account_created(db.session, user, channel="cli")
        services.confirm_email(db.session, user, actor_id=None)  # the operator vouches for it
    except CEError as exc:
        db.session.rollback()
        raise click.ClickException(exc.message) from None
    db.session.commit()
    click.echo(f"created {user.email} ({user.role})")


def _password_from_stdin() -> str:
    """Read one line so that `printf '%s\\n' "$PW" | flask users create ...` works as typed."""
    line = sys.stdin.readline()
    password = line.removesuffix("\n").removesuffix("\r")
    if not password:
        raise click.UsageError("--password-stdin: standard input is empty")
    return password


@users_cli.command("set-role")
@click.argument("email")
@click.argument("role", type=click.Choice(ROLES))
def set_role(email, role):
    """Change the role of the account with EMAIL."""
    user = services.get_user_by_email(db.session, email)
    if user is None:
        raise click.ClickException(f"no account with email {email}")
    services.set_role(db.session, user, role, actor_id=None)
    db.session.commit()
    click.echo(f"{user.email} is now {role}")


@users_cli.command("verify-email")
@click.argument("email")
def verify_email(email):
    """Mark the address of the account with EMAIL as confirmed (checked some other way)."""
    user = services.get_user_by_email(db.session, email)
    if user is None:
        raise click.ClickException(f"no account with email {email}")
    services.confirm_email(db.session, user, actor_id=None)
    db.session.commit()
    click.echo(f"{user.email} is confirmed")


def init_app(app) -> None:
    app.cli.add_command(users_cli)
