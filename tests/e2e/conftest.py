"""Browser journeys: Debian's Chromium driven by Playwright against a real gunicorn server.

The server runs on its own SQLite database in a temporary folder, with the shipped courses and
a small test course synced through the CLI, exactly as the README's run command does.
"""

from __future__ import annotations

import os
import re
import shutil
import socket
import sqlite3
import subprocess
import sys
import time
import urllib.request
from pathlib import Path

import pytest

from tests import factories

ROOT = Path(__file__).resolve().parents[2]
ARTIFACTS = ROOT / "test-artifacts" / "e2e"
# Debian names it chromium, Ubuntu chromium-browser; scripts/setup.sh test installs it.
CHROMIUM = shutil.which("chromium") or shutil.which("chromium-browser") or "/usr/bin/chromium"
CHROMIUM_ARGS = [
    "--no-sandbox",
    "--disable-gpu",
    "--disable-quic",
    "--no-first-run",
    "--disable-background-networking",
    "--disable-component-update",
    "--disable-sync",
]
PASSWORD = "e2e passphrase 123"


def _free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


class LiveServer:
    def __init__(self, url: str, database: Path, env: dict):
        self.url = url
        self.database = database
        self.env = env

    def flask(self, *args: str) -> str:
        result = subprocess.run(
            [sys.executable, "-m", "flask", "--app", "wsgi", *args],
            cwd=ROOT,
            env=self.env,
            capture_output=True,
            text=True,
            timeout=120,
        )
        assert result.returncode == 0, result.stdout + result.stderr
        return result.stdout

    def earn_seat_time(self, email: str, slug: str) -> int:
        """Credit the seat-time floor through the learning service on the server's database,
        as heartbeats on an advancing clock (a browser would take the real minutes)."""
        import sqlalchemy as sa
        from sqlalchemy.orm import Session

        engine = sa.create_engine(f"sqlite:///{self.database}", poolclass=sa.NullPool)
        with Session(engine) as session:
            return factories.earn_seat_time(email, slug, session=session)

    def query(self, sql: str, *params) -> list[tuple]:
        """Read the server's database directly (tests only: e.g. to know the answer key)."""
        with sqlite3.connect(self.database) as connection:
            return connection.execute(sql, params).fetchall()


@pytest.fixture(scope="session")
def live_server(tmp_path_factory):
    if not Path(CHROMIUM).exists():
        pytest.fail(f"Chromium is not installed at {CHROMIUM}: run scripts/setup.sh test")
    yield from _serve(tmp_path_factory.mktemp("e2e"))


@pytest.fixture(scope="session")
def fuzz_server(tmp_path_factory):
    """A server of the fuzzer's own: the sign-ins it fails and the accounts it edits as an
    administrator must not lock out or change the accounts the browser journeys use."""
    yield from _serve(tmp_path_factory.mktemp("fuzz"))


def _serve(folder: Path):
    """Migrate, sync the shipped courses, create the staff accounts, run gunicorn."""
    database = folder / "e2e.sqlite3"
    courses = folder / "courses"
    shutil.copytree(ROOT / "courses", courses)
    factories.write_courses_root(
        courses, {"e2e-course": factories.course_files(title="E2E Course")}
    )
    (courses / "provider.yml").write_text((ROOT / "courses" / "provider.yml").read_text())
    port = _free_port()
    env = {
        **os.environ,
        "CE_SECRET_KEY": "e2e-secret",
        "CE_DATABASE_URL": f"sqlite:///{database}",
        "CE_BASE_URL": f"http://127.0.0.1:{port}",
        "CE_PASSWORD_HASH_METHOD": "pbkdf2:sha256:1000",
        # The journey downloads the certificate right after issuing it; background rendering
        # has its own tests (tests/jobs).
        "CE_RENDER_INLINE": "1",
    }
    env.pop("CE_TEST_DATABASE_URL", None)
    server = LiveServer(f"http://127.0.0.1:{port}", database, env)
    server.flask("db", "upgrade")
    server.flask("courses", "sync", str(courses))
    for email, name, role in (
        ("instructor@example.org", "Ina Instructor", "instructor"),
        ("admin@example.org", "Ada Admin", "admin"),
    ):
        server.flask(
            "users",
            "create",
            "--email",
            email,
            "--name",
            name,
            "--role",
            role,
            "--password",
            PASSWORD,
        )
    log = open(folder / "server.log", "w")  # noqa: SIM115 - closed in the finally below
    process = subprocess.Popen(
        [
            sys.executable,
            "-m",
            "gunicorn",
            "-w",
            "2",
            "-b",
            f"127.0.0.1:{port}",
            # The fuzzer sends very long query strings; it is testing the app, not gunicorn's
            # request-line limit (a proxy in front sets its own in production).
            "--limit-request-line",
            "0",
            "wsgi:app",
        ],  # fmt: skip
        cwd=ROOT,
        env=env,
        stdout=subprocess.DEVNULL,
        stderr=log,
    )
    try:
        deadline = time.monotonic() + 30
        while True:
            try:
                with urllib.request.urlopen(server.url + "/healthz", timeout=2) as response:
                    if response.status == 200:
                        break
            except OSError:
                if time.monotonic() > deadline or process.poll() is not None:
                    raise RuntimeError((folder / "server.log").read_text()) from None
                time.sleep(0.2)
        yield server
    finally:
        process.terminate()
        process.wait(timeout=10)
        log.close()


@pytest.fixture(scope="session")
def browser():
    from playwright.sync_api import sync_playwright

    with sync_playwright() as playwright:
        browser = playwright.chromium.launch(
            executable_path=CHROMIUM, headless=True, args=CHROMIUM_ARGS
        )
        yield browser
        browser.close()


@pytest.fixture
def page(browser, live_server, request):
    context = browser.new_context(
        base_url=live_server.url, accept_downloads=True, viewport={"width": 1280, "height": 900}
    )
    page = context.new_page()
    page.set_default_timeout(15000)
    yield page
    report = getattr(request.node, "rep_call", None)
    if report is not None and report.failed:
        target = ARTIFACTS / re.sub(r"[^A-Za-z0-9_.-]+", "_", request.node.nodeid)
        target.mkdir(parents=True, exist_ok=True)
        page.screenshot(path=str(target / "page.png"), full_page=True)
        (target / "page.html").write_text(page.content())
    context.close()


@pytest.hookimpl(wrapper=True)
def pytest_runtest_makereport(item, call):
    report = yield
    if report.when == "call":
        item.rep_call = report
    return report


def sign_in(page, email: str, password: str = PASSWORD) -> None:
    page.goto("/login")
    page.get_by_label("Email").fill(email)
    page.get_by_label("Password").fill(password)
    page.get_by_role("button", name="Sign in").click()
    page.wait_for_load_state()
    assert "/login" not in page.url, page.content()
