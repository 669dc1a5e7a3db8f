"""Every email is a job, received here by a real SMTP server (aiosmtpd on 127.0.0.1)."""

from __future__ import annotations

from datetime import timedelta

import pytest
from sqlalchemy import select, update

from ce_platform.accounts.models import User
from ce_platform.core.models import utcnow
from ce_platform.extensions import db
from ce_platform.learning.models import Enrollment, QuizAttempt
from ce_platform.messages.services import send_reminders
from tests import factories
from tests.accounts.test_pages import register
from tests.certificates.conftest import complete_course
from tests.conftest import csrf_token, html_part, links, run_jobs, site_path, text_part
from tests.learning.conftest import finish_lessons, start, submit

ISSUE = "/api/v1/courses/test-course/certificate"


def _link(message, part: str) -> str:
    [url] = [u for u in links(message) if part in u]
    assert url in html_part(message)  # the same link in both parts
    return url


def _transactional(message) -> None:
    assert "List-Unsubscribe" not in message and "List-Unsubscribe-Post" not in message


def test_registration_mails_a_signed_single_use_confirmation_link(app, client, smtp):
    register(client)
    run_jobs()
    message = smtp.one("dana.clinician@example.org", "Confirm your email address")
    assert message.envelope_to == ["dana.clinician@example.org"]
    assert message["From"] == app.config["MAIL_SENDER"]
    assert message.is_multipart() and "Dear Dana Clinician" in text_part(message)
    _transactional(message)
    url = _link(message, "/account/verify-email/")
    assert client.get(site_path(url)).status_code == 200
    user = db.session.scalar(select(User).where(User.email == "dana.clinician@example.org"))
    assert user.email_verified_at is not None
    again = client.get(site_path(url))
    assert again.status_code == 400 and "already been used" in again.get_data(as_text=True)
    forged = client.get(site_path(url)[:-3] + "abc")
    assert forged.status_code == 400


def test_expired_confirmation_link_is_refused(app, client, smtp, monkeypatch):
    register(client)
    run_jobs()
    url = _link(smtp.one("dana.clinician@example.org", "Confirm"), "/account/verify-email/")
    monkeypatch.setitem(app.config, "EMAIL_VERIFY_MAX_AGE", -1)
    response = client.get(site_path(url))
    assert response.status_code == 400 and "expired" in response.get_data(as_text=True)


def test_unconfirmed_learner_finishes_the_course_but_gets_the_certificate_after_confirming(
    api, auth, smtp
):
    factories.user("learner@example.org", verified=False, **factories.CLINICIAN)
    factories.course("test-course", title="Ethics in Testing Practice")
    api.login()
    complete_course(api)
    refused = api.post(ISSUE)
    assert refused.status_code == 422
    assert refused.get_json()["error"]["details"]["unmet"][0]["code"] == "email_unverified"
    auth.login()
    page = auth.client.get("/account").get_data(as_text=True)
    assert "not confirmed yet" in page
    token = csrf_token(auth.client, "/account")
    assert auth.client.post("/account/verify-email", data={"csrf_token": token}).status_code == 302
    run_jobs()
    url = _link(smtp.one("learner@example.org", "Confirm"), "/account/verify-email/")
    assert auth.client.get(site_path(url)).status_code == 200
    assert api.post(ISSUE).status_code == 201


@pytest.fixture
def rendered_later(app, monkeypatch):
    monkeypatch.setitem(app.config, "RENDER_INLINE", False)


def test_certificate_ready_mail_links_to_the_certificate_and_attaches_nothing(
    completed, auth, smtp, rendered_later
):
    number = completed.post(ISSUE).get_json()["certificate"]["number"]
    assert smtp.messages == []
    run_jobs()  # the render job, then the mail it queued
    message = smtp.one("learner@example.org", "Your CE certificate for Ethics in Testing")
    _transactional(message)
    assert list(message.iter_attachments()) == []
    assert number in text_part(message) and number in html_part(message)
    url = _link(message, f"/certificates/{number}")
    auth.login()
    page = auth.client.get(site_path(url))
    assert page.status_code == 200 and f"/certificates/{number}.pdf" in page.get_data(as_text=True)
    assert auth.client.get(site_path(_link(message, "/verify/"))).status_code == 200


