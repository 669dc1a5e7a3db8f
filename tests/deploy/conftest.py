"""Two gunicorn servers on one PostgreSQL database, as several app servers behind a proxy run.

The database is created for this module alone (next to the suite's database, never in it),
migrated and loaded through the CLI exactly as docs/deploy.md says, and dropped at the end.
"""

from __future__ import annotations

import json
import os
import secrets
import socket
import subprocess
import sys
import time
import urllib.error
import urllib.request
from pathlib import Path

import pytest
import sqlalchemy as sa

from tests import factories

ROOT = Path(__file__).resolve().parents[2]
COURSE = "test-course"
PASSWORD = "two servers passphrase"
TIMEOUT = 60  # seconds for any one HTTP request or CLI command

# Requests go straight to 127.0.0.1, whatever proxy the environment names.
_opener = urllib.request.build_opener(urllib.request.ProxyHandler({}))


def postgres_url() -> sa.URL | None:
    """The suite's PostgreSQL URL (CE_TEST_DATABASE_URL), or None when the suite runs elsewhere."""
    raw = os.environ.get("CE_TEST_DATABASE_URL")
    if not raw:
        return None
    url = sa.make_url(raw)
    if url.get_backend_name() != "postgresql":
        return None
    return url.set(drivername="postgresql+psycopg")


class Response:
    def __init__(self, status_code: int, body: bytes, headers):
        self.status_code = status_code
        self.body = body
        self.headers = headers

    def get_json(self):
        return json.loads(self.body) if self.body else None


class HttpApi:
    """JSON calls to one live server with an optional bearer token (the `api` fixture's shape)."""

    def __init__(self, url: str, token: str | None = None):
        self.url = url
        self.token = token

    def request(self, method: str, path: str, json_body=None) -> Response:
        data = None if json_body is None else json.dumps(json_body).encode()
        headers = {"Accept": "application/json"}
        if data is not None:
            headers["Content-Type"] = "application/json"
        if self.token:
            headers["Authorization"] = f"Bearer {self.token}"
        request = urllib.request.Request(self.url + path, data=data, headers=headers, method=method)
        try:
            with _opener.open(request, timeout=TIMEOUT) as answer:
                return Response(answer.status, answer.read(), answer.headers)
        except urllib.error.HTTPError as error:
            with error:
                return Response(error.code, error.read(), error.headers)

    def get(self, path: str, **kw) -> Response:
        return self.request("GET", path, kw.get("json"))

    def post(self, path: str, **kw) -> Response:
        return self.request("POST", path, kw.get("json"))

    def delete(self, path: str, **kw) -> Response:
        return self.request("DELETE", path, kw.get("json"))

    def signed_in(self, token: str) -> HttpApi:
        return HttpApi(self.url, token)


class Deployment:
    """Server A, server B and a direct connection to the database they share."""

    def __init__(self, a: str, b: str, engine: sa.Engine, logs: list[Path]):
        self.a = HttpApi(a)
        self.b = HttpApi(b)
        self.engine = engine
        self.logs = logs

    def query(self, sql: str, **params) -> list[sa.Row]:
        with self.engine.connect() as connection:
            return list(connection.execute(sa.text(sql), params))

    def server_logs(self) -> str:
        return "\n".join(f"== {log.name}\n{log.read_text()[-4000:]}" for log in self.logs)


def _free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


def _flask(env: dict, *args: str) -> str:
    result = subprocess.run(
        [sys.executable, "-m", "flask", "--app", "wsgi", *args],
        cwd=ROOT,
        env=env,
        capture_output=True,
        text=True,
        timeout=TIMEOUT * 2,
    )
    assert result.returncode == 0, result.stdout + result.stderr
    return result.stdout


def _wait_until_up(url: str, process: subprocess.Popen, log: Path) -> None:
    deadline = time.monotonic() + 30
    while True:
        try:
            with _opener.open(url + "/healthz", timeout=2) as answer:
                if answer.status == 200:
                    return
        except OSError:
            pass
        if process.poll() is not None or time.monotonic() > deadline:
            raise RuntimeError(f"{url} did not start:\n{log.read_text()}")
        time.sleep(0.2)


def _stop(process: subprocess.Popen) -> None:
    if process.poll() is not None:
        return
    process.terminate()
    try:
        process.wait(timeout=15)
    except subprocess.TimeoutExpired:
        process.kill()
        process.wait(timeout=10)


