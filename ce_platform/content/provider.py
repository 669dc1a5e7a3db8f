"""provider.yml: who grants the credit, and the accreditation statements certificates print."""

from __future__ import annotations

import re
import string
from datetime import date
from pathlib import Path

from .diagnostics import Diagnostic, diag, sort_key
from .model import STATEMENT_PLACEHOLDERS, Accreditation, Provider, Signer
from .yamlmap import YamlDocument, YamlMapping

PROVIDER_FILE = "provider.yml"
PROVIDER_KEYS = ("name", "address", "signer", "accreditations")
SIGNER_KEYS = ("name", "title", "signature")
ACCREDITATION_KEYS = (
    "body",
    "credit_type",
    "provider_number",
    "approval_period",
    "formats",
    "statement",
    "commensurate",
)
ACCREDITATION_REQUIRED = ("body", "credit_type", "statement")
_ACCREDITATION_KEY = re.compile(r"^[a-z0-9_-]+$")


def normalize_text(text: str) -> str:
    """Drop a BOM and use \\n line endings so line numbers match what editors show."""
    if text.startswith("\ufeff"):
        text = text[1:]
    return text.replace("\r\n", "\n").replace("\r", "\n")


def _statement_fields(template: str) -> list[str] | None:
    """Return the placeholder names of a statement, or None when the template is malformed."""
    try:
        parsed = list(string.Formatter().parse(template))
    except ValueError:
        return None
    names: list[str] = []
    for _literal, name, spec, conversion in parsed:
        if name is None:
            continue
        if spec or conversion:
            return None
        names.append(name)
    return names


def _parse_accreditation(
    key: str, node_map: YamlMapping, path: str, diags: list[Diagnostic]
) -> Accreditation | None:
    """Validate one accreditation entry; return it only when it is complete."""
    ok = True
    node_map.check_keys(ACCREDITATION_KEYS, ACCREDITATION_REQUIRED)
    body = node_map.string("body")
    credit_type = node_map.string("credit_type")
    statement = node_map.string("statement")
    number_ok, provider_number = node_map.optional_string("provider_number")
    ok = ok and number_ok

    approval_start: date | None = None
    approval_end: date | None = None
    if node_map.has("approval_period"):
        period = node_map.mapping("approval_period")
        if period is None:
            ok = False
        else:
            period.check_keys(("start", "end"), ("start", "end"))
            approval_start = period.day("start")
            approval_end = period.day("end")
            if approval_start is None or approval_end is None:
                ok = False
            elif approval_end < approval_start:
                diags.append(
                    diag(
                        path,
                        period.line_of("end"),
                        "P004",
                        f'accreditation "{key}" approval period ends ({approval_end}) '
                        f"before it starts ({approval_start})",
                    )
                )
                ok = False

    formats: list[str] = []
    if node_map.has("formats"):
        items = node_map.string_list("formats")
        if items is None:
            ok = False
        else:
            formats = [value for value, _line in items]

    commensurate = False
    if node_map.has("commensurate"):
        value = node_map.boolean("commensurate")
        if value is None:
            ok = False
        else:
            commensurate = value

    if statement is not None:
        names = _statement_fields(statement)
        line = node_map.line_of("statement")
        allowed = ", ".join("{" + name + "}" for name in STATEMENT_PLACEHOLDERS)
        if names is None:
            diags.append(
                diag(
                    path,
                    line,
                    "P002",
                    f'accreditation "{key}" statement has a malformed placeholder '
                    f"(use only {allowed}; write {{{{ and }}}} for literal braces)",
                )
            )
            ok = False
        else:
            for name in dict.fromkeys(names):
                if name not in STATEMENT_PLACEHOLDERS:
                    diags.append(
                        diag(
                            path,
                            line,
                            "P002",
                            f'accreditation "{key}" statement uses unknown placeholder '
                            f"{{{name}}} (allowed: {allowed})",
                        )
                    )
                    ok = False
            if "provider_number" in names and provider_number is None and number_ok:
                diags.append(
                    diag(
                        path,
                        line,
                        "P003",
                        f'accreditation "{key}" statement uses {{provider_number}} '
                        "but provider_number is not set",
                    )
                )
                ok = False
            uses_period = {"approval_start", "approval_end"} & set(names)
            if uses_period and not node_map.has("approval_period"):
                diags.append(
                    diag(
                        path,
                        line,
                        "P003",
                        f'accreditation "{key}" statement uses '
                        f"{{{sorted(uses_period)[0]}}} but approval_period is not set",
                    )
                )
                ok = False

    if not ok or body is None or credit_type is None or statement is None:
        return None
    return Accreditation(
        key=key,
        body=body,
        provider_number=provider_number,
        credit_type=credit_type,
        approval_start=approval_start,
        approval_end=approval_end,
        formats=formats,
        statement=statement,
        commensurate=commensurate,
    )


