"""provider.yml: who grants the credit, and the accreditation statements certificates print."""

from __future__ import annotations

import re
import string
from datetime import date
from pathlib import Path

import yaml

from .cebroker import parse_provider_ce_broker
from .diagnostics import Diagnostic, diag, sort_key
from .model import (
    BOARD_DEFAULTS,
    DEFAULT_UNIT,
    PLACEHOLDER_NUMBER,
    RETIRED_PLACEHOLDERS,
    STATEMENT_PLACEHOLDERS,
    Accreditation,
    Provider,
    Signer,
)
from .yamlmap import YamlDocument, YamlMapping

PROVIDER_FILE = "provider.yml"
PROVIDER_KEYS = ("name", "address", "signer", "accreditations", "specimen", "ce_broker")
PROVIDER_REQUIRED = ("name", "address", "signer", "accreditations")
SIGNER_KEYS = ("name", "title", "signature")
ACCREDITATION_KEYS = (
    "body",
    "credit_type",  # retired: read only to say so (P007)
    "provider_number",
    "approval_period",
    "formats",
    "statement",
    "commensurate",
    "unit",
    "professions",
)
ACCREDITATION_REQUIRED = ("body", "statement")
_ACCREDITATION_KEY = re.compile(r"^[a-z0-9_-]+$")
# ANCC accredits providers itself; it approves nobody directly. "approved ... by the American
# Nurses Credentialing Center's Commission" is the wording boards send back.
_ANCC_COMMISSION = "american nurses credentialing center's commission on accreditation"
_ANCC_APPROVER = "an accredited approver by the american nurses credentialing center"


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
    key: str, node_map: YamlMapping, path: str, diags: list[Diagnostic], specimen: bool
) -> Accreditation | None:
    """Validate one accreditation entry; return it only when it is complete."""
    ok = True
    node_map.check_keys(ACCREDITATION_KEYS, ACCREDITATION_REQUIRED)
    body = node_map.string("body")
    statement = node_map.string("statement")
    number_ok, provider_number = node_map.optional_string("provider_number")
    ok = ok and number_ok
    if node_map.has("credit_type"):
        diags.append(
            diag(
                path,
                node_map.line_of("credit_type"),
                "P007",
                f'accreditation "{key}": credit_type is retired and ignored; statements take '
                "their credit words from each course's credits ({credits}) and the board's "
                "unit ({unit})",
            )
        )
    if provider_number and PLACEHOLDER_NUMBER.match(provider_number) and not specimen:
        diags.append(
            diag(
                path,
                node_map.line_of("provider_number"),
                "P008",
                f'accreditation "{key}" provider_number "{provider_number}" is a placeholder '
                "(only zeros); set the number the board issued, or mark the provider "
                "specimen: true",
            )
        )
        ok = False
    default_professions, default_unit = BOARD_DEFAULTS.get(key, ((), DEFAULT_UNIT))
    unit = default_unit
    if node_map.has("unit"):
        unit = node_map.string("unit")
        ok = ok and unit is not None
    professions: tuple[str, ...] = default_professions
    if node_map.has("professions"):
        items = node_map.string_list("professions")
        if items is None:
            ok = False
        else:
            professions = tuple(value for value, _line in items)

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
                if name in RETIRED_PLACEHOLDERS:
                    diags.append(
                        diag(
                            path,
                            line,
                            "P002",
                            f'accreditation "{key}" statement uses the retired placeholder '
                            f"{{{name}}}; write {RETIRED_PLACEHOLDERS[name]}",
                        )
                    )
                    ok = False
                elif name not in STATEMENT_PLACEHOLDERS:
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

        flat = " ".join(statement.lower().replace("\u2019", "'").split())
        if _ANCC_COMMISSION in flat and "approved" in flat and _ANCC_APPROVER not in flat:
            diags.append(
                diag(
                    path,
                    line,
                    "P010",
                    f'accreditation "{key}" statement says "approved" by the American Nurses '
                    "Credentialing Center's Commission on Accreditation: an accredited provider "
                    'is "accredited as a provider of nursing continuing professional development '
                    "by the American Nurses Credentialing Center's Commission on Accreditation\"; "
                    'an approved provider is "approved as a provider of nursing continuing '
                    "professional development by <approver>, an accredited approver by the "
                    "American Nurses Credentialing Center's Commission on Accreditation\"",
                )
            )
            ok = False

    if not ok or body is None or statement is None or unit is None:
        return None
    return Accreditation(
        key=key,
        body=body,
        provider_number=provider_number,
        approval_start=approval_start,
        approval_end=approval_end,
        formats=formats,
        statement=statement,
        commensurate=commensurate,
        unit=unit,
        professions=professions,
    )


def _parse_provider(text: str, path: str, diags: list[Diagnostic]) -> Provider | None:
    """Parse provider.yml into diags; return the Provider only when it is complete."""
    text = normalize_text(text)
    doc = YamlDocument(text, path, 1, diags)
    root = doc.root_mapping("provider.yml")
    if root is None:
        return None
    root.check_keys(PROVIDER_KEYS, PROVIDER_REQUIRED)
    name = root.string("name")
    address = root.string("address")
    specimen = False
    if root.has("specimen"):
        specimen = bool(root.boolean("specimen"))
    if specimen:
        diags.append(
            diag(
                path,
                root.line_of("specimen"),
                "P009",
                "provider is a specimen (specimen: true): every certificate, transcript and "
                "verification page says it comes from a provider that holds no accreditation",
            )
        )

    ce_broker_ok, ce_broker = parse_provider_ce_broker(root, path, diags, specimen)

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
            accreditation = _parse_accreditation(key, entry, path, diags, specimen)
            if accreditation is None:
                accreditations_ok = False
            else:
                accreditations[key] = accreditation

    if name is None or address is None or signer is None or not accreditations_ok:
        return None
    if not ce_broker_ok:
        return None
    return Provider(
        name=name,
        address=address,
        signer=signer,
        accreditations=accreditations,
        source_text=text,
        specimen=specimen,
        ce_broker=ce_broker,
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


def accreditation_keys(text: str) -> list[str] | None:
    """The accreditation keys a provider.yml names, even when it has errors elsewhere.

    Course diagnostics check their accreditation lists against these, so a broken provider.yml
    never hides a course's unknown key. None when the file is too broken to tell.
    """
    try:
        data = yaml.safe_load(normalize_text(text))
    except Exception:  # noqa: BLE001 - a file this broken already has its own diagnostics
        return None
    if not isinstance(data, dict) or not isinstance(data.get("accreditations"), dict):
        return None
    return [str(key) for key in data["accreditations"]]


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
