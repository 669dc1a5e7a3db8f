"""Authoring pages: my courses, the draft workspace, the editor with live preview, publish,
history and diffs, zip import and export."""

from __future__ import annotations

import io
import mimetypes
from datetime import date

from flask import (
    Blueprint,
    flash,
    make_response,
    redirect,
    render_template,
    request,
    send_file,
    url_for,
)
from flask_login import current_user

from ce_platform.authoring import services, zips
from ce_platform.authoring.models import Draft
from ce_platform.core.access import roles_required
from ce_platform.core.errors import (
    BusinessRuleError,
    CEError,
    NotFound,
    ValidationError,
    error_body,
)
from ce_platform.core.validation import MAX_ID, whole_number
from ce_platform.extensions import db

bp = Blueprint("authoring", __name__, url_prefix="/authoring")

MEDIA_TYPES = {"svg": "image/svg+xml", "webp": "image/webp"}


@bp.before_request
@roles_required("instructor")
def _authors_only():
    """Instructors and admins only; each course page then checks that course's access."""
    return None


def _user():
    return current_user._get_current_object()


def _draft(slug: str) -> Draft:
    """The draft the signed-in author may edit; committed at once when first opened."""
    draft, created = services.open_draft(db.session, _user(), slug)
    if created:
        db.session.commit()
    return draft


def _reading(slug: str) -> Draft:
    """The draft to show, for pages that only read: an unsaved copy of the current revision
    until the author's first change, so opening a course stores nothing."""
    return services.unsaved_draft(db.session, _user(), slug)


def _media_prefix(slug: str) -> str:
    return url_for("authoring.overview", slug=slug) + "media/"


def _preview(draft: Draft, path: str, markdown: str) -> services.Preview:
    return services.preview(
        draft.slug,
        path,
        markdown,
        services.draft_files(draft),
        provider=services.preview_provider(db.session, services.course_of_draft(db.session, draft)),
        media_prefix=_media_prefix(draft.slug),
    )


def _overview(draft: Draft, *, status: int = 200, error: CEError | None = None, diagnostics=None):
    """The draft workspace, optionally with an error or the diagnostics of a refused publish."""
    course = services.course_of_draft(db.session, draft)
    revision = course.current_revision if course is not None else None
    files = services.list_files(db.session, draft)
    changes = services.draft_changes(db.session, draft)
    lessons = services.lesson_entries(draft)
    title = services.front_matter_title(services.draft_files(draft).get("course.md"), draft.slug)
    body = render_template(
        "authoring/course.html",
        draft=draft,
        title=title,
        course=course,
        revision=revision,
        files=files,
        lessons=lessons,
        changes=changes,
        removed=sorted(p for p, s in changes.items() if s == "removed"),
        kind_labels=services.KIND_LABELS,
        error=error,
        diagnostics=diagnostics,
        media_types=", ".join(f".{ext}" for ext in services.MEDIA_EXTENSIONS),
        max_media_mb=services.MAX_MEDIA_BYTES // (1024 * 1024),
    )
    return body, status


def _back(slug: str, anchor: str = ""):
    return redirect(url_for("authoring.overview", slug=slug) + anchor)


def _action(slug: str, do, anchor: str = ""):
    """Run one workspace change: commit and go back, or show the page with the error."""
    draft = _draft(slug)
    try:
        message = do(draft)
    except CEError as exc:
        db.session.rollback()
        return _overview(draft, status=exc.status, error=exc)
    db.session.commit()
    if message:
        flash(message, "success")
    return _back(slug, anchor)


# -- my courses ---------------------------------------------------------------------------------


def _index(status: int = 200, error: CEError | None = None, form=None):
    rows = services.author_courses(db.session, _user())
    return render_template("authoring/index.html", rows=rows, error=error, form=form or {}), status


@bp.get("/")
def index():
    return _index()


@bp.post("/courses")
def new_course():
    form = {"slug": request.form.get("slug", ""), "title": request.form.get("title", "")}
    try:
        draft = services.create_course_draft(
            db.session, _user(), form["slug"].strip(), form["title"], today=date.today()
        )
    except CEError as exc:
        db.session.rollback()
        return _index(exc.status, exc, form)
    db.session.commit()
    flash(f"Draft '{draft.slug}' created from the course template.", "success")
    return redirect(url_for("authoring.overview", slug=draft.slug))


# -- the draft workspace ------------------------------------------------------------------------


@bp.get("/courses/<slug>/")
def overview(slug: str):
    return _overview(_reading(slug))


@bp.post("/courses/<slug>/lessons")
def add_lesson(slug: str):
    def do(draft):
        added = services.add_lesson(
            db.session, draft, request.form.get("title", ""), request.form.get("slug") or None
        )
        return f"Lesson {added.path} added."

    return _action(slug, do, "#lessons")


