"""/api/v1/admin: accounts, instructor assignments and the audit log, for administrators only."""

from __future__ import annotations

from collections.abc import Callable
from functools import wraps

from flask import g, request

from ce_platform.accounts import services as accounts
from ce_platform.accounts.models import User
from ce_platform.admin import services
from ce_platform.api import bp, token_required, validated
from ce_platform.api.me import user_json
from ce_platform.api.openapi import (
    BOOLEAN,
    DATETIME,
    EXTRA_PATHS,
    INTEGER,
    SLUG,
    STRING,
    array,
    obj,
    op,
    ref,
)
from ce_platform.api.schemas import InstructorAssignment, UserUpdate
from ce_platform.catalog import services as catalog
from ce_platform.core.audit import AuditEvent
from ce_platform.core.errors import Forbidden, NotFound, ValidationError
from ce_platform.extensions import db


def admin_required(view: Callable) -> Callable:
    """A bearer token of an administrator: 401 without a valid token, 403 for other roles."""

    @wraps(view)
    def wrapped(*args, **kwargs):
        if g.api_user.role != "admin":
            raise Forbidden("Only administrators may use this endpoint.")
        return view(*args, **kwargs)

    return token_required(wrapped)


def _page() -> int:
    return services.page_number(request.args.get("page"))


def admin_user_json(user: User) -> dict:
    return {**user_json(user), "active": user.active, "created_at": user.created_at.isoformat()}


def event_json(event: AuditEvent, actor_email: str | None = None) -> dict:
    return {
        "id": event.id,
        "created_at": event.created_at.isoformat(),
        "actor_id": event.actor_id,
        "actor_email": actor_email,
        "action": event.action,
        "subject_type": event.subject_type,
        "subject_id": event.subject_id,
        "data": event.data,
        "prev_hash": event.prev_hash,
        "hash": event.hash,
    }


@bp.get("/admin/users")
@admin_required
def admin_users():
    result = services.search_users(db.session, request.args.get("q", ""), page=_page())
    return {
        "users": [admin_user_json(u) for u in result.items],
        "total": result.total,
        "page": result.page,
        "pages": result.pages,
    }


@bp.patch("/admin/users/<int:user_id>")
@admin_required
def admin_update_user(user_id: int):
    data = validated(UserUpdate)
    if data.role is None and data.active is None:
        raise ValidationError("Send role and/or active.", {"role": "or active"})
    user = services.get_user(db.session, user_id)
    if data.role is not None:
        services.change_role(db.session, user, data.role, actor=g.api_user)
    if data.active is not None:
        services.set_active(db.session, user, data.active, actor=g.api_user)
    db.session.commit()
    return {"user": admin_user_json(user)}


@bp.post("/admin/courses/<slug>/instructors")
@admin_required
def admin_assign_instructor(slug: str):
    email = validated(InstructorAssignment).email
    course = catalog.get_course(db.session, slug)
    user = accounts.get_user_by_email(db.session, email)
    if user is None:
        raise NotFound(f"There is no account with email {email}.", {"email": "unknown"})
    assignment = services.assign_instructor(db.session, course, user, actor_id=g.api_user.id)
    db.session.commit()
    return {
        "assignment": {
            "course": course.slug,
            "user": admin_user_json(user),
            "assigned_at": assignment.assigned_at.isoformat(),
        }
    }, 201


@bp.delete("/admin/courses/<slug>/instructors/<int:user_id>")
@admin_required
def admin_unassign_instructor(slug: str, user_id: int):
    course = catalog.get_course(db.session, slug)
    user = services.get_user(db.session, user_id)
    services.unassign_instructor(db.session, course, user, actor_id=g.api_user.id)
    db.session.commit()
    return "", 204


@bp.get("/admin/audit")
@admin_required
def admin_audit():
    result = services.audit_events(
        db.session,
        action=request.args.get("action", ""),
        actor=request.args.get("actor", ""),
        page=_page(),
    )
    return {
        "events": [event_json(row.event, row.actor_email) for row in result.items],
        "total": result.total,
        "page": result.page,
        "pages": result.pages,
    }


