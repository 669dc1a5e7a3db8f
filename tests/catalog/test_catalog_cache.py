"""The anonymous catalog page is rendered once per process and checked against the current
revisions at a bounded interval; signed-in visitors and pending messages bypass it."""

from __future__ import annotations

import pytest

from ce_platform.catalog import views as catalog_views
from tests import factories

INTERVAL = 30


class Clock:
    def __init__(self) -> None:
        self.now = 1000.0

    def __call__(self) -> float:
        return self.now


@pytest.fixture
def cached(app, monkeypatch):
    """The page cache switched on, with a clock the test moves."""
    monkeypatch.setitem(app.config, "CATALOG_CACHE_SECONDS", INTERVAL)
    clock = Clock()
    monkeypatch.setattr(catalog_views.time, "monotonic", clock)
    app.extensions.get("ce_caches", {}).pop("catalog-pages", None)
    yield clock
    app.extensions.get("ce_caches", {}).pop("catalog-pages", None)


def test_a_repeat_anonymous_visit_is_served_from_memory_without_sql(client, cached, statements):
    factories.course("test-course", title="Test Course")
    first = client.get("/")
    assert first.status_code == 200 and "Test Course" in first.get_data(as_text=True)
    statements.clear()
    second = client.get("/")
    assert second.status_code == 200
    assert second.get_data() == first.get_data()
    assert statements == []
    assert second.headers["Content-Security-Policy"].startswith("default-src 'self'")


def test_a_publish_shows_once_the_interval_has_passed(client, cached):
    factories.course("test-course", title="Test Course")
    assert "Second Course" not in client.get("/").get_data(as_text=True)
    factories.course("second-course", title="Second Course")
    cached.now += INTERVAL - 1
    assert "Second Course" not in client.get("/").get_data(as_text=True)
    cached.now += 1
    assert "Second Course" in client.get("/").get_data(as_text=True)


def test_a_new_revision_replaces_the_cached_card(client, cached):
    factories.course("test-course", title="Test Course")
    assert "Test Course" in client.get("/").get_data(as_text=True)
    factories.course("test-course", title="Test Course, Revised")
    cached.now += INTERVAL
    html = client.get("/").get_data(as_text=True)
    assert "Test Course, Revised" in html


def test_each_filter_has_its_own_page(client, cached):
    factories.course("test-course", title="Test Course")
    assert "Test Course" in client.get("/").get_data(as_text=True)
    assert "Test Course" not in client.get("/?level=advanced").get_data(as_text=True)
    assert "Test Course" in client.get("/?level=introductory").get_data(as_text=True)


def test_signed_in_visitors_get_a_fresh_page(client, auth, cached):
    factories.course("test-course", title="Test Course")
    factories.user("learner@example.org")
    client.get("/")
    factories.course("second-course", title="Second Course")
    auth.login("learner@example.org")
    html = client.get("/").get_data(as_text=True)
    assert "Second Course" in html
    assert "Sign out" in html and "Create account" not in html


def test_a_waiting_message_is_shown_not_swallowed_by_the_cache(client, cached):
    factories.course("test-course", title="Test Course")
    client.get("/")
    with client.session_transaction() as session:
        session["_flashes"] = [("success", "You are signed out.")]
    assert "You are signed out." in client.get("/").get_data(as_text=True)
    assert "You are signed out." not in client.get("/").get_data(as_text=True)


def test_unknown_parameters_and_values_share_the_page_they_render_to(client, cached):
    factories.course("test-course", title="Test Course")
    plain = client.get("/").get_data()
    for query in ("?utm_source=mail", "?level=bogus", "?hours=NaN", "?category=x&hours=abc"):
        response = client.get("/" + query)
        assert response.status_code == 200 and response.get_data() == plain, query
    pages = client.application.extensions["ce_caches"]["catalog-pages"]
    assert len(pages) == 2  # the current revisions, and one page


def test_a_repeat_api_catalog_request_is_served_from_memory_without_sql(client, cached, statements):
    factories.course("test-course", title="Test Course")
    first = client.get("/api/v1/courses")
    assert [c["title"] for c in first.get_json()["courses"]] == ["Test Course"]
    statements.clear()
    second = client.get("/api/v1/courses")
    assert second.status_code == 200
    assert second.get_json() == first.get_json()
    assert statements == []


def test_the_api_catalog_shows_a_publish_once_the_interval_has_passed(client, cached):
    factories.course("test-course", title="Test Course")
    assert len(client.get("/api/v1/courses").get_json()["courses"]) == 1
    factories.course("second-course", title="Second Course")
    cached.now += INTERVAL - 1
    assert len(client.get("/api/v1/courses").get_json()["courses"]) == 1
    cached.now += 1
    titles = [c["title"] for c in client.get("/api/v1/courses").get_json()["courses"]]
    assert titles == ["Second Course", "Test Course"]
