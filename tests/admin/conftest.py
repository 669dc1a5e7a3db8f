import pytest

from ce_platform.admin import cli as admin_cli
from ce_platform.core import audit
from ce_platform.extensions import db
from tests import factories
from tests.conftest import ApiClient

ADMIN = "admin@example.org"
INSTRUCTOR = "ina@example.org"  # not named in the test course's course.md
LEARNER = "learner@example.org"


@pytest.fixture(autouse=True)
def audit_command(app):
    """`flask audit` as create_app will register it (added once per test session)."""
    if "audit" not in app.cli.commands:
        admin_cli.init_app(app)


@pytest.fixture
def admin():
    return factories.user(ADMIN, role="admin", full_name="Ada Admin")


@pytest.fixture
def instructor():
    return factories.user(INSTRUCTOR, role="instructor", full_name="Ina Structor")


@pytest.fixture
def learner():
    return factories.user(LEARNER, **factories.CLINICIAN)


@pytest.fixture
def course():
    return factories.course("test-course", title="Ethics in Testing Practice")


@pytest.fixture
def people(admin, instructor, learner):
    return {"admin": admin, "instructor": instructor, "learner": learner}


@pytest.fixture
def admin_page(client, auth, admin):
    """The test client signed in as the administrator."""
    assert auth.login(ADMIN).status_code == 302
    return client


@pytest.fixture
def admin_api(client, admin):
    api = ApiClient(client)
    api.login(ADMIN)
    return api


def api_as(client, email: str) -> ApiClient:
    api = ApiClient(client)
    api.login(email)
    return api


def add_events(count: int, *, actor_id: int | None = None) -> list[int]:
    """Append `count` events to the chain and commit; returns their ids in order."""
    ids = []
    for n in range(count):
        event = audit.record(
            db.session,
            f"test.event_{n}",
            actor_id=actor_id,
            subject_type="test",
            subject_id=n,
            data={"n": n},
        )
        ids.append(event.id)
    db.session.commit()
    return ids
