"""Accounts through the HTML pages: register, sign in, profile, password change and reset."""

from __future__ import annotations

import re

from sqlalchemy import func, select

from ce_platform.accounts.models import User
from ce_platform.extensions import db
from tests import factories
from tests.conftest import csrf_token, html_part, links, run_jobs, site_path, text_part

REGISTRATION = {
    "email": "Dana.Clinician@Example.org",
    "password": "a long enough passphrase",
    "confirm": "a long enough passphrase",
    "full_name": "Dana Clinician",
    "credentials": "LCSW",
    "profession": "social_worker",
    "license_number": "SW-12345",
    "license_state": "OR",
}


def register(client, **overrides):
    data = {**REGISTRATION, **overrides, "csrf_token": csrf_token(client, "/register")}
    return client.post("/register", data=data)


def test_registering_creates_an_account_with_a_hashed_password(client, auth):
    response = register(client)
    assert response.status_code == 302 and response.headers["Location"] == "/"
    # Registering signs the new user in: their account page opens without a sign-in.
    assert client.get("/account").status_code == 200
    auth.logout()
    assert auth.login("dana.clinician@example.org", REGISTRATION["password"]).status_code == 302
    user = db.session.scalar(select(User).where(User.email == "dana.clinician@example.org"))
    assert user is not None
    assert user.password_hash != REGISTRATION["password"]
    assert REGISTRATION["password"] not in user.password_hash
    assert (user.credentials, user.profession, user.license_state) == (
        "LCSW",
        "social_worker",
        "OR",
    )
    page = client.get("/account").get_data(as_text=True)
    assert "dana.clinician@example.org" in page


def test_duplicate_email_in_another_case_is_refused_without_saying_so(app, smtp):
    owner = factories.user("dana.clinician@example.org", full_name="First Owner")
    fresh = register(app.test_client(), email="someone.new@example.org")
    duplicate_client = app.test_client()
    duplicate = register(duplicate_client, email="DANA.CLINICIAN@EXAMPLE.ORG")
    # The page answers exactly as for a new account...
    assert (duplicate.status_code, duplicate.headers["Location"]) == (
        fresh.status_code,
        fresh.headers["Location"],
    )
    message = "If this email was new, your account is ready and you are signed in."
    assert message in duplicate_client.get("/").get_data(as_text=True)
    # The owner's account is not opened to whoever typed its address.
    assert duplicate_client.get("/account").status_code == 302
    # ...but no second account exists and the owner's is untouched; the owner is told by mail.
    count = db.session.scalar(
        select(func.count()).select_from(User).where(User.email == "dana.clinician@example.org")
    )
    assert count == 1
    db.session.refresh(owner)
    assert owner.full_name == "First Owner"
    run_jobs()
    told = smtp.one("dana.clinician@example.org", "Someone tried to create an account")
    assert "already has one" in text_part(told)


def test_registration_shows_every_problem_in_one_round_without_repeating_labels(client):
    response = register(
        client, email="not an email", password="short", confirm="short", full_name="  "
    )
    assert response.status_code == 400
    html = response.get_data(as_text=True)
    summary = html.split('class="error-summary"')[1].split("</div>")[0]
    items = re.findall(r'<li><a href="#(\w+)">([^<]+)</a>: ([^<]+)</li>', summary)
    fields = [field for field, _label, _message in items]
    assert fields == ["email", "password", "full_name"]  # in the order of the page
    for _field, label, message in items:
        assert not message.startswith(label.split(" (")[0]), (label, message)
    assert "Email: Email" not in html
    assert db.session.scalar(select(func.count()).select_from(User)) == 0


def test_registration_has_no_profession_chosen_and_requires_one(client):
    page = client.get("/register").get_data(as_text=True)
    select_html = page.split('<select id="profession"')[1].split("</select>")[0]
    assert "selected" not in select_html
    assert '<option value="">Choose your profession</option>' in select_html
    response = register(client, profession="")
    assert response.status_code == 400
    assert "Choose your profession." in response.get_data(as_text=True)
    assert db.session.scalar(select(func.count()).select_from(User)) == 0


def test_short_password_is_refused_with_the_rule(client):
    response = register(client, password="short pass", confirm="short pass")
    assert response.status_code == 400
    assert "at least 12 characters" in response.get_data(as_text=True)
    assert db.session.scalar(select(func.count()).select_from(User)) == 0


def test_login_and_logout(client, auth):
    factories.user("learner@example.org")
    response = auth.login()
    assert response.status_code == 302
    assert client.get("/account").status_code == 200
    response = auth.logout()
    assert response.status_code == 302
    assert client.get("/account").status_code == 302  # back to the sign-in page


def test_failed_login_does_not_reveal_whether_the_email_exists(client, auth):
    factories.user("learner@example.org")
    wrong_password = auth.login("learner@example.org", "not the right password")
    unknown_email = auth.login("nobody@example.org", "not the right password")
    assert wrong_password.status_code == unknown_email.status_code == 401
    strip = re.compile(r'value="[^"]*"')
    assert strip.sub("", wrong_password.get_data(as_text=True)).replace(
        "learner@example.org", "X"
    ) == strip.sub("", unknown_email.get_data(as_text=True)).replace("nobody@example.org", "X")


def test_eleventh_failed_login_for_an_account_answers_429(client, auth):
    factories.user("learner@example.org")
    for _ in range(10):
        assert auth.login("learner@example.org", "wrong password!!").status_code == 401
    response = auth.login("learner@example.org", "wrong password!!")
    assert response.status_code == 429
    assert "Too many attempts" in response.get_data(as_text=True)


