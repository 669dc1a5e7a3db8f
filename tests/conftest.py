"""One app per session on a migrated database; every test runs in a transaction rolled back after.

The suite runs on SQLite by default and on PostgreSQL when CE_TEST_DATABASE_URL is set.
"""

from __future__ import annotations

import os

import pytest
import sqlalchemy as sa
from flask_migrate import upgrade
from flask_sqlalchemy.session import Session as FlaskSession

from ce_platform import create_app
from ce_platform.extensions import db, limiter
from tests import factories


def _database_url(tmp_path_factory) -> str:
    url = os.environ.get("CE_TEST_DATABASE_URL")
    if url:
        return url
    return "sqlite:///" + str(tmp_path_factory.mktemp("db") / "test.sqlite3")


def _drop_everything(engine: sa.Engine) -> None:
    """Start from an empty database, as a fresh deployment would."""
    metadata = sa.MetaData()
    metadata.reflect(bind=engine)
    with engine.begin() as connection:
        metadata.drop_all(bind=connection)


@pytest.fixture(scope="session")
def app(tmp_path_factory):
    app = create_app(
        {
            "TESTING": True,
            "SECRET_KEY": "test-secret",
            "SQLALCHEMY_DATABASE_URI": _database_url(tmp_path_factory),
            "PASSWORD_HASH_METHOD": "pbkdf2:sha256:1000",  # fast hashing keeps the suite quick
            "BASE_URL": "https://ce.example.org",
            "WTF_CSRF_ENABLED": True,
            # Each test publishes courses in its own rolled-back transaction; the page cache
            # has its own tests (tests/catalog/test_catalog_cache.py).
            "CATALOG_CACHE_SECONDS": 0,
            # Certificates render inside the request and jobs wait in memory for a test that
            # runs them (tests/jobs switch rendering to the background).
            "RENDER_INLINE": True,
            "QUEUE_URL": "memory://",
            "QUEUE_IN_PROCESS": False,
            "JOB_RETRY_BASE_SECONDS": 0,
        }
    )
    with app.app_context():
        _drop_everything(db.engine)
        upgrade()

    @app.teardown_request
    def _forget_request_globals(_exc):
        # Test requests share the test's app context, so `g` (where Flask-Login caches the
        # signed-in user) would outlive the request; in production every request has its own.
        from flask import g

        g.__dict__.clear()

    yield app
    with app.app_context():
        db.engine.dispose()


class _BoundSession(FlaskSession):
    """Send every statement to the test connection (Flask-SQLAlchemy would pick the engine)."""

    def get_bind(self, mapper=None, clause=None, bind=None, **kwargs):
        return self.bind


def _empty_all_tables() -> None:
    with db.engine.begin() as connection:
        connection.execute(sa.text("UPDATE courses SET current_revision_id = NULL"))
        for table in reversed(db.metadata.sorted_tables):
            connection.execute(table.delete())


@pytest.fixture(autouse=True)
def _no_job_thread_left_running():
    """A job thread left running would work later tests' queues through their sessions."""
    yield
    import threading

    left = [t.name for t in threading.enumerate() if t.name == "ce-jobs" and t.is_alive()]
    assert left == [], "this test left the in-process job thread running"


@pytest.fixture(autouse=True)
def _transaction(app, request):
    """Bind the session to one outer transaction; commits in the code become savepoints.

    Tests marked `concurrent` need real commits seen by other threads: they run on the
    ordinary session and the tables are emptied afterwards.
    """
    if request.node.get_closest_marker("concurrent"):
        with app.app_context():
            limiter.reset()
            try:
                yield
            finally:
                db.session.remove()
                _empty_all_tables()
        return
    with app.app_context():
        connection = db.engine.connect()
        outer = connection.begin()
        original = db.session
        db.session = db._make_scoped_session(
            {
                "bind": connection,
                "join_transaction_mode": "create_savepoint",
                "class_": _BoundSession,
            }
        )
        limiter.reset()
        try:
            yield
        finally:
            db.session.remove()
            db.session = original
            outer.rollback()
            connection.close()


@pytest.fixture
def client(app):
    return app.test_client()


@pytest.fixture
def statements():
    """Every SQL statement sent to the database while the test runs, in order."""
    seen: list[str] = []

    def count(_conn, _cursor, statement, *_args) -> None:
        seen.append(statement)

    sa.event.listen(db.engine, "before_cursor_execute", count)
    yield seen
    sa.event.remove(db.engine, "before_cursor_execute", count)


@pytest.fixture
def runner(app):
    return app.test_cli_runner()


