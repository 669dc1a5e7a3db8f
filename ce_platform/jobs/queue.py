"""Huey carries job ids: SQLite next to the app by default, Redis with CE_QUEUE_URL=redis://….

The job table holds the truth (what, to what, state, error); a Huey message only says "look at
job N". The runner here is a job's endpoint: it claims, performs and commits once.
"""

from __future__ import annotations

import logging
import threading
import time
from datetime import datetime, timedelta
from pathlib import Path

from flask import Flask, current_app
from huey import MemoryHuey, RedisHuey, SqliteHuey, crontab
from sqlalchemy import event
from sqlalchemy.orm import Session

from ce_platform.core.models import utcnow
from ce_platform.extensions import db
from ce_platform.jobs import services
from ce_platform.jobs.models import Job

log = logging.getLogger(__name__)

STALE_AFTER = timedelta(minutes=2)
# Far longer than any job takes (a render is about a second): a running job this old lost its
# worker.
ABANDONED_AFTER = timedelta(minutes=15)


class JobQueue:
    """One app's Huey instance and its two tasks: run a job, and the per-minute tick."""

    def __init__(self, app: Flask, url: str | None):
        self.app = app
        self.url = url or ""
        self.huey = make_huey(app, url)
        self.run_task = self.huey.task(name="ce.run_job")(self._run_job)
        self.tick_task = self.huey.periodic_task(crontab(), name="ce.tick")(self._tick)
        self._thread: threading.Thread | None = None
        self._stop = threading.Event()

    def _run_job(self, job_id: int) -> None:
        with self.app.app_context():
            run_job(job_id)

    def _tick(self) -> None:
        with self.app.app_context():
            tick()

    def push(self, job_id: int, run_after: datetime) -> None:
        """Hand a committed job to the workers, delayed until it is due."""
        delay = (run_after - utcnow()).total_seconds()
        if delay > 0:
            self.run_task.schedule(args=(job_id,), delay=delay)
        else:
            self.run_task(job_id)

    def work_once(self, now: float | None = None) -> bool:
        """Move due delayed messages to the queue and run one job; False when none was waiting."""
        from datetime import UTC
        from datetime import datetime as dt

        stamp = dt.fromtimestamp(now or time.time(), UTC).replace(tzinfo=None)
        for task in self.huey.read_schedule(stamp):
            self.huey.enqueue(task)
        task = self.huey.dequeue()
        if task is None:
            return False
        self.huey.execute(task)
        return True

    def start_in_process(self) -> None:
        """The embedded default: one daemon thread in the web process does the work."""
        if self._thread is not None:
            return
        self._thread = threading.Thread(target=self._in_process_loop, daemon=True, name="ce-jobs")
        self._thread.start()

    def stop_in_process(self) -> None:
        """Let the in-process thread finish its current job and end."""
        self._stop.set()
        if self._thread is not None:
            self._thread.join(30)
            if self._thread.is_alive():  # still in a job: it ends after it, stop stays set
                return
            self._thread = None
        self._stop.clear()

    def _in_process_loop(self) -> None:
        last_tick = 0.0
        while not self._stop.is_set():
            try:
                now = time.time()
                if now - last_tick >= 60:
                    last_tick = now
                    self._tick()
                if not self.work_once(now):
                    self._stop.wait(0.5)
            except Exception:  # keep the thread alive; the job row keeps the error
                log.exception("background job loop")
                self._stop.wait(5)


def make_huey(app: Flask, url: str | None):
    """Pick Huey's storage from CE_QUEUE_URL: redis://…, memory:// (tests), else a SQLite file."""
    name = "ce_platform"
    if url and url.startswith(("redis://", "rediss://", "unix://")):
        return RedisHuey(name, url=url, results=False)
    if url == "memory://":
        return MemoryHuey(name, results=False)
    path = url[len("sqlite:///") :] if url and url.startswith("sqlite:///") else None
    path = path or str(Path(app.instance_path) / "jobs.sqlite3")
    Path(path).parent.mkdir(parents=True, exist_ok=True)
    return SqliteHuey(name, filename=path, results=False)


def queue() -> JobQueue:
    return current_app.extensions["ce_jobs"]


def run_job(job_id: int) -> str:
    """Claim, perform and commit one job; on failure roll back and record the error."""
    session = db.session
    settings = services.Settings.from_config(current_app.config)
    now = utcnow()
    try:
        job = services.claim(session, job_id, now)
        session.commit()
    except Exception:
        session.rollback()
        raise
    if job is None:
        return "skipped"
    try:
        services.perform(session, job)
        session.commit()
        return "done"
    except Exception as exc:
        session.rollback()
        log.warning("job %s (%s %s) failed: %s", job_id, job.kind, job.subject, exc)
        _, retry = services.record_failure(
            session, job_id, f"{type(exc).__name__}: {exc}", settings, utcnow()
        )
        session.commit()
        return "retry" if retry else "failed"


def tick(now: datetime | None = None) -> None:
    """Every minute in every worker: queue today's periodic work once, resend lost messages."""
    session = db.session
    try:
        now = now or utcnow()
        services.schedule_due(session, now)
        stale = services.stale_queued(session, now, STALE_AFTER)
        stale += services.requeue_abandoned(session, now, ABANDONED_AFTER)
        session.commit()
    except Exception:
        session.rollback()
        raise
    for job_id, run_after in stale:
        queue().push(job_id, run_after)


def run_until_empty(now: datetime | None = None) -> int:
    """Run every due queued job in this process, in id order (tests, cron, tiny installs)."""
    from sqlalchemy import select

    done = 0
    while True:
        moment = now or utcnow()
        ids = list(
            db.session.scalars(
                select(Job.id)
                .where(Job.state == "queued", Job.run_after <= moment)
                .order_by(Job.id)
            )
        )
        db.session.commit()
        ran = [job_id for job_id in ids if run_job(job_id) != "skipped"]
        if not ran:
            return done
        done += len(ran)


def _after_commit(session: Session) -> None:
    pending = session.info.pop("ce_jobs_pending", None)
    if not pending:
        return
    jobs = current_app.extensions.get("ce_jobs")
    if jobs is None:
        return
    for job_id, run_after in pending:
        try:
            jobs.push(job_id, run_after)
        except Exception:  # the row stays queued; the next tick sends it again
            log.exception("could not hand job %s to the queue", job_id)


def _after_rollback(session: Session, previous) -> None:
    if previous.parent is None:  # the whole transaction, not a savepoint
        session.info.pop("ce_jobs_pending", None)


def init_app(app: Flask) -> None:
    app.extensions["ce_jobs"] = JobQueue(app, app.config.get("QUEUE_URL"))
    if not event.contains(Session, "after_commit", _after_commit):
        event.listen(Session, "after_commit", _after_commit)
        event.listen(Session, "after_soft_rollback", _after_rollback)

    if app.config.get("QUEUE_IN_PROCESS"):

        @app.before_request
        def _start_jobs_thread() -> None:
            app.extensions["ce_jobs"].start_in_process()
