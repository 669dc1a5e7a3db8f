"""The roster: each enrollment with its progress, attempts, status, seat time and certificate."""

from __future__ import annotations

import re
from datetime import timedelta

import pytest
from sqlalchemy import event, select, update

from ce_platform.catalog.models import Lesson
from ce_platform.core.models import utcnow
from ce_platform.extensions import db
from ce_platform.learning import services as learning
from ce_platform.learning.models import Enrollment, LessonProgress
from ce_platform.reports import services
from tests import factories
from tests.learning.conftest import finish_lessons, start, submit
from tests.reports.conftest import SLUG, completer, read_csv


@pytest.fixture
def histories(api, people, course):
    """Three learners at three stages: certified, failed once, just enrolled."""
    certificate = completer(api, "dana@example.org", **factories.CLINICIAN)
    factories.user("bo@example.org", full_name="Bo Trier", profession="counselor")
    api.login("bo@example.org")
    api.post(f"/api/v1/courses/{SLUG}/enrollment")
    finish_lessons(api, SLUG)
    graded = submit(api, start(api, SLUG)["id"], correct=2).get_json()
    assert graded["score"] == 29 and not graded["passed"]  # 2 of 7 questions
    # The 8-minute floor and 75 s more in lesson 1, credited through the heartbeat rule.
    enrollment = db.session.scalar(
        select(Enrollment).join(Enrollment.user).where(Enrollment.user.has(email="bo@example.org"))
    )
    lesson = db.session.scalar(
        select(Lesson).where(Lesson.revision_id == enrollment.revision_id, Lesson.position == 1)
    )
    t0 = utcnow()
    for seconds in (0, 30, 75):
        learning.heartbeat(db.session, enrollment, lesson, now=t0 + timedelta(seconds=seconds))
    db.session.commit()

    factories.user("cy@example.org", full_name="Cy Newcomer")
    api.login("cy@example.org")
    api.post(f"/api/v1/courses/{SLUG}/enrollment")
    return certificate


def test_roster_reports_each_learners_progress_attempts_and_certificate(api, histories):
    api.login("instructor@example.org")
    response = api.get(f"/api/v1/reports/courses/{SLUG}/roster")
    assert response.status_code == 200
    rows = {row["email"]: row for row in response.get_json()["rows"]}
    assert [r["name"] for r in response.get_json()["rows"]] == [
        "Bo Trier",
        "Cy Newcomer",
        "Dana Clinician",
    ]

    dana = rows["dana@example.org"]
    assert dana["profession"] == "Social worker"
    assert (dana["license_number"], dana["license_state"]) == ("SW-12345", "OR")
    assert dana["revision"] == 1
    assert (dana["lessons_completed"], dana["lessons_total"]) == (3, 3)
    assert dana["progress"] == 100
    assert dana["attempts_used"] == 1 and dana["best_score"] == 100 and dana["passed"]
    assert dana["status"] == "complete" and dana["completed_at"]
    assert dana["certificate_number"] == histories["number"]
    assert dana["certificate_status"] == "valid"

    bo = rows["bo@example.org"]
    assert (bo["lessons_completed"], bo["lessons_total"]) == (3, 3)
    # 3 lessons and seat time worth 3 of 9 steps (+ post-test, evaluation, attestation)
    assert bo["progress"] == 66
    assert bo["attempts_used"] == 1 and bo["best_score"] == 29 and not bo["passed"]
    assert bo["status"] == "awaiting_post_test"
    assert bo["seat_seconds"] == 8 * 60 + 75
    assert bo["seat_floor_minutes"] == 8 and bo["below_seat_floor"] is False
    assert bo["completed_at"] is None and bo["certificate_number"] is None

    cy = rows["cy@example.org"]
    assert cy["lessons_completed"] == 0 and cy["progress"] == 0
    assert cy["attempts_used"] == 0 and cy["best_score"] is None and not cy["passed"]
    assert cy["status"] == "in_progress" and cy["seat_seconds"] == 0


def test_roster_page_shows_the_table_and_links_to_every_report(client, auth, histories):
    auth.login("instructor@example.org")
    html = client.get(f"/reports/courses/{SLUG}/").get_data(as_text=True)
    assert "<h1>Ethics in Testing Practice: roster</h1>" in html
    for name in ("Bo Trier", "Cy Newcomer", "Dana Clinician"):
        assert f'<th scope="row">{name}' in html
    assert histories["number"] in html
    assert "Awaiting post-test" in html and "29%" in html and "9 min" in html
    assert "Below the 8-minute floor" not in html
    for path in ("roster.csv", "completions.csv", "item-analysis", "evaluations"):
        assert f'href="/reports/courses/{SLUG}/{path}"' in html
    assert f'href="/reports/courses/{SLUG}/ce-broker.xlsx?credit=full"' in html
    assert f'href="/reports/courses/{SLUG}/ce-broker.xlsx?credit=partial"' in html


