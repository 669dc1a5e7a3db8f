"""Periodic work runs once per day however many workers tick, and the nightly audit check
alerts administrators when the chain is broken."""

from __future__ import annotations

import threading
from datetime import UTC, datetime

import pytest
from sqlalchemy import select, text

from ce_platform.core import audit
from ce_platform.extensions import db
from ce_platform.jobs.models import Job
from ce_platform.jobs.queue import JobQueue, tick
from tests import factories
from tests.conftest import run_jobs, site_path, text_part
from tests.jobs.conftest import work

NIGHT = datetime(2026, 11, 24, 3, 0, 0, tzinfo=UTC)  # after every periodic task's hour


def _break_the_audit_chain() -> int:
    for n in range(3):
        audit.record(db.session, "test.event", actor_id=None, subject_type="test", subject_id=n)
    db.session.commit()
    first = db.session.scalar(select(audit.AuditEvent.id).order_by(audit.AuditEvent.id))
    db.session.execute(
        text("UPDATE audit_events SET subject_id = 'changed' WHERE id = :id"), {"id": first}
    )
    db.session.commit()
    return first


@pytest.mark.concurrent
def test_nightly_audit_check_runs_once_with_two_workers_and_alerts_each_admin(app, backend, smtp):
    factories.user("admin1@example.org", role="admin")
    factories.user("admin2@example.org", role="admin")
    factories.user("learner@example.org")
    broken = _break_the_audit_chain()
    workers = [backend, JobQueue(app, backend.url)]  # two consumers of the same queue
    start = threading.Barrier(len(workers))
    errors: list[BaseException] = []

    def worker(jobs: JobQueue) -> None:
        try:
            with app.app_context():
                start.wait()
                tick(now=NIGHT)  # both schedulers fire for the same night
                work(jobs)
                db.session.remove()
        except BaseException as exc:  # noqa: BLE001  (reported below)
            errors.append(exc)

    threads = [threading.Thread(target=worker, args=(jobs,)) for jobs in workers]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join(60)
    assert errors == []
    for jobs in workers:  # anything the other worker queued after this one stopped
        work(jobs)

    runs = db.session.scalars(
        select(Job).where(Job.kind == "periodic", Job.subject == "audit_verify")
    ).all()
    assert [(job.key, job.state, job.attempts) for job in runs] == [
        ("periodic:audit_verify:2026-11-24", "done", 1)
    ]
    alerts = [m for m in smtp.messages if "audit trail does not verify" in m["Subject"]]
    assert sorted(m["To"] for m in alerts) == ["admin1@example.org", "admin2@example.org"]
    assert f"event {broken}" in text_part(alerts[0])
    assert smtp.to("learner@example.org") == []
    assert site_path([u for u in text_part(alerts[0]).split() if "/admin/audit" in u][0])


def test_a_second_tick_the_same_day_queues_nothing(app):
    tick(now=NIGHT)
    first = db.session.scalars(select(Job.key).where(Job.kind == "periodic")).all()
    assert sorted(first) == [
        "periodic:audit_verify:2026-11-24",
        "periodic:expired_courses:2026-11-24",
    ]  # reminders wait for their hour (09:00 UTC)
    tick(now=NIGHT)
    assert sorted(db.session.scalars(select(Job.key).where(Job.kind == "periodic")).all()) == (
        sorted(first)
    )


def test_an_intact_audit_trail_alerts_nobody(app, smtp):
    factories.user("admin@example.org", role="admin")
    audit.record(db.session, "test.event", actor_id=None, subject_type="test", subject_id=1)
    db.session.commit()
    tick(now=NIGHT)
    run_jobs()
    assert smtp.messages == []


def test_expired_course_is_noted_once_and_left_out_of_the_catalog(app, client):
    from datetime import date

    factories.course("test-course", title="Ethics in Testing Practice")
    from ce_platform.catalog.models import Course, CourseRevision

    revision = db.session.scalar(
        select(CourseRevision).join(Course, Course.current_revision_id == CourseRevision.id)
    )
    revision.review_by = date(2026, 11, 1)
    db.session.commit()
    tick(now=NIGHT)
    run_jobs()
    events = db.session.scalars(
        select(audit.AuditEvent).where(audit.AuditEvent.action == "course.expired")
    ).all()
    assert [(e.subject_id, e.data["review_by"]) for e in events] == [("test-course", "2026-11-01")]
    assert "Ethics in Testing Practice" not in client.get("/").get_data(as_text=True)
