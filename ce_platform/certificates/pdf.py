"""Certificate PDF: the frozen snapshot, laid out on one landscape page as PDF/A-3a.

The snapshot is the only input: every printed word comes from it, and its canonical JSON is
embedded in the file as ``certificate.json`` so a board or auditor can read the data back out of
the PDF without our database. Rendering is offline by construction: Jinja2 without Flask, local
fonts only, and a URL fetcher that serves files from this package and refuses everything else.
"""

from __future__ import annotations

import json
import mimetypes
from datetime import UTC, date, datetime
from functools import cache
from io import BytesIO
from pathlib import Path
from urllib.parse import urlsplit
from urllib.request import url2pathname

import jinja2
import segno
import weasyprint
from markupsafe import Markup
from weasyprint.pdf.metadata import DocumentMetadata
from weasyprint.urls import FatalURLFetchingError, URLFetcher, URLFetcherResponse

from ce_platform.certificates import SPECIMEN_NOTICE

PACKAGE_DIR = Path(__file__).resolve().parent.parent
TEMPLATES_DIR = PACKAGE_DIR / "templates"
TEMPLATE_NAME = "certificates/certificate.html"
STYLESHEET_NAME = "certificates/certificate.css"
ATTACHMENT_NAME = "certificate.json"
ATTACHMENT_DESCRIPTION = "Certificate data (JSON)"
PDF_VARIANT = "pdf/a-3a"
# PDF/UA-1 identification (ISO 14289-1, 5) and, since PDF/A admits only the XMP schemas it
# predefines or that the file describes, the PDF/A extension schema that describes pdfuaid.
PDFUA_DESCRIPTIONS = b"""<rdf:Description rdf:about="" xmlns:pdfuaid="http://www.aiim.org/pdfua/ns/id/">
<pdfuaid:part>1</pdfuaid:part>
</rdf:Description>
<rdf:Description rdf:about="" xmlns:pdfaExtension="http://www.aiim.org/pdfa/ns/extension/"
 xmlns:pdfaSchema="http://www.aiim.org/pdfa/ns/schema#"
 xmlns:pdfaProperty="http://www.aiim.org/pdfa/ns/property#">
<pdfaExtension:schemas><rdf:Bag><rdf:li rdf:parseType="Resource">
<pdfaSchema:schema>PDF/UA Universal Accessibility Schema</pdfaSchema:schema>
<pdfaSchema:namespaceURI>http://www.aiim.org/pdfua/ns/id/</pdfaSchema:namespaceURI>
<pdfaSchema:prefix>pdfuaid</pdfaSchema:prefix>
<pdfaSchema:property><rdf:Seq><rdf:li rdf:parseType="Resource">
<pdfaProperty:name>part</pdfaProperty:name>
<pdfaProperty:valueType>Integer</pdfaProperty:valueType>
<pdfaProperty:category>internal</pdfaProperty:category>
<pdfaProperty:description>Part of ISO 14289 the file conforms to</pdfaProperty:description>
</rdf:li></rdf:Seq></pdfaSchema:property>
</rdf:li></rdf:Bag></pdfaExtension:schemas>
</rdf:Description>
"""


class ArchivalMetadata(DocumentMetadata):
    """WeasyPrint's PDF/A metadata, with the PDF/UA-1 identification in the same RDF."""

    def generate_rdf_metadata(self, variant, version, conformance) -> bytes:
        rdf = super().generate_rdf_metadata(variant, version, conformance)
        end = rdf.rindex(b"</rdf:RDF>")
        return rdf[:end] + PDFUA_DESCRIPTIONS + rdf[end:]


COMMENSURATE_STATEMENT = (
    "Participants should claim only the credit commensurate with the extent of their participation."
)
_MONTHS = (
    "January", "February", "March", "April", "May", "June",
    "July", "August", "September", "October", "November", "December",
)  # fmt: skip


class CertificateResourceRefused(FatalURLFetchingError):
    """A certificate asked for a resource outside the package; rendering stops."""


class PackageOnlyURLFetcher(URLFetcher):
    """Serve ``file:`` URLs inside the package and refuse the network and everything else."""

    def __init__(self) -> None:
        super().__init__(allowed_protocols=("file",), allow_redirects=False, fail_on_errors=True)

    def fetch(self, url: str, headers: dict | None = None) -> URLFetcherResponse:
        parts = urlsplit(url)
        if parts.scheme.lower() != "file" or parts.netloc not in ("", "localhost"):
            raise CertificateResourceRefused(f"certificate may not fetch {url!r}")
        path = Path(url2pathname(parts.path)).resolve()
        if not path.is_relative_to(PACKAGE_DIR) or not path.is_file():
            raise CertificateResourceRefused(f"certificate may not read {url!r}")
        content_type = mimetypes.guess_type(path.name)[0] or "application/octet-stream"
        return URLFetcherResponse(
            path.as_uri(), body=path.read_bytes(), headers={"Content-Type": content_type}
        )


