"""`flask courses validate|sync|export`: course folders on disk <-> published revisions."""

from __future__ import annotations

from collections.abc import Callable
from pathlib import Path

import click
from flask.cli import AppGroup

from ce_platform import content
from ce_platform.accounts.models import User
from ce_platform.catalog import services
from ce_platform.content.programs import load_programs
from ce_platform.extensions import db

courses_cli = AppGroup("courses", help="Validate, import and export course folders.")

DEFAULT_ROOT = Path("courses")

# Features built on the catalog publish their own folders after the courses (programs, from
# courses/_programs/): each gets the root and returns how many it rejected.
SYNC_HOOKS: list[Callable[[Path], int]] = []


def _print_diagnostics(diagnostics) -> None:
    for diagnostic in diagnostics:
        click.echo(str(diagnostic), err=diagnostic.severity == "error")


@courses_cli.command("validate")
@click.argument("path", type=click.Path(file_okay=False, path_type=Path), default=DEFAULT_ROOT)
def validate(path: Path):
    """Print every diagnostic for PATH (default courses/); exit 1 on any error."""
    provider, results, provider_diags = content.load_courses(path)
    everything = list(provider_diags)
    for _slug, _source, diagnostics in results:
        everything.extend(diagnostics)
    programs = load_programs(path, [slug for slug, _source, _diags in results])
    for _slug, _program, diagnostics in programs:
        everything.extend(diagnostics)
    _print_diagnostics(everything)
    errors = sum(1 for d in everything if d.severity == "error")
    warnings = len(everything) - errors
    click.echo(
        f"{len(results)} course(s), {len(programs)} program(s): "
        f"{errors} error(s), {warnings} warning(s)"
    )
    if errors:
        raise SystemExit(1)


def _kept_message(slug: str, revision) -> str:
    """One line: which revision sync left in place, why, and the two ways out."""
    if revision.published_on_the_web:
        publisher = db.session.get(User, revision.published_by_id)
        who = publisher.email if publisher is not None else f"user #{revision.published_by_id}"
        why = (
            f"revision {revision.number} was published on the web by {who} on "
            f"{revision.published_at:%Y-%m-%d %H:%M} UTC, after the last sync"
        )
    else:
        why = f"revision {revision.number} differs from the folder, unchanged since the last sync"
    return (
        f"{slug}: left alone: {why}; keep it with `flask courses export {slug} DEST`, "
        "or publish the folder over it with `flask courses sync --force`"
    )


@courses_cli.command("sync")
@click.argument("path", type=click.Path(file_okay=False, path_type=Path), default=DEFAULT_ROOT)
@click.option(
    "--force",
    is_flag=True,
    help="Publish every changed folder, even over revisions published on the web.",
)
def sync(path: Path, force: bool):
    """Import every course in PATH that changed since the last sync, each in its own
    transaction; broken ones are rejected, and web edits are left alone unless --force."""
    provider, provider_diags = content.load_provider(path / services.PROVIDER_FILE)
    _print_diagnostics(provider_diags)
    folders = sorted(p for p in path.iterdir() if p.is_dir() and not p.name.startswith((".", "_")))
    if provider is None or content.has_errors(provider_diags):
        # Still report what is wrong in each course, so one run shows every problem.
        _provider, results, _diags = content.load_courses(path)
        for slug, _source, diagnostics in results:
            _print_diagnostics(diagnostics)
            click.echo(f"{slug}: rejected (provider.yml has errors)")
        raise SystemExit(1)
    rejected = 0
    for folder in folders:
        try:
            outcome = services.sync_course(
                db.session, folder.name, content.read_course_folder(folder), provider, force=force
            )
        except Exception as exc:  # one broken course must not stop the others
            db.session.rollback()
            rejected += 1
            click.echo(f"{folder.name}: rejected ({exc})", err=True)
            continue
        _print_diagnostics(outcome.diagnostics)
        if outcome.status == "rejected":
            db.session.rollback()
            rejected += 1
            click.echo(f"{folder.name}: rejected")
            continue
        message = (
            _kept_message(folder.name, outcome.revision)
            if outcome.status == "kept"
            else f"{folder.name}: {outcome.status} (revision {outcome.revision.number})"
        )
        db.session.commit()
        click.echo(message)
    for hook in SYNC_HOOKS:
        rejected += hook(path)
    if rejected:
        raise SystemExit(1)


@courses_cli.command("export")
@click.argument("slug")
@click.argument("dest", type=click.Path(file_okay=False, path_type=Path))
def export(slug: str, dest: Path):
    """Write the published revision of SLUG to DEST/SLUG/, with DEST/provider.yml."""
    try:
        course = services.get_course(db.session, slug)
    except Exception as exc:
        raise click.ClickException(str(exc)) from None
    revision = course.current_revision
    dest.mkdir(parents=True, exist_ok=True)
    content.write_course_folder(dest / slug, services.export_files(revision))
    (dest / services.PROVIDER_FILE).write_text(revision.provider_source, encoding="utf-8")
    click.echo(f"exported {slug} revision {revision.number} to {dest / slug}")


def init_app(app) -> None:
    app.cli.add_command(courses_cli)