def test_revoked_certificate_mail_gives_the_reason_category_and_what_to_do(completed, auth, smtp):
    number = completed.post(ISSUE).get_json()["certificate"]["number"]
    factories.user("admin@example.org", role="admin")
    auth.login("admin@example.org")
    token = csrf_token(auth.client, f"/certificates/{number}")
    auth.client.post(
        f"/certificates/{number}/revoke",
        data={"reason": "academic_misconduct", "note": "copied answers", "confirm": "yes",
              "csrf_token": token},
    )  # fmt: skip
    run_jobs()
    message = smtp.one("learner@example.org", f"Your CE certificate {number} was revoked")
    _transactional(message)
    text = text_part(message)
    assert "Reason: Course requirements not met" in text and "What to do" in text
    assert "copied answers" not in text and "copied answers" not in html_part(message)


def test_superseded_certificate_mail_names_the_replacement(completed, auth, smtp):
    number = completed.post(ISSUE).get_json()["certificate"]["number"]
    completed.patch("/api/v1/me", json={"full_name": "Dana New-Name"})
    auth.login()
    token = csrf_token(auth.client, f"/certificates/{number}")
    auth.client.post(f"/certificates/{number}/reissue", data={"csrf_token": token})
    run_jobs()
    message = smtp.one("learner@example.org", f"Your CE certificate {number} was replaced")
    replacement = db.session.scalar(
        select(Enrollment).where(Enrollment.status == "complete")
    )  # one enrollment; its current certificate is the replacement
    from ce_platform.certificates.services import current_certificate

    new_number = current_certificate(db.session, replacement).number
    assert new_number in text_part(message) and "What to do" in text_part(message)
    assert auth.client.get(site_path(_link(message, new_number))).status_code == 200


def test_password_change_is_mailed(auth, smtp):
    factories.user("learner@example.org")
    auth.login()
    token = csrf_token(auth.client, "/account/password")
    auth.client.post(
        "/account/password",
        data={"current_password": factories.PASSWORD, "password": "brand new passphrase",
              "confirm": "brand new passphrase", "csrf_token": token},
    )  # fmt: skip
    run_jobs()
    message = smtp.one("learner@example.org", "Your password was changed")
    _transactional(message)
    assert site_path(_link(message, "/reset")) == "/reset"


def _idle(email: str, days: int) -> Enrollment:
    enrollment = db.session.scalar(
        select(Enrollment).join(User, User.id == Enrollment.user_id).where(User.email == email)
    )
    db.session.execute(
        update(Enrollment)
        .where(Enrollment.id == enrollment.id)
        .values(enrolled_at=utcnow() - timedelta(days=days), last_heartbeat_at=None)
    )
    db.session.commit()
    return enrollment


@pytest.fixture
def idle_learner(api):
    factories.user("learner@example.org")
    factories.course("test-course", title="Ethics in Testing Practice")
    api.login()
    api.post("/api/v1/courses/test-course/enrollment")
    return _idle("learner@example.org", 8)