def _parse_provider(text: str, path: str, diags: list[Diagnostic]) -> Provider | None:
    """Parse provider.yml into diags; return the Provider only when it is complete."""
    text = normalize_text(text)
    doc = YamlDocument(text, path, 1, diags)
    root = doc.root_mapping("provider.yml")
    if root is None:
        return None
    root.check_keys(PROVIDER_KEYS, PROVIDER_KEYS)
    name = root.string("name")
    address = root.string("address")

    signer: Signer | None = None
    signer_map = root.mapping("signer")
    if signer_map is not None:
        signer_map.check_keys(SIGNER_KEYS, ("name", "title"))
        signer_name = signer_map.string("name")
        signer_title = signer_map.string("title")
        signature_ok, signature = signer_map.optional_string("signature")
        if signer_name is not None and signer_title is not None and signature_ok:
            signer = Signer(name=signer_name, title=signer_title, signature=signature or None)

    accreditations: dict[str, Accreditation] = {}
    accreditations_ok = True
    accreditation_map = root.mapping("accreditations")
    if accreditation_map is None:
        accreditations_ok = False
    else:
        if not accreditation_map.key_names():
            diags.append(
                diag(
                    path, root.line_of("accreditations"), "P006", "provider lists no accreditations"
                )
            )
        for key in accreditation_map.key_names():
            if not _ACCREDITATION_KEY.match(key):
                diags.append(
                    diag(
                        path,
                        accreditation_map.line_of(key),
                        "P005",
                        f'accreditation key "{key}" must use only a-z, 0-9, "-" and "_"',
                    )
                )
                accreditations_ok = False
                continue
            entry = accreditation_map.mapping(key)
            if entry is None:
                accreditations_ok = False
                continue
            accreditation = _parse_accreditation(key, entry, path, diags)
            if accreditation is None:
                accreditations_ok = False
            else:
                accreditations[key] = accreditation

    if name is None or address is None or signer is None or not accreditations_ok:
        return None
    return Provider(
        name=name,
        address=address,
        signer=signer,
        accreditations=accreditations,
        source_text=text,
    )


def parse_provider(
    text: str, path: str = PROVIDER_FILE
) -> tuple[Provider | None, list[Diagnostic]]:
    """Parse provider.yml text; (None, diagnostics) when it has any error. Never raises."""
    diags: list[Diagnostic] = []
    try:
        provider = _parse_provider(text, path, diags)
    except Exception as exc:  # noqa: BLE001 - the parser reports, it never raises
        diags.append(diag(path, 1, "F999", f"internal error: {type(exc).__name__}: {exc}"))
        provider = None
    diags.sort(key=sort_key)
    if any(d.is_error for d in diags):
        return None, diags
    return provider, diags


def load_provider(path: Path) -> tuple[Provider | None, list[Diagnostic]]:
    """Read and parse a provider.yml file; a missing or unreadable file is a P001 diagnostic."""
    label = PROVIDER_FILE
    try:
        data = Path(path).read_bytes()
    except OSError as exc:
        return None, [diag(label, 1, "P001", f"cannot read {path}: {exc.strerror or exc}")]
    try:
        text = data.decode("utf-8")
    except UnicodeDecodeError as exc:
        line = data.count(b"\n", 0, exc.start) + 1
        return None, [diag(label, line, "F001", "file is not valid UTF-8")]
    return parse_provider(text, label)
