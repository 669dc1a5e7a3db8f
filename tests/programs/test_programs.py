import io
import re

import pytest
from pypdf import PdfReader
from sqlalchemy import select

from ce_platform.certificates import services as certificates
from ce_platform.core.errors import BusinessRuleError
from ce_platform.extensions import db
from ce_platform.learning.models import Enrollment
from ce_platform.programs import services
from ce_platform.programs.models import Program, ProgramEnrollment
from tests import factories
from tests.certificates.conftest import complete_course
from tests.certificates.test_pdf_conformance import assert_conforms
from tests.conftest import csrf_token
from tests.programs.conftest import PROGRAM_MD

BASE = "https://ce.example.org"


def earn(api, slug: str) -> str:
    """Complete a course and issue its certificate through the API; the certificate number."""
    complete_course(api, slug)
    response = api.post(f"/api/v1/courses/{slug}/certificate")
    assert response.status_code == 201, response.get_json()
    return response.get_json()["certificate"]["number"]


def enroll_page(client, slug="testing-foundations"):
    token = csrf_token(client, f"/programs/{slug}")
    return client.post(f"/programs/{slug}/enroll", data={"csrf_token": token})


def test_courses_sync_publishes_the_program_once_and_rejects_unknown_courses(runner, tmp_path):
    files = {"course-a": factories.course_files(), "course-b": factories.course_files()}
    factories.write_courses_root(tmp_path, files)
    folder = tmp_path / "_programs" / "pair"
    folder.mkdir(parents=True)
    text = (
        PROGRAM_MD.replace("    - course-c\n    - course-d\n", "")
        .replace("  elective:\n", "")
        .replace(" plus 1 elective", "")
    )
    (folder / "program.md").write_text(text)
    first = runner.invoke(args=["courses", "sync", str(tmp_path)])
    assert "program pair: created (revision 1)" in first.output, first.output
    again = runner.invoke(args=["courses", "sync", str(tmp_path)])
    assert "program pair: unchanged (revision 1)" in again.output
    program = db.session.scalar(select(Program).where(Program.slug == "pair"))
    assert program.current_revision.required == ["course-a", "course-b"]
    (folder / "program.md").write_text(text.replace("course-b", "course-zz"))
    broken = runner.invoke(args=["courses", "sync", str(tmp_path)])
    assert broken.exit_code == 1
    assert "_programs/pair/program.md:9: error: R003" in broken.output


def test_enrolling_in_a_program_enrolls_in_its_required_courses(program, client, auth):
    learner = factories.user("learner@example.org")
    auth.login()
    assert enroll_page(client).status_code == 302
    slugs = set(
        db.session.scalars(
            select(Enrollment.course_id).where(Enrollment.user_id == learner.id)
        ).all()
    )
    assert len(slugs) == 2  # course-a and course-b; electives wait for the learner's choice
    assert db.session.scalar(
        select(ProgramEnrollment).where(ProgramEnrollment.user_id == learner.id)
    )
    page = client.get("/programs/testing-foundations").get_data(as_text=True)
    assert "Next step:" in page and "Continue: Course A" in page
    assert 'aria-label="Progress in the program Testing Foundations"' in page


def test_certificate_is_refused_until_the_rule_holds(program, api, client, auth):
    learner = factories.user("learner@example.org")
    api.login()
    earn(api, "course-a")
    enrollment, _ = services.enroll(db.session, learner, program, today=factories_today())
    with pytest.raises(BusinessRuleError) as refused:
        services.issue_certificate(db.session, enrollment, base_url=BASE)
    assert "Course B" in refused.value.message and "1 more elective" in refused.value.message


def factories_today():
    from ce_platform.core.models import utcnow

    return utcnow().date()


def test_program_certificate_counts_a_course_completed_before_enrolling(program, api, client, auth):
    factories.user("learner@example.org", **factories.CLINICIAN)
    api.login()
    before = earn(api, "course-a")  # before the program enrollment
    auth.login()
    enroll_page(client)
    page = client.get("/programs/testing-foundations").get_data(as_text=True)
    assert before in page and "Continue: Course B" in page  # course A already counts
    later = [earn(api, "course-b"), earn(api, "course-c")]
    dashboard = client.get("/my-courses").get_data(as_text=True)
    assert "My programs" in dashboard and "Issue your program certificate" in dashboard
    assert "100% of the program" in dashboard and "total 0.75 CE hours" in dashboard

    token = csrf_token(client, "/programs/testing-foundations")
    issued = client.post("/programs/testing-foundations/certificate", data={"csrf_token": token})
    number = re.search(r"/certificates/([A-Z0-9-]+)$", issued.headers["Location"]).group(1)
    assert number not in (before, *later)

    pdf = client.get(f"/certificates/{number}.pdf").get_data()
    text = PdfReader(io.BytesIO(pdf)).pages[0].extract_text()
    for expected in ("Program Certificate", "Dana Clinician", "Testing Foundations", number):
        assert expected in text
    for course_number in (before, *later):
        assert course_number in text
    assert "Course A" in text and "Course C" in text and "Course D" not in text
    assert_conforms(pdf)

    verify = client.get(f"/verify/{number}").get_data(as_text=True)
    assert "Testing Foundations" in verify and "Dana Clinician" in verify
    assert (
        "learner@example.org" not in verify and factories.CLINICIAN["license_number"] not in verify
    )


