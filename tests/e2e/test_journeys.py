"""A clinician from sign-up to a verified certificate; an admin revokes it; all in Chromium."""

from __future__ import annotations

import io
import re

from pypdf import PdfReader

from tests.e2e.conftest import PASSWORD, sign_in
from tests.e2e.helpers import answer_key, assert_accessible, attempt_id_on

STATE: dict = {}


def _answer(page, server, *, correct: bool) -> None:
    key = answer_key(server, attempt_id_on(page))
    for question, right in key.items():
        inputs = page.locator(f'input[name="q-{question}"]')
        values = [inputs.nth(i).get_attribute("value") for i in range(inputs.count())]
        multiple = inputs.first.get_attribute("type") == "checkbox"
        chosen = right if correct else {next(v for v in values if v not in right)}
        for value in values:
            if value in chosen:
                page.locator(f'input[name="q-{question}"][value="{value}"]').check()
            elif multiple:
                page.locator(f'input[name="q-{question}"][value="{value}"]').uncheck()
    page.get_by_role("button", name="Submit answers for grading").click()
    page.wait_for_load_state()


def test_learner_goes_from_sign_up_to_a_verified_certificate(page, live_server, tmp_path):
    page.goto("/register")
    page.get_by_label("Email").fill("robin@example.org")
    page.get_by_label("Password (at least 12 characters)").fill(PASSWORD)
    page.get_by_label("Repeat password").fill(PASSWORD)
    page.get_by_label("Full name (as it should appear on certificates)").fill("Robin Park")
    page.get_by_label("Credentials (e.g. PhD, LCSW)").fill("LPC")
    page.get_by_label("Profession").select_option("counselor")
    page.get_by_label("License number").fill("LPC-4242")
    page.get_by_label("License state").select_option("WA")
    page.get_by_role("button", name="Create account").click()
    page.wait_for_load_state()
    # Registering signs the new account in.
    assert page.get_by_role("button", name="Sign out").is_visible()
    # The confirmation link goes by mail (tests/jobs/test_emails.py follows it); here the
    # operator confirms the address, as `flask users verify-email` does.
    live_server.flask("users", "verify-email", "robin@example.org")

    page.goto("/api-reference")
    assert_accessible(page, "API reference")
    page.goto("/")
    assert_accessible(page, "catalog")
    assert page.get_by_role("link", name="Ethics of Psychedelic-Informed Practice").is_visible()
    page.get_by_role("link", name="E2E Course").click()
    assert_accessible(page, "course page")
    assert "75%" in page.content()
    page.get_by_role("button", name="Enroll in this course").click()

    for n in (1, 2, 3):
        page.wait_for_url(re.compile(rf"/lessons/lesson-{n}$"))
        if n == 1:
            assert_accessible(page, "lesson page")
            assert "active minutes of reading still needed" in page.content()
        assert page.get_by_role("heading", name=f"Lesson {n}", exact=True).is_visible()
        page.get_by_role("button", name="Mark lesson complete").click()
    page.wait_for_load_state()
    page.goto("/courses/e2e-course")
    assert "Spend more time with the lessons" in page.content()
    live_server.earn_seat_time("robin@example.org", "e2e-course")

    page.goto("/courses/e2e-course/quiz")
    page.get_by_role("button", name="Start the post-test").click()
    page.wait_for_load_state()
    assert_accessible(page, "post-test")
    _answer(page, live_server, correct=False)
    assert "not passed" in page.content()
    page.goto("/courses/e2e-course/quiz")
    page.get_by_role("button", name="Start another attempt").click()
    page.wait_for_load_state()
    _answer(page, live_server, correct=True)
    assert "100%" in page.content() and "passed" in page.content()

    page.get_by_role("link", name="Complete the evaluation").click()
    page.wait_for_load_state()
    assert_accessible(page, "evaluation")
    for radio in page.locator('input[type="radio"][value="5"]').all():
        radio.check()
    for name in ("bias_free", "recommend"):
        page.locator(f'input[name="{name}"][value="yes"]').check()
    page.get_by_label("How many minutes did the course take you?").fill("25")
    page.get_by_label("I completed this course myself.").check()
    page.get_by_role("button", name="Submit evaluation").click()
    page.wait_for_load_state()

    page.goto("/my-courses")
    assert_accessible(page, "dashboard")
    assert "Complete" in page.content()

    page.goto("/courses/e2e-course")
    page.get_by_role("button", name="Issue my certificate").click()
    page.wait_for_load_state()
    assert_accessible(page, "certificate page")
    with page.expect_download() as download_info:
        page.get_by_role("link", name="Download PDF").click()
    path = tmp_path / "certificate.pdf"
    download_info.value.save_as(path)
    text = " ".join(PdfReader(io.BytesIO(path.read_bytes())).pages[0].extract_text().split())
    for expected in ("Robin Park, LPC", "LPC-4242", "E2E Course", "Counselor"):
        assert expected in text, expected
    url = re.search(r"(http://127\.0\.0\.1:\d+/verify/CE-[0-9A-Z-]+)", text).group(1)
    STATE["number"] = url.rsplit("/", 1)[1]

    page.goto("/certificates")
    assert_accessible(page, "transcript")
    page.context.clear_cookies()
    page.goto(url)
    assert_accessible(page, "verification page")
    assert page.locator(".verdict-valid").is_visible()
    assert "Robin Park, LPC" in page.content() and "LPC-4242" not in page.content()


