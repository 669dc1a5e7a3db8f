"""What the learner pages say: error summaries in the learner's words, and one next step that
every page agrees on, from enrollment to the downloaded certificate."""

from __future__ import annotations

import re

from sqlalchemy import select

from ce_platform.extensions import db
from ce_platform.learning.models import QuizAttempt
from tests import factories
from tests.conftest import csrf_token
from tests.learning.conftest import evaluation_answers

SLUG = "test-course"


def _enroll_and_read(client) -> None:
    client.post(
        f"/courses/{SLUG}/enroll", data={"csrf_token": csrf_token(client, f"/courses/{SLUG}")}
    )
    for n in (1, 2, 3):
        token = csrf_token(client, f"/courses/{SLUG}/lessons/lesson-{n}")
        client.post(f"/courses/{SLUG}/lessons/lesson-{n}/complete", data={"csrf_token": token})
    factories.earn_seat_time("learner@example.org", SLUG)


def _start(client) -> QuizAttempt:
    client.post(
        f"/courses/{SLUG}/quiz/start",
        data={"csrf_token": csrf_token(client, f"/courses/{SLUG}/quiz")},
    )
    return db.session.scalar(select(QuizAttempt).order_by(QuizAttempt.id.desc()))


def _submit(client, attempt: QuizAttempt, *, skip: tuple[str, ...] = (), correct=None):
    sheet = factories.answer_sheet(attempt.id, correct=correct)
    form = {f"q-{key}": chosen for key, chosen in sheet.items() if key not in skip}
    form["csrf_token"] = csrf_token(client, f"/courses/{SLUG}/quiz")
    return client.post(f"/courses/{SLUG}/quiz/{attempt.id}/submit", data=form)


def _evaluate(client) -> None:
    form = {k: str(v) for k, v in evaluation_answers().items()}
    form["csrf_token"] = csrf_token(client, f"/courses/{SLUG}/evaluation")
    form["attestation"] = "yes"
    assert client.post(f"/courses/{SLUG}/evaluation", data=form).status_code == 302


def _buttons(html: str) -> list[tuple[str, str]]:
    return re.findall(r'<a class="button[^"]*" href="([^"]+)">([^<]+)</a>', html)


def test_post_test_error_summary_numbers_questions_as_the_page_does(client, auth, learner, course):
    auth.login()
    _enroll_and_read(client)
    attempt = _start(client)
    page = client.get(f"/courses/{SLUG}/quiz").get_data(as_text=True)
    keys = re.findall(r'<fieldset class="question card[^"]*" id="q-([^"]+)"', page)
    assert len(keys) == 7
    response = _submit(client, attempt, skip=(keys[1], keys[4]))
    assert response.status_code == 400
    html = response.get_data(as_text=True)
    summary = html.split('class="error-summary"')[1].split("</div>")[0]
    links = re.findall(r'<a href="#q-([^"]+)">Question (\d+)</a>', summary)
    assert links == [(keys[1], "2"), (keys[4], "5")]


def test_evaluation_errors_name_the_questions_and_link_to_their_fields(
    client, auth, learner, course
):
    auth.login()
    _enroll_and_read(client)
    _submit(client, _start(client))
    form = {k: str(v) for k, v in evaluation_answers().items()}
    del form["objective_1"], form["bias_free"]
    form["csrf_token"] = csrf_token(client, f"/courses/{SLUG}/evaluation")
    response = client.post(f"/courses/{SLUG}/evaluation", data=form)
    assert response.status_code == 400
    html = response.get_data(as_text=True)
    assert "objective_1:" not in html and "bias_free:" not in html and ": required" not in html
    summary = html.split('class="error-summary"')[1].split("</div>")[0]
    assert (
        '<a href="#objective_1-1">The course met this objective: Describe the first thing.</a>'
        in summary
    )
    assert re.search(
        r'<a href="#bias_free-yes">[^<]*free of commercial bias[^<]*</a>', summary, re.I
    )
    assert '<a href="#attestation">' in summary
    for target in ("objective_1-1", "bias_free-yes", "attestation"):
        assert f'id="{target}"' in html


