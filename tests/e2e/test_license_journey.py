"""A social worker tracks an ethics requirement, finds a course for it and closes the gap."""

from __future__ import annotations

import re
from datetime import date, timedelta
from pathlib import Path

from tests.e2e.conftest import PASSWORD
from tests.e2e.helpers import answer_key, assert_accessible, attempt_id_on

SHOTS = Path(__file__).resolve().parents[2] / "docs" / "screenshots"
SLUG = "ethics-psychedelic-practice"


def _owed(page, topic: str) -> str:
    return page.locator(f'tr[data-topic="{topic}"] td.owed').first.inner_text().strip()


def test_social_worker_closes_an_ethics_gap_through_the_filter(page, live_server):
    page.goto("/register")
    page.get_by_label("Email").fill("sam@example.org")
    page.get_by_label("Password (at least 12 characters)").fill(PASSWORD)
    page.get_by_label("Repeat password").fill(PASSWORD)
    page.get_by_label("Full name (as it should appear on certificates)").fill("Sam Ortiz")
    page.get_by_label("Profession").select_option("social_worker")
    page.get_by_role("button", name="Create account").click()
    page.wait_for_load_state()
    # Certificates go to confirmed addresses only; the operator confirms it, as
    # `flask users verify-email` does (the confirmation mail has its own tests).
    live_server.flask("users", "verify-email", "sam@example.org")

    page.get_by_role("link", name="My licenses").click()
    page.get_by_role("link", name="Add a license").click()
    page.get_by_label("State").select_option("OR")
    page.get_by_label("License number (never shown publicly)").fill("LCSW-7788")
    renewal = (date.today() + timedelta(days=400)).isoformat()
    page.get_by_label("Next renewal date").fill(renewal)
    page.get_by_label("Hours required per cycle, in total").fill("40")
    page.get_by_label("Of which ethics (hours)").fill("1")
    page.get_by_role("button", name="Add license").click()
    page.wait_for_url(re.compile(r"/licenses/$"))
    assert _owed(page, "ethics") == "1.0"
    assert_accessible(page, "license tracker")
    page.screenshot(path=str(SHOTS / "license-tracker-gap.png"), full_page=True)

    page.get_by_role("link", name="Courses", exact=True).click()
    page.locator("summary").first.click()
    page.get_by_label("Credit category").select_option("ethics")
    page.get_by_label("Counts toward my license").select_option(index=1)
    page.get_by_role("button", name="Show courses").click()
    page.wait_for_load_state()
    assert page.get_by_role("link", name="Ethics of Psychedelic-Informed Practice").is_visible()
    assert page.locator("main h2 a").count() == 1
    page.screenshot(path=str(SHOTS / "catalog-license-filter.png"), full_page=True)
    page.get_by_role("link", name="Ethics of Psychedelic-Informed Practice").click()
    page.get_by_role("button", name="Enroll in this course").click()
    page.wait_for_load_state()
    # Seat time through the heartbeat service, as a visible tab earns it.
    live_server.earn_seat_time("sam@example.org", SLUG)
    page.reload()

    for _ in range(20):
        if "/lessons/" not in page.url:
            break
        page.get_by_role("button", name="Mark lesson complete").click()
        page.wait_for_load_state()

    page.goto(f"/courses/{SLUG}/quiz")
    page.get_by_role("button", name="Start the post-test").click()
    page.wait_for_load_state()
    key = answer_key(live_server, attempt_id_on(page))
    for question, right in key.items():
        for value in right:
            page.locator(f'input[name="q-{question}"][value="{value}"]').check()
    page.get_by_role("button", name="Submit answers for grading").click()
    page.wait_for_load_state()
    assert "passed" in page.content()

    page.get_by_role("link", name="Complete the evaluation").click()
    page.wait_for_load_state()
    for radio in page.locator('input[type="radio"][value="5"]').all():
        radio.check()
    for name in ("bias_free", "recommend"):
        page.locator(f'input[name="{name}"][value="yes"]').check()
    page.get_by_label("How many minutes did the course take you?").fill("60")
    page.get_by_label("I completed this course myself.").check()
    page.get_by_role("button", name="Submit evaluation").click()
    page.wait_for_load_state()
    page.goto(f"/courses/{SLUG}")
    page.get_by_role("button", name="Issue my certificate").click()
    page.wait_for_load_state()

    page.goto("/licenses/")
    assert _owed(page, "ethics") == "0.0"
    assert _owed(page, "total") == "39.0"
    assert_accessible(page, "license tracker, ethics met")
    page.screenshot(path=str(SHOTS / "license-tracker-closed.png"), full_page=True)
    page.context.clear_cookies()
    page.goto("/")
    assert "LCSW-7788" not in page.content()
