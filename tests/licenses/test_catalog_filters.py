"""The signed-in learner's catalog filters: counts toward my license, not yet taken."""

import re

from tests import factories
from tests.licenses.conftest import add_license, report_external


def _titles(client, query: str) -> set[str]:
    html = client.get(f"/{query}").get_data(as_text=True)
    return {t.strip() for t in re.findall(r"<h2[^>]*>\s*<a [^>]*>(.*?)</a>", html, re.S)}


def _courses():
    factories.course(
        "ethics-course", title="Ethics of Consent", ce_hours="1.0", credits="{ethics: 1.0}"
    )
    factories.course(
        "general-course", title="General Practice Update", ce_hours="1.0", credits="{general: 1.0}"
    )


def test_counts_toward_my_license_keeps_courses_in_what_is_still_owed(client, auth, social_worker):
    _courses()
    auth.login()
    add_license(client, total_hours="10", ethics="2")
    license_id = re.search(
        r'name="license">.*?<option value="(\d+)"', client.get("/").get_data(as_text=True), re.S
    ).group(1)
    assert _titles(client, "") == {"Ethics of Consent", "General Practice Update"}
    assert _titles(client, f"?license={license_id}") == {"Ethics of Consent"}
    # Once ethics is met elsewhere, any course counts toward the total still owed.
    report_external(client, ethics="2")
    assert _titles(client, f"?license={license_id}") == {
        "Ethics of Consent",
        "General Practice Update",
    }
    # With the whole requirement met, nothing more counts.
    report_external(client, general="8")
    assert _titles(client, f"?license={license_id}") == set()


def test_someone_elses_license_is_not_a_filter(client, auth, social_worker):
    _courses()
    other = factories.user("other@example.org")
    auth.login("other@example.org")
    add_license(client, total_hours="10", ethics="2")
    auth.logout()
    auth.login()
    from ce_platform.extensions import db
    from ce_platform.licenses.models import License

    theirs = db.session.query(License).filter_by(user_id=other.id).one()
    assert _titles(client, f"?license={theirs.id}") == {
        "Ethics of Consent",
        "General Practice Update",
    }


def test_not_yet_taken_leaves_out_courses_i_enrolled_in(client, auth, api, social_worker):
    _courses()
    api.login()
    assert api.post("/api/v1/courses/general-course/enrollment").status_code in (200, 201)
    auth.login()
    assert _titles(client, "?not_taken=1") == {"Ethics of Consent"}
    assert "Enrolled" in client.get("/").get_data(as_text=True)


def test_anonymous_visitors_get_no_personal_filters(client):
    _courses()
    html = client.get("/?not_taken=1").get_data(as_text=True)
    assert 'name="not_taken"' not in html and 'name="license"' not in html
    assert _titles(client, "?not_taken=1") == {"Ethics of Consent", "General Practice Update"}
