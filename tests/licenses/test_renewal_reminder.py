"""License renewal approaching with hours still owed: mailed once per license and cycle."""

from __future__ import annotations

from datetime import date, timedelta

from sqlalchemy import select

from ce_platform.core.models import utcnow
from ce_platform.extensions import db
from ce_platform.licenses.models import License
from ce_platform.messages.services import send_renewal_reminders
from tests.conftest import html_part, links, run_jobs, site_path, text_part
from tests.licenses.conftest import add_license, report_external


def _remind() -> None:
    send_renewal_reminders(db.session, utcnow())
    db.session.commit()
    run_jobs()


def test_renewal_reminder_names_what_is_owed_once_per_cycle_and_stops_when_nothing_is(
    auth, smtp, social_worker
):
    auth.login()
    soon = (date.today() + timedelta(days=30)).isoformat()
    added = add_license(auth.client, renewal_date=soon, total_hours="10", ethics="3")
    assert added.status_code == 302
    later = (date.today() + timedelta(days=300)).isoformat()
    add_license(auth.client, state="WA", number="WA-1", renewal_date=later)  # not due yet
    assert report_external(auth.client, ethics="1").status_code == 302

    _remind()
    message = smtp.one("learner@example.org", f"Your OR license renews on {soon}")
    assert "9.0 CE hours still owed" in message["Subject"]
    assert message["List-Unsubscribe-Post"] == "List-Unsubscribe=One-Click"
    text = text_part(message)
    assert "ethics: 2.0 hours" in text and "check it with your board" in text
    assert "SW-12345" not in text and "SW-12345" not in html_part(message)
    license_id = db.session.scalar(select(License.id).where(License.state == "OR"))
    [link] = [url for url in links(message) if url.endswith(f"/licenses/{license_id}")]
    page = auth.client.get(site_path(link))
    assert page.status_code == 200 and "Still owed" in page.get_data(as_text=True)
    assert not smtp.to("learner@example.org")[1:]  # the WA license is not due

    _remind()  # the same cycle: no second reminder
    assert len(smtp.to("learner@example.org")) == 1


def test_no_renewal_reminder_when_the_requirement_is_met_or_reminders_are_off(
    auth, smtp, social_worker
):
    auth.login()
    soon = (date.today() + timedelta(days=20)).isoformat()
    add_license(auth.client, renewal_date=soon, total_hours="2", ethics="2")
    report_external(auth.client, ethics="2")
    _remind()
    assert smtp.messages == []

    add_license(auth.client, state="WA", number="WA-1", renewal_date=soon)
    social_worker.reminders = False
    db.session.commit()
    _remind()
    assert smtp.messages == []