@pytest.fixture(scope="module")
def database_url():
    """A dedicated, empty PostgreSQL database, created here and dropped afterwards."""
    suite_url = postgres_url()
    if suite_url is None:
        pytest.skip("needs PostgreSQL: set CE_TEST_DATABASE_URL")
    name = f"ce_two_servers_{secrets.token_hex(4)}"
    admin = sa.create_engine(suite_url, isolation_level="AUTOCOMMIT", poolclass=sa.NullPool)
    with admin.connect() as connection:
        connection.execute(sa.text(f'CREATE DATABASE "{name}"'))
    try:
        yield suite_url.set(database=name)
    finally:
        with admin.connect() as connection:
            connection.execute(sa.text(f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)'))
        admin.dispose()


@pytest.fixture(scope="module")
def deployment(database_url, tmp_path_factory):
    """Migrate and load the database through the CLI, then serve it from two gunicorn servers."""
    folder = tmp_path_factory.mktemp("two-servers")
    courses = folder / "courses"
    factories.write_courses_root(courses, {COURSE: factories.course_files()})
    ports = (_free_port(), _free_port())
    env = {
        **os.environ,
        "CE_SECRET_KEY": "two-servers-secret",  # every server of one site shares the key
        "CE_DATABASE_URL": database_url.render_as_string(hide_password=False),
        # Behind a proxy both servers answer for one public address.
        "CE_BASE_URL": f"http://127.0.0.1:{ports[0]}",
        "CE_PASSWORD_HASH_METHOD": "pbkdf2:sha256:1000",
        "CE_RENDER_INLINE": "1",  # the race is about issuing; tests/jobs render in the background
    }
    env.pop("CE_TEST_DATABASE_URL", None)
    _flask(env, "db", "upgrade")
    _flask(env, "courses", "sync", str(courses))

    engine = sa.create_engine(database_url, poolclass=sa.NullPool)
    processes: list[subprocess.Popen] = []
    logs: list[Path] = []
    try:
        for name, port in zip("ab", ports, strict=True):
            log = folder / f"server-{name}.log"
            logs.append(log)
            command = [sys.executable, "-m", "gunicorn", "-w", "2", "-b", f"127.0.0.1:{port}"]
            command += ["--timeout", str(TIMEOUT), "wsgi:app"]
            with open(log, "w") as stderr:
                processes.append(
                    subprocess.Popen(
                        command, cwd=ROOT, env=env, stdout=subprocess.DEVNULL, stderr=stderr
                    )
                )
        urls = [f"http://127.0.0.1:{port}" for port in ports]
        for url, process, log in zip(urls, processes, logs, strict=True):
            _wait_until_up(url, process, log)
        yield Deployment(urls[0], urls[1], engine, logs)
    finally:
        for process in processes:
            _stop(process)
        engine.dispose()


def register(server: HttpApi, email: str) -> str:
    """Create a learner through the API of `server` and return a bearer token issued there."""
    response = server.post(
        "/api/v1/auth/register",
        json={
            "email": email,
            "password": PASSWORD,
            "full_name": "Robin Two-Servers",
            "profession": "psychologist",
            "credentials": "PsyD",
            "license_number": "PSY-2222",
            "license_state": "OR",
        },
    )
    assert response.status_code == 202, response.get_json()
    response = server.post("/api/v1/auth/token", json={"email": email, "password": PASSWORD})
    assert response.status_code == 200, response.get_json()
    return response.get_json()["token"]


def answer_sheet(deployment: Deployment, attempt_id: int) -> dict[str, list[str]]:
    """Right answers for an attempt, read from the shared database's answer key."""
    (drawn,) = deployment.query("SELECT drawn FROM quiz_attempts WHERE id = :id", id=attempt_id)[0]
    ids = [item["question_id"] for item in drawn]
    rows = deployment.query("SELECT id, options FROM questions WHERE id = ANY(:ids)", ids=ids)
    keys = {row.id: {o["id"] for o in row.options if o["correct"]} for row in rows}
    sheet = {}
    for item in drawn:
        tokens = {o["id"]: o["token"] for o in item["options"]}
        sheet[item["key"]] = [tokens[i] for i in sorted(keys[item["question_id"]])]
    return sheet
