"""The license tracker: cycles, categories, CE earned here and reported from elsewhere."""

import re
from datetime import date, timedelta
from decimal import Decimal

from ce_platform.extensions import db
from ce_platform.licenses import services
from ce_platform.licenses.models import ExternalCredit, License
from tests import factories
from tests.licenses.conftest import PDF, add_license, report_external


def _row(html: str, topic: str) -> list[str]:
    """The cells of one requirement row of the tracker table, as text."""
    row = re.search(rf'<tr data-topic="{topic}">(.*?)</tr>', html, re.S)
    assert row, f"no {topic} row"
    return [
        re.sub(r"<[^>]+>", "", c).strip()
        for c in re.findall(r"<t[hd][^>]*>(.*?)</t[hd]>", row.group(1), re.S)
    ]


def _license(user, renewal: date, months: int = 24, total: str = "40", **requirements):
    license_ = services.add_license(
        db.session,
        user.id,
        profession="social_worker",
        state="OR",
        number="SW-1",
        renewal_date=renewal,
        cycle_months=months,
        total_hours=Decimal(total),
        requirements=requirements,
    )
    db.session.commit()
    return license_


def _external(user, day: date, **credits):
    credit = services.add_external_credit(
        db.session,
        user.id,
        title="Elsewhere",
        provider="Other CE",
        completed_on=day,
        credits=credits,
        file_name="c.pdf",
        file_data=PDF,
        today=date(2030, 1, 1),
    )
    db.session.commit()
    return credit


def test_cycles_end_on_the_renewal_date_and_run_back_a_cycle_length():
    user = factories.user()
    license_ = _license(user, date(2027, 3, 31), months=24)
    assert services.cycle_of(license_) == services.Cycle(date(2025, 4, 1), date(2027, 3, 31))
    assert services.cycle_of(license_, -1) == services.Cycle(date(2023, 4, 1), date(2025, 3, 31))
    # A month-end renewal stays inside shorter months.
    feb = _license(user, date(2028, 2, 29), months=12)
    assert services.cycle_of(feb, -1).end == date(2027, 2, 28)


def test_external_ce_counts_only_in_its_own_cycle_and_by_category():
    user = factories.user()
    license_ = _license(user, date(2027, 3, 31), total="30", ethics="6", law="2")
    _external(user, date(2026, 5, 1), ethics="3", general="4")  # this cycle
    _external(user, date(2025, 3, 31), ethics="5")  # last day of the cycle before
    _external(user, date(2025, 4, 1), law="2")  # first day of this cycle

    now = services.standing(db.session, license_)
    assert (now.total.elsewhere, now.total.owed) == (Decimal("9"), Decimal("21"))
    ethics, law = now.topics
    assert (ethics.topic, ethics.earned, ethics.owed) == ("ethics", Decimal("3"), Decimal("3"))
    assert (law.topic, law.owed) == ("law", Decimal("0"))
    assert now.owed_topics == ["ethics"] and not now.complete

    before = services.standing(db.session, license_, -1)
    assert before.total.earned == Decimal("5")
    assert before.topics[0].owed == Decimal("1")


def test_certificates_earned_here_count_by_their_credit_categories(
    auth, social_worker, ethics_course, earn_certificate, api
):
    api.login()
    earn_certificate("ethics-course")
    license_ = _license(social_worker, date.today() + timedelta(days=100), total="3", ethics="2")
    state = services.standing(db.session, license_)
    assert (state.total.here, state.topics[0].here) == (Decimal("1.00"), Decimal("1.0"))
    assert state.topics[0].owed == Decimal("1.0")
    # The same certificate falls outside a cycle that ended before it was earned.
    assert services.standing(db.session, license_, -1).total.here == 0


def test_revoked_certificates_do_not_count(
    social_worker, ethics_course, earn_certificate, api, runner
):
    api.login()
    number = earn_certificate("ethics-course")["number"]
    from sqlalchemy import select

    from ce_platform.certificates.models import Certificate

    cert = db.session.scalar(select(Certificate).where(Certificate.number == number))
    cert.status = "revoked"
    db.session.commit()
    license_ = _license(social_worker, date.today() + timedelta(days=100), total="3", ethics="2")
    assert services.standing(db.session, license_).total.here == 0