def snapshot_json_bytes(snapshot: dict) -> bytes:
    """Canonical JSON (sort_keys, ensure_ascii=False, separators=(',', ':'), UTF-8).

    These are the attachment bytes: the same snapshot always gives the same bytes, so a hash of
    them identifies the certificate's data.
    """
    text = json.dumps(snapshot, sort_keys=True, ensure_ascii=False, separators=(",", ":"))
    return text.encode("utf-8")


def qr_svg(url: str) -> str:
    """Inline SVG (segno) of a QR code for url, no XML declaration, suitable to embed in HTML."""
    buffer = BytesIO()
    segno.make(url, error="m").save(
        buffer,
        kind="svg",
        xmldecl=False,
        svgns=True,
        nl=False,
        omitsize=True,  # a viewBox only, so the stylesheet decides the printed size
        border=4,  # the quiet zone scanners need
        title=f"QR code linking to {url}",  # becomes the figure's alternate text in the PDF
    )
    return buffer.getvalue().decode("utf-8")


def render_certificate_pdf(snapshot: dict) -> bytes:
    """Render the frozen snapshot to a PDF/A-3a certificate (landscape US Letter).

    The snapshot JSON is embedded as an attachment named 'certificate.json' (relationship Data).
    """
    fetcher = PackageOnlyURLFetcher()
    html = _environment().get_template(TEMPLATE_NAME).render(certificate_context(snapshot))
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
    return archival_pdf(html, fetcher, [attachment], stylesheets=[_certificate_stylesheet()])


@cache
def _certificate_stylesheet() -> weasyprint.CSS:
    """certificate.css, parsed once per process: every certificate is laid out with it."""
    return weasyprint.CSS(
        filename=str(TEMPLATES_DIR / STYLESHEET_NAME), url_fetcher=PackageOnlyURLFetcher()
    )


def archival_pdf(
    html: str,
    fetcher: PackageOnlyURLFetcher,
    attachments: list[weasyprint.Attachment],
    *,
    stylesheets: list[weasyprint.CSS] | None = None,
) -> bytes:
    """Write PDF/A-3a that is also PDF/UA-1: tagged, identified as both, data attached.

    Streams stay uncompressed: PDF/A forbids a filtered metadata stream, and a compressed
    stream whose last byte is a carriage return reads to validators as one byte short.
    `stylesheets` are applied as the document's own (parsed once by the caller).
    """
    options = {"pdf_variant": PDF_VARIANT, "pdf_tags": True}
    document = _html_document(html, fetcher).render(**options, stylesheets=stylesheets)
    metadata = document.metadata
    document.metadata = ArchivalMetadata(
        title=metadata.title,
        authors=metadata.authors,
        description=metadata.description,
        keywords=metadata.keywords,
        generator=metadata.generator,
        created=metadata.created,
        modified=metadata.modified,
        attachments=metadata.attachments,
        lang=metadata.lang,
        custom=metadata.custom,
        xmp_metadata=metadata.xmp_metadata,
    )
    return document.write_pdf(**options, attachments=attachments, uncompressed_pdf=True)


def render_html_pdf(
    html: str, *, attachment: bytes, name: str, description: str, created: datetime
) -> bytes:
    """Render app-rendered HTML (the CE transcript) as archival PDF with its data attached.

    Relative URLs resolve against the certificates templates folder; nothing outside the package
    and nothing on the network is fetched.
    """
    fetcher = PackageOnlyURLFetcher()
    data = weasyprint.Attachment(
        string=attachment,
        name=name,
        description=description,
        relationship="Data",
        created=created,
        modified=created,
        url_fetcher=fetcher,
    )
    return archival_pdf(html, fetcher, [data])


def _html_document(html: str, fetcher: PackageOnlyURLFetcher) -> weasyprint.HTML:
    return weasyprint.HTML(
        string=html, base_url=str(TEMPLATES_DIR / TEMPLATE_NAME), url_fetcher=fetcher
    )