def test_admin_revokes_the_certificate_and_verification_says_revoked(page, live_server):
    number = STATE.get("number")
    assert number, "the learner journey must run first and issue a certificate"
    sign_in(page, "admin@example.org")
    page.goto(f"/certificates/{number}")
    page.get_by_label("Reason").select_option("issued_in_error")
    page.get_by_label("Note for the record").fill("e2e check")
    page.get_by_label("I confirm").check()
    page.get_by_role("button", name="Revoke certificate").click()
    page.wait_for_load_state()
    page.context.clear_cookies()
    page.goto(f"/verify/{number}")
    assert page.locator(".verdict-revoked").is_visible()
    assert "Revoked" in page.content() and "Issued in error" in page.content()


def test_the_post_test_can_be_completed_with_the_keyboard_alone(page, live_server):
    page.goto("/register")
    page.get_by_label("Email").fill("kay@example.org")
    page.get_by_label("Password (at least 12 characters)").fill(PASSWORD)
    page.get_by_label("Repeat password").fill(PASSWORD)
    page.get_by_label("Full name (as it should appear on certificates)").fill("Kay Board")
    page.get_by_label("Profession").select_option("nurse")
    page.get_by_role("button", name="Create account").click()
    page.wait_for_load_state()
    assert page.get_by_role("button", name="Sign out").is_visible()
    page.goto("/courses/e2e-course")
    page.get_by_role("button", name="Enroll in this course").click()
    for _ in range(3):
        page.get_by_role("button", name="Mark lesson complete").click()
        page.wait_for_load_state()
    live_server.earn_seat_time("kay@example.org", "e2e-course")
    page.goto("/courses/e2e-course/quiz")
    page.get_by_role("button", name="Start the post-test").click()
    page.wait_for_load_state()
    key = answer_key(live_server, attempt_id_on(page))

    def focused() -> dict:
        return page.evaluate(
            "() => ({tag: document.activeElement.tagName, type: document.activeElement.type,"
            " name: document.activeElement.name, value: document.activeElement.value,"
            " text: document.activeElement.textContent})"
        )

    # From the top of the page, Tab until the first answer has focus.
    for _ in range(40):
        page.keyboard.press("Tab")
        if focused()["name"].startswith("q-"):
            break
    questions = page.locator("fieldset.question")
    for q in range(questions.count()):
        inputs = questions.nth(q).locator("input")
        name = inputs.first.get_attribute("name")
        values = [inputs.nth(i).get_attribute("value") for i in range(inputs.count())]
        right = key[name[2:]]
        assert focused()["name"] == name
        if inputs.first.get_attribute("type") == "radio":
            target = values.index(next(iter(right)))
            if target == 0:
                page.keyboard.press("Space")
            for _ in range(target):
                page.keyboard.press("ArrowDown")
            page.keyboard.press("Tab")
        else:
            for value in values:
                if value in right:
                    page.keyboard.press("Space")
                page.keyboard.press("Tab")
    assert focused()["tag"] == "BUTTON" and "Submit" in focused()["text"]
    page.keyboard.press("Enter")
    page.wait_for_url(re.compile(r"/courses/e2e-course/quiz/\d+$"))
    heading = page.get_by_role("heading", level=1).text_content()
    assert "100%" in heading and "passed" in heading


