"""Pydantic models of /api/v1 request bodies: they validate the body and are the document's schema.

Each field's limits come from the rule that the HTML forms and the services apply
(accounts/rules.py, accounts/models.py), so a limit is written once.
"""

from __future__ import annotations

from typing import Annotated, Any, Literal

from pydantic import BaseModel, ConfigDict, Field

from ce_platform.accounts.models import PROFESSIONS, US_STATES
from ce_platform.accounts.rules import MAX_LENGTHS, PASSWORD_MAX_LENGTH
from ce_platform.core.access import ROLES

# Closed sets the API enforces, published as enums in the document.
Profession = Literal[tuple(PROFESSIONS)]  # type: ignore[valid-type]
Role = Literal[tuple(ROLES)]  # type: ignore[valid-type]
# A US state or territory code in either case ("wa" is stored as WA); the empty string clears it.
LicenseState = Annotated[
    Literal[("", *US_STATES, *(code.lower() for code in US_STATES))],  # type: ignore[valid-type]
    Field(examples=["CA"]),
]


def text(name: str, example: str) -> object:
    """A line of text with the length of its column (accounts/rules.py)."""
    return Annotated[str, Field(max_length=MAX_LENGTHS[name], examples=[example])]


Email = Annotated[
    str,
    Field(
        max_length=MAX_LENGTHS["email"],
        examples=["ada@example.org"],
        json_schema_extra={"format": "email"},
    ),
]
Password = Annotated[
    str, Field(max_length=PASSWORD_MAX_LENGTH, examples=["correct horse battery staple"])
]
FullName = text("full_name", "Ada Lovelace")
Credentials = text("credentials", "PsyD")
LicenseNumber = text("license_number", "PSY-12345")


class Body(BaseModel):
    """A JSON object body: strict types and no unknown fields, so a typo is a 400."""

    model_config = ConfigDict(extra="forbid", strict=True)


class Register(Body):
    email: Email
    password: Password
    full_name: FullName
    profession: Annotated[Profession, Field(examples=["psychologist"])]
    license_number: LicenseNumber | None = None
    license_state: LicenseState | None = None
    credentials: Credentials | None = None


class TokenRequest(Body):
    email: Email
    password: Password


class ProfileUpdate(Body):
    full_name: FullName | None = None
    credentials: Credentials | None = None
    profession: Annotated[Profession, Field(examples=["social_worker"])] | None = None
    license_number: LicenseNumber | None = None
    license_state: LicenseState | None = None


class PasswordChange(Body):
    current_password: Password
    new_password: Password


# Bulk verification (POST /api/v1/verify): a page of numbers, each as printed or typed.
BULK_VERIFY_MAX = 100
MAX_NUMBER_LENGTH = 64
CertificateNumber = Annotated[
    str, Field(min_length=1, max_length=MAX_NUMBER_LENGTH, examples=["CE-7K3M-Q9TB-2XHD-8RWF"])
]


class VerifyMany(Body):
    numbers: Annotated[list[CertificateNumber], Field(min_length=1, max_length=BULK_VERIFY_MAX)]


class MarkdownFile(Body):
    markdown: Annotated[str, Field(examples=["# Lesson\n\nText."])]


class Preview(Body):
    path: Annotated[
        str,
        Field(min_length=1, description="course.md, quiz.md, NN-slug.md", examples=["01-intro.md"]),
    ]
    markdown: Annotated[str, Field(examples=["# Lesson\n\nText."])]
    course: Annotated[str, Field(description="slug: preview with its files")] | None = None


class NewCourse(Body):
    slug: Annotated[str, Field(examples=["trauma-informed-care"])]
    title: Annotated[str, Field(examples=["Trauma-informed care"])]


class AttemptAnswers(Body):
    answers: Annotated[
        dict[str, list[str]],
        Field(description="question id -> chosen option ids", examples=[{"q1": ["b"]}]),
    ]


class EvaluationAnswers(Body):
    answers: Annotated[dict[str, Any], Field(examples=[{"relevance": 5, "comments": "Useful."}])]
    attestation: bool


class UserUpdate(Body):
    role: Role | None = None
    active: bool | None = None


class InstructorAssignment(Body):
    email: Email


BODIES: tuple[type[BaseModel], ...] = (
    Register,
    TokenRequest,
    ProfileUpdate,
    PasswordChange,
    VerifyMany,
    MarkdownFile,
    Preview,
    NewCourse,
    AttemptAnswers,
    EvaluationAnswers,
    UserUpdate,
    InstructorAssignment,
)


def schema(model: type[BaseModel]) -> dict:
    """The model's JSON Schema (2020-12, OpenAPI 3.1's dialect) for the document."""
    return model.model_json_schema(ref_template="#/components/schemas/{model}")
