"""`flask jobs worker` in a process of its own takes a job that another process put on Redis."""

from __future__ import annotations

import os
import signal
import subprocess
import sys
import time
from pathlib import Path

from tests.conftest import text_part

ROOT = Path(__file__).resolve().parents[2]

ENQUEUE = """
from ce_platform import create_app
from ce_platform.accounts import services as accounts
from ce_platform.extensions import db
from ce_platform.jobs import services as jobs

app = create_app()
with app.app_context():
    user = accounts.register_user(
        db.session, email="worker@example.org", password="a long enough passphrase",
        full_name="Wendy Worker", settings=accounts.Settings(12, "pbkdf2:sha256:1000"),
    )
    jobs.send_message(db.session, "password_changed", user_id=user.id)
    db.session.commit()
"""


def _run(env, *args) -> None:
    done = subprocess.run(
        args, cwd=ROOT, env=env, capture_output=True, text=True, timeout=120, check=False
    )
    assert done.returncode == 0, done.stdout + done.stderr


def test_a_worker_process_sends_the_mail_a_web_process_queued_on_redis(redis_url, smtp, tmp_path):
    env = {k: v for k, v in os.environ.items() if not k.startswith("CE_")}
    env.update(
        CE_SECRET_KEY="worker-test",
        CE_DATABASE_URL=f"sqlite:///{tmp_path / 'site.sqlite3'}",
        CE_BASE_URL="https://ce.example.org",
        CE_QUEUE_URL=redis_url.replace("/0", "/3"),  # a database no other test uses
        CE_QUEUE_IN_PROCESS="false",
        CE_MAIL_SERVER="127.0.0.1",
        CE_MAIL_PORT=str(smtp.port),
        CE_MAIL_USE_TLS="false",
    )
    flask = [sys.executable, "-m", "flask", "--app", "wsgi"]
    _run(env, *flask, "db", "upgrade")
    _run(env, sys.executable, "-c", ENQUEUE)
    assert smtp.messages == []  # queued, not sent: no worker yet
    worker = subprocess.Popen(
        [*flask, "jobs", "worker", "--workers", "1"],
        cwd=ROOT,
        env=env,
        stdout=subprocess.DEVNULL,
        stderr=subprocess.DEVNULL,
    )
    try:
        deadline = time.monotonic() + 60
        while not smtp.messages and time.monotonic() < deadline:
            time.sleep(0.2)
    finally:
        worker.send_signal(signal.SIGINT)
        worker.wait(timeout=30)
    [message] = smtp.messages
    assert message["To"] == "worker@example.org"
    assert message["Subject"] == "Your password was changed"
    assert "Dear Wendy Worker" in text_part(message)