@bp.post("/courses/<slug>/lessons/rename")
def rename_lesson(slug: str):
    def do(draft):
        renamed = services.rename_lesson(
            db.session, draft, request.form.get("path", ""), request.form.get("slug", "")
        )
        return f"Lesson renamed to {renamed.path}."

    return _action(slug, do, "#lessons")


@bp.post("/courses/<slug>/lessons/move")
def move_lesson(slug: str):
    def do(draft):
        direction = request.form.get("direction")
        if direction not in ("up", "down"):
            raise ValidationError("Move a lesson up or down.", {"direction": "up or down"})
        offset = -1 if direction == "up" else 1
        services.move_lesson(db.session, draft, request.form.get("path", ""), offset)
        return "Lessons reordered and renumbered."

    return _action(slug, do, "#lessons")


@bp.post("/courses/<slug>/files/delete")
def delete_file(slug: str):
    def do(draft):
        path = request.form.get("path", "")
        services.delete_file(db.session, draft, path)
        return f"{path} deleted from the draft."

    return _action(slug, do, "#files")


@bp.post("/courses/<slug>/media")
def upload_media(slug: str):
    def do(draft):
        upload = request.files.get("file")
        if upload is None or not upload.filename:
            raise ValidationError("Choose an image file to upload.", {"file": "required"})
        saved, created = services.save_media(db.session, draft, upload.filename, upload.read())
        return f"{saved.path} {'uploaded' if created else 'replaced'}."

    return _action(slug, do, "#media")


@bp.get("/courses/<slug>/media/<path:name>")
def media(slug: str, name: str):
    """A draft's image, for the preview; only its editors see it."""
    draft = _reading(slug)
    path = f"media/{name}"
    if services.path_problem(path) is not None:
        raise NotFound("No such media file.")
    draft_file = services.get_file(draft, path)
    extension = name.rsplit(".", 1)[-1].lower()
    response = make_response(bytes(draft_file.data))
    response.mimetype = (
        MEDIA_TYPES.get(extension) or mimetypes.guess_type(name)[0] or "application/octet-stream"
    )
    response.headers["X-Content-Type-Options"] = "nosniff"
    response.headers["Content-Security-Policy"] = (
        "default-src 'none'; style-src 'unsafe-inline'; sandbox"
    )
    response.headers["Cache-Control"] = "private, no-cache"
    return response


@bp.post("/courses/<slug>/import")
def import_zip(slug: str):
    notes: list[str] = []

    def do(draft):
        upload = request.files.get("archive")
        if upload is None or not upload.filename:
            raise ValidationError("Choose a .zip file to import.", {"archive": "required"})
        result = services.import_zip(db.session, draft, upload.read())
        notes.extend(result.notes)
        return f"Imported {result.files} file(s) into the draft; nothing is published yet."

    response = _action(slug, do)
    for note in notes:
        flash(note, "info")
    return response


@bp.post("/courses/<slug>/discard")
def discard(slug: str):
    def do(draft):
        revision = services.discard_changes(db.session, draft)
        return f"The draft starts again from revision {revision.number}."

    return _action(slug, do)


@bp.get("/courses/<slug>/draft.zip")
def export_draft(slug: str):
    draft = _reading(slug)
    provider = services.preview_provider(db.session, services.course_of_draft(db.session, draft))
    data = zips.course_zip(
        draft.slug, services.draft_files(draft), provider.source_text if provider else None
    )
    return _zip_response(data, f"{draft.slug}-draft.zip")


@bp.get("/courses/<slug>/r<int:number>.zip")
def export_revision(slug: str, number: int):
    draft = _reading(slug)
    course = services.course_of_draft(db.session, draft)
    revision = services.find_revision(db.session, course, number)
    data = zips.course_zip(
        course.slug, services.revision_files(db.session, course, number), revision.provider_source
    )
    return _zip_response(data, f"{course.slug}-r{number}.zip")


def _zip_response(data: bytes, name: str):
    response = send_file(
        io.BytesIO(data), mimetype="application/zip", as_attachment=True, download_name=name
    )
    response.headers["Cache-Control"] = "private, no-store"
    return response


# -- editing one file ---------------------------------------------------------------------------


def _editor(draft: Draft, path: str, markdown: str, *, status: int = 200, error=None, saved=True):
    result = _preview(draft, path, markdown)
    own = f"{draft.slug}/{path}"
    return render_template(
        "authoring/edit.html",
        draft=draft,
        path=path,
        markdown=markdown,
        html=result.html,
        own_diagnostics=[d for d in result.diagnostics if d.path == own],
        other_diagnostics=[d for d in result.diagnostics if d.path != own],
        own_path=own,
        error=error,
        saved=saved,
    ), status


