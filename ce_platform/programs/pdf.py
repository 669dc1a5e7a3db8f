"""The program certificate PDF: the course certificate's archival pipeline, a course table."""

from __future__ import annotations

import weasyprint

from ce_platform.certificates.pdf import (
    ATTACHMENT_DESCRIPTION,
    ATTACHMENT_NAME,
    PackageOnlyURLFetcher,
    _environment,
    _issued_at,
    _long_date,
    archival_pdf,
    certificate_context,
    snapshot_json_bytes,
)

TEMPLATE_NAME = "programs/certificate.html"


def render_program_certificate_pdf(snapshot: dict) -> bytes:
    """Render a frozen program snapshot as PDF/A-3a + PDF/UA-1 with certificate.json attached."""
    fetcher = PackageOnlyURLFetcher()
    context = certificate_context(snapshot)
    context["course_rows"] = [
        {**course, "completion_text": _long_date(course["completion_date"])}
        for course in snapshot["courses"]
    ]
    html = _environment().get_template(TEMPLATE_NAME).render(context)
    issued_at = _issued_at(snapshot)
    attachment = weasyprint.Attachment(
        string=snapshot_json_bytes(snapshot),
        name=ATTACHMENT_NAME,
        description=ATTACHMENT_DESCRIPTION,
        relationship="Data",
        created=issued_at,
        modified=issued_at,
        url_fetcher=fetcher,
    )
    return archival_pdf(html, fetcher, [attachment])
