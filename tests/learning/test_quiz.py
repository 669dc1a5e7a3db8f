"""Server-graded post-test: drawing, hiding the key, grading once, limits and reveal policies."""

from __future__ import annotations

import json

import pytest
from sqlalchemy import select

from ce_platform.catalog.models import Question
from ce_platform.extensions import db
from ce_platform.learning import services
from ce_platform.learning.models import QuizAttempt
from tests import factories
from tests.accounts.test_api import assert_error
from tests.conftest import csrf_token
from tests.learning.conftest import finish_lessons, start, submit

SECRETS = ("Feedback for wrong", "Explanation ", "correct", "feedback", "explanation")


def assert_no_answer_key(text: str) -> None:
    for secret in SECRETS:
        assert secret not in text, secret


def test_post_test_opens_only_after_the_lessons(enrolled):
    error = assert_error(enrolled.post("/api/v1/courses/test-course/quiz/attempts"), 422)
    assert "Lesson 1" in error["message"]


def test_attempt_draws_opaque_options_without_the_key(enrolled, monkeypatch):
    factories.seed_drawing(monkeypatch, "test-course", "multi-1")
    finish_lessons(enrolled)
    response = enrolled.post("/api/v1/courses/test-course/quiz/attempts")
    assert response.status_code == 201
    attempt = response.get_json()["attempt"]
    assert len(attempt["questions"]) == 7
    assert_no_answer_key(json.dumps(attempt))
    for question in attempt["questions"]:
        assert set(question) == {"id", "prompt_html", "multiple", "kind", "options"}
        for option in question["options"]:
            assert set(option) == {"id", "html"}
            assert len(option["id"]) == 12 and option["id"] not in ("a", "b", "c")
    multi = next(q for q in attempt["questions"] if q["id"] == "multi-1")
    assert multi["multiple"] is True


def test_quiz_page_shows_no_answer_key_before_grading(client, auth, learner, course, monkeypatch):
    factories.seed_drawing(monkeypatch, "test-course", "multi-1", "q1")
    auth.login()
    client.post(
        "/courses/test-course/enroll",
        data={"csrf_token": csrf_token(client, "/courses/test-course")},
    )
    factories.earn_seat_time("learner@example.org", "test-course")
    for n in (1, 2, 3):
        token = csrf_token(client, f"/courses/test-course/lessons/lesson-{n}")
        client.post(f"/courses/test-course/lessons/lesson-{n}/complete", data={"csrf_token": token})
    client.post(
        "/courses/test-course/quiz/start",
        data={"csrf_token": csrf_token(client, "/courses/test-course/quiz")},
    )
    html = client.get("/courses/test-course/quiz").get_data(as_text=True)
    assert html.count("<fieldset") == 7 and "<legend>" in html
    assert 'type="radio"' in html and 'type="checkbox"' in html
    assert "Feedback for wrong" not in html and "Explanation 1" not in html
    assert "correct" not in html.lower().replace("correct horse", "")


def test_starting_again_returns_the_open_attempt(enrolled):
    finish_lessons(enrolled)
    first = enrolled.post("/api/v1/courses/test-course/quiz/attempts")
    second = enrolled.post("/api/v1/courses/test-course/quiz/attempts")
    assert (first.status_code, second.status_code) == (201, 200)
    assert first.get_json() == second.get_json()


def test_draw_is_reproducible_from_the_stored_seed(enrolled):
    finish_lessons(enrolled)
    start(enrolled)
    attempt = db.session.scalar(select(QuizAttempt))
    questions = db.session.scalars(select(Question)).all()
    redrawn = services.draw(questions, seed=attempt.seed, count=7, shuffle=True)
    assert redrawn == attempt.drawn
    other = services.draw(questions, seed=attempt.seed + "x", count=7, shuffle=True)
    assert other != attempt.drawn


def test_passing_submission_scores_and_completes_the_post_test(enrolled):
    finish_lessons(enrolled)
    attempt = start(enrolled)
    response = submit(enrolled, attempt["id"])
    body = response.get_json()
    assert response.status_code == 200
    assert body["score"] == 100 and body["passed"] is True and body["attempts_left"] == 2