def test_the_accessibility_check_catches_a_real_violation(page):
    import pytest

    page.set_content('<html><body><main><img src="x.png"><input type="text"></main></body></html>')
    with pytest.raises(AssertionError, match="image-alt|label"):
        assert_accessible(page, "a page with an unlabelled input and an image without alt")


def test_instructor_edits_with_live_preview_fixes_a_quiz_error_and_publishes(page, live_server):
    from playwright.sync_api import expect

    sign_in(page, "instructor@example.org")
    page.goto("/authoring/")
    assert_accessible(page, "authoring course list")
    page.goto("/authoring/courses/e2e-course/")
    assert_accessible(page, "authoring course overview")

    page.goto("/authoring/courses/e2e-course/edit/01-lesson-1.md")
    assert_accessible(page, "lesson editor")
    editor = page.locator("#markdown")
    original = editor.input_value()
    editor.fill(original.replace("Lesson text for learners.", "Freshly revised lesson text."))
    expect(page.locator("#preview-html")).to_contain_text("Freshly revised lesson text.")
    page.locator("button[value=save]").click()
    page.wait_for_load_state()

    page.goto("/authoring/courses/e2e-course/edit/quiz.md")
    quiz = editor.input_value()
    broken = quiz.replace("- [x] Right answer 2", "- [ ] Right answer 2")
    heading_line = broken.splitlines().index("## q2") + 1
    editor.fill(broken)
    own = page.locator("#diagnostics-own")
    expect(own).to_contain_text(f"quiz.md:{heading_line}: error:")
    expect(own).to_contain_text('"q2" has no correct option')
    editor.fill(quiz)  # the fix the diagnostic points at
    expect(own).not_to_contain_text("no correct option")
    page.locator("button[value=save]").click()
    page.wait_for_load_state()

    page.goto("/authoring/courses/e2e-course/")
    page.get_by_role("button", name="Publish the draft").click()
    page.wait_for_load_state()
    assert "history" in page.url, page.content()

    # Learners already enrolled stay on their revision; a new enrollment gets the new text.
    page.context.clear_cookies()
    sign_in(page, "robin@example.org")
    page.goto("/courses/e2e-course/lessons/lesson-1")
    assert "Lesson text for learners." in page.content()
    assert "Freshly revised" not in page.content()
    page.context.clear_cookies()
    page.goto("/register")
    page.get_by_label("Email").fill("newcomer@example.org")
    page.get_by_label("Password (at least 12 characters)").fill(PASSWORD)
    page.get_by_label("Repeat password").fill(PASSWORD)
    page.get_by_label("Full name (as it should appear on certificates)").fill("Nia Newcomer")
    page.get_by_label("Profession").select_option("psychologist")
    page.get_by_role("button", name="Create account").click()
    page.wait_for_load_state()
    page.goto("/courses/e2e-course")
    page.get_by_role("button", name="Enroll in this course").click()
    page.wait_for_url(re.compile(r"/lessons/lesson-1$"))
    assert "Freshly revised lesson text." in page.content()
