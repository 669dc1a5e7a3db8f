"""Queue work in the caller's transaction, run it once, retry it with backoff, list it for admins.

Features register what a kind of job does (`handler`) and what runs on a schedule
(`periodic`); this module imports nothing but core, so every feature may use it.
"""

from __future__ import annotations

import logging
from collections.abc import Callable
from dataclasses import dataclass
from datetime import datetime, timedelta

from sqlalchemy import select, update

from ce_platform.core.errors import Conflict, NotFound
from ce_platform.core.models import insert_once, utcnow
from ce_platform.jobs.models import Job

log = logging.getLogger(__name__)

Handler = Callable[[object, Job], None]

HANDLERS: dict[str, Handler] = {}
# Called in a fresh transaction when a job has failed for the last time.
GAVE_UP: dict[str, Handler] = {}
# Called when an administrator queues a failed job again.
RETRIED: dict[str, Handler] = {}


@dataclass(frozen=True)
class Periodic:
    """Work that runs once per slot (a day), at or after `hour` UTC, whatever the workers."""

    name: str
    hour: int
    run: Callable[[object, datetime], None]


PERIODIC: dict[str, Periodic] = {}


def handler(kind: str, *, gave_up: Handler | None = None, retried: Handler | None = None):
    """Register what a job of this kind does (it flushes; the runner commits)."""

    def register(function: Handler) -> Handler:
        HANDLERS[kind] = function
        if gave_up is not None:
            GAVE_UP[kind] = gave_up
        if retried is not None:
            RETRIED[kind] = retried
        return function

    return register


def periodic(name: str, *, hour: int = 2):
    """Register daily work; the slot's unique job key makes it run once across all workers."""

    def register(function: Callable[[object, datetime], None]):
        PERIODIC[name] = Periodic(name, hour, function)
        return function

    return register


@dataclass(frozen=True)
class Settings:
    """How often and how patiently jobs are retried (from CE_JOB_* settings)."""

    max_attempts: int = 5
    retry_base_seconds: float = 10.0

    @classmethod
    def from_config(cls, config) -> Settings:
        return cls(int(config["JOB_MAX_ATTEMPTS"]), float(config["JOB_RETRY_BASE_SECONDS"]))

    def backoff(self, attempts: int) -> timedelta:
        """Wait 1, 4, 16, 64 … times the base after each failure."""
        return timedelta(seconds=self.retry_base_seconds * 4 ** max(attempts - 1, 0))


def pending_ids(session) -> list[tuple[int, datetime]]:
    """The jobs this session queued and has not yet handed to the queue (sent after commit)."""
    return session.info.setdefault("ce_jobs_pending", [])


def enqueue(
    session,
    kind: str,
    *,
    subject: str = "",
    user_id: int | None = None,
    key: str | None = None,
    max_attempts: int | None = None,
) -> Job | None:
    """Queue a job in the caller's transaction; it reaches the workers when that commits.

    With a `key`, a second job of the same key is not queued (None is returned).
    """
    if kind not in HANDLERS:
        raise ValueError(f"no handler for job kind {kind!r}")

    def create() -> Job:
        job = Job(kind=kind, subject=subject, user_id=user_id, key=key, run_after=utcnow())
        if max_attempts is not None:
            job.max_attempts = max_attempts
        return job

    if key is None:
        job = create()
        session.add(job)
        session.flush()
    else:
        job, created = insert_once(
            session, create, lambda: session.scalar(select(Job).where(Job.key == key))
        )
        if not created:
            return None
    pending_ids(session).append((job.id, job.run_after))
    return job


def send_message(session, message: str, *, user_id: int, ref: str = "", key: str | None = None):
    """Queue one email to a user: messages/ renders it from the database when the job runs."""
    return enqueue(session, "mail", subject=f"{message}:{ref}", user_id=user_id, key=key)