@bp.route("/courses/<slug>/edit/<path:path>", methods=["GET", "POST"])
def edit(slug: str, path: str):
    saving = request.method == "POST" and request.form.get("action") == "save"
    draft = _draft(slug) if saving else _reading(slug)
    if services.file_kind(path) == "media":
        raise ValidationError(f'"{path}" is an image; replace it by uploading a new file.')
    if request.method == "GET":
        draft_file = services.get_file(draft, path)
        return _editor(draft, path, bytes(draft_file.data).decode("utf-8", errors="replace"))
    markdown = request.form.get("markdown", "")
    if saving:
        try:
            services.write_text(db.session, draft, path, markdown)
        except CEError as exc:
            db.session.rollback()
            return _editor(draft, path, markdown, status=exc.status, error=exc, saved=False)
        own = f"{draft.slug}/{path}"
        result = _preview(draft, path, services.normalize_newlines(markdown))
        errors = [d for d in result.diagnostics if d.path == own and d.is_error]
        db.session.commit()
        if errors:
            flash(
                f"{path} saved in the draft with {len(errors)} error"
                f"{'' if len(errors) == 1 else 's'}: fix "
                f"{'it' if len(errors) == 1 else 'them'} before the course can be published.",
                "error",
            )
        else:
            flash(f"{path} saved in the draft. Publish the course to make it live.", "success")
        return redirect(url_for("authoring.edit", slug=slug, path=path))
    return _editor(draft, path, services.normalize_newlines(markdown), saved=False)


@bp.post("/courses/<slug>/preview")
def preview(slug: str):
    """The editor's live preview: JSON in and out, the session cookie and an X-CSRFToken."""
    try:
        data = request.get_json(silent=True)
        if not isinstance(data, dict):
            raise ValidationError("Send a JSON object {path, markdown}.")
        path, markdown = data.get("path"), data.get("markdown")
        if not isinstance(path, str) or not isinstance(markdown, str):
            raise ValidationError("path and markdown must be strings.")
        return _preview(_reading(slug), path, markdown).to_json()
    except CEError as exc:
        return error_body(exc.status, exc.code, exc.message, exc.details)


# -- publish, history, diff ---------------------------------------------------------------------


@bp.post("/courses/<slug>/publish")
def publish(slug: str):
    draft = _draft(slug)
    try:
        outcome = services.publish_draft(db.session, draft, published_by_id=current_user.id)
    except BusinessRuleError as exc:
        db.session.rollback()
        diagnostics = (exc.details or {}).get("diagnostics") if exc.details else None
        return _overview(draft, status=422, error=exc, diagnostics=diagnostics or [])
    db.session.commit()
    number = outcome.revision.number
    if outcome.status == "unchanged":
        flash(f"Nothing to publish: the draft is the same as revision {number}.", "info")
    else:
        flash(
            f"Published revision {number}. New enrollments get it; learners already enrolled "
            "stay on their revision.",
            "success",
        )
    return redirect(url_for("authoring.history", slug=slug))


@bp.get("/courses/<slug>/history")
def history(slug: str):
    draft = _reading(slug)
    course = services.course_of_draft(db.session, draft)
    return render_template(
        "authoring/history.html",
        draft=draft,
        course=course,
        entries=services.revision_history(db.session, course),
    )


def _version(raw: str | None, name: str) -> str | int | None:
    if raw is None or raw == "":
        return None
    if raw == "draft":
        return raw
    number = whole_number(raw)
    if number is not None and 0 < number <= MAX_ID:
        return number
    raise ValidationError(f"'{name}' must be a revision number or 'draft'.", {name: "invalid"})


@bp.get("/courses/<slug>/diff")
def diff(slug: str):
    draft = _reading(slug)
    course = services.course_of_draft(db.session, draft)
    if course is None or course.current_revision is None:
        raise NotFound("This course has no published revision to compare with yet.")
    current = course.current_revision.number
    old = _version(request.args.get("from"), "from")
    new = _version(request.args.get("to"), "to") or current
    if old is None:
        old = max(current - 1, 1) if new == current else current

    def files(version):
        if version == "draft":
            return services.draft_files(draft)
        return services.revision_files(db.session, course, version)

    def label(version):
        return "draft" if version == "draft" else f"r{version}"

    diffs = services.diff_files(files(old), files(new), label(old), label(new))
    return render_template(
        "authoring/diff.html",
        draft=draft,
        course=course,
        old=old,
        new=new,
        old_label=label(old),
        new_label=label(new),
        diffs=diffs,
        entries=services.revision_history(db.session, course),
    )