def test_program_certificate_is_revoked_through_the_admin_flow_and_verifies_revoked(
    program, api, client, auth
):
    learner = factories.user("learner@example.org")
    factories.user("admin@example.org", role="admin")
    api.login()
    for slug in ("course-a", "course-b", "course-d"):
        earn(api, slug)
    enrollment, _ = services.enroll(db.session, learner, program, today=factories_today())
    certificate, created = services.issue_certificate(
        db.session, enrollment, base_url=BASE, renderer=lambda snapshot: b"%PDF-test"
    )
    db.session.commit()
    assert created and certificate.snapshot["courses"][-1]["slug"] == "course-d"
    auth.login("admin@example.org")
    token = csrf_token(client, f"/certificates/{certificate.number}")
    response = client.post(
        f"/certificates/{certificate.number}/revoke",
        data={"csrf_token": token, "reason": "issued_in_error", "note": "test", "confirm": "yes"},
    )
    assert response.status_code == 302
    verify = client.get(f"/verify/{certificate.number}").get_data(as_text=True)
    assert "revoked" in verify.lower() and "Issued in error" in verify
    assert certificates.find_certificate(db.session, certificate.number).status == "revoked"


def test_another_learner_cannot_see_or_download_your_program_certificate(
    program, api, client, auth
):
    learner = factories.user("learner@example.org")
    factories.user("other@example.org")
    api.login()
    for slug in ("course-a", "course-b", "course-c"):
        earn(api, slug)
    enrollment, _ = services.enroll(db.session, learner, program, today=factories_today())
    certificate, _ = services.issue_certificate(
        db.session, enrollment, base_url=BASE, renderer=lambda snapshot: b"%PDF-test"
    )
    db.session.commit()
    auth.login("other@example.org")
    assert client.get(f"/certificates/{certificate.number}").status_code == 404
    assert client.get(f"/certificates/{certificate.number}.pdf").status_code == 404
    auth.logout()
    auth.login()
    assert client.get(f"/certificates/{certificate.number}.pdf").get_data() == b"%PDF-test"


def test_completing_a_program_mails_its_certificate_link(program, api, client, auth, smtp):
    from tests.conftest import html_part, links, run_jobs, site_path, text_part

    factories.user("learner@example.org", **factories.CLINICIAN)
    api.login()
    auth.login()
    enroll_page(client)
    for slug in ("course-a", "course-b", "course-c"):
        earn(api, slug)
    run_jobs()
    smtp.messages.clear()
    token = csrf_token(client, "/programs/testing-foundations")
    issued = client.post("/programs/testing-foundations/certificate", data={"csrf_token": token})
    number = re.search(r"/certificates/([A-Z0-9-]+)$", issued.headers["Location"]).group(1)
    run_jobs()
    message = smtp.one("learner@example.org", "You completed the program Testing Foundations")
    assert "List-Unsubscribe" not in message
    text = text_part(message)
    assert number in text and "3 courses" in text and number in html_part(message)
    [link] = [url for url in links(message) if url.endswith(f"/certificates/{number}")]
    assert link in html_part(message)
    page = client.get(site_path(link))
    assert page.status_code == 200 and number in page.get_data(as_text=True)


def test_program_page_charts_hours_against_the_minimum_beside_the_table(program, api, client, auth):
    factories.user("learner@example.org", **factories.CLINICIAN)
    api.login()
    auth.login()
    enroll_page(client)
    earn(api, "course-a")
    page = client.get("/programs/testing-foundations").get_data(as_text=True)
    chart = page[page.index('<div class="chart-and-table">') :]
    assert chart.index("<svg") < chart.index('<table class="program-hours">')
    assert 'role="img"' in chart
    assert "All categories: 0.25 of 0.75 hours" in chart  # the chart's own description
    assert "CE hours earned by credit category" in chart