def test_the_tracker_page_shows_the_gap_and_the_courses_that_close_it(
    client, auth, social_worker, ethics_course, earn_certificate, api
):
    factories.course(
        "general-course", title="General Practice Update", ce_hours="1.0", credits="{general: 1.0}"
    )
    auth.login()
    response = add_license(client, total_hours="10", ethics="2")
    assert response.status_code == 302
    html = client.get("/licenses/").get_data(as_text=True)
    assert _row(html, "ethics")[1:5] == ["2.0", "0.0", "0.0", "2.0"]
    assert 'role="img"' in html and "<title id=" in html
    gap = html.split("count toward the gap", 1)[1]
    assert "Ethics of Consent" in gap and "General Practice Update" not in gap

    api.login()
    earn_certificate("ethics-course")
    assert report_external(client, ethics="1").status_code == 302
    html = client.get("/licenses/").get_data(as_text=True)
    assert _row(html, "ethics")[1:5] == ["2.0", "1.0", "1.0", "0.0"]
    assert _row(html, "total")[1:5] == ["10.0", "1.0", "1.0", "8.0"]
    # Ethics is met; the total is not, so any course not yet taken counts now.
    gap = html.split("count toward the gap", 1)[1]
    assert "General Practice Update" in gap and "Ethics of Consent" not in gap


def test_requirements_come_from_the_learner_with_named_topics(client, auth, social_worker):
    auth.login()
    add_license(client, total_hours="36", ethics="3", topic="Suicide  Prevention", topic_hours="6")
    license_ = db.session.query(License).one()
    assert license_.requirements == {"ethics": "3", "suicide prevention": "6"}
    html = client.get("/licenses/").get_data(as_text=True)
    assert _row(html, "suicide prevention")[4] == "6.0"


def test_bad_license_input_is_a_400_with_the_reason_and_stores_nothing(client, auth, social_worker):
    auth.login()
    for fields, reason in (
        ({"total_hours": "forty"}, "is not a number"),
        ({"ethics": "50"}, "more than the 40"),
        ({"state": "ZZ"}, "Not a valid choice"),
        ({"cycle_months": "200"}, "Number must be between 1 and 120"),
        ({"topic": "<b>law</b>", "topic_hours": "2"}, "law"),
    ):
        response = add_license(client, **fields)
        assert response.status_code == 400, fields
        assert reason in response.get_data(as_text=True), fields
    assert db.session.query(License).count() == 0


def test_a_license_of_someone_else_reads_as_missing(client, auth, social_worker):
    other = factories.user("other@example.org")
    license_ = _license(other, date(2027, 1, 1))
    auth.login()
    assert client.get(f"/licenses/{license_.id}").status_code == 404
    assert "SW-1" not in client.get("/licenses/").get_data(as_text=True)


def test_the_cycle_before_is_one_click_away(client, auth, social_worker):
    license_ = _license(social_worker, date(2027, 3, 31))
    _external(social_worker, date(2024, 6, 1), ethics="2")
    auth.login()
    html = client.get(f"/licenses/{license_.id}?cycle=-1").get_data(as_text=True)
    assert "2023-04-01 to 2025-03-31" in html
    assert _row(html, "total")[3] == "2.0"
    assert client.get(f"/licenses/{license_.id}?cycle=abc").status_code == 200


def test_the_license_number_stays_off_public_pages(client, auth, social_worker):
    auth.login()
    add_license(client, number="LIC-998877")
    assert "LIC-998877" in client.get("/licenses/").get_data(as_text=True)
    auth.logout()
    for path in ("/", "/licenses/"):
        assert "LIC-998877" not in client.get(path).get_data(as_text=True)


def test_external_credit_rows_are_private_to_their_owner():
    owner, other = factories.user(), factories.user()
    credit = _external(owner, date(2026, 1, 1), ethics="1")
    assert services.get_external_credit(db.session, credit.id, user_id=owner.id, is_admin=False)
    assert services.get_external_credit(db.session, credit.id, user_id=other.id, is_admin=True)
    import pytest

    from ce_platform.core.errors import NotFound

    with pytest.raises(NotFound):
        services.get_external_credit(db.session, credit.id, user_id=other.id, is_admin=False)
    assert db.session.query(ExternalCredit).count() == 1