def test_every_page_states_the_same_next_step_through_to_the_certificate(
    client, auth, learner, course
):
    auth.login()
    _enroll_and_read(client)
    lesson = client.get(f"/courses/{SLUG}/lessons/lesson-3").get_data(as_text=True)
    assert f'Next: <a href="/courses/{SLUG}/quiz">Take the post-test</a>' in lesson
    attempt = _start(client)
    _submit(client, attempt)

    evaluation = (f"/courses/{SLUG}/evaluation", "Complete the evaluation")
    for path in (f"/courses/{SLUG}/quiz", f"/courses/{SLUG}", "/my-courses"):
        assert evaluation in _buttons(client.get(path).get_data(as_text=True)), path

    _evaluate(client)
    issue = (f"/courses/{SLUG}#certificate", "Issue your certificate")
    for path in (
        f"/courses/{SLUG}/quiz",
        f"/courses/{SLUG}/evaluation",
        f"/courses/{SLUG}/quiz/{attempt.id}",
        f"/courses/{SLUG}",
        "/my-courses",
    ):
        html = client.get(path).get_data(as_text=True)
        assert issue in _buttons(html), path
        assert "Continue to the evaluation" not in html and "Complete the evaluation" not in html

    client.post(
        f"/courses/{SLUG}/certificate",
        data={"csrf_token": csrf_token(client, f"/courses/{SLUG}/quiz")},
    )
    number = re.search(r"CE-[0-9A-Z-]{19}", client.get(f"/courses/{SLUG}").get_data(as_text=True))
    download = (f"/certificates/{number.group(0)}.pdf", "Download your certificate")
    for path in (f"/courses/{SLUG}/quiz", f"/courses/{SLUG}/evaluation", "/my-courses"):
        assert download in _buttons(client.get(path).get_data(as_text=True)), path
    lesson = client.get(f"/courses/{SLUG}/lessons/lesson-1").get_data(as_text=True)
    assert f'Next: <a href="{download[0]}">Download your certificate</a>' in lesson


def test_after_the_last_failed_attempt_the_next_step_is_the_attempt_list(client, auth, learner):
    factories.course(SLUG, files=factories.course_files(max_attempts=1))
    auth.login()
    _enroll_and_read(client)
    _submit(client, _start(client), correct=0)
    html = client.get("/my-courses").get_data(as_text=True)
    assert (f"/courses/{SLUG}/quiz", "See your post-test attempts") in _buttons(html)


def test_conflict_page_links_to_the_course_and_the_next_step(client, auth, learner, course):
    auth.login()
    _enroll_and_read(client)
    attempt = _start(client)
    sheet = factories.answer_sheet(attempt.id)
    form = {f"q-{key}": chosen for key, chosen in sheet.items()}
    form["csrf_token"] = csrf_token(client, f"/courses/{SLUG}/quiz")
    assert client.post(f"/courses/{SLUG}/quiz/{attempt.id}/submit", data=form).status_code == 302
    again = client.post(f"/courses/{SLUG}/quiz/{attempt.id}/submit", data=form)
    assert again.status_code == 409
    html = again.get_data(as_text=True)
    assert "already submitted and graded" in html
    assert f'<a href="/courses/{SLUG}">Back to Test Course</a>' in html
    assert (
        f'<a class="button" href="/courses/{SLUG}/evaluation">Complete the evaluation</a>' in html
    )


def test_refused_enrollment_page_links_back_to_the_course(client, auth, learner):
    files = factories.course_files(released="2024-01-01", review_by="2025-01-01")
    factories.course(SLUG, files=files)
    auth.login()
    token = csrf_token(client, "/account")
    response = client.post(f"/courses/{SLUG}/enroll", data={"csrf_token": token})
    assert response.status_code == 422
    html = response.get_data(as_text=True)
    assert "closed to new learners" in html
    assert f'<a href="/courses/{SLUG}">Back to Test Course</a>' in html
    assert '<a href="/">Back to the course catalog</a>' in html


def test_after_a_revocation_the_next_step_is_the_certificate_status_page(
    client, auth, learner, course
):
    from ce_platform.certificates import services as certificates
    from ce_platform.certificates.models import Certificate

    auth.login()
    _enroll_and_read(client)
    _submit(client, _start(client))
    _evaluate(client)
    token = csrf_token(client, f"/courses/{SLUG}/quiz")
    client.post(f"/courses/{SLUG}/certificate", data={"csrf_token": token})
    certificate = db.session.scalar(select(Certificate))
    certificates.revoke(
        db.session, certificate, actor_id=None, reason="other", note="Issued in error."
    )
    db.session.commit()
    status = (f"/certificates/{certificate.number}", "See your certificate's status")
    for path in ("/my-courses", f"/courses/{SLUG}/quiz"):
        html = client.get(path).get_data(as_text=True)
        assert status in _buttons(html.replace("&#39;", "'")), path
