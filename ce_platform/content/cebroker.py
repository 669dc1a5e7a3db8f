"""CE Broker numbers from provider.yml and course.md: checked here so exports never guess them.

CE Broker's help articles "Creating Excel Files (Full Course Credit)" and "(Partial Course
Credit)" ask for the provider tracking number without its "50-" prefix, the course tracking
number without its "20-" prefix, a profession code per licensee and, for partial credit, a
subject-area code per credited area.
"""

from __future__ import annotations

import re

from .diagnostics import Diagnostic, diag
from .model import CREDIT_CATEGORIES, PLACEHOLDER_NUMBER, CourseCEBroker, ProviderCEBroker
from .yamlmap import YamlMapping

# The professions an account may hold (accounts.models.PROFESSIONS keys).
PROFESSION_KEYS: tuple[str, ...] = (
    "psychologist",
    "social_worker",
    "counselor",
    "mft",
    "nurse",
    "physician",
    "other",
)
PROVIDER_CE_BROKER_KEYS = ("provider_tracking", "professions")
COURSE_CE_BROKER_KEYS = ("course_tracking", "course_id", "subject_areas")
TRACKING_NUMBER = re.compile(r"^[0-9]{1,12}$")
CODE = re.compile(r"^[A-Za-z0-9][A-Za-z0-9_.-]{0,31}$")


def _codes(
    node_map: YamlMapping,
    key: str,
    known: tuple[str, ...],
    what: str,
    code: str,
    path: str,
    diags: list[Diagnostic],
) -> dict[str, str] | None:
    """A mapping of known names to CE Broker codes; None after reporting a problem."""
    codes = node_map.mapping(key)
    if codes is None:
        return None
    result: dict[str, str] = {}
    ok = True
    for name in codes.key_names():
        value = codes.string(name)
        if name not in known:
            diags.append(
                diag(
                    path,
                    codes.line_of(name),
                    code,
                    f'ce_broker.{key} names unknown {what} "{name}" (use {", ".join(known)})',
                )
            )
            ok = False
        elif value is None:
            ok = False
        elif not CODE.match(value):
            diags.append(
                diag(
                    path,
                    codes.line_of(name),
                    code,
                    f'ce_broker.{key}.{name} "{value}" is not a CE Broker code (letters, digits, '
                    '"-", "_" or ".", at most 32)',
                )
            )
            ok = False
        else:
            result[name] = value
    return result if ok else None


def _tracking(
    node_map: YamlMapping, key: str, prefix: str, code: str, path: str, diags: list[Diagnostic]
) -> tuple[bool, str | None]:
    """A tracking number: digits only, CE Broker's prefix left out."""
    if not node_map.has(key):
        return True, None
    raw = node_map.raw(key)
    value = str(raw).strip() if isinstance(raw, (int, str)) and not isinstance(raw, bool) else None
    if value is None:
        node_map.string(key)  # reports the wrong type
        return False, None
    if not TRACKING_NUMBER.match(value):
        hint = (
            f' without the "{prefix}" prefix'
            if value.startswith(prefix)
            else " (digits only, as CE Broker issued it)"
        )
        diags.append(
            diag(
                path,
                node_map.line_of(key),
                code,
                f'ce_broker.{key} "{value}" is not a CE Broker tracking number: write it{hint}',
            )
        )
        return False, None
    return True, value


def parse_provider_ce_broker(
    root: YamlMapping, path: str, diags: list[Diagnostic], specimen: bool
) -> tuple[bool, ProviderCEBroker | None]:
    """provider.yml's optional `ce_broker` mapping; (False, None) after an error."""
    if not root.has("ce_broker"):
        return True, None
    node_map = root.mapping("ce_broker")
    if node_map is None:
        return False, None
    node_map.check_keys(PROVIDER_CE_BROKER_KEYS, ("provider_tracking",))
    ok, tracking = _tracking(node_map, "provider_tracking", "50-", "P011", path, diags)
    if tracking is not None and PLACEHOLDER_NUMBER.match(tracking) and not specimen:
        diags.append(
            diag(
                path,
                node_map.line_of("provider_tracking"),
                "P011",
                f'ce_broker.provider_tracking "{tracking}" is a placeholder (only zeros); set the '
                "number CE Broker issued, or mark the provider specimen: true",
            )
        )
        ok = False
    professions: dict[str, str] | None = {}
    if node_map.has("professions"):
        professions = _codes(
            node_map, "professions", PROFESSION_KEYS, "profession", "P012", path, diags
        )
    if not ok or tracking is None or professions is None:
        return False, None
    return True, ProviderCEBroker(provider_tracking=tracking, professions=professions)


def parse_course_ce_broker(
    fm: YamlMapping, path: str, diags: list[Diagnostic]
) -> tuple[bool, CourseCEBroker]:
    """course.md's optional `ce_broker` mapping; (False, empty) after an error."""
    if not fm.has("ce_broker"):
        return True, CourseCEBroker()
    node_map = fm.mapping("ce_broker")
    if node_map is None:
        return False, CourseCEBroker()
    node_map.check_keys(COURSE_CE_BROKER_KEYS)
    ok, tracking = _tracking(node_map, "course_tracking", "20-", "C022", path, diags)
    course_id: str | None = None
    if node_map.has("course_id"):
        course_id = node_map.string("course_id")
        ok = ok and course_id is not None
    if not node_map.has("course_tracking") and not node_map.has("course_id"):
        diags.append(
            diag(
                path,
                fm.line_of("ce_broker"),
                "C022",
                "ce_broker needs course_tracking (CE Broker's course tracking number, without "
                '"20-") or course_id (your own course ID as CE Broker knows it)',
            )
        )
        ok = False
    subject_areas: dict[str, str] | None = {}
    if node_map.has("subject_areas"):
        subject_areas = _codes(
            node_map, "subject_areas", CREDIT_CATEGORIES, "credit category", "C023", path, diags
        )
    if not ok or subject_areas is None:
        return False, CourseCEBroker()
    return True, CourseCEBroker(
        course_tracking=tracking, course_id=course_id, subject_areas=subject_areas
    )
