"""Pages that belong to no feature: the health check and the navigation every page shows."""

from flask import Blueprint, current_app, redirect, render_template, url_for
from flask_login import current_user

bp = Blueprint("core", __name__)

# (endpoint, label, who sees it); entries whose feature is not installed are skipped.
NAV = (
    ("catalog.index", "Courses", "all"),
    ("learning.dashboard", "My courses", "user"),
    ("certificates.transcript", "Certificates", "user"),
    ("licenses.index", "My licenses", "user"),
    ("authoring.index", "Authoring", "instructor"),
    ("reports.index", "Reports", "instructor"),
    ("admin.index", "Admin", "admin"),
)


def nav_links() -> list[tuple[str, str]]:
    role = current_user.role if current_user.is_authenticated else None
    allowed = {
        "all": True,
        "user": role is not None,
        "instructor": role in ("instructor", "admin"),
        "admin": role == "admin",
    }
    return [
        (endpoint, label)
        for endpoint, label, who in NAV
        if allowed[who] and endpoint in current_app.view_functions
    ]


@bp.get("/api-reference")
def api_reference():
    """The OpenAPI document as a readable page (no script needed)."""
    from ce_platform.api.openapi import document

    return render_template("api/reference.html", doc=document())


@bp.get("/favicon.ico")
def favicon():
    """Browsers and crawlers ask for /favicon.ico whatever the layout links; send them the icon."""
    return redirect(url_for("static", filename="favicon.svg"), code=301)


@bp.get("/healthz")
def healthz():
    return {"status": "ok"}


CONTENT_SECURITY_POLICY = (
    "default-src 'self'; script-src 'self'; style-src 'self'; img-src 'self' data:; "
    "object-src 'none'; base-uri 'self'; form-action 'self'; frame-ancestors 'none'"
)


@bp.after_app_request
def security_headers(response):
    """No inline script, no framing, no sniffing, no full URLs leaking to other sites."""
    response.headers.setdefault("Content-Security-Policy", CONTENT_SECURITY_POLICY)
    response.headers.setdefault("X-Content-Type-Options", "nosniff")
    response.headers.setdefault("X-Frame-Options", "DENY")
    response.headers.setdefault("Referrer-Policy", "strict-origin-when-cross-origin")
    return response


@bp.app_context_processor
def inject_navigation():
    return {"nav_links": nav_links}
