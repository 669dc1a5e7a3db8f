"""The embedded default (a thread of the web process on SQLite) and the CLI run real jobs."""

from __future__ import annotations

import time

import pytest
from sqlalchemy import select

from ce_platform.certificates.models import Certificate
from ce_platform.extensions import db
from ce_platform.jobs import services as jobs
from ce_platform.jobs.models import Job
from ce_platform.jobs.queue import JobQueue

ISSUE = "/api/v1/courses/test-course/certificate"


@pytest.mark.concurrent
def test_the_web_process_thread_renders_a_certificate_with_no_other_service(
    app, api, background, tmp_path, monkeypatch
):
    from tests import factories
    from tests.certificates.conftest import complete_course

    jobs_queue = JobQueue(app, "sqlite:///" + str(tmp_path / "jobs.sqlite3"))
    monkeypatch.setitem(app.extensions, "ce_jobs", jobs_queue)
    factories.user("learner@example.org", **factories.CLINICIAN)
    factories.course("test-course", title="Ethics in Testing Practice")
    api.login()
    complete_course(api)
    number = api.post(ISSUE).get_json()["certificate"]["number"]
    db.session.remove()
    jobs_queue.start_in_process()
    try:
        deadline = time.monotonic() + 60
        status = None
        while time.monotonic() < deadline:
            status = api.get(f"/api/v1/certificates/{number}.pdf").status_code
            db.session.remove()  # end this thread's read, as a real request's teardown does
            if status == 200:
                break
            time.sleep(0.2)
    finally:
        jobs_queue.stop_in_process()
    assert status == 200
    db.session.remove()
    stored = db.session.scalar(select(Certificate.sha256).where(Certificate.number == number))
    assert stored is not None


def test_flask_jobs_run_runs_what_is_due_and_leaves_what_is_not(completed, background, runner):
    number = completed.post(ISSUE).get_json()["certificate"]["number"]
    later = jobs.enqueue(db.session, "certificate.render", subject=number)
    later.run_after = later.run_after.replace(year=later.run_after.year + 1)
    db.session.commit()
    result = runner.invoke(args=["jobs", "run"])
    assert result.exit_code == 0, result.output
    assert "job(s) run" in result.output
    certificate = db.session.scalar(select(Certificate).where(Certificate.number == number))
    assert certificate.sha256 is not None
    db.session.refresh(later)
    assert later.state == "queued"
    states = db.session.scalars(select(Job.state).where(Job.id != later.id)).all()
    assert set(states) == {"done"}  # the render and the "certificate ready" mail


def test_a_rolled_back_request_queues_nothing(app, completed, background):
    from ce_platform.jobs.services import pending_ids

    jobs.enqueue(db.session, "certificate.render", subject="CE-NONE")
    assert pending_ids(db.session)
    db.session.rollback()
    assert db.session.info.get("ce_jobs_pending") is None
    assert db.session.scalar(select(Job).where(Job.subject == "CE-NONE")) is None


def test_a_job_claimed_by_one_worker_is_skipped_by_another(completed, background):
    from ce_platform.core.models import utcnow

    number = completed.post(ISSUE).get_json()["certificate"]["number"]
    job = db.session.scalar(select(Job).where(Job.subject == number))
    first = jobs.claim(db.session, job.id, utcnow())
    second = jobs.claim(db.session, job.id, utcnow())
    assert first is not None and first.state == "running" and second is None


def test_a_job_whose_worker_died_is_queued_again_and_runs(completed, background):
    from datetime import timedelta

    from ce_platform.core.models import utcnow
    from ce_platform.jobs.queue import run_until_empty, tick

    number = completed.post(ISSUE).get_json()["certificate"]["number"]
    job = db.session.scalar(select(Job).where(Job.subject == number))
    claimed = jobs.claim(db.session, job.id, utcnow())
    claimed.started_at = utcnow() - timedelta(minutes=30)  # and then its worker died
    db.session.commit()
    assert run_until_empty() == 0  # nothing queued: the job looks taken
    tick()
    db.session.refresh(job)
    assert (job.state, job.last_error) == ("queued", "the worker stopped while running it")
    run_until_empty()
    db.session.refresh(job)
    assert job.state == "done"
    assert db.session.scalar(select(Certificate.sha256).where(Certificate.number == number))
