"""Jobs run on the default SQLite queue and on a real Redis; certificates render in the
background here (the rest of the suite renders inline)."""

from __future__ import annotations

import shutil
import socket
import subprocess
import time

import pytest

from ce_platform.jobs.queue import JobQueue


def _free_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return sock.getsockname()[1]


@pytest.fixture(scope="session")
def redis_url(tmp_path_factory):
    """A redis-server of our own on a free port (scripts/setup.sh test installs it)."""
    binary = shutil.which("redis-server")
    if binary is None:
        pytest.fail("redis-server is not installed: run scripts/setup.sh test")
    port = _free_port()
    directory = tmp_path_factory.mktemp("redis")
    process = subprocess.Popen(
        [binary, "--port", str(port), "--bind", "127.0.0.1", "--save", "", "--appendonly", "no",
         "--dir", str(directory)],
        stdout=subprocess.DEVNULL,
        stderr=subprocess.DEVNULL,
    )  # fmt: skip
    deadline = time.monotonic() + 10
    while time.monotonic() < deadline:
        try:
            socket.create_connection(("127.0.0.1", port), timeout=0.2).close()
            break
        except OSError:
            time.sleep(0.05)
    else:
        process.kill()
        pytest.fail("redis-server did not start")
    yield f"redis://127.0.0.1:{port}/0"
    process.terminate()
    process.wait(timeout=10)


@pytest.fixture(params=["sqlite", "redis"])
def backend(request, app, tmp_path):
    """The app's queue on Huey's SQLite storage (the default) or on Redis, for one test."""
    if request.param == "redis":
        url = request.getfixturevalue("redis_url")
    else:
        url = "sqlite:///" + str(tmp_path / "jobs.sqlite3")
    saved = app.extensions["ce_jobs"]
    jobs = JobQueue(app, url)
    jobs.huey.flush()
    app.extensions["ce_jobs"] = jobs
    try:
        yield jobs
    finally:
        jobs.huey.flush()
        app.extensions["ce_jobs"] = saved


@pytest.fixture
def background(app, monkeypatch):
    """Certificates are rendered by a job, as in production."""
    monkeypatch.setitem(app.config, "RENDER_INLINE", False)


def work(jobs: JobQueue, limit: int = 50) -> int:
    """Let the worker take messages from the queue until none is waiting."""
    done = 0
    while done < limit and jobs.work_once():
        done += 1
    return done


from tests.certificates.conftest import completed, course, learner  # noqa: E402, F401
