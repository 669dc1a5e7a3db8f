import pytest

from tests import factories
from tests.learning.conftest import evaluation_answers, finish_lessons, start, submit


def complete_course(api, slug: str = "test-course") -> None:
    """Walk the signed-in API user through every requirement of a course."""
    api.post(f"/api/v1/courses/{slug}/enrollment")
    finish_lessons(api, slug)
    assert submit(api, start(api, slug)["id"]).get_json()["passed"]
    response = api.post(
        f"/api/v1/courses/{slug}/evaluation",
        json={"answers": evaluation_answers(), "attestation": True},
    )
    assert response.status_code == 201, response.get_json()


@pytest.fixture
def learner():
    return factories.user("learner@example.org", **factories.CLINICIAN)


@pytest.fixture
def course():
    return factories.course("test-course", title="Ethics in Testing Practice")


@pytest.fixture
def completed(api, learner, course):
    api.login()
    complete_course(api)
    return api


@pytest.fixture
def issued(completed):
    response = completed.post("/api/v1/courses/test-course/certificate")
    assert response.status_code == 201, response.get_json()
    return response.get_json()["certificate"]