def claim(session, job_id: int, now: datetime) -> Job | None:
    """Mark a due, queued job running; None when another worker has it or it is not due."""
    claimed = session.execute(
        update(Job)
        .where(Job.id == job_id, Job.state == "queued", Job.run_after <= now)
        .values(state="running", started_at=now, attempts=Job.attempts + 1)
        .execution_options(synchronize_session=False)
    ).rowcount
    if not claimed:
        return None
    return session.get(Job, job_id, populate_existing=True)


def perform(session, job: Job) -> None:
    """Do the job's work in the caller's transaction."""
    HANDLERS[job.kind](session, job)
    job.state = "done"
    job.finished_at = utcnow()
    job.last_error = None
    session.flush()


def record_failure(
    session, job_id: int, error: str, settings: Settings, now: datetime
) -> tuple[Job, bool]:
    """After a failed attempt: queue it again later, or give up; (job, will_retry)."""
    job = session.get(Job, job_id, populate_existing=True)
    job.last_error = error[:4000]
    job.finished_at = now
    retry = job.attempts < min(job.max_attempts, settings.max_attempts)
    if retry:
        job.state = "queued"
        job.run_after = now + settings.backoff(job.attempts)
        pending_ids(session).append((job.id, job.run_after))
    else:
        job.state = "failed"
        if job.kind in GAVE_UP:
            GAVE_UP[job.kind](session, job)
    session.flush()
    return job, retry


def retry(session, job_id: int) -> Job:
    """Queue a failed job again from its first attempt (the admin page's button)."""
    job = session.get(Job, job_id)
    if job is None:
        raise NotFound("No job has this id.")
    if job.state != "failed":
        raise Conflict(f"Only a failed job can be retried; this one is {job.state}.")
    job.state = "queued"
    job.attempts = 0
    job.run_after = utcnow()
    job.last_error = None
    if job.kind in RETRIED:
        RETRIED[job.kind](session, job)
    session.flush()
    pending_ids(session).append((job.id, job.run_after))
    return job


def schedule_due(session, now: datetime) -> list[Job]:
    """Queue each periodic task whose hour has come today, once per day across all workers."""
    queued = []
    for task in PERIODIC.values():
        if now.hour < task.hour:
            continue
        job = enqueue(
            session,
            "periodic",
            subject=task.name,
            key=f"periodic:{task.name}:{now.date().isoformat()}",
            max_attempts=3,
        )
        if job is not None:
            queued.append(job)
    return queued


@handler("periodic")
def _run_periodic(session, job: Job) -> None:
    PERIODIC[job.subject].run(session, job.created_at)


def stale_queued(session, now: datetime, older_than: timedelta) -> list[tuple[int, datetime]]:
    """Queued jobs due for a while that no worker took (their message was lost): send again."""
    rows = session.execute(
        select(Job.id, Job.run_after).where(
            Job.state == "queued", Job.run_after <= now - older_than
        )
    )
    return [(row.id, row.run_after) for row in rows]


def requeue_abandoned(session, now: datetime, older_than: timedelta) -> list[tuple[int, datetime]]:
    """Running jobs whose worker died mid-way (killed, machine lost): queue them again."""
    abandoned = list(
        session.scalars(
            select(Job).where(Job.state == "running", Job.started_at <= now - older_than)
        )
    )
    for job in abandoned:
        job.state = "queued"
        job.run_after = now
        job.last_error = "the worker stopped while running it"
    session.flush()
    return [(job.id, job.run_after) for job in abandoned]


def jobs_page(session, *, states: tuple[str, ...], limit: int = 200) -> list[Job]:
    """The newest jobs in these states, for the admin page."""
    return list(
        session.scalars(
            select(Job).where(Job.state.in_(states)).order_by(Job.id.desc()).limit(limit)
        )
    )


def latest_job(session, kind: str, subject: str) -> Job | None:
    return session.scalar(
        select(Job).where(Job.kind == kind, Job.subject == subject).order_by(Job.id.desc())
    )