def test_score_is_a_percentage_and_passing_is_at_or_above_the_threshold(enrolled):
    finish_lessons(enrolled)
    attempt = start(enrolled)
    body = submit(enrolled, attempt["id"], correct=5).get_json()  # 5 of 7
    assert body["score"] == 71 and body["passed"] is False and body["attempts_left"] == 2


def test_second_submit_of_same_attempt_is_rejected(enrolled):
    finish_lessons(enrolled)
    attempt = start(enrolled)
    answers = factories.answer_sheet(attempt["id"])
    assert submit(enrolled, attempt["id"], correct=0).status_code == 200
    again = enrolled.post(
        f"/api/v1/quiz/attempts/{attempt['id']}/submit", json={"answers": answers}
    )
    assert_error(again, 409, "conflict")
    assert db.session.scalar(select(QuizAttempt)).score == 0


@pytest.mark.parametrize(
    "mutate, field",
    [
        (lambda a, one, two: {**a, "no-such-question": ["x"]}, "no-such-question"),
        (lambda a, one, two: {**a, one: ["not-an-option"]}, "one"),
        (lambda a, one, two: {k: v for k, v in a.items() if k != two}, "two"),
        (lambda a, one, two: {**a, one: a[one] + a[two][:1]}, "one"),  # a token from elsewhere
        (lambda a, one, two: {**a, one: "not a list"}, "one"),
    ],
)
def test_bad_answer_sheets_are_rejected_and_nothing_is_stored(enrolled, mutate, field):
    finish_lessons(enrolled)
    attempt = start(enrolled)
    one, two = [q["id"] for q in attempt["questions"] if not q["multiple"]][:2]
    answers = mutate(factories.answer_sheet(attempt["id"]), one, two)
    response = enrolled.post(
        f"/api/v1/quiz/attempts/{attempt['id']}/submit", json={"answers": answers}
    )
    assert_error(response, 400, "validation_error", {"one": one, "two": two}.get(field, field))
    stored = db.session.scalar(select(QuizAttempt))
    assert stored.submitted_at is None and stored.responses is None


def test_single_answer_question_needs_exactly_one_option(enrolled):
    finish_lessons(enrolled)
    attempt = start(enrolled)
    single = next(q for q in attempt["questions"] if not q["multiple"])
    answers = factories.answer_sheet(attempt["id"])
    answers[single["id"]] = [single["options"][0]["id"], single["options"][1]["id"]]
    response = enrolled.post(
        f"/api/v1/quiz/attempts/{attempt['id']}/submit", json={"answers": answers}
    )
    details = assert_error(response, 400, field=single["id"])["details"]
    assert "exactly one" in details[single["id"]]


def test_select_all_that_apply_is_all_or_nothing(enrolled, monkeypatch):
    factories.seed_drawing(monkeypatch, "test-course", "multi-1")
    finish_lessons(enrolled)
    attempt = start(enrolled)
    answers = factories.answer_sheet(attempt["id"])
    answers["multi-1"] = answers["multi-1"][:1]  # one of the two correct options only
    enrolled.post(f"/api/v1/quiz/attempts/{attempt['id']}/submit", json={"answers": answers})
    stored = db.session.scalar(select(QuizAttempt))
    result = next(r for r in stored.results if r["key"] == "multi-1")
    assert result["correct"] is False
    assert stored.score == round(100 * 6 / 7)


def test_attempt_limit_holds(enrolled):
    finish_lessons(enrolled)
    for left in (2, 1, 0):
        attempt = start(enrolled)
        assert submit(enrolled, attempt["id"], correct=0).get_json()["attempts_left"] == left
    error = assert_error(enrolled.post("/api/v1/courses/test-course/quiz/attempts"), 422)
    assert "All 3 post-test attempts are used" in error["message"]