def certificate_context(snapshot: dict) -> dict:
    """The template's variables: the snapshot plus the few strings composed from it."""
    participant = snapshot["participant"]
    course = snapshot["course"]
    provider = snapshot["provider"]
    completed = date.fromisoformat(snapshot["completion_date"])
    issued_at = snapshot.get("issued_at") or ""
    accreditations = snapshot.get("accreditations") or []
    return {
        "snapshot": snapshot,
        "participant": participant,
        "course": course,
        "provider": provider,
        "signer": provider.get("signer") or {},
        "participant_details": _participant_details(participant),
        "completion_date_iso": completed.isoformat(),
        "completion_date_text": _long_date(snapshot["completion_date"]),
        "issued_at_iso": issued_at,
        "hours_text": _hours_text(course, snapshot.get("credit_unit") or "CE hours"),
        "hours_parts": _hours_text(course, snapshot.get("credit_unit") or "CE hours").split(
            " — ", 1
        ),
        "level_text": (course.get("level") or "").capitalize(),
        "released_text": _long_date(course["released"]) if course.get("released") else "",
        "authors_text": "; ".join(_with_credentials(a) for a in course.get("authors") or []),
        "lead_statement": next((a["statement"] for a in accreditations if a.get("lead")), ""),
        "statements": [a["statement"] for a in accreditations if not a.get("lead")],
        "specimen": bool(provider.get("specimen")),
        "specimen_text": SPECIMEN_NOTICE if provider.get("specimen") else "",
        "commensurate_text": (
            COMMENSURATE_STATEMENT if snapshot.get("commensurate_statement") else ""
        ),
        "statement_columns": _statement_columns(
            [a["statement"] for a in accreditations if not a.get("lead")],
            COMMENSURATE_STATEMENT if snapshot.get("commensurate_statement") else "",
        ),
        "qr_svg": Markup(qr_svg(snapshot["verification_url"])),
        "name_size": _size_class(participant["display_name"], long=36, longer=50),
        "title_size": _size_class(course["title"], long=55, longer=68),
    }


@cache
def _environment() -> jinja2.Environment:
    return jinja2.Environment(
        loader=jinja2.FileSystemLoader(TEMPLATES_DIR),
        autoescape=True,
        undefined=jinja2.StrictUndefined,
        trim_blocks=True,
        lstrip_blocks=True,
    )


def _participant_details(participant: dict) -> list[str]:
    """Profession and licence, each only when given: 'Social worker', 'License SW-12345 (OR)'."""
    details = []
    if profession := (participant.get("profession") or "").strip():
        details.append(profession)
    number = (participant.get("license_number") or "").strip()
    state = (participant.get("license_state") or "").strip()
    if number and state:
        details.append(f"License {number} ({state})")
    elif number:
        details.append(f"License {number}")
    elif state:
        details.append(f"Licensed in {state}")
    return details


def _long_date(iso: str) -> str:
    """'November 21, 2026', the way boards read dates."""
    day = date.fromisoformat(iso)
    return f"{_MONTHS[day.month - 1]} {day.day}, {day.year}"


def _hours_text(course: dict, unit: str) -> str:
    """'1.5 contact hours — 1.0 general, 0.5 ethics'; just the total when there is no breakdown.

    The unit is that of the learner's own board, whose statement the certificate leads with.
    """
    total = f"{course['ce_hours']} {unit}"
    breakdown = ", ".join(
        f"{credit['hours']} {credit['category']}" for credit in course.get("credits") or []
    )
    return f"{total} — {breakdown}" if breakdown else total


def _statement_columns(statements: list[str], commensurate: str) -> list[list[tuple[str, bool]]]:
    """Whole statements in two balanced columns, in reading order: CSS columns cost a render.

    Each item is (text, is the commensurate-credit line); the split point is the one that makes
    the longer column shortest, counted in characters, which tracks height at one type size.
    """
    items = [(text, False) for text in statements]
    if commensurate:
        items.append((commensurate, True))
    if len(items) < 2:
        return [items] if items else []
    sizes = [len(text) + 60 for text, _ in items]  # a paragraph's last line and gap
    total = sum(sizes)
    best = min(range(1, len(items)), key=lambda k: max(sum(sizes[:k]), total - sum(sizes[:k])))
    return [items[:best], items[best:]]


def _size_class(text: str, *, long: int, longer: int) -> str:
    """A type-size step for long names and titles, so they stay within one page."""
    if len(text) > longer:
        return "size-longer"
    return "size-long" if len(text) > long else "size-normal"


def _with_credentials(person: dict) -> str:
    credentials = (person.get("credentials") or "").strip()
    return f"{person['name']}, {credentials}" if credentials else person["name"]


def _issued_at(snapshot: dict) -> datetime:
    """The issue time in UTC, used as the attachment's dates so they match the snapshot."""
    try:
        issued = datetime.fromisoformat(snapshot["issued_at"])
    except (KeyError, TypeError, ValueError):
        return datetime.now(UTC).replace(tzinfo=None)
    if issued.tzinfo is not None:
        issued = issued.astimezone(UTC).replace(tzinfo=None)
    return issued  # naive UTC: WeasyPrint formats it with a literal 'Z'