@bp.get("/admin/audit/verify")
@admin_required
def admin_audit_verify():
    status = services.check_chain(db.session)
    body: dict = {"intact": status.intact, "count": status.count}
    if not status.intact:
        body["broken_at"] = status.broken_at.id
        body["problem"] = status.problem
        body["event"] = event_json(status.broken_at)
    return body


# --- OpenAPI -------------------------------------------------------------------------------

USER_ID = ("user_id", {"type": "integer", "minimum": 1})
PAGE = ("page", {"type": "integer", "minimum": 1})
ADMIN_USER = {
    "allOf": [ref("User"), obj({"active": BOOLEAN, "created_at": DATETIME})],
}
AUDIT_EVENT = obj(
    {
        "id": INTEGER,
        "created_at": DATETIME,
        "actor_id": {"type": ["integer", "null"]},
        "actor_email": {"type": ["string", "null"]},
        "action": STRING,
        "subject_type": STRING,
        "subject_id": STRING,
        "data": {"type": "object"},
        "prev_hash": STRING,
        "hash": STRING,
    }
)
ADMIN_ERRORS = ("403",)


def admin_paths() -> dict:
    return {
        "/api/v1/admin/users": {
            "get": op(
                "Find accounts whose name or email contains q (admins)",
                {
                    "200": (
                        "One page of 50, by name",
                        obj(
                            {
                                "users": array(ADMIN_USER),
                                "total": INTEGER,
                                "page": INTEGER,
                                "pages": INTEGER,
                            }
                        ),
                    )
                },
                errors=(*ADMIN_ERRORS, "400"),
                query=(("q", STRING), PAGE),
            )
        },
        "/api/v1/admin/users/{user_id}": {
            "patch": op(
                "Change an account's role or deactivate/reactivate it, audited (admins; "
                "never one's own)",
                {"200": ("The account", obj({"user": ADMIN_USER}))},
                errors=(*ADMIN_ERRORS, "404", "422"),
                body=ref("UserUpdate"),
                params=(USER_ID,),
            )
        },
        "/api/v1/admin/courses/{slug}/instructors": {
            "post": op(
                "Assign an instructor to a course, audited (admins)",
                {
                    "201": (
                        "Assigned",
                        obj(
                            {
                                "assignment": obj(
                                    {
                                        "course": STRING,
                                        "user": ADMIN_USER,
                                        "assigned_at": DATETIME,
                                    }
                                )
                            }
                        ),
                    )
                },
                errors=(*ADMIN_ERRORS, "404", "409", "422"),
                body=ref("InstructorAssignment"),
                params=(SLUG,),
            )
        },
        "/api/v1/admin/courses/{slug}/instructors/{user_id}": {
            "delete": op(
                "Remove an instructor assignment, audited (admins)",
                {"204": ("Unassigned", None)},
                errors=(*ADMIN_ERRORS, "404"),
                params=(SLUG, USER_ID),
            )
        },
        "/api/v1/admin/audit": {
            "get": op(
                "Audit events, newest first (admins)",
                {
                    "200": (
                        "One page of 50",
                        obj(
                            {
                                "events": array(AUDIT_EVENT),
                                "total": INTEGER,
                                "page": INTEGER,
                                "pages": INTEGER,
                            }
                        ),
                    )
                },
                errors=(*ADMIN_ERRORS, "400"),
                query=(("action", STRING), ("actor", STRING), PAGE),
            )
        },
        "/api/v1/admin/audit/verify": {
            "get": op(
                "Check the audit hash chain (admins)",
                {
                    "200": (
                        "intact, or the first broken event and what does not hold",
                        obj(
                            {
                                "intact": BOOLEAN,
                                "count": INTEGER,
                                "broken_at": INTEGER,
                                "problem": STRING,
                                "event": AUDIT_EVENT,
                            },
                            required=["intact", "count"],
                        ),
                    )
                },
                errors=ADMIN_ERRORS,
            )
        },
    }


EXTRA_PATHS.append(admin_paths)
