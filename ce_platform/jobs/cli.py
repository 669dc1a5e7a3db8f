"""`flask jobs worker|run|tick`: the production worker, and one pass for cron or a tiny install."""

from __future__ import annotations

import click
from flask.cli import AppGroup

from ce_platform.jobs import queue

jobs_cli = AppGroup("jobs", help="Background jobs: certificates, emails, nightly work.")


@jobs_cli.command("worker")
@click.option("--workers", default=2, show_default=True, help="Threads taking jobs at once.")
def worker(workers: int) -> None:
    """Consume jobs until stopped (Huey's consumer, with the per-minute tick)."""
    jobs = queue.queue()
    click.echo(f"Job worker: {workers} threads on {jobs.url or 'SQLite in instance/'}")
    consumer = jobs.huey.create_consumer(workers=workers, worker_type="thread", periodic=True)
    consumer.run()


@jobs_cli.command("run")
def run() -> None:
    """Run every job that is due now, then exit."""
    done = queue.run_until_empty()
    click.echo(f"{done} job(s) run")


@jobs_cli.command("tick")
def tick() -> None:
    """Queue today's periodic work if its hour has come (once, however many workers tick)."""
    queue.tick()
    click.echo("periodic work checked")


def init_app(app) -> None:
    app.cli.add_command(jobs_cli)
