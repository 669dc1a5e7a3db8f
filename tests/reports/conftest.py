"""People, courses and learner histories the report tests read."""

from __future__ import annotations

import csv
import io

import pytest

from ce_platform.catalog.models import CourseInstructor
from ce_platform.extensions import db
from ce_platform.learning.models import QuizAttempt
from tests import factories
from tests.certificates.conftest import complete_course

SLUG = "test-course"
# CE Broker numbers of the test provider and course (provider.yml and course.md `ce_broker`).
PROVIDER_CE_BROKER = '{provider_tracking: "12345", professions: {social_worker: SW, nurse: RN}}'
COURSE_CE_BROKER = '{course_tracking: "654321", subject_areas: {general: GEN, ethics: ETH}}'


@pytest.fixture
def course():
    """The reported course; its course.md names instructor@example.org."""
    return factories.course(
        SLUG,
        title="Ethics in Testing Practice",
        provider_ce_broker=PROVIDER_CE_BROKER,
        ce_broker=COURSE_CE_BROKER,
    )


@pytest.fixture
def people():
    """One of each: the course's instructor, an instructor of another course, a learner, an
    admin. The other instructor is assigned to their course by an administrator."""
    other = factories.course(
        "other-course", files=_without_instructors(factories.course_files(title="Other Course"))
    )
    teacher = factories.user("teacher@example.org", role="instructor", full_name="Tess Teacher")
    db.session.add(CourseInstructor(course_id=other.id, user_id=teacher.id))
    db.session.commit()
    return {
        "instructor": factories.user(
            "instructor@example.org", role="instructor", full_name="Ivy Instructor"
        ),
        "other-instructor": teacher,
        "learner": factories.user("learner@example.org", full_name="Lee Learner"),
        "admin": factories.user("admin@example.org", role="admin", full_name="Ada Admin"),
    }


def _without_instructors(files: dict[str, bytes]) -> dict[str, bytes]:
    text = (
        files["course.md"]
        .decode()
        .replace("instructors: [instructor@example.org]", "instructors: []")
    )
    return {**files, "course.md": text.encode()}


def completer(api, email: str, **profile):
    """Create a learner, walk them through the course and issue their certificate."""
    factories.user(email, **profile)
    api.login(email)
    complete_course(api, SLUG)
    response = api.post(f"/api/v1/courses/{SLUG}/certificate")
    assert response.status_code == 201, response.get_json()
    return response.get_json()["certificate"]


def read_csv(response) -> list[list[str]]:
    assert response.status_code == 200, response.get_data(as_text=True)
    assert response.headers["Content-Type"] == "text/csv; charset=utf-8"
    assert response.headers["Content-Disposition"].startswith("attachment; filename=")
    assert response.is_streamed
    return list(csv.reader(io.StringIO(response.get_data(as_text=True))))


def answers_choosing(attempt_id: int, choices: dict[str, str]) -> dict[str, list[str]]:
    """An answer sheet that picks, for each question key, the option with the given file id
    ("a", "b", ...), translated to this attempt's opaque tokens."""
    attempt = db.session.get(QuizAttempt, attempt_id)
    sheet = {}
    for item in attempt.drawn:
        tokens = {option["id"]: option["token"] for option in item["options"]}
        sheet[item["key"]] = [tokens[choices[item["key"]]]]
    return sheet
