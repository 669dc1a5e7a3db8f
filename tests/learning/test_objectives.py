"""Objectives in the post-test: every draw measures each one; a failure names those missed."""

from __future__ import annotations

import json

from sqlalchemy import select

from ce_platform.catalog import services as catalog
from ce_platform.catalog.models import Question
from ce_platform.extensions import db
from ce_platform.learning import services
from ce_platform.learning.models import QuizAttempt
from tests import factories
from tests.conftest import csrf_token
from tests.learning.conftest import finish_lessons, start

SLUG = "objectives-course"
NO_KEY = ("Feedback for wrong", "Explanation ", "Right answer", "correct", "feedback")


def rare_objective_files() -> dict[str, bytes]:
    """Ten items, two per attempt; objective 2 is measured by q2 and q4 only."""
    files = factories.course_files(questions=10, multiple=0, per_attempt=2)
    quiz = files["quiz.md"].decode().replace("objectives: 2", "objectives: 1")
    for key in ("q2", "q4"):
        quiz = quiz.replace(f"## {key}\nobjectives: 1", f"## {key}\nobjectives: 2")
    files["quiz.md"] = quiz.encode()
    return files


def test_every_draw_measures_every_objective_and_replays_from_its_seed(app):
    factories.course(SLUG, files=rare_objective_files())
    revision = catalog.get_course(db.session, SLUG).current_revision
    draws = set()
    for n in range(300):
        drawn = services.draw(revision.questions, seed=f"seed-{n}", count=2, shuffle=True)
        keys = frozenset(item["key"] for item in drawn)
        assert len(keys) == 2
        assert keys & {"q2", "q4"}, keys  # objective 2 is measured in every attempt
        again = services.draw(revision.questions, seed=f"seed-{n}", count=2, shuffle=True)
        assert again == drawn
        draws.add(keys)
    assert len(draws) >= 15  # otherwise random: most of the 17 possible pairs turn up


def test_a_started_attempt_is_the_draw_of_its_stored_seed(api, learner):
    factories.course(SLUG, files=rare_objective_files())
    api.login()
    api.post(f"/api/v1/courses/{SLUG}/enrollment")
    finish_lessons(api, SLUG)
    start(api, SLUG)
    attempt = db.session.scalar(select(QuizAttempt))
    revision = attempt.enrollment.revision
    assert attempt.drawn == services.draw(
        revision.questions, seed=attempt.seed, count=2, shuffle=True
    )
    assert {item["key"] for item in attempt.drawn} & {"q2", "q4"}


def sheet_missing_objective_2(attempt_id: int) -> dict[str, list[str]]:
    """Right answers except on the items that measure objective 2 only."""
    attempt = db.session.get(QuizAttempt, attempt_id)
    right = factories.answer_sheet(attempt_id)
    wrong = factories.answer_sheet(attempt_id, correct=0)
    return {
        item["key"]: (
            wrong if db.session.get(Question, item["question_id"]).objectives == [2] else right
        )[item["key"]]
        for item in attempt.drawn
    }


def test_failed_attempt_names_missed_objectives_with_their_lessons_and_no_key(api, learner):
    factories.course(SLUG, passing_score=100)  # lessons teach [1], [2], [1]
    api.login()
    api.post(f"/api/v1/courses/{SLUG}/enrollment")
    finish_lessons(api, SLUG)
    attempt = start(api, SLUG)
    answers = sheet_missing_objective_2(attempt["id"])

    body = api.post(
        f"/api/v1/quiz/attempts/{attempt['id']}/submit", json={"answers": answers}
    ).get_json()

    assert body["passed"] is False and "results" not in body
    expected = [
        {
            "number": 2,
            "objective": "Identify the second thing.",
            "lessons": [
                {
                    "slug": "lesson-2",
                    "title": "Lesson 2",
                    "url": f"/courses/{SLUG}/lessons/lesson-2",
                }
            ],
        }
    ]
    assert body["missed_objectives"] == expected
    stored = api.get(f"/api/v1/quiz/attempts/{attempt['id']}").get_json()["attempt"]
    assert stored["missed_objectives"] == expected and "results" not in stored
    for text in (json.dumps(body), json.dumps(stored["missed_objectives"])):
        for secret in NO_KEY:
            assert secret not in text, secret


def test_all_wrong_misses_every_objective_and_a_pass_names_none(api, learner):
    factories.course(SLUG)
    api.login()
    api.post(f"/api/v1/courses/{SLUG}/enrollment")
    finish_lessons(api, SLUG)
    attempt = start(api, SLUG)
    failed = api.post(
        f"/api/v1/quiz/attempts/{attempt['id']}/submit",
        json={"answers": factories.answer_sheet(attempt["id"], correct=0)},
    ).get_json()
    assert [
        (m["number"], [lesson["slug"] for lesson in m["lessons"]])
        for m in failed["missed_objectives"]
    ] == [(1, ["lesson-1", "lesson-3"]), (2, ["lesson-2"])]

    attempt = start(api, SLUG)
    passed = api.post(
        f"/api/v1/quiz/attempts/{attempt['id']}/submit",
        json={"answers": factories.answer_sheet(attempt["id"])},
    ).get_json()
    assert passed["passed"] is True and "missed_objectives" not in passed


def test_failed_attempt_page_links_the_lessons_of_missed_objectives_without_the_key(
    client, auth, learner
):
    factories.course(SLUG, passing_score=100)
    auth.login()
    client.post(
        f"/courses/{SLUG}/enroll", data={"csrf_token": csrf_token(client, f"/courses/{SLUG}")}
    )
    for n in (1, 2, 3):
        token = csrf_token(client, f"/courses/{SLUG}/lessons/lesson-{n}")
        client.post(f"/courses/{SLUG}/lessons/lesson-{n}/complete", data={"csrf_token": token})
    factories.earn_seat_time("learner@example.org", SLUG)
    client.post(
        f"/courses/{SLUG}/quiz/start",
        data={"csrf_token": csrf_token(client, f"/courses/{SLUG}/quiz")},
    )
    attempt = db.session.scalar(select(QuizAttempt))
    form = {f"q-{key}": tokens for key, tokens in sheet_missing_objective_2(attempt.id).items()}
    token = csrf_token(client, f"/courses/{SLUG}/quiz")
    client.post(f"/courses/{SLUG}/quiz/{attempt.id}/submit", data={**form, "csrf_token": token})

    html = client.get(f"/courses/{SLUG}/quiz/{attempt.id}").get_data(as_text=True)

    assert "Objectives to review" in html
    assert "Objective 2:</strong> Identify the second thing." in html
    assert f'<a href="/courses/{SLUG}/lessons/lesson-2">Lesson 2</a>' in html
    assert "Describe the first thing." not in html
    for secret in ("Feedback for wrong", "Explanation ", "Right answer", "(correct answer)"):
        assert secret not in html, secret