def test_idle_learner_is_reminded_once_with_a_one_click_unsubscribe(client, smtp, idle_learner):
    send_reminders(db.session, utcnow())
    db.session.commit()
    run_jobs()
    message = smtp.one("learner@example.org", "You haven't finished Ethics in Testing Practice")
    assert message["List-Unsubscribe-Post"] == "List-Unsubscribe=One-Click"
    unsubscribe = message["List-Unsubscribe"].strip("<>")
    assert unsubscribe in text_part(message) and unsubscribe in html_part(message)
    assert client.get(site_path(_link(message, "/courses/test-course"))).status_code == 200

    send_reminders(db.session, utcnow())  # the same idle stretch: no second reminder
    db.session.commit()
    run_jobs()
    assert len(smtp.to("learner@example.org")) == 1

    # RFC 8058: the mail client posts the one-click body, with no cookie and no CSRF token.
    fresh = client.application.test_client()
    done = fresh.post(site_path(unsubscribe), data={"List-Unsubscribe": "One-Click"})
    assert done.status_code == 200 and "Reminders are off" in done.get_data(as_text=True)
    assert db.session.scalar(select(User.reminders).where(User.email == "learner@example.org"))\
        is False  # fmt: skip
    _idle("learner@example.org", 30)  # a new idle stretch, but reminders are off
    send_reminders(db.session, utcnow())
    db.session.commit()
    run_jobs()
    assert len(smtp.to("learner@example.org")) == 1


def test_unsubscribe_page_asks_first_and_refuses_a_forged_link(client, smtp, idle_learner):
    send_reminders(db.session, utcnow())
    db.session.commit()
    run_jobs()
    link = smtp.one("learner@example.org", "You haven't").get("List-Unsubscribe").strip("<>")
    page = client.get(site_path(link))
    assert page.status_code == 200 and "Turn reminders off" in page.get_data(as_text=True)
    assert db.session.scalar(select(User.reminders).where(User.email == "learner@example.org"))
    assert client.post("/unsubscribe/not-a-token").status_code == 404


def test_reminders_are_turned_off_on_the_account_page(auth, smtp, idle_learner):
    auth.login()
    token = csrf_token(auth.client, "/account")
    assert auth.client.post("/account/reminders", data={"csrf_token": token}).status_code == 302
    assert 'id="reminders" name="reminders">' in auth.client.get("/account").get_data(as_text=True)
    send_reminders(db.session, utcnow())
    db.session.commit()
    run_jobs()
    assert smtp.messages == []
    token = csrf_token(auth.client, "/account")
    auth.client.post("/account/reminders", data={"csrf_token": token, "reminders": "on"})
    send_reminders(db.session, utcnow())
    db.session.commit()
    run_jobs()
    assert len(smtp.to("learner@example.org")) == 1


def test_passed_learner_is_reminded_of_the_evaluation(api, auth, smtp):
    factories.user("learner@example.org")
    factories.course("test-course", title="Ethics in Testing Practice")
    api.login()
    api.post("/api/v1/courses/test-course/enrollment")
    finish_lessons(api)
    assert submit(api, start(api)["id"]).get_json()["passed"]
    db.session.execute(update(QuizAttempt).values(submitted_at=utcnow() - timedelta(days=3)))
    db.session.commit()
    send_reminders(db.session, utcnow())
    db.session.commit()
    run_jobs()
    [message] = smtp.to("learner@example.org")
    assert message["Subject"] == "One step left: the evaluation of Ethics in Testing Practice"
    assert message["List-Unsubscribe-Post"] == "List-Unsubscribe=One-Click"
    auth.login()
    url = _link(message, "/courses/test-course/evaluation")
    assert auth.client.get(site_path(url)).status_code == 200


def test_names_are_escaped_in_the_html_part_and_kept_in_the_text_part(smtp):
    from ce_platform.jobs import services as jobs

    user = factories.user("odd@example.org", full_name="<img src=x onerror=alert(1)> O'Neil & Co")
    jobs.send_message(db.session, "password_changed", user_id=user.id)
    db.session.commit()
    run_jobs()
    message = smtp.one("odd@example.org", "Your password was changed")
    assert "<img" not in html_part(message)
    assert "&lt;img src=x onerror=alert(1)&gt;" in html_part(message)
    assert "Dear <img src=x onerror=alert(1)> O'Neil & Co," in text_part(message)
