"""`flask users create` and `flask users set-role`."""

from sqlalchemy import select

from ce_platform.accounts.models import User
from ce_platform.core.audit import AuditEvent
from ce_platform.extensions import db
from tests import factories


def test_users_create_with_password(runner):
    result = runner.invoke(
        args=[
            "users",
            "create",
            "--email",
            "Ins@Example.org",
            "--name",
            "Ina Structor",
            "--role",
            "instructor",
            "--password",
            "instructor pass 1",
        ]
    )
    assert result.exit_code == 0, result.output
    assert "created ins@example.org (instructor)" in result.output
    user = db.session.scalar(select(User).where(User.email == "ins@example.org"))
    assert user.role == "instructor" and user.full_name == "Ina Structor"


def test_users_create_prompts_for_the_password(runner, client, auth):
    result = runner.invoke(
        args=["users", "create", "--email", "p@example.org", "--name", "Pat Prompt"],
        input="prompted password\nprompted password\n",
    )
    assert result.exit_code == 0, result.output
    assert auth.login("p@example.org", "prompted password").status_code == 302


def test_users_create_reads_the_password_from_stdin_without_echoing_it(runner, client, auth):
    result = runner.invoke(
        args=[
            "users",
            "create",
            "--email",
            "instructor@example.org",
            "--name",
            "Ina Structor",
            "--role",
            "instructor",
            "--password-stdin",
        ],
        input="piped password with spaces \n",
    )
    assert result.exit_code == 0, result.output
    assert result.output == "created instructor@example.org (instructor)\n"
    assert auth.login("instructor@example.org", "piped password with spaces ").status_code == 302


def test_users_create_with_password_stdin_refuses_empty_input(runner):
    result = runner.invoke(
        args=["users", "create", "--email", "e@example.org", "--name", "E", "--password-stdin"],
        input="",
    )
    assert result.exit_code == 2
    assert "standard input is empty" in result.output
    assert db.session.scalar(select(User).where(User.email == "e@example.org")) is None


def test_users_create_refuses_password_and_password_stdin_together(runner):
    result = runner.invoke(
        args=[
            "users",
            "create",
            "--email",
            "b@example.org",
            "--name",
            "B",
            "--password",
            "a long password 1",
            "--password-stdin",
        ],
        input="another long password\n",
    )
    assert result.exit_code == 2
    assert "not both" in result.output
    assert db.session.scalar(select(User).where(User.email == "b@example.org")) is None


def test_users_create_refuses_a_short_password(runner):
    result = runner.invoke(
        args=["users", "create", "--email", "s@example.org", "--name", "S", "--password", "short"]
    )
    assert result.exit_code != 0
    assert "at least 12 characters" in result.output
    assert db.session.scalar(select(User).where(User.email == "s@example.org")) is None


def test_users_set_role_changes_the_role_and_is_audited(runner):
    factories.user("learner@example.org")
    result = runner.invoke(args=["users", "set-role", "LEARNER@example.org", "admin"])
    assert result.exit_code == 0, result.output
    user = db.session.scalar(select(User).where(User.email == "learner@example.org"))
    assert user.role == "admin"
    event = db.session.scalar(select(AuditEvent).where(AuditEvent.action == "user.role_changed"))
    assert event.data == {"from": "learner", "to": "admin"}


def test_users_set_role_for_unknown_email_fails(runner):
    result = runner.invoke(args=["users", "set-role", "ghost@example.org", "admin"])
    assert result.exit_code != 0
    assert "no account" in result.output


def test_operator_confirms_an_address_and_accounts_made_from_the_shell_are_confirmed(runner):
    learner = factories.user("unconfirmed@example.org", verified=False)
    assert learner.email_verified_at is None
    result = runner.invoke(args=["users", "verify-email", "Unconfirmed@Example.org"])
    assert result.exit_code == 0 and "unconfirmed@example.org is confirmed" in result.output
    db.session.refresh(learner)
    assert learner.email_verified_at is not None
    missing = runner.invoke(args=["users", "verify-email", "nobody@example.org"])
    assert missing.exit_code != 0 and "no account with email" in missing.output
    made = runner.invoke(
        args=["users", "create", "--email", "shell@example.org", "--name", "Sam Shell",
              "--password", "a long enough passphrase"],
    )  # fmt: skip
    assert made.exit_code == 0, made.output
    user = db.session.scalar(select(User).where(User.email == "shell@example.org"))
    assert user.email_verified_at is not None