def test_another_learner_cannot_see_or_submit_my_attempt(enrolled):
    finish_lessons(enrolled)
    attempt = start(enrolled)
    factories.user("other@example.org")
    enrolled.login("other@example.org")
    assert_error(enrolled.get(f"/api/v1/quiz/attempts/{attempt['id']}"), 404)
    response = enrolled.post(f"/api/v1/quiz/attempts/{attempt['id']}/submit", json={"answers": {}})
    assert_error(response, 404)


def _course_with_reveal(api, policy: str):
    factories.course("rev", files=factories.course_files(reveal=policy))
    api.login()
    api.post("/api/v1/courses/rev/enrollment")
    finish_lessons(api, "rev")


def test_reveal_after_pass_hides_results_until_passed(api, learner, monkeypatch):
    _course_with_reveal(api, "after_pass")
    factories.seed_drawing(monkeypatch, "rev", "q1")
    failed = submit(api, start(api, "rev")["id"], correct=0).get_json()
    assert "results" not in failed
    passed = submit(api, start(api, "rev")["id"]).get_json()
    first = next(r for r in passed["results"] if r["id"] == "q1")
    assert first["explanation_html"] == "<p>Explanation 1.</p>"
    assert [o["html"] for o in first["options"] if o["correct"]] == ["Right answer 1"]


def test_reveal_after_pass_also_reveals_when_attempts_run_out(api, learner):
    _course_with_reveal(api, "after_pass")
    for _ in range(2):
        assert "results" not in submit(api, start(api, "rev")["id"], correct=0).get_json()
    last = submit(api, start(api, "rev")["id"], correct=0).get_json()
    assert last["attempts_left"] == 0 and "results" in last
    feedback = [o["feedback_html"] for r in last["results"] for o in r["options"] if o["chosen"]]
    assert any("Feedback for wrong" in f for f in feedback)


def test_reveal_after_each_shows_results_after_a_failed_attempt(api, learner):
    _course_with_reveal(api, "after_each")
    body = submit(api, start(api, "rev")["id"], correct=0).get_json()
    assert body["passed"] is False and len(body["results"]) == 7


def test_reveal_never_shows_no_answers_even_after_passing(api, learner, client):
    _course_with_reveal(api, "never")
    attempt = start(api, "rev")
    body = submit(api, attempt["id"]).get_json()
    assert body["passed"] is True and "results" not in body
    assert "results" not in api.get(f"/api/v1/quiz/attempts/{attempt['id']}").get_json()["attempt"]


def test_quiz_can_be_taken_through_the_html_form(client, auth, learner, course, monkeypatch):
    factories.seed_drawing(monkeypatch, "test-course", "q1")
    auth.login()
    client.post(
        "/courses/test-course/enroll",
        data={"csrf_token": csrf_token(client, "/courses/test-course")},
    )
    factories.earn_seat_time("learner@example.org", "test-course")
    for n in (1, 2, 3):
        token = csrf_token(client, f"/courses/test-course/lessons/lesson-{n}")
        client.post(f"/courses/test-course/lessons/lesson-{n}/complete", data={"csrf_token": token})
    client.post(
        "/courses/test-course/quiz/start",
        data={"csrf_token": csrf_token(client, "/courses/test-course/quiz")},
    )
    attempt = db.session.scalar(select(QuizAttempt))
    sheet = factories.answer_sheet(attempt.id)
    form = {f"q-{key}": tokens for key, tokens in sheet.items()}
    skipped = next(iter(form))
    incomplete = {k: v for k, v in form.items() if k != skipped}
    token = csrf_token(client, "/courses/test-course/quiz")
    response = client.post(
        f"/courses/test-course/quiz/{attempt.id}/submit", data={**incomplete, "csrf_token": token}
    )
    assert response.status_code == 400
    assert "not answered" in response.get_data(as_text=True)
    response = client.post(
        f"/courses/test-course/quiz/{attempt.id}/submit", data={**form, "csrf_token": token}
    )
    assert response.status_code == 302
    result = client.get(response.headers["Location"]).get_data(as_text=True)
    assert "100%" in result and "passed" in result and "Explanation 1" in result
