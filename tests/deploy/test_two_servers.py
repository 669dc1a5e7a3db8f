"""Several app servers on one PostgreSQL: no state lives in a server process.

Two gunicorn servers, two workers each, share one database. A token from one works on the
other, and certificate requests raced across both issue exactly one certificate.
"""

from __future__ import annotations

import threading

import pytest
from sqlalchemy import text
from sqlalchemy.orm import Session

from tests import factories
from tests.deploy.conftest import COURSE, answer_sheet, postgres_url, register
from tests.learning.conftest import evaluation_answers, finish_lessons, start

pytestmark = pytest.mark.skipif(
    postgres_url() is None, reason="needs PostgreSQL: set CE_TEST_DATABASE_URL"
)


def test_token_issued_by_one_server_works_on_the_other(deployment):
    token = register(deployment.a, "token-traveller@example.org")

    on_b = deployment.b.signed_in(token).get("/api/v1/me")

    assert on_b.status_code == 200, on_b.get_json()
    assert on_b.get_json()["user"]["email"] == "token-traveller@example.org"
    assert deployment.b.get("/api/v1/me").status_code == 401


def test_token_revoked_on_one_server_is_refused_by_the_other(deployment):
    token = register(deployment.a, "token-revoker@example.org")
    assert deployment.a.signed_in(token).get("/api/v1/me").status_code == 200

    assert deployment.b.signed_in(token).delete("/api/v1/auth/token").status_code == 204

    refused = deployment.a.signed_in(token).get("/api/v1/me")
    assert refused.status_code == 401, refused.get_json()


def _complete_course_on(server, deployment, email: str) -> None:
    """Meet every requirement of the course through the API of one server; the seat time is
    earned through the learning service on the servers' database, on an advancing clock."""
    assert server.post(f"/api/v1/courses/{COURSE}/enrollment").status_code == 201
    finish_lessons(server, COURSE, seat_time=False)
    with Session(deployment.engine) as session:
        factories.earn_seat_time(email, COURSE, session=session)
        session.execute(  # the confirmation mail's link, followed
            text("UPDATE users SET email_verified_at = now() WHERE email = :email"),
            {"email": email},
        )
        session.commit()
    attempt_id = start(server, COURSE)["id"]
    graded = server.post(
        f"/api/v1/quiz/attempts/{attempt_id}/submit",
        json={"answers": answer_sheet(deployment, attempt_id)},
    )
    assert graded.status_code == 200 and graded.get_json()["passed"], graded.get_json()
    evaluated = server.post(
        f"/api/v1/courses/{COURSE}/evaluation",
        json={"answers": evaluation_answers(), "attestation": True},
    )
    assert evaluated.status_code == 201, evaluated.get_json()


def _race(calls) -> list:
    """Run each call in its own thread, all released at the same moment; bounded waits."""
    barrier = threading.Barrier(len(calls), timeout=30)
    results: list = [None] * len(calls)
    failures: list[BaseException] = []

    def run(index, call):
        try:
            barrier.wait()
            results[index] = call()
        except BaseException as exc:  # reported by the test thread below
            failures.append(exc)

    threads = [threading.Thread(target=run, args=(i, c), daemon=True) for i, c in enumerate(calls)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join(timeout=120)
    assert not any(thread.is_alive() for thread in threads), "a raced request never finished"
    assert not failures, failures
    return results


def test_certificate_requests_raced_across_servers_issue_one_certificate(deployment):
    token = register(deployment.a, "racer@example.org")
    on_a = deployment.a.signed_in(token)
    on_b = deployment.b.signed_in(token)
    _complete_course_on(on_a, deployment, "racer@example.org")

    url = f"/api/v1/courses/{COURSE}/certificate"
    responses = _race([lambda server=server: server.post(url) for server in (on_a, on_b) * 2])

    statuses = sorted(r.status_code for r in responses)
    assert statuses == [200, 200, 200, 201], (
        [r.get_json() for r in responses],
        deployment.server_logs(),
    )
    numbers = {r.get_json()["certificate"]["number"] for r in responses}
    assert len(numbers) == 1
    stored = deployment.query(
        "SELECT c.number FROM certificates c JOIN users u ON u.id = c.user_id"
        " WHERE u.email = :email",
        email="racer@example.org",
    )
    assert [row.number for row in stored] == list(numbers)
    # The stored PDF is served by either server, whichever one rendered it.
    (number,) = numbers
    for server in (on_a, on_b):
        pdf = server.get(f"/api/v1/certificates/{number}.pdf")
        assert pdf.status_code == 200 and pdf.body.startswith(b"%PDF-")
