"""The audit log: the viewer, its filters, and the hash chain check (page, API and CLI)."""

from sqlalchemy import delete, func, select, update

from ce_platform.core.audit import AuditEvent
from ce_platform.extensions import db
from tests import factories
from tests.admin.conftest import add_events


def _count() -> int:
    return db.session.scalar(select(func.count(AuditEvent.id)))


def _tamper(event_id: int) -> None:
    db.session.execute(
        update(AuditEvent).where(AuditEvent.id == event_id).values(data={"tampered": True})
    )
    db.session.commit()
    db.session.expire_all()  # read back what the database now holds, as a new process would


def _delete(event_id: int) -> None:
    db.session.execute(delete(AuditEvent).where(AuditEvent.id == event_id))
    db.session.commit()
    db.session.expire_all()


# --- CLI -----------------------------------------------------------------------------------


def test_cli_reports_an_intact_chain_with_its_count(runner, learner, course):
    add_events(3, actor_id=learner.id)
    result = runner.invoke(args=["audit", "verify"])
    assert result.exit_code == 0, result.output
    assert result.output.strip() == f"audit chain intact: {_count()} events"
    assert _count() >= 4  # the course publication and the three events


def test_cli_names_the_one_row_altered_in_the_database(runner):
    ids = add_events(5)
    _tamper(ids[2])
    result = runner.invoke(args=["audit", "verify"])
    assert result.exit_code == 1
    event = db.session.get(AuditEvent, ids[2])
    assert result.output.strip() == (
        f"audit chain broken at event #{ids[2]} "
        f"(test.event_2, {event.created_at.isoformat()}): content hash mismatch"
    )


def test_cli_names_the_event_after_a_deleted_row(runner):
    ids = add_events(5)
    _delete(ids[2])
    result = runner.invoke(args=["audit", "verify"])
    assert result.exit_code == 1
    assert f"audit chain broken at event #{ids[3]} (test.event_3, " in result.output
    assert result.output.strip().endswith("previous-hash mismatch")


def test_cli_names_a_rewritten_hash_link(runner):
    ids = add_events(3)
    db.session.execute(update(AuditEvent).where(AuditEvent.id == ids[1]).values(prev_hash="f" * 64))
    db.session.commit()
    db.session.expire_all()
    result = runner.invoke(args=["audit", "verify"])
    assert result.exit_code == 1
    assert f"#{ids[1]} " in result.output
    assert "previous-hash mismatch; content hash mismatch" in result.output


def test_cli_accepts_an_empty_log(runner):
    db.session.execute(delete(AuditEvent))
    db.session.commit()
    result = runner.invoke(args=["audit", "verify"])
    assert result.exit_code == 0
    assert "audit chain intact: 0 events" in result.output


# --- page and API --------------------------------------------------------------------------


def test_viewer_shows_events_newest_first_with_actor_time_and_compact_data(
    admin_page, admin, learner
):
    add_events(2, actor_id=admin.id)
    html = admin_page.get("/admin/audit").get_data(as_text=True)
    assert f"Chain intact: {_count()} events" in html
    assert html.index("test.event_1") < html.index("test.event_0")
    event = db.session.scalar(select(AuditEvent).where(AuditEvent.action == "test.event_1"))
    assert event.created_at.strftime("%Y-%m-%d %H:%M:%S") in html
    assert f'<a href="/admin/users/{admin.id}">admin@example.org</a>' in html
    assert '<code class="audit-data">{&#34;n&#34;:1}</code>' in html


def test_viewer_filters_by_action_prefix_and_actor_email(admin_page, admin_api, admin, learner):
    add_events(2, actor_id=learner.id)
    add_events(1, actor_id=admin.id)
    factories.user("new@example.org")  # registration records nothing
    html = admin_page.get("/admin/audit?action=test.event_1").get_data(as_text=True)
    assert "test.event_1" in html and "test.event_0" not in html

    events = admin_api.get("/api/v1/admin/audit?actor=LEARNER@example.org").get_json()["events"]
    assert [e["action"] for e in events] == ["test.event_1", "test.event_0"]
    assert {e["actor_email"] for e in events} == {"learner@example.org"}

    events = admin_api.get("/api/v1/admin/audit?action=test.&actor=admin@example.org").get_json()
    assert [e["action"] for e in events["events"]] == ["test.event_0"]
    assert admin_api.get("/api/v1/admin/audit?action=test_").get_json()["events"] == []


def test_viewer_pages_by_fifty(admin_api):
    add_events(60)
    total = _count()
    first = admin_api.get("/api/v1/admin/audit").get_json()
    assert len(first["events"]) == 50 and first["total"] == total
    ids = [e["id"] for e in first["events"]]
    assert ids == sorted(ids, reverse=True)
    second = admin_api.get("/api/v1/admin/audit?page=2").get_json()
    assert len(second["events"]) == total - 50
    assert max(e["id"] for e in second["events"]) < min(ids)


def test_page_and_api_report_a_broken_chain(admin_page, admin_api):
    ids = add_events(4)
    assert admin_api.get("/api/v1/admin/audit/verify").get_json() == {
        "intact": True,
        "count": _count(),
    }
    _tamper(ids[1])
    html = admin_page.get("/admin/audit").get_data(as_text=True)
    assert f"Chain broken at event #{ids[1]}</strong>" in html
    assert "content hash mismatch" in html
    body = admin_api.get("/api/v1/admin/audit/verify").get_json()
    assert body["intact"] is False and body["broken_at"] == ids[1]
    assert body["problem"] == "content hash mismatch"
    assert body["event"]["data"] == {"tampered": True}


def test_events_from_admin_actions_verify(admin_api, learner, instructor, course):
    admin_api.patch(f"/api/v1/admin/users/{learner.id}", json={"role": "instructor"})
    admin_api.patch(f"/api/v1/admin/users/{learner.id}", json={"active": False})
    admin_api.post(
        "/api/v1/admin/courses/test-course/instructors", json={"email": instructor.email}
    )
    body = admin_api.get("/api/v1/admin/audit/verify").get_json()
    assert body == {"intact": True, "count": _count()}
    actions = [e["action"] for e in admin_api.get("/api/v1/admin/audit").get_json()["events"]]
    assert actions[:3] == [
        "course.instructor_assigned",
        "user.deactivated",
        "user.role_changed",
    ]


def test_viewer_names_course_revisions_by_their_number_not_their_row_id(admin_page, course):
    factories.course("test-course", files=factories.course_files(title="Test Course v2"))
    events = db.session.scalars(
        select(AuditEvent).where(AuditEvent.action == "course.published").order_by(AuditEvent.id)
    ).all()
    html = admin_page.get("/admin/audit?action=course.published").get_data(as_text=True)
    assert len(events) == 2
    for event in events:
        assert event.subject_type == "course_revision"
        assert f"course_revision {event.subject_id}" not in html
    link = '<a href="/authoring/courses/test-course/history">test-course</a>'
    assert f"{link} revision 1" in html and f"{link} revision 2" in html