class AuthActions:
    """Sign in and out through the real pages, CSRF token included."""

    def __init__(self, client):
        self.client = client

    def login(self, email: str = "learner@example.org", password: str = factories.PASSWORD):
        token = csrf_token(self.client, "/login")
        return self.client.post(
            "/login", data={"email": email, "password": password, "csrf_token": token}
        )

    def logout(self):
        token = csrf_token(self.client, "/account")
        return self.client.post("/logout", data={"csrf_token": token})


@pytest.fixture
def auth(client):
    return AuthActions(client)


def csrf_token(client, path: str) -> str:
    """Fetch a page and return the CSRF token of its first form."""
    import re

    html = client.get(path).get_data(as_text=True)
    tag = re.search(r'<input[^>]*name="csrf_token"[^>]*>', html)
    assert tag, f"no CSRF token on {path}"
    return re.search(r'value="([^"]+)"', tag.group(0)).group(1)


@pytest.fixture
def api(client):
    return ApiClient(client)


class ApiClient:
    """JSON calls with an optional bearer token."""

    def __init__(self, client):
        self.client = client
        self.token: str | None = None
        self.email: str | None = None  # who is signed in

    def login(self, email: str = "learner@example.org", password: str = factories.PASSWORD):
        response = self.client.post(
            "/api/v1/auth/token", json={"email": email, "password": password}
        )
        assert response.status_code == 200, response.get_json()
        self.token = response.get_json()["token"]
        self.email = email
        return self.token

    def _headers(self, headers=None):
        out = dict(headers or {})
        if self.token:
            out.setdefault("Authorization", f"Bearer {self.token}")
        return out

    def get(self, path, **kw):
        return self.client.get(path, headers=self._headers(kw.pop("headers", None)), **kw)

    def post(self, path, **kw):
        return self.client.post(path, headers=self._headers(kw.pop("headers", None)), **kw)

    def patch(self, path, **kw):
        return self.client.patch(path, headers=self._headers(kw.pop("headers", None)), **kw)

    def put(self, path, **kw):
        return self.client.put(path, headers=self._headers(kw.pop("headers", None)), **kw)

    def delete(self, path, **kw):
        return self.client.delete(path, headers=self._headers(kw.pop("headers", None)), **kw)


# --- mail through a real SMTP server, and background jobs -----------------------------------


class MailBox:
    """What a real SMTP server on 127.0.0.1 received, parsed."""

    def __init__(self):
        self.messages: list = []

    async def handle_DATA(self, server, session, envelope):  # aiosmtpd's handler hook
        import email
        from email import policy

        message = email.message_from_bytes(envelope.content, policy=policy.default)
        message.envelope_to = list(envelope.rcpt_tos)
        self.messages.append(message)
        return "250 OK"

    def to(self, address: str) -> list:
        return [m for m in self.messages if address.lower() in [a.lower() for a in m.envelope_to]]

    def one(self, address: str, subject_part: str):
        found = [m for m in self.to(address) if subject_part in m["Subject"]]
        assert len(found) == 1, [(m["To"], m["Subject"]) for m in self.messages]
        return found[0]


def text_part(message) -> str:
    return message.get_body(("plain",)).get_content()


def html_part(message) -> str:
    return message.get_body(("html",)).get_content()


def links(message) -> list[str]:
    """Every https link of the plain-text part, in order."""
    import re

    return re.findall(r"https://\S+", text_part(message))


def site_path(url: str) -> str:
    """The path (and query) of a link to the site, to follow it with the test client."""
    from urllib.parse import urlsplit

    parts = urlsplit(url)
    assert parts.netloc == "ce.example.org", url
    return parts.path + (f"?{parts.query}" if parts.query else "")


def _free_port() -> int:
    import socket

    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return sock.getsockname()[1]


@pytest.fixture
def smtp(app):
    """An aiosmtpd server on a free local port; the app's mail goes to it for this test."""
    from aiosmtpd.controller import Controller

    box = MailBox()
    controller = Controller(box, hostname="127.0.0.1", port=_free_port())
    controller.start()
    box.port = controller.port
    saved = {key: app.config[key] for key in ("MAIL_SERVER", "MAIL_PORT", "MAIL_USE_TLS")}
    app.config.update(MAIL_SERVER="127.0.0.1", MAIL_PORT=controller.port, MAIL_USE_TLS=False)
    try:
        yield box
    finally:
        app.config.update(saved)
        controller.stop()


def run_jobs() -> int:
    """Run every queued job that is due, as a worker would (in this test's transaction)."""
    from ce_platform.jobs.queue import run_until_empty

    return run_until_empty()