def test_roster_csv_has_a_header_and_one_line_per_enrollment(client, auth, histories):
    auth.login("instructor@example.org")
    rows = read_csv(client.get(f"/reports/courses/{SLUG}/roster.csv"))
    header = rows[0]
    assert header[:6] == [
        "Name",
        "Email",
        "Profession",
        "License number",
        "License state",
        "Revision",
    ]
    table = [dict(zip(header, row, strict=True)) for row in rows[1:]]
    assert [r["Name"] for r in table] == ["Bo Trier", "Cy Newcomer", "Dana Clinician"]
    assert table[0]["Seat time (minutes)"] == "9.2"
    assert table[0]["Seat-time floor (minutes)"] == "8"
    assert [r["Completed below the floor"] for r in table] == ["no", "no", "no"]
    assert table[0]["Best score %"] == "29" and table[0]["Passed"] == "no"
    assert table[1]["Best score %"] == "" and table[1]["Status"] == "In progress"
    assert table[2]["Certificate number"] == histories["number"]


def test_roster_loads_a_fixed_number_of_queries_whatever_the_number_of_learners(
    api, histories, course
):
    def count_queries() -> int:
        statements = []

        def before(conn, cursor, statement, *args):
            statements.append(statement)

        connection = db.session.connection()
        event.listen(connection, "before_cursor_execute", before)
        try:
            db.session.expire_all()
            services.roster(db.session, course)
        finally:
            event.remove(connection, "before_cursor_execute", before)
        return len(statements)

    with_three = count_queries()
    for n in range(4):
        factories.user(f"extra{n}@example.org")
        api.login(f"extra{n}@example.org")
        api.post(f"/api/v1/courses/{SLUG}/enrollment")
    assert count_queries() == with_three


def test_roster_table_scrolls_in_a_focusable_labelled_region_on_a_wide_page(
    client, auth, histories
):
    auth.login("instructor@example.org")
    html = client.get(f"/reports/courses/{SLUG}/").get_data(as_text=True)
    # Keyboard users can scroll the table; the page is wide enough for every column at 1280 px.
    region = re.search(r'<div class="table-scroll"([^>]*)>', html).group(1)
    assert 'tabindex="0"' in region and 'role="region"' in region
    # Its own name: the section around it is already the "Learners" landmark.
    assert 'aria-label="Roster table' in region and "aria-labelledby" not in region
    assert '<main id="main" class="wrap wide"' in html


def test_roster_page_is_paginated_by_name(client, auth, histories, monkeypatch):
    from ce_platform.reports import views

    monkeypatch.setattr(views, "ROSTER_PAGE_SIZE", 2)
    auth.login("instructor@example.org")
    first = client.get(f"/reports/courses/{SLUG}/").get_data(as_text=True)
    assert "Bo Trier" in first and "Cy Newcomer" in first and "Dana Clinician" not in first
    assert "3 enrolled; page 1 of 2" in first
    assert f'href="/reports/courses/{SLUG}/?page=2" rel="next"' in first
    second = client.get(f"/reports/courses/{SLUG}/?page=2").get_data(as_text=True)
    assert "Dana Clinician" in second and "Bo Trier" not in second
    assert client.get(f"/reports/courses/{SLUG}/?page=99").status_code == 200  # last page


def test_roster_api_is_paginated(api):
    from tests import factories

    factories.course("paged-course", title="Paged")
    for n in range(3):
        factories.user(f"p{n}@example.org", full_name=f"Learner {n}")
        api.login(f"p{n}@example.org")
        api.post("/api/v1/courses/paged-course/enrollment")
    factories.user("boss@example.org", role="admin")
    api.login("boss@example.org")
    first = api.get("/api/v1/reports/courses/paged-course/roster?per_page=2").get_json()
    second = api.get("/api/v1/reports/courses/paged-course/roster?per_page=2&page=2").get_json()
    assert (first["total"], first["page"], first["per_page"]) == (3, 1, 2)
    assert [r["name"] for r in first["rows"]] == ["Learner 0", "Learner 1"]
    assert [r["name"] for r in second["rows"]] == ["Learner 2"]
    bad = api.get("/api/v1/reports/courses/paged-course/roster?per_page=5000")
    assert bad.status_code == 400 and "per_page" in bad.get_json()["error"]["details"]


def test_roster_flags_a_completion_whose_seat_time_is_below_its_revisions_floor(
    client, auth, api, histories
):
    # Dana's records as a deployment from before the floor kept them: a minute of seat time.
    dana = db.session.scalar(
        select(Enrollment).where(Enrollment.user.has(email="dana@example.org"))
    )
    db.session.execute(
        update(LessonProgress)
        .where(LessonProgress.enrollment_id == dana.id)
        .values(active_seconds=20)
    )
    db.session.commit()

    api.login("instructor@example.org")
    rows = {
        r["email"]: r for r in api.get(f"/api/v1/reports/courses/{SLUG}/roster").get_json()["rows"]
    }
    assert (
        rows["dana@example.org"]["completed_at"] and rows["dana@example.org"]["certificate_number"]
    )
    assert rows["dana@example.org"]["below_seat_floor"] is True
    assert rows["bo@example.org"]["below_seat_floor"] is False  # not complete: nothing to flag
    auth.login("instructor@example.org")
    html = client.get(f"/reports/courses/{SLUG}/").get_data(as_text=True)
    dana_row = html[html.index('<th scope="row">Dana Clinician') :].split("</tr>")[0]
    assert "1 min" in dana_row and "Below the 8-minute floor" in dana_row
    assert html.count("Below the 8-minute floor") == 1
    table = read_csv(client.get(f"/reports/courses/{SLUG}/roster.csv"))
    header = table[0]
    flags = {row[0]: row[header.index("Completed below the floor")] for row in table[1:]}
    assert flags == {"Bo Trier": "no", "Cy Newcomer": "no", "Dana Clinician": "yes"}
