"""/api/v1/authoring: a course draft's files, preview, publish and new courses.

Text files go as JSON `{markdown}`. A media file is written with `PUT .../files/media/<name>`
and the image's raw bytes as the body (any Content-Type but JSON); the API's body limit
applies, so larger images (up to the 2 MB media limit) go through the authoring page's upload.
"""

from __future__ import annotations

from datetime import date

from flask import g, make_response, request, url_for

from ce_platform.api import bp, token_required, validated
from ce_platform.api import openapi as doc
from ce_platform.api.schemas import MarkdownFile, NewCourse, Preview
from ce_platform.authoring import services
from ce_platform.authoring.models import Draft
from ce_platform.core.errors import Forbidden, ValidationError
from ce_platform.extensions import db


def _author():
    user = g.api_user
    if not services.is_author(user):
        raise Forbidden("Authoring is for instructors and administrators.")
    return user


def _draft(slug: str) -> Draft:
    draft, _created = services.open_draft(db.session, _author(), slug)
    return draft


def _media_prefix(slug: str) -> str:
    return url_for("authoring.overview", slug=slug) + "media/"


def draft_json(draft: Draft) -> dict:
    course = services.course_of_draft(db.session, draft)
    revision = course.current_revision if course is not None else None
    return {
        "slug": draft.slug,
        "published_revision": revision.number if revision is not None else None,
        "based_on_revision": draft.based_on.number if draft.based_on is not None else None,
        "updated_at": draft.updated_at.isoformat(),
        "files": [f.to_json() for f in services.list_files(db.session, draft)],
    }


def _file_json(draft: Draft, path: str) -> dict:
    info = next(f for f in services.list_files(db.session, draft) if f.path == path)
    return info.to_json()


@bp.get("/authoring/courses")
@token_required
def authoring_courses():
    rows = services.author_courses(db.session, _author())
    return {
        "courses": [
            {
                "slug": row.slug,
                "title": row.title,
                "status": row.status,
                "published_revision": (
                    row.course.current_revision.number if row.course is not None else None
                ),
            }
            for row in rows
        ]
    }


@bp.post("/authoring/courses")
@token_required
def create_course_draft():
    data = validated(NewCourse)
    draft = services.create_course_draft(
        db.session, _author(), data.slug, data.title, today=date.today()
    )
    db.session.commit()
    return {"draft": draft_json(draft)}, 201


@bp.get("/authoring/courses/<slug>/files")
@token_required
def list_draft_files(slug: str):
    draft = _draft(slug)
    db.session.commit()  # keeps a draft opened by this call
    return {"files": [f.to_json() for f in services.list_files(db.session, draft)]}


@bp.get("/authoring/courses/<slug>/files/<path:path>")
@token_required
def read_draft_file(slug: str, path: str):
    draft = _draft(slug)
    kind = services.file_kind(path)
    draft_file = services.get_file(draft, path)
    db.session.commit()
    if kind == "media":
        response = make_response(bytes(draft_file.data))
        response.mimetype = "application/octet-stream"
        response.headers["Content-Disposition"] = (
            f'attachment; filename="{path.rsplit("/", 1)[-1]}"'
        )
        return response
    return {
        "path": path,
        "kind": kind,
        "markdown": bytes(draft_file.data).decode("utf-8", errors="replace"),
        "updated_at": draft_file.updated_at.isoformat(),
    }


@bp.put("/authoring/courses/<slug>/files/<path:path>")
@token_required
def write_draft_file(slug: str, path: str):
    draft = _draft(slug)
    if services.file_kind(path) == "media":
        if request.mimetype == "application/json":
            raise ValidationError(
                "Send a media file's raw bytes as the body, not JSON.", {"body": "raw bytes"}
            )
        _file, created = services.write_file(db.session, draft, path, request.get_data())
    else:
        markdown = validated(MarkdownFile).markdown
        _file, created = services.write_text(db.session, draft, path, markdown)
    db.session.commit()
    return {"file": _file_json(draft, path)}, 201 if created else 200


@bp.delete("/authoring/courses/<slug>/files/<path:path>")
@token_required
def delete_draft_file(slug: str, path: str):
    draft = _draft(slug)
    services.file_kind(path)
    services.delete_file(db.session, draft, path)
    db.session.commit()
    return {"deleted": path}


@bp.post("/authoring/courses/<slug>/publish")
@token_required
def publish_draft(slug: str):
    draft = _draft(slug)
    db.session.commit()  # a draft opened by this call is kept even if the publish is refused
    outcome = services.publish_draft(db.session, draft, published_by_id=g.api_user.id)
    db.session.commit()
    revision = outcome.revision
    body = {
        "status": outcome.status,
        "revision": {
            "number": revision.number,
            "content_hash": revision.content_hash,
            "published_at": revision.published_at.isoformat(),
        },
        "diagnostics": services.diagnostics_json(outcome.diagnostics),
    }
    return body, 200 if outcome.status == "unchanged" else 201


