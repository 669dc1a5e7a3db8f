"""Catalog, course and lesson pages, and course media."""

from __future__ import annotations

import mimetypes
import time
from collections.abc import Callable
from datetime import date
from decimal import Decimal, InvalidOperation

from flask import (
    Blueprint,
    current_app,
    make_response,
    render_template,
    request,
    session,
    url_for,
)
from flask_login import current_user
from sqlalchemy import select

from ce_platform import content
from ce_platform.catalog import services
from ce_platform.catalog.models import Course
from ce_platform.core.errors import COURSE_ERROR_LINKS
from ce_platform.extensions import db

bp = Blueprint("catalog", __name__)

HOURS_CHOICES = ("0.5", "1", "1.5", "2", "3")

# Features built on the catalog add to the course page through these hooks (course -> context),
# so the catalog never imports them. A hook may replace "revision" (a learner's pinned one)
# and add rendered HTML to "course_panels".
COURSE_PAGE_HOOKS: list[Callable] = []
# Features built on the catalog label the signed-in visitor's courses on the catalog cards:
# each takes the course ids shown and returns {course id: badge} ("Enrolled", "Completed"...).
CATALOG_BADGE_HOOKS: list[Callable[[list[int]], dict[int, str]]] = []
# Features built on the catalog add filters that only a signed-in visitor has ("counts toward
# my license", "not yet taken"): each takes the query arguments and returns the form controls
# to show (HTML) and a function that keeps the revisions the filter lets through.
CATALOG_FILTER_HOOKS: list[Callable[[dict], tuple[str, Callable[[list], list]]]] = []
MEDIA_TYPES = {"svg": "image/svg+xml", "webp": "image/webp"}


def _max_hours(raw: str | None) -> Decimal | None:
    try:
        hours = Decimal(raw) if raw else None
    except InvalidOperation:
        return None
    return hours if hours is not None and hours.is_finite() else None


def _course_error_link(slug: str) -> tuple[str, str] | None:
    """Back to the course an error page is about, when it exists."""
    course = db.session.scalar(select(Course).where(Course.slug == slug))
    if course is None or course.current_revision is None:
        return None
    return f"Back to {course.current_revision.title}", url_for("catalog.course", slug=slug)


COURSE_ERROR_LINKS.append(_course_error_link)


@bp.get("/")
def index():
    """The catalog. Anonymous visitors, who are most of its traffic, get a page rendered once
    per process for each (filters, day, set of current revisions); the current revisions are
    read again at most every CATALOG_CACHE_SECONDS, so a publish shows on every server within
    that time. Signed-in visitors, and anyone with a message waiting, get a fresh page."""
    filters = _filters()
    seconds = current_app.config["CATALOG_CACHE_SECONDS"]
    if seconds <= 0 or current_user.is_authenticated or "_flashes" in session:
        return _render_index(filters)
    # Keyed on the filters as understood, not the raw query string: unknown parameters and
    # values share the page they render to.
    key = ("html", tuple(filters.values()), date.today())
    return services.cached_catalog(
        db.session, key, lambda: _render_index(filters), now=time.monotonic(), seconds=seconds
    )


def _filters() -> dict[str, str | None]:
    filters = {
        "category": request.args.get("category") or None,
        "level": request.args.get("level") or None,
        "hours": request.args.get("hours") or None,
        "format": request.args.get("format") or None,
        # Normalised, so "Ketamine  risk" and "ketamine risk" share one cached page.
        "q": " ".join(services.search_words(request.args.get("q", "")[:200])) or None,
    }
    if filters["category"] not in (None, *content.CREDIT_CATEGORIES):
        filters["category"] = None
    if filters["level"] not in (None, *content.LEVELS):
        filters["level"] = None
    if filters["format"] not in (None, *content.FORMAT_WORDING):
        filters["format"] = None
    if _max_hours(filters["hours"]) is None:
        filters["hours"] = None
    return filters


def _render_index(filters: dict[str, str | None]) -> str:
    revisions = services.catalog(
        db.session,
        today=date.today(),
        category=filters["category"],
        level=filters["level"],
        max_hours=_max_hours(filters["hours"]),
        text=filters["q"],
        course_format=filters["format"],
    )
    badges: dict[int, str] = {}
    personal: list[str] = []
    if current_user.is_authenticated:
        for filter_hook in CATALOG_FILTER_HOOKS:
            controls, keep = filter_hook(request.args)
            personal.append(controls)
            revisions = keep(revisions)
        for hook in CATALOG_BADGE_HOOKS:
            badges.update(hook([r.course_id for r in revisions]))
    return render_template(
        "catalog/index.html",
        revisions=revisions,
        badges=badges,
        personal_filters=personal,
        filters=filters,
        categories=content.CREDIT_CATEGORIES,
        levels=content.LEVELS,
        formats=content.FORMAT_WORDING,
        hours_choices=HOURS_CHOICES,
    )


@bp.get("/courses/<slug>")
def course(slug: str):
    course = services.get_course(db.session, slug)
    context = {
        "course": course,
        "revision": course.current_revision,
        "open_for_enrollment": course.current_revision.is_open_on(date.today()),
        "course_panels": [],
    }
    for hook in COURSE_PAGE_HOOKS:
        hook(course, context)
    return render_template("catalog/course.html", **context)


@bp.get("/courses/<slug>/r<int:number>/media/<path:name>")
def media(slug: str, number: int, name: str):
    media = services.find_media(db.session, slug, number, name)
    extension = name.rsplit(".", 1)[-1].lower()
    mimetype = MEDIA_TYPES.get(extension) or mimetypes.guess_type(name)[0]
    response = make_response(media.data)
    response.mimetype = mimetype or "application/octet-stream"
    response.headers["X-Content-Type-Options"] = "nosniff"
    # An SVG opened on its own must not run anything.
    response.headers["Content-Security-Policy"] = (
        "default-src 'none'; style-src 'unsafe-inline'; sandbox"
    )
    response.cache_control.public = True
    response.cache_control.max_age = 86400  # a revision's media never changes
    return response
