"""The catalog's format filter."""

from datetime import date

from ce_platform.catalog import services
from ce_platform.extensions import db
from tests import factories


def test_the_format_filter_keeps_courses_of_that_format_only(client):
    factories.course("one-course", title="Format One")
    assert [
        r.title
        for r in services.catalog(db.session, today=date.today(), course_format="asynchronous")
    ] == ["Format One"]
    assert services.catalog(db.session, today=date.today(), course_format="live-webinar") == []
    html = client.get("/?format=asynchronous").get_data(as_text=True)
    assert "Format One" in html and '<option value="asynchronous" selected>' in html


def test_an_unknown_format_is_ignored_not_an_error(client):
    factories.course("one-course", title="Format One")
    response = client.get("/?format=%3Cscript%3E")
    assert response.status_code == 200 and "Format One" in response.get_data(as_text=True)
