"""Sessions end when they should: sign-out, password change and reset, sign out everywhere."""

from __future__ import annotations

from tests import factories
from tests.conftest import AuthActions, csrf_token

NEW_PASSWORD = "brand new passphrase"


def _saved_cookie(client) -> str:
    cookie = client.get_cookie("session")
    assert cookie is not None
    return cookie.value


def _replay(app, cookie: str):
    """A second browser that presents a copy of a cookie saved earlier."""
    other = app.test_client()
    other.set_cookie("session", cookie)
    return other


def _change_password(client, current: str = factories.PASSWORD, new: str = NEW_PASSWORD):
    data = {
        "current_password": current,
        "password": new,
        "confirm": new,
        "csrf_token": csrf_token(client, "/account/password"),
    }
    return client.post("/account/password", data=data)


def test_cookie_saved_before_sign_out_no_longer_signs_in(app, client, auth):
    factories.user("learner@example.org")
    auth.login()
    saved = _saved_cookie(client)
    assert _replay(app, saved).get("/account").status_code == 200
    auth.logout()
    assert _replay(app, saved).get("/account").status_code == 302


def test_sign_out_leaves_the_accounts_api_tokens_alone(client, auth, api):
    factories.user("learner@example.org")
    api.login()
    auth.login()
    auth.logout()
    assert api.get("/api/v1/me").status_code == 200


def test_password_change_ends_other_sessions_but_keeps_this_one(app, client, auth):
    factories.user("learner@example.org")
    laptop = app.test_client()
    AuthActions(laptop).login()
    auth.login()
    assert _change_password(client).status_code == 302
    assert client.get("/account").status_code == 200
    assert laptop.get("/account").status_code == 302


def test_password_change_on_the_page_revokes_every_api_token(client, auth, api):
    factories.user("learner@example.org")
    api.login()
    auth.login()
    assert _change_password(client).status_code == 302
    assert api.get("/api/v1/me").status_code == 401


def test_password_reset_ends_every_session_and_token(app, client, smtp, api):
    from tests.accounts.test_pages import _reset_link

    factories.user("learner@example.org")
    phone = app.test_client()
    AuthActions(phone).login()
    api.login()
    link = _reset_link(client, smtp, "learner@example.org")
    response = client.post(
        link,
        data={
            "password": NEW_PASSWORD,
            "confirm": NEW_PASSWORD,
            "csrf_token": csrf_token(client, link),
        },
    )
    assert response.status_code == 302
    assert phone.get("/account").status_code == 302
    assert api.get("/api/v1/me").status_code == 401


def test_sign_out_of_all_devices_ends_every_session_and_token(app, client, auth, api):
    factories.user("learner@example.org")
    phone = app.test_client()
    AuthActions(phone).login()
    api.login()
    auth.login()
    page = client.get("/account").get_data(as_text=True)
    assert "Sign out of all devices" in page
    response = client.post(
        "/account/sign-out-everywhere", data={"csrf_token": csrf_token(client, "/account")}
    )
    assert response.status_code == 302
    assert client.get("/account").status_code == 302
    assert phone.get("/account").status_code == 302
    assert api.get("/api/v1/me").status_code == 401


def test_sign_out_of_all_devices_needs_a_csrf_token(client, auth):
    factories.user("learner@example.org")
    auth.login()
    assert client.post("/account/sign-out-everywhere").status_code == 400
    assert client.get("/account").status_code == 200


def test_password_change_through_the_api_keeps_only_the_callers_token(app, api, client, auth):
    factories.user("learner@example.org")
    other = type(api)(app.test_client())
    other.login()
    auth.login()
    api.login()
    response = api.post(
        "/api/v1/me/password",
        json={"current_password": factories.PASSWORD, "new_password": NEW_PASSWORD},
    )
    assert response.status_code == 204, response.get_data(as_text=True)
    assert api.get("/api/v1/me").status_code == 200
    assert other.get("/api/v1/me").status_code == 401
    assert client.get("/account").status_code == 302


def test_password_change_through_the_api_needs_the_current_password(api):
    factories.user("learner@example.org")
    api.login()
    response = api.post(
        "/api/v1/me/password",
        json={"current_password": "not the password", "new_password": NEW_PASSWORD},
    )
    assert response.status_code == 400
    assert response.get_json()["error"]["details"] == {"current_password": "incorrect"}
    assert api.get("/api/v1/me").status_code == 200


def test_a_session_of_a_deactivated_account_stays_ended_after_reactivation(app, client, auth):
    learner = factories.user("learner@example.org")
    factories.user("admin@example.org", role="admin")
    auth.login()
    saved = _saved_cookie(client)
    admin = app.test_client()
    AuthActions(admin).login("admin@example.org")
    for action in ("deactivate", "reactivate"):
        token = csrf_token(admin, f"/admin/users/{learner.id}")
        response = admin.post(f"/admin/users/{learner.id}/{action}", data={"csrf_token": token})
        assert response.status_code == 302
        assert _replay(app, saved).get("/account").status_code == 302
    # Reactivated, the account signs in again with its password, never with the old cookie.
    assert AuthActions(app.test_client()).login().status_code == 302
