"""The course evaluation and the completion gate, through the API and the pages."""

from __future__ import annotations

from sqlalchemy import select

from ce_platform.core.audit import AuditEvent
from ce_platform.extensions import db
from ce_platform.learning.models import Enrollment, Evaluation
from tests import factories
from tests.accounts.test_api import assert_error
from tests.conftest import csrf_token
from tests.learning.conftest import evaluation_answers, finish_lessons, start, submit


def unmet(api) -> list[str]:
    body = api.get("/api/v1/enrollments").get_json()["enrollments"][0]
    return [r["code"] for r in body["requirements"] if not r["met"]]


def test_evaluation_questions_have_the_documented_shape(enrolled):
    body = enrolled.get("/api/v1/courses/test-course/evaluation").get_json()
    questions = {q["id"]: q for q in body["questions"]}
    assert list(questions)[:2] == ["objective_1", "objective_2"]
    assert "Describe the first thing." in questions["objective_1"]["prompt"]
    assert questions["objective_1"]["type"] == "rating"
    assert (questions["relevant"]["min"], questions["relevant"]["max"]) == (1, 5)
    assert questions["bias_free"]["choices"] == ["yes", "no"]
    assert questions["minutes"]["type"] == "number"
    assert questions["recommend"]["choices"] == ["yes", "no"]
    assert questions["comments"]["required"] is False
    for q in body["questions"]:
        assert {"id", "type", "prompt"} <= set(q)
        assert "choices" in q or ("min" in q and "max" in q) or q["type"] == "text"


def _pass(api):
    finish_lessons(api)
    submit(api, start(api)["id"])


def test_evaluation_is_validated_field_by_field(enrolled):
    _pass(enrolled)
    answers = evaluation_answers()
    answers.update(objective_1=6, bias_free="maybe", minutes="lots")
    del answers["relevant"]
    answers["surprise"] = 1
    response = enrolled.post(
        "/api/v1/courses/test-course/evaluation", json={"answers": answers, "attestation": True}
    )
    details = assert_error(response, 400, "validation_error")["details"]
    assert details == {
        "objective_1": "must be between 1 and 5",
        "bias_free": "must be one of: yes, no",
        "minutes": "must be a whole number",
        "relevant": "required",
        "surprise": "not a question of this evaluation",
    }
    assert db.session.scalar(select(Evaluation)) is None


def test_evaluation_needs_the_attestation(enrolled):
    _pass(enrolled)
    response = enrolled.post(
        "/api/v1/courses/test-course/evaluation",
        json={"answers": evaluation_answers(), "attestation": False},
    )
    assert_error(response, 400, field="attestation")


def test_evaluation_opens_after_passing_and_is_accepted_once(enrolled):
    payload = {"answers": evaluation_answers(), "attestation": True}
    early = enrolled.post("/api/v1/courses/test-course/evaluation", json=payload)
    assert "after you pass" in assert_error(early, 422)["message"]
    _pass(enrolled)
    assert enrolled.post("/api/v1/courses/test-course/evaluation", json=payload).status_code == 201
    assert_error(enrolled.post("/api/v1/courses/test-course/evaluation", json=payload), 409)