def test_deactivated_account_cannot_sign_in(client, auth):
    user = factories.user("learner@example.org")
    user.active = False
    db.session.commit()
    assert auth.login().status_code == 401


def test_profile_edit_saves_every_field(client, auth):
    factories.user("learner@example.org")
    auth.login()
    data = {
        "full_name": "Alex M. Rivera",
        "credentials": "PsyD",
        "profession": "psychologist",
        "license_number": "PSY-778",
        "license_state": "CA",
        "csrf_token": csrf_token(client, "/account"),
    }
    response = client.post("/account", data=data)
    assert response.status_code == 302
    user = db.session.scalar(select(User).where(User.email == "learner@example.org"))
    assert (user.full_name, user.credentials, user.license_number, user.license_state) == (
        "Alex M. Rivera",
        "PsyD",
        "PSY-778",
        "CA",
    )


def test_profile_rejects_unknown_profession(client, auth):
    factories.user("learner@example.org")
    auth.login()
    data = {
        "full_name": "X",
        "profession": "astronaut",
        "csrf_token": csrf_token(client, "/account"),
    }
    response = client.post("/account", data=data)
    assert response.status_code == 400
    assert "Not a valid choice" in response.get_data(as_text=True)


def test_password_change_needs_the_current_password(client, auth):
    factories.user("learner@example.org")
    auth.login()
    data = {
        "current_password": "wrong current pw",
        "password": "brand new passphrase",
        "confirm": "brand new passphrase",
        "csrf_token": csrf_token(client, "/account/password"),
    }
    assert client.post("/account/password", data=data).status_code == 400
    data["current_password"] = factories.PASSWORD
    data["csrf_token"] = csrf_token(client, "/account/password")
    assert client.post("/account/password", data=data).status_code == 302
    auth.logout()
    assert auth.login(password=factories.PASSWORD).status_code == 401
    assert auth.login(password="brand new passphrase").status_code == 302


def _reset_link(client, smtp, email: str) -> str:
    """Ask for a reset link and return it from the mail that the SMTP server received."""
    client.post("/reset", data={"email": email, "csrf_token": csrf_token(client, "/reset")})
    run_jobs()
    message = smtp.to(email)[-1]
    assert message["Subject"] == "Reset your password"
    [link] = [url for url in links(message) if "/reset/" in url]
    assert link in html_part(message)
    return site_path(link)


def _set_password(client, link: str, password: str):
    return client.post(
        link,
        data={"password": password, "confirm": password, "csrf_token": csrf_token(client, link)},
    )


def test_password_reset_by_link_works_once(client, auth, smtp):
    factories.user("learner@example.org")
    link = _reset_link(client, smtp, "learner@example.org")
    assert _set_password(client, link, "a fresh passphrase").status_code == 302
    assert auth.login(password="a fresh passphrase").status_code == 302
    auth.logout()
    reused = client.get(link)
    assert reused.status_code == 400
    assert "already been used" in reused.get_data(as_text=True)


def test_expired_reset_link_is_refused(app, client, smtp, monkeypatch):
    factories.user("learner@example.org")
    link = _reset_link(client, smtp, "learner@example.org")
    monkeypatch.setitem(app.config, "PASSWORD_RESET_MAX_AGE", -1)  # any age is now too old
    response = client.get(link)
    assert response.status_code == 400
    assert "expired" in response.get_data(as_text=True)


def test_reset_request_answers_the_same_for_unknown_email(client, smtp):
    response = client.post(
        "/reset",
        data={"email": "nobody@example.org", "csrf_token": csrf_token(client, "/reset")},
        follow_redirects=True,
    )
    assert "If an account uses that email" in response.get_data(as_text=True)
    run_jobs()
    assert smtp.messages == []


def test_post_without_csrf_token_is_refused(client):
    factories.user("learner@example.org")
    response = client.post(
        "/login", data={"email": "learner@example.org", "password": factories.PASSWORD}
    )
    assert response.status_code == 400
    assert "CSRF" in response.get_data(as_text=True)
    assert client.get("/account").status_code == 302  # not signed in


def test_error_pages_render_inside_the_layout(client):
    response = client.get("/no-such-page")
    assert response.status_code == 404
    html = response.get_data(as_text=True)
    assert "Page not found" in html and 'id="main"' in html and "Skip to main content" in html


def test_navigation_reflects_login_state(client, auth):
    anonymous = client.get("/login").get_data(as_text=True)
    assert "Sign in" in anonymous and "Sign out" not in anonymous
    factories.user("learner@example.org", full_name="Robin Learner")
    auth.login()
    signed_in = client.get("/account").get_data(as_text=True)
    assert "Sign out" in signed_in and "Robin Learner" in signed_in


def test_the_sign_out_button_on_any_page_signs_out(client, auth):
    factories.user("learner@example.org")
    auth.login()
    html = client.get("/my-courses").get_data(as_text=True)
    form = re.search(r'<form method="post" action="/logout".*?</form>', html, re.S).group(0)
    token = re.search(r'name="csrf_token" value="([^"]+)"', form).group(1)
    response = client.post("/logout", data={"csrf_token": token})
    assert response.status_code == 302 and response.headers["Location"].endswith("/login")
    assert client.get("/my-courses").status_code == 302  # signed out: back to sign-in


def test_login_never_redirects_off_site(client):
    factories.user("learner@example.org")
    token = csrf_token(client, "/login")
    response = client.post(
        "/login?next=//evil.example.com/x",
        data={"email": "learner@example.org", "password": factories.PASSWORD, "csrf_token": token},
    )
    assert response.status_code == 302
    assert "evil.example.com" not in response.headers["Location"]
