import pytest

from tests import factories


@pytest.fixture
def learner():
    return factories.user("learner@example.org", full_name="Lee Learner")


@pytest.fixture
def course():
    return factories.course("test-course", title="Test Course")


@pytest.fixture
def enrolled(api, learner, course):
    """A learner signed in to the API and enrolled in the test course."""
    api.login()
    assert api.post("/api/v1/courses/test-course/enrollment").status_code == 201
    return api


def finish_lessons(api, slug: str = "test-course", count: int = 3, *, seat_time: bool = True):
    """Read the lessons for the revision's seat-time floor (unless told not to) and mark each
    complete, as the signed-in API user."""
    if seat_time:
        factories.earn_seat_time(api.email, slug)
    for n in range(1, count + 1):
        response = api.post(f"/api/v1/courses/{slug}/lessons/lesson-{n}/complete")
        assert response.status_code == 200, response.get_json()


def start(api, slug: str = "test-course"):
    response = api.post(f"/api/v1/courses/{slug}/quiz/attempts")
    assert response.status_code in (200, 201), response.get_json()
    return response.get_json()["attempt"]


def submit(api, attempt_id: int, correct: int | None = None):
    answers = factories.answer_sheet(attempt_id, correct=correct)
    return api.post(f"/api/v1/quiz/attempts/{attempt_id}/submit", json={"answers": answers})


def evaluation_answers(objectives: int = 2) -> dict:
    answers = {f"objective_{n}": 5 for n in range(1, objectives + 1)}
    answers.update(
        relevant=4,
        level=4,
        knowledgeable=5,
        bias_free="yes",
        minutes=30,
        recommend="yes",
        comments="Clear and useful.",
    )
    return answers