def test_gate_lists_exactly_the_unmet_requirements_at_every_stage(enrolled):
    everything = ["lessons", "seat_time", "post_test", "evaluation", "attestation"]
    assert unmet(enrolled) == everything
    finish_lessons(enrolled, count=2, seat_time=False)
    assert unmet(enrolled) == everything
    body = enrolled.get("/api/v1/enrollments").get_json()["enrollments"][0]
    assert body["status"] == "in_progress"
    assert "still to complete: Lesson 3" in body["requirements"][0]["detail"]
    finish_lessons(enrolled, seat_time=False)
    assert unmet(enrolled) == ["seat_time", "post_test", "evaluation", "attestation"]
    finish_lessons(enrolled)
    assert unmet(enrolled) == ["post_test", "evaluation", "attestation"]
    submit(enrolled, start(enrolled)["id"], correct=0)
    assert unmet(enrolled) == ["post_test", "evaluation", "attestation"]
    body = enrolled.get("/api/v1/enrollments").get_json()["enrollments"][0]
    assert body["status"] == "awaiting_post_test"
    post_test = next(r for r in body["requirements"] if r["code"] == "post_test")
    assert "best score 0%; 75% needed; 2 attempts left" in post_test["detail"]
    submit(enrolled, start(enrolled)["id"])
    assert unmet(enrolled) == ["evaluation", "attestation"]
    assert enrolled.get("/api/v1/enrollments").get_json()["enrollments"][0]["status"] == (
        "awaiting_evaluation"
    )
    enrolled.post(
        "/api/v1/courses/test-course/evaluation",
        json={"answers": evaluation_answers(), "attestation": True},
    )
    body = enrolled.get("/api/v1/enrollments").get_json()["enrollments"][0]
    assert unmet(enrolled) == [] and body["status"] == "complete" and body["progress"] == 100
    assert db.session.scalar(select(Enrollment)).completed_at is not None


def test_learning_events_are_audited(enrolled):
    _pass(enrolled)
    enrolled.post(
        "/api/v1/courses/test-course/evaluation",
        json={"answers": evaluation_answers(), "attestation": True},
    )
    actions = db.session.scalars(select(AuditEvent.action).order_by(AuditEvent.id)).all()
    for expected in (
        "enrollment.created",
        "attempt.started",
        "attempt.submitted",
        "evaluation.submitted",
        "enrollment.completed",
    ):
        assert expected in actions


def test_learner_walks_from_enrollment_to_complete_through_the_pages(client, auth, learner, course):
    auth.login()
    page = client.get("/courses/test-course").get_data(as_text=True)
    assert "Enroll in this course" in page
    response = client.post(
        "/courses/test-course/enroll",
        data={"csrf_token": csrf_token(client, "/courses/test-course")},
    )
    assert response.headers["Location"].endswith("/lessons/lesson-1")
    page = client.get("/courses/test-course").get_data(as_text=True)
    assert "Complete every lesson" in page and "0 of 3 lessons complete" in page
    for n in (1, 2, 3):
        token = csrf_token(client, f"/courses/test-course/lessons/lesson-{n}")
        client.post(f"/courses/test-course/lessons/lesson-{n}/complete", data={"csrf_token": token})
    page = client.get("/courses/test-course").get_data(as_text=True)
    assert "In progress" in page and "Spend more time with the lessons" in page
    assert "0 of 8 minutes so far; 8 more needed" in page
    factories.earn_seat_time("learner@example.org", "test-course")
    page = client.get("/courses/test-course").get_data(as_text=True)
    assert "Awaiting post-test" in page and "Take the post-test" in page
    client.post(
        "/courses/test-course/quiz/start",
        data={"csrf_token": csrf_token(client, "/courses/test-course/quiz")},
    )
    from ce_platform.learning.models import QuizAttempt

    attempt = db.session.scalar(select(QuizAttempt))
    form = {f"q-{k}": v for k, v in factories.answer_sheet(attempt.id).items()}
    form["csrf_token"] = csrf_token(client, "/courses/test-course/quiz")
    client.post(f"/courses/test-course/quiz/{attempt.id}/submit", data=form)
    assert "Awaiting evaluation" in client.get("/courses/test-course").get_data(as_text=True)
    form = {k: str(v) for k, v in evaluation_answers().items()}
    form["csrf_token"] = csrf_token(client, "/courses/test-course/evaluation")
    no_attestation = client.post("/courses/test-course/evaluation", data=form)
    assert no_attestation.status_code == 400
    assert "I completed this course myself" in no_attestation.get_data(as_text=True)
    form["attestation"] = "yes"
    assert client.post("/courses/test-course/evaluation", data=form).status_code == 302
    page = client.get("/courses/test-course").get_data(as_text=True)
    assert "Your progress: Complete" in page
    assert "Complete" in client.get("/my-courses").get_data(as_text=True)