@bp.post("/authoring/preview")
@token_required
def authoring_preview():
    data = validated(Preview)
    user = _author()
    slug = data.course
    files, provider, prefix = None, services.preview_provider(db.session, None), None
    if slug:
        files, provider = services.preview_sources(db.session, user, slug)
        prefix = _media_prefix(slug)
    result = services.preview(
        slug, data.path, data.markdown, files, provider=provider, media_prefix=prefix
    )
    return result.to_json()


# -- OpenAPI ------------------------------------------------------------------------------------

_DIAGNOSTIC = doc.obj(
    {
        "path": doc.STRING,
        "line": doc.INTEGER,
        "severity": {"type": "string", "enum": ["error", "warning"]},
        "code": doc.STRING,
        "message": doc.STRING,
    }
)
_FILE = doc.obj(
    {
        "path": doc.STRING,
        "kind": {"type": "string", "enum": ["course", "lesson", "quiz", "media", "other"]},
        "size": doc.INTEGER,
        "updated_at": doc.DATETIME,
    }
)
_DRAFT = doc.obj(
    {
        "slug": doc.STRING,
        "published_revision": {"type": ["integer", "null"]},
        "based_on_revision": {"type": ["integer", "null"]},
        "updated_at": doc.DATETIME,
        "files": doc.array(_FILE),
    }
)
_PATH = ("path", {"type": "string", "description": "course.md, quiz.md, NN-slug.md or media/x"})
_PREVIEW_OUT = doc.obj({"html": doc.STRING, "diagnostics": doc.array(_DIAGNOSTIC)})
_PUBLISHED = doc.obj(
    {
        "status": {"type": "string", "enum": ["created", "updated", "unchanged"]},
        "revision": doc.obj(
            {"number": doc.INTEGER, "content_hash": doc.STRING, "published_at": doc.DATETIME}
        ),
        "diagnostics": doc.array(_DIAGNOSTIC),
    }
)


def _paths() -> dict:
    base = "/api/v1/authoring/courses"
    write = doc.op(
        "Write one file: {markdown} for Markdown; raw bytes for media/ (422 details name the "
        "problem; images over the API body limit go through the authoring page)",
        {
            "200": ("Replaced", doc.obj({"file": _FILE})),
            "201": ("Created", doc.obj({"file": _FILE})),
        },
        errors=("403", "404", "422"),
        body=doc.ref("MarkdownFile"),
        params=(doc.SLUG, _PATH),
    )
    return {
        base: {
            "get": doc.op(
                "Courses and new-course drafts the account may edit, with draft status",
                {
                    "200": (
                        "Courses",
                        doc.obj(
                            {
                                "courses": doc.array(
                                    doc.obj(
                                        {
                                            "slug": doc.STRING,
                                            "title": doc.STRING,
                                            "status": doc.STRING,
                                            "published_revision": {"type": ["integer", "null"]},
                                        }
                                    )
                                )
                            }
                        ),
                    )
                },
                errors=("403",),
            ),
            "post": doc.op(
                "Start a new course as a draft from a valid template (instructors, admins)",
                {"201": ("Created", doc.obj({"draft": _DRAFT}))},
                errors=("403", "409"),
                body=doc.ref("NewCourse"),
            ),
        },
        f"{base}/{{slug}}/files": {
            "get": doc.op(
                "The draft's files (opened from the published revision on first use)",
                {"200": ("Files", doc.obj({"files": doc.array(_FILE)}))},
                errors=("403", "404"),
                params=(doc.SLUG,),
            )
        },
        f"{base}/{{slug}}/files/{{path}}": {
            "get": doc.op(
                "Read one file as {markdown} (media: the raw bytes)",
                {
                    "200": (
                        "The file",
                        doc.obj(
                            {
                                "path": doc.STRING,
                                "kind": doc.STRING,
                                "markdown": doc.STRING,
                                "updated_at": doc.DATETIME,
                            }
                        ),
                    )
                },
                errors=("400", "403", "404"),
                params=(doc.SLUG, _PATH),
            ),
            "put": write,
            "delete": doc.op(
                "Delete a lesson or a media file (course.md and quiz.md cannot be deleted)",
                {"200": ("Deleted", doc.obj({"deleted": doc.STRING}))},
                errors=("400", "403", "404", "422"),
                params=(doc.SLUG, _PATH),
            ),
        },
        f"{base}/{{slug}}/publish": {
            "post": doc.op(
                "Validate the whole draft and publish it as the next revision; on any error "
                "nothing changes and details.diagnostics lists them with file and line",
                {
                    "201": ("Published", _PUBLISHED),
                    "200": ("Nothing changed since the current revision", _PUBLISHED),
                },
                errors=("403", "404", "409", "422"),
                params=(doc.SLUG,),
            )
        },
        "/api/v1/authoring/preview": {
            "post": doc.op(
                "Render one Markdown file (sanitized HTML) and validate the course with it",
                {"200": ("Preview", _PREVIEW_OUT)},
                errors=("403", "404"),
                body=doc.ref("Preview"),
            )
        },
    }


doc.EXTRA_PATHS.append(_paths)
