"""Profile fields follow one set of length and character rules, on the pages and in the API."""

from __future__ import annotations

import pytest

from ce_platform.accounts import rules
from tests import factories
from tests.accounts.test_api import NEW_USER, assert_error
from tests.accounts.test_pages import register

BAD_NAMES = {
    "too long": "x" * 201,
    "huge": "x" * 300_000,
    "control character": "Dana\x00Clinician",
    "newline": "Dana\nClinician",
    "bidi override": "Dana \u202eClinician",
}


@pytest.mark.parametrize("name", list(BAD_NAMES.values()), ids=list(BAD_NAMES))
def test_api_registration_refuses_a_name_the_form_refuses(api, name):
    response = api.post("/api/v1/auth/register", json={**NEW_USER, "full_name": name})
    assert_error(response, 400, "validation_error", field="full_name")


@pytest.mark.parametrize("name", list(BAD_NAMES.values()), ids=list(BAD_NAMES))
def test_api_profile_update_refuses_a_name_the_form_refuses(api, name):
    factories.user("learner@example.org")
    api.login()
    assert_error(api.patch("/api/v1/me", json={"full_name": name}), 400, field="full_name")
    assert api.get("/api/v1/me").get_json()["user"]["full_name"] == "Alex Rivera"


@pytest.mark.parametrize(
    ("field", "value"),
    [
        ("credentials", "P" * 101),
        ("license_number", "9" * 65),
        ("credentials", "PhD\x1b[31m"),
        ("license_number", "SW\t1"),
    ],
)
def test_api_profile_update_refuses_long_or_control_text_in_any_field(api, field, value):
    factories.user("learner@example.org")
    api.login()
    assert_error(api.patch("/api/v1/me", json={field: value}), 400, field=field)


def test_api_refuses_a_lone_surrogate_in_a_name(api):
    factories.user("learner@example.org")
    api.login()
    response = api.patch(
        "/api/v1/me",
        data='{"full_name": "Dana \\ud800"}',
        headers={"Content-Type": "application/json"},
    )
    assert_error(response, 400)


def test_registration_page_refuses_a_control_character_in_the_name(client):
    response = register(client, full_name="Dana\x07Clinician")
    assert response.status_code == 400
    assert "control character" in response.get_data(as_text=True)


def test_registration_page_refuses_an_overlong_password(client):
    long_password = "p" * (rules.PASSWORD_MAX_LENGTH + 1)
    response = register(client, password=long_password, confirm=long_password)
    assert response.status_code == 400


def test_api_refuses_an_overlong_password(api):
    response = api.post(
        "/api/v1/auth/register",
        json={**NEW_USER, "password": "p" * (rules.PASSWORD_MAX_LENGTH + 1)},
    )
    assert_error(response, 400, field="password")


def test_names_with_accents_apostrophes_and_hyphens_are_welcome(api):
    factories.user("learner@example.org")
    api.login()
    name = "Zoë O'Brien-Nguyễn"
    response = api.patch("/api/v1/me", json={"full_name": name})
    assert response.status_code == 200
    assert response.get_json()["user"]["full_name"] == name


def test_forms_and_api_share_the_same_limits():
    from ce_platform.accounts.forms import ProfileForm
    from ce_platform.accounts.models import User

    for name in ("full_name", "credentials", "license_number"):
        assert rules.MAX_LENGTHS[name] == User.__table__.c[name].type.length
        validators = getattr(ProfileForm, name).kwargs["validators"]
        assert any(getattr(v, "max", None) == rules.MAX_LENGTHS[name] for v in validators)
